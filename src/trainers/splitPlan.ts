/**
 * How rows are divided into fit, validation and test: random stratified (scikit-learn's rows), by time (train on the
 * past, test on the future), by group (no id on both sides) or by a separate test file; plus what each part holds.
 */
import type { Column, Dataset } from '../data/types.ts';
import { NumpyRandomState } from './numpyRandom.ts';
import { stratifiedSplit, subsetVector } from './split.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';

/** The user's choice of split. `cutoff` is epoch milliseconds (UTC); without it the latest `testFraction` of rows is the test part. */
export type SplitSpec =
  | { readonly kind: 'random' }
  | { readonly kind: 'time'; readonly column: string; readonly cutoff?: number }
  | { readonly kind: 'group'; readonly column: string }
  | { readonly kind: 'test-file'; readonly name: string; readonly trainRows: number };

/** Row indices of the three parts, each sorted ascending. */
export interface RowSplit {
  readonly fit: Uint32Array;
  readonly valid: Uint32Array;
  readonly test: Uint32Array;
}

/** Rows, positives and time range of one part (NaN where unknown). */
export interface SplitPart {
  readonly rows: number;
  /** rows of the positive class; NaN without a class target */
  readonly positives: number;
  /** earliest and latest time (epoch ms) of the part in the split's time column; NaN without one */
  readonly from: number;
  readonly to: number;
}

/** A split with what each part holds, for the cells, the run record and the pipeline's JSON. */
export interface SplitPlan extends RowSplit {
  readonly spec: SplitSpec;
  readonly parts: { readonly fit: SplitPart; readonly valid: SplitPart; readonly test: SplitPart };
  /** the time column the ranges are measured in (the split's own, or the file's first timestamp), or null */
  readonly timeColumn: string | null;
  /** one sentence: what was split how */
  readonly description: string;
}

/** Fractions and seed shared by every split kind. */
export interface SplitOptions {
  readonly testFraction: number;
  readonly validationFraction: number;
  readonly seed: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** A UTC date as YYYY-MM-DD, with the time when it is not midnight. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

/** Parses a cutoff typed by the user ("2015-01-01", "2015-01-01 12:00"), read as UTC, to epoch ms; an error sentence otherwise. */
export function parseCutoff(text: string): number | string {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/.exec(t);
  if (m === null) return `cutoff "${text}" is not a date; type it as YYYY-MM-DD, e.g. 2015-01-01`;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return `cutoff "${text}" is not a real date; check the day and month`;
  return ms;
}

/** The split used when the user has not chosen: by time on the first timestamp column without nulls, else random. */
export function defaultSplitSpec(ds: Dataset): SplitSpec {
  const time = ds.columns.find((c) => c.kind === 'timestamp' && c.nullCount === 0);
  return time === undefined ? { kind: 'random' } : { kind: 'time', column: time.name };
}

/** Parses the pipeline's `--split random|time:<col>[:<cutoff>]|group:<col>`; an error sentence otherwise. */
export function parseSplitArg(text: string): SplitSpec | string {
  if (text === 'random') return { kind: 'random' };
  const m = /^(time|group):([^:]+)(?::(.+))?$/.exec(text);
  if (m === null) return `--split "${text}" is not random, time:<column>[:<YYYY-MM-DD>] or group:<column>`;
  const [, kind, column = '', cutoffText] = m;
  if (kind === 'group') {
    if (cutoffText !== undefined) return `--split "${text}": a group split takes no cutoff; use group:<column>`;
    return { kind: 'group', column };
  }
  if (cutoffText === undefined) return { kind: 'time', column };
  const cutoff = parseCutoff(cutoffText);
  return typeof cutoff === 'string' ? cutoff : { kind: 'time', column, cutoff };
}

/** A short text of the spec: "time on created_at at 2015-01-01", for run records and MLflow params. */
export function describeSplitSpec(spec: SplitSpec): string {
  switch (spec.kind) {
    case 'random': return 'random stratified';
    case 'time': return spec.cutoff === undefined ? `time on ${spec.column} (latest rows as test)` : `time on ${spec.column} at ${formatTime(spec.cutoff)}`;
    case 'group': return `group on ${spec.column}`;
    case 'test-file': return `test file ${spec.name}`;
  }
}

function sorted(rows: number[] | Uint32Array): Uint32Array {
  return Uint32Array.from(rows).sort();
}

/** Rows in time order (stable), after refusing nulls with their count. */
function timeOrder(times: ArrayLike<number>, column: string): Uint32Array {
  let nulls = 0;
  for (let i = 0; i < times.length; i++) if (Number.isNaN(times[i] as number)) nulls++;
  if (nulls > 0) {
    throw new Error(`time column "${column}" has ${fmt(nulls)} null rows; filter them out (${column} not null) or choose another split`);
  }
  const order = new Uint32Array(times.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
}

/**
 * Splits `rows` (given in time order) so that the latest ≈ `fraction` of them come after a cutoff: rows sharing the
 * cutoff's time all go to the later part, so one moment never straddles the boundary. Returns the cutoff's index.
 */
function cutIndexForFraction(times: ArrayLike<number>, order: Uint32Array, fraction: number): number {
  let k = order.length - Math.ceil(fraction * order.length);
  const t = times[order[k] as number] as number;
  while (k > 0 && times[order[k - 1] as number] === t) k--;
  return k;
}

/** First index of `order` whose time is ≥ `cutoff` (binary search). */
function cutIndexForTime(times: ArrayLike<number>, order: Uint32Array, cutoff: number): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[order[mid] as number] as number) < cutoff) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Time split: test = rows at or after `cutoff` (or the latest `testFraction` of rows); validation = the latest
 * `validationFraction` of the training rows; fit = the earlier rest. Rows at the same instant stay on one side.
 */
