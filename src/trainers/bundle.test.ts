import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backTransform, buildBundle, loadBundle, predictRows, serializeBundle } from './bundle.ts';
import { applyScaler } from './scaler.ts';
import { initLayers } from './mlp.ts';
import { createRng } from './random.ts';
import { subsetRows } from './split.ts';
import { FORWARD_CHUNK_ROWS } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model bundle', () => {
  it('round-trips through JSON and reproduces MLP probabilities within 1e-5, over more rows than one chunk', async () => {
    const cols = 4;
    const layers = initLayers(cols, [8, 8], 'sigmoid', 5);
    const mean = Float64Array.of(1, -2, 0.5, 10);
    const scale = Float64Array.of(2, 1, 0.25, 1);
    const bundle = await buildBundle(tf, layers, {
      kind: 'classifier',
      preprocessing: { featureNames: ['a', 'b', 'c', 'd'], featureGroups: ['a', 'b', 'c', 'd'], mean: Array.from(mean), scale: Array.from(scale), logTarget: false, smearing: 1, threshold: 0.3, conditionalOnOrder: false },
      dataSha256: 'abc', seed: 5, backend: 'cpu', tfjsVersion: tf.version.tfjs, config: {},
    });
    const rng = createRng(9);
    // more rows than one 65,536-row chunk of the predictor, so the last chunk is short and the offsets matter
    const rows = 70_000;
    const X = new Float32Array(rows * cols).map(() => rng() * 20 - 10);
    // reference forward pass in float64 from the plain layers
    const Xs = applyScaler(X, rows, cols, { mean, scale });
    const expected = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let h = Array.from(Xs.subarray(r * cols, (r + 1) * cols));
      for (const l of layers) {
        const next = new Array<number>(l.units).fill(0).map((_, u) => (l.bias[u] ?? 0) + h.reduce((s, v, i) => s + v * (l.kernel[i * l.units + u] ?? 0), 0));
        h = l.activation === 'relu' ? next.map((v) => Math.max(0, v)) : l.activation === 'sigmoid' ? next.map((v) => 1 / (1 + Math.exp(-v))) : next;
      }
      expected[r] = h[0] ?? Number.NaN;
    }
    const start = tf.memory().numTensors;
    const predictor = await loadBundle(tf, serializeBundle(bundle));
    const got = await predictor.predict(X, rows);
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(predictor.threshold).toBe(0.3);
    for (let r = 0; r < rows; r++) expect(Math.abs((got[r] ?? 0) - (expected[r] ?? 0))).toBeLessThan(1e-5);
  });

  it('predicts chosen rows of a matrix block by block exactly as predicting a copy of those rows', async () => {
    const cols = 3;
    const rng = createRng(8);
    const rows = FORWARD_CHUNK_ROWS * 3 + 21;
    const X = new Float32Array(rows * cols).map(() => rng() * 6 - 3);
    // rows from the end backwards, every second one: more than one block, in an order unlike the matrix's
    const idx = Uint32Array.from({ length: Math.floor(rows / 2) }, (_, k) => rows - 1 - 2 * k);
    expect(idx.length).toBeGreaterThan(FORWARD_CHUNK_ROWS);
    const bundle = await buildBundle(tf, initLayers(cols, [4], 'sigmoid', 2), {
      kind: 'classifier',
      preprocessing: { featureNames: ['a', 'b', 'c'], featureGroups: ['a', 'b', 'c'], mean: [0.5, 0, -1], scale: [2, 1, 3], logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: false },
      dataSha256: '', seed: 1, backend: 'cpu', tfjsVersion: tf.version.tfjs, config: {},
    });
    const predictor = await loadBundle(tf, bundle);
    const copy = await predictor.predict(subsetRows(X, cols, idx), idx.length);
    expect(await predictRows(predictor, X, cols, idx)).toEqual(copy);
    predictor.dispose();
  });

  it('back-transforms log1p predictions with the smearing factor', () => {
    const out = backTransform(Float32Array.of(Math.log(61)), true, 1.05);
    expect(out[0]).toBeCloseTo(61 * 1.05 - 1, 3);
  });

  it('rejects a file that is not a workbench bundle', async () => {
    await expect(loadBundle(tf, '{"format":"other"}')).rejects.toThrow(/ml-workbench-bundle/);
  });
});
