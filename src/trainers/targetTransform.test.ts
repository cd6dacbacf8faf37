import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelMatrix } from '../data/types.ts';
import { createRng } from './random.ts';
import { trainRegressor } from './regressor.ts';
import type { RowSplit } from './splitPlan.ts';
import { chooseTargetTransform, negativeValues, regressorTargetTransform, targetTransformLine } from './targetTransform.ts';
import { DEFAULT_REGRESSOR_CONFIG, type RegressorConfig } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A profit: linear in two features plus noise, negative on about a third of the rows; one row in two "ordered". */
function profit(n: number, seed: number): { matrix: ModelMatrix; revenue: Float64Array; isOrdered: Float64Array } {
  const rng = createRng(seed);
  const X = new Float32Array(n * 2);
  const revenue = new Float64Array(n);
  const isOrdered = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.fround(rng() * 4 - 2);
    const b = Math.fround(rng() * 10);
    X[i * 2] = a;
    X[i * 2 + 1] = b;
    isOrdered[i] = rng() < 0.5 ? 1 : 0;
    revenue[i] = 3 + 8 * a - 0.5 * b + (rng() - 0.5) * 6;
  }
  return { matrix: { rows: n, cols: 2, X, featureNames: ['a', 'b'], featureGroups: ['a', 'b'] }, revenue, isOrdered };
}

/** Ordinary least squares with an intercept by Gauss–Jordan on the normal equations, in float64: owes nothing to src/trainers. */
function leastSquares(X: Float32Array, cols: number, rows: Uint32Array, y: Float64Array): number[] {
  const q = cols + 1;
  const a = Array.from({ length: q }, () => new Array<number>(q + 1).fill(0));
  for (const r of rows) {
    const x = [...Array.from({ length: cols }, (_, c) => X[r * cols + c]!), 1];
    for (let i = 0; i < q; i++) {
      for (let j = 0; j < q; j++) a[i]![j]! += x[i]! * x[j]!;
      a[i]![q]! += x[i]! * y[r]!;
    }
  }
  for (let p = 0; p < q; p++) {
    const pivot = a[p]![p]!;
    for (let j = p; j <= q; j++) a[p]![j]! /= pivot;
    for (let i = 0; i < q; i++) {
      if (i === p) continue;
      const f = a[i]![p]!;
      for (let j = p; j <= q; j++) a[i]![j]! -= f * a[p]![j]!;
    }
  }
  return a.map((row) => row[q]!);
}

describe('target transform setting', () => {
  it('auto is log1p when every value is ≥ 0, else none; log1p asked of a negative target is refused naming the count', () => {
    expect(negativeValues([3, -2, 0, -7.5, NaN])).toEqual({ count: 2, min: -7.5 });
    expect(chooseTargetTransform('auto', negativeValues([0, 1, 2]))).toBe('log1p');
    expect(chooseTargetTransform('auto', negativeValues([0, -1, 2]))).toBe('none');
    expect(chooseTargetTransform('none', negativeValues([0, 1]))).toBe('none');
    expect(() => chooseTargetTransform('log1p', negativeValues([-1, 2, -3]), 'column "profit"'))
      .toThrow('target transform log1p needs values ≥ 0, but column "profit" has 2 negative values (lowest -3); choose target transform "none" or "auto"');
    expect(targetTransformLine('auto', { count: 12, min: -40 }, 'profit')).toBe('auto: fits profit on its raw scale, since profit has 12 negative values (lowest -40) and log1p needs values ≥ 0');
    expect(targetTransformLine('auto', { count: 0, min: 0 }, 'revenue')).toBe('auto: fits log1p(revenue) with Duan\'s smearing, since every value of revenue is ≥ 0');
    expect(regressorTargetTransform('auto', [1, -1]).warning).toBe('the target has 1 negative values (lowest -1): target transform auto fits it on its raw scale, since log1p needs values ≥ 0');
    expect(regressorTargetTransform('none', [1, -1]).warning).toBeNull();
  });
});