export function timeSplit(
  times: ArrayLike<number>, column: string, o: { readonly cutoff?: number; readonly testFraction: number; readonly validationFraction: number },
): RowSplit & { readonly cutoff: number; readonly validationCutoff: number } {
  const order = timeOrder(times, column);
  const n = order.length;
  if (n < 3) throw new Error(`time column "${column}" has ${n} rows; a time split needs at least 3`);
  const first = times[order[0] as number] as number;
  const last = times[order[n - 1] as number] as number;
  const range = `${formatTime(first)} – ${formatTime(last)}`;
  let testStart: number;
  if (o.cutoff === undefined) {
    if (!(o.testFraction > 0 && o.testFraction < 1)) throw new Error(`test share ${o.testFraction} is outside (0, 1); use e.g. 0.2`);
    testStart = cutIndexForFraction(times, order, o.testFraction);
    if (testStart === 0) throw new Error(`every row of "${column}" has the same time ${formatTime(first)}; a time split needs rows at different times, so choose a random split`);
  } else {
    if (!Number.isFinite(o.cutoff)) throw new Error(`cutoff ${o.cutoff} is not a date; type it as YYYY-MM-DD`);
    testStart = cutIndexForTime(times, order, o.cutoff);
    if (testStart === 0) throw new Error(`cutoff ${formatTime(o.cutoff)} is at or before the first ${column} (${range}): no rows would train; pick a date inside that range`);
    if (testStart === n) throw new Error(`cutoff ${formatTime(o.cutoff)} is after the last ${column} (${range}): no rows would be tested; pick a date inside that range`);
  }
  const cutoff = o.cutoff ?? (times[order[testStart] as number] as number);
  const trainOrder = order.subarray(0, testStart);
  if (!(o.validationFraction > 0 && o.validationFraction < 1)) throw new Error(`validation share ${o.validationFraction} is outside (0, 1); use e.g. 0.15`);
  const validStart = cutIndexForFraction(times, trainOrder, o.validationFraction);
  if (validStart === 0) {
    throw new Error(`the ${fmt(testStart)} training rows before ${formatTime(cutoff)} all share one time; move the cutoff later so validation can use later training rows`);
  }
  return {
    fit: sorted(trainOrder.subarray(0, validStart)),
    valid: sorted(trainOrder.subarray(validStart)),
    test: sorted(order.subarray(testStart)),
    cutoff,
    validationCutoff: times[trainOrder[validStart] as number] as number,
  };
}

