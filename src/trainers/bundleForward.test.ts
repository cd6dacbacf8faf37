import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, loadBundle } from './bundle.ts';
import { predictBundle } from './bundleForward.ts';
import { initLayers } from './mlp.ts';
import { createRng } from './random.ts';

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
});
