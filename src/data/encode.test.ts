import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pq from 'parquet-wasm';
import * as arrow from 'apache-arrow';
import { decodeTable } from './decode.ts';
import { buildModelMatrix, checkFitsInMemory, estimateDecodedBytes, WASM_MEMORY_LIMIT_BYTES } from './encode.ts';
import type { Dataset, ModelMatrix } from './types.ts';

function datasetFromParquet(bytes: Uint8Array, name: string): Dataset {
  const table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  const { columns } = decodeTable(table);
  return { source: { type: 'file', name }, rows: table.numRows, columns, sha256: '', bytes: bytes.length };
}

function writeParquet(table: arrow.Table): Uint8Array {
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
}

function column(m: ModelMatrix, name: string): number[] {
  const j = m.featureNames.indexOf(name);
  if (j < 0) throw new Error(`no model column ${name} in ${m.featureNames.join(', ')}`);
  return Array.from({ length: m.rows }, (_, r) => m.X[r * m.cols + j] ?? NaN);
}

const N = 200;

/** Every column type once, with the quirks the encoder must handle. */
function fixture(): Dataset {
  const rows = Array.from({ length: N }, (_, i) => i);
  const table = new arrow.Table({
    label: arrow.vectorFromArray(rows.map((i) => (i % 4 === 0 ? 1n : 0n)), new arrow.Int64()),
    flag: arrow.vectorFromArray(rows.map((i) => i % 2 === 0), new arrow.Bool()),
    hour: arrow.vectorFromArray(rows.map((i) => i % 24), new arrow.Int32()),
    visits: arrow.vectorFromArray(rows.map((i) => BigInt(i % 9)), new arrow.Int64()),
    huge: arrow.vectorFromArray(rows.map((i) => (i === 3 ? 2n ** 62n : BigInt(i % 5))), new arrow.Int64()),
    price: arrow.vectorFromArray(rows.map((i) => (i % 10 === 0 ? null : (i % 7) + 0.25)), new arrow.Float64()),
    session_id: arrow.vectorFromArray(rows.map((i) => BigInt(1000 + i)), new arrow.Int64()),
    token: arrow.vectorFromArray(rows.map((i) => `t${i}`), new arrow.Utf8()),
    // 'rare' holds 1 row of 200 (0.5 % is the default threshold: 0.5 % of 200 = 1, so it stays); 'tiny' is grouped via minLevelFraction in a test
    source: arrow.vectorFromArray(rows.map((i) => (i % 5 === 0 ? null : i === 7 ? 'rare' : i % 2 === 0 ? 'search' : 'social')), new arrow.Utf8()),
    device: arrow.vectorFromArray(rows.map((i) => (i % 3 === 0 ? 'mobile' : 'desktop')), new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    created_at: arrow.vectorFromArray(rows.map((i) => Date.UTC(2014, 0, 1) + i * 60_000), new arrow.TimestampMicrosecond()),
  });
  return datasetFromParquet(writeParquet(table), 'fixture.parquet');
}

describe('buildModelMatrix on every column type (workbench encoding)', () => {
  const ds = fixture();
  const { matrix, notes, warnings, excluded } = buildModelMatrix(ds, { targets: ['label'] });

  it('rows: only the rows asked for, in their order, encoded exactly as in the whole matrix (imputed medians and levels from every row)', () => {
    const pick = Uint32Array.from([7, 0, 199, 10, 5, 7]);
    const part = buildModelMatrix(ds, { targets: ['label'], rows: pick }).matrix;
    expect(part.rows).toBe(pick.length);
    expect(part.featureNames).toEqual(matrix.featureNames);
    pick.forEach((row, r) => {
      expect(Array.from(part.X.subarray(r * part.cols, (r + 1) * part.cols))).toEqual(Array.from(matrix.X.subarray(row * matrix.cols, (row + 1) * matrix.cols)));
    });
    expect(() => buildModelMatrix(ds, { targets: ['label'], rows: Uint32Array.from([N]) })).toThrow(`row ${N} is beyond the data's ${N} rows; pass rows of this dataset`);
  });

  it('keeps the target out', () => {
    expect(matrix.featureNames).not.toContain('label');
    expect(excluded).toContainEqual({ column: 'label', reason: 'target' });
  });

  it('bool → 0/1, int32 and int64 → numbers', () => {
    expect(column(matrix, 'flag').slice(0, 4)).toEqual([1, 0, 1, 0]);
    expect(column(matrix, 'hour').slice(22, 26)).toEqual([22, 23, 0, 1]);
    expect(column(matrix, 'visits').slice(8, 11)).toEqual([8, 0, 1]);
  });

  it('int64 beyond 2^53 → left out with a warning naming it', () => {
    expect(matrix.featureNames).not.toContain('huge');
    expect(warnings.some((w) => w.startsWith('column "huge" holds integers beyond ±2^53'))).toBe(true);
    expect(excluded.find((e) => e.column === 'huge')?.reason).toMatch(/2\^53/);
  });

  it('numeric nulls → the stated median plus a missing indicator', () => {
    const present = Array.from({ length: N }, (_, i) => i).filter((i) => i % 10 !== 0).map((i) => (i % 7) + 0.25).sort((a, b) => a - b);
    const median = ((present[89] ?? 0) + (present[90] ?? 0)) / 2;
    const price = column(matrix, 'price');
    const missing = column(matrix, 'price__missing');
    expect(price[0]).toBeCloseTo(median, 6);
    expect(price[1]).toBeCloseTo(1.25, 6);
    expect(missing.slice(0, 3)).toEqual([1, 0, 0]);
    expect(missing.reduce((a, b) => a + b, 0)).toBe(20);
    expect(notes).toContain(`column "price": 20 nulls (10.0 %) filled with the median ${median}; indicator price__missing added`);
    expect(matrix.featureGroups[matrix.featureNames.indexOf('price__missing')]).toBe('price');
  });

  it('id-like columns (≥ 99 % unique, numeric or text) and timestamps are left out with a note', () => {
    for (const name of ['session_id', 'token', 'created_at']) expect(matrix.featureNames.some((f) => f.startsWith(name))).toBe(false);
    expect(notes).toContain('column "session_id" is ≥ 99 % unique integers, like an id; left out (if it is a measurement, give it a transform such as log1p or clip to use it)');
    expect(notes).toContain('column "token" is ≥ 99 % unique text, like an id; left out (a different value on almost every row holds no pattern a model can reuse)');
    // a transform the user chose makes the integers a measurement: kept, transformed
    const kept = buildModelMatrix(ds, { targets: ['label'], transforms: { session_id: { kind: 'log1p' } } });
    expect(kept.matrix.featureNames).toContain('session_id');
    expect(kept.notes).toContain('column "session_id": log1p applied');
    expect(notes.some((n) => n.startsWith('column "created_at" is a timestamp'))).toBe(true);
  });

  it('string with NULLs → one-hot with __null__; dictionary → one-hot; levels listed', () => {
    expect(matrix.featureNames.filter((f) => f.startsWith('source_'))).toEqual(['source_search', 'source_social', 'source_rare', 'source___null__']);
    expect(column(matrix, 'source___null__').slice(0, 2)).toEqual([1, 0]);
    expect(column(matrix, 'source_social').slice(0, 2)).toEqual([0, 1]);
    expect(column(matrix, 'device_mobile').slice(0, 4)).toEqual([1, 0, 0, 1]);
    expect(column(matrix, 'device_desktop').slice(0, 4)).toEqual([0, 1, 1, 0]);
    expect(notes).toContain('column "source": one-hot over 3 levels (search, social, rare); __null__ for 40 NULLs');
    expect(new Set(matrix.featureGroups.filter((_, j) => matrix.featureNames[j]?.startsWith('source_')))).toEqual(new Set(['source']));
  });

  it('rare levels go to __other__ and the cap holds', () => {
    const rare = buildModelMatrix(ds, { targets: ['label'], minLevelFraction: 0.01 });
    expect(rare.matrix.featureNames.filter((f) => f.startsWith('source_'))).toEqual(['source_search', 'source_social', 'source___null__', 'source___other__']);
    expect(column(rare.matrix, 'source___other__')[7]).toBe(1);
    const capped = buildModelMatrix(ds, { targets: ['label'], maxLevels: 3, transforms: { hour: { kind: 'onehot' } } });
    expect(capped.matrix.featureNames.filter((f) => f.startsWith('source_'))).toEqual(['source_search', 'source___null__', 'source___other__']);
    expect(capped.matrix.featureNames.filter((f) => f.startsWith('hour_'))).toEqual(['hour_0', 'hour_1', 'hour___other__']);
  });

  it('every row of a one-hot block sums to 1 (NULL and rare rows included)', () => {
    const idx = matrix.featureNames.map((f, j) => (f.startsWith('source_') ? j : -1)).filter((j) => j >= 0);
    for (let r = 0; r < matrix.rows; r++) {
      expect(idx.reduce((s, j) => s + (matrix.X[r * matrix.cols + j] ?? 0), 0)).toBe(1);
    }
  });

  it('transforms: cap, clip, log1p, drop; exclude by name; include overrides the id rule', () => {
    const t = buildModelMatrix(ds, {
      targets: ['label'],
      exclude: ['flag'],
      transforms: { hour: { kind: 'cap', max: 4 }, visits: { kind: 'log1p' }, price: { kind: 'clip', min: 1, max: 2 }, device: { kind: 'drop' } },
    });
    expect(Math.max(...column(t.matrix, 'hour'))).toBe(4);
    expect(column(t.matrix, 'visits')[8]).toBeCloseTo(Math.log1p(8), 6);
    expect(Math.max(...column(t.matrix, 'price'))).toBe(2);
    expect(t.matrix.featureNames).not.toContain('flag');
    expect(t.matrix.featureNames.some((f) => f.startsWith('device'))).toBe(false);
    const inc = buildModelMatrix(ds, { targets: ['label'], include: ['session_id', 'hour'] });
    expect(inc.matrix.featureNames).toEqual(['hour', 'session_id']);
    const typo = buildModelMatrix(ds, { targets: ['label'], exclude: ['hours'] });
    expect(typo.warnings).toContain('exclude names "hours", which is neither a column nor a one-hot group of this file; check the spelling');
  });

  it('pandas encoding: sorted levels, first dropped, NULL all zeros, dummies after the other columns', () => {
    const p = buildModelMatrix(ds, { targets: ['label'], encoding: 'pandas' });
    expect(p.matrix.featureNames).toEqual(['flag', 'hour', 'visits', 'price', 'price__missing', 'source_search', 'source_social', 'device_mobile']);
    expect(column(p.matrix, 'source_search')[0]).toBe(0);
    expect(column(p.matrix, 'source_social')[0]).toBe(0);
    expect(column(p.matrix, 'source_search')[7]).toBe(0);
  });
});

describe('memory estimate', () => {
  it('counts 8 bytes per decoded value plus 4 per model-matrix cell', () => {
    expect(estimateDecodedBytes(1000, [{ name: 'a', physicalType: 'DOUBLE' }, { name: 'b', physicalType: 'BOOLEAN' }])).toBe(1000 * (16 + 8));
    expect(estimateDecodedBytes(10, [{ name: 's', physicalType: 'BYTE_ARRAY' }])).toBe(10 * (8 + 4 * 20));
  });

  it('says how much is needed and what to do when over the limit', () => {
    const cols = Array.from({ length: 200 }, (_, i) => ({ name: `c${i}`, physicalType: 'DOUBLE' }));
    expect(checkFitsInMemory(1000, cols)).toBeNull();
    const msg = checkFitsInMemory(5_000_000, cols);
    expect(msg).toBe('this file needs about 11.2 GiB to decode (5,000,000 rows × 200 columns), over the 4.0 GiB limit; select fewer columns or load a sample of rows');
    expect(WASM_MEMORY_LIMIT_BYTES).toBe(4 * 2 ** 30);
  });
});

describe('sessions_raw (pandas encoding) equals training_data (workbench encoding)', () => {
  const load = (file: string): Dataset => {
    const bytes = readFileSync(path.resolve(process.cwd(), '../shared/data', file));
    return datasetFromParquet(bytes, file);
  };

  it('same model columns, same names, same values; targets excluded', () => {
    const targets = ['is_ordered', 'revenue'];
    const fromRaw = buildModelMatrix(load('sessions_raw.parquet'), { targets, encoding: 'pandas' });
    const fromTraining = buildModelMatrix(load('training_data.parquet'), { targets });
    expect(fromTraining.matrix.featureNames).toEqual([
      'is_repeat_session', 'hour_of_day', 'is_weekend', 'engagement_depth', 'utm_source_gsearch', 'utm_source_socialbook',
      'device_type_mobile', 'landing_page_/lander-1', 'landing_page_/lander-2', 'landing_page_/lander-3', 'landing_page_/lander-4', 'landing_page_/lander-5',
    ]);
    expect(fromRaw.matrix.featureNames).toEqual(fromTraining.matrix.featureNames);
    expect(fromRaw.matrix.rows).toBe(472_871);
    expect(fromTraining.warnings).toEqual([]);
    expect(fromRaw.warnings).toEqual([]);
    // byte-for-byte: the float32 matrices are identical
    const a = fromRaw.matrix.X;
    const b = fromTraining.matrix.X;
    expect(a.length).toBe(b.length);
    let firstDiff = -1;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) { firstDiff = i; break; }
    expect(firstDiff).toBe(-1);
    expect(fromTraining.matrix.featureGroups).toEqual([
      'is_repeat_session', 'hour_of_day', 'is_weekend', 'engagement_depth', 'utm_source', 'utm_source',
      'device_type_mobile', 'landing_page', 'landing_page', 'landing_page', 'landing_page', 'landing_page',
    ]);
    expect(fromRaw.notes).toContain('column "utm_source": 2 dummy columns (pandas drop_first: level "bsearch" dropped; 83,294 NULLs are all zeros)');
  });
});