/**
 * scikit-learn's `GroupShuffleSplit(n_splits=1, test_size, random_state=seed)` on group keys: the distinct keys in
 * ascending order (as `np.unique`), ceil(testFraction · groups) of them drawn for test by NumPy's permutation.
 * Returns [train, test] row indices, sorted.
 */
export function groupShuffleSplit(keys: ArrayLike<number>, testFraction: number, seed: number, column: string): [Uint32Array, Uint32Array] {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`test share ${testFraction} is outside (0, 1); use e.g. 0.2`);
  const distinct = [...new Set(Array.from(keys))].sort((a, b) => a - b);
  const nTest = Math.ceil(testFraction * distinct.length);
  if (distinct.length < 2 || nTest >= distinct.length) {
    throw new Error(`group column "${column}" has ${fmt(distinct.length)} distinct values; a group split needs more groups than the test share takes, so pick a column with more ids`);
  }
  const perm = new NumpyRandomState(seed).permutation(distinct.length);
  const testKeys = new Set<number>();
  for (let i = 0; i < nTest; i++) testKeys.add(distinct[perm[i] as number] as number);
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < keys.length; i++) (testKeys.has(keys[i] as number) ? test : train).push(i);
  return [Uint32Array.from(train), Uint32Array.from(test)];
}

/** Group keys of a column as numbers whose order is the values' (text levels by their sorted text); nulls refused with a count. */
export function groupKeys(col: Column): Float64Array {
  const rows = col.kind === 'categorical' ? col.codes.length : col.values.length;
  if (col.nullCount > 0) throw new Error(`group column "${col.name}" has ${fmt(col.nullCount)} null rows; filter them out or pick another id column`);
  if (col.kind !== 'categorical') return Float64Array.from(col.values);
  const rank = new Float64Array(col.levels.length);
  [...col.levels.keys()].sort((a, b) => ((col.levels[a] ?? '') < (col.levels[b] ?? '') ? -1 : 1)).forEach((code, r) => { rank[code] = r; });
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = rank[col.codes[i] ?? 0] ?? 0;
  return out;
}

/** Group split: test groups by `groupShuffleSplit(seed)`, validation groups by the same on the training rows (seed + 1). */
export function groupSplit(keys: ArrayLike<number>, column: string, o: SplitOptions): RowSplit {
  const [train, test] = groupShuffleSplit(keys, o.testFraction, o.seed, column);
  const trainKeys = subsetVector(keys, train);
  const [innerFit, innerValid] = groupShuffleSplit(trainKeys, o.validationFraction, o.seed + 1, column);
  return { fit: subsetVector(train, innerFit), valid: subsetVector(train, innerValid), test };
}

/** Today's split: scikit-learn's stratified test rows, then a stratified validation slice of the training rows (seed + 1). */
export function randomSplit(y: ArrayLike<number>, o: SplitOptions): RowSplit {
  const { train, test } = stratifiedSplit(y, o.testFraction, o.seed);
  const trainY = subsetVector(y, train);
  const inner = stratifiedSplit(trainY, o.validationFraction, o.seed + 1);
  const split = { fit: subsetVector(train, inner.train), valid: subsetVector(train, inner.test), test };
  // working rows (tens of MB with millions of rows) freed now: an idle worker may not collect them for minutes
  releaseBuffers(trainY, train, inner.train, inner.test);
  return split;
}

function part(rows: Uint32Array, y: ArrayLike<number> | null, times: ArrayLike<number> | null): SplitPart {
  let positives = y === null ? NaN : 0;
  let from = NaN;
  let to = NaN;
  for (const r of rows) {
    if (y !== null && y[r] === 1) positives++;
    const t = times === null ? NaN : (times[r] as number);
    if (Number.isNaN(t)) continue;
    if (Number.isNaN(from) || t < from) from = t;
    if (Number.isNaN(to) || t > to) to = t;
  }
  return { rows: rows.length, positives, from, to };
}

