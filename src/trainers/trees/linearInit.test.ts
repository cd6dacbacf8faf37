import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { fitRidge } from '../regressor.ts';
import { fitBinEdges } from './binning.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { predictRaw, type TreeEnsemble } from './ensemble.ts';
import { linearInit } from './linearInit.ts';
import { treeShap } from './treeShap.ts';

const range = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

/** Columns: an hour (0..23), a flag, a constant, and a continuous value in [0, 10); y linear in them plus noise. */
function table(n: number, seed: number, noise: number, step = 0): { X: Float32Array; y: Float64Array; cols: number } {
  const rng = createRng(seed);
  const cols = 4;
  const X = new Float32Array(n * cols);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hour = Math.floor(rng() * 24);
    const flag = rng() < 0.3 ? 1 : 0;
    const cont = rng() * 10;
    X.set([hour, flag, 7, cont], i * cols);
    // `step` adds what a line cannot fit: a jump for the night hours
    y[i] = 2 + 0.05 * hour - 0.8 * flag + 0.1 * cont + (hour < 6 ? step : 0) + noise * (rng() - 0.5);
  }
  return { X, y, cols };
}

/** Ridge on the raw columns by the workbench's own normal equations, standardised as linearInit does, as raw-unit slopes. */
function ridgeReference(X: Float32Array, rows: number, cols: number, y: Float64Array, alpha: number): (r: number) => number {
  const mean = new Float64Array(cols);
  const sd = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] = mean[c]! + X[r * cols + c]! / rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) sd[c] = sd[c]! + (X[r * cols + c]! - mean[c]!) ** 2 / rows;
  const scale = Array.from(sd, (v) => (v > 0 ? Math.sqrt(v) : 1));
  const Z = Float32Array.from(X, (v, k) => (v - mean[k % cols]!) / scale[k % cols]!);
  const fit = fitRidge(Z, rows, cols, y, alpha);
  return (r) => {
    let s = fit.intercept;
    for (let c = 0; c < cols; c++) s += fit.coef[c]! * (X[r * cols + c]! - mean[c]!) / scale[c]!;
    return s;
  };
}

describe('linearInit', () => {
  it('writes the ridge fit as one tree per varying feature: on whole-number and flag columns its output is the linear prediction exactly', () => {
    const n = 2000;
    const { X, y } = table(n, 3, 0.5);
    // the continuous column left out: every remaining value has its own bin
    const cols = 3;
    const Xw = new Float32Array(n * cols);
    for (let i = 0; i < n; i++) Xw.set(X.subarray(i * 4, i * 4 + 3), i * cols);
    const edges = fitBinEdges(Xw, cols, range(n));
    const init = linearInit(edges, { X: Xw, cols, rowIdx: range(n), y, alpha: 0 });
    // the constant column gets no tree
    expect(init.trees).toHaveLength(2);
    expect(init.trees.map((t) => t.feature[0])).toEqual([0, 1]);
    const e: TreeEnsemble = { model: 'gbdt', task: 'regressor', cols, edges, baseScore: init.baseScore, treeScale: 1, trees: init.trees };
    const got = predictRaw(e, Xw);
    const want = ridgeReference(Xw, n, cols, y, 0);
    for (let r = 0; r < n; r++) expect(Math.abs((got[r] as number) - want(r))).toBeLessThan(1e-9);
    // the hour's slope comes back: 0.05 per hour (noise ±0.25 over 2,000 rows)
    const hourTree = init.trees[0]!;
    const leaves = Array.from(hourTree.feature).flatMap((f, i) => (f < 0 ? [hourTree.value[i] as number] : []));
    expect(leaves).toHaveLength(24);
    expect((leaves[23]! - leaves[0]!) / 23).toBeCloseTo(0.05, 2);
  });

  it('gives each feature its linear SHAP value coef·(x − mean) and no other feature anything (TreeSHAP on the init trees)', () => {
    const n = 1500;
    const { X, y, cols } = table(n, 5, 0.2);
    const edges = fitBinEdges(X, cols, range(n));
    const init = linearInit(edges, { X, cols, rowIdx: range(n), y, alpha: 1 });
    const e: TreeEnsemble = { model: 'gbdt', task: 'regressor', cols, edges, baseScore: init.baseScore, treeScale: 1, trees: init.trees };
    const shap = treeShap(e, X, range(50));
    const raw = predictRaw(e, X, range(50));
    // the expected value is the mean prediction over the fit rows, i.e. the intercept
    expect(shap.expectedValue).toBeCloseTo(init.baseScore, 9);
    for (let r = 0; r < 50; r++) {
      let sum = shap.expectedValue;
      for (let f = 0; f < cols; f++) sum += shap.values[r * cols + f] as number;
      expect(Math.abs(sum - (raw[r] as number))).toBeLessThan(1e-9);
      // the constant column explains nothing; a flag's value is its leaf's value (coef·(x − mean))
      expect(shap.values[r * cols + 2]).toBe(0);
      const flagTree = init.trees.find((t) => t.feature[0] === 1)!;
      const flagLeaf = X[r * cols + 1] === 1 ? flagTree.value[flagTree.right[0]!] : flagTree.value[flagTree.left[0]!];
      expect(shap.values[r * cols + 1]).toBeCloseTo(flagLeaf as number, 12);
    }
  });

  it('on a column of more than 255 values, gives each bin the linear prediction at the mean of its fit rows', () => {
    const n = 3000;
    const { X, y, cols } = table(n, 8, 0);
    const edges = fitBinEdges(X, cols, range(n));
    expect(edges.edges[3]!.length).toBe(254);
    const init = linearInit(edges, { X, cols, rowIdx: range(n), y, alpha: 0 });
    const e: TreeEnsemble = { model: 'gbdt', task: 'regressor', cols, edges, baseScore: init.baseScore, treeScale: 1, trees: init.trees };
    // noise-free y: the line is exact, and the bin steps stay within half a bin's width (≈ 0.04 · 0.1) of it
    const got = predictRaw(e, X);
    let worst = 0;
    for (let r = 0; r < n; r++) worst = Math.max(worst, Math.abs((got[r] as number) - (y[r] as number)));
    expect(worst).toBeLessThan(0.01);
    expect(worst).toBeGreaterThan(0);
  });

  it('refuses missing values, naming the feature', () => {
    const X = Float32Array.from([1, 0, Number.NaN, 1, 2, 0, 3, 1]);
    const edges = fitBinEdges(X, 2, range(4));
    expect(() => linearInit(edges, { X, cols: 2, rowIdx: range(4), y: [1, 2, 3, 4], alpha: 0, featureNames: ['visits', 'mobile'] }))
      .toThrow('"visits" has missing values; the linear init model needs complete rows: impute it in the Features cell or set init model to "mean"');
  });
});

