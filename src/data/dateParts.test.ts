import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { addDateParts } from './dateParts.ts';
import { filterRows } from './rowFilter.ts';
import type { Column } from './types.ts';

// 2015-01-03 is a Saturday; 2016-12-31 is day 366 of a leap year; 2015-03-02 08:15 is a Monday
const times = [Date.UTC(2015, 0, 3, 23, 59), Date.UTC(2016, 11, 31, 0, 0), Date.UTC(2015, 2, 2, 8, 15), null];
const ds = datasetFromTable(new arrow.Table({
  created_at: arrow.vectorFromArray(times, new arrow.TimestampMicrosecond()),
  device: arrow.vectorFromArray(['mobile', 'desktop', 'mobile', null], new arrow.Utf8()),
  pages: arrow.vectorFromArray([1, 7, 3, 2], new arrow.Int32()),
  ordered: arrow.vectorFromArray([0, 1, 0, 1], new arrow.Int32()),
}), 'days.parquet');

const values = (c: Column | undefined): Array<number | null> => {
  if (c?.kind !== 'numeric') throw new Error('not numeric');
  return Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
};

describe('date parts', () => {
  it('derives hour, weekday (Monday = 0), month, day of year and weekend in UTC; nulls stay null', () => {
    const out = addDateParts(ds, 'created_at', ['hour', 'weekday', 'month', 'dayofyear', 'weekend']);
    const col = (n: string) => out.columns.find((c) => c.name === n);
    expect(values(col('created_at_hour'))).toEqual([23, 0, 8, null]);
    expect(values(col('created_at_weekday'))).toEqual([5, 5, 0, null]);
    expect(values(col('created_at_month'))).toEqual([1, 12, 3, null]);
    expect(values(col('created_at_dayofyear'))).toEqual([3, 366, 61, null]);
    expect(values(col('created_at_weekend'))).toEqual([1, 1, 0, null]);
    expect(out.columns.length).toBe(ds.columns.length + 5);
    expect(ds.columns.length).toBe(4);
  });

  it('refuses a column that is not a time, naming it', () => {
    expect(() => addDateParts(ds, 'device', ['month'])).toThrow('date parts: column "device" is text, not a timestamp or date; pick a time column');
  });
});

describe('row filters', () => {
  it('ANDs several filters and counts what each keeps', () => {
    const r = filterRows(ds, [{ column: 'device', op: '=', value: 'mobile' }, { column: 'pages', op: '>=', value: '2' }]);
    expect(r.kept).toBe(1);
    expect(r.keptByFilter).toEqual([2, 3]);
    expect(values(r.dataset.columns.find((c) => c.name === 'pages'))).toEqual([3]);
  });

  it('filters a timestamp by date and drops nulls on request', () => {
    const r = filterRows(ds, [{ column: 'created_at', op: '<', value: '2016-01-01' }]);
    expect(r.kept).toBe(2);
    expect(filterRows(ds, [{ column: 'created_at', op: 'not null', value: '' }]).kept).toBe(3);
  });

  it('a filter that keeps no rows, or one class only, is one sentence naming it', () => {
    expect(() => filterRows(ds, [{ column: 'pages', op: '>', value: '99' }])).toThrow('the filters keep no rows ("pages > 99" matches no row); loosen or remove a filter');
    expect(() => filterRows(ds, [{ column: 'device', op: '=', value: 'tablet' }])).toThrow('filter "device = tablet": "tablet" is not a value of device; check the spelling (values are case-sensitive)');
    expect(() => filterRows(ds, [{ column: 'pages', op: '<', value: '4' }, { column: 'device', op: '=', value: 'mobile' }], { classTarget: 'ordered' }))
      .toThrow(/the filters keep 2 rows of one ordered class only/);
    expect(() => filterRows(ds, [{ column: 'pages', op: '>', value: 'many' }])).toThrow('filter "pages > many": "many" is not a number; pages holds numbers');
  });
});
