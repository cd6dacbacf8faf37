import { describe, expect, it } from 'vitest';
import { createRng } from './random.ts';
import { subsetRows } from './split.ts';
import { applyScaler, applyScalerOnRows, fitStandardScaler, fitStandardScalerOnRows } from './scaler.ts';

describe('standard scaler', () => {
  const rows = 500;
  const cols = 4;
  const rng = createRng(2);
  const X = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    X[r * cols] = rng() * 100 + 1000;
    X[r * cols + 1] = 7.25; // constant
    X[r * cols + 2] = rng() < 0.3 ? 1 : 0;
    X[r * cols + 3] = (rng() - 0.5) * 1e-3;
  }

  it('matches a direct mean and population std; a constant column gets scale 1', () => {
    const s = fitStandardScaler(X, rows, cols);
    expect(s.constantColumns).toEqual([1]);
    expect(s.scale[1]).toBe(1);
    expect(s.mean[1]).toBe(7.25);
    for (let c = 0; c < cols; c++) {
      if (c === 1) continue;
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += X[r * cols + c] as number;
      mean /= rows;
      let sq = 0;
      for (let r = 0; r < rows; r++) sq += ((X[r * cols + c] as number) - mean) ** 2;
      expect(s.mean[c]).toBeCloseTo(mean, 9);
      expect((s.scale[c] as number) / Math.sqrt(sq / rows)).toBeCloseTo(1, 12);
    }
  });

  it('applies (x - mean) / scale into a new array with no NaN', () => {
    const s = fitStandardScaler(X, rows, cols);
    const Z = applyScaler(X, rows, cols, s);
    expect(Z).not.toBe(X);
    expect(Z.some((v) => Number.isNaN(v))).toBe(false);
    for (let r = 0; r < rows; r++) {
      expect(Z[r * cols + 1]).toBe(0);
      for (const c of [0, 2, 3]) {
        const direct = ((X[r * cols + c] as number) - (s.mean[c] as number)) / (s.scale[c] as number);
        expect(Math.abs((Z[r * cols + c] as number) - direct)).toBeLessThan(1e-6 * Math.max(1, Math.abs(direct)));
      }
    }
    for (const c of [0, 2, 3]) {
      let mean = 0;
      let sq = 0;
      for (let r = 0; r < rows; r++) mean += (Z[r * cols + c] as number) / rows;
      for (let r = 0; r < rows; r++) sq += ((Z[r * cols + c] as number) - mean) ** 2 / rows;
      expect(mean).toBeCloseTo(0, 5);
      expect(sq).toBeCloseTo(1, 5);
    }
  });

  it('treats a large nearly constant column as constant and skips NaN', () => {
    const big = Float32Array.of(1e8, 1e8, 1e8, Number.NaN);
    const s = fitStandardScaler(big, 4, 1);
    expect(s.constantColumns).toEqual([0]);
    expect(s.mean[0]).toBe(1e8);
    expect(s.scale[0]).toBe(1);
    const allNaN = fitStandardScaler(Float32Array.of(Number.NaN, Number.NaN), 2, 1);
    expect([allNaN.mean[0], allNaN.scale[0], allNaN.constantColumns]).toEqual([0, 1, [0]]);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => fitStandardScaler(X, rows, 3)).toThrow(/rows 500 × cols 3/);
    const s = fitStandardScaler(X, rows, cols);
    expect(() => applyScaler(X.subarray(0, 30), 10, 3, s)).toThrow(/fitted on 4 columns/);
  });

  it('fits and applies on selected rows exactly as on the subset copied out (bit for bit, NaN kept)', () => {
    const idx = Uint32Array.from({ length: 320 }, (_, i) => (i * 37) % rows).sort();
    const withNaN = X.slice();
    withNaN[(idx[5] as number) * cols + 3] = Number.NaN;
    const copy = subsetRows(withNaN, cols, idx);
    const expected = fitStandardScaler(copy, idx.length, cols);
    const s = fitStandardScalerOnRows(withNaN, cols, idx);
    expect(Array.from(s.mean)).toEqual(Array.from(expected.mean));
    expect(Array.from(s.scale)).toEqual(Array.from(expected.scale));
    expect(s.constantColumns).toEqual(expected.constantColumns);
    const Z = applyScalerOnRows(withNaN, cols, idx, s);
    expect(Array.from(Z)).toEqual(Array.from(applyScaler(copy, idx.length, cols, expected)));
    expect(() => fitStandardScalerOnRows(X, cols, Uint32Array.of(rows))).toThrow(/row index 500 is out of range/);
    expect(() => applyScalerOnRows(X, 3, idx, s)).toThrow(/fitted on 4 columns/);
  });
});
