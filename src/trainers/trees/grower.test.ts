import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { binRows, fitBinEdges, MISSING_BIN } from './binning.ts';
import { TreeGrower, type GrowParams } from './grower.ts';

const params = (over: Partial<GrowParams> = {}): GrowParams => ({
  maxLeafNodes: 2, maxDepth: Number.POSITIVE_INFINITY, minSamplesLeaf: 3, minSamplesSplit: 2, l2: 0.7, minHessian: 0, featuresPerSplit: 99, ...over,
});

/** Best (feature, threshold, missing side) by trying every partition the bins allow, written independently of the grower. */
function exhaustiveBest(bins: Uint8Array, rows: number, cols: number, g: Float64Array, h: Float64Array, lam: number, minLeaf: number): { feature: number; bin: number; missingLeft: boolean; gain: number } {
  let G = 0;
  let H = 0;
  for (let i = 0; i < rows; i++) {
    G += g[i] as number;
    H += h[i] as number;
  }
  const score = (gs: number, hs: number): number => (gs * gs) / (hs + lam);
  let best = { feature: -1, bin: -1, missingLeft: false, gain: 0 };
  for (let f = 0; f < cols; f++) {
    for (let t = 0; t < 255; t++) {
      for (const missingLeft of [false, true]) {
        let gl = 0;
        let hl = 0;
        let nl = 0;
        for (let i = 0; i < rows; i++) {
          const b = bins[f * rows + i] as number;
          if (b === MISSING_BIN ? missingLeft : b <= t) {
            gl += g[i] as number;
            hl += h[i] as number;
            nl++;
          }
        }
        if (nl < minLeaf || rows - nl < minLeaf) continue;
        const gain = score(gl, hl) + score(G - gl, H - hl) - score(G, H);
        if (gain > best.gain + 1e-12) best = { feature: f, bin: t, missingLeft, gain };
      }
    }
  }
  return best;
}

describe('TreeGrower', () => {
  it('finds the split an exhaustive search over every feature, threshold and missing side finds', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rng = createRng(seed);
      const rows = 80;
      const cols = 4;
      const X = Float32Array.from({ length: rows * cols }, (_, k) => {
        const f = k % cols;
        if (f === 3 && rng() < 0.2) return Number.NaN;
        return f === 0 ? Math.floor(rng() * 5) : Math.round(rng() * 40) / 4;
      });
      const idx = Uint32Array.from({ length: rows }, (_, i) => i);
      const edges = fitBinEdges(X, cols, idx);
      const binned = binRows(X, cols, edges);
      const g = Float64Array.from({ length: rows }, () => rng() * 2 - 1 + (rng() < 0.3 ? 1 : 0));
      const h = Float64Array.from({ length: rows }, () => 0.1 + rng());
      const grower = new TreeGrower({ binned, edges, g, h, c: new Float64Array(rows).fill(1) });
      const { tree } = grower.grow(idx.slice(), params(), (G, H) => -G / (H + 0.7));
      const want = exhaustiveBest(binned.bins, rows, cols, g, h, 0.7, 3);
      expect(tree.gain[0]).toBeCloseTo(want.gain, 9);
      // the partition must be the same one (a tie between equivalent splits may name it differently)
      const side = (f: number, bin: number, ml: boolean, i: number): boolean => {
        const b = binned.bins[f * rows + i] as number;
        return b === MISSING_BIN ? ml : b <= bin;
      };
      const got = Array.from({ length: rows }, (_, i) => side(tree.feature[0] as number, tree.binThreshold[0] as number, tree.missingLeft[0] === 1, i));
      const exp = Array.from({ length: rows }, (_, i) => side(want.feature, want.bin, want.missingLeft, i));
      const same = got.every((v, i) => v === exp[i]) || got.every((v, i) => v !== exp[i]);
      expect(same || Math.abs((tree.gain[0] as number) - want.gain) < 1e-12).toBe(true);
    }
  });

  it('never splits on a constant feature and respects max leaves, depth and min samples per leaf', () => {
    const rng = createRng(9);
    const rows = 500;
    const cols = 3;
    const X = Float32Array.from({ length: rows * cols }, (_, k) => (k % cols === 1 ? 7 : rng()));
    const idx = Uint32Array.from({ length: rows }, (_, i) => i);
    const edges = fitBinEdges(X, cols, idx);
    const binned = binRows(X, cols, edges);
    const g = Float64Array.from({ length: rows }, (_, i) => ((X[i * cols] as number) > 0.5 ? 1 : -1) + rng() - 0.5);
    const h = new Float64Array(rows).fill(1);
    const c = new Float64Array(rows).fill(1);
    const grown = new TreeGrower({ binned, edges, g, h, c }).grow(idx.slice(), params({ maxLeafNodes: 12, maxDepth: 3, minSamplesLeaf: 25 }), (G, H) => -G / H);
    const t = grown.tree;
    expect(Array.from(t.feature).includes(1)).toBe(false);
    expect(grown.leaves.length).toBeLessThanOrEqual(8);
    for (const leaf of grown.leaves) expect(leaf.end - leaf.start).toBeGreaterThanOrEqual(25);
    // every row sits in exactly one leaf range, and the covers add up
    expect(grown.leaves.reduce((s, l) => s + l.end - l.start, 0)).toBe(rows);
    for (let i = 0; i < t.nodes; i++) {
      if ((t.feature[i] as number) >= 0) expect((t.cover[t.left[i] as number] as number) + (t.cover[t.right[i] as number] as number)).toBe(t.cover[i]);
    }
  });
});
