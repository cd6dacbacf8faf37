/** Row filters (column, operator, value; several, ANDed) and row subsets of a dataset, as pure transforms. */
import type { Column, Dataset, NumericValues } from './types.ts';
import { binaryLabels } from './validate.ts';

/** Comparison of a filter; `is null` / `not null` take no value. */
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'is null' | 'not null';

/** Operators in the order the Features cell offers them. */
export const FILTER_OPS: readonly FilterOp[] = ['=', '!=', '<', '<=', '>', '>=', 'is null', 'not null'];

/** One condition on a column. `value` is text as typed: a number, a level, or a date (YYYY-MM-DD, UTC) for a timestamp. */
export interface RowFilter {
  readonly column: string;
  readonly op: FilterOp;
  readonly value: string;
}

/** A filtered dataset and how many rows each filter kept on its own. */
export interface FilterResult {
  readonly dataset: Dataset;
  readonly kept: number;
  readonly keptByFilter: readonly number[];
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** A filter as text: `device_type = mobile`. */
export function describeFilter(f: RowFilter): string {
  return f.op === 'is null' || f.op === 'not null' ? `${f.column} ${f.op}` : `${f.column} ${f.op} ${f.value}`;
}

function subsetValues(v: NumericValues, rows: Uint32Array): NumericValues {
  const out = v instanceof Uint8Array ? new Uint8Array(rows.length) : v instanceof Float32Array ? new Float32Array(rows.length) : new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = v[rows[i] as number] as number;
  return out;
}

function countNaN(v: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) if (Number.isNaN(v[i] as number)) n++;
  return n;
}

/** The rows `rows` (in that order) of every column; levels are kept, null counts recomputed. */
export function subsetDataset(ds: Dataset, rows: Uint32Array): Dataset {
  const columns: Column[] = ds.columns.map((c) => {
    if (c.kind === 'categorical') {
      const codes = new Int32Array(rows.length);
      let nulls = 0;
      for (let i = 0; i < rows.length; i++) { const k = c.codes[rows[i] as number] ?? -1; codes[i] = k; if (k < 0) nulls++; }
      return { ...c, codes, nullCount: nulls };
    }
    if (c.kind === 'timestamp') {
      const values = Float64Array.from(rows, (r) => c.values[r] ?? NaN);
      return { ...c, values, nullCount: countNaN(values) };
    }
    const values = subsetValues(c.values, rows);
    const src = c.exact;
    let exact: BigInt64Array | BigUint64Array | undefined;
    if (src !== undefined) {
      exact = src instanceof BigInt64Array ? new BigInt64Array(rows.length) : new BigUint64Array(rows.length);
      for (let i = 0; i < rows.length; i++) exact[i] = src[rows[i] as number] ?? 0n;
    }
    return { ...c, values, nullCount: countNaN(values), ...(exact === undefined ? {} : { exact }) };
  });
  return { ...ds, rows: rows.length, columns };
}

/** Per-row test of one filter, or an error sentence naming the column or value. */
function predicate(ds: Dataset, f: RowFilter): ((row: number) => boolean) | string {
  const col = ds.columns.find((c) => c.name === f.column);
  if (col === undefined) return `filter on "${f.column}": no such column in this file; pick one of its columns or remove the filter`;
  if (f.op === 'is null' || f.op === 'not null') {
    const isNull = col.kind === 'categorical' ? (r: number) => (col.codes[r] ?? -1) < 0 : (r: number) => Number.isNaN(col.values[r] ?? NaN);
    return f.op === 'is null' ? isNull : (r) => !isNull(r);
  }
  if (col.kind === 'categorical') {
    if (f.op !== '=' && f.op !== '!=') return `filter "${describeFilter(f)}": "${f.column}" is text, so use = or !=`;
    const code = col.levels.indexOf(f.value);
    if (code < 0 && f.op === '=') return `filter "${describeFilter(f)}": "${f.value}" is not a value of ${f.column}; check the spelling (values are case-sensitive)`;
    return f.op === '=' ? (r) => col.codes[r] === code : (r) => (col.codes[r] ?? -1) >= 0 && col.codes[r] !== code;
  }
  let x: number;
  if (col.kind === 'timestamp') {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(f.value.trim());
    if (m === null) return `filter "${describeFilter(f)}": "${f.value}" is not a date; type it as YYYY-MM-DD`;
    const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
    x = Date.UTC(y, mo - 1, d, h, mi, s);
  } else {
    const text = f.value.trim().toLowerCase();
    x = col.isBool && (text === 'true' || text === 'false') ? Number(text === 'true') : Number(text);
    if (text === '' || !Number.isFinite(x)) return `filter "${describeFilter(f)}": "${f.value}" is not a number; ${f.column} holds numbers`;
  }
  const v = col.values;
  switch (f.op) {
    case '=': return (r) => v[r] === x;
    case '!=': return (r) => { const a = v[r] ?? NaN; return a === a && a !== x; };
    case '<': return (r) => (v[r] ?? NaN) < x;
    case '<=': return (r) => (v[r] ?? NaN) <= x;
    case '>': return (r) => (v[r] ?? NaN) > x;
    case '>=': return (r) => (v[r] ?? NaN) >= x;
  }
}

/**
 * The rows meeting every filter (ANDed). Throws one sentence when a filter is malformed, when no row is kept, or,
 * given `classTarget`, when the kept rows hold one class only; the caller keeps its dataset in that case.
 */
export function filterRows(ds: Dataset, filters: readonly RowFilter[], opts: { classTarget?: string | null } = {}): FilterResult {
  if (filters.length === 0) return { dataset: ds, kept: ds.rows, keptByFilter: [] };
  const tests = filters.map((f) => {
    const p = predicate(ds, f);
    if (typeof p === 'string') throw new Error(p);
    return p;
  });
  const keptByFilter = tests.map((t) => { let n = 0; for (let r = 0; r < ds.rows; r++) if (t(r)) n++; return n; });
  const rows: number[] = [];
  for (let r = 0; r < ds.rows; r++) if (tests.every((t) => t(r))) rows.push(r);
  if (rows.length === 0) {
    const emptiest = keptByFilter.indexOf(Math.min(...keptByFilter));
    const which = keptByFilter[emptiest] === 0 ? `"${describeFilter(filters[emptiest] as RowFilter)}" matches no row` : 'together they match no row';
    throw new Error(`the filters keep no rows (${which}); loosen or remove a filter`);
  }
  const dataset = subsetDataset(ds, Uint32Array.from(rows));
  const target = opts.classTarget === undefined || opts.classTarget === null ? undefined : dataset.columns.find((c) => c.name === opts.classTarget);
  if (target !== undefined) {
    const labels = binaryLabels(target);
    if (typeof labels !== 'string' && (labels.positives === 0 || labels.negatives === 0)) {
      const only = labels.positives === 0 ? labels.negativeLabel : labels.positiveLabel;
      throw new Error(`the filters keep ${fmt(rows.length)} rows, all with ${opts.classTarget} = ${only}; a classifier needs both classes, so loosen a filter`);
    }
    if (typeof labels === 'string' && /only the value/.test(labels)) {
      throw new Error(`the filters keep ${fmt(rows.length)} rows of one ${opts.classTarget} class only; a classifier needs both classes, so loosen a filter`);
    }
  }
  return { dataset, kept: rows.length, keptByFilter };
}
