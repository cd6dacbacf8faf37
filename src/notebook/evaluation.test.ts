import { describe, expect, it } from 'vitest';
import { averagePrecision, brierScore, confusionAt, prCurve, regressionMetrics, rocAuc, rocCurve } from '../trainers/metrics.ts';
import { createRng } from '../trainers/random.ts';
import { bestProfit } from '../trainers/thresholdSweep.ts';
import type { ClassifierResult, RegressorResult } from '../trainers/types.ts';
import { evenlySpacedIndices } from '../report/downsample.ts';
import {
  calibrationOf, curvesOf, DENSITY_CELLS, densityGrid, MAX_SCATTER_POINTS, pointAt, profitOf, RESIDUAL_BINS, residualHistogram, residualsOf, sweepOf, testPredictionsCsv,
  undefinedRegressionMetrics,
} from './evaluation.ts';

/** A seeded classifier result: continuous float32 scores (rarely tied) with positives scoring higher. */
function classifierResult(n = 30_000, seed = 5): ClassifierResult {
  const rng = createRng(seed);
  const yTest = new Float32Array(n);
  const testProba = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    yTest[i] = rng() < 0.07 ? 1 : 0;
    testProba[i] = Math.min(1, Math.max(0, rng() * 0.7 + (yTest[i] as number) * 0.3 * rng()));
  }
  // only the fields the evaluation reads; the rest of a run is irrelevant here
  return { yTest, testProba, threshold: 0.5 } as unknown as ClassifierResult;
}