describe('a regressor on a target with negative values', () => {
  const n = 3000;
  const data = profit(n, 11);
  // every third row is a test row; the rest train (linear fits them all)
  const test = Uint32Array.from({ length: n / 3 }, (_, k) => k * 3);
  const train = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
  const split: RowSplit = { fit: train.filter((i) => i % 5 !== 0), valid: train.filter((i) => i % 5 === 0), test };
  const config = (patch: Partial<RegressorConfig>): RegressorConfig => ({ ...DEFAULT_REGRESSOR_CONFIG, strategy: 'direct', ...patch });

  it('linear, auto: fits the raw scale, warns with the count, and its RMSE is an independent least-squares fit\'s', async () => {
    const r = await trainRegressor({ tf, ...data, split, config: config({}) });
    expect(r.targetTransform).toBe('none');
    expect(r.smearing).toBe(1);
    expect(r.bundle.preprocessing.logTarget).toBe(false);
    const negatives = negativeValues(data.revenue).count;
    expect(negatives).toBeGreaterThan(n / 5);
    expect(r.warnings).toContain(`the target has ${negatives.toLocaleString('en-US')} negative values (lowest ${negativeValues(data.revenue).min}): target transform auto fits it on its raw scale, since log1p needs values ≥ 0`);
    const beta = leastSquares(data.matrix.X, 2, train, data.revenue);
    let sse = 0;
    for (const i of test) {
      const pred = beta[0]! * data.matrix.X[i * 2]! + beta[1]! * data.matrix.X[i * 2 + 1]! + beta[2]!;
      sse += (data.revenue[i]! - pred) ** 2;
    }
    const rmse = Math.sqrt(sse / test.length);
    expect(Math.abs(r.metrics.rmse - rmse) / rmse).toBeLessThan(1e-5);
    expect(r.metrics.rmse).toBeLessThan(r.baseline.rmse / 3);
    expect(Array.from(r.predTest).some((p) => p < 0)).toBe(true);
  });

  it('log1p asked of it is refused in one sentence naming the count and what to choose', async () => {
    await expect(trainRegressor({ tf, ...data, split, config: config({ targetTransform: 'log1p' }) })).rejects.toThrow(/log1p needs values ≥ 0, but the target has [\d,]+ negative values .*choose target transform "none" or "auto"/);
  });

  const { trees } = DEFAULT_REGRESSOR_CONFIG;
  it('every model and strategy trains on it with finite errors that beat the mean (two_stage uses the classifier\'s P)', async () => {
    for (const model of ['linear', 'gbdt', 'rf', 'mlp'] as const) {
      for (const strategy of ['direct', 'converting_only', 'two_stage'] as const) {
        const r = await trainRegressor({
          tf, ...data, split,
          config: config({ model, strategy, epochs: 15, batchSize: 64, learningRate: 0.01, trees: { gbdt: { ...trees.gbdt, maxIter: 30 }, rf: { ...trees.rf, nTrees: 20 } } }),
        });
        expect(r.targetTransform, `${model} ${strategy}`).toBe('none');
        expect(Number.isFinite(r.metrics.rmse), `${model} ${strategy}`).toBe(true);
        // two_stage predicts P(ordered) × E[target | ordered] on every test row: a different (weaker) estimate of this target
        if (strategy !== 'two_stage') expect(r.metrics.rmse, `${model} ${strategy}`).toBeLessThan(r.baseline.rmse * 0.6);
        else expect(r.counts.test).toBe(test.length);
      }
    }
  }, 240_000);

  it('a never-negative target under auto still fits log1p with smearing, as before', async () => {
    const positive = { ...data, revenue: data.revenue.map((v) => Math.abs(v)) };
    const r = await trainRegressor({ tf, ...positive, split, config: config({}) });
    expect(r.targetTransform).toBe('log1p');
    expect(r.smearing).toBeGreaterThan(1);
    expect(r.warnings).toEqual([]);
  });
});
