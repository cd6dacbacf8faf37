import { describe, expect, it } from 'vitest';
import { crossValidate, makeFolds, resamplerFor, type FitFold, type TrainingFold } from './crossValidation.ts';
import { fitFastLogistic, predictProba } from './fastLogistic.ts';
import { averagePrecision, rocAuc } from './metrics.ts';
import { createRng } from './random.ts';

function dataset(rows: number, seed: number): { X: Float32Array; y: Float32Array; cols: number; rows: number } {
  const rng = createRng(seed);
  const cols = 3;
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    const b = rng() < 0.5 ? 1 : 0;
    const c = Math.floor(rng() * 5);
    X.set([a, b, c], r * cols);
    y[r] = rng() < 1 / (1 + Math.exp(-(-2.5 + 2 * a + b))) ? 1 : 0;
  }
  return { X, y, cols, rows };
}

const logisticFit: FitFold = (t) => {
  const m = fitFastLogistic({ X: t.X, rows: t.rows, cols: t.cols, y: t.y, C: 1 });
  return { predict: (X, rows) => predictProba(m, X, rows, t.cols) };
};

describe('makeFolds', () => {
  it('classifier folds are disjoint, cover every row and keep the positive rate', () => {
    const { y } = dataset(2000, 1);
    const folds = makeFolds(y, 'classifier', 5, 42);
    const seen = new Uint8Array(y.length);
    let positives = 0;
    for (const v of y) positives += v;
    for (const f of folds) {
      for (const i of f.valid) seen[i] = (seen[i] as number) + 1;
      const train = new Set(f.train);
      for (const i of f.valid) expect(train.has(i)).toBe(false);
      expect(f.train.length + f.valid.length).toBe(y.length);
      let pv = 0;
      for (const i of f.valid) pv += y[i] as number;
      expect(Math.abs(pv - positives / 5)).toBeLessThanOrEqual(1);
    }
    expect([...seen].every((c) => c === 1)).toBe(true);
  });

  it('regressor folds are stratified on revenue bins: zero-revenue rows spread evenly', () => {
    const revenue = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) revenue[i] = i % 10 === 0 ? 30 + (i % 7) * 10 : 0;
    const folds = makeFolds(revenue, 'regressor', 5, 3);
    for (const f of folds) {
      let buyers = 0;
      for (const i of f.valid) if ((revenue[i] as number) > 0) buyers++;
      expect(Math.abs(buyers - 20)).toBeLessThanOrEqual(2);
    }
  });
});

