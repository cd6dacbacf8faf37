import { describe, expect, it } from 'vitest';
import { createRng } from './random.ts';
import { classWeights, kNearestNeighbours, randomOversample, randomUndersample, smoteNC, type ResampleResult } from './resample.ts';
import { stratifiedKFold, subsetRows, subsetVector } from './split.ts';

function gauss(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** 4 continuous columns then 2 binary ones; about 15 % positives (the minority). */
function fixture(rows: number, seed: number): { X: Float32Array; y: Float32Array; cols: number; categorical: boolean[] } {
  const rng = createRng(seed);
  const cols = 6;
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const pos = rng() < 0.15;
    y[r] = pos ? 1 : 0;
    for (let c = 0; c < 4; c++) X[r * cols + c] = gauss(rng) + (pos ? 1.5 : 0);
    X[r * cols + 4] = rng() < (pos ? 0.7 : 0.2) ? 1 : 0;
    X[r * cols + 5] = rng() < 0.5 ? 1 : 0;
  }
  return { X, y, cols, categorical: [false, false, false, false, true, true] };
}

function classCounts(y: ArrayLike<number>): { zeros: number; ones: number } {
  let ones = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) ones++;
  return { zeros: y.length - ones, ones };
}

function row(X: Float32Array, cols: number, r: number): number[] {
  return Array.from(X.subarray(r * cols, (r + 1) * cols));
}

describe('classWeights', () => {
  it('is scikit-learn balanced: n / (2 · count)', () => {
    expect(classWeights([0, 0, 0, 1], 'balanced')).toEqual({ w0: 4 / 6, w1: 2 });
    expect(classWeights([0, 1], 'none')).toEqual({ w0: 1, w1: 1 });
    expect(classWeights([0, 1], { positiveWeight: 3 })).toEqual({ w0: 1, w1: 3 });
    expect(() => classWeights([0, 0], 'balanced')).toThrow(/no 1s/);
    expect(() => classWeights([0, 1], { positiveWeight: -1 })).toThrow(/positiveWeight -1/);
  });
});

describe('random over- and undersampling', () => {
  const rows = 400;
  const { X, y, cols } = fixture(rows, 1);
  const { zeros, ones } = classCounts(y);

  it('oversampling appends copies of minority rows until the ratio is reached', () => {
    for (const ratio of [1, 0.5]) {
      const r = randomOversample(X, rows, cols, y, 3, ratio);
      const c = classCounts(r.y);
      expect(c.zeros).toBe(zeros);
      expect(c.ones).toBe(Math.round(ratio * zeros));
      expect(r.added).toBe(c.ones - ones);
      expect(r.rows).toBe(rows + r.added);
      expect(r.X.subarray(0, rows * cols)).toEqual(X);
      const minorityRows = new Set<string>();
      for (let i = 0; i < rows; i++) if (y[i] === 1) minorityRows.add(row(X, cols, i).join());
      for (let i = rows; i < r.rows; i++) expect(minorityRows.has(row(r.X, cols, i).join())).toBe(true);
    }
    expect(randomOversample(X, rows, cols, y, 3)).toEqual(randomOversample(X, rows, cols, y, 3));
    expect(randomOversample(X, rows, cols, y, 3).X).not.toEqual(randomOversample(X, rows, cols, y, 4).X);
  });

  it('undersampling keeps every minority row and a seeded subset of the majority, in order', () => {
    const r = randomUndersample(X, rows, cols, y, 5, 0.5);
    const c = classCounts(r.y);
    expect(c.ones).toBe(ones);
    expect(c.zeros).toBe(Math.round(ones / 0.5));
    expect(r.removed).toBe(zeros - c.zeros);
    const original = Array.from({ length: rows }, (_, i) => row(X, cols, i).join());
    let last = -1;
    for (let i = 0; i < r.rows; i++) {
      const at = original.indexOf(row(r.X, cols, i).join(), last + 1);
      expect(at).toBeGreaterThan(last);
      last = at;
    }
    expect(randomUndersample(X, rows, cols, y, 5)).toEqual(randomUndersample(X, rows, cols, y, 5));
  });
});

