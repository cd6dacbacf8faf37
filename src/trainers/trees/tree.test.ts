import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { binRows, MISSING_BIN } from './binning.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from './forest.ts';
import { addTreeOutputs, leafOfBinnedRow, type Tree } from './tree.ts';

/** A tree from per-node lists; children −1 at a leaf. */
function tree(nodes: ReadonlyArray<{ f: number; bin?: number; missLeft?: boolean; l?: number; r?: number; v: number }>): Tree {
  const n = nodes.length;
  return {
    nodes: n,
    feature: Int32Array.from(nodes, (x) => x.f),
    threshold: new Float64Array(n),
    binThreshold: Uint8Array.from(nodes, (x) => x.bin ?? 0),
    missingLeft: Uint8Array.from(nodes, (x) => (x.missLeft ? 1 : 0)),
    left: Int32Array.from(nodes, (x) => x.l ?? -1),
    right: Int32Array.from(nodes, (x) => x.r ?? -1),
    value: Float64Array.from(nodes, (x) => x.v),
    cover: new Float64Array(n).fill(1),
    gain: new Float64Array(n),
  };
}

/** Each row's leaf value by the one-row walk on column-major bins (the walk training uses). */
function byLeafWalk(t: Tree, rowMajor: Uint8Array, cols: number, rows: number): number[] {
  const colMajor = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let f = 0; f < cols; f++) colMajor[f * rows + r] = rowMajor[r * cols + f] as number;
  return Array.from({ length: rows }, (_, r) => t.value[leafOfBinnedRow(t, colMajor, rows, r)] as number);
}

describe('addTreeOutputs', () => {
  it('sends the missing bin and the edge bins where the one-row walk does, for both missing sides', () => {
    // root on feature 0 (bins 0, 3, 254: every value bin left, 255); its left child on feature 1 at bin 0 (missing the other way); the right child a leaf
    for (const missLeft of [false, true]) {
      for (const rootBin of [0, 3, 254, 255]) {
        const t = tree([
          { f: 0, bin: rootBin, missLeft, l: 1, r: 2, v: 0 },
          { f: 1, bin: 0, missLeft: !missLeft, l: 3, r: 4, v: 0 },
          { f: -1, v: 10 },
          { f: -1, v: 20 },
          { f: -1, v: 30 },
        ]);
        const values = [0, 1, 3, 4, 253, 254, MISSING_BIN];
        const rows = values.length * values.length;
        const bins = new Uint8Array(rows * 2);
        values.forEach((a, i) => values.forEach((b, j) => bins.set([a, b], (i * values.length + j) * 2)));
        const acc = new Float64Array(rows);
        addTreeOutputs(t, bins, 2, rows, acc);
        expect(Array.from(acc)).toEqual(byLeafWalk(t, bins, 2, rows));
        // and the answers are the split's meaning, not only the same as the other walk
        const missingRow = values.indexOf(MISSING_BIN) * values.length;
        expect(acc[missingRow]).toBe(missLeft ? 20 : 10);
      }
    }
  });

  it('adds a lone leaf to every row', () => {
    const acc = Float64Array.from([1, 2, 3]);
    addTreeOutputs(tree([{ f: -1, v: 0.5 }]), new Uint8Array(3), 1, 3, acc);
    expect(Array.from(acc)).toEqual([1.5, 2.5, 3.5]);
  });

  it('equals the one-row walk on a deep forest with missing values, for row counts that are not a multiple of four', () => {
    const cols = 6;
    const n = 3000;
    const rng = createRng(17);
    const X = Float32Array.from({ length: n * cols }, (_, k) => (rng() < 0.1 ? Number.NaN : k % cols < 2 ? Math.floor(rng() * 5) : rng() * 50));
    const y = Float64Array.from({ length: n }, (_, i) => (rng() < 0.2 + 0.01 * ((X[i * cols + 3] as number) || 25) ? 1 : 0));
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const e = fitForest({ task: 'classifier', train: { X, cols, rowIdx: all, y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 5, maxDepth: 12, minSamplesSplit: 2 } }).ensemble;
    for (const rows of [1, 7, 1001]) {
      const colMajor = binRows(X, cols, e.edges, all.subarray(0, rows));
      const rowMajor = new Uint8Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let f = 0; f < cols; f++) rowMajor[r * cols + f] = colMajor.bins[f * rows + r] as number;
      for (const t of e.trees) {
        const acc = new Float64Array(rows);
        addTreeOutputs(t, rowMajor, cols, rows, acc);
        expect(Array.from(acc)).toEqual(byLeafWalk(t, rowMajor, cols, rows));
      }
    }
  });
});
