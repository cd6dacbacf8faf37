import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { randomSplit, defaultSplitSpec, groupShuffleSplit, parseCutoff, parseSplitArg, planSplit, timeSplit } from './splitPlan.ts';
import { splitForClassifier } from './classifier.ts';
import golden from './golden/sklearn-split.json' with { type: 'json' };

const DAY = 86_400_000;
const opts = { testFraction: 0.2, validationFraction: 0.25, seed: 7 };

/** 100 sessions, one a day from 2020-01-01, plus 5 more at exactly 2020-03-01 (ties at the cutoff); every 4th converts. */
function sessionsFile(withNull = false): ReturnType<typeof datasetFromTable> {
  const start = Date.UTC(2020, 0, 1);
  const times: Array<number | null> = Array.from({ length: 100 }, (_, i) => start + i * DAY);
  for (let k = 0; k < 5; k++) times.push(Date.UTC(2020, 2, 1));
  if (withNull) { times[3] = null; times[50] = null; }
  const y = times.map((_, i) => (i % 4 === 0 ? 1 : 0));
  const user = times.map((_, i) => `u${i % 13}`);
  return datasetFromTable(new arrow.Table({
    created_at: arrow.vectorFromArray(times, new arrow.TimestampMicrosecond()),
    user: arrow.vectorFromArray(user, new arrow.Utf8()),
    converted: arrow.vectorFromArray(y, new arrow.Int32()),
  }), 'sessions.parquet');
}

const timesOf = (ds: ReturnType<typeof sessionsFile>): Float64Array => {
  const c = ds.columns.find((x) => x.name === 'created_at');
  if (c?.kind !== 'timestamp') throw new Error('created_at is not a timestamp');
  return c.values;
};

describe('time split on a file the test writes', () => {
  const ds = sessionsFile();
  const t = timesOf(ds);
  const y = Float64Array.from({ length: ds.rows }, (_, i) => (i % 4 === 0 ? 1 : 0));

  it('puts every row at or after the cutoff in test (ties at the cutoff included) and validation right before it', () => {
    const cutoff = Date.UTC(2020, 2, 1); // day 60 and the five extra rows
    const plan = planSplit(ds, { kind: 'time', column: 'created_at', cutoff }, y, opts);
    const testTimes = Array.from(plan.test, (r) => t[r] as number);
    expect(Math.min(...testTimes)).toBe(cutoff);
    expect(plan.test.length).toBe(100 - 60 + 5);
    const train = [...plan.fit, ...plan.valid];
    expect(train.length).toBe(60);
    expect(Math.max(...train.map((r) => t[r] as number))).toBe(cutoff - DAY);
    // validation: the latest ceil(25 % of 60) = 15 training rows, after every fit row
    expect(plan.valid.length).toBe(15);
    expect(Math.max(...Array.from(plan.fit, (r) => t[r] as number))).toBeLessThan(Math.min(...Array.from(plan.valid, (r) => t[r] as number)));
    expect(plan.parts.test.from).toBe(cutoff);
    expect(plan.parts.test.to).toBe(Date.UTC(2020, 0, 1) + 99 * DAY);
    expect(plan.parts.fit.from).toBe(Date.UTC(2020, 0, 1));
    expect(plan.parts.test.positives).toBe(Array.from(plan.test).filter((r) => r % 4 === 0).length);
    expect(plan.description).toContain('test from 2020-03-01');
  });

  it('cutoff edges: the first time is refused, one step after it trains on one day', () => {
    const first = Date.UTC(2020, 0, 1);
    expect(() => timeSplit(t, 'created_at', { cutoff: first, ...opts })).toThrow('cutoff 2020-01-01 is at or before the first created_at (2020-01-01 – 2020-04-09): no rows would train; pick a date inside that range');
    expect(() => timeSplit(t, 'created_at', { cutoff: first + 100 * DAY, ...opts })).toThrow(/is after the last created_at/);
    expect(() => timeSplit(t, 'created_at', { cutoff: first + DAY, ...opts })).toThrow(/all share one time/);
    const s = timeSplit(t, 'created_at', { cutoff: first + 2 * DAY, ...opts });
    expect([s.fit.length, s.valid.length, s.test.length]).toEqual([1, 1, 103]);
    const last = timeSplit(t, 'created_at', { cutoff: first + 99 * DAY, ...opts });
    expect(last.test.length).toBe(1);
  });

  it('the latest 20 % of rows as test keeps the tied rows together', () => {
    // rows sorted by time: 60 days, 5 ties + day 60, …; the 21 latest rows start inside no tie, so test = days 79..99
    const s = timeSplit(t, 'created_at', opts);
    expect(s.test.length).toBe(21);
    // ask for a share whose boundary falls inside the six rows at 2020-03-01: all six go to test
    const tie = timeSplit(t, 'created_at', { testFraction: 43 / 105, validationFraction: 0.25 });
    expect(tie.cutoff).toBe(Date.UTC(2020, 2, 1));
    expect(tie.test.length).toBe(45);
  });

  it('refuses nulls in the time column with their count; a text column is not a time', () => {
    const withNull = sessionsFile(true);
    expect(() => planSplit(withNull, { kind: 'time', column: 'created_at' }, null, opts))
      .toThrow('time column "created_at" has 2 null rows; filter them out (created_at not null) or choose another split');
    expect(() => planSplit(ds, { kind: 'time', column: 'user' }, null, opts))
      .toThrow('column "user" is text, not a timestamp or date; pick a time column or a random split');
    expect(() => planSplit(ds, { kind: 'time', column: 'when' }, null, opts)).toThrow('time column "when" is not in this file; pick one of its columns');
  });

  it('is the default when the file has a timestamp; random otherwise', () => {
    expect(defaultSplitSpec(ds)).toEqual({ kind: 'time', column: 'created_at' });
    expect(defaultSplitSpec({ ...ds, columns: ds.columns.filter((c) => c.kind !== 'timestamp') })).toEqual({ kind: 'random' });
  });
});

