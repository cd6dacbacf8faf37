import { describe, expect, it } from 'vitest';
import { groupShap, shapImportance, shapWaterfall } from './shapSummary.ts';

// two rows × four columns: hour, and a one-hot group "landing_page" of three levels
const shap = { rows: 2, cols: 4, expectedValue: -0.5, values: Float64Array.from([0.2, 0.1, -0.3, 0, -0.4, 0, 0.05, 0.05]) };
const groups = ['hour', 'landing_page', 'landing_page', 'landing_page'];

describe('SHAP summary', () => {
  it('sums a one-hot group per row before taking mean |SHAP|', () => {
    const g = groupShap(shap, groups);
    expect(g.groups).toEqual(['hour', 'landing_page']);
    expect(Array.from(g.values).map((v) => Number(v.toFixed(12)))).toEqual([0.2, -0.2, -0.4, 0.1]);
    const imp = shapImportance(g);
    expect(imp.map((i) => i.group)).toEqual(['hour', 'landing_page']);
    expect(imp[0]!.meanAbs).toBeCloseTo(0.3, 12);
    expect(imp[1]!.meanAbs).toBeCloseTo(0.15, 12);
  });

  it('walks a waterfall from the expected value to the row\'s raw score', () => {
    const w = shapWaterfall(groupShap(shap, groups), 1);
    expect(w.map((s) => s.group)).toEqual(['hour', 'landing_page']);
    expect(w.at(-1)!.total).toBeCloseTo(-0.5 - 0.4 + 0.1, 12);
    expect(() => shapWaterfall(groupShap(shap, groups), 2)).toThrow(/row 2 is outside the 2 explained rows/);
  });
});
