// Hostile and damaged parquet files: each is refused before decoding, or fails with a sentence naming the cause,
// never a wasm trap or a silent wrong value.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { blobByteSource } from './byteSource.ts';
import { loadParquet } from './load.ts';
import { DEFAULT_LOAD_LIMITS, LoadLimitError, planLoad, selectionBytes, type LoadChoices, type LoadLimits, type LoadSelection } from './loadPlan.ts';
import { estimateDecodedBytes } from './encode.ts';
import { CompactReader, footerLength, parseFooter, type ParquetFooter } from './parquetFooter.ts';
import { crc32 } from './pageCheck.ts';
import { validateDataset } from './validate.ts';
import type { Dataset } from './types.ts';
import { evenlySpacedIndices } from '../report/downsample.ts';

function writeParquet(columns: Record<string, arrow.Vector | ArrayLike<unknown>>, rowGroupSize = 1 << 20, compression = pq.Compression.SNAPPY): Uint8Array {
  const table = arrow.tableFromArrays(columns as Record<string, Float64Array>);
  const props = new pq.WriterPropertiesBuilder().setCompression(compression).setMaxRowGroupSize(rowGroupSize).build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
}

function load(bytes: Uint8Array, extra: { limits?: LoadLimits; selection?: LoadSelection } = {}) {
  return loadParquet({ source: blobByteSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'f.parquet'), dataSource: { type: 'file', name: 'f.parquet' }, parquet: pq, ...extra });
}

/** A table built field by field: names may repeat or be Object.prototype members. */
function tableOf(columns: Array<[string, number[]]>): arrow.Table {
  const vectors = columns.map(([, values]) => arrow.makeVector(Float64Array.from(values)));
  const schema = new arrow.Schema(columns.map(([name], i) => new arrow.Field(name, vectors[i]!.type)));
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: columns[0]![1].length, children: vectors.map((v) => v.data[0]!) });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, data));
}

const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);

function footerOf(bytes: Uint8Array): { footer: ParquetFooter; metaStart: number; meta: Uint8Array } {
  const len = footerLength(bytes.subarray(bytes.length - 8), 'f');
  const metaStart = bytes.length - 8 - len;
  const meta = bytes.subarray(metaStart, bytes.length - 8);
  return { footer: parseFooter(meta), metaStart, meta };
}

/** The file with FileMetaData.num_rows rewritten (a thrift zigzag varint), the footer length fixed up. */
function withNumRows(bytes: Uint8Array, rows: number): Uint8Array {
  const { metaStart, meta } = footerOf(bytes);
  const r = new CompactReader(meta);
  let from = -1;
  let to = -1;
  r.struct((id, type) => {
    if (id === 3 && type === 6) { from = r.pos; r.zigzag(); to = r.pos; return true; }
    return false;
  });
  const varint: number[] = [];
  for (let z = rows >= 0 ? rows * 2 : -rows * 2 - 1; ; z = Math.floor(z / 128)) {
    if (z < 128) { varint.push(z); break; }
    varint.push((z % 128) | 0x80);
  }
  const newMeta = new Uint8Array([...meta.subarray(0, from), ...varint, ...meta.subarray(to)]);
  const out = new Uint8Array(metaStart + newMeta.length + 8);
  out.set(bytes.subarray(0, metaStart));
  out.set(newMeta, metaStart);
  new DataView(out.buffer).setUint32(metaStart + newMeta.length, newMeta.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], out.length - 4);
  return out;
}

const N = 2000;
const plain = (): Uint8Array => writeParquet({ a: Float64Array.from({ length: N }, (_, i) => i), b: Int32Array.from({ length: N }, (_, i) => i % 3) });

describe('footers that lie', () => {
  it('refuses a footer claiming more rows than its row groups hold, before allocating them', async () => {
    const error = await failure(load(withNumRows(plain(), 20_000_000)));
    expect(error.message).toMatch(/claims 20,000,000 rows but its row groups hold 2,000/);
  });

  it('refuses a negative row count with a sentence, not "Invalid typed array length"', async () => {
    const error = await failure(load(withNumRows(plain(), -5)));
    expect(error.message).toMatch(/claims -5 rows/);
  });
});

