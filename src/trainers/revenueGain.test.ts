import { describe, expect, it } from 'vitest';
import { capturedRevenueAt, capturedRevenueIndex, descendingOrder, expectedRevenue, gainCurve, liftCurve, revenueGainCurve } from './revenueGain.ts';

describe('revenue gain', () => {
  const score = Float32Array.of(0.9, 0.8, 0.8, 0.3, 0.1, 0.05);
  const outcome = Float32Array.of(1, 0, 1, 0, 1, 0);
  const revenue = Float32Array.of(100, 0, 30, 0, 50, 0);

  it('gain curves run from (0, 0) to (1, 1), one point per distinct score', () => {
    for (const g of [gainCurve(score, outcome), revenueGainCurve(score, revenue)]) {
      expect(g.share[0]).toBe(0);
      expect(g.captured[0]).toBe(0);
      expect(g.share[g.share.length - 1]).toBe(1);
      expect(g.captured[g.captured.length - 1]).toBe(1);
      expect(g.share.length).toBe(6);
    }
    const g = gainCurve(score, outcome);
    expect(g.captured[2]).toBeCloseTo(2 / 3, 12);
    expect(g.share[2]).toBeCloseTo(3 / 6, 12);
    const rg = revenueGainCurve(score, revenue);
    expect(rg.captured[1]).toBeCloseTo(100 / 180, 6);
  });

  it('lift is captured share over targeted share and ends at 1', () => {
    const l = liftCurve(score, outcome);
    expect(l.lift[0]).toBeCloseTo(1 / 3 / (1 / 6), 12);
    expect(l.lift[l.lift.length - 1]).toBeCloseTo(1, 12);
  });

  it('captured revenue at a threshold counts sessions scoring at or above it', () => {
    const c = capturedRevenueAt(score, revenue, 0.8);
    expect(c.sessions).toBe(3);
    expect(c.revenue).toBe(130);
    expect(c.shareOfRevenue).toBeCloseTo(130 / 180, 12);
    expect(capturedRevenueAt(score, revenue, 0).shareOfRevenue).toBe(1);
  });

  it('curves given the score\'s descending order (one sort for several) equal those that sort for themselves', () => {
    const score = Float64Array.from({ length: 500 }, (_, i) => ((i * 7919) % 97) / 97);
    const revenue = Float64Array.from(score, (p, i) => (i % 3 === 0 ? 10 + 50 * p : 0));
    const ordered = Float64Array.from(revenue, (r) => (r > 0 ? 1 : 0));
    const order = descendingOrder(score);
    // descending, ties (there are many: 97 distinct scores) in index order
    for (let k = 1; k < order.length; k++) {
      const a = order[k - 1]!;
      const b = order[k]!;
      expect(score[a]! > score[b]! || (score[a] === score[b] && a < b)).toBe(true);
    }
    expect(revenueGainCurve(score, revenue, order)).toEqual(revenueGainCurve(score, revenue));
    expect(gainCurve(score, ordered, order)).toEqual(gainCurve(score, ordered));
    expect(liftCurve(score, ordered, order)).toEqual(liftCurve(score, ordered));
    expect(capturedRevenueIndex(score, revenue, order)).toEqual(capturedRevenueIndex(score, revenue));
    expect(() => gainCurve(score, ordered, order.subarray(1))).toThrow('order has 499 rows but score has 500');
  });

  it('expected revenue is P(order) × E[revenue | order]', () => {
    expect([...expectedRevenue([0.5, 0.1], [60, 30])]).toEqual([30, Math.fround(3)]);
    expect(() => gainCurve([0.1], [0])).toThrow(/at least one positive outcome/);
  });
});

describe('captured revenue index (the slider path)', () => {
  it('equals the direct scan at many thresholds, ties included', async () => {
    const { capturedFromIndex, capturedRevenueIndex, capturedRevenueAt } = await import('./revenueGain.ts');
    const n = 5000;
    const score = Float64Array.from({ length: n }, (_, i) => Math.round(((i * 7919) % 1000) / 10) / 100);
    const revenue = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 29.99 + (i % 5) * 10 : 0));
    const idx = capturedRevenueIndex(score, revenue);
    for (let k = 0; k <= 1000; k++) {
      const t = k / 1000;
      const a = capturedFromIndex(idx, t);
      const b = capturedRevenueAt(score, revenue, t);
      expect(a.sessions).toBe(b.sessions);
      expect(a.revenue).toBeCloseTo(b.revenue, 6);
    }
  });
});
