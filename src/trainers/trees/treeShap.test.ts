import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { predictRaw, type TreeEnsemble } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from './forest.ts';
import { leafOfRow, treeDepth, type Tree } from './tree.ts';
import { binRows } from './binning.ts';
import { expectedValue, startTreeShap, treeShap, treeShapPathBinned } from './treeShap.ts';

function data(n: number, cols: number, seed: number): { X: Float32Array; y: Float64Array } {
  const rng = createRng(seed);
  const X = Float32Array.from({ length: n * cols }, (_, k) => (k % cols === 2 && rng() < 0.1 ? Number.NaN : Math.floor(rng() * 6)));
  const y = Float64Array.from({ length: n }, (_, i) => {
    const x0 = X[i * cols] as number;
    const x1 = X[i * cols + 1] as number;
    return rng() < 0.15 + 0.1 * x0 - 0.05 * x1 + (Number.isNaN(X[i * cols + 2] as number) ? 0.2 : 0) ? 1 : 0;
  });
  return { X, y };
}

const all = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

/** E[f(x) | x_S] of one tree, taking the cover-weighted average over the children of splits on features outside S. */
function conditional(t: Tree, x: Float32Array, base: number, S: Set<number>, node = 0): number {
  const f = t.feature[node] as number;
  if (f < 0) return t.value[node] as number;
  const l = t.left[node] as number;
  const r = t.right[node] as number;
  if (S.has(f)) {
    const v = x[base + f] as number;
    const goLeft = Number.isNaN(v) ? t.missingLeft[node] === 1 : v <= (t.threshold[node] as number);
    return conditional(t, x, base, S, goLeft ? l : r);
  }
  const c = t.cover[node] as number;
  return ((t.cover[l] as number) * conditional(t, x, base, S, l) + (t.cover[r] as number) * conditional(t, x, base, S, r)) / c;
}

/** Shapley values by enumerating every coalition, weights |S|!(M−|S|−1)!/M!. */
function bruteForceShapley(t: Tree, x: Float32Array, base: number, M: number): number[] {
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      const S = new Set<number>();
      for (let j = 0; j < M; j++) if (mask & (1 << j)) S.add(j);
      const w = (fact(S.size) * fact(M - S.size - 1)) / fact(M);
      const withI = new Set(S);
      withI.add(i);
      phi[i]! += w * (conditional(t, x, base, withI) - conditional(t, x, base, S));
    }
  }
  return phi;
}

function checkAdditivity(e: TreeEnsemble, X: Float32Array, n: number): void {
  const shap = treeShap(e, X);
  const raw = predictRaw(e, X);
  expect(shap.expectedValue).toBeCloseTo(expectedValue(e), 12);
  for (let r = 0; r < n; r++) {
    let sum = shap.expectedValue;
    for (let f = 0; f < e.cols; f++) sum += shap.values[r * e.cols + f] as number;
    expect(Math.abs(sum - (raw[r] as number))).toBeLessThan(1e-6);
  }
}

