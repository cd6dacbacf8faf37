import { describe, expect, it } from 'vitest';
import { fitFastLogistic, groupIdenticalRows, labelsOf, predictProba } from './fastLogistic.ts';
import { minimizeLbfgs } from './lbfgs.ts';
import { createRng } from './random.ts';

/** Seeded synthetic problem: continuous and binary columns, a known logistic truth. */
function synthetic(rows: number, seed: number): { X: Float32Array; y: Float32Array; cols: number } {
  const rng = createRng(seed);
  const cols = 4;
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    const b = rng() * 2 - 1;
    const c = rng() < 0.3 ? 1 : 0;
    const d = rng() * 3;
    X.set([a, b, c, d], r * cols);
    const z = -2 + 1.5 * a - b + 0.8 * c + 0.2 * d;
    y[r] = rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y, cols };
}

/** C·Σ wᵢ·lossᵢ + ½‖coef‖², written out independently of the solver. */
function sklearnObjective(beta: Float64Array, X: Float32Array, y: Float32Array, cols: number, C: number, w0: number, w1: number): number {
  let loss = 0;
  for (let r = 0; r < y.length; r++) {
    let z = beta[cols] as number;
    for (let j = 0; j < cols; j++) z += (X[r * cols + j] as number) * (beta[j] as number);
    const p = 1 / (1 + Math.exp(-z));
    loss += (y[r] === 1 ? w1 : w0) * -(y[r] === 1 ? Math.log(p) : Math.log(1 - p));
  }
  let pen = 0;
  for (let j = 0; j < cols; j++) pen += (beta[j] as number) ** 2;
  return C * loss + 0.5 * pen;
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const r = minimizeLbfgs((x, g) => {
      const a = x[0] as number;
      const b = x[1] as number;
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    }, Float64Array.of(-1.2, 1), { gtol: 1e-8, maxIter: 500 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });
});

