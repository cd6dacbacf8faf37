/** What the data says before any model: class balance, order values, and conversion rate by each feature's values. */
import type { Column, Dataset, NumericColumn, NumericValues } from './types.ts';
import { BASELINE_LEVEL, detectOneHotGroups, groupCodes, type OneHotGroup } from './oneHotGroups.ts';
import { binaryLabels, type BinaryLabels } from './validate.ts';
import { releaseBuffers } from './releaseBuffers.ts';

/** Rows and positive rate of one value, level or value range of a feature. */
export interface ConversionBin {
  readonly label: string;
  readonly rows: number;
  readonly positives: number;
  /** positives / rows (NaN when rows = 0) */
  readonly rate: number;
  /** value range of a quantile bin (inclusive), or the value itself */
  readonly lo?: number;
  readonly hi?: number;
}

/** Conversion by a feature's values; `binning` says how the bins were made. */
export interface FeatureProfile {
  readonly feature: string;
  /** the table columns behind the feature (several for a one-hot group) */
  readonly columns: readonly string[];
  readonly binning: 'values' | 'quantiles' | 'levels' | 'group';
  readonly bins: readonly ConversionBin[];
  readonly nullRows: number;
}

/** Revenue of converting rows; `valueCounts` when it takes at most 30 values, else `histogram`. */
export interface RevenueProfile {
  readonly column: string;
  readonly convertingRows: number;
  readonly total: number;
  readonly meanOrderValue: number;
  readonly min: number;
  readonly max: number;
  readonly valueCounts: ReadonlyArray<{ readonly value: number; readonly count: number }> | null;
  readonly histogram: ReadonlyArray<{ readonly lo: number; readonly hi: number; readonly count: number }> | null;
  /** rows that did not convert yet carry revenue > 0 (should be 0) */
  readonly nonConvertingWithRevenue: number;
}

/** The whole profile: plain data for cells and reports to draw. */
export interface Profile {
  readonly rows: number;
  readonly classTarget: string;
  readonly classBalance: {
    readonly negativeLabel: string;
    readonly positiveLabel: string;
    readonly negatives: number;
    readonly positives: number;
    readonly nulls: number;
    readonly negativeRate: number;
    readonly positiveRate: number;
  };
  /** positives / labelled rows */
  readonly conversionRate: number;
  readonly revenue: RevenueProfile | null;
  readonly features: readonly FeatureProfile[];
  readonly groups: readonly OneHotGroup[];
}

/** Options of `profileDataset`; `features` (columns or one-hot group names) defaults to every non-target, non-timestamp column. */
export interface ProfileOptions {
  readonly classTarget: string;
  readonly revenueTarget: string | null;
  readonly features?: readonly string[];
}

/** Numeric columns with at most this many distinct values are profiled value by value. */
export const MAX_VALUE_BINS = 30;
/** Wider numeric columns get this many quantile bins. */
export const QUANTILE_BINS = 10;

function bin(label: string, rows: number, positives: number, lo?: number, hi?: number): ConversionBin {
  const b = { label, rows, positives, rate: rows > 0 ? positives / rows : NaN };
  return lo === undefined || hi === undefined ? b : { ...b, lo, hi };
}

