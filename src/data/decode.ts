/** Arrow record batches → the workbench's `Column`s, one row group at a time, straight from the buffers. */
import * as arrow from 'apache-arrow';
import type { Column, NumericColumn, NumericValues, CategoricalColumn, TimestampColumn, SkippedColumn } from './types.ts';
import type { Allocate } from './datasetCopy.ts';

/** What decoding produced: the columns plus one note per column that was skipped (lists, structs, binary…). */
export interface DecodeResult {
  readonly columns: Column[];
  readonly notes: string[];
  /** the skipped columns by name, with the same notes */
  readonly skipped: SkippedColumn[];
}

/** Incremental decoder: `append` each row group's table in file order, then `finish` once. */
export interface ColumnDecoder {
  append(table: arrow.Table): void;
  finish(): DecodeResult;
}

const TWO_32 = 4294967296;
/** hi word of a 64-bit integer at or beyond which |value| ≥ 2^53 */
const SAFE_HI = 0x200000;

interface NumericSink {
  readonly kind: 'numeric';
  readonly name: string;
  readonly arrowType: string;
  readonly isBool: boolean;
  /** the memory of the values (and of a widened copy) */
  readonly allocate: Allocate;
  /** starts as bytes and widens (copying the rows so far) when a chunk needs more */
  values: NumericValues;
  nullCount: number;
  unsafeInteger: boolean;
  /** the raw integers, kept once a value beyond ±2^53 appears (earlier rows were exact as floats) */
  exact?: BigInt64Array | BigUint64Array;
}

interface CategoricalSink {
  readonly kind: 'categorical';
  readonly name: string;
  readonly arrowType: string;
  readonly codes: Int32Array;
  readonly interner: LevelInterner;
  /** a dictionary vector seen before maps to the same global codes: no re-hashing per batch */
  readonly dictionaryCodes: WeakMap<arrow.Vector, Int32Array>;
  nullCount: number;
}

interface TimestampSink {
  readonly kind: 'timestamp';
  readonly name: string;
  readonly arrowType: string;
  /** the raw integer is this many milliseconds (> 1: days, seconds) or this many per millisecond (< 1: µs, ns) */
  readonly toMs: number;
  /** the zone a timestamp type names, if any */
  readonly timeZone: string | null;
  readonly values: Float64Array;
  nullCount: number;
}

type Sink = NumericSink | CategoricalSink | TimestampSink | null;

/**
 * Maps UTF-8 byte strings to level codes without building a JS string per row: rows hash their bytes,
 * and only a first sighting decodes text. This is what keeps string columns near typed-array speed.
 */
class LevelInterner {
  readonly levels: string[] = [];
  private readonly bytesOf: Uint8Array[] = [];
  private readonly byHash = new Map<number, number[]>();
  private readonly byText = new Map<string, number>();
  private readonly decoder = new TextDecoder();

  codeOfBytes(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] ?? 0), 0x01000193);
    const candidates = this.byHash.get(h);
    if (candidates !== undefined) {
      for (const code of candidates) {
        const known = this.bytesOf[code];
        if (known !== undefined && sameBytes(known, buf, start, end)) return code;
      }
    }
    const text = this.decoder.decode(buf.subarray(start, end));
    const code = this.codeOfText(text);
    this.bytesOf[code] = buf.slice(start, end);
    if (candidates === undefined) this.byHash.set(h, [code]);
    else candidates.push(code);
    return code;
  }

  codeOfText(text: string): number {
    const known = this.byText.get(text);
    if (known !== undefined) return known;
    const code = this.levels.length;
    this.levels.push(text);
    this.byText.set(text, code);
    return code;
  }
}

function sameBytes(known: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}

function isValid(bitmap: Uint8Array, pos: number): boolean {
  return ((bitmap[pos >> 3] ?? 0) & (1 << (pos & 7))) !== 0;
}

/** True when this chunk carries a validity bitmap worth reading. */
function hasNulls(data: arrow.Data): boolean {
  return data.nullCount > 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0;
}