describe('fitFastLogistic', () => {
  const { X, y, cols } = synthetic(4000, 7);
  const rows = y.length;

  it('L-BFGS and Newton reach the same optimum (weights within 1e-4)', () => {
    for (const C of [0.01, 1]) {
      const classWeight = { w0: 0.6, w1: 2.5 };
      const a = fitFastLogistic({ X, rows, cols, y, C, solver: 'lbfgs', classWeight, gtol: 1e-9, maxIter: 500 });
      const b = fitFastLogistic({ X, rows, cols, y, C, solver: 'newton', classWeight, gtol: 1e-9 });
      expect(a.converged && b.converged).toBe(true);
      for (let j = 0; j < cols; j++) expect(Math.abs((a.weights[j] as number) - (b.weights[j] as number))).toBeLessThan(1e-4);
      expect(Math.abs(a.intercept - b.intercept)).toBeLessThan(1e-4);
      expect(b.iterations).toBeLessThan(15);
      expect(a.passes).toBeLessThan(100);
    }
  });

  it('is the minimiser of the scikit-learn objective: every coordinate nudge raises it', () => {
    const C = 0.05;
    const m = fitFastLogistic({ X, rows, cols, y, C, solver: 'newton', classWeight: { w0: 1, w1: 3 }, gtol: 1e-10 });
    const beta = Float64Array.from([...m.weights, m.intercept]);
    const f0 = sklearnObjective(beta, X, y, cols, C, 1, 3);
    expect(m.objective).toBeCloseTo(f0, 6);
    for (let j = 0; j <= cols; j++) {
      for (const h of [1e-3, -1e-3]) {
        const nudged = beta.slice();
        nudged[j] = (nudged[j] as number) + h;
        expect(sklearnObjective(nudged, X, y, cols, C, 1, 3)).toBeGreaterThan(f0);
      }
    }
  });

  it('matches the closed-form weighted log-odds on one binary feature when C is huge', () => {
    // x = 0: 30 orders / 70 not; x = 1: 60 / 40. Balanced weights n/(2·n_c): 200/180 and 200/220.
    const Xb = new Float32Array(200);
    const yb = new Float32Array(200);
    for (let i = 0; i < 200; i++) {
      Xb[i] = i < 100 ? 0 : 1;
      yb[i] = i < 30 || (i >= 100 && i < 160) ? 1 : 0;
    }
    const w1 = 200 / 180;
    const w0 = 200 / 220;
    const logit = (pos: number, neg: number): number => Math.log((w1 * pos) / (w0 * neg));
    for (const solver of ['lbfgs', 'newton'] as const) {
      const m = fitFastLogistic({ X: Xb, rows: 200, cols: 1, y: yb, C: 1e8, solver, classWeight: { w0, w1 }, gtol: 1e-10, maxIter: 500 });
      expect(m.intercept).toBeCloseTo(logit(30, 70), 4);
      expect(m.weights[0]).toBeCloseTo(logit(60, 40) - logit(30, 70), 4);
    }
  });

  it('grouping identical rows changes nothing but the speed', () => {
    const Xd = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) Xd.set([r % 3, r % 2], r * 2);
    const a = fitFastLogistic({ X: Xd, rows, cols: 2, y, C: 0.3, solver: 'newton', gtol: 1e-10 });
    const b = fitFastLogistic({ X: Xd, rows, cols: 2, y, C: 0.3, solver: 'newton', gtol: 1e-10, groupRows: false });
    expect(a.weights[0]).toBeCloseTo(b.weights[0] as number, 8);
    expect(a.intercept).toBeCloseTo(b.intercept, 8);
  });

  it('rows merged beforehand from a matrix\'s chosen rows (no copy) fit the same model as those rows copied out', () => {
    // 3 binary-ish columns over a larger matrix; the fit uses every other row, as a split's fit rows
    const rng = createRng(11);
    const all = 2000;
    const cols = 3;
    const X = new Float32Array(all * cols);
    const yAll = new Float32Array(all);
    for (let r = 0; r < all; r++) {
      const a = r % 4;
      const b = rng() < 0.4 ? 1 : 0;
      const c = rng() < 0.5 ? 2 : 5;
      X.set([a, b, c], r * cols);
      yAll[r] = rng() < 1 / (1 + Math.exp(-(-1 + 0.5 * a - b + 0.2 * c))) ? 1 : 0;
    }
    const at = Uint32Array.from({ length: all / 2 }, (_, i) => 2 * i + 1);
    const copied = new Float32Array(at.length * cols);
    const y = new Float32Array(at.length);
    at.forEach((r, i) => { copied.set(X.subarray(r * cols, (r + 1) * cols), i * cols); y[i] = yAll[r] as number; });
    const label = labelsOf(y, at.length);
    const merged = groupIdenticalRows(X, at.length, cols, label, at);
    const reference = groupIdenticalRows(copied, at.length, cols, label);
    expect(merged).not.toBeNull();
    // the same groups in the same order as grouping the copy
    expect(Array.from(merged!.X)).toEqual(Array.from(reference!.X));
    expect(Array.from(merged!.count)).toEqual(Array.from(reference!.count));
    expect(Array.from(merged!.firstRow)).toEqual(Array.from(reference!.firstRow));
    const classWeight = { w0: 0.7, w1: 1.9 };
    const fromMerged = fitFastLogistic({ X: merged!.X, rows: merged!.rows, cols, y: merged!.label, count: merged!.count, C: 0.5, classWeight, solver: 'newton', gtol: 1e-10 });
    const fromRows = fitFastLogistic({ X: copied, rows: at.length, cols, y, C: 0.5, classWeight, solver: 'newton', gtol: 1e-10, groupRows: false });
    for (let j = 0; j < cols; j++) expect(fromMerged.weights[j]).toBeCloseTo(fromRows.weights[j] as number, 9);
    expect(fromMerged.intercept).toBeCloseTo(fromRows.intercept, 9);
    expect(Math.abs(fromMerged.objective - fromRows.objective) / fromRows.objective).toBeLessThan(1e-12);
    expect(() => fitFastLogistic({ X: merged!.X, rows: merged!.rows, cols, y: merged!.label, count: merged!.count.subarray(1), C: 0.5 })).toThrow(/count has/);
  });

  it('predictProba is the sigmoid of the linear score', () => {
    const p = predictProba({ weights: Float64Array.of(2, -1), intercept: 0.5 }, Float32Array.of(1, 1, 0, 0), 2, 2);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 6);
  });

  it('rejects labels other than 0/1 and a non-positive C', () => {
    expect(() => fitFastLogistic({ X, rows, cols, y: new Float32Array(rows).fill(2), C: 1 })).toThrow(/expected 0 or 1/);
    expect(() => fitFastLogistic({ X, rows, cols, y, C: 0 })).toThrow(/C is 0/);
  });
});