describe('planOnly', () => {
  it('gives the same names, groups and messages as the full build, with an empty matrix', () => {
    const rows = 200;
    const ds: Dataset = {
      source: { type: 'file', name: 'plan.parquet' }, rows, sha256: '', bytes: 0,
      columns: [
        { kind: 'numeric', name: 'x', arrowType: 'Float64', values: Float64Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? NaN : i % 13)), nullCount: 29, isBool: false, isInteger: true, unsafeInteger: false },
        { kind: 'categorical', name: 'c', arrowType: 'Utf8', codes: Int32Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? -1 : i % 3)), levels: ['a', 'b', 'c'], nullCount: 40 },
        { kind: 'numeric', name: 'y', arrowType: 'Int64', values: Float64Array.from({ length: rows }, (_, i) => i % 2), nullCount: 0, isBool: false, isInteger: true, unsafeInteger: false },
      ],
    };
    const full = buildModelMatrix(ds, { targets: ['y'] });
    const plan = buildModelMatrix(ds, { targets: ['y'], planOnly: true });
    expect(plan.matrix.featureNames).toEqual(full.matrix.featureNames);
    expect(plan.matrix.featureGroups).toEqual(full.matrix.featureGroups);
    expect(plan.notes).toEqual(full.notes);
    expect(plan.matrix.X.length).toBe(0);
    expect(full.matrix.X.length).toBe(rows * full.matrix.cols);
  });
});