function timeUnitToMs(unit: arrow.TimeUnit): number {
  switch (unit) {
    case arrow.TimeUnit.SECOND: return 1000;
    case arrow.TimeUnit.MILLISECOND: return 1;
    case arrow.TimeUnit.MICROSECOND: return 1e-3;
    case arrow.TimeUnit.NANOSECOND: return 1e-6;
  }
}

/**
 * Raw timestamps (rows `at` … `at + n`) to epoch milliseconds. Finer units are divided, never multiplied by 1e-3
 * (…250 µs × 0.001 is …249.9998 ms, a row on the wrong side of a cutoff); nanoseconds beyond 2^53 are rounded
 * to the microsecond first, which recovers whole milliseconds exactly (a double holds ~0.25 µs at today's dates).
 */
function timestampsToMs(out: Float64Array, at: number, n: number, toMs: number): void {
  if (toMs === 1) return;
  if (toMs > 1) {
    for (let i = at; i < at + n; i++) out[i] = (out[i] ?? 0) * toMs;
  } else if (toMs === 1e-3) {
    for (let i = at; i < at + n; i++) out[i] = (out[i] ?? 0) / 1000;
  } else {
    const perUs = Math.round(1e-3 / toMs);
    for (let i = at; i < at + n; i++) out[i] = Math.round((out[i] ?? 0) / perUs) / 1000;
  }
}

function makeSink(field: arrow.Field, rows: number, allocate: Allocate): Sink | string {
  const type: arrow.DataType = field.type;
  const arrowType = String(type);
  const name = field.name;
  if (arrow.DataType.isBool(type) || arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isDecimal(type)) {
    // every number column starts as one byte a row; chunks that need more widen it (see `widen`)
    return { kind: 'numeric', name, arrowType, isBool: arrow.DataType.isBool(type), allocate, values: new Uint8Array(allocate(rows)), nullCount: 0, unsafeInteger: false };
  }
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)
    || (arrow.DataType.isDictionary(type) && (arrow.DataType.isUtf8(type.dictionary) || arrow.DataType.isLargeUtf8(type.dictionary)))) {
    return { kind: 'categorical', name, arrowType, codes: new Int32Array(allocate(rows * Int32Array.BYTES_PER_ELEMENT)), interner: new LevelInterner(), dictionaryCodes: new WeakMap(), nullCount: 0 };
  }
  if (arrow.DataType.isTimestamp(type)) {
    return { kind: 'timestamp', name, arrowType, toMs: timeUnitToMs(type.unit), timeZone: type.timezone ?? null, values: new Float64Array(allocate(rows * Float64Array.BYTES_PER_ELEMENT)), nullCount: 0 };
  }
  if (arrow.DataType.isDate(type)) {
    return { kind: 'timestamp', name, arrowType, toMs: type.unit === arrow.DateUnit.DAY ? 86_400_000 : 1, timeZone: null, values: new Float64Array(allocate(rows * Float64Array.BYTES_PER_ELEMENT)), nullCount: 0 };
  }
  return `column "${name}" is ${arrowType}; skipped (only numbers, booleans, strings and timestamps are used)`;
}

/**
 * Decimals (SQL exports' prices) as the nearest double of unscaled / 10^scale, as pandas reads them. The unscaled
 * integer is little-endian two's complement in `bitWidth / 32` words; one that fits 64 bits is read as two halves.
 */
function unpackDecimal(words: Uint32Array, type: arrow.Decimal, n: number, offset: number): Float64Array {
  const stride = type.bitWidth / 32;
  const divisor = 10 ** type.scale;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = (offset + i) * stride;
    const lo = words[base] ?? 0;
    const hi = words[base + 1] ?? 0;
    const ext = (hi & 0x80000000) !== 0 ? 0xffffffff : 0;
    let fits = true;
    for (let w = 2; w < stride; w++) if (words[base + w] !== ext) { fits = false; break; }
    if (fits) {
      out[i] = ((hi | 0) * TWO_32 + lo) / divisor;
    } else {
      let big = 0n;
      for (let w = stride - 1; w >= 0; w--) big = (big << 32n) | BigInt(words[base + w] ?? 0);
      out[i] = Number(BigInt.asIntN(type.bitWidth, big)) / divisor;
    }
  }
  return out;
}