describe('treeShap', () => {
  it('adds up to the raw score of every row for a boosted ensemble (with missing values)', () => {
    const cols = 5;
    const n = 1500;
    const { X, y } = data(n, cols, 1);
    const fit = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 30, minSamplesLeaf: 5 } });
    checkAdditivity(fit.ensemble, X, n);
  });

  it('adds up to the raw score of every row for a forest', () => {
    const cols = 5;
    const n = 800;
    const { X, y } = data(n, cols, 2);
    const fit = fitForest({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 10, maxDepth: 8 } });
    checkAdditivity(fit.ensemble, X, n);
  });

  it('equals brute-force Shapley values on depth-2 trees', () => {
    const cols = 4;
    const n = 600;
    const { X, y } = data(n, cols, 3);
    const fit = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 6, maxDepth: 2, minSamplesLeaf: 5 } });
    const e = fit.ensemble;
    for (const t of e.trees) {
      expect(treeDepth(t)).toBeLessThanOrEqual(2);
      const single: TreeEnsemble = { ...e, baseScore: 0, treeScale: 1, trees: [t] };
      const shap = treeShap(single, X, Uint32Array.from({ length: 40 }, (_, i) => i * 7));
      for (let k = 0; k < 40; k++) {
        const brute = bruteForceShapley(t, X, k * 7 * cols, cols);
        for (let f = 0; f < cols; f++) expect(shap.values[k * cols + f]).toBeCloseTo(brute[f] as number, 10);
        // and the leaf the raw-value walk reaches is the one whose value the explanation ends at
        const leaf = leafOfRow(t, X, cols, k * 7);
        const total = shap.expectedValue + brute.reduce((a, b) => a + b, 0);
        expect(total).toBeCloseTo(t.value[leaf] as number, 10);
      }
    }
  });

  it('equals the path algorithm (Lundberg et al., Algorithm 2) on deep random forests, missing values included', () => {
    const cols = 7;
    const n = 3000;
    const { X, y } = data(n, cols, 4);
    // a continuous column too, so paths split the same feature several times
    const rng = createRng(9);
    for (let i = 0; i < n; i++) X[i * cols + 6] = rng() * 100 + (y[i] as number) * 10;
    for (const seed of [1, 2]) {
      const fit = fitForest({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 12, maxDepth: 10, minSamplesSplit: 2, seed } });
      const e = fit.ensemble;
      expect(Math.max(...e.trees.map(treeDepth))).toBeGreaterThanOrEqual(6);
      const rows = Uint32Array.from({ length: 300 }, (_, i) => i * 10);
      const m = binRows(X, cols, e.edges, rows);
      const fast = treeShap(e, X, rows);
      const reference = treeShapPathBinned(e, m);
      expect(fast.expectedValue).toBe(reference.expectedValue);
      let worst = 0;
      for (let k = 0; k < fast.values.length; k++) worst = Math.max(worst, Math.abs((fast.values[k] as number) - (reference.values[k] as number)));
      expect(worst).toBeLessThan(1e-10);
    }
  });

  it('runs one tree per step, so a worker can report progress and stop between trees', () => {
    const cols = 5;
    const n = 400;
    const { X, y } = data(n, cols, 5);
    const fit = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 8 } });
    const job = startTreeShap(fit.ensemble, binRows(X, cols, fit.ensemble.edges));
    let steps = 0;
    while (job.step()) steps++;
    expect(job.done()).toBe(fit.ensemble.trees.length);
    expect(steps).toBe(fit.ensemble.trees.length - 1);
    expect(Array.from(job.result().values)).toEqual(Array.from(treeShap(fit.ensemble, X).values));
  });
});

/** True when some root-to-leaf path splits on the same feature twice (the case where TreeSHAP unwinds the earlier split). */
function repeatsFeature(t: Tree, node = 0, seen: readonly number[] = []): boolean {
  const f = t.feature[node] as number;
  if (f < 0) return false;
  if (seen.includes(f)) return true;
  return repeatsFeature(t, t.left[node] as number, [...seen, f]) || repeatsFeature(t, t.right[node] as number, [...seen, f]);
}

/** Most distinct features on one root-to-leaf path. */
function pathFeatures(t: Tree, node = 0, seen: readonly number[] = []): number {
  const f = t.feature[node] as number;
  if (f < 0) return seen.length;
  const next = seen.includes(f) ? seen : [...seen, f];
  return Math.max(pathFeatures(t, t.left[node] as number, next), pathFeatures(t, t.right[node] as number, next));
}

