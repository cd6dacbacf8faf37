import { describe, expect, it } from 'vitest';
import { copyDataset } from './datasetCopy.ts';
import type { Dataset } from './types.ts';

const ds: Dataset = {
  source: { type: 'file', name: 'x.parquet' }, rows: 3, sha256: '', bytes: 0,
  columns: [
    { kind: 'numeric', name: 'flag', arrowType: 'Bool', values: Uint8Array.of(1, 0, 1), nullCount: 0, isBool: true, isInteger: true, unsafeInteger: false },
    { kind: 'numeric', name: 'revenue', arrowType: 'Float64', values: Float64Array.of(1.5, Number.NaN, 0), nullCount: 1, isBool: false, isInteger: false, unsafeInteger: false },
    { kind: 'categorical', name: 'device', arrowType: 'Utf8', codes: Int32Array.of(0, 1, -1), levels: ['desktop', 'mobile'], nullCount: 1 },
    { kind: 'timestamp', name: 'at', arrowType: 'Timestamp', values: Float64Array.of(0, 1000, 2000), nullCount: 0 },
  ],
};

describe('copyDataset', () => {
  for (const [memory, allocate] of [['shared', (n: number) => new SharedArrayBuffer(n)], ['private', (n: number) => new ArrayBuffer(n)]] as const) {
    it(`${memory}: equal values and types in new memory of that kind`, () => {
      const copy = copyDataset(ds, allocate);
      expect(copy).toEqual(ds);
      copy.columns.forEach((c, i) => {
        const a = c.kind === 'categorical' ? c.codes : c.values;
        const original = ds.columns[i]!;
        const b = original.kind === 'categorical' ? original.codes : original.values;
        expect(a.constructor).toBe(b.constructor);
        expect(a.buffer).not.toBe(b.buffer);
        expect(a.buffer instanceof SharedArrayBuffer).toBe(memory === 'shared');
      });
    });
  }
});