describe('crossValidate', () => {
  it('scores each fold like metrics.ts would on the same predictions', () => {
    const d = dataset(3000, 2);
    const res = crossValidate({ ...d, k: 4, seed: 9, fit: logisticFit });
    expect(res.folds).toHaveLength(4);
    const folds = makeFolds(d.y, 'classifier', 4, 9);
    // Recompute fold 0 by hand: scaler fitted on the training rows only.
    const f = folds[0];
    if (!f) throw new Error('no fold 0');
    const mean = [0, 0, 0];
    const sd = [0, 0, 0];
    for (const i of f.train) for (let c = 0; c < 3; c++) mean[c] = (mean[c] as number) + (d.X[i * 3 + c] as number) / f.train.length;
    for (const i of f.train) for (let c = 0; c < 3; c++) sd[c] = (sd[c] as number) + ((d.X[i * 3 + c] as number) - (mean[c] as number)) ** 2 / f.train.length;
    const scale = (i: number, c: number): number => ((d.X[i * 3 + c] as number) - (mean[c] as number)) / Math.sqrt(sd[c] as number);
    const Xt = new Float32Array(f.train.length * 3);
    f.train.forEach((i, r) => { for (let c = 0; c < 3; c++) Xt[r * 3 + c] = scale(i, c); });
    const m = fitFastLogistic({ X: Xt, rows: f.train.length, cols: 3, y: Float32Array.from(f.train, (i) => d.y[i] as number), C: 1 });
    const Xv = new Float32Array(f.valid.length * 3);
    f.valid.forEach((i, r) => { for (let c = 0; c < 3; c++) Xv[r * 3 + c] = scale(i, c); });
    const p = predictProba(m, Xv, f.valid.length, 3);
    const yv = Float32Array.from(f.valid, (i) => d.y[i] as number);
    expect(res.folds[0]?.scores.rocAuc).toBeCloseTo(rocAuc(yv, p), 4);
    expect(res.folds[0]?.scores.prAuc).toBeCloseTo(averagePrecision(yv, p), 4);
    expect(res.mean.rocAuc).toBeGreaterThan(0.7);
    expect(res.std.rocAuc).toBeGreaterThanOrEqual(0);
  });

  it('resampling never sees a validation row: a planted marker row cannot cross into any resampled training fold', () => {
    const d = dataset(1500, 4);
    const X = d.X.slice();
    // The marker: a positive row with a value nothing else has; oversampling would duplicate it if it were in training.
    const marker = 17;
    X[marker * 3] = 999;
    d.y[marker] = 1;
    const folds = makeFolds(d.y, 'classifier', 5, 11);
    const markerFold = folds.findIndex((f) => f.valid.includes(marker));
    const oversample = resamplerFor('oversample');
    if (!oversample) throw new Error('no oversampler');
    const seenIn: number[] = [];
    const containsMarker = (t: TrainingFold): boolean => {
      for (let r = 0; r < t.rows; r++) if (t.X[r * 3] === 999) return true;
      return false;
    };
    crossValidate({
      X, rows: d.rows, cols: 3, y: d.y, k: 5, seed: 11, standardise: false, folds,
      resample: (t, seed) => {
        if (containsMarker(t)) seenIn.push(t.fold);
        const out = oversample(t, seed);
        expect(out.rows).toBeGreaterThan(t.rows);
        if (containsMarker(out)) seenIn.push(t.fold);
        return out;
      },
      fit: (t) => {
        if (t.fold === markerFold) expect(containsMarker(t)).toBe(false);
        return logisticFit(t);
      },
    });
    // The marker is a training row in the 4 other folds (seen twice each: before and after resampling), never in its own.
    expect(seenIn).not.toContain(markerFold);
    expect(new Set(seenIn).size).toBe(4);
  });

  it('the scaler is fitted inside the training fold: an extreme validation value does not shift it', () => {
    const d = dataset(1000, 5);
    const X = d.X.slice();
    X[0] = 1e6;
    const folds = makeFolds(d.y, 'classifier', 5, 2);
    const markerFold = folds.findIndex((f) => f.valid.includes(0));
    crossValidate({
      X, rows: d.rows, cols: 3, y: d.y, k: 5, seed: 2, folds,
      fit: (t) => {
        let max = -Infinity;
        for (let r = 0; r < t.rows; r++) max = Math.max(max, t.X[r * 3] as number);
        // Standardised uniform(−1, 1) peaks near 1.7; with the 1e6 row in training it would be ~28.
        if (t.fold === markerFold) expect(max).toBeLessThan(2);
        else expect(max).toBeGreaterThan(20);
        return logisticFit(t);
      },
    });
  });

  it('runs a regressor with RMSE and MAE per fold', () => {
    const d = dataset(800, 6);
    const target = Float32Array.from(d.y, (v, i) => (v === 1 ? 30 + (i % 3) * 20 : 0));
    const res = crossValidate({
      ...d, y: target, task: 'regressor', k: 4, seed: 1,
      fit: (t) => {
        let mean = 0;
        for (const v of t.y) mean += v / t.rows;
        return { predict: (_X, rows) => new Float32Array(rows).fill(mean) };
      },
    });
    expect(res.mean.rmse).toBeGreaterThan(0);
    expect(res.mean.mae).toBeGreaterThan(0);
    expect(res.mean.rocAuc).toBeUndefined();
  });
});
