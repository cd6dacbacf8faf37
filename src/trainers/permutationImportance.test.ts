import { describe, expect, it } from 'vitest';
import { featureColumns, permutationImportance } from './permutationImportance.ts';
import { rocAuc } from './metrics.ts';
import { createRng } from './random.ts';

// columns: a, b, color=red, color=green, color=blue
const GROUPS = ['a', 'b', 'color', 'color', 'color'];
const COLS = GROUPS.length;

function synthetic(rows: number, seed: number): { X: Float32Array; a: Float64Array; color: Int32Array } {
  const rng = createRng(seed);
  const X = new Float32Array(rows * COLS);
  const a = new Float64Array(rows);
  const color = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    a[r] = rng() * 4 - 2;
    color[r] = Math.floor(rng() * 3);
    X[r * COLS] = a[r] as number;
    X[r * COLS + 1] = rng() * 10;
    X[r * COLS + 2 + (color[r] as number)] = 1;
  }
  return { X, a, color };
}

/** A classifier that looks at `a` only. */
const onlyA = (X: Float32Array, rows: number) => Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-3 * (X[r * COLS] as number))));

describe('permutation importance', () => {
  it('finds the one feature a classifier uses; the others drop by exactly 0', async () => {
    const rows = 2000;
    const { X, a } = synthetic(rows, 1);
    const rng = createRng(2);
    const y = Float32Array.from(a, (v) => (rng() < 1 / (1 + Math.exp(-3 * v)) ? 1 : 0));
    const res = await permutationImportance({ predict: onlyA, X, rows, cols: COLS, featureGroups: GROUPS, y, score: 'auc', repeats: 5, seed: 7, yieldControl: async () => undefined });
    expect(res.baseline).toBeCloseTo(rocAuc(y, onlyA(X, rows)), 12);
    expect(res.features.map((f) => f.feature)).toEqual(['a', 'b', 'color']);
    const [top, ...rest] = res.features;
    // shuffling `a` leaves an AUC near 0.5, so the drop is about baseline − 0.5
    expect(top!.mean).toBeGreaterThan(0.3);
    expect(top!.mean).toBeCloseTo(res.baseline - 0.5, 1);
    expect(top!.std).toBeGreaterThan(0);
    expect(top!.drops).toHaveLength(5);
    for (const f of rest) {
      expect(f.mean).toBe(0);
      expect(f.std).toBe(0);
    }
    // the input the caller passed is not modified
    expect(Array.from(X.subarray(0, COLS))).toEqual(Array.from(synthetic(rows, 1).X.subarray(0, COLS)));
  });

  it('permutes a one-hot group as one feature: every row stays one-hot and the group gets one importance', async () => {
    const rows = 1500;
    const { X, color } = synthetic(rows, 3);
    // revenue depends on the colour only: red 10, green 50, blue 100 (plus noise)
    const rng = createRng(4);
    const y = Float64Array.from(color, (c) => [10, 50, 100][c]! + rng());
    let checkedRows = 0;
    const byColour = (Xp: Float32Array, n: number) => {
      const out = new Float32Array(n);
      for (let r = 0; r < n; r++) {
        const red = Xp[r * COLS + 2]!;
        const green = Xp[r * COLS + 3]!;
        const blue = Xp[r * COLS + 4]!;
        expect(red + green + blue).toBe(1);
        checkedRows++;
        out[r] = 10 * red + 50 * green + 100 * blue;
      }
      return out;
    };
    const res = await permutationImportance({ predict: byColour, X, rows, cols: COLS, featureGroups: GROUPS, y, score: 'rmse', repeats: 3, seed: 11 });
    expect(checkedRows).toBe(rows * (1 + 3 * 3));
    expect(res.features).toHaveLength(3);
    const top = res.features[0]!;
    expect(top.feature).toBe('color');
    expect(top.columns).toEqual([2, 3, 4]);
    // shuffled colours: RMSE rises from the noise level (~0.58) to tens of dollars
    expect(res.baseline).toBeLessThan(1);
    expect(top.mean).toBeGreaterThan(30);
    expect(res.features.find((f) => f.feature === 'a')!.mean).toBe(0);
  });

  it('is deterministic for a seed and reports progress; a cancel stops it', async () => {
    const rows = 400;
    const { X, a } = synthetic(rows, 5);
    const y = Float32Array.from(a, (v) => (v > 0 ? 1 : 0));
    const progress: number[] = [];
    const run = (seed: number) => permutationImportance({ predict: onlyA, X, rows, cols: COLS, featureGroups: GROUPS, y, score: 'auc', seed, onProgress: (d) => progress.push(d) });
    const first = await run(3);
    expect(progress).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const again = await run(3);
    expect(again.features[0]!.drops).toEqual(first.features[0]!.drops);
    const other = await run(4);
    expect(other.features[0]!.drops).not.toEqual(first.features[0]!.drops);
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(permutationImportance({ predict: onlyA, X, rows, cols: COLS, featureGroups: GROUPS, y, score: 'auc', signal: ctrl.signal })).rejects.toThrow(/cancelled/);
  });

  it('scores a seeded sample of rows when asked (max_samples)', async () => {
    const rows = 2000;
    const { X, a } = synthetic(rows, 8);
    const y = Float32Array.from(a, (v) => (v > 0 ? 1 : 0));
    const seen: number[] = [];
    const predict = (Xp: Float32Array, n: number) => { seen.push(n); return onlyA(Xp, n); };
    const res = await permutationImportance({ predict, X, rows, cols: COLS, featureGroups: GROUPS, y, score: 'auc', repeats: 2, maxRows: 500 });
    expect(res.rows).toBe(500);
    expect(res.totalRows).toBe(2000);
    expect(new Set(seen)).toEqual(new Set([500]));
    expect(res.features[0]!.feature).toBe('a');
    const small = await permutationImportance({ predict: onlyA, X, rows, cols: COLS, featureGroups: GROUPS, y, score: 'auc', repeats: 1, maxRows: 5000 });
    expect(small.rows).toBe(2000);
  });

  it('groups columns by feature in order and checks shapes', async () => {
    expect(featureColumns(['x', 'g', 'g', 'z'])).toEqual([{ feature: 'x', columns: [0] }, { feature: 'g', columns: [1, 2] }, { feature: 'z', columns: [3] }]);
    await expect(permutationImportance({ predict: onlyA, X: new Float32Array(10), rows: 2, cols: COLS, featureGroups: ['a'], y: [0, 1], score: 'auc' })).rejects.toThrow(/feature groups/);
  });
});