/** How a numeric column is stored, narrowest first (see `NumericValues`). */
type Width = 0 | 1 | 2;
const UINT8: Width = 0;
const FLOAT32: Width = 1;
const FLOAT64: Width = 2;

function widthOf(values: NumericValues): Width {
  return values instanceof Uint8Array ? UINT8 : values instanceof Float32Array ? FLOAT32 : FLOAT64;
}

/** Re-stores the sink at `need` when that is wider than now, keeping the `filled` rows decoded so far. */
function widen(sink: NumericSink, need: Width, filled: number): void {
  if (need <= widthOf(sink.values)) return;
  const rows = sink.values.length;
  const next = need === FLOAT32 ? new Float32Array(sink.allocate(rows * Float32Array.BYTES_PER_ELEMENT)) : new Float64Array(sink.allocate(rows * Float64Array.BYTES_PER_ELEMENT));
  next.set(sink.values.subarray(0, filled));
  sink.values = next;
}

/** The narrowest width, at least `atLeast`, that holds the first `n` values exactly (NaN needs a float). */
function widthFor(src: ArrayLike<number>, n: number, atLeast: Width): Width {
  let i = 0;
  if (atLeast === UINT8) {
    for (; i < n; i++) {
      const v = src[i]!;
      if (!(v >= 0 && v <= 255 && Math.floor(v) === v)) break;
    }
    if (i === n) return UINT8;
  } else if (atLeast === FLOAT64) {
    return FLOAT64;
  }
  for (; i < n; i++) {
    const v = src[i]!;
    if (Math.fround(v) !== v && v === v) return FLOAT64;
  }
  return FLOAT32;
}

/** `widthFor` for 64-bit integers, read as 32-bit halves like `unpackInt64`. */
function int64WidthFor(values: BigInt64Array | BigUint64Array, n: number, atLeast: Width): Width {
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const unsigned = values instanceof BigUint64Array;
  let width = atLeast;
  for (let i = 0; i < n && width < FLOAT64; i++) {
    const lo = (words[2 * i] ?? 0) >>> 0;
    const hi = unsigned ? (words[2 * i + 1] ?? 0) >>> 0 : (words[2 * i + 1] ?? 0);
    if (hi === 0 && lo <= 255) continue;
    const v = hi * TWO_32 + lo;
    width = Math.fround(v) === v ? FLOAT32 : FLOAT64;
  }
  return width;
}

/** Bools unpack a byte (8 rows) at a time when the chunk is byte-aligned. */
function unpackBools(bits: Uint8Array, bitOffset: number, n: number, out: NumericValues, at: number): void {
  let i = 0;
  if ((bitOffset & 7) === 0) {
    const firstByte = bitOffset >> 3;
    const whole = n >> 3;
    for (let b = 0; b < whole; b++) {
      const byte = bits[firstByte + b] ?? 0;
      const o = at + (b << 3);
      out[o] = byte & 1;
      out[o + 1] = (byte >> 1) & 1;
      out[o + 2] = (byte >> 2) & 1;
      out[o + 3] = (byte >> 3) & 1;
      out[o + 4] = (byte >> 4) & 1;
      out[o + 5] = (byte >> 5) & 1;
      out[o + 6] = (byte >> 6) & 1;
      out[o + 7] = (byte >> 7) & 1;
    }
    i = whole << 3;
  }
  for (; i < n; i++) out[at + i] = isValid(bits, bitOffset + i) ? 1 : 0;
}

