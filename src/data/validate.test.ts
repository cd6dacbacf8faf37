import { describe, expect, it } from 'vitest';
import { validateDataset, binaryLabels, negativeTargetWarning, regressionTargetNegatives } from './validate.ts';
import type { CategoricalColumn, Column, Dataset, NumericColumn } from './types.ts';

function num(name: string, values: number[], isBool = false): NumericColumn {
  const v = Float64Array.from(values);
  return {
    kind: 'numeric', name, arrowType: isBool ? 'Bool' : 'Float64', values: v, nullCount: values.filter((x) => Number.isNaN(x)).length,
    isBool, isInteger: values.every((x) => Number.isNaN(x) || Number.isInteger(x)), unsafeInteger: false,
  };
}

function cat(name: string, values: Array<string | null>): CategoricalColumn {
  const levels: string[] = [];
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return -1;
    if (!levels.includes(v)) levels.push(v);
    return levels.indexOf(v);
  });
  return { kind: 'categorical', name, arrowType: 'Utf8', codes, levels, nullCount: values.filter((v) => v === null).length };
}

function ds(columns: Column[]): Dataset {
  const first = columns[0];
  const rows = first === undefined ? 0 : first.kind === 'categorical' ? first.codes.length : first.values.length;
  return { source: { type: 'file', name: 't.parquet' }, rows, columns, sha256: '', bytes: 0 };
}

const rows = 40;
const ordered = Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 1 : 0));
const revenue = ordered.map((o) => (o === 1 ? 49.99 : 0));
const hour = Array.from({ length: rows }, (_, i) => i % 24);
const good = (): Column[] => [num('is_ordered', ordered), num('revenue', revenue), num('hour', hour)];
const opts = { classTarget: 'is_ordered', revenueTarget: 'revenue', features: ['hour'] };

