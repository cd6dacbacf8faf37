import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pq from 'parquet-wasm';
import * as arrow from 'apache-arrow';
import { createColumnDecoder, decodeTable } from './decode.ts';
import type { Column } from './types.ts';

/** Arrow table → parquet bytes → per-row-group Arrow tables, the way the loader worker sees a file. */
function roundTrip(table: arrow.Table, rowGroupSize = 1024): { schema: arrow.Schema; rows: number; rowGroups: arrow.Table[] } {
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(rowGroupSize).build();
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
  const rowGroups: arrow.Table[] = [];
  let rows = 0;
  for (let i = 0; rows < table.numRows; i++) {
    const t = arrow.tableFromIPC(pq.readParquet(bytes, { rowGroups: [i] }).intoIPCStream());
    rowGroups.push(t);
    rows += t.numRows;
  }
  const first = rowGroups[0];
  if (first === undefined) throw new Error('no row groups');
  return { schema: first.schema, rows, rowGroups };
}

function byName(columns: readonly Column[], name: string): Column {
  const c = columns.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no column ${name}`);
  return c;
}

const N = 3000;
const BIG = 2n ** 60n + 7n;

function fixture(): arrow.Table {
  const flags: Array<boolean | null> = [];
  const small: number[] = [];
  const big: bigint[] = [];
  const doubles: Array<number | null> = [];
  const text: Array<string | null> = [];
  const dict: Array<string | null> = [];
  const times: Array<number | null> = [];
  const words = ['alpha', 'beta', 'gamma', 'délta'];
  for (let i = 0; i < N; i++) {
    flags.push(i % 7 === 0 ? null : i % 3 === 0);
    small.push(i % 24);
    big.push(i === 1500 ? BIG : BigInt(i) - 5n);
    doubles.push(i % 10 === 0 ? null : i * 0.5);
    // row group 2 brings a level unseen in row group 1
    text.push(i % 11 === 0 ? null : i >= 2048 && i % 5 === 0 ? 'late' : (words[i % 4] ?? ''));
    dict.push(i % 13 === 0 ? null : i % 2 === 0 ? 'x' : 'y');
    times.push(i === 5 ? null : Date.UTC(2014, 0, 1) + i * 3_600_000);
  }
  return new arrow.Table({
    flag: arrow.vectorFromArray(flags, new arrow.Bool()),
    hour: arrow.vectorFromArray(small, new arrow.Int32()),
    big_id: arrow.vectorFromArray(big, new arrow.Int64()),
    amount: arrow.vectorFromArray(doubles, new arrow.Float64()),
    word: arrow.vectorFromArray(text, new arrow.Utf8()),
    side: arrow.vectorFromArray(dict, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    at: arrow.vectorFromArray(times, new arrow.TimestampMicrosecond()),
    tags: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => [i, i + 1]), new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
  });
}

describe('decode: every column type through parquet, row group by row group', () => {
  const source = fixture();
  const { schema, rows, rowGroups } = roundTrip(source);
  const decoder = createColumnDecoder(schema, rows);
  for (const t of rowGroups) decoder.append(t);
  const { columns, notes } = decoder.finish();

  it('reads the file in several row groups', () => {
    expect(rowGroups.length).toBe(3);
    expect(rows).toBe(N);
  });

  it('bool → 0/1 with NaN for null', () => {
    const c = byName(columns, 'flag');
    if (c.kind !== 'numeric') throw new Error('kind');
    expect(c.isBool).toBe(true);
    expect(c.nullCount).toBe(Math.ceil(N / 7));
    expect(c.values[0]).toBeNaN();
    const expected = Array.from(source.getChild('flag') ?? [], (v) => (v === null ? NaN : v ? 1 : 0));
    expect(Array.from(c.values)).toEqual(expected);
    expect([c.values[3], c.values[4], c.values[2050], c.values[2052]]).toEqual([1, 0, 0, 1]);
  });

  it('int32 → numbers', () => {
    const c = byName(columns, 'hour');
    if (c.kind !== 'numeric') throw new Error('kind');
    expect(c.isInteger).toBe(true);
    expect(c.unsafeInteger).toBe(false);
    expect(Array.from(c.values.subarray(2045, 2051))).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('int64 beyond 2^53 sets unsafeInteger and keeps an approximate value; negatives survive', () => {
    const c = byName(columns, 'big_id');
    if (c.kind !== 'numeric') throw new Error('kind');
    expect(c.unsafeInteger).toBe(true);
    expect(c.values[1500]).toBe(Number(BIG));
    expect(c.values[0]).toBe(-5);
    expect(c.values[2999]).toBe(2994);
  });

  it('double with nulls → NaN counted', () => {
    const c = byName(columns, 'amount');
    if (c.kind !== 'numeric') throw new Error('kind');
    expect(c.nullCount).toBe(N / 10);
    expect(c.values[10]).toBeNaN();
    expect(c.values[11]).toBe(5.5);
    expect(c.isInteger).toBe(false);
  });

  it('a float NaN (pandas\' missing value) is counted as a null beside the file\'s own nulls, in every row group', () => {
    const values = Array.from({ length: 2500 }, (_, i) => (i % 9 === 4 ? NaN : i % 25 === 0 ? null : i / 4));
    const { schema, rowGroups } = roundTrip(new arrow.Table({ x: arrow.vectorFromArray(values, new arrow.Float64()), y: arrow.vectorFromArray(values.map(() => 1), new arrow.Float32()) }));
    const decoder = createColumnDecoder(schema, 2500);
    for (const t of rowGroups) decoder.append(t);
    const cols = decoder.finish().columns;
    const x = byName(cols, 'x');
    expect(x.nullCount).toBe(values.filter((v) => v === null || Number.isNaN(v)).length);
    expect(byName(cols, 'y').nullCount).toBe(0);
  });

  it('utf8 with nulls → codes into levels merged across row groups (non-ASCII intact)', () => {
    const c = byName(columns, 'word');
    if (c.kind !== 'categorical') throw new Error('kind');
    expect(c.levels).toEqual(['beta', 'gamma', 'délta', 'alpha', 'late']);
    expect(c.nullCount).toBe(Math.ceil(N / 11));
    expect(c.codes[0]).toBe(-1);
    const decoded = Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]));
    expect(decoded).toEqual(source.getChild('word')?.toArray());
  });

  it('dictionary → categorical', () => {
    const c = byName(columns, 'side');
    if (c.kind !== 'categorical') throw new Error('kind');
    expect(c.nullCount).toBe(Math.ceil(N / 13));
    const decoded = Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]));
    expect(decoded).toEqual(Array.from(source.getChild('side') ?? [], (v) => v ?? null));
  });

  it('timestamp[us] → epoch ms', () => {
    const c = byName(columns, 'at');
    if (c.kind !== 'timestamp') throw new Error('kind');
    expect(c.values[0]).toBe(Date.UTC(2014, 0, 1));
    expect(c.values[5]).toBeNaN();
    expect(c.values[2999]).toBe(Date.UTC(2014, 0, 1) + 2999 * 3_600_000);
    expect(c.nullCount).toBe(1);
  });

  it('lists are skipped with a note naming the column', () => {
    expect(columns.map((c) => c.name)).not.toContain('tags');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^column "tags" is List/);
  });

  it('stores each column in the narrowest exact array: bytes only for 0–255 integers without nulls', () => {
    const storage = (name: string): string => {
      const c = byName(columns, name);
      return c.kind === 'categorical' ? 'codes' : c.values.constructor.name;
    };
    expect(storage('hour')).toBe('Uint8Array'); // 0–23, no nulls
    expect(storage('flag')).toBe('Float32Array'); // a bool with nulls needs NaN
    expect(storage('amount')).toBe('Float32Array'); // halves up to 1499.5 are exact in float32; nulls are NaN
    expect(storage('big_id')).toBe('Float32Array'); // negatives; 2^60 + 7 is already 2^60 as a double, exact in float32
  });

  it('refuses more rows than the footer promised', () => {
    const d = createColumnDecoder(schema, 10);
    expect(() => d.append(rowGroups[0] ?? source)).toThrow(/footer promised 10/);
  });
});

describe('decode: arrow-only types', () => {
  it('decimals decode to unscaled / 10^scale (a null is NaN, negatives and values beyond 64 bits too) through a parquet file', () => {
    // unscaled 128-bit two's complement integers: 1234 (12.34), -5 (-0.05), null, 2^70 + 1 (11805916207174113034.25)
    const unscaled = [1234n, -5n, 0n, 2n ** 70n + 25n];
    const words = new Uint32Array(unscaled.length * 4);
    unscaled.forEach((v, i) => { for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((BigInt.asUintN(128, v) >> BigInt(32 * w)) & 0xffffffffn); });
    const price = arrow.makeVector(arrow.makeData({ type: new arrow.Decimal(2, 38, 128), length: 4, nullCount: 1, nullBitmap: Uint8Array.of(0b1011), data: words }));
    const { schema, rows, rowGroups } = roundTrip(new arrow.Table({ price }));
    const d = createColumnDecoder(schema, rows);
    for (const t of rowGroups) d.append(t);
    const { columns, notes } = d.finish();
    expect(notes).toEqual([]);
    const c = byName(columns, 'price');
    if (c.kind !== 'numeric') throw new Error('kind');
    expect(Array.from(c.values)).toEqual([12.34, -0.05, NaN, Number(2n ** 70n + 25n) / 100]);
    expect(c.nullCount).toBe(1);
    expect(c.isInteger).toBe(false);
  });

  it('timestamps of every unit, with and without a time zone, and dates are the same epoch milliseconds', () => {
    const at = [Date.UTC(2021, 2, 27, 22, 30, 15, 250), Date.UTC(1969, 11, 31, 23), null];
    const table = new arrow.Table({
      s: arrow.vectorFromArray(at.map((v) => (v === null ? null : Math.floor(v / 1000) * 1000)), new arrow.TimestampSecond()),
      ms: arrow.vectorFromArray(at, new arrow.TimestampMillisecond()),
      us_berlin: arrow.vectorFromArray(at, new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'Europe/Berlin')),
      ns_utc: arrow.vectorFromArray(at, new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'UTC')),
      day: arrow.vectorFromArray(at.map((v) => (v === null ? null : new Date(v))), new arrow.DateDay()),
    });
    const { schema, rows, rowGroups } = roundTrip(table);
    const d = createColumnDecoder(schema, rows);
    for (const t of rowGroups) d.append(t);
    const { columns } = d.finish();
    const values = (name: string): number[] => { const c = byName(columns, name); if (c.kind !== 'timestamp') throw new Error(`${name} is ${c.kind}`); return Array.from(c.values); };
    // parquet stores seconds as milliseconds; an instant is an instant whatever zone the column names
    expect(values('s')).toEqual([Date.UTC(2021, 2, 27, 22, 30, 15), Date.UTC(1969, 11, 31, 23), NaN]);
    expect(values('ms')).toEqual([at[0], at[1], NaN]);
    expect(values('us_berlin')).toEqual([at[0], at[1], NaN]);
    expect(values('ns_utc')).toEqual([at[0], at[1], NaN]);
    expect(values('day')).toEqual([Date.UTC(2021, 2, 27), Date.UTC(1969, 11, 31), NaN]);
  });

  it('dictionary batches with different dictionaries merge levels; date32 and uint64 decode', () => {
    const a = arrow.vectorFromArray(['p', 'q', null], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8()));
    const b = arrow.vectorFromArray(['r', 'p'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8()));
    const days = arrow.vectorFromArray([Date.UTC(2020, 1, 3), null, 0], new arrow.DateDay());
    const days2 = arrow.vectorFromArray([86_400_000, 0], new arrow.DateDay());
    const u = arrow.vectorFromArray([1n, 2n ** 63n, 3n], new arrow.Uint64());
    const u2 = arrow.vectorFromArray([4n, 5n], new arrow.Uint64());
    const t1 = new arrow.Table({ d: a, day: days, u });
    const t2 = new arrow.Table({ d: b, day: days2, u: u2 });
    const decoder = createColumnDecoder(t1.schema, 5);
    decoder.append(t1);
    decoder.append(t2);
    const { columns } = decoder.finish();
    const d = byName(columns, 'd');
    if (d.kind !== 'categorical') throw new Error('kind');
    expect(Array.from(d.codes, (k) => (k < 0 ? null : d.levels[k]))).toEqual(['p', 'q', null, 'r', 'p']);
    const day = byName(columns, 'day');
    expect(day.kind).toBe('timestamp');
    if (day.kind !== 'timestamp') throw new Error('kind');
    expect(Array.from(day.values)).toEqual([Date.UTC(2020, 1, 3), NaN, 0, 86_400_000, 0]);
    const uc = byName(columns, 'u');
    if (uc.kind !== 'numeric') throw new Error('kind');
    expect(uc.unsafeInteger).toBe(true);
    expect(Array.from(uc.values)).toEqual([1, 2 ** 63, 3, 4, 5]);
  });

  it('decodes into the memory it is given (shared with the page): the same columns, widened ones too', () => {
    const first = new arrow.Table({ n: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()), s: arrow.vectorFromArray(['a', null, 'b'], new arrow.Utf8()), t: arrow.vectorFromArray([0, 86_400_000, null], new arrow.DateMillisecond()) });
    // the second chunk's n has a null: the byte column widens to floats mid-file
    const second = new arrow.Table({ n: arrow.vectorFromArray([7, null], new arrow.Int32()), s: arrow.vectorFromArray(['b', 'c'], new arrow.Utf8()), t: arrow.vectorFromArray([1, 2], new arrow.DateMillisecond()) });
    const decode = (allocate?: (n: number) => ArrayBuffer | SharedArrayBuffer) => {
      const d = createColumnDecoder(first.schema, 5, allocate);
      d.append(first);
      d.append(second);
      return d.finish().columns;
    };
    const own = decode();
    const shared = decode((n) => new SharedArrayBuffer(n));
    const bytesOf = (c: Column) => (c.kind === 'categorical' ? c.codes : c.values);
    expect(shared.map((c) => bytesOf(c).buffer instanceof SharedArrayBuffer)).toEqual([true, true, true]);
    expect(shared.map((c) => Array.from(bytesOf(c)))).toEqual(own.map((c) => Array.from(bytesOf(c))));
    expect(shared.map((c) => bytesOf(c).constructor.name)).toEqual(['Float32Array', 'Int32Array', 'Float64Array']);
    expect(own.map((c) => bytesOf(c).constructor.name)).toEqual(['Float32Array', 'Int32Array', 'Float64Array']);
  });

  it('a short final read is trimmed by finish', () => {
    const t = new arrow.Table({ x: arrow.vectorFromArray([1, 2], new arrow.Float64()) });
    const d = createColumnDecoder(t.schema, 5);
    d.append(t);
    const c = d.finish().columns[0];
    if (c?.kind !== 'numeric') throw new Error('kind');
    expect(Array.from(c.values)).toEqual([1, 2]);
  });
});

describe('decode: numeric storage widens chunk by chunk', () => {
  const decodeChunks = (type: arrow.DataType, ...chunks: Array<Array<number | bigint | boolean | null>>): Column => {
    const tables = chunks.map((values) => new arrow.Table({ x: arrow.vectorFromArray(values, type) }));
    const first = tables[0];
    if (first === undefined) throw new Error('no chunks');
    const decoder = createColumnDecoder(first.schema, chunks.reduce((a, c) => a + c.length, 0));
    for (const t of tables) decoder.append(t);
    const c = decoder.finish().columns[0];
    if (c?.kind !== 'numeric') throw new Error('kind');
    return c;
  };
  const valuesOf = (c: Column): number[] => (c.kind === 'categorical' ? [] : Array.from(c.values));

  it('a bool column without nulls is bytes of 0/1', () => {
    const c = decodeChunks(new arrow.Bool(), [true, false, true, true, false, false, true, false, true], [false, true]);
    expect(c.kind === 'numeric' && c.values).toBeInstanceOf(Uint8Array);
    expect(valuesOf(c)).toEqual([1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1]);
  });

  it('int64 0/1 and int32 hours are bytes; the flags say integer and safe', () => {
    const flags = decodeChunks(new arrow.Int64(), [0n, 1n, 1n], [0n]);
    expect(flags.kind === 'numeric' && flags.values).toBeInstanceOf(Uint8Array);
    expect(flags.kind === 'numeric' && [flags.isInteger, flags.unsafeInteger]).toEqual([true, false]);
    expect(valuesOf(flags)).toEqual([0, 1, 1, 0]);
    const hours = decodeChunks(new arrow.Int32(), [0, 23, 255]);
    expect(hours.kind === 'numeric' && hours.values).toBeInstanceOf(Uint8Array);
    expect(valuesOf(hours)).toEqual([0, 23, 255]);
  });

  it('a later chunk beyond 255, negative or fractional widens the column and keeps the earlier rows', () => {
    const big = decodeChunks(new arrow.Int64(), [3n, 4n], [256n]);
    expect(big.kind === 'numeric' && big.values).toBeInstanceOf(Float32Array);
    expect(valuesOf(big)).toEqual([3, 4, 256]);
    const negative = decodeChunks(new arrow.Int32(), [7], [-1]);
    expect(negative.kind === 'numeric' && negative.values).toBeInstanceOf(Float32Array);
    expect(valuesOf(negative)).toEqual([7, -1]);
    const money = decodeChunks(new arrow.Float64(), [1, 2], [0.5], [0.1]);
    expect(money.kind === 'numeric' && money.values).toBeInstanceOf(Float64Array);
    expect(valuesOf(money)).toEqual([1, 2, 0.5, 0.1]);
    const wide = decodeChunks(new arrow.Int64(), [1n], [2n ** 40n + 1n]);
    expect(wide.kind === 'numeric' && wide.values).toBeInstanceOf(Float64Array);
    expect(valuesOf(wide)).toEqual([1, 2 ** 40 + 1]);
  });

  it('a null in a later chunk turns a byte column into float32 with NaN', () => {
    const c = decodeChunks(new arrow.Int64(), [1n, 0n], [null, 1n]);
    expect(c.kind === 'numeric' && c.values).toBeInstanceOf(Float32Array);
    expect(valuesOf(c)).toEqual([1, 0, NaN, 1]);
    expect(c.nullCount).toBe(1);
    const flags = decodeChunks(new arrow.Bool(), [true], [null, false]);
    expect(flags.kind === 'numeric' && flags.values).toBeInstanceOf(Float32Array);
    expect(valuesOf(flags)).toEqual([1, NaN, 0]);
  });
});

describe('decode: bundled training_data.parquet', () => {
  it('decodes 472,871 rows × 14 columns well under 200 ms', () => {
    const bytes = readFileSync(path.resolve(process.cwd(), '../shared/data/training_data.parquet'));
    const table = arrow.tableFromIPC(pq.readParquet(bytes, { rowGroups: [0] }).intoIPCStream());
    let best = Infinity;
    let result = decodeTable(table);
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      result = decodeTable(table);
      best = Math.min(best, performance.now() - t0);
    }
    console.info(`decode training_data.parquet: ${best.toFixed(1)} ms (best of 3)`);
    expect(result.columns).toHaveLength(14);
    expect(result.notes).toEqual([]);
    const ordered = byName(result.columns, 'is_ordered');
    if (ordered.kind !== 'numeric') throw new Error('kind');
    expect(Array.from(ordered.values).reduce((a, b) => a + b, 0)).toBe(32_313);
    // every column but revenue is a flag or a small count: one byte a row
    const wide = result.columns.filter((c) => c.kind !== 'numeric' || !(c.values instanceof Uint8Array)).map((c) => c.name);
    expect(wide).toEqual(['revenue']);
    expect(best).toBeLessThan(200);
  });
});
