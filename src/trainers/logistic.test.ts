import { describe, expect, it } from 'vitest';
import { fitLogistic } from './logistic.ts';
import { rocAuc } from './metrics.ts';
import { createRng } from './random.ts';

/** Linear-logit data with known coefficients plus a class imbalance, like the conversion target. */
function linearData(n: number, seed: number): { X: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  const X = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = [rng() * 2 - 1, rng() * 2 - 1, rng() < 0.3 ? 1 : 0];
    X.set(x, i * 3);
    const z = -2 + 2.5 * (x[0] ?? 0) - 1.5 * (x[1] ?? 0) + 1 * (x[2] ?? 0);
    y[i] = rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

/** Plain float64 gradient descent on C·Σ wᵢ·lossᵢ + ½‖coef‖², run long enough to converge far below 1e-4. */
function gradientDescent(X: Float32Array, y: Float32Array, w: Float32Array, C: number, p: number): Float64Array {
  const n = y.length;
  const beta = new Float64Array(p + 1);
  let lipschitz = 1;
  for (let i = 0; i < n; i++) {
    let s = 1;
    for (let c = 0; c < p; c++) s += (X[i * p + c] ?? 0) ** 2;
    lipschitz += 0.25 * C * (w[i] ?? 0) * s;
  }
  const step = 1 / lipschitz;
  for (let iter = 0; iter < 20000; iter++) {
    const g = new Float64Array(p + 1);
    for (let i = 0; i < n; i++) {
      let z = beta[p] ?? 0;
      for (let c = 0; c < p; c++) z += (beta[c] ?? 0) * (X[i * p + c] ?? 0);
      const r = C * (w[i] ?? 0) * (1 / (1 + Math.exp(-z)) - (y[i] ?? 0));
      for (let c = 0; c < p; c++) g[c] = (g[c] ?? 0) + r * (X[i * p + c] ?? 0);
      g[p] = (g[p] ?? 0) + r;
    }
    for (let c = 0; c < p; c++) g[c] = (g[c] ?? 0) + (beta[c] ?? 0);
    for (let c = 0; c <= p; c++) beta[c] = (beta[c] ?? 0) - step * (g[c] ?? 0);
  }
  return beta;
}

describe('fitLogistic', () => {
  it('matches a float64 gradient-descent solution of the same class-weighted objective to 1e-4', async () => {
    const { X, y } = linearData(300, 1);
    const valid = linearData(100, 2);
    const weight = y.map((v) => (v === 1 ? 3 : 0.6));
    const C = 0.05;
    const fit = await fitLogistic({
      X, rows: 300, cols: 3, y, classWeight: { w0: 0.6, w1: 3 }, C, maxIter: 50,
      validX: valid.X, validRows: 100, validY: valid.y, validWeight: valid.y.map((v) => (v === 1 ? 3 : 0.6)),
    });
    const reference = gradientDescent(X, y, weight, C, 3);
    for (let c = 0; c < 3; c++) expect(Math.abs((fit.coef[c] ?? 0) - (reference[c] ?? 0))).toBeLessThan(1e-4);
    expect(Math.abs(fit.intercept - (reference[3] ?? 0))).toBeLessThan(1e-4);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(20);
  });

  it('ranks held-out rows well on a strong linear signal, one history entry per Newton step', async () => {
    const train = linearData(4000, 3);
    const test = linearData(2000, 4);
    const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
    const fit = await fitLogistic({
      X: train.X, rows: 4000, cols: 3, y: train.y, classWeight: { w0: 1, w1: 1 }, C: 1, maxIter: 50,
      validX: test.X, validRows: 2000, validY: test.y, validWeight: ones(2000),
    });
    expect(fit.history.map((h) => h.epoch)).toEqual(Array.from({ length: fit.iterations }, (_, i) => i + 1));
    expect(fit.coef[0]).toBeGreaterThan(2);
    expect(fit.coef[1]).toBeLessThan(-1);
    const score = new Float32Array(2000);
    for (let i = 0; i < 2000; i++) {
      score[i] = fit.intercept + [0, 1, 2].reduce((s, c) => s + (fit.coef[c] ?? 0) * (test.X[i * 3 + c] ?? 0), 0);
    }
    expect(rocAuc(test.y, score)).toBeGreaterThan(0.8);
    expect(fit.history.at(-1)?.valAuc).toBeGreaterThan(0.8);
  });
});

describe('fitLogistic validation history', () => {
  it('reports, on repeated validation rows, the weighted loss and ROC AUC computed row by row at each step', async () => {
    // few distinct rows (two small-integer features and a flag), as session data has, so the validation rows are grouped
    const rng = createRng(11);
    const sample = (n: number): { X: Float32Array; y: Float32Array } => {
      const X = new Float32Array(n * 3);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const x = [Math.floor(rng() * 6), Math.floor(rng() * 4), rng() < 0.4 ? 1 : 0];
        X.set(x, i * 3);
        y[i] = rng() < 1 / (1 + Math.exp(-(-2 + 0.5 * (x[0] ?? 0) - 0.4 * (x[1] ?? 0) + (x[2] ?? 0)))) ? 1 : 0;
      }
      return { X, y };
    };
    const train = sample(3000);
    const valid = sample(2000);
    const validWeight = valid.y.map((v) => (v === 1 ? 2.5 : 0.7));
    const fit = await fitLogistic({
      X: train.X, rows: 3000, cols: 3, y: train.y, classWeight: { w0: 0.7, w1: 2.5 }, C: 1, maxIter: 50,
      validX: valid.X, validRows: 2000, validY: valid.y, validWeight,
    });
    // the last history entry is at the returned coefficients: recompute it row by row
    const z = Array.from({ length: 2000 }, (_, i) => fit.intercept + [0, 1, 2].reduce((s, c) => s + (fit.coef[c] ?? 0) * (valid.X[i * 3 + c] ?? 0), 0));
    let num = 0;
    let den = 0;
    z.forEach((zi, i) => {
      const y = valid.y[i] ?? 0;
      const w = validWeight[i] ?? 0;
      num += w * (y === 1 ? Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi)));
      den += w;
    });
    const last = fit.history.at(-1);
    expect(last?.valLoss).toBeCloseTo(num / den, 12);
    expect(last?.valAuc).toBe(rocAuc(valid.y, Float32Array.from(z, (v) => 1 / (1 + Math.exp(-v)))));
    expect(fit.history.length).toBeGreaterThan(1);
  });
});
