import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { appendTestFile } from './testFile.ts';
import { cellText, cellValue } from './cellText.ts';
import { createColumnDecoder } from './decode.ts';
import { planSplit } from '../trainers/splitPlan.ts';

const file = (name: string, device: string[], pages: number[], y: number[]) => datasetFromTable(new arrow.Table({
  device: arrow.vectorFromArray(device, new arrow.Utf8()),
  pages: arrow.vectorFromArray(pages, new arrow.Int32()),
  is_ordered: arrow.vectorFromArray(y, new arrow.Int32()),
}), name);

describe('a separate test file', () => {
  const train = file('train.parquet', Array.from({ length: 40 }, (_, i) => (i % 2 ? 'mobile' : 'desktop')), Array.from({ length: 40 }, (_, i) => i % 5), Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0)));
  const test = file('test.parquet', ['tablet', 'mobile', 'desktop', 'mobile'], [9, 1, 2, 3], [1, 0, 0, 1]);

  it('appends its rows after the training rows with levels merged; the split tests exactly those rows', () => {
    const { dataset, trainRows } = appendTestFile(train, test);
    expect(trainRows).toBe(40);
    expect(dataset.rows).toBe(44);
    const device = dataset.columns[0];
    expect(Array.from({ length: 4 }, (_, i) => (device ? cellText(device, 40 + i) : ''))).toEqual(['tablet', 'mobile', 'desktop', 'mobile']);
    const plan = planSplit(dataset, { kind: 'test-file', name: 'test.parquet', trainRows }, Float64Array.from({ length: 44 }, (_, i) => (i < 40 ? (i % 4 === 0 ? 1 : 0) : [1, 0, 0, 1][i - 40] ?? 0)), { testFraction: 0.2, validationFraction: 0.25, seed: 1 });
    expect(Array.from(plan.test)).toEqual([40, 41, 42, 43]);
    expect(plan.fit.length + plan.valid.length).toBe(40);
    expect(plan.parts.test.positives).toBe(2);
  });

  it('names the column of a mismatch: missing, other type, extra', () => {
    const missing = datasetFromTable(new arrow.Table({
      device: arrow.vectorFromArray(['mobile'], new arrow.Utf8()),
      is_ordered: arrow.vectorFromArray([1], new arrow.Int32()),
    }), 'short.parquet');
    expect(() => appendTestFile(train, missing)).toThrow('test file short.parquet has no column "pages"; load a test file with the training file\'s columns');
    const retyped = datasetFromTable(new arrow.Table({
      device: arrow.vectorFromArray(['mobile'], new arrow.Utf8()),
      pages: arrow.vectorFromArray(['3'], new arrow.Utf8()),
      is_ordered: arrow.vectorFromArray([1], new arrow.Int32()),
      extra: arrow.vectorFromArray([1], new arrow.Int32()),
    }), 'typed.parquet');
    expect(() => appendTestFile(train, retyped)).toThrow('column "pages" is text in the test file but whole numbers in the training file; save both files with the same types\ntest file typed.parquet has columns the training file lacks ("extra"); drop them or load matching files');
  });
});

describe('exact ids', () => {
  it('shows 64-bit integers beyond 2^53 exactly, in preview text and report values', () => {
    const ids = [9007199254740993n, 1234567890123185524n, 5n];
    const ds = datasetFromTable(new arrow.Table({ session_id: arrow.vectorFromArray(ids, new arrow.Int64()), y: arrow.vectorFromArray([0, 1, 0], new arrow.Int32()) }));
    const col = ds.columns[0];
    if (col?.kind !== 'numeric') throw new Error('numeric');
    expect(col.unsafeInteger).toBe(true);
    expect([0, 1, 2].map((r) => cellText(col, r))).toEqual(['9007199254740993', '1234567890123185524', '5']);
    expect(cellValue(col, 1)).toBe('1234567890123185524');
    // the float the model layer sees is rounded: that is why the text must not come from it
    expect(String(col.values[1])).not.toBe('1234567890123185524');
  });

  it('keeps exact ids when only a later row group goes beyond 2^53', () => {
    const a = new arrow.Table({ id: arrow.vectorFromArray([1n, 2n ** 52n], new arrow.Int64()) });
    const b = new arrow.Table({ id: arrow.vectorFromArray([2n ** 62n + 3n], new arrow.Int64()) });
    const d = createColumnDecoder(a.schema, 3);
    d.append(a);
    d.append(b);
    const col = d.finish().columns[0];
    if (col?.kind !== 'numeric') throw new Error('numeric');
    expect([0, 1, 2].map((r) => cellText(col, r))).toEqual(['1', String(2 ** 52), String(2n ** 62n + 3n)]);
  });
});