describe('evaluation of a classifier run', () => {
  const r = classifierResult();
  const s = sweepOf(r);

  it('builds the sweep once per run', () => {
    expect(sweepOf(r)).toBe(s);
    expect(curvesOf(r)).toBe(curvesOf(r));
  });

  it('answers 1,000 random thresholds exactly as the direct computation, with ROC coordinates', () => {
    const rng = createRng(17);
    for (let k = 0; k < 1000; k++) {
      // half the probes sit exactly on a score, where >= versus > matters
      const t = k % 2 === 0 ? rng() : (r.testProba[Math.floor(rng() * r.testProba.length)] as number);
      const direct = confusionAt(r.yTest, r.testProba, t);
      const p = pointAt(s, t);
      expect(p.confusion, `threshold ${t}`).toEqual(direct);
      expect(p.fpr).toBe(direct.fp / (direct.fp + direct.tn));
      expect(p.tpr).toBe(direct.tp / (direct.tp + direct.fn));
    }
  });

  it('computes AUC and average precision from every point, and thins the drawn curves', () => {
    const c = curvesOf(r);
    expect(c.auc).toBeCloseTo(rocAuc(r.yTest, r.testProba), 12);
    expect(c.averagePrecision).toBeCloseTo(averagePrecision(r.yTest, r.testProba), 12);
    // the drawn curves are points of scikit-learn's roc_curve / precision_recall_curve, ends included
    const roc = rocCurve(r.yTest, r.testProba);
    const rocPoints = new Set(roc.fpr.map((x, i) => `${x},${roc.tpr[i]}`));
    expect(c.roc.fpr.every((x, i) => rocPoints.has(`${x},${c.roc.tpr[i]}`))).toBe(true);
    expect([c.roc.fpr[0], c.roc.tpr[0], c.roc.fpr.at(-1), c.roc.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    const pr = prCurve(r.yTest, r.testProba);
    const prPoints = new Set(pr.recall.map((x, i) => `${x},${pr.precision[i]}`));
    expect(c.pr.recall.every((x, i) => prPoints.has(`${x},${c.pr.precision[i]}`))).toBe(true);
    expect([c.pr.recall.at(-1), c.pr.precision.at(-1)]).toEqual([0, 1]);
    expect(c.roc.fpr.length).toBeLessThanOrEqual(1001);
    expect(c.pr.recall.length).toBeLessThanOrEqual(1001);
    expect(c.byThreshold.threshold).toHaveLength(501);
    for (const t of [0, 0.25, 0.5, 0.998, 1]) {
      const at = c.byThreshold.threshold.indexOf(t);
      const direct = confusionAt(r.yTest, r.testProba, t);
      expect([c.byThreshold.precision[at], c.byThreshold.recall[at], c.byThreshold.f1[at]]).toEqual([direct.precision, direct.recall, direct.f1]);
    }
    // nothing is flagged above the top score: precision 0 there (precision_score, zero_division=0), not the curve's 1
    expect(Math.max(...r.testProba)).toBeLessThan(1);
    expect(c.byThreshold.precision.at(-1)).toBe(0);
  });

  it('finds the profit optimum: no distinct score earns more', () => {
    const value = { tpValue: 59.99, fpCost: 1 };
    const best = bestProfit(s, value);
    expect(best.profit).toBeCloseTo(profitOf(confusionAt(r.yTest, r.testProba, best.threshold), value), 9);
    let brute = 0;
    for (let i = 0; i < s.thresholds.length; i++) brute = Math.max(brute, profitOf(pointAt(s, s.thresholds[i] as number).confusion, value));
    expect(best.profit).toBeCloseTo(brute, 9);
    expect(best.profit).toBeGreaterThan(0);
    // orders worth nothing: flagging anyone loses money, so flag nobody
    expect(bestProfit(s, { tpValue: 0, fpCost: 1 }).threshold).toBe(Infinity);
  });

  it('gives calibration bins covering every row and the Brier score', () => {
    const cal = calibrationOf(r);
    expect(cal.bins.reduce((a, b) => a + b.count, 0)).toBe(r.yTest.length);
    expect(cal.brier).toBe(brierScore(r.yTest, r.testProba));
  });

  it('writes test predictions as CSV that reproduce the confusion matrix exactly', () => {
    const lines = testPredictionsCsv(r).trim().split('\n');
    expect(lines[0]).toBe('y_true,score');
    const y = lines.slice(1).map((l) => Number(l.split(',')[0]));
    const p = lines.slice(1).map((l) => Number(l.split(',')[1]));
    const t = r.testProba[123] as number;
    expect(confusionAt(y, p, t)).toEqual(pointAt(s, t).confusion);
  });
});

describe('evaluation of a regressor run', () => {
  it('samples at most MAX_SCATTER_POINTS evenly spaced rows and bins every residual', () => {
    const rng = createRng(9);
    const n = 12_345;
    const yTest = Float64Array.from({ length: n }, () => 20 + rng() * 80);
    const predTest = Float64Array.from(yTest, (v) => v + (rng() - 0.5) * 30);
    const res = residualsOf({ yTest, predTest } as unknown as RegressorResult);
    expect(res.actual).toHaveLength(MAX_SCATTER_POINTS);
    for (const k of [0, 1, MAX_SCATTER_POINTS >> 1, MAX_SCATTER_POINTS - 1]) {
      const row = Math.round((k * (n - 1)) / (MAX_SCATTER_POINTS - 1));
      expect([res.actual[k], res.predicted[k], res.residual[k]]).toEqual([yTest[row], predTest[row], (yTest[row] as number) - (predTest[row] as number)]);
    }
    expect(res.histogram).toEqual(residualHistogram(yTest, predTest));
    const h = res.histogram;
    expect(h.counts.reduce((a, b) => a + b, 0) + h.below + h.above).toBe(n);
  });

  it('shades every test row behind the sampled points: predicted vs actual on one square, residual vs predicted over their extremes', () => {
    const rng = createRng(11);
    const n = 20_000;
    const yTest = Float64Array.from({ length: n }, () => (rng() < 0.3 ? 0 : 10 + rng() * 90));
    const predTest = Float64Array.from(yTest, (v) => v * 0.8 + rng() * 15);
    const res = residualsOf({ yTest, predTest } as unknown as RegressorResult);
    const { predictedVsActual: pa, residualVsPredicted: rp } = res.density;
    const lo = Math.min(...yTest, ...predTest);
    const hi = Math.max(...yTest, ...predTest);
    expect(res.range).toEqual({ min: lo, max: hi });
    expect([pa.x, pa.y]).toEqual([{ min: lo, max: hi }, { min: lo, max: hi }]);
    const residuals = Array.from(yTest, (v, i) => v - (predTest[i] as number));
    expect(rp.x).toEqual({ min: Math.min(...predTest), max: Math.max(...predTest) });
    expect(rp.y).toEqual({ min: Math.min(...residuals), max: Math.max(...residuals) });
    for (const g of [pa, rp]) {
      expect([g.nx, g.ny]).toEqual([DENSITY_CELLS.x, DENSITY_CELLS.y]);
      expect(g.points).toBe(n);
      expect(g.counts.reduce((a, b) => a + b, 0)).toBe(n);
    }
    // the 30 % of sessions with actual 0 sit in the first column of predicted vs actual
    let firstColumn = 0;
    for (let j = 0; j < pa.ny; j++) firstColumn += pa.counts[j * pa.nx] as number;
    expect(firstColumn).toBe(yTest.filter((v) => v - lo < (hi - lo) / pa.nx).length);
  });
});

describe('densityGrid', () => {
  it('counts each point in the cell its coordinates fall in, the extremes in the last cells', () => {
    const rng = createRng(3);
    const n = 5_000;
    const xs = Array.from({ length: n }, () => -5 + rng() * 10);
    const ys = Array.from({ length: n }, () => rng() * rng() * 200);
    const g = densityGrid(xs, ys, { x: 7, y: 4 });
    const x = { min: Math.min(...xs), max: Math.max(...xs) };
    const y = { min: Math.min(...ys), max: Math.max(...ys) };
    expect([g.x, g.y]).toEqual([x, y]);
    // each point's cell worked out on its own, by comparing with the cells' edges
    const expected = new Array<number>(7 * 4).fill(0);
    for (let k = 0; k < n; k++) {
      let i = 0;
      while (i < 6 && (xs[k] as number) >= x.min + ((i + 1) * (x.max - x.min)) / 7) i++;
      let j = 0;
      while (j < 3 && (ys[k] as number) >= y.min + ((j + 1) * (y.max - y.min)) / 4) j++;
      expected[j * 7 + i] = (expected[j * 7 + i] as number) + 1;
    }
    expect(Array.from(g.counts)).toEqual(expected);
    expect(g.max).toBe(Math.max(...expected));
    expect(g.points).toBe(n);
  });

  it('leaves out non-finite points and points outside a given extent, and widens a single value', () => {
    const g = densityGrid([1, 2, NaN, 3, Infinity, 9], [5, 5, 5, NaN, 5, 5], { x: 2, y: 1 }, { x: { min: 1, max: 3 } });
    expect(g.y).toEqual({ min: 4.5, max: 5.5 });
    expect(Array.from(g.counts)).toEqual([1, 1]);
    expect(g.points).toBe(2);
    expect(() => densityGrid([1, 2], [1], { x: 2, y: 2 })).toThrow(/2 x values but 1 y values/);
    expect(() => densityGrid([1], [1], { x: 0, y: 2 })).toThrow(/grid of 0 × 2 cells/);
  });
});

describe('residualHistogram', () => {
  it('bins the central 99 % in equal widths and counts the tails apart, as a direct count does', () => {
    const rng = createRng(21);
    const n = 4000;
    const actual = Float64Array.from({ length: n }, () => 50 + rng() * 10);
    // a few huge orders, which must not squash every other bar into one
    const predicted = Float64Array.from(actual, (v, i) => (i % 500 === 0 ? v - 5000 : v - (rng() - 0.5) * 8));
    const h = residualHistogram(actual, predicted);
    const residuals = Array.from(actual, (a, i) => a - (predicted[i] as number)).sort((a, b) => a - b);
    // numpy's default (linear) quantile
    const quantile = (q: number) => {
      const pos = q * (n - 1);
      const i = Math.floor(pos);
      return (residuals[i] as number) + ((residuals[i + 1] as number) - (residuals[i] as number)) * (pos - i);
    };
    const lo = quantile(0.005);
    const hi = quantile(0.995);
    expect(h.edges).toHaveLength(RESIDUAL_BINS + 1);
    expect(h.edges[0]).toBe(lo);
    expect(h.edges.at(-1)).toBe(hi);
    expect(hi).toBeLessThan(10);
    expect(h.below).toBe(residuals.filter((e) => e < lo).length);
    expect(h.above).toBe(residuals.filter((e) => e > hi).length);
    expect(h.above).toBeGreaterThanOrEqual(8);
    for (let b = 0; b < RESIDUAL_BINS; b++) {
      const left = h.edges[b] as number;
      const right = h.edges[b + 1] as number;
      const last = b === RESIDUAL_BINS - 1;
      const direct = residuals.filter((e) => e >= left && (e < right || (last && e <= right))).length;
      expect(h.counts[b], `bin ${b}`).toBe(direct);
    }
  });

  it('gives constant residuals one unit-wide range, and skips non-finite ones', () => {
    const h = residualHistogram([1, 1, NaN], [0, 0, 0], 2);
    expect(h).toEqual({ edges: [0.5, 1, 1.5], counts: [0, 2], below: 0, above: 0 });
    expect(() => residualHistogram([1], [1, 2])).toThrow(/1 actual values but 2 predictions/);
  });

  it('evenlySpacedIndices keeps both ends and at most max rows', () => {
    expect(evenlySpacedIndices(10, 20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(evenlySpacedIndices(11, 3)).toEqual([0, 5, 10]);
    expect(new Set(evenlySpacedIndices(100_000, 5000)).size).toBe(5000);
  });
});

describe('R² of a constant test target', () => {
  it('is shown as undefined, not as the 0 (or -1e14) a formula gives', () => {
    const constant = new Float64Array(50).fill(42.5);
    expect(regressionMetrics(constant, new Float64Array(50).fill(40)).r2).toBe(0);
    expect(undefinedRegressionMetrics(constant)).toEqual({ r2: 'n/a — the test target is constant' });
    expect(undefinedRegressionMetrics(new Float64Array(5))).toEqual({ r2: 'n/a — the test target is constant', mape: 'n/a — every test target is 0' });
    const varied = Float64Array.from(constant, (v, i) => (i === 49 ? v + 1e-9 : v));
    expect(undefinedRegressionMetrics(varied)).toEqual({});
    expect(undefinedRegressionMetrics(new Float64Array(0))).toEqual({});
    // a profit or a delta: both signs, so some targets lie near 0 and MAPE has no bound; all-negative targets keep it
    expect(undefinedRegressionMetrics(Float64Array.of(-3, 0.001, 5))).toEqual({ mape: 'n/a — the test target crosses 0, where percentage errors have no bound' });
    expect(undefinedRegressionMetrics(Float64Array.of(-3, -1, -20))).toEqual({});
    expect(undefinedRegressionMetrics(Float64Array.of(0, 0, 12))).toEqual({});
  });
});
