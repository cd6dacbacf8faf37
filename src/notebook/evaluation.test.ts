import { describe, expect, it } from 'vitest';
import { averagePrecision, brierScore, confusionAt, rocAuc } from '../trainers/metrics.ts';
import { createRng } from '../trainers/random.ts';
import { bestProfit } from '../trainers/thresholdSweep.ts';
import type { ClassifierResult, RegressorResult } from '../trainers/types.ts';
import { calibrationOf, curvesOf, histogram, MAX_SCATTER_POINTS, pointAt, profitOf, residualsOf, sampleIndices, sweepOf, testPredictionsCsv } from './evaluation.ts';

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
    expect(c.roc.fpr[0]).toBe(0);
    expect(c.roc.fpr.at(-1)).toBe(1);
    expect(c.roc.tpr.at(-1)).toBe(1);
    expect(c.roc.fpr.length).toBeLessThanOrEqual(1001);
    expect(c.pr.recall.length).toBeLessThanOrEqual(1001);
    expect(c.byThreshold.threshold).toHaveLength(501);
    const at = c.byThreshold.threshold.indexOf(0.5);
    expect(c.byThreshold.f1[at]).toBeCloseTo(confusionAt(r.yTest, r.testProba, 0.5).f1, 12);
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
  it('samples at most 5,000 points, bins residuals and keeps every row accounted for', () => {
    const rng = createRng(9);
    const n = 12_345;
    const yTest = Float64Array.from({ length: n }, () => 20 + rng() * 80);
    const predTest = Float64Array.from(yTest, (v) => v + (rng() - 0.5) * 30);
    const res = residualsOf({ yTest, predTest } as unknown as RegressorResult);
    expect(res.actual).toHaveLength(MAX_SCATTER_POINTS);
    expect(res.residual[1]).toBeCloseTo((yTest[Math.floor(n / MAX_SCATTER_POINTS)] as number) - (predTest[Math.floor(n / MAX_SCATTER_POINTS)] as number), 12);
    const h = res.histogram;
    expect(h.counts.reduce((a, b) => a + b, 0) + h.below + h.above).toBe(n);
    expect(h.below + h.above).toBeLessThanOrEqual(Math.ceil(n * 0.01) + 2);
  });

  it('histogram edges: hi falls in the last bin, values outside are counted apart', () => {
    const h = histogram([0, 0.5, 1, 1.5, -1, 2], 0, 2, 4);
    expect(h.counts).toEqual([1, 1, 1, 2]);
    expect(h.below).toBe(1);
    expect(h.above).toBe(0);
    expect(sampleIndices(10, 20)).toHaveLength(10);
    expect(new Set(sampleIndices(100_000, 5000)).size).toBe(5000);
  });
});