/**
 * Reads 64-bit integers as two 32-bit halves: far faster than Number(bigint), and the hi word tells
 * values beyond ±2^53 apart. Returns true when such a value was seen.
 */
function unpackInt64(values: BigInt64Array | BigUint64Array, n: number, out: NumericValues, at: number): boolean {
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);
  let unsafe = false;
  if (values instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) {
      const hi = (words[2 * i + 1] ?? 0) >>> 0;
      if (hi >= SAFE_HI) unsafe = true;
      out[at + i] = (hi * TWO_32 + ((words[2 * i] ?? 0) >>> 0));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const hi = words[2 * i + 1] ?? 0;
      if (hi >= SAFE_HI || hi < -SAFE_HI) unsafe = true;
      out[at + i] = (hi * TWO_32 + ((words[2 * i] ?? 0) >>> 0));
    }
  }
  return unsafe;
}

/** Overwrites null rows with NaN; returns how many there were. */
function applyNullsAsNaN(data: arrow.Data, out: NumericValues, at: number): number {
  if (!hasNulls(data)) return 0;
  const bitmap = data.nullBitmap as Uint8Array;
  const n = data.length;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (!isValid(bitmap, data.offset + i)) { out[at + i] = NaN; nulls++; }
  }
  return nulls;
}

type NumericTypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Writes one chunk of a number/bool column into the sink at row `at` (widening it first if needed); returns the chunk's null count. */
function decodeNumeric(sink: NumericSink, data: arrow.Data, at: number): number {
  const n = data.length;
  const values: unknown = data.values;
  // a null becomes NaN, which only a float can hold
  const atLeast = hasNulls(data) ? FLOAT32 : UINT8;
  if (arrow.DataType.isBool(data.type)) {
    widen(sink, atLeast, at);
    unpackBools(values as Uint8Array, data.offset, n, sink.values, at);
  } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    widen(sink, int64WidthFor(values, n, atLeast), at);
    if (unpackInt64(values, n, sink.values, at)) sink.unsafeInteger = true;
    if (sink.unsafeInteger) keepExact(sink, values, n, at);
  } else if (values instanceof Uint32Array && arrow.DataType.isDecimal(data.type)) {
    const chunk = unpackDecimal(values, data.type, n, data.offset);
    widen(sink, widthFor(chunk, n, atLeast), at);
    sink.values.set(chunk, at);
  } else if (values instanceof Uint16Array && arrow.DataType.isFloat(data.type)) {
    // half floats: rare enough that the per-row getter is fine
    const vec = arrow.makeVector(data);
    const chunk = Float64Array.from({ length: n }, (_, i) => Number(vec.get(i)));
    widen(sink, widthFor(chunk, n, atLeast), at);
    sink.values.set(chunk, at);
  } else if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const typed = values as NumericTypedArray;
    widen(sink, widthFor(typed, n, atLeast), at);
    sink.values.set(typed.length === n ? typed : typed.subarray(0, n), at);
  } else {
    throw new Error(`column "${sink.name}": unexpected buffer for ${sink.arrowType}; re-save the file with plain numeric types`);
  }
  const nulls = applyNullsAsNaN(data, sink.values, at);
  // a float's NaN (pandas writes its missing values so) is a null like any other: NaN is how a null is held here, and
  // a NaN left uncounted reached logistic regression and the MLP as a value ("not positive definite", NaN scores)
  return arrow.DataType.isFloat(data.type) ? countNaN(sink.values, at, n) : nulls;
}

/** NaN values (nulls included) among `n` values from `at`. */
function countNaN(values: NumericValues, at: number, n: number): number {
  let count = 0;
  for (let i = at; i < at + n; i++) { const v = values[i]!; if (v !== v) count++; }
  return count;
}

