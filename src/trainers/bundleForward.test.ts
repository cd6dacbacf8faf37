import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, loadBundle } from './bundle.ts';
import { predictBundle, predictBundleRows } from './bundleForward.ts';
import { initLayers } from './mlp.ts';
import { createRng } from './random.ts';
import { subsetRows } from './split.ts';
import { FORWARD_CHUNK_ROWS } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('predictBundle', () => {
  it('matches the tfjs predictor for a log-target MLP regressor and a linear one', async () => {
    const cols = 3;
    const rng = createRng(4);
    const rows = 40;
    const X = new Float32Array(rows * cols).map(() => rng() * 10 - 5);
    for (const hidden of [[6, 4], []]) {
      const layers = initLayers(cols, hidden, 'linear', 7);
      const bundle = await buildBundle(tf, layers, {
        kind: 'regressor',
        preprocessing: { featureNames: ['a', 'b', 'c'], featureGroups: ['a', 'b', 'c'], mean: [1, 0, -1], scale: [2, 1, 0.5], logTarget: true, smearing: 1.1, threshold: null, conditionalOnOrder: false },
        dataSha256: '', seed: 1, backend: 'cpu', tfjsVersion: tf.version.tfjs, config: {},
      });
      const predictor = await loadBundle(tf, bundle);
      const expected = await predictor.predict(X, rows);
      predictor.dispose();
      const got = predictBundle(bundle, X, rows);
      for (let i = 0; i < rows; i++) expect(got[i]).toBeCloseTo(expected[i] as number, 3);
    }
  });

  it('scores chosen rows of a larger matrix in chunks exactly as scoring a copy of those rows at once', async () => {
    const cols = 3;
    const rng = createRng(9);
    const rows = FORWARD_CHUNK_ROWS * 4 + 50;
    const X = new Float32Array(rows * cols).map(() => rng() * 10 - 5);
    // every third row, then a few from the start again: past a chunk boundary, not in order
    const idx = Uint32Array.from([...Array.from({ length: Math.floor(rows / 3) }, (_, k) => k * 3 + 1), 5, 0, 2]);
    const bundle = await buildBundle(tf, initLayers(cols, [5], 'sigmoid', 3), {
      kind: 'classifier',
      preprocessing: { featureNames: ['a', 'b', 'c'], featureGroups: ['a', 'b', 'c'], mean: [1, 0, -1], scale: [2, 1, 0.5], logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: false },
      dataSha256: '', seed: 1, backend: 'cpu', tfjsVersion: tf.version.tfjs, config: {},
    });
    expect(idx.length).toBeGreaterThan(FORWARD_CHUNK_ROWS);
    const atOnce = predictBundle(bundle, subsetRows(X, cols, idx), idx.length);
    expect(predictBundleRows(bundle, X, rows, idx)).toEqual(atOnce);
    expect(predictBundleRows(bundle, X, rows, null)).toEqual(predictBundle(bundle, X, rows));
    expect(() => predictBundleRows(bundle, X, rows + 1, idx)).toThrow(`expected ${rows + 1} rows × 3 features`);
  });
});
