import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { binRows, fitBinEdges } from './binning.ts';
import { distinctBinnedRows } from './rowGroups.ts';

describe('distinctBinnedRows', () => {
  it('keeps each distinct binned row once, and every row maps to its own bins (missing, negative, fractional and large values)', () => {
    const cols = 4;
    const n = 6000;
    const rng = createRng(3);
    const X = Float32Array.from({ length: n * cols }, (_, k) => {
      const f = k % cols;
      if (f === 0) return Math.floor(rng() * 3);
      if (f === 1) return rng() < 0.1 ? Number.NaN : Math.floor(rng() * 24);
      if (f === 2) return rng() < 0.5 ? -1.5 : 5000;
      return rng() * 40 - 20;
    });
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const edges = fitBinEdges(X, cols, all);
    for (const rowIdx of [undefined, Uint32Array.from({ length: 2500 }, (_, i) => (i * 13) % n)]) {
      const rows = rowIdx ? rowIdx.length : n;
      const reference = binRows(X, cols, edges, rowIdx);
      const d = distinctBinnedRows(X, cols, edges, rowIdx);
      // more than a thousand distinct rows: the store and the table grow past their first sizes
      expect(d.rows).toBeGreaterThan(1024);
      expect(d.rows).toBeLessThan(rows);
      const seen = new Set<string>();
      for (let g = 0; g < d.rows; g++) seen.add(Array.from(d.bins.subarray(g * cols, (g + 1) * cols)).join(','));
      expect(seen.size).toBe(d.rows);
      for (let r = 0; r < rows; r++) {
        const g = d.groupOf[r] as number;
        for (let f = 0; f < cols; f++) expect(d.bins[g * cols + f]).toBe(reference.bins[f * rows + r]);
      }
    }
  });

  it('refuses edges made for another number of features', () => {
    const X = new Float32Array([1, 2, 3, 4]);
    const edges = fitBinEdges(X, 2, Uint32Array.from([0, 1]));
    expect(() => distinctBinnedRows(X, 1, edges)).toThrow(/bin edges are for 2 features but the matrix has 1/);
  });
});
