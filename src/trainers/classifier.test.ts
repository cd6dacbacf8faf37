import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelMatrix } from '../data/types.ts';
import { loadBundle } from './bundle.ts';
import { splitForClassifier, trainClassifier } from './classifier.ts';
import { fitFastLogistic } from './fastLogistic.ts';
import { rocAuc } from './metrics.ts';
import { createRng } from './random.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from './types.ts';

/** Conversion-like data: a numeric signal, a one-hot flag and a constant column (engagement_depth among converters). */
function sessions(n: number, seed: number): { matrix: ModelMatrix; y: Float32Array } {
  const rng = createRng(seed);
  const cols = 4;
  const X = new Float32Array(n * cols);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const hour = Math.floor(rng() * 24);
    const mobile = rng() < 0.4 ? 1 : 0;
    const noise = rng();
    X.set([hour, mobile, noise, 7], i * cols);
    const z = -2.5 + 1.5 * Math.cos((hour / 24) * 2 * Math.PI) - 1 * mobile;
    y[i] = rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const featureNames = ['hour_of_day', 'device_type_mobile', 'noise', 'engagement_depth'];
  return { matrix: { rows: n, cols, X, featureNames, featureGroups: featureNames }, y };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainClassifier', () => {
  const data = sessions(4000, 11);

  it('warns about a constant column, never produces NaN, and picks the threshold on validation', async () => {
    const r = await trainClassifier({ tf, matrix: data.matrix, y: data.y, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' } });
    expect(r.warnings.some((w) => w.includes('"engagement_depth"') && w.includes('constant'))).toBe(true);
    expect(r.testProba.every((p) => Number.isFinite(p))).toBe(true);
    expect(r.counts.test).toBe(800);
    expect(r.counts.train + r.counts.valid).toBe(3200);
    // a linear model cannot use the cosine of the hour: its AUC comes from the device flag alone (about 0.58)
    expect(r.metrics.auc_roc).toBeGreaterThan(0.55);
    expect(r.metrics.threshold).toBe(r.threshold);
    expect(r.metrics.oracle_f1).toBeGreaterThanOrEqual(r.metrics.f1_score - 1e-12);
    expect(r.bundle.preprocessing.scale[3]).toBe(1);
  });

  it('trains logistic regression to the optimum fitFastLogistic (L-BFGS) finds on the same split, scaled and weighted by hand', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' as const, C: 0.5, epochs: 100 };
    const r = await trainClassifier({ tf, matrix: data.matrix, y: data.y, config });
    const split = splitForClassifier(data.y, config.testFraction, config.validationFraction, config.seed);
    expect(Array.from(r.testIndex)).toEqual(Array.from(split.test));
    const { X } = data.matrix;
    const cols = data.matrix.cols;
    // StandardScaler on the fit rows, written out here: mean and population std, a constant column scaled by 1
    const mean = new Float64Array(cols);
    const scale = new Float64Array(cols);
    for (let c = 0; c < cols; c++) {
      const values = Array.from(split.fit, (row) => X[row * cols + c] as number);
      mean[c] = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - (mean[c] as number)) ** 2, 0) / values.length);
      scale[c] = sd > 0 ? sd : 1;
    }
    const scaled = (rows: Uint32Array) => Float32Array.from({ length: rows.length * cols }, (_, k) => {
      const c = k % cols;
      return ((X[(rows[Math.floor(k / cols)] as number) * cols + c] as number) - (mean[c] as number)) / (scale[c] as number);
    });
    const fitY = Float32Array.from(split.fit, (row) => data.y[row] as number);
    const positives = fitY.reduce((a, b) => a + b, 0);
    // 'balanced': n / (2 · count of the class)
    const classWeight = { w0: fitY.length / (2 * (fitY.length - positives)), w1: fitY.length / (2 * positives) };
    const reference = fitFastLogistic({
      X: scaled(split.fit), rows: split.fit.length, cols, y: fitY, C: config.C, classWeight, solver: 'lbfgs', gtol: 1e-10, maxIter: 1000,
    });
    expect(reference.converged).toBe(true);
    const expected = Array.from({ length: split.test.length }, (_, i) => {
      const testX = scaled(split.test.subarray(i, i + 1));
      let z = reference.intercept;
      for (let c = 0; c < cols; c++) z += (reference.weights[c] as number) * (testX[c] as number);
      return 1 / (1 + Math.exp(-z));
    });
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((r.testProba[i] as number) - (expected[i] as number)));
    expect(worst).toBeLessThan(1e-5);
    expect(r.metrics.auc_roc).toBeCloseTo(rocAuc(r.yTest, Float64Array.from(expected)), 4);
  });

  it('gives identical metrics for the same seed, and its bundle reproduces the test probabilities', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'mlp' as const, hiddenUnits: [16], epochs: 4, batchSize: 256, learningRate: 0.01 };
    const start = tf.memory().numTensors;
    const a = await trainClassifier({ tf, matrix: data.matrix, y: data.y, config });
    const b = await trainClassifier({ tf, matrix: data.matrix, y: data.y, config });
    expect(tf.memory().numTensors).toBe(start);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.metrics.auc_roc).toBeGreaterThan(0.6);
    const predictor = await loadBundle(tf, JSON.stringify(a.bundle));
    const raw = new Float32Array(a.testIndex.length * data.matrix.cols);
    a.testIndex.forEach((row, i) => raw.set(data.matrix.X.subarray(row * 4, row * 4 + 4), i * 4));
    const again = await predictor.predict(raw, a.testIndex.length);
    predictor.dispose();
    for (let i = 0; i < again.length; i++) expect(Math.abs((again[i] ?? 0) - (a.testProba[i] ?? 0))).toBeLessThan(1e-5);
  });

  it('resamples the training rows only (SMOTE keeps binary columns binary)', async () => {
    const r = await trainClassifier({ tf, matrix: data.matrix, y: data.y, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', resampling: 'smote', classWeight: 'none' } });
    expect(r.counts.resampled).toBeGreaterThan(0);
    expect(r.counts.test).toBe(800);
    expect(r.counts.positivesTrain * 2).toBe(r.counts.train);
  });

  it('rejects a non-binary target', async () => {
    const y = data.y.slice();
    y[3] = 2;
    await expect(trainClassifier({ tf, matrix: data.matrix, y, config: DEFAULT_CLASSIFIER_CONFIG })).rejects.toThrow(/not 0\/1/);
  });
});