/** Rows and positives per distinct value, or null when there are more than `limit` distinct values. */
export function countsByValue(values: NumericValues, y: Uint8Array, limit: number): Map<number, { rows: number; positives: number }> | null {
  const counts = new Map<number, { rows: number; positives: number }>();
  for (let i = 0; i < values.length; i++) {
    const label = y[i];
    if (label === 255) continue;
    const v = values[i] ?? NaN;
    if (v !== v) continue;
    let c = counts.get(v);
    if (c === undefined) {
      if (counts.size >= limit) return null;
      c = { rows: 0, positives: 0 };
      counts.set(v, c);
    }
    c.rows++;
    if (label === 1) c.positives++;
  }
  return counts;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function nullBin(values: NumericValues, y: Uint8Array): { rows: number; positives: number } {
  let rows = 0;
  let positives = 0;
  for (let i = 0; i < values.length; i++) {
    if (y[i] === 255 || (values[i] ?? NaN) === (values[i] ?? NaN)) continue;
    rows++;
    if (y[i] === 1) positives++;
  }
  return { rows, positives };
}

function profileNumeric(col: NumericColumn, labels: BinaryLabels): FeatureProfile {
  const y = labels.y;
  const nulls = col.nullCount > 0 ? nullBin(col.values, y) : { rows: 0, positives: 0 };
  const nullBins = nulls.rows > 0 ? [bin('(null)', nulls.rows, nulls.positives)] : [];
  const counts = countsByValue(col.values, y, MAX_VALUE_BINS);
  if (counts !== null) {
    const bins = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([v, c]) =>
      bin(col.isBool ? (v === 1 ? 'true' : 'false') : formatNumber(v), c.rows, c.positives, v, v));
    return { feature: col.name, columns: [col.name], binning: 'values', bins: [...bins, ...nullBins], nullRows: col.nullCount };
  }
  // Quantile edges from the sorted labelled values; ties make some bins wider, never empty.
  const present = new Float64Array(col.values.length);
  let n = 0;
  for (let i = 0; i < col.values.length; i++) {
    const v = col.values[i] ?? NaN;
    if (v === v && y[i] !== 255) present[n++] = v;
  }
  const sorted = present.subarray(0, n).sort();
  const edges: number[] = [];
  for (let q = 1; q < QUANTILE_BINS; q++) {
    const e = sorted[Math.floor((q * n) / QUANTILE_BINS)] ?? NaN;
    if (edges.length === 0 || e > (edges[edges.length - 1] ?? -Infinity)) edges.push(e);
  }
  // 8 bytes a row: freed now rather than at a collection the idle data worker may not run
  releaseBuffers(present);
  // bin k holds values in [edges[k-1], edges[k]); the last is open above
  const rows = new Float64Array(edges.length + 1);
  const positives = new Float64Array(edges.length + 1);
  const lo = new Float64Array(edges.length + 1).fill(Infinity);
  const hi = new Float64Array(edges.length + 1).fill(-Infinity);
  for (let i = 0; i < col.values.length; i++) {
    const v = col.values[i] ?? NaN;
    if (v !== v || y[i] === 255) continue;
    let a = 0;
    let b = edges.length;
    while (a < b) { const m = (a + b) >> 1; if (v >= (edges[m] ?? Infinity)) a = m + 1; else b = m; }
    rows[a] = (rows[a] ?? 0) + 1;
    if (y[i] === 1) positives[a] = (positives[a] ?? 0) + 1;
    if (v < (lo[a] ?? Infinity)) lo[a] = v;
    if (v > (hi[a] ?? -Infinity)) hi[a] = v;
  }
  const bins: ConversionBin[] = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] ?? 0;
    if (r === 0) continue;
    const l = lo[k] ?? NaN;
    const h = hi[k] ?? NaN;
    bins.push(bin(`${formatNumber(l)} – ${formatNumber(h)}`, r, positives[k] ?? 0, l, h));
  }
  return { feature: col.name, columns: [col.name], binning: 'quantiles', bins: [...bins, ...nullBins], nullRows: col.nullCount };
}

/** Conversion per code (level); -1 rows go to `nullLabel`; beyond MAX_VALUE_BINS levels the smallest share "(other)". */
function profileCodes(feature: string, columns: readonly string[], codes: Int32Array, levels: readonly string[], nullLabel: string, labels: BinaryLabels, binning: 'levels' | 'group'): FeatureProfile {
  const y = labels.y;
  const rows = new Float64Array(levels.length + 1);
  const positives = new Float64Array(levels.length + 1);
  for (let i = 0; i < codes.length; i++) {
    if (y[i] === 255) continue;
    const c = codes[i] ?? -1;
    const k = c < 0 ? levels.length : c;
    rows[k] = (rows[k] ?? 0) + 1;
    if (y[i] === 1) positives[k] = (positives[k] ?? 0) + 1;
  }
  let order = levels.map((_, k) => k).filter((k) => (rows[k] ?? 0) > 0);
  if (binning === 'levels') order.sort((a, b) => (rows[b] ?? 0) - (rows[a] ?? 0));
  const bins: ConversionBin[] = [];
  if (order.length > MAX_VALUE_BINS) {
    const rest = order.slice(MAX_VALUE_BINS - 1);
    order = order.slice(0, MAX_VALUE_BINS - 1);
    let r = 0;
    let p = 0;
    for (const k of rest) { r += rows[k] ?? 0; p += positives[k] ?? 0; }
    for (const k of order) bins.push(bin(levels[k] ?? '', rows[k] ?? 0, positives[k] ?? 0));
    bins.push(bin(`(other ${rest.length} levels)`, r, p));
  } else {
    for (const k of order) bins.push(bin(levels[k] ?? '', rows[k] ?? 0, positives[k] ?? 0));
  }
  const nullRows = rows[levels.length] ?? 0;
  if (nullRows > 0) bins.push(bin(nullLabel, nullRows, positives[levels.length] ?? 0));
  return { feature, columns, binning, bins, nullRows: binning === 'group' ? 0 : nullRows };
}