/** Copies a chunk's raw 64-bit integers into the sink's exact array, creating it from the (exact) rows before. */
function keepExact(sink: NumericSink, values: BigInt64Array | BigUint64Array, n: number, at: number): void {
  if (sink.exact === undefined) {
    const rows = sink.values.length;
    sink.exact = values instanceof BigUint64Array ? new BigUint64Array(rows) : new BigInt64Array(rows);
    for (let i = 0; i < at; i++) { const v = sink.values[i] ?? 0; sink.exact[i] = BigInt(v === v ? v : 0); }
  }
  if (sink.exact instanceof BigInt64Array && values instanceof BigInt64Array) sink.exact.set(values.subarray(0, n), at);
  else if (sink.exact instanceof BigUint64Array && values instanceof BigUint64Array) sink.exact.set(values.subarray(0, n), at);
}

function decodeTimestamp(sink: TimestampSink, data: arrow.Data, at: number): number {
  const out = sink.values;
  const n = data.length;
  const values: unknown = data.values;
  if (values instanceof BigInt64Array) {
    unpackInt64(values, n, out, at);
    timestampsToMs(out, at, n, sink.toMs);
  } else if (values instanceof Int32Array) {
    for (let i = 0; i < n; i++) out[at + i] = values[i] ?? 0;
    timestampsToMs(out, at, n, sink.toMs);
  } else {
    throw new Error(`column "${sink.name}": unexpected buffer for ${sink.arrowType}; re-save it as timestamp[ms] or timestamp[us]`);
  }
  return applyNullsAsNaN(data, out, at);
}

/** Global codes for every entry of a dictionary vector (cached: parquet readers reuse one dictionary per chunk). */
function dictionaryToCodes(sink: CategoricalSink, dictionary: arrow.Vector): Int32Array {
  const cached = sink.dictionaryCodes.get(dictionary);
  if (cached !== undefined) return cached;
  const codes = new Int32Array(dictionary.length);
  for (let i = 0; i < dictionary.length; i++) {
    const v: unknown = dictionary.get(i);
    codes[i] = v === null || v === undefined ? -1 : sink.interner.codeOfText(String(v));
  }
  sink.dictionaryCodes.set(dictionary, codes);
  return codes;
}

function decodeCategorical(sink: CategoricalSink, data: arrow.Data, at: number): number {
  const out = sink.codes;
  const n = data.length;
  const nullable = hasNulls(data);
  const bitmap = data.nullBitmap as Uint8Array;
  let nulls = 0;
  if (arrow.DataType.isDictionary(data.type)) {
    if (data.dictionary === undefined) throw new Error(`column "${sink.name}": dictionary batch without a dictionary; re-save the file`);
    const map = dictionaryToCodes(sink, data.dictionary);
    const idx = data.values as unknown;
    if (!ArrayBuffer.isView(idx) || idx instanceof DataView) throw new Error(`column "${sink.name}": unexpected dictionary indices; re-save the file`);
    const indices = idx as Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (nullable && !isValid(bitmap, data.offset + i)) { out[at + i] = -1; nulls++; continue; }
      out[at + i] = map[Number(indices[i] ?? -1)] ?? -1;
    }
    return nulls;
  }
  const bytes = data.values as Uint8Array;
  const offsetsRaw: unknown = data.valueOffsets;
  if (offsetsRaw instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) {
      if (nullable && !isValid(bitmap, data.offset + i)) { out[at + i] = -1; nulls++; continue; }
      out[at + i] = sink.interner.codeOfBytes(bytes, Number(offsetsRaw[i]), Number(offsetsRaw[i + 1]));
    }
    return nulls;
  }
  const offsets = offsetsRaw as Int32Array;
  // Runs of the same string are common (sorted or clustered data): compare with the previous row first.
  let prevStart = -1;
  let prevEnd = -1;
  let prevCode = -1;
  for (let i = 0; i < n; i++) {
    if (nullable && !isValid(bitmap, data.offset + i)) { out[at + i] = -1; nulls++; continue; }
    const start = offsets[i] ?? 0;
    const end = offsets[i + 1] ?? 0;
    if (prevCode >= 0 && end - start === prevEnd - prevStart && equalRanges(bytes, start, prevStart, end - start)) {
      out[at + i] = prevCode;
      continue;
    }
    prevCode = sink.interner.codeOfBytes(bytes, start, end);
    prevStart = start;
    prevEnd = end;
    out[at + i] = prevCode;
  }
  return nulls;
}

