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
  it('a zoned column gives the wall-clock parts of its zone, as pandas does; across a change to summer time too', () => {
    // 06:30Z and 07:30Z on 2021-03-14 are 01:30 EST and 03:30 EDT in New York (02:00 was skipped);
    // 2021-03-27 23:30Z is Sunday 00:30 in Berlin (Saturday 23:30 in UTC); +05:30 is a fixed offset
    const instants = [Date.UTC(2021, 2, 14, 6, 30), Date.UTC(2021, 2, 14, 7, 30), Date.UTC(2021, 2, 27, 23, 30), null];
    const zoned = datasetFromTable(new arrow.Table({
      ny: arrow.vectorFromArray(instants, new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'America/New_York')),
      berlin: arrow.vectorFromArray(instants, new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'Europe/Berlin')),
      india: arrow.vectorFromArray(instants, new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, '+05:30')),
      utc: arrow.vectorFromArray(instants, new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, 'UTC')),
    }), 'zoned.parquet');
    expect(zoned.columns.map((c) => (c.kind === 'timestamp' ? c.timeZone : c.kind))).toEqual(['America/New_York', 'Europe/Berlin', '+05:30', 'UTC']);
    const part = (column: string, p: 'hour' | 'weekday' | 'weekend') => values(addDateParts(zoned, column, [p]).columns.find((c) => c.name === `${column}_${p}`));
    expect(part('ny', 'hour')).toEqual([1, 3, 19, null]);
    expect(part('berlin', 'hour')).toEqual([7, 8, 0, null]);
    expect(part('berlin', 'weekday')).toEqual([6, 6, 6, null]);
    expect(part('utc', 'weekday')).toEqual([6, 6, 5, null]);
    expect(part('utc', 'weekend')).toEqual([1, 1, 1, null]);
    expect(part('india', 'hour')).toEqual([12, 13, 5, null]);
  });

  it('a zone this runtime does not know is refused in one sentence naming the column and the zone', () => {
    const odd = datasetFromTable(new arrow.Table({ t: arrow.vectorFromArray([0], new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, 'Mars/Olympus_Mons')) }), 'mars.parquet');
    expect(() => addDateParts(odd, 't', ['hour'])).toThrow('date parts: column "t" names the time zone "Mars/Olympus_Mons", which is unknown here; save the column in UTC or with a zone name such as Europe/Berlin');
  });

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
