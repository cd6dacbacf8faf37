import { describe, expect, it } from 'vitest';
import { confusionAt } from './metrics.ts';
import { createRng } from './random.ts';
import { bestF1, bestProfit, buildThresholdSweep, sweepAt, sweepGrid, thresholdForRecall } from './thresholdSweep.ts';

/** 20,000 seeded scores on a 1/500 grid, so many rows tie, with positives scoring higher on average. */
function fixture(n = 20_000, seed = 11): { y: Float32Array; score: Float32Array } {
  const rng = createRng(seed);
  const y = new Float32Array(n);
  const score = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.15 ? 1 : 0;
    score[i] = Math.round(Math.min(1, rng() * 0.8 + (y[i] as number) * 0.25) * 500) / 500;
  }
  return { y, score };
}

describe('threshold sweep', () => {
  const { y, score } = fixture();
  const s = buildThresholdSweep(y, score);

  it('equals confusionAt at 1,000 random thresholds, at every distinct score and at the extremes', () => {
    const rng = createRng(3);
    const thresholds = Array.from({ length: 1000 }, () => rng() * 1.2 - 0.1);
    // Thresholds exactly on a score are where >= versus > matters.
    for (let i = 0; i < s.thresholds.length; i++) thresholds.push(s.thresholds[i] as number);
    thresholds.push(-Infinity, Infinity, 0, 1, Number.NaN);
    for (const t of thresholds) expect(sweepAt(s, t), `threshold ${t}`).toEqual(confusionAt(y, score, t));
  });

  it('sweepGrid holds the exact counts at i / (steps - 1)', () => {
    const grid = sweepGrid(s, 101);
    expect(grid.thresholds).toHaveLength(101);
    expect(grid.positives + grid.negatives).toBe(y.length);
    for (let i = 0; i < 101; i++) {
      const c = confusionAt(y, score, i / 100);
      expect(grid.thresholds[i]).toBe(i / 100);
      expect([grid.tp[i], grid.fp[i]], `grid ${i}`).toEqual([c.tp, c.fp]);
    }
  });

  it('bestF1 is the maximum F1 over every distinct score', () => {
    const best = bestF1(s);
    let brute = -1;
    for (const t of new Set(score)) brute = Math.max(brute, confusionAt(y, score, t).f1);
    expect(best.confusion.f1).toBe(brute);
    expect(best.confusion).toEqual(confusionAt(y, score, best.threshold));
  });

  it('bestProfit equals a brute-force optimum, including flagging nobody', () => {
    for (const value of [
      { tpValue: 50, fpCost: 5 },
      { tpValue: 10, fpCost: 3 },
      { tpValue: 1, fpCost: 100 },
    ]) {
      let brute = 0;
      let bruteThreshold = Infinity;
      for (const t of [...new Set(score)].sort((a, b) => b - a)) {
        const c = confusionAt(y, score, t);
        const p = c.tp * value.tpValue - c.fp * value.fpCost;
        if (p > brute) {
          brute = p;
          bruteThreshold = t;
        }
      }
      const best = bestProfit(s, value);
      expect(best.profit, JSON.stringify(value)).toBe(brute);
      expect(best.threshold).toBe(bruteThreshold);
      expect(best.confusion).toEqual(confusionAt(y, score, best.threshold));
    }
    expect(bestProfit(s, { tpValue: 0, fpCost: 1 })).toMatchObject({ threshold: Infinity, profit: 0, confusion: { tp: 0, fp: 0 } });
  });

  it('thresholdForRecall is the highest score reaching the recall', () => {
    for (const target of [0, 0.25, 0.5, 0.8, 0.95, 1]) {
      const r = thresholdForRecall(s, target);
      if (r === null) throw new Error('expected a threshold');
      expect(r.confusion.recall).toBeGreaterThanOrEqual(target);
      const higher = [...new Set(score)].filter((t) => t > r.threshold);
      for (const t of higher) expect(confusionAt(y, score, t).recall, `recall at ${t}`).toBeLessThan(target);
    }
    expect(thresholdForRecall(buildThresholdSweep([0, 0], [0.1, 0.2]), 0.5)).toBeNull();
    expect(() => thresholdForRecall(s, 1.5)).toThrow(/minRecall 1.5/);
  });

  it('answers a threshold in microseconds', () => {
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) sweepAt(s, i / 100_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
