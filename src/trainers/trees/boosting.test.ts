import { describe, expect, it } from 'vitest';
import { rocAuc } from '../metrics.ts';
import { createRng } from '../random.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { outputFromRaw, predictRaw, TrainingCancelled } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from './forest.ts';

/** y = (x0 > ½) XOR (x1 > ½), values kept 0.1 away from ½, x1 missing on every 17th row (then y = x0 > ½); a noise and a constant feature. */
function toy(n: number, seed: number): { X: Float32Array; y: Float64Array; cols: number } {
  const rng = createRng(seed);
  const cols = 4;
  const X = new Float32Array(n * cols);
  const y = new Float64Array(n);
  const away = (): number => {
    const u = rng() * 0.8;
    return u < 0.4 ? u : u + 0.2;
  };
  for (let i = 0; i < n; i++) {
    const a = away();
    const b = away();
    const missing = i % 17 === 0;
    X[i * cols] = a;
    X[i * cols + 1] = missing ? Number.NaN : b;
    X[i * cols + 2] = rng();
    X[i * cols + 3] = 5;
    y[i] = (a > 0.5) !== (!missing && b > 0.5) ? 1 : 0;
  }
  return { X, y, cols };
}

const range = (a: number, b: number): Uint32Array => Uint32Array.from({ length: b - a }, (_, i) => a + i);

describe('fitGbdt', () => {
  it('reaches test AUC 1 on a separable toy set and never splits the constant feature', () => {
    const { X, y, cols } = toy(3000, 1);
    const train = range(0, 2000);
    const test = range(2000, 3000);
    const fit = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: train, y: y.subarray(0, 2000) }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false } });
    const p = outputFromRaw(fit.ensemble, predictRaw(fit.ensemble, X, test));
    expect(rocAuc(y.subarray(2000), p)).toBe(1);
    for (const t of fit.ensemble.trees) expect(Array.from(t.feature).includes(3)).toBe(false);
    expect(fit.history).toHaveLength(100);
    expect(fit.history[99]!.loss).toBeLessThan(fit.history[0]!.loss);
  });

  it('stops early on the validation rows when the loss stops improving', () => {
    const rng = createRng(5);
    const n = 2000;
    const X = Float32Array.from({ length: n }, () => rng());
    const y = Float64Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0)); // pure noise: validation loss rises soon
    const fit = fitGbdt({
      task: 'classifier', train: { X, cols: 1, rowIdx: range(0, 1500), y: y.subarray(0, 1500) },
      valid: { X, cols: 1, rowIdx: range(1500, 2000), y: y.subarray(1500) }, params: { ...DEFAULT_GBDT_PARAMS, minSamplesLeaf: 5 },
    });
    expect(fit.stoppedEarly).toBe(true);
    expect(fit.history.length).toBeLessThan(100);
  });

  it('gives the same model on grouped identical rows as on the rows one by one', () => {
    const rng = createRng(8);
    const n = 4000;
    const cols = 2;
    const X = Float32Array.from({ length: n * cols }, () => Math.floor(rng() * 4));
    const y = Float64Array.from({ length: n }, (_, i) => (rng() < 0.2 + 0.15 * (X[i * cols] as number) ? 1 : 0));
    const base = { task: 'classifier' as const, train: { X, cols, rowIdx: range(0, n), y } };
    const grouped = fitGbdt({ ...base, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 10 } });
    // subsample just below 1 keeps rows apart; draw every row anyway by asking for n − 0 rows
    const single = fitGbdt({ ...base, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 10, subsample: 0.99999999 } });
    expect(grouped.grouped).toBe(true);
    expect(single.grouped).toBe(false);
    const a = predictRaw(grouped.ensemble, X);
    const b = predictRaw(single.ensemble, X);
    for (let i = 0; i < n; i++) expect(a[i]).toBeCloseTo(b[i] as number, 9);
  });

  it('cancels within one tree when the flag is set', () => {
    const { X, y, cols } = toy(1000, 2);
    const flag = { aborted: false };
    let seen = 0;
    expect(() => fitGbdt({
      task: 'classifier', train: { X, cols, rowIdx: range(0, 1000), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false }, signal: flag,
      onTree: (p) => {
        seen = p.tree;
        if (p.tree === 3) flag.aborted = true;
      },
    })).toThrow(TrainingCancelled);
    expect(seen).toBe(3);
  });

  it('refuses out-of-range settings with the field name and a valid value', () => {
    const { X, y, cols } = toy(100, 3);
    const run = (over: object): (() => unknown) => () => fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: range(0, 100), y }, params: { ...DEFAULT_GBDT_PARAMS, ...over } });
    expect(run({ maxLeafNodes: 0 })).toThrow(/^maxLeafNodes 0 is out of range; use .*31/);
    expect(run({ learningRate: 0 })).toThrow(/^learningRate 0 is out of range; use .*0\.1/);
    expect(run({ learningRate: -1 })).toThrow(/learningRate -1/);
    expect(run({ maxLeafNodes: 500 })).toThrow(/maxLeafNodes 500 is out of range; use at most the 100 training rows, e\.g\. 31$/);
  });

  it('trains with the default 31 leaves on fewer training rows (a 40-row file), growing the leaves the rows allow', () => {
    const { X, y, cols } = toy(27, 2);
    const fit = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: range(0, 27), y }, params: { ...DEFAULT_GBDT_PARAMS, minSamplesLeaf: 1, maxIter: 5 } });
    expect(fit.ensemble.trees.length).toBeGreaterThan(0);
    expect(() => fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: range(0, 27), y }, params: { ...DEFAULT_GBDT_PARAMS, maxLeafNodes: 40 } }))
      .toThrow(/^maxLeafNodes 40 is out of range; use at most the 27 training rows, e\.g\. 27$/);
  });

  it('fits a regressor that beats the mean on a smooth target', () => {
    const rng = createRng(4);
    const n = 3000;
    const X = Float32Array.from({ length: n }, () => rng() * 6);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(X[i] as number) + 0.1 * (rng() - 0.5));
    const fit = fitGbdt({ task: 'regressor', train: { X, cols: 1, rowIdx: range(0, n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false } });
    const pred = predictRaw(fit.ensemble, X);
    let mse = 0;
    for (let i = 0; i < n; i++) mse += ((pred[i] as number) - (y[i] as number)) ** 2 / n;
    expect(mse).toBeLessThan(0.01);
  });
});