describe('boosting from an init model, keeping the best iteration', () => {
  const fit = (step: number, seed: number) => {
    const { X, y, cols } = table(6000, seed, 1, step);
    const train = { X, cols, rowIdx: range(4000), y: y.subarray(0, 4000) };
    const valid = { X, cols, rowIdx: Uint32Array.from({ length: 1000 }, (_, i) => 4000 + i), y: y.subarray(4000, 5000) };
    const init = (edges: Parameters<typeof linearInit>[0]) => linearInit(edges, { X, cols, rowIdx: train.rowIdx, y: train.y, alpha: 0 });
    const g = fitGbdt({ task: 'regressor', train, valid, init, keepBestIteration: true, params: { ...DEFAULT_GBDT_PARAMS, seed } });
    const test = Uint32Array.from({ length: 1000 }, (_, i) => 5000 + i);
    const mse = (e: TreeEnsemble): number => {
      const p = predictRaw(e, X, test);
      let s = 0;
      for (let i = 0; i < 1000; i++) s += ((p[i] as number) - (y[5000 + i] as number)) ** 2 / 1000;
      return s;
    };
    const lineOnly: TreeEnsemble = { ...g.ensemble, trees: g.ensemble.trees.slice(0, g.initTrees) };
    return { g, mse: mse(g.ensemble), lineMse: mse(lineOnly) };
  };

  it('keeps the trees up to the lowest validation loss, starting from the linear model\'s loss', () => {
    const { g } = fit(1.5, 11);
    expect(g.initTrees).toBe(3);
    // history holds every iteration run; the ensemble the init trees plus those up to the best validation loss
    const losses = g.history.map((h) => h.valLoss);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(g.keptIterations).toBe(best);
    expect(g.ensemble.trees).toHaveLength(g.initTrees + best);
    expect(g.stoppedEarly).toBe(true);
    expect(g.history.length).toBeGreaterThan(best);
  });

  it('adds trees where the line misses a jump, and beats it on test rows', () => {
    const { g, mse, lineMse } = fit(1.5, 12);
    expect(g.keptIterations).toBeGreaterThan(5);
    // noise variance 1/12 ≈ 0.083 is the floor; the line alone stays far above it (the jump is 1.5 on a quarter of the rows)
    expect(mse).toBeLessThan(0.095);
    expect(lineMse - mse).toBeGreaterThan(0.1);
  });

  it('on a target the line already explains, keeps few trees and stays within noise of the line', () => {
    const { g, mse, lineMse } = fit(0, 13);
    expect(g.keptIterations).toBeLessThan(5);
    // noise variance 1/12 ≈ 0.083: neither model can go below it
    expect(mse).toBeLessThan(lineMse + 0.002);
    expect(lineMse).toBeLessThan(0.09);
  });
});
