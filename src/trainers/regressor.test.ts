import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelMatrix } from '../data/types.ts';
import { createRng } from './random.ts';
import { fitRidge, smearingFactor, trainRegressor } from './regressor.ts';
import { subsetRows } from './split.ts';
import { loadTreeBundle, type TreeBundle } from './trees/treeBundle.ts';
import { DEFAULT_REGRESSOR_CONFIG } from './types.ts';

function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Orders whose log revenue is linear in x0 with lognormal noise σ; one session in five orders. */
function shop(n: number, sigma: number, seed: number): { matrix: ModelMatrix; revenue: Float64Array; isOrdered: Float64Array } {
  const rng = createRng(seed);
  const X = new Float32Array(n * 2);
  const revenue = new Float64Array(n);
  const isOrdered = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = rng() * 2 - 1;
    X.set([x0, 3], i * 2);
    isOrdered[i] = rng() < 0.2 ? 1 : 0;
    revenue[i] = isOrdered[i] === 1 ? Math.expm1(4 + 0.3 * x0 + sigma * normal(rng)) : 0;
  }
  return { matrix: { rows: n, cols: 2, X, featureNames: ['x0', 'const'], featureGroups: ['x0', 'const'] }, revenue, isOrdered };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('smearing', () => {
  it('estimates exp(σ²/2) on lognormal residuals, which plain expm1 would miss', () => {
    const rng = createRng(1);
    const sigma = 0.5;
    const resid = Float64Array.from({ length: 200000 }, () => sigma * normal(rng));
    expect(smearingFactor(resid, new Float64Array(resid.length))).toBeCloseTo(Math.exp((sigma * sigma) / 2), 2);
  });
});

describe('fitRidge', () => {
  it('recovers exact coefficients on noiseless data and survives a zero column', () => {
    const X = Float32Array.from([1, 0, 2, 0, 3, 0, 4, 0, -1, 0]);
    const y = [1, 3, 5, 7, -3].map((v) => v);
    const fit = fitRidge(X, 5, 2, y, 0);
    expect(fit.coef[0]).toBeCloseTo(2, 6);
    expect(fit.coef[1]).toBeCloseTo(0, 6);
    expect(fit.intercept).toBeCloseTo(-1, 6);
  });
});

describe('trainRegressor', () => {
  const data = shop(10000, 0.4, 3);

  it('converting_only + log1p + smearing: mean prediction unbiased in dollars, beats the mean baseline', async () => {
    const r = await trainRegressor({ tf, ...data, config: DEFAULT_REGRESSOR_CONFIG });
    expect(r.smearing).toBeGreaterThan(1.05);
    expect(r.smearing).toBeLessThan(1.12);
    expect(r.counts.test).toBe(r.yTest.length);
    expect(r.yTest.every((v) => v > 0)).toBe(true);
    expect(r.warnings.some((w) => w.includes('"const"'))).toBe(true);
    const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(r.predTest) - mean(r.yTest)) / mean(r.yTest)).toBeLessThan(0.05);
    expect(r.metrics.rmse).toBeLessThan(r.baseline.rmse);
    expect(r.metrics.r2).toBeGreaterThan(0.1);
  });

  it('two_stage multiplies by P(order) and an MLP regressor frees its tensors', async () => {
    const start = tf.memory().numTensors;
    const two = await trainRegressor({ tf, ...data, config: { ...DEFAULT_REGRESSOR_CONFIG, strategy: 'two_stage' } });
    expect(two.yTest.length).toBe(2000);
    expect(two.predTest.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    const mlp = await trainRegressor({ tf, ...data, config: { ...DEFAULT_REGRESSOR_CONFIG, model: 'mlp', hiddenUnits: [8], epochs: 5, batchSize: 64, learningRate: 0.01 } });
    expect(tf.memory().numTensors).toBe(start);
    expect(mlp.metrics.rmse).toBeLessThan(mlp.baseline.rmse * 1.05);
  });
});

describe('trainRegressor with gradient-boosted trees', () => {
  const data = shop(10000, 0.4, 3);
  const gbdt = (initModel: 'linear' | 'mean') => trainRegressor({ tf, ...data, config: { ...DEFAULT_REGRESSOR_CONFIG, model: 'gbdt', initModel } });

  it('boosts from the linear model: on a target linear in log space it keeps the line (no tree beats it on validation), says so, and is no worse than the linear regressor', async () => {
    const [line, fromLine, fromMean] = await Promise.all([trainRegressor({ tf, ...data, config: DEFAULT_REGRESSOR_CONFIG }), gbdt('linear'), gbdt('mean')]);
    expect(fromLine.config.initModel).toBe('linear');
    const trees = fromLine.bundle as TreeBundle;
    // one init tree for x0 (the constant column gets none) and no boosted tree: validation found none better than the line
    expect(trees.treeNodes).toHaveLength(1);
    expect(fromLine.epochs).toBe(10);
    expect(fromLine.warnings).toEqual([`no tree lowered the validation loss below the linear init model's in 10 iterations: the model is the linear regressor fitted on the ${fromLine.counts.train} fit rows`]);
    // the line fitted on 85 % of the training rows, plus at most a few shrunk trees: within 0.3 % of the linear regressor
    expect(fromLine.metrics.rmse).toBeLessThan(line.metrics.rmse * 1.003);
    // boosting from the mean must learn the slope with steps, and every iteration it ran stays in the model
    expect((fromMean.bundle as TreeBundle).treeNodes.length).toBe(fromMean.epochs);
    expect(fromLine.metrics.rmse).toBeLessThan(fromMean.metrics.rmse);
  });

  it('with fewer fit rows than a line needs, boosts from the mean and says so', async () => {
    const tiny = shop(60, 0.4, 5);
    // 12 wide features: more coefficients than the few converting fit rows
    const cols = 12;
    const X = Float32Array.from({ length: 60 * cols }, (_, k) => tiny.matrix.X[Math.floor(k / cols) * 2]! * ((k % cols) + 1) + (k % 7) * 0.01 * (Math.floor(k / cols) % 5));
    const names = Array.from({ length: cols }, (_, i) => `x${i}`);
    const r = await trainRegressor({
      tf, matrix: { rows: 60, cols, X, featureNames: names, featureGroups: names }, revenue: tiny.revenue, isOrdered: tiny.isOrdered,
      config: { ...DEFAULT_REGRESSOR_CONFIG, model: 'gbdt', trees: { ...DEFAULT_REGRESSOR_CONFIG.trees, gbdt: { ...DEFAULT_REGRESSOR_CONFIG.trees.gbdt, maxLeafNodes: 2, minSamplesLeaf: 1 } } },
    });
    expect(r.warnings).toEqual([`only ${r.counts.train} fit rows for ${cols} features: boosting started from the mean, not the linear model`]);
    expect(r.counts.train).toBeLessThan(cols + 2);
  });

  it('predicts the same dollars through the saved bundle (init trees included) as in training', async () => {
    const r = await gbdt('linear');
    const predictor = loadTreeBundle(JSON.stringify(r.bundle));
    const rows = Uint32Array.from(r.testIndex);
    const again = await predictor.predict(subsetRows(data.matrix.X, 2, rows), rows.length);
    for (let i = 0; i < rows.length; i++) expect(again[i]).toBeCloseTo(r.predTest[i] as number, 3);
    expect(r.smearing).toBeGreaterThan(1.05);
  });
});
