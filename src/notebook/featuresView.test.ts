import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { featuresView } from './featuresView.ts';

/** Sessions with a one-hot source (two 0/1 columns never 1 together), a flag, a count, the order flag and revenue. */
function sessions() {
  const n = 60;
  const col = (f: (i: number) => number) => arrow.vectorFromArray(Array.from({ length: n }, (_, i) => f(i)), new arrow.Int32());
  return datasetFromTable(new arrow.Table({
    source_ads: col((i) => (i % 3 === 0 ? 1 : 0)),
    source_mail: col((i) => (i % 3 === 1 ? 1 : 0)),
    is_weekend: col((i) => (i % 2)),
    pages: col((i) => (i % 7) + 1),
    is_ordered: col((i) => (i % 5 === 0 ? 1 : 0)),
    revenue: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 30 + i : 0)), new arrow.Float64()),
  }));
}

const settings = { classTarget: 'is_ordered', revenueTarget: 'revenue', excluded: [], transforms: {} };

describe('featuresView', () => {
  it('lists every column but the targets, folding the one-hot source into one group, and the matrix it gives', () => {
    const v = featuresView(sessions(), settings);
    expect(v.features.map((f) => [f.name, f.kind, f.members.length])).toEqual([
      ['is_weekend', 'numeric', 1], ['pages', 'numeric', 1], ['source', 'one-hot group', 2],
    ]);
    expect('error' in v.summary).toBe(false);
    if ('error' in v.summary) return;
    expect(v.summary.rows).toBe(60);
    expect(v.summary.featureNames).toEqual(expect.arrayContaining(['is_weekend', 'pages', 'source_ads', 'source_mail']));
    expect(v.summary.cols).toBe(v.summary.featureNames.length);
  });

  it('leaves out an excluded group, and names an exclusion that is not in the file', () => {
    const without = featuresView(sessions(), { ...settings, excluded: ['source'] });
    expect('error' in without.summary ? [] : without.summary.featureNames).not.toContain('source_ads');
    const bad = featuresView(sessions(), { ...settings, excluded: ['nosuch'] });
    expect('error' in bad.summary ? [] : bad.summary.warnings)
      .toContain('exclude names "nosuch", which is neither a column nor a one-hot group of this file; check the spelling');
  });

  it('a row the encoder leaves out says why (empty, constant, an id), though its "use" box is ticked; one the user excluded does not', () => {
    const n = 60;
    const ds = datasetFromTable(new arrow.Table({
      label: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i % 2), new arrow.Int32()),
      pages: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i % 7), new arrow.Int32()),
      empty: arrow.vectorFromArray(Array.from({ length: n }, () => null), new arrow.Float64()),
      site: arrow.vectorFromArray(Array.from({ length: n }, () => 'eu'), new arrow.Utf8()),
      session: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `s${i}`), new arrow.Utf8()),
    }));
    const v = featuresView(ds, { classTarget: 'label', revenueTarget: '', excluded: ['site'], transforms: {} });
    expect(v.features.map((f) => [f.name, f.leftOut])).toEqual([
      ['pages', null], ['empty', 'all null'], ['site', null], ['session', 'id-like (≥ 99 % unique)'],
    ]);
  });
});
