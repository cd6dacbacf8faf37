import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { binOf, binRows, fitBinEdges, MISSING_BIN, valueBins } from './binning.ts';

const all = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

describe('fitBinEdges / binRows', () => {
  it('gives a small whole-number column one bin per value, with edges at the midpoints', () => {
    const hours = Float32Array.from({ length: 100 }, (_, i) => i % 24);
    const e = fitBinEdges(hours, 1, all(100));
    expect(valueBins(e, 0)).toBe(24);
    expect(Array.from(e.edges[0] ?? [])).toEqual(Array.from({ length: 23 }, (_, k) => k + 0.5));
    const b = binRows(hours, 1, e);
    for (let i = 0; i < 100; i++) expect(b.bins[i]).toBe(i % 24);
  });

  it('puts missing values in their own bin and records that the feature had them', () => {
    const X = Float32Array.from([0.5, Number.NaN, 2.5, 0.5, Number.NaN, 7]);
    const e = fitBinEdges(X, 1, all(6));
    expect(e.hasMissing[0]).toBe(true);
    expect(Array.from(e.edges[0] ?? [])).toEqual([1.5, 4.75]);
    expect(Array.from(binRows(X, 1, e).bins)).toEqual([0, MISSING_BIN, 1, 0, MISSING_BIN, 2]);
  });

  it('places at most 255 quantile bins on a continuous column, each holding about the same number of rows', () => {
    const rng = createRng(3);
    const n = 20_000;
    const X = Float32Array.from({ length: n }, () => rng() * 1000 - 500);
    const e = fitBinEdges(X, 1, all(n));
    expect(valueBins(e, 0)).toBe(255);
    const counts = new Array<number>(255).fill(0);
    const b = binRows(X, 1, e);
    for (let i = 0; i < n; i++) counts[b.bins[i] as number]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan((n / 255) * 0.9);
    expect(Math.max(...counts)).toBeLessThan((n / 255) * 1.1);
  });

  it('fits edges on the training rows only and bins other rows with them', () => {
    // rows 0..3 train (values 1, 2), row 4 holds an unseen 9, which lands in the last bin
    const X = Float32Array.from([1, 2, 1, 2, 9]);
    const e = fitBinEdges(X, 1, Uint32Array.from([0, 1, 2, 3]));
    expect(Array.from(e.edges[0] ?? [])).toEqual([1.5]);
    expect(Array.from(binRows(X, 1, e).bins)).toEqual([0, 1, 0, 1, 1]);
  });

  it('maps a value to the same bin by table and by search, including non-integers and negatives', () => {
    const X = Float32Array.from([0, 1, 2, 3, 3.5, -1, 1000, 1023, 1024, 5000]);
    const e = fitBinEdges(X, 1, all(X.length));
    const b = binRows(X, 1, e);
    for (let i = 0; i < X.length; i++) expect(b.bins[i]).toBe(binOf(e.edges[0] as Float64Array, X[i] as number));
  });

  it('gives a constant column a single bin', () => {
    const e = fitBinEdges(new Float32Array(10).fill(4), 1, all(10));
    expect(valueBins(e, 0)).toBe(1);
  });
});