function profileRevenue(col: Column, labels: BinaryLabels): RevenueProfile | null {
  if (col.kind !== 'numeric' || col.isBool) return null;
  const y = labels.y;
  const v = col.values;
  let n = 0;
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonConvertingWithRevenue = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? NaN;
    if (x !== x) continue;
    if (y[i] !== 1) { if (x > 0) nonConvertingWithRevenue++; continue; }
    n++;
    total += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const converting = new Float64Array(n);
  for (let i = 0, k = 0; i < v.length; i++) {
    const x = v[i] ?? NaN;
    if (y[i] === 1 && x === x) converting[k++] = x;
  }
  const onlyConverting = new Uint8Array(n);
  const counts = countsByValue(converting, onlyConverting, MAX_VALUE_BINS);
  let histogram: Array<{ lo: number; hi: number; count: number }> | null = null;
  if (counts === null && n > 0) {
    const bins = 20;
    const width = (max - min) / bins || 1;
    histogram = Array.from({ length: bins }, (_, k) => ({ lo: min + k * width, hi: min + (k + 1) * width, count: 0 }));
    for (const x of converting) {
      const h = histogram[Math.min(bins - 1, Math.floor((x - min) / width))];
      if (h !== undefined) h.count++;
    }
  }
  return {
    column: col.name, convertingRows: n, total, meanOrderValue: n > 0 ? total / n : NaN,
    min: n > 0 ? min : NaN, max: n > 0 ? max : NaN,
    valueCounts: counts === null ? null : [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, c]) => ({ value, count: c.rows })),
    histogram, nonConvertingWithRevenue,
  };
}

/** Columns named in `features`, where a one-hot group name stands for its members; unknown names are skipped. */
function featureColumns(ds: Dataset, features: readonly string[], targets: readonly string[]): Column[] {
  const wanted = new Set(features.filter((f) => !targets.includes(f)));
  for (const g of detectOneHotGroups(ds.columns, { exclude: targets })) {
    if (wanted.has(g.name)) for (const c of g.columns) wanted.add(c);
  }
  return ds.columns.filter((c) => wanted.has(c.name));
}

/** Profiles `ds` against its class target (and revenue target, if any); throws when the class target is unusable. */
export function profileDataset(ds: Dataset, opts: ProfileOptions): Profile {
  const byName = new Map(ds.columns.map((c) => [c.name, c] as const));
  const cls = byName.get(opts.classTarget);
  if (cls === undefined) throw new Error(`class target "${opts.classTarget}" is not a column of this file; pick one of its columns`);
  const labels = binaryLabels(cls);
  if (typeof labels === 'string') throw new Error(labels);
  const targets = [opts.classTarget, ...(opts.revenueTarget === null ? [] : [opts.revenueTarget])];
  const candidates = opts.features === undefined
    ? ds.columns.filter((c) => !targets.includes(c.name) && c.kind !== 'timestamp')
    : featureColumns(ds, opts.features, targets);
  const groups = detectOneHotGroups(candidates);
  const inGroup = new Map<string, OneHotGroup>();
  for (const g of groups) for (const c of g.columns) inGroup.set(c, g);

  const features: FeatureProfile[] = [];
  const done = new Set<string>();
  for (const col of candidates) {
    const g = inGroup.get(col.name);
    if (g !== undefined) {
      if (done.has(g.name)) continue;
      done.add(g.name);
      const codes = groupCodes(g, ds.columns, ds.rows);
      features.push(profileCodes(g.name, g.columns, codes, g.levels, BASELINE_LEVEL, labels, 'group'));
      releaseBuffers(codes);
    } else if (col.kind === 'numeric') {
      features.push(profileNumeric(col, labels));
    } else if (col.kind === 'categorical') {
      features.push(profileCodes(col.name, [col.name], col.codes, col.levels, '(null)', labels, 'levels'));
    }
  }
  const labelled = labels.positives + labels.negatives;
  const revCol = opts.revenueTarget === null ? undefined : byName.get(opts.revenueTarget);
  const revenue = revCol === undefined ? null : profileRevenue(revCol, labels);
  releaseBuffers(labels.y);
  return {
    rows: ds.rows,
    classTarget: opts.classTarget,
    classBalance: {
      negativeLabel: labels.negativeLabel, positiveLabel: labels.positiveLabel,
      negatives: labels.negatives, positives: labels.positives, nulls: labels.nulls,
      negativeRate: labelled > 0 ? labels.negatives / labelled : NaN,
      positiveRate: labelled > 0 ? labels.positives / labelled : NaN,
    },
    conversionRate: labelled > 0 ? labels.positives / labelled : NaN,
    revenue,
    features,
    groups,
  };
}