describe('columns', () => {
  it('refuses duplicate column names, naming them, instead of showing the first column twice', async () => {
    const table = tableOf([['spend', Array.from({ length: 50 }, (_, i) => i)], ['spend', Array.from({ length: 50 }, (_, i) => -i)]]);
    const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
    const error = await failure(load(bytes));
    expect(error.message).toMatch(/column name used twice \("spend"\)/);
  });

  it('loads columns named after Object.prototype members as ordinary columns', async () => {
    const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(tableOf([
      ['constructor', [1, 2, 3]], ['__proto__', [4, 5, 6]], ['toString', [7, 8, 9]],
    ]), 'stream')));
    const { dataset } = await load(bytes);
    expect(dataset.columns.map((c) => c.name)).toEqual(['constructor', '__proto__', 'toString']);
    const proto = dataset.columns[1]!;
    expect(proto.kind === 'numeric' ? Array.from(proto.values) : null).toEqual([4, 5, 6]);
  });
});

describe('resource limits from the footer', () => {
  it('refuses 3,000 columns within 2 s, and loads the proposed 500', async () => {
    const cols: Record<string, Int32Array> = {};
    for (let c = 0; c < 3000; c++) cols[`c${c}`] = Int32Array.from({ length: 1000 }, (_, i) => (i * (c + 1)) % 1000);
    const bytes = writeParquet(cols);
    const t0 = performance.now();
    const error = await failure(load(bytes));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(error).toBeInstanceOf(LoadLimitError);
    expect(error.message).toMatch(/3,000 columns, over the limit of 500/);
    const suggestion = (error as LoadLimitError).plan.suggestion!;
    expect(suggestion.columns).toHaveLength(500);
    const { dataset, notes } = await load(bytes, { selection: { columns: suggestion.columns!.slice(0, 20) } });
    expect(dataset.columns).toHaveLength(20);
    const c7 = dataset.columns[7]!;
    expect(c7.kind === 'numeric' ? c7.values[999] : null).toBe((999 * 8) % 1000);
    expect(notes.join(' ')).toMatch(/loaded 20 of 3000 columns/);
    // the column chooser's choices, plain data that crosses the worker boundary with the error
    const choices: LoadChoices = structuredClone((error as LoadLimitError).details!);
    expect(choices.columns).toHaveLength(3000);
    expect(choices.suggestion?.columns).toEqual(suggestion.columns);
    expect(choices.rowGroupRows.reduce((a, b) => a + b, 0)).toBe(1000);
    // one int32 column of 1,000 rows: 8 bytes a row decoded and 4 in the model matrix, as the loader's budget counts it
    expect(choices.columns[0]).toEqual({ name: 'c0', physicalType: 'INT32', estimatedBytes: estimateDecodedBytes(1000, [{ name: 'c0', physicalType: 'INT32' }]), textBytes: 0 });
    expect(selectionBytes(choices, new Set(['c0', 'c1']), [0])).toBe(2 * choices.columns[0]!.estimatedBytes);
    expect(selectionBytes(choices, new Set(choices.columns.map((c) => c.name)), [0])).toBe(3000 * choices.columns[0]!.estimatedBytes);
  }, 60_000);

  it('refuses a column of large strings from its uncompressed size, naming the column and the limit', async () => {
    const big = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(100_000, String.fromCharCode(97 + (i % 26))));
    const bytes = writeParquet({ blob: big, n: Float64Array.from({ length: 40 }, (_, i) => i) }, 1 << 20, pq.Compression.ZSTD);
    expect(bytes.length).toBeLessThan(200_000);
    const limits = { ...DEFAULT_LOAD_LIMITS, maxStringBytesPerColumn: 2 ** 20 };
    const error = await failure(load(bytes, { limits }));
    expect(error.message).toMatch(/column "blob" holds 4 MiB of text, over the 1 MiB per-column limit/);
    const { dataset } = await load(bytes, { limits, selection: (error as LoadLimitError).plan.suggestion! });
    expect(dataset.columns.map((c) => c.name)).toEqual(['n']);
  });

  it('with the stated budget, 600 distinct 1 MB strings are refused before decoding', () => {
    const chunk = (uncompressedBytes: number) => ({ start: 4, end: 5, uncompressedBytes, values: 600 });
    const footer: ParquetFooter = {
      numRows: 600, metadataLength: 0,
      columns: [{ name: 'payload', physicalType: 'BYTE_ARRAY' }, { name: 'id', physicalType: 'INT64' }],
      rowGroups: [{ start: 4, end: 31_000, rows: 600, compressedBytes: 31_000, chunks: [chunk(600 * 2 ** 20), chunk(4800)] }],
    };
    const plan = planLoad(footer, 31_000);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.problems.join(' ')).toMatch(/"payload" holds 600 MiB of text, over the 64 MiB per-column limit/);
    expect(plan.suggestion).toEqual({ columns: ['id'], rowGroups: [0] });
  });

  it('refuses text columns that are each under the per-column limit but over the total, and suggests the ones that fit', () => {
    const MiB = 2 ** 20;
    const text = (mib: number) => ({ start: 4, end: 5, uncompressedBytes: mib * MiB, values: 1000 });
    const footer: ParquetFooter = {
      numRows: 1000, metadataLength: 0,
      columns: [...['t0', 't1', 't2', 't3', 't4'].map((name) => ({ name, physicalType: 'BYTE_ARRAY' })), { name: 'id', physicalType: 'INT64' }],
      rowGroups: [{ start: 4, end: 5, rows: 1000, compressedBytes: 1, chunks: [text(60), text(60), text(60), text(60), text(60), { start: 4, end: 5, uncompressedBytes: 8000, values: 1000 }] }],
    };
    const plan = planLoad(footer, 1000, {}, { ...DEFAULT_LOAD_LIMITS, memoryBudgetBytes: 4 * 2 ** 30 });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.problems).toEqual(['the text columns hold 300 MiB, over the 256 MiB limit; leave some out']);
    // 60 MiB each: four fit under 256 MiB, the fifth does not; the number column costs no text
    expect(plan.suggestion).toEqual({ columns: ['t0', 't1', 't2', 't3', 'id'], rowGroups: [0] });
  });

  it('refuses a file over the file-size limit from its size alone, in the units of its size', async () => {
    const bytes = plain();
    const source = blobByteSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'big.parquet');
    const error = await failure(loadParquet({ source, dataSource: { type: 'file', name: 'big.parquet' }, parquet: pq, limits: { ...DEFAULT_LOAD_LIMITS, maxFileBytes: 1000 } }));
    expect(error.message).toBe(`"big.parquet": the file is ${Math.ceil(bytes.length / 1024)} KiB (${bytes.length.toLocaleString('en-US')} bytes), over the 1000 B file limit; load a smaller extract`);
  });

  it('samples row groups when rows alone exceed the budget', () => {
    const footer: ParquetFooter = {
      numRows: 40_000_000, metadataLength: 0, columns: [{ name: 'x', physicalType: 'DOUBLE' }],
      rowGroups: Array.from({ length: 40 }, () => ({ start: 4, end: 5, rows: 1_000_000, compressedBytes: 1, chunks: [{ start: 4, end: 5, uncompressedBytes: 8e6, values: 1e6 }] })),
    };
    const plan = planLoad(footer, 1000, {}, { ...DEFAULT_LOAD_LIMITS, memoryBudgetBytes: 100 * 2 ** 20 });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    // 12 bytes a row (8 decoded + 4 in the model matrix): 8 row groups of 1 M rows fit 100 MiB
    expect(plan.suggestion?.rowGroups).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('a sample of row groups', () => {
  // five row groups of 300 rows; `row` is the row's number in the file, so the rows loaded say which groups were read
  const ROWS = 1500;
  const GROUP = 300;
  const file = (): Uint8Array => writeParquet({
    row: Float64Array.from({ length: ROWS }, (_, i) => i),
    group: Int32Array.from({ length: ROWS }, (_, i) => Math.floor(i / GROUP)),
    label: Float64Array.from({ length: ROWS }, (_, i) => (i % 7 === 0 ? 1 : 0)),
  }, GROUP);
  const values = (c: Dataset['columns'][number] | undefined): number[] => (c?.kind === 'numeric' ? Array.from(c.values) : []);
  const rowsOfGroups = (groups: number[]): number[] => groups.flatMap((g) => Array.from({ length: GROUP }, (_, k) => g * GROUP + k));

  it('loads exactly the chosen row groups\' rows, in order, and says how many rows of how many', async () => {
    const bytes = file();
    expect(footerOf(bytes).footer.rowGroups.map((g) => g.rows)).toEqual([GROUP, GROUP, GROUP, GROUP, GROUP]);
    // every column (one read per row group) and a subset of columns (one read per column) take the same rows
    for (const columns of [undefined, ['row', 'group']]) {
      const { dataset, notes } = await load(bytes, { selection: { rowGroups: [3, 1], ...(columns ? { columns } : {}) } });
      expect(dataset.rows).toBe(2 * GROUP);
      expect(values(dataset.columns.find((c) => c.name === 'row'))).toEqual(rowsOfGroups([1, 3]));
      expect(values(dataset.columns.find((c) => c.name === 'group'))).toEqual(rowsOfGroups([1, 3]).map((i) => Math.floor(i / GROUP)));
      expect(notes.join(' ')).toContain(`loaded ${columns?.length ?? 3} of 3 columns and 2 of 5 row groups (600 of 1,500 rows), as chosen`);
    }
  });

  it('over the budget, offers an evenly spread sample that then loads those groups and no others', async () => {
    const bytes = file();
    // 3 columns × 1,500 rows: float64 row and label, int32 group, each with 4 bytes a row in the model matrix
    const budget = estimateDecodedBytes(2 * GROUP, footerOf(bytes).footer.columns);
    const error = await failure(load(bytes, { limits: { ...DEFAULT_LOAD_LIMITS, memoryBudgetBytes: budget } }));
    expect(error).toBeInstanceOf(LoadLimitError);
    const choices: LoadChoices = structuredClone((error as LoadLimitError).details!);
    expect(choices.rowGroupRows).toEqual([GROUP, GROUP, GROUP, GROUP, GROUP]);
    const suggested = [...(choices.suggestion?.rowGroups ?? [])];
    expect(suggested).toHaveLength(2);
    expect(selectionBytes(choices, new Set(choices.columns.map((c) => c.name)), suggested)).toBeLessThanOrEqual(budget);
    const { dataset } = await load(bytes, { selection: { rowGroups: suggested }, limits: { ...DEFAULT_LOAD_LIMITS, memoryBudgetBytes: budget } });
    expect(values(dataset.columns.find((c) => c.name === 'row'))).toEqual(rowsOfGroups(suggested));
    // the column picker's evenly spaced sample of 2 of 5 is the first and the last group
    const { dataset: picked, notes } = await load(bytes, { selection: { rowGroups: evenlySpacedIndices(5, 2) }, limits: { ...DEFAULT_LOAD_LIMITS, memoryBudgetBytes: budget } });
    expect(values(picked.columns.find((c) => c.name === 'row'))).toEqual(rowsOfGroups([0, 4]));
    expect(notes.join(' ')).toContain('2 of 5 row groups (600 of 1,500 rows)');
  });

  it('refuses a row group the file does not have, naming how many it has', async () => {
    const error = await failure(load(file(), { selection: { rowGroups: [5] } }));
    expect(error.message).toBe('row group 5 is not in this file; it has 5 (0–4)');
  });
});

describe('damaged pages', () => {
  const crcFile = new Uint8Array(readFileSync(new URL('../../test/fixtures/crc.parquet', import.meta.url)));

  it('checks the page CRCs a file carries', async () => {
    const { dataset, checksummedPages } = await load(crcFile);
    expect(checksummedPages).toBeGreaterThan(2);
    const x = dataset.columns[0]!;
    expect(x.kind === 'numeric' ? x.values[1999] : null).toBe(1999 * 0.25);
  });

  it('refuses a bit flipped in a PLAIN double instead of loading a changed value', async () => {
    const { footer } = footerOf(crcFile);
    const chunk = footer.rowGroups[1]!.chunks[0]!;
    const flipped = crcFile.slice();
    flipped[chunk.end - 3]! ^= 0x10;
    const error = await failure(load(flipped));
    expect(error.message).toMatch(/column "x", row group 1: page \d+ fails its CRC check/);
  });

  it('names a page cut short instead of trapping the decoder', async () => {
    const bytes = plain();
    const { footer } = footerOf(bytes);
    const chunk = footer.rowGroups[0]!.chunks[0]!;
    // a page header claiming more bytes than its chunk: overwrite the header's compressed size with a large varint
    const cut = bytes.slice();
    const r = new CompactReader(cut.subarray(chunk.start, chunk.end));
    let at = -1;
    r.struct((id, type) => {
      if (id === 3 && type === 5) { at = chunk.start + r.pos; r.zigzag(); return true; }
      return false;
    });
    cut.set([0xfe, 0xff, 0x7f], at);
    const error = await failure(load(cut));
    expect(error.message).toMatch(/^"f\.parquet" column "a", row group 0: page 1 (runs past the end|has an unreadable header)/);
  });

  it('turns garbage inside a compressed page into a sentence, and the decoder still works afterwards', async () => {
    const bytes = plain();
    const { footer } = footerOf(bytes);
    const chunk = footer.rowGroups[0]!.chunks[0]!;
    const bad = bytes.slice();
    for (let i = chunk.end - 200; i < chunk.end - 10; i++) bad[i] = (i * 37) & 0xff;
    const error = await failure(load(bad));
    expect(error.message).toMatch(/could not be decoded|damaged/);
    expect(error.message).not.toMatch(/^unreachable$/);
    expect((await load(bytes)).dataset.rows).toBe(N);
  });

  it('computes CRC-32 like zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926 | 0);
  });
});

describe('a column of a type the workbench skips', () => {
  it('a decimal revenue loads as dollars and cents (it was skipped); a list column is named the same way in the load notes and in validation', async () => {
    const n = 40;
    const words = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) words[i * 4] = i % 2 === 0 ? 1999 + i : 0; // cents, decimal(10, 2)
    const revenue = arrow.makeData({ type: new arrow.Decimal(2, 10, 128), length: n, data: words });
    const ordered = arrow.makeVector(Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)));
    const tags = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => [`t${i % 3}`]), new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)));
    const schema = new arrow.Schema([new arrow.Field('is_ordered', ordered.type), new arrow.Field('revenue', revenue.type), new arrow.Field('tags', tags.type)]);
    const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children: [ordered.data[0]!, revenue, tags.data[0]!] });
    const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(schema, new arrow.RecordBatch(schema, data)), 'stream')));
    const loaded = await load(bytes);
    const rev = loaded.dataset.columns.find((c) => c.name === 'revenue');
    if (rev?.kind !== 'numeric') throw new Error('revenue is not numeric');
    expect(Array.from(rev.values.subarray(0, 4))).toEqual([19.99, 0, 20.01, 0]);
    expect(validateDataset(loaded.dataset, { classTarget: 'is_ordered', revenueTarget: 'revenue', features: [] })).toEqual([]);
    const note = loaded.notes.find((x) => x.includes('"tags"'));
    expect(note).toMatch(/^column "tags" is List<.*>; skipped \(only numbers, booleans, strings and timestamps are used\)$/);
    expect(loaded.dataset.skipped).toEqual([{ name: 'tags', note }]);
    const issues = validateDataset(loaded.dataset, { classTarget: 'is_ordered', revenueTarget: 'tags', features: [] });
    expect(issues.map((i) => i.message)).toContain(`revenue target "tags" cannot be used: ${note}`);
    expect(issues.map((i) => i.message).join('\n')).not.toContain('not a column of this file');
  });
});
