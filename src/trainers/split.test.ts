import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from './random.ts';
import { revenueStrata, stratifiedKFold, stratifiedSplit, subsetRows, subsetVector } from './split.ts';

/** Labels 0/1/2 with shares 80/15/5 %, in a seeded order. */
function labels(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng();
    y[i] = u < 0.8 ? 0 : u < 0.95 ? 1 : 2;
  }
  return y;
}

function countOf(y: ArrayLike<number>, idx: Uint32Array, label: number): number {
  let c = 0;
  for (const i of idx) if (y[i] === label) c++;
  return c;
}

function expectAscendingUnique(idx: Uint32Array): void {
  for (let i = 1; i < idx.length; i++) expect(idx[i] as number).toBeGreaterThan(idx[i - 1] as number);
}

describe('random', () => {
  it('is deterministic by seed, uniform in [0, 1), and shuffles into a permutation', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 100)).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs[0]).not.toBe(c());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    const perm = Uint32Array.from({ length: 100 }, (_, i) => i);
    shuffleInPlace(perm, createRng(1));
    expect([...perm].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...perm]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('stratifiedSplit', () => {
  const y = labels(1003, 5);

  it('keeps every class within one row of its exact share, disjoint and complete', () => {
    for (const f of [0.2, 0.25, 0.5]) {
      const { train, test } = stratifiedSplit(y, f, 7);
      expectAscendingUnique(train);
      expectAscendingUnique(test);
      expect(train.length + test.length).toBe(y.length);
      expect(test.length).toBe(Math.round(y.length * f));
      const seen = new Uint8Array(y.length);
      for (const i of train) seen[i] = (seen[i] as number) + 1;
      for (const i of test) seen[i] = (seen[i] as number) + 1;
      expect(seen.every((v) => v === 1)).toBe(true);
      for (const label of [0, 1, 2]) {
        const total = y.filter((v) => v === label).length;
        expect(Math.abs(countOf(y, test, label) - total * f), `class ${label} at ${f}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is deterministic by seed', () => {
    expect(stratifiedSplit(y, 0.2, 1)).toEqual(stratifiedSplit(y, 0.2, 1));
    expect(stratifiedSplit(y, 0.2, 1).test).not.toEqual(stratifiedSplit(y, 0.2, 2).test);
  });

  it('rejects a fraction outside (0, 1) and NaN labels', () => {
    expect(() => stratifiedSplit(y, 1, 1)).toThrow(/testFraction 1/);
    expect(() => stratifiedSplit([0, Number.NaN], 0.5, 1)).toThrow(/row 1 is NaN/);
  });
});

describe('stratifiedKFold', () => {
  const y = labels(997, 9);

  it('gives disjoint validation folds that cover every row, each stratified', () => {
    const k = 5;
    const folds = stratifiedKFold(y, k, 3);
    expect(folds).toHaveLength(k);
    const seen = new Uint8Array(y.length);
    for (const { train, valid } of folds) {
      expectAscendingUnique(train);
      expectAscendingUnique(valid);
      expect(train.length + valid.length).toBe(y.length);
      const inValid = new Set(valid);
      for (const i of train) expect(inValid.has(i)).toBe(false);
      for (const i of valid) seen[i] = (seen[i] as number) + 1;
      expect(Math.abs(valid.length - y.length / k)).toBeLessThan(1);
      for (const label of [0, 1, 2]) {
        const total = y.filter((v) => v === label).length;
        expect(Math.abs(countOf(y, valid, label) - total / k), `class ${label}`).toBeLessThan(1);
      }
    }
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it('is deterministic by seed', () => {
    expect(stratifiedKFold(y, 4, 8)).toEqual(stratifiedKFold(y, 4, 8));
    expect(stratifiedKFold(y, 4, 8)[0]?.valid).not.toEqual(stratifiedKFold(y, 4, 9)[0]?.valid);
  });

  it('rejects k below 2 or above the row count', () => {
    expect(() => stratifiedKFold(y, 1, 1)).toThrow(/k 1/);
    expect(() => stratifiedKFold([0, 1], 3, 1)).toThrow(/k 3/);
  });
});

describe('revenueStrata', () => {
  it('puts zeros in stratum 0 and splits the rest into equal quantile bins, ties together', () => {
    const rng = createRng(4);
    const values = Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? Math.round(rng() * 20000) / 100 : 0));
    values[1] = 50;
    values[2] = 50;
    values[3] = 50;
    shuffleInPlace(values, rng);
    const strata = revenueStrata(values, 5);
    const counts = [0, 0, 0, 0, 0, 0];
    values.forEach((v, i) => {
      const s = strata[i] as number;
      expect(s === 0).toBe(v === 0);
      counts[s] = (counts[s] as number) + 1;
    });
    expect(counts[0]).toBe(747);
    for (let b = 1; b <= 5; b++) expect(Math.abs((counts[b] as number) - 253 / 5)).toBeLessThanOrEqual(4);
    // Higher values never land in a lower bin, and equal values share one.
    const order = values.map((v, i) => i).filter((i) => values[i] !== 0).sort((a, b) => (values[a] as number) - (values[b] as number));
    for (let j = 1; j < order.length; j++) {
      const a = order[j - 1] as number;
      const b = order[j] as number;
      expect(strata[b] as number).toBeGreaterThanOrEqual(strata[a] as number);
      if (values[a] === values[b]) expect(strata[a]).toBe(strata[b]);
    }
    const folds = stratifiedKFold(strata, 5, 1);
    for (const { valid } of folds) expect(Math.abs(countOf(strata, valid, 0) - 747 / 5)).toBeLessThan(1);
  });
});

describe('subsetRows and subsetVector', () => {
  it('copy the selected rows of a row-major matrix and keep Float64 precision', () => {
    const X = Float32Array.from({ length: 12 }, (_, i) => i);
    expect([...subsetRows(X, 3, Uint32Array.of(3, 1))]).toEqual([9, 10, 11, 3, 4, 5]);
    expect(() => subsetRows(X, 3, Uint32Array.of(4))).toThrow(/row index 4/);
    const v = Float64Array.of(59.99, 29.99, 45.99);
    const s = subsetVector(v, Uint32Array.of(2, 0));
    expect(s).toBeInstanceOf(Float64Array);
    expect([...s]).toEqual([45.99, 59.99]);
    expect(subsetVector(Float32Array.of(1, 2), Uint32Array.of(1))).toBeInstanceOf(Float32Array);
  });
});
