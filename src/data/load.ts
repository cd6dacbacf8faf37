/**
 * Streams a parquet file into columns, row group by row group: the footer first (one suffix range request),
 * then each row group's byte range, decoded as it arrives. Progress after every row group; cancellable between
 * them. Pure: the parquet decoder module and the byte source are injected (worker, node CLI and tests).
 */
import { Schema, Table, tableFromIPC } from 'apache-arrow';
import type { Allocate } from './datasetCopy.ts';
import { createColumnDecoder } from './decode.ts';
import { ParquetFormatError, footerLength, parseFooter, type ParquetFooter } from './parquetFooter.ts';
import { LoadError, type ByteSource } from './byteSource.ts';
import { DEFAULT_LOAD_LIMITS, LoadLimitError, fileSizeProblem, loadChoices, planLoad, type LoadLimits, type LoadSelection } from './loadPlan.ts';
import { checkChunkPages } from './pageCheck.ts';
import type { Column, DataSource, Dataset, SkippedColumn } from './types.ts';

/** The part of parquet-wasm the loader needs (browser esm or node build). */
export interface ParquetModule {
  readSchema(bytes: Uint8Array): { intoIPCStream(): Uint8Array };
  /** the sync reader: a damaged page throws here, where the async reader traps the wasm instance and never settles */
  readParquet(bytes: Uint8Array, options?: { rowGroups?: number[] } | null): { intoIPCStream(): Uint8Array };
  /** the async reader honours `columns` (readParquet ignores it in parquet-wasm 0.8) */
  ParquetFile: {
    fromFile(blob: Blob): Promise<{
      read(options?: { rowGroups?: number[]; columns?: string[] } | null): Promise<{ intoIPCStream(): Uint8Array }>;
      free(): void;
    }>;
  };
}

/** Progress after the footer and after each row group. */
export interface LoadProgress {
  readonly phase: 'footer' | 'rowGroup' | 'done';
  readonly rows: number;
  readonly totalRows: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly rowGroup: number;
  readonly rowGroups: number;
  readonly requests: number;
}

/** A loaded file: its columns and what was noticed on the way. */
export interface LoadResult {
  readonly dataset: Dataset;
  readonly notes: readonly string[];
  readonly footer: ParquetFooter;
  readonly requests: number;
  /** pages whose CRC-32 was checked (0 when the writer stored none) */
  readonly checksummedPages: number;
}

const TAIL_BYTES = 64 * 1024;
/** Row groups whose decoded columns stay under this are read in one go; larger ones column by column. */
const WHOLE_ROW_GROUP_BYTES = 8 * 2 ** 20;

/** Files up to this size are decoded with the sync reader, which copies the whole file into wasm memory. */
const SYNC_READ_MAX_FILE_BYTES = 64 * 2 ** 20;

/** Raised when the user cancels a load. */
export class LoadCancelled extends Error {
  override name = 'AbortError';
  constructor() {
    super('load cancelled; the previously loaded data is kept');
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Rough size of a row group once decoded to Arrow (strings counted at 16 bytes). */
function arrowBytes(rows: number, columns: ParquetFooter['columns']): number {
  const width: Record<string, number> = { BOOLEAN: 1, INT32: 4, FLOAT: 4, INT64: 8, DOUBLE: 8, INT96: 12 };
  return rows * columns.reduce((a, c) => a + (width[c.physicalType] ?? 16), 0);
}

/** Intervals of [0, size) not yet covered, so the hash can be taken over the whole file. */
function gaps(covered: Array<[number, number]>, size: number): Array<[number, number]> {
  const sorted = [...covered].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let at = 0;
  for (const [s, e] of sorted) {
    if (s > at) out.push([at, s]);
    at = Math.max(at, e);
  }
  if (at < size) out.push([at, size]);
  return out;
}

/** A wasm trap ("unreachable", out of bounds) or decoder error, as a sentence about the file. */
function decodeFailure(fileName: string, where: string, err: unknown): ParquetFormatError {
  const detail = err instanceof Error ? err.message : String(err);
  return new ParquetFormatError(`"${fileName}" ${where} could not be decoded (${detail.split('\n')[0]?.slice(0, 120)}); the file is damaged or truncated, export it again`);
}

/** The names that appear more than once, each once. */
function duplicateNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const n of names) (seen.has(n) ? twice : seen).add(n);
  return [...twice];
}

/**
 * Loads a parquet file from a byte source, streaming row groups. The footer decides first whether the load fits
 * the limits (`LoadLimitError` carries a narrower selection to offer); `selection` loads only some columns or
 * row groups.
 */