/** Independent SMOTE-NC neighbours: Euclidean on continuous columns plus median-std² per mismatching categorical column. */
function bruteNeighbours(X: Float32Array, cols: number, minority: number[], categorical: boolean[], k: number): number[][] {
  const cont = categorical.flatMap((isCat, c) => (isCat ? [] : [c]));
  const stds = cont.map((c) => {
    const v = minority.map((r) => X[r * cols + c] as number);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  });
  stds.sort((a, b) => a - b);
  const mid = stds.length >> 1;
  const med = stds.length % 2 ? (stds[mid] as number) : ((stds[mid - 1] as number) + (stds[mid] as number)) / 2;
  return minority.map((a) => {
    const d = minority
      .filter((b) => b !== a)
      .map((b) => {
        let s = 0;
        for (let c = 0; c < cols; c++) {
          const diff = (X[a * cols + c] as number) - (X[b * cols + c] as number);
          s += categorical[c] ? (diff !== 0 ? med * med : 0) : diff * diff;
        }
        return { b, s };
      });
    d.sort((p, q) => p.s - q.s || p.b - q.b);
    return d.slice(0, k).map((x) => x.b);
  });
}

/**
 * The neighbour b of origin a with s = a + g (b − a), g in [0, 1], on the continuous columns, or -1. g is fitted by
 * least squares over all columns: s is stored as float32, so one column with a tiny b − a would pin g badly.
 */
function segmentNeighbour(X: Float32Array, cols: number, cont: number[], s: number[], a: number, nbrs: number[]): number {
  for (const b of nbrs) {
    let num = 0;
    let den = 0;
    for (const c of cont) {
      const d = (X[b * cols + c] as number) - (X[a * cols + c] as number);
      num += ((s[c] as number) - (X[a * cols + c] as number)) * d;
      den += d * d;
    }
    const g = den > 0 ? num / den : 0;
    if (g < -1e-5 || g > 1 + 1e-5) continue;
    const onSegment = cont.every((c) => {
      const va = X[a * cols + c] as number;
      return Math.abs(va + g * ((X[b * cols + c] as number) - va) - (s[c] as number)) < 1e-5;
    });
    if (onSegment) return b;
  }
  return -1;
}