describe('treeShap on deep forests', () => {
  function compareWithReference(e: TreeEnsemble, X: Float32Array, cols: number, rows: Uint32Array): void {
    const fast = treeShap(e, X, rows);
    const reference = treeShapPathBinned(e, binRows(X, cols, e.edges, rows));
    let worst = 0;
    for (let k = 0; k < fast.values.length; k++) worst = Math.max(worst, Math.abs((fast.values[k] as number) - (reference.values[k] as number)));
    expect(worst).toBeLessThan(1e-9);
  }

  it('equals the path algorithm on forests of depth ≥ 8 with missing values in several columns and repeated rows', () => {
    const cols = 9;
    const n = 4000;
    const rng = createRng(21);
    const X = new Float32Array(n * cols);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < cols; f++) X[i * cols + f] = f < 4 ? Math.floor(rng() * 3) : rng() < 0.08 ? Number.NaN : Math.floor(rng() * 40);
      const x4 = X[i * cols + 4] as number;
      y[i] = rng() < 0.2 + 0.2 * (X[i * cols] as number) / 2 + (Number.isNaN(x4) ? 0.3 : x4 / 200) ? 1 : 0;
    }
    const fit = fitForest({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 5, maxDepth: 14, minSamplesSplit: 2, seed: 5 } });
    expect(Math.min(...fit.ensemble.trees.map(treeDepth))).toBeGreaterThanOrEqual(8);
    expect(fit.ensemble.trees.every((t) => repeatsFeature(t))).toBe(true);
    // a sample with repeats (each distinct row is computed once and copied) and rows with missing values
    const rows = Uint32Array.from({ length: 240 }, (_, i) => (i * 37) % 200);
    expect(rows.some((r) => Number.isNaN(X[r * cols + 5] as number))).toBe(true);
    compareWithReference(fit.ensemble, X, cols, rows);
  });

  it('equals the path algorithm on boosted trees walked whole over classes of rows, missing values sent both ways', () => {
    // 31-leaf trees have 30 splits: each tree is walked once per class of rows (same way at every split), not per row
    const cols = 6;
    const n = 3000;
    const rng = createRng(17);
    const X = new Float32Array(n * cols);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < cols; f++) X[i * cols + f] = rng() < 0.12 ? Number.NaN : f < 3 ? Math.floor(rng() * 8) : rng() * 50;
      const x0 = X[i * cols] as number;
      const x3 = X[i * cols + 3] as number;
      y[i] = rng() < (Number.isNaN(x0) ? 0.6 : 0.1 + x0 / 20) + (Number.isNaN(x3) ? -0.05 : x3 / 400) ? 1 : 0;
    }
    const e = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 15 } }).ensemble;
    const splits = e.trees.flatMap((t) => Array.from(t.feature, (f, i) => (f >= 0 ? i : -1)).filter((i) => i >= 0).map((i) => t.missingLeft[i] as number));
    expect(new Set(splits)).toEqual(new Set([0, 1]));
    // many rows, few of them alike: classes of rows pay; and a small sample, where they do not
    compareWithReference(e, X, cols, Uint32Array.from({ length: 600 }, (_, i) => i * 5));
    compareWithReference(e, X, cols, Uint32Array.from({ length: 40 }, (_, i) => i * 3));
  });

  it('equals the path algorithm when a path holds more than 16 distinct features (hashed masks)', () => {
    const cols = 22;
    const n = 3000;
    const rng = createRng(8);
    const X = Float32Array.from({ length: n * cols }, () => (rng() < 0.05 ? Number.NaN : rng()));
    const y = Float64Array.from({ length: n }, (_, i) => (rng() < 0.3 + 0.4 * ((X[i * cols] as number) || 0) ? 1 : 0));
    const fit = fitForest({ task: 'classifier', train: { X, cols, rowIdx: all(n), y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 4, maxDepth: 30, minSamplesSplit: 2, seed: 3 } });
    expect(Math.max(...fit.ensemble.trees.map((t) => pathFeatures(t)))).toBeGreaterThan(16);
    compareWithReference(fit.ensemble, X, cols, Uint32Array.from({ length: 150 }, (_, i) => i * 20));
  });
});
