import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { targetFacts } from '../data/targetProposal.ts';
import { defaultDataSettings, groupRunsByData, preparedDataset, runDataRecord, settingsForNewFile, transformsText, type DataSettings } from './dataSettings.ts';

const n = 60;
const seq = <T>(f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const sessions = datasetFromTable(new arrow.Table({
  created_at: arrow.vectorFromArray(seq((i) => Date.UTC(2015, 0, 1 + i)), new arrow.TimestampMicrosecond()),
  engagement_depth: arrow.vectorFromArray(seq((i) => 1 + (i % 7)), new arrow.Int32()),
  device_type: arrow.vectorFromArray(seq((i) => (i % 3 ? 'mobile' : 'desktop')), new arrow.Utf8()),
  is_ordered: arrow.vectorFromArray(seq((i) => (i % 7 === 6 ? 1 : 0)), new arrow.Int32()),
  revenue: arrow.vectorFromArray(seq((i) => (i % 7 === 6 ? 49.99 : 0)), new arrow.Float64()),
}), 'sessions.parquet');
const medical = datasetFromTable(new arrow.Table({
  age: arrow.vectorFromArray(seq((i) => 20 + i), new arrow.Int32()),
  device_type: arrow.vectorFromArray(seq((i) => (i % 2 ? 'mobile' : 'desktop')), new arrow.Utf8()),
  has_disease: arrow.vectorFromArray(seq((i) => i % 4 === 0), new arrow.Bool()),
}), 'medical.parquet');

describe('settings when another file is opened', () => {
  const configured: DataSettings = {
    ...defaultDataSettings(sessions),
    excluded: ['device_type'],
    transforms: { engagement_depth: { kind: 'cap', max: 4 } },
    filters: [{ column: 'device_type', op: '=', value: 'mobile' }, { column: 'engagement_depth', op: '>', value: '1' }],
    dateParts: [{ column: 'created_at', parts: ['month', 'weekday'] }],
    split: { kind: 'time', column: 'created_at', cutoff: Date.UTC(2015, 1, 1) },
  };

  it('a first file gets proposed targets and its default (time) split', () => {
    expect(defaultDataSettings(sessions)).toMatchObject({ classTarget: 'is_ordered', revenueTarget: 'revenue', revenueIsMoney: true, split: null });
  });

  it('the second file does not inherit the first\'s targets, cap or date parts; what exists is kept, with a notice', () => {
    const { settings, notice } = settingsForNewFile(configured, medical);
    expect(settings).toMatchObject({ classTarget: 'has_disease', revenueTarget: null, revenueIsMoney: false, transforms: {}, dateParts: [], split: null });
    expect(settings.excluded).toEqual(['device_type']);
    expect(settings.filters).toEqual([{ column: 'device_type', op: '=', value: 'mobile' }]);
    expect(notice).toBe('kept from the previous file: excluded device_type; filter device_type = mobile. '
      + 'not carried over (no such column here): class target is_ordered; regression target revenue; cap on engagement_depth; filter engagement_depth > 1; date parts of created_at; split time on created_at at 2015-02-01.');
  });

  it('the same kind of file keeps everything', () => {
    const { settings, dropped } = settingsForNewFile(configured, sessions);
    expect(dropped).toEqual([]);
    expect(settings).toEqual(configured);
  });

  it('the data worker\'s target facts give the page the same settings as a pass over the rows would', () => {
    expect(targetFacts(sessions).twoValued).toEqual(['device_type', 'is_ordered']);
    expect(targetFacts(medical).twoValued).toEqual(['device_type', 'has_disease']);
    for (const [prev, ds] of [[configured, medical], [configured, sessions], [null, sessions], [{ ...configured, classTarget: 'device_type' }, medical], [{ ...configured, classTarget: 'age' }, medical]] as const) {
      expect(settingsForNewFile(prev, ds, targetFacts(ds))).toEqual(settingsForNewFile(prev, ds));
    }
    // the facts decide: a class target the facts call two-valued is kept
    expect(settingsForNewFile({ ...configured, classTarget: 'age' }, medical, { ...targetFacts(medical), twoValued: ['age'] }).settings.classTarget).toBe('age');
    expect(settingsForNewFile({ ...configured, classTarget: 'age' }, medical).settings.classTarget).toBe('has_disease');
  });
});

describe('prepared data and the run record', () => {
  it('adds date parts, then keeps the filtered rows; the record names source, split, filters and date parts', () => {
    const s: DataSettings = { ...defaultDataSettings(sessions), filters: [{ column: 'created_at_month', op: '=', value: '1' }], dateParts: [{ column: 'created_at', parts: ['month'] }], transforms: { engagement_depth: { kind: 'cap', max: 4 } } };
    const { dataset, kept } = preparedDataset(sessions, s);
    expect(kept).toBe(31);
    expect(dataset.columns.map((c) => c.name)).toContain('created_at_month');
    expect(runDataRecord(sessions, s, { kind: 'time', column: 'created_at', cutoff: Date.UTC(2015, 0, 20) })).toEqual({
      source: 'sessions.parquet', split: 'time on created_at at 2015-01-20',
      splitDetail: { kind: 'time', column: 'created_at', cutoff: '2015-01-20' },
      filters: ['created_at_month = 1'], dateParts: ['created_at: month'],
      targets: { classTarget: 'is_ordered', regressionTarget: 'revenue' },
    });
    // the run's own transforms, in words (the record does not keep a second copy)
    expect(transformsText(s.transforms)).toEqual(['engagement_depth capped at 4']);
  });

  it('groups runs by data set, never mixing files', () => {
    const runs = [{ id: 1, dataSha256: 'aa', dataName: 'a.parquet' }, { id: 2, dataSha256: 'bb', dataName: 'b.parquet' }, { id: 3, dataSha256: 'aa', dataName: 'a.parquet' }];
    expect(groupRunsByData(runs).map((g) => g.runs.map((r) => r.id))).toEqual([[1, 3], [2]]);
  });
});