describe('smoteNC', () => {
  const rows = 300;
  const { X, y, cols, categorical } = fixture(rows, 2);
  const { zeros, ones } = classCounts(y);
  const minority = Array.from({ length: rows }, (_, i) => i).filter((i) => y[i] === 1);
  const k = 5;
  const nbrs = bruteNeighbours(X, cols, minority, categorical, k);
  const cont = [0, 1, 2, 3];

  it('puts every synthetic row on a segment to one of its origin’s k nearest minority neighbours', () => {
    const r = smoteNC(X, rows, cols, y, { seed: 7, categorical, k });
    expect(r.X.subarray(0, rows * cols)).toEqual(X);
    expect(r.added).toBeGreaterThan(0);
    for (let i = rows; i < r.rows; i++) {
      const s = row(r.X, cols, i);
      expect(r.y[i]).toBe(1);
      // Categorical columns are exact 0/1 and equal the majority vote of the origin's neighbours.
      for (const c of [4, 5]) expect(s[c] === 0 || s[c] === 1, `row ${i} col ${c} = ${s[c]}`).toBe(true);
      const origins = minority.filter((a, j) => {
        const nb = nbrs[j] as number[];
        if (segmentNeighbour(X, cols, cont, s, a, nb) < 0) return false;
        return [4, 5].every((c) => {
          const votes = nb.filter((b) => X[b * cols + c] === 1).length;
          return s[c] === (votes * 2 > k ? 1 : 0);
        });
      });
      expect(origins.length, `synthetic row ${i}: ${s.join(', ')}`).toBeGreaterThan(0);
    }
  });

  it('reaches the requested class ratio', () => {
    for (const ratio of [1, 0.6]) {
      const r = smoteNC(X, rows, cols, y, { seed: 1, categorical, targetRatio: ratio });
      const c = classCounts(r.y);
      expect(c.zeros).toBe(zeros);
      expect(c.ones).toBe(Math.round(ratio * zeros));
      expect(r.added).toBe(c.ones - ones);
    }
  });

  it('is deterministic by seed', () => {
    const a = smoteNC(X, rows, cols, y, { seed: 3, categorical });
    expect(smoteNC(X, rows, cols, y, { seed: 3, categorical })).toEqual(a);
    expect(smoteNC(X, rows, cols, y, { seed: 4, categorical }).X).not.toEqual(a.X);
  });

  it('votes a one-hot group as a whole, so a synthetic row never gets two levels', () => {
    const rng = createRng(6);
    const c = 5;
    const n = 200;
    const G = new Float32Array(n * c);
    const labels = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      labels[r] = r % 5 === 0 ? 1 : 0;
      G[r * c] = gauss(rng);
      G[r * c + 1] = gauss(rng);
      G[r * c + 2 + Math.floor(rng() * 3)] = 1;
    }
    const res = smoteNC(G, n, c, labels, { seed: 2, categorical: [false, false, true, true, true], categoricalGroups: [-1, -1, 0, 0, 0] });
    for (let r = n; r < res.rows; r++) expect((res.X[r * c + 2] as number) + (res.X[r * c + 3] as number) + (res.X[r * c + 4] as number)).toBe(1);
  });

  it('finds exact neighbours, ties to the lower index, like brute force', () => {
    const rng = createRng(8);
    const m = 400;
    const dims = 3;
    // A coarse integer grid, so many distances tie.
    const P = Float64Array.from({ length: m * dims }, () => Math.floor(rng() * 6));
    const got = kNearestNeighbours(P, m, dims, 4);
    for (let q = 0; q < m; q++) {
      const d: Array<[number, number]> = [];
      for (let p = 0; p < m; p++) {
        if (p === q) continue;
        let s = 0;
        for (let j = 0; j < dims; j++) s += ((P[q * dims + j] as number) - (P[p * dims + j] as number)) ** 2;
        d.push([s, p]);
      }
      d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(Array.from(got.subarray(q * 4, q * 4 + 4))).toEqual(d.slice(0, 4).map((x) => x[1]));
    }
  });

  it('handles 25,000 minority rows × 12 columns (about a second idle; the bound leaves room for a loaded CI machine)', () => {
    const rng = createRng(9);
    const n = 75_000;
    const c = 12;
    const B = new Float32Array(n * c);
    const labels = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      labels[r] = r % 3 === 0 ? 1 : 0;
      for (let j = 0; j < c; j++) B[r * c + j] = j < 8 ? gauss(rng) : rng() < 0.3 ? 1 : 0;
    }
    const t0 = performance.now();
    const res = smoteNC(B, n, c, labels, { seed: 1, categorical: Array.from({ length: c }, (_, j) => j >= 8) });
    const ms = performance.now() - t0;
    expect(res.added).toBe(25_000);
    expect(classCounts(res.y).ones).toBe(50_000);
    // 14.8 s was seen once at a load average of 20 on 2 cores; speed itself is the bench's to measure
    expect(ms).toBeLessThan(60_000);
  });
});

describe('resampling never touches a validation fold', () => {
  it('a marker planted in the validation fold cannot appear in the resampled training rows', () => {
    const rows = 500;
    const { X, y, cols, categorical } = fixture(rows, 3);
    const folds = stratifiedKFold(y, 5, 1);
    const { train, valid } = folds[0] as { train: Uint32Array; valid: Uint32Array };
    const marker = 999;
    // Two identical minority marker rows in the validation fold: a leak would copy or interpolate them.
    const planted = [valid[0] as number, valid[1] as number];
    for (const r of planted) {
      X.fill(marker, r * cols, (r + 1) * cols);
      X[r * cols + 4] = 1;
      X[r * cols + 5] = 1;
      y[r] = 1;
    }
    const Xtrain = subsetRows(X, cols, train);
    const ytrain = subsetVector(y, train);
    const results: Array<[string, ResampleResult]> = [
      ['oversample', randomOversample(Xtrain, train.length, cols, ytrain, 1)],
      ['undersample', randomUndersample(Xtrain, train.length, cols, ytrain, 1)],
      ['smote', smoteNC(Xtrain, train.length, cols, ytrain, { seed: 1, categorical })],
    ];
    for (const [name, r] of results) {
      expect(r.rows, name).toBeGreaterThan(0);
      // Any interpolation towards the marker would push a continuous value far above the data's range.
      for (let i = 0; i < r.rows; i++) {
        for (const c of [0, 1, 2, 3]) expect(Math.abs(r.X[i * cols + c] as number), `${name} row ${i}`).toBeLessThan(50);
      }
    }
    // Sanity: the same resampling on all rows does carry the marker.
    const leaky = randomOversample(X, rows, cols, y, 1);
    let copies = 0;
    for (let i = 0; i < leaky.rows; i++) if (leaky.X[i * cols] === marker) copies++;
    expect(copies).toBeGreaterThan(2);
  });
});
