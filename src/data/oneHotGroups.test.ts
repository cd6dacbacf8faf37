import { describe, expect, it } from 'vitest';
import { detectOneHotGroups, featureGroupMap, featureGroupOf, groupCodes } from './oneHotGroups.ts';
import type { Column, NumericColumn } from './types.ts';

function bools(name: string, values: number[]): NumericColumn {
  return { kind: 'numeric', name, arrowType: 'Bool', values: Float64Array.from(values), nullCount: 0, isBool: true, isInteger: true, unsafeInteger: false };
}

const columns: Column[] = [
  bools('is_weekend', [1, 0, 0, 0, 0, 0]),
  bools('is_repeat', [0, 1, 0, 0, 0, 0]), // never 1 with is_weekend here: only the prefix rule keeps "is" from grouping
  bools('utm_source_gsearch', [1, 0, 0, 1, 0, 0]),
  bools('utm_source_socialbook', [0, 1, 0, 0, 0, 0]),
  bools('device_type_mobile', [1, 1, 0, 0, 0, 1]),
  bools('landing_page_/lander-1', [1, 0, 0, 0, 0, 0]),
  bools('landing_page_/lander-2', [0, 1, 0, 0, 1, 0]),
  bools('landing_page_/lander-3', [0, 0, 1, 0, 0, 0]),
  bools('a_x', [1, 1, 0, 0, 0, 0]),
  bools('a_y', [1, 0, 0, 0, 0, 0]), // overlaps a_x: not a group
  bools('is_ordered', [0, 0, 0, 0, 1, 0]),
];

describe('detectOneHotGroups', () => {
  const groups = detectOneHotGroups(columns, { exclude: ['is_ordered'] });

  it('finds mutually exclusive prefix groups, longest prefix on ties', () => {
    expect(groups.map((g) => [g.name, g.columns, g.levels, g.baselineRows])).toEqual([
      ['utm_source', ['utm_source_gsearch', 'utm_source_socialbook'], ['gsearch', 'socialbook'], 3],
      ['landing_page', ['landing_page_/lander-1', 'landing_page_/lander-2', 'landing_page_/lander-3'], ['/lander-1', '/lander-2', '/lander-3'], 2],
    ]);
  });

  it('never makes "is" a group, never groups overlapping columns, leaves a lone dummy alone', () => {
    expect(featureGroupOf('is_weekend', groups)).toBe('is_weekend');
    expect(featureGroupOf('a_x', groups)).toBe('a_x');
    expect(featureGroupOf('device_type_mobile', groups)).toBe('device_type_mobile');
    expect(featureGroupOf('utm_source_socialbook', groups)).toBe('utm_source');
    expect(featureGroupMap(columns, groups).get('landing_page_/lander-2')).toBe('landing_page');
  });

  it('gives each row its member index (-1 for the baseline)', () => {
    const g = groups[1];
    if (g === undefined) throw new Error('group');
    expect(Array.from(groupCodes(g, columns, 6))).toEqual([0, 1, 2, -1, 1, -1]);
  });

  it('ignores columns that are not 0/1 or have nulls', () => {
    const withNull: NumericColumn = { ...bools('p_q', [1, 0, NaN]), nullCount: 1 };
    const counts: NumericColumn = { ...bools('p_r', [0, 2, 0]), isBool: false, arrowType: 'Int64' };
    expect(detectOneHotGroups([withNull, counts, bools('p_s', [0, 0, 1])])).toEqual([]);
  });
});