function equalRanges(buf: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (buf[a + k] !== buf[b + k]) return false;
  return true;
}

function isInteger(values: NumericValues): boolean {
  if (values instanceof Uint8Array) return true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (v === v && Math.floor(v) !== v) return false;
  }
  return true;
}

/** Preallocates typed arrays of `totalRows` for every usable column of `schema`; row groups are appended in order. */
export function createColumnDecoder(schema: arrow.Schema, totalRows: number, allocate: Allocate = (n) => new ArrayBuffer(n)): ColumnDecoder {
  const notes: string[] = [];
  const skipped: SkippedColumn[] = [];
  const sinks: Sink[] = schema.fields.map((field) => {
    const sink = makeSink(field, totalRows, allocate);
    if (typeof sink === 'string') { notes.push(sink); skipped.push({ name: field.name, note: sink }); return null; }
    return sink;
  });
  let filled = 0;
  let finished = false;

  return {
    append(table: arrow.Table): void {
      if (finished) throw new Error('decoder already finished; create a new one for another file');
      if (filled + table.numRows > totalRows) {
        throw new Error(`got ${filled + table.numRows} rows but the footer promised ${totalRows}; the file may be corrupt`);
      }
      for (const batch of table.batches) {
        for (let c = 0; c < sinks.length; c++) {
          const sink = sinks[c];
          if (sink === null || sink === undefined) continue;
          const data = batch.data.children[c];
          if (data === undefined) throw new Error(`column "${sink.name}" is missing from a row group; the file's row groups disagree on the schema`);
          if (sink.kind === 'numeric') sink.nullCount += decodeNumeric(sink, data, filled);
          else if (sink.kind === 'categorical') sink.nullCount += decodeCategorical(sink, data, filled);
          else sink.nullCount += decodeTimestamp(sink, data, filled);
        }
        filled += batch.numRows;
      }
    },

    finish(): DecodeResult {
      finished = true;
      const columns: Column[] = [];
      for (const sink of sinks) {
        if (sink === null || sink === undefined) continue;
        if (sink.kind === 'numeric') {
          const values = filled === totalRows ? sink.values : sink.values.slice(0, filled);
          const col: NumericColumn = {
            kind: 'numeric', name: sink.name, arrowType: sink.arrowType, values, nullCount: sink.nullCount,
            isBool: sink.isBool, isInteger: sink.isBool || isInteger(values), unsafeInteger: sink.unsafeInteger,
            ...(sink.exact === undefined ? {} : { exact: filled === totalRows ? sink.exact : sink.exact.slice(0, filled) }),
          };
          columns.push(col);
        } else if (sink.kind === 'categorical') {
          const col: CategoricalColumn = {
            kind: 'categorical', name: sink.name, arrowType: sink.arrowType,
            codes: filled === totalRows ? sink.codes : sink.codes.slice(0, filled), levels: sink.interner.levels, nullCount: sink.nullCount,
          };
          columns.push(col);
        } else {
          const col: TimestampColumn = {
            kind: 'timestamp', name: sink.name, arrowType: sink.arrowType,
            values: filled === totalRows ? sink.values : sink.values.slice(0, filled), nullCount: sink.nullCount,
            ...(sink.timeZone === null ? {} : { timeZone: sink.timeZone }),
          };
          columns.push(col);
        }
      }
      return { columns, notes, skipped };
    },
  };
}

/** Decodes a whole Arrow table at once (tests, CLI); same result shape as `createColumnDecoder(...).finish()`. */
export function decodeTable(table: arrow.Table): DecodeResult {
  const decoder = createColumnDecoder(table.schema, table.numRows);
  decoder.append(table);
  return decoder.finish();
}
