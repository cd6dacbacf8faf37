import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { predictRaw, sigmoid } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from './forest.ts';
import { beeswarmPoints, explainBlock, explainRows, largestAdditivityGap, shapUnits, sumExplanations, treeBlocks, type ShapBlock } from './shapExplain.ts';
import { treeShap } from './treeShap.ts';

// columns: hour (0..23), visits (with missing values), and a one-hot group "page" of three levels
const groups = ['hour', 'visits', 'page', 'page', 'page'];
function data(n: number, seed: number): { X: Float32Array; y: Float64Array } {
  const rng = createRng(seed);
  const X = new Float32Array(n * 5);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hour = Math.floor(rng() * 24);
    const visits = rng() < 0.1 ? Number.NaN : Math.floor(rng() * 10);
    const page = Math.floor(rng() * 3);
    X.set([hour, visits, page === 0 ? 1 : 0, page === 1 ? 1 : 0, page === 2 ? 1 : 0], i * 5);
    y[i] = rng() < 0.1 + 0.02 * (Number.isNaN(visits) ? 0 : visits) + (page === 2 ? 0.3 : 0) ? 1 : 0;
  }
  return { X, y };
}
const all = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

describe('explainRows', () => {
  const n = 2000;
  const { X, y } = data(n, 7);
  const fit = fitGbdt({ task: 'classifier', train: { X, cols: 5, rowIdx: all(n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 20 } });
  const e = fit.ensemble;
  const rows = 300;
  const Xs = X.slice(0, rows * 5);

  it('sums a one-hot group per row, and each row adds up to its own score', async () => {
    const ex = await explainRows({ ensemble: e, X: Xs, rows, featureGroups: groups });
    expect(ex.groups).toEqual(['hour', 'visits', 'page']);
    const flat = treeShap(e, Xs);
    const raw = predictRaw(e, Xs);
    for (let r = 0; r < rows; r++) {
      expect(ex.values[r * 3 + 2]).toBeCloseTo((flat.values[r * 5 + 2] as number) + (flat.values[r * 5 + 3] as number) + (flat.values[r * 5 + 4] as number), 12);
      const sum = ex.expectedValue + (ex.values[r * 3] as number) + (ex.values[r * 3 + 1] as number) + (ex.values[r * 3 + 2] as number);
      expect(Math.abs(sum - (raw[r] as number))).toBeLessThan(1e-6);
      expect(ex.raw[r]).toBe(raw[r]);
      expect(ex.output[r]).toBeCloseTo(sigmoid(raw[r] as number), 12);
    }
    // mean |SHAP| by hand, largest first
    const mean = [0, 1, 2].map((j) => Array.from({ length: rows }, (_, r) => Math.abs(ex.values[r * 3 + j] as number)).reduce((a, b) => a + b, 0) / rows);
    const order = [0, 1, 2].sort((a, b) => (mean[b] as number) - (mean[a] as number));
    expect(ex.importance.map((f) => f.group)).toEqual(order.map((j) => ex.groups[j]));
    ex.importance.forEach((f) => expect(f.meanAbs).toBeCloseTo(mean[ex.groups.indexOf(f.group)] as number, 12));
  });

  it('colours by the feature value scaled to 0..1, and leaves one-hot groups and missing values uncoloured', async () => {
    const ex = await explainRows({ ensemble: e, X: Xs, rows, featureGroups: groups });
    for (let r = 0; r < rows; r++) {
      const hour = Xs[r * 5] as number;
      const c = ex.colour[r * 3] as number;
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
      if (hour <= 1) expect(c).toBe(0);
      if (hour >= 22) expect(c).toBe(1);
      expect(Number.isNaN(ex.colour[r * 3 + 1] as number)).toBe(Number.isNaN(Xs[r * 5 + 1] as number));
      expect(Number.isNaN(ex.colour[r * 3 + 2] as number)).toBe(true);
    }
  });

  it('reports progress per tree and stops when cancelled', async () => {
    const seen: number[] = [];
    await explainRows({ ensemble: e, X: Xs, rows, featureGroups: groups }, { sliceMs: 0, onProgress: (p) => seen.push(p.done) });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(e.trees.length);
    const ctrl = new AbortController();
    const run = explainRows({ ensemble: e, X: Xs, rows, featureGroups: groups }, { sliceMs: 0, signal: ctrl.signal, onProgress: (p) => { if (p.done >= 3) ctrl.abort(); } });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('names a wrong feature list', async () => {
    await expect(explainRows({ ensemble: e, X: Xs, rows, featureGroups: ['hour'] })).rejects.toThrow('1 feature groups for a model of 5 columns; train the model again');
  });

  it('states units: log-odds for boosting, probability for a forest classifier', () => {
    const rf = fitForest({ task: 'classifier', train: { X, cols: 5, rowIdx: all(500), y: y.subarray(0, 500) }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 3 } });
    expect(shapUnits('classifier', e.model, false, '', false)).toBe('log-odds');
    expect(shapUnits('classifier', rf.ensemble.model, false, '', false)).toBe('probability');
    expect(shapUnits('regressor', 'gbdt', true, 'revenue', true)).toBe('log1p(revenue)');
    // a target on its raw scale is named as the user named it, in dollars only when marked as money
    expect(shapUnits('regressor', 'rf', false, 'delta_c', false)).toBe('delta_c');
    expect(shapUnits('regressor', 'gbdt', false, 'basket_value', true)).toBe('basket_value, $');
  });
});

describe('sumExplanations', () => {
  it('adds up blocks of trees explained apart into the explanation by every tree (values, scores, colours, mean |SHAP|)', async () => {
    const n = 1500;
    const { X, y } = data(n, 12);
    const e = fitForest({ task: 'classifier', train: { X, cols: 5, rowIdx: all(n), y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 15, maxDepth: 9 } }).ensemble;
    const rows = 401;
    const Xs = X.slice(0, rows * 5);
    const whole = await explainRows({ ensemble: e, X: Xs, rows, featureGroups: groups });
    const blocks = treeBlocks(e.trees.map((t) => t.nodes), 2);
    expect(blocks.length).toBe(2);
    expect(blocks[0]?.from).toBe(0);
    expect(blocks[0]?.to).toBe(blocks[1]?.from);
    expect(blocks[1]?.to).toBe(15);
    const seen: number[] = [];
    const parts: ShapBlock[] = [];
    for (const trees of blocks) parts.push(await explainBlock({ ensemble: e, X: Xs, rows, featureGroups: groups, trees }, { sliceMs: 0, onProgress: (p) => seen.push(p.total) }));
    // the scores are computed once, by the block of the first tree
    expect(Array.from(parts[0]?.raw ?? [])).toEqual(Array.from(whole.raw));
    expect(parts[1]?.raw).toBeNull();
    // each block reports progress over its own trees
    expect(new Set(seen)).toEqual(new Set(blocks.map((b) => b.to - b.from)));
    // one block alone is not the answer: both carry real contributions
    expect(parts.every((p) => p.values.some((v) => v !== 0))).toBe(true);
    const summed = sumExplanations(parts, Xs, groups, e);
    expect(summed.rows).toBe(rows);
    expect(summed.expectedValue).toBe(whole.expectedValue);
    let worst = 0;
    for (let i = 0; i < whole.values.length; i++) worst = Math.max(worst, Math.abs((summed.values[i] as number) - (whole.values[i] as number)));
    expect(worst).toBeLessThan(1e-12);
    // every row still adds up to its own score; one block alone does not
    let gap = 0;
    for (let r = 0; r < rows; r++) {
      const sum = summed.expectedValue + (summed.values[r * 3] as number) + (summed.values[r * 3 + 1] as number) + (summed.values[r * 3 + 2] as number);
      gap = Math.max(gap, Math.abs(sum - (summed.raw[r] as number)));
    }
    expect(gap).toBeLessThan(1e-6);
    expect(largestAdditivityGap(summed)).toBe(gap);
    expect(largestAdditivityGap({ ...whole, values: (parts[0] as ShapBlock).values })).toBeGreaterThan(1e-3);
    expect(Array.from(summed.raw)).toEqual(Array.from(whole.raw));
    expect(Array.from(summed.output)).toEqual(Array.from(whole.output));
    expect(Array.from(summed.colour)).toEqual(Array.from(whole.colour));
    expect(summed.importance.map((f) => f.group)).toEqual(whole.importance.map((f) => f.group));
    summed.importance.forEach((f, i) => expect(f.meanAbs).toBeCloseTo(whole.importance[i]?.meanAbs as number, 12));
    expect(() => sumExplanations(parts, Xs.subarray(5), groups, e)).toThrow(/2000 values for 401 rows × 5 columns/);
    expect(() => sumExplanations(parts.slice(1), Xs, groups, e)).toThrow('no block of trees computed the raw scores; explain a block that starts at the first tree');
    await expect(explainBlock({ ensemble: e, X: Xs, rows, featureGroups: groups, trees: { from: 10, to: 16 } })).rejects.toThrow('tree range 10..16 is outside the model\'s 15 trees; pass a range within 0..15');
  });

  it('splits trees into consecutive blocks of about equal node counts, never an empty one', () => {
    expect(treeBlocks([10, 10, 10, 10], 2)).toEqual([{ from: 0, to: 2 }, { from: 2, to: 4 }]);
    // one large tree balances three small ones
    expect(treeBlocks([30, 10, 10, 10], 2)).toEqual([{ from: 0, to: 1 }, { from: 1, to: 4 }]);
    expect(treeBlocks([1, 1, 1, 100], 2)).toEqual([{ from: 0, to: 3 }, { from: 3, to: 4 }]);
    expect(treeBlocks([5], 2)).toEqual([{ from: 0, to: 1 }]);
    expect(treeBlocks([5, 7, 9], 3)).toEqual([{ from: 0, to: 1 }, { from: 1, to: 2 }, { from: 2, to: 3 }]);
  });
});

describe('beeswarmPoints', () => {
  it('places every row of each shown feature on its line, the same way for the same seed (the same notebook draws the same picture)', async () => {
    const n = 800;
    const { X, y } = data(n, 4);
    const e = fitGbdt({ task: 'classifier', train: { X, cols: 5, rowIdx: all(n), y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 10 } }).ensemble;
    const rows = 200;
    const ex = await explainRows({ ensemble: e, X: X.slice(0, rows * 5), rows, featureGroups: groups });
    const a = beeswarmPoints(ex, 42, 2);
    expect(a.features).toEqual(ex.importance.slice(0, 2).map((f) => f.group));
    expect(a.coloured.x.length + a.grey.x.length).toBe(2 * rows);
    for (const set of [a.coloured, a.grey]) {
      set.y.forEach((yv, i) => {
        const line = 1 - a.features.indexOf(set.feature[i] as string);
        expect(Math.abs(yv - line)).toBeLessThanOrEqual(0.3);
      });
    }
    // x is the row's SHAP value of that feature
    const j = ex.groups.indexOf(a.features[0] as string);
    const xs = [...a.coloured.x.filter((_, i) => a.coloured.feature[i] === a.features[0]), ...a.grey.x.filter((_, i) => a.grey.feature[i] === a.features[0])].sort((p, q) => p - q);
    expect(xs).toEqual(Array.from({ length: rows }, (_, r) => ex.values[r * ex.groups.length + j] as number).sort((p, q) => p - q));
    expect(beeswarmPoints(ex, 42, 2)).toEqual(a);
    expect(beeswarmPoints(ex, 43, 2).coloured.y).not.toEqual(a.coloured.y);
  });
});