describe('group split', () => {
  const ds = sessionsFile();
  it('never puts one group on two sides', () => {
    const plan = planSplit(ds, { kind: 'group', column: 'user' }, null, opts);
    const user = ds.columns.find((c) => c.name === 'user');
    if (user?.kind !== 'categorical') throw new Error('user');
    const sideOf = new Map<number, string>();
    for (const [side, rows] of [['fit', plan.fit], ['valid', plan.valid], ['test', plan.test]] as const) {
      for (const r of rows) {
        const g = user.codes[r] as number;
        expect(sideOf.get(g) ?? side).toBe(side);
        sideOf.set(g, side);
      }
    }
    expect(plan.fit.length + plan.valid.length + plan.test.length).toBe(ds.rows);
    // ceil(0.2 · 13) = 3 test groups
    expect(new Set(Array.from(plan.test, (r) => user.codes[r])).size).toBe(3);
  });

  it('draws the test groups as GroupShuffleSplit does: np.unique order, then RandomState(seed).permutation', () => {
    const perm = golden.permutations.find((p) => p.seed === 42 && p.n === 20);
    if (perm === undefined) throw new Error('golden permutation missing');
    const keys = Array.from({ length: 60 }, (_, i) => 100 + (i % 20) * 3); // 20 groups, keys 100, 103, …
    const [, test] = groupShuffleSplit(keys, 0.2, 42, 'id');
    const testKeys = new Set(Array.from(test, (r) => keys[r]));
    expect([...testKeys].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(perm.values.slice(0, 4).map((k) => 100 + k * 3).sort((a, b) => a - b));
  });
});

describe('random split and arguments', () => {
  it('is exactly the classifier\'s scikit-learn split', () => {
    const y = Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const a = randomSplit(y, { testFraction: 0.2, validationFraction: 0.15, seed: 42 });
    const b = splitForClassifier(y, 0.2, 0.15, 42);
    expect([a.fit, a.valid, a.test]).toEqual([b.fit, b.valid, b.test]);
  });

  it('parses the pipeline --split and a typed cutoff', () => {
    expect(parseSplitArg('random')).toEqual({ kind: 'random' });
    expect(parseSplitArg('time:created_at')).toEqual({ kind: 'time', column: 'created_at' });
    expect(parseSplitArg('time:created_at:2015-01-01')).toEqual({ kind: 'time', column: 'created_at', cutoff: Date.UTC(2015, 0, 1) });
    expect(parseSplitArg('group:user_id')).toEqual({ kind: 'group', column: 'user_id' });
    expect(parseSplitArg('time:created_at:01/01/2015')).toBe('cutoff "01/01/2015" is not a date; type it as YYYY-MM-DD, e.g. 2015-01-01');
    expect(parseSplitArg('kfold')).toMatch(/is not random, time/);
    expect(parseCutoff('2015-02-30')).toMatch(/not a real date/);
    expect(parseCutoff('2015-01-01 12:30')).toBe(Date.UTC(2015, 0, 1, 12, 30));
  });
});