export async function loadParquet(opts: {
  source: ByteSource;
  dataSource: DataSource;
  parquet: ParquetModule;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  selection?: LoadSelection;
  limits?: LoadLimits;
  /** beyond a limit, load the plan's suggested columns and row groups instead of refusing (the user asked for it) */
  narrowToFit?: boolean;
  /** the memory of the decoded columns (a SharedArrayBuffer to share them with the page without a copy) */
  allocate?: Allocate;
}): Promise<LoadResult> {
  const { source, parquet, signal } = opts;
  const limits = opts.limits ?? DEFAULT_LOAD_LIMITS;
  const check = (): void => {
    if (signal?.aborted) throw new LoadCancelled();
  };
  const tail = await source.readTail(TAIL_BYTES, signal);
  check();
  const size = tail.size;
  if (size === 0) throw new LoadError(`"${source.name}" is empty (0 bytes); pick a parquet file with data`);
  if (size < 12) throw new ParquetFormatError(`"${source.name}" is ${size} bytes, too small to be a parquet file`);
  const tooBig = fileSizeProblem(size, limits);
  if (tooBig !== null) throw new LoadError(`"${source.name}": ${tooBig}`);
  const file = new Uint8Array(size);
  file.set(tail.bytes, size - tail.bytes.length);
  const covered: Array<[number, number]> = [[size - tail.bytes.length, size]];
  const metaLen = footerLength(file.subarray(size - 8), source.name);
  if (metaLen + 8 > size - 4) {
    throw new ParquetFormatError(`"${source.name}" is truncated: its footer claims ${metaLen} bytes but the file has ${size}`);
  }
  const metaStart = size - 8 - metaLen;
  if (metaStart < size - tail.bytes.length) {
    const rest = await source.read(metaStart, size - tail.bytes.length, signal);
    file.set(rest, metaStart);
    covered.push([metaStart, size - tail.bytes.length]);
  }
  let footer: ParquetFooter;
  try {
    footer = parseFooter(file.subarray(metaStart, size - 8));
  } catch (err) {
    throw new ParquetFormatError(`"${source.name}" has an unreadable parquet footer (${(err as Error).message}); the file is damaged`);
  }
  const twice = duplicateNames(footer.columns.map((c) => c.name));
  if (twice.length > 0) {
    throw new LoadError(`"${source.name}" has ${twice.length === 1 ? 'a column name' : 'column names'} used twice (${twice.slice(0, 5).map((n) => `"${n}"`).join(', ')}); rename the duplicates and export the file again`);
  }
  let plan = planLoad(footer, size, opts.selection ?? {}, limits);
  if (!plan.ok && opts.narrowToFit === true && plan.suggestion !== null) plan = planLoad(footer, size, plan.suggestion, limits);
  if (!plan.ok) throw new LoadLimitError(plan, loadChoices(footer, plan.suggestion, limits));
  const wanted = new Set(plan.columns);
  const narrowed = plan.columns.length < footer.columns.length;
  const totalBytes = size;
  let bytes = tail.bytes.length;
  const progress = (phase: LoadProgress['phase'], rows: number, rowGroup: number): void =>
    opts.onProgress?.({
      phase, rows, totalRows: plan.rows, bytes, totalBytes, rowGroup, rowGroups: plan.rowGroups.length,
      requests: source.requests,
    });
  progress('footer', 0, 0);
  if (footer.rowGroups.length === 0 || footer.numRows === 0) {
    throw new LoadError(`"${source.name}" holds no rows; pick a file with data`);
  }

  // One column at a time: wasm memory (which never shrinks) then holds one decoded column, not the whole row group.
  let schema: Schema;
  try {
    schema = tableFromIPC(parquet.readSchema(file).intoIPCStream()).schema;
  } catch (err) {
    throw new ParquetFormatError(`"${source.name}" has an unreadable schema (${String((err as Error).message ?? err)}); the file is damaged`);
  }
  // The async per-column reader reads the page indexes that sit between the row groups and the footer: fetch them now.
  if (!tail.whole) {
    const rowGroupRanges = footer.rowGroups.map((rg): [number, number] => [rg.start, rg.end]);
    for (const [s, e] of gaps([...covered, ...rowGroupRanges, [0, 4]], size)) {
      file.set(await source.read(s, e, signal), s);
      covered.push([s, e]);
      bytes += e - s;
    }
  }
  const decoders = schema.fields.filter((f) => wanted.has(f.name)).map((f) => ({ name: f.name, decoder: createColumnDecoder(new Schema([f]), plan.rows, opts.allocate) }));
  const chunkColumns = footer.columns.flatMap((c, index) => (wanted.has(c.name) ? [{ name: c.name, index }] : []));
  let rows = 0;
  let checksummedPages = 0;
  for (const [done, i] of plan.rowGroups.entries()) {
    check();
    const rg = footer.rowGroups[i]!;
    if (rg.end > size || rg.start < 4 || rg.end <= rg.start) {
      throw new ParquetFormatError(`"${source.name}" is truncated: row group ${i} lies at bytes ${rg.start}-${rg.end} of ${size}`);
    }
    if (!tail.whole) {
      const chunk = await source.read(rg.start, rg.end, signal);
      file.set(chunk, rg.start);
      covered.push([rg.start, rg.end]);
      bytes += chunk.length;
    }
    check();
    for (const { name, index } of chunkColumns) {
      const chunk = rg.chunks[index]!;
      if (chunk.start < 4 || chunk.end > size || chunk.end < chunk.start) {
        throw new ParquetFormatError(`"${source.name}" column "${name}", row group ${i} lies at bytes ${chunk.start}-${chunk.end} of ${size}; the file is truncated or damaged`);
      }
      checksummedPages += checkChunkPages(file, chunk, { column: name, rowGroup: i, fileName: source.name }).checksummed;
    }
    const checkRows = (got: number): void => {
      if (got !== rg.rows) {
        throw new ParquetFormatError(`"${source.name}" row group ${i} holds ${got.toLocaleString('en-US')} rows but the footer says ${rg.rows.toLocaleString('en-US')}; the file is damaged, export it again`);
      }
    };
    if (!narrowed && size <= SYNC_READ_MAX_FILE_BYTES && arrowBytes(rg.rows, footer.columns) <= WHOLE_ROW_GROUP_BYTES) {
      // small row group of a small file: one sync read is faster than one per column, its wasm footprint is
      // bounded (the sync reader copies the whole file in), and a damaged page throws instead of trapping
      let table: Table;
      try {
        table = tableFromIPC(parquet.readParquet(file, { rowGroups: [i] }).intoIPCStream());
      } catch (err) {
        throw decodeFailure(source.name, `row group ${i}`, err);
      }
      checkRows(table.numRows);
      for (const { name, decoder } of decoders) {
        const col = table.getChild(name);
        if (!col) throw new ParquetFormatError(`"${source.name}" row group ${i} lacks column "${name}"; its row groups disagree on the schema`);
        decoder.append(new Table({ [name]: col }));
      }
    } else {
      // a large row group or a chosen subset: one column at a time, so wasm memory holds one decoded column
      const reader = await parquet.ParquetFile.fromFile(new Blob([file as Uint8Array<ArrayBuffer>]));
      try {
        for (const { name, decoder } of decoders) {
          let table: Table;
          try {
            table = tableFromIPC((await reader.read({ rowGroups: [i], columns: [name] })).intoIPCStream());
          } catch (err) {
            throw decodeFailure(source.name, `row group ${i}, column "${name}"`, err);
          }
          checkRows(table.numRows);
          decoder.append(table);
        }
      } finally {
        reader.free();
      }
    }
    rows += rg.rows;
    progress('rowGroup', rows, done + 1);
    // let the event loop deliver a cancel between row groups
    await new Promise((r) => setTimeout(r, 0));
  }
  check();
  if (!tail.whole) {
    for (const [s, e] of gaps(covered, size)) {
      file.set(await source.read(s, e, signal), s);
      bytes += e - s;
    }
  }
  const columns: Column[] = [];
  const notes: string[] = [];
  const skipped: SkippedColumn[] = [];
  for (const { decoder } of decoders) {
    const decoded = decoder.finish();
    columns.push(...decoded.columns);
    notes.push(...decoded.notes);
    skipped.push(...decoded.skipped);
  }
  // a nested column (list, struct, map) has only dotted leaf names in the footer: name it as skipped, never drop it silently
  for (const field of schema.fields) {
    if (wanted.has(field.name) || !plan.columns.some((c) => c.startsWith(`${field.name}.`))) continue;
    const decoded = createColumnDecoder(new Schema([field]), 0).finish();
    notes.push(...decoded.notes);
    skipped.push(...decoded.skipped);
  }
  const sha256 = await sha256Hex(file);
  progress('done', rows, plan.rowGroups.length);
  if (narrowed || plan.rowGroups.length < footer.rowGroups.length) {
    notes.push(`loaded ${plan.columns.length} of ${footer.columns.length} columns and ${plan.rowGroups.length} of ${footer.rowGroups.length} row groups (${rows.toLocaleString('en-US')} of ${footer.numRows.toLocaleString('en-US')} rows), as chosen`);
  }
  return {
    dataset: { source: opts.dataSource, rows, columns, sha256, bytes: size, ...(skipped.length > 0 ? { skipped } : {}) },
    notes,
    footer,
    requests: source.requests,
    checksummedPages,
  };
}