describe('validateDataset', () => {
  it('passes a good dataset', () => {
    expect(validateDataset(ds(good()), opts)).toEqual([]);
    const grouped = [...good(), num('src_a', ordered.map((o) => 1 - o), true), num('src_b', ordered, true)];
    expect(validateDataset(ds(grouped), { ...opts, features: ['hour', 'src'] })).toEqual([]);
  });

  it('missing class target: says which columns exist', () => {
    expect(validateDataset(ds(good()), { ...opts, classTarget: 'converted' })).toEqual([
      { code: 'missing-target', column: 'converted', message: 'class target "converted" is not a column of this file; choose one of "is_ordered", "revenue", "hour" or none' },
    ]);
  });

  it('missing revenue target', () => {
    expect(validateDataset(ds(good()), { ...opts, revenueTarget: 'sales' })).toEqual([
      { code: 'missing-target', column: 'sales', message: 'revenue target "sales" is not a column of this file; choose one of "is_ordered", "revenue", "hour" or none' },
    ]);
  });

  it('non-binary class target', () => {
    const cols = [num('is_ordered', hour), num('revenue', revenue), num('hour', hour)];
    expect(validateDataset(ds(cols), opts)).toEqual([
      { code: 'target-not-binary', column: 'is_ordered', message: 'column "is_ordered" holds 24 values (0, 1, 2, 3, 4, 5, …) and the models here are two-class: to predict one class against the rest, derive a 0/1 column before loading (1 = that class); to compare two classes, keep their rows with row filters; or pick another target' },
    ]);
    const twoValues = [num('is_ordered', ordered.map((o) => o + 1)), num('revenue', revenue)];
    expect(validateDataset(ds(twoValues), { ...opts, features: [] })[0]?.message).toBe(
      'column "is_ordered" holds 1, 2; expected exactly two classes 0/1, so recode it (1 = the event to predict) or pick another target');
    const single = [num('is_ordered', ordered.map(() => 0)), num('revenue', revenue)];
    expect(validateDataset(ds(single), { ...opts, features: [] })).toEqual([
      { code: 'target-not-binary', column: 'is_ordered', message: 'column "is_ordered" holds only the value 0; a class target needs rows of both 0 and 1' },
    ]);
    const text = [cat('is_ordered', hour.map(String)), num('revenue', revenue)];
    expect(validateDataset(ds(text), { ...opts, features: [] })[0]?.message).toBe(
      'column "is_ordered" holds 24 values ("0", "1", "10", "11", "12", "13", …) and the models here are two-class: to predict one class against the rest, derive a 0/1 column before loading (1 = that class); to compare two classes, keep their rows with row filters; or pick another target');
    const segment = [cat('segment', hour.map((h) => ['bronze', 'silver', 'gold'][h % 3]!)), num('revenue', revenue)];
    expect(validateDataset(ds(segment), { ...opts, classTarget: 'segment', features: [] })[0]?.message).toBe(
      'column "segment" holds 3 values ("bronze", "gold", "silver") and the models here are two-class: to predict one class against the rest, derive a 0/1 column before loading (1 = that class); to compare two classes, keep their rows with row filters; or pick another target');
    const many = [num('score', Array.from({ length: rows }, (_, i) => i / 7)), num('revenue', revenue)];
    expect(validateDataset(ds(many), { ...opts, classTarget: 'score', features: [] })[0]?.message).toMatch(/^column "score" holds 40 values \(0, 0\.14\d+, /);
  });

  it('all-null class target', () => {
    const cols = [num('is_ordered', ordered.map(() => NaN)), num('revenue', revenue), num('hour', hour)];
    expect(validateDataset(ds(cols), opts)).toEqual([
      { code: 'target-all-null', column: 'is_ordered', message: 'column "is_ordered" is entirely null; pick a class target that holds 0/1 values' },
    ]);
  });

  it('string revenue', () => {
    const cols = [num('is_ordered', ordered), cat('revenue', revenue.map((r) => `$${r}`)), num('hour', hour)];
    expect(validateDataset(ds(cols), opts)).toEqual([
      { code: 'revenue-not-numeric', column: 'revenue', message: 'column "revenue" is string; expected a number' },
    ]);
  });

  it('a negative regression target is a warning that names the count, not a refusal', () => {
    const cols = [num('is_ordered', ordered), num('revenue', revenue.map((r, i) => (i === 3 ? -12.5 : i === 5 ? -1 : r))), num('hour', hour)];
    expect(validateDataset(ds(cols), opts)).toEqual([]);
    const negatives = regressionTargetNegatives(ds(cols), 'revenue');
    expect(negatives).toEqual({ count: 2, min: -12.5 });
    expect(negativeTargetWarning('revenue', negatives)).toBe('column "revenue" has 2 negative values (lowest -12.5): MAPE is n/a where the test target crosses 0');
    expect(negativeTargetWarning('revenue', regressionTargetNegatives(ds(good()), 'revenue'))).toBeNull();
    expect(regressionTargetNegatives(ds(cols), null)).toBeNull();
  });

  it('an all-null feature is no refusal (the encoder leaves it out and says so); an unknown feature is', () => {
    const cols = [...good(), num('coupon', hour.map(() => NaN))];
    expect(validateDataset(ds(cols), { ...opts, features: ['hour', 'coupon', 'promo', 'revenue'] })).toEqual([
      { code: 'missing-feature', column: 'promo', message: 'feature "promo" is not a column of this file; remove it from the feature list' },
    ]);
  });

  it('too few rows of a class', () => {
    expect(validateDataset(ds(good()), { ...opts, minRowsPerClass: 11 })).toEqual([
      { code: 'too-few-rows-of-class', column: 'is_ordered', message: 'class is_ordered = 1 has only 10 rows; at least 11 are needed, so load more data or pick another target' },
    ]);
  });

  it('a 5-row file: one sentence about the file, naming the target and both counts', () => {
    const cols = [num('bought', [1, 0, 1, 0, 0]), num('visits', [1, 2, 3, 4, 5])];
    expect(validateDataset(ds(cols), { classTarget: 'bought', revenueTarget: null, features: ['visits'] })).toEqual([
      { code: 'too-few-rows-of-class', column: 'bought', message: '5 rows are too few to train and test a classifier: bought = 0 on 3 and = 1 on 2 rows, and at least 10 of each are needed; load a larger file' },
    ]);
  });

  it('class target with some nulls', () => {
    const cols = [num('is_ordered', ordered.map((o, i) => (i === 1 ? NaN : o))), num('revenue', revenue), num('hour', hour)];
    expect(validateDataset(ds(cols), opts)).toEqual([
      { code: 'target-has-nulls', column: 'is_ordered', message: 'column "is_ordered" has 1 null rows; drop or fill them before training' },
    ]);
  });

  it('a regression target with nulls: refused where the regressor would fit a 0 the file never held, counted as 0 where the class is negative', () => {
    // rows 0, 4, 8 … are ordered; a null on ordered rows 4 and 12 and on unordered rows 1 and 2
    const price = revenue.map((r, i) => (i === 4 || i === 12 || i === 1 || i === 2 ? NaN : r));
    const cols = [num('is_ordered', ordered), num('price', price), num('hour', hour)];
    expect(validateDataset(ds(cols), { ...opts, revenueTarget: 'price' })).toEqual([{
      code: 'target-has-nulls', column: 'price',
      message: 'regression target "price" is null on 2 rows where is_ordered = 1 (rows 4, 12, counting from 0); drop those rows (row filter "price not null" in the Features cell) or fill them before training',
    }]);
    // nulls only where nothing was ordered: no revenue, counted as 0
    const onlyUnordered = revenue.map((r, i) => (i === 1 || i === 2 ? NaN : r));
    expect(validateDataset(ds([num('is_ordered', ordered), num('price', onlyUnordered), num('hour', hour)]), { ...opts, revenueTarget: 'price' })).toEqual([]);
    // no class target: every row is fitted, so every null counts
    expect(validateDataset(ds(cols), { classTarget: null, revenueTarget: 'price', features: ['hour'] })[0]?.message).toBe(
      'regression target "price" is null on 4 rows (rows 1, 2, 4, …, counting from 0); drop those rows (row filter "price not null" in the Features cell) or fill them before training');
  });
});

describe('binaryLabels', () => {
  it('bools and two-level text work; "yes" is the positive class', () => {
    const b = binaryLabels(num('flag', [1, 0, 0], true));
    if (typeof b === 'string') throw new Error(b);
    expect([b.positives, b.negatives]).toEqual([1, 2]);
    const t = binaryLabels(cat('bought', ['yes', 'no', 'no', null]));
    if (typeof t === 'string') throw new Error(t);
    expect([t.positiveLabel, t.negativeLabel, t.positives, t.negatives, t.nulls]).toEqual(['yes', 'no', 1, 2, 1]);
    expect(Array.from(t.y)).toEqual([1, 0, 0, 255]);
  });
});

describe('validateDataset: infinite values', () => {
  it('names ±Infinity in a feature and in the revenue target with their count and first rows', () => {
    const spend = Array.from({ length: rows }, (_, i) => i);
    spend[3] = -Infinity;
    const revenue = ordered.map((o) => o * 10);
    for (const r of [1, 2, 7, 9, 11]) revenue[r] = Infinity;
    const issues = validateDataset(ds([num('is_ordered', ordered), num('revenue', revenue), num('spend', spend)]), {
      classTarget: 'is_ordered', revenueTarget: 'revenue', features: ['spend'],
    });
    expect(issues.filter((i) => i.code === 'not-finite').map((i) => i.message)).toEqual([
      'revenue column "revenue" has 5 infinite values (rows 1, 2, 7, …, counting from 0); replace them or drop those rows before training',
      'feature "spend" has 1 infinite value (row 3, counting from 0); replace them or drop those rows before training',
    ]);
  });

  it('names finite values beyond float32, which the model matrix would turn into Infinity', () => {
    const spend = Array.from({ length: rows }, (_, i) => (i % 4 === 1 ? (i % 8 === 1 ? 1e300 : -4e38) : i));
    spend[0] = 3.4e38; // within float32: kept
    const issues = validateDataset(ds([num('is_ordered', ordered), num('revenue', ordered.map((o) => o * 10)), num('spend', spend)]), {
      classTarget: 'is_ordered', revenueTarget: 'revenue', features: ['spend'],
    });
    const huge = spend.filter((v) => Math.abs(v) > 3.4028234663852886e38).length;
    expect(Math.fround(-4e38)).toBe(-Infinity);
    expect(issues.filter((i) => i.code === 'out-of-range').map((i) => i.message)).toEqual([
      `feature "spend" has ${huge} values beyond ±3.4e38, more than the models hold (rows 1, 5, 9, …, counting from 0); rescale the column or drop those rows before training`,
    ]);
    expect(issues.filter((i) => i.code === 'not-finite')).toEqual([]);
  });
});