function columnOf(ds: Dataset, name: string, what: string): Column {
  const col = ds.columns.find((c) => c.name === name);
  if (col === undefined) throw new Error(`${what} column "${name}" is not in this file; pick one of its columns`);
  return col;
}

/**
 * The rows of each part for `spec`, with counts, positives (when `y` holds 0/1 labels) and time ranges.
 * A test-file split takes its test rows from `trainRows` on (see `appendTestFile`); validation is then stratified.
 */
export function planSplit(ds: Dataset, spec: SplitSpec, y: ArrayLike<number> | null, o: SplitOptions): SplitPlan {
  // a regression-only notebook has no classes: one stratum is a plain seeded shuffle, as scikit-learn's
  const strata = y ?? new Uint8Array(ds.rows);
  let split: RowSplit;
  let timeColumn: string | null = null;
  let description: string;
  switch (spec.kind) {
    case 'random':
      split = randomSplit(strata, o);
      description = `random stratified: ${Math.round(o.testFraction * 100)} % test, ${Math.round(o.validationFraction * 100)} % of the rest for validation (seed ${o.seed})`;
      break;
    case 'time': {
      const col = columnOf(ds, spec.column, 'time');
      if (col.kind !== 'timestamp') {
        const kind = col.kind === 'categorical' ? 'text' : 'a number';
        throw new Error(`column "${col.name}" is ${kind}, not a timestamp or date; pick a time column or a random split`);
      }
      const t = timeSplit(col.values, col.name, { ...(spec.cutoff === undefined ? {} : { cutoff: spec.cutoff }), testFraction: o.testFraction, validationFraction: o.validationFraction });
      split = t;
      timeColumn = col.name;
      description = `by time on ${col.name}: test from ${formatTime(t.cutoff)}, validation from ${formatTime(t.validationCutoff)}, fit before`;
      break;
    }
    case 'group': {
      const col = columnOf(ds, spec.column, 'group');
      if (col.kind === 'timestamp') throw new Error(`column "${col.name}" is a timestamp; a group split needs an id column such as a user or session id`);
      split = groupSplit(groupKeys(col), col.name, o);
      description = `by group on ${col.name}: no ${col.name} value is in more than one part`;
      break;
    }
    case 'test-file': {
      if (!(spec.trainRows > 0 && spec.trainRows < ds.rows)) throw new Error(`test file "${spec.name}" split at row ${spec.trainRows} of ${ds.rows}; load the training and the test file again`);
      const train = new Uint32Array(spec.trainRows);
      for (let i = 0; i < train.length; i++) train[i] = i;
      const test = new Uint32Array(ds.rows - spec.trainRows);
      for (let i = 0; i < test.length; i++) test[i] = spec.trainRows + i;
      const inner = stratifiedSplit(subsetVector(strata, train), o.validationFraction, o.seed + 1);
      split = { fit: inner.train, valid: inner.test, test };
      description = `test file ${spec.name} (${fmt(test.length)} rows); validation: ${Math.round(o.validationFraction * 100)} % of the training file, stratified`;
      break;
    }
  }
  if (timeColumn === null) {
    const t = ds.columns.find((c) => c.kind === 'timestamp' && c.nullCount < ds.rows);
    timeColumn = t?.name ?? null;
  }
  const timeCol = timeColumn === null ? undefined : ds.columns.find((c) => c.name === timeColumn);
  const times = timeCol?.kind === 'timestamp' ? timeCol.values : null;
  const labels = y === null ? null : y;
  return {
    ...split, spec, timeColumn, description,
    parts: { fit: part(split.fit, labels, times), valid: part(split.valid, labels, times), test: part(split.test, labels, times) },
  };
}

/** train = fit ∪ valid, sorted: what the regressor and the leakage check see as training rows. */
export function trainingRows(split: RowSplit): Uint32Array {
  const out = new Uint32Array(split.fit.length + split.valid.length);
  out.set(split.fit);
  out.set(split.valid, split.fit.length);
  return out.sort();
}