describe('fitForest', () => {
  it('reaches test AUC > 0.995 on the separable toy set, with bootstrap and √features per split', () => {
    const { X, y, cols } = toy(3000, 6);
    const fit = fitForest({ task: 'classifier', train: { X, cols, rowIdx: range(0, 2000), y: y.subarray(0, 2000) }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 30 } });
    const p = outputFromRaw(fit.ensemble, predictRaw(fit.ensemble, X, range(2000, 3000)));
    expect(rocAuc(y.subarray(2000), p)).toBeGreaterThan(0.995);
    for (const t of fit.ensemble.trees) expect(Array.from(t.feature).includes(3)).toBe(false);
    for (let i = 0; i < p.length; i++) expect(p[i]! >= 0 && p[i]! <= 1).toBe(true);
  });

  it('is reproducible for a seed, differs for another, and cancels within one tree', () => {
    const { X, y, cols } = toy(800, 7);
    const fit = (seed: number) => fitForest({ task: 'classifier', train: { X, cols, rowIdx: range(0, 800), y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 5, seed } });
    expect(Array.from(predictRaw(fit(1).ensemble, X))).toEqual(Array.from(predictRaw(fit(1).ensemble, X)));
    expect(Array.from(predictRaw(fit(1).ensemble, X))).not.toEqual(Array.from(predictRaw(fit(2).ensemble, X)));
    const flag = { aborted: false };
    let seen = 0;
    expect(() => fitForest({ task: 'classifier', train: { X, cols, rowIdx: range(0, 800), y }, params: DEFAULT_FOREST_PARAMS, signal: flag, onTree: (p) => {
      seen = p.tree;
      flag.aborted = true;
    } })).toThrow(/training cancelled after 1 trees/);
    expect(seen).toBe(1);
  });
});
