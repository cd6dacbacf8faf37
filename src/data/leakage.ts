/**
 * Leakage check: what each candidate feature alone says about the targets, measured so that it holds on new data.
 * Single-feature AUC out of fold (k-fold target encoding for levels; a number's AUC from its value ranks, which fits
 * nothing), R² against the regression target out of fold, a "value fixes the label" flag only with a one-sided binomial
 * test against the base rate (Bonferroni over every value tested), duplicate columns and rows repeated across the split.
 */
import type { Dataset, NumericValues } from './types.ts';
import { BASELINE_LEVEL, detectOneHotGroups, groupCodes } from './oneHotGroups.ts';
import { binaryLabels } from './validate.ts';
import { countsByValue } from './profile.ts';
import { applyNumericTransform, transformsByColumn, type ColumnTransform } from './encode.ts';
import { stratifiedKFold } from '../trainers/split.ts';
import { releaseBuffers } from './releaseBuffers.ts';

/** One feature's evidence against the targets. */
export interface LeakageFinding {
  /** column name, or one-hot group name */
  readonly feature: string;
  readonly columns: readonly string[];
  /** single-feature ROC AUC against the class target, out of fold (levels) or from value ranks (numbers); NaN without a class target */
  readonly auc: number;
  /** how `auc` was measured */
  readonly aucMethod: 'value ranks' | 'target encoding, held-out folds' | 'none';
  /** AUC on the rows the level encoding was fitted on (levels only; equals `auc` for numbers) */
  readonly inSampleAuc: number;
  /** R² of the feature alone against the regression target on held-out folds; NaN without one */
  readonly r2: number;
  readonly flagged: boolean;
  /** what was measured, one sentence each, e.g. "engagement_depth = 7 holds 32,313 rows (6.8 %), 100.0 % of them is_ordered = 1, …" */
  readonly reasons: string[];
}

/** Two columns that carry the same information. */
export interface DuplicateColumns {
  readonly columns: readonly [string, string];
  /** identical in every row, or a one-to-one relabelling of each other */
  readonly kind: 'identical' | 'one-to-one';
  /** distinct values they share */
  readonly values: number;
  readonly message: string;
}

/** Test rows with an identical row (every column) among the training rows. */
export interface CrossSplitDuplicates {
  readonly testRows: number;
  readonly withCopyInTraining: number;
  readonly columns: number;
  readonly message: string;
}

/** Everything the Leakage cell, the report and the pipeline's `leakage` section show. */
export interface LeakageReport {
  readonly findings: readonly LeakageFinding[];
  readonly duplicateColumns: readonly DuplicateColumns[];
  readonly crossSplitDuplicates: CrossSplitDuplicates | null;
  /** rows the single-feature measures used (the training rows when a split is given) */
  readonly rowsMeasured: number;
  readonly folds: number;
  /** values whose purity was tested (the Bonferroni factor) */
  readonly valuesTested: number;
  /** which tests were run, for the cell's footnote */
  readonly method: string;
}

/** Options of `leakageReport`. */
export interface LeakageOptions {
  /** binary class target, or null (none) */
  readonly classTarget: string | null;
  /** numeric regression target checked by R², or null/absent (none) */
  readonly revenueTarget?: string | null;
  /** candidate features: column names or one-hot group names */
  readonly features: readonly string[];
  /** other columns never checked even if listed as features */
  readonly targets?: readonly string[];
  /** the Features cell's transforms, applied before measuring (a capped column is judged capped) */
  readonly transforms?: Readonly<Record<string, ColumnTransform>>;
  /** rows to measure on (the training rows of the split); default all */
  readonly rows?: Uint32Array;
  /** the split, for rows repeated across it */
  readonly split?: { readonly train: Uint32Array; readonly test: Uint32Array };
  /** default 5 */
  readonly folds?: number;
  /** fold assignment seed, default 0 */
  readonly seed?: number;
}

/** AUC at or beyond which (or at or below 1 − which) a single feature is flagged. */
export const LEAKAGE_AUC = 0.98;
/** R² against the regression target at or beyond which a feature is flagged. */
export const LEAKAGE_R2 = 0.98;
/** A value whose rows are at least this share of the minority class "fixes the label"… */
export const LEAKAGE_VALUE_PURITY = 0.995;
/** …when it holds at least this many rows… */
export const LEAKAGE_VALUE_MIN_ROWS = 30;
/** …and the one-sided binomial test against the base rate gives p below this after Bonferroni. */
export const LEAKAGE_VALUE_ALPHA = 1e-6;
/** Smoothing of the out-of-fold level means: this many pseudo-rows at the fold's overall rate. */
const ENCODING_PSEUDO_ROWS = 1;

const fmt = (n: number): string => n.toLocaleString('en-US');
/** A share with one decimal; tiny shares keep two significant digits so 55 of 472,871 rows does not read 0.0 %. */
const pct = (x: number): string => (x > 0 && x < 0.001 ? `${(100 * x).toPrecision(2)} %` : `${(100 * x).toFixed(1)} %`);

/** Mann–Whitney AUC from grouped counts in ascending score order; ties within a group count one half. */
function aucFromCounts(rows: ArrayLike<number>, positives: ArrayLike<number>): number {
  let P = 0;
  let N = 0;
  for (let k = 0; k < rows.length; k++) { P += positives[k] ?? 0; N += (rows[k] ?? 0) - (positives[k] ?? 0); }
  if (P === 0 || N === 0) return NaN;
  let negBelow = 0;
  let u = 0;
  for (let k = 0; k < rows.length; k++) {
    const p = positives[k] ?? 0;
    const n = (rows[k] ?? 0) - p;
    u += p * (negBelow + 0.5 * n);
    negBelow += n;
  }
  return u / (P * N);
}

/** AUC of scores given as (score, rows, positives) groups in any order: equal scores are merged so ties count one half. */
function aucOfScoreGroups(score: Float64Array, rows: Float64Array, positives: Float64Array): number {
  const order = [...score.keys()].filter((k) => (rows[k] ?? 0) > 0).sort((a, b) => (score[a] ?? 0) - (score[b] ?? 0));
  const r: number[] = [];
  const p: number[] = [];
  let last = NaN;
  for (const k of order) {
    const s = score[k] ?? 0;
    if (s === last) { r[r.length - 1] = (r[r.length - 1] ?? 0) + (rows[k] ?? 0); p[p.length - 1] = (p[p.length - 1] ?? 0) + (positives[k] ?? 0); } else { r.push(rows[k] ?? 0); p.push(positives[k] ?? 0); last = s; }
  }
  return aucFromCounts(r, p);
}

function valueLabel(v: number): string {
  return String(Number.isInteger(v) ? v : Number(v.toPrecision(6)));
}

/** log10 of P(X ≥ k) for X ~ Binomial(n, p): the tail summed from j = n down, in logs (no underflow at n = 472,871). */
export function log10BinomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 0;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let logC = 0; // log C(n, n)
  let acc = -Infinity;
  for (let j = n; j >= k; j--) {
    const term = logC + j * lp + (n - j) * lq;
    acc = acc === -Infinity ? term : Math.max(acc, term) + Math.log1p(Math.exp(-Math.abs(acc - term)));
    // C(n, j-1) = C(n, j) · j / (n - j + 1)
    logC += Math.log(j) - Math.log(n - j + 1);
  }
  return acc / Math.LN10;
}

/** A p-value given as log10, readable even far below the smallest double. */
function pText(log10p: number): string {
  if (log10p > -4) return (10 ** log10p).toPrecision(2);
  return `1e${Math.floor(log10p)}`;
}

/** One feature as the check sees it: level codes (text, one-hot groups, numbers marked one-hot) or numbers. */
type Source =
  | { readonly kind: 'levels'; readonly codes: Int32Array; readonly levels: readonly string[]; readonly nullLabel: string }
  | { readonly kind: 'numbers'; readonly values: NumericValues };

/** A value tested for fixing the label, judged once every value is counted (Bonferroni). */
interface PurityCandidate {
  readonly finding: number;
  readonly label: string;
  readonly rows: number;
  readonly minority: number;
  readonly log10p: number;
}

/** Per-level rows and positives over labelled rows, index `levels` for nulls. */
function levelCounts(codes: Int32Array, levels: number, y: Uint8Array, fold: Int8Array, folds: number) {
  const width = levels + 1;
  const rows = new Float64Array(width);
  const pos = new Float64Array(width);
  const foldRows = new Float64Array(folds * width);
  const foldPos = new Float64Array(folds * width);
  for (let i = 0; i < codes.length; i++) {
    const label = y[i];
    if (label === 255) continue;
    const c = codes[i] ?? -1;
    const k = c < 0 ? levels : c;
    const f = fold[i] ?? 0;
    rows[k] = (rows[k] ?? 0) + 1;
    foldRows[f * width + k] = (foldRows[f * width + k] ?? 0) + 1;
    if (label === 1) { pos[k] = (pos[k] ?? 0) + 1; foldPos[f * width + k] = (foldPos[f * width + k] ?? 0) + 1; }
  }
  return { width, rows, pos, foldRows, foldPos };
}

/** Out-of-fold target-encoding AUC and the in-sample AUC (levels ordered by their own positive rate). */
function levelAucs(counts: ReturnType<typeof levelCounts>, folds: number): { oof: number; inSample: number } {
  const { width, rows, pos, foldRows, foldPos } = counts;
  let total = 0;
  let totalPos = 0;
  for (let k = 0; k < width; k++) { total += rows[k] ?? 0; totalPos += pos[k] ?? 0; }
  const inSampleScore = Float64Array.from(rows, (n, k) => (n > 0 ? (pos[k] ?? 0) / n : 0));
  const inSample = aucOfScoreGroups(inSampleScore, rows, pos);
  // rows of fold f, level k are scored by level k's rate on the other folds, shrunk toward those folds' overall rate
  const score = new Float64Array(folds * width);
  for (let f = 0; f < folds; f++) {
    let fRows = 0;
    let fPos = 0;
    for (let k = 0; k < width; k++) { fRows += foldRows[f * width + k] ?? 0; fPos += foldPos[f * width + k] ?? 0; }
    const prior = total - fRows > 0 ? (totalPos - fPos) / (total - fRows) : 0;
    for (let k = 0; k < width; k++) {
      const n = (rows[k] ?? 0) - (foldRows[f * width + k] ?? 0);
      const p = (pos[k] ?? 0) - (foldPos[f * width + k] ?? 0);
      score[f * width + k] = (p + ENCODING_PSEUDO_ROWS * prior) / (n + ENCODING_PSEUDO_ROWS);
    }
  }
  return { oof: aucOfScoreGroups(score, foldRows, foldPos), inSample };
}

/** R² on held-out folds of the regression target predicted from one feature (a line for numbers, level means for levels). */
function outOfFoldR2(src: Source, r: Float64Array, fold: Int8Array, folds: number): number {
  // sums per fold: count, Σr, and for numbers Σx, Σx², Σxr over rows with a value
  const n = new Float64Array(folds); const sr = new Float64Array(folds); const srr = new Float64Array(folds);
  const levelsN = src.kind === 'levels' ? src.levels.length + 1 : 0;
  const ln = new Float64Array(folds * levelsN); const lr = new Float64Array(folds * levelsN);
  const nx = new Float64Array(folds); const sx = new Float64Array(folds); const sxx = new Float64Array(folds); const sxr = new Float64Array(folds); const srx = new Float64Array(folds);
  for (let i = 0; i < r.length; i++) {
    const t = r[i] ?? NaN;
    if (t !== t) continue;
    const f = fold[i] ?? 0;
    n[f] = (n[f] ?? 0) + 1; sr[f] = (sr[f] ?? 0) + t; srr[f] = (srr[f] ?? 0) + t * t;
    if (src.kind === 'levels') {
      const c = src.codes[i] ?? -1;
      const k = f * levelsN + (c < 0 ? levelsN - 1 : c);
      ln[k] = (ln[k] ?? 0) + 1; lr[k] = (lr[k] ?? 0) + t;
    } else {
      const x = src.values[i] ?? NaN;
      if (x !== x) continue;
      nx[f] = (nx[f] ?? 0) + 1; sx[f] = (sx[f] ?? 0) + x; sxx[f] = (sxx[f] ?? 0) + x * x; sxr[f] = (sxr[f] ?? 0) + x * t; srx[f] = (srx[f] ?? 0) + t;
    }
  }
  const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);
  const N = sum(n);
  if (N < 2) return NaN;
  const mean = sum(sr) / N;
  const sst = sum(srr) - N * mean * mean;
  if (!(sst > 0)) return NaN;
  // per fold, the model from the other folds
  const models: Array<(i: number) => number> = [];
  for (let f = 0; f < folds; f++) {
    const on = N - (n[f] ?? 0);
    const om = on > 0 ? (sum(sr) - (sr[f] ?? 0)) / on : mean;
    if (src.kind === 'levels') {
      const means = new Float64Array(levelsN);
      for (let k = 0; k < levelsN; k++) {
        let cn = 0; let cr = 0;
        for (let g = 0; g < folds; g++) if (g !== f) { cn += ln[g * levelsN + k] ?? 0; cr += lr[g * levelsN + k] ?? 0; }
        means[k] = (cr + ENCODING_PSEUDO_ROWS * om) / (cn + ENCODING_PSEUDO_ROWS);
      }
      models.push((i) => { const c = src.codes[i] ?? -1; return means[c < 0 ? levelsN - 1 : c] ?? om; });
    } else {
      const m = sum(nx) - (nx[f] ?? 0);
      const mx = m > 0 ? (sum(sx) - (sx[f] ?? 0)) / m : 0;
      const mr = m > 0 ? (sum(srx) - (srx[f] ?? 0)) / m : om;
      const vxx = m > 0 ? (sum(sxx) - (sxx[f] ?? 0)) / m - mx * mx : 0;
      const cxr = m > 0 ? (sum(sxr) - (sxr[f] ?? 0)) / m - mx * mr : 0;
      const slope = vxx > 0 ? cxr / vxx : 0;
      const values = src.values;
      models.push((i) => { const x = values[i] ?? NaN; return x === x ? mr + slope * (x - mx) : om; });
    }
  }
  let sse = 0;
  for (let i = 0; i < r.length; i++) {
    const t = r[i] ?? NaN;
    if (t !== t) continue;
    const d = t - (models[fold[i] ?? 0] as (i: number) => number)(i);
    sse += d * d;
  }
  return 1 - sse / sst;
}

/** Distinct values of a numeric feature with rows and positives (nulls apart), in ascending order. */
function numericValueCounts(values: NumericValues, y: Uint8Array): { labels: string[]; rows: Float64Array; positives: Float64Array; nullRows: number; nullPositives: number } {
  let nullRows = 0;
  let nullPositives = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (y[i] === 255 || v === v) continue;
    nullRows++;
    if (y[i] === 1) nullPositives++;
  }
  const small = countsByValue(values, y, 4096);
  if (small !== null) {
    const keys = [...small.keys()].sort((a, b) => a - b);
    return {
      labels: keys.map(valueLabel), rows: Float64Array.from(keys, (k) => small.get(k)?.rows ?? 0),
      positives: Float64Array.from(keys, (k) => small.get(k)?.positives ?? 0), nullRows, nullPositives,
    };
  }
  // many distinct values: sort the labelled, non-null rows once
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) { const v = values[i] ?? NaN; if (y[i] !== 255 && v === v) idx.push(i); }
  idx.sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const labels: string[] = [];
  const rows: number[] = [];
  const positives: number[] = [];
  let last = NaN;
  for (const i of idx) {
    const v = values[i] ?? 0;
    if (v !== last) { labels.push(valueLabel(v)); rows.push(0); positives.push(0); last = v; }
    rows[rows.length - 1] = (rows[rows.length - 1] ?? 0) + 1;
    if (y[i] === 1) positives[positives.length - 1] = (positives[positives.length - 1] ?? 0) + 1;
  }
  return { labels, rows: Float64Array.from(rows), positives: Float64Array.from(positives), nullRows, nullPositives };
}

/** Per row, a code such that two columns are one-to-one exactly when their code arrays are equal (first-seen order). */
function canonicalCodes(col: Dataset['columns'][number]): { codes: Int32Array; distinct: number; firstRow: Int32Array } {
  const rows = col.kind === 'categorical' ? col.codes.length : col.values.length;
  const codes = new Int32Array(rows);
  const firstRows: number[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const key = col.kind === 'categorical' ? (col.codes[i] ?? -1) : (col.values[i] ?? NaN);
    const k = key !== key ? -0.5 : key; // NaN (null) is one value
    let c = seen.get(k);
    if (c === undefined) { c = seen.size; seen.set(k, c); firstRows.push(i); }
    codes[i] = c;
  }
  return { codes, distinct: seen.size, firstRow: Int32Array.from(firstRows) };
}

function hashCodes(codes: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < codes.length; i++) h = Math.imul(h ^ (codes[i] ?? 0), 0x01000193);
  return h >>> 0;
}

/** Columns among `names` that are identical or one-to-one relabellings of each other (constant columns aside). */
export function duplicateColumns(ds: Dataset, names: readonly string[]): DuplicateColumns[] {
  const out: DuplicateColumns[] = [];
  // a column's codes (4 bytes a row) are not kept: those of an earlier column are made again only when its hash matches
  const buckets = new Map<string, Array<{ name: string; col: Dataset['columns'][number] }>>();
  // rows distinct in every column, counted once when a relabelling is first in doubt (a pass over every row)
  let rowsDistinct: number | undefined;
  for (const name of names) {
    const col = ds.columns.find((c) => c.name === name);
    if (col === undefined || col.kind === 'timestamp') continue;
    const { codes, distinct, firstRow } = canonicalCodes(col);
    const rows = codes.length;
    if (distinct < 2) {
      releaseBuffers(codes);
      continue;
    }
    const key = `${distinct}:${hashCodes(codes)}`;
    const list = buckets.get(key) ?? [];
    for (const other of list) {
      const otherCodes = canonicalCodes(other.col).codes;
      const same = equalCodes(otherCodes, codes);
      releaseBuffers(otherCodes);
      if (!same) continue;
      const a = other.col;
      const textAt = (c: Dataset['columns'][number], r: number): string => (c.kind === 'categorical' ? (c.levels[c.codes[r] ?? -1] ?? 'null') : String(c.values[r]));
      const identical = Array.from(firstRow).every((r) => textAt(a, r) === textAt(col, r));
      // two columns whose values are (nearly) all distinct, such as two measurements or two ids, map one-to-one by
      // construction: that says nothing, so a relabelling counts only when a value repeats on two rows on average, and
      // on rows that differ elsewhere: a file whose rows each appear twice repeats every value without saying anything
      rowsDistinct ??= distinct * 2 > rows ? rows : distinctRows(ds);
      if (!identical && distinct * 2 > rowsDistinct) continue;
      const kind = identical ? 'identical' : 'one-to-one';
      out.push({
        columns: [other.name, name], kind, values: distinct,
        message: identical
          ? `${other.name} and ${name} are identical in all ${fmt(ds.rows)} rows; keep one of them`
          : `${other.name} and ${name} map one-to-one (${fmt(distinct)} values each): the same information under other labels; keep one of them`,
      });
    }
    list.push({ name, col });
    buckets.set(key, list);
    releaseBuffers(codes);
  }
  return out;
}

function equalCodes(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whole-row identity over every column of `ds`: a 53-bit hash of a row, and whether two rows are equal (nulls equal). */
function rowIdentity(ds: Dataset): { hash: (r: number) => number; same: (a: number, b: number) => boolean } {
  const cols = ds.columns;
  const cell = (c: (typeof cols)[number], r: number): number => (c.kind === 'categorical' ? (c.codes[r] ?? -1) : (c.values[r] ?? NaN));
  const same = (a: number, b: number): boolean => cols.every((c) => { const x = cell(c, a); const y = cell(c, b); return x === y || (x !== x && y !== y); });
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const hash = (r: number): number => {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (const c of cols) {
      f64[0] = cell(c, r);
      h1 = Math.imul(h1 ^ (u32[0] ?? 0), 0x01000193); h1 = Math.imul(h1 ^ (u32[1] ?? 0), 0x01000193);
      h2 = Math.imul(h2 ^ (u32[1] ?? 0), 0x5bd1e995); h2 = Math.imul(h2 ^ (u32[0] ?? 0), 0x5bd1e995);
    }
    return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff);
  };
  return { hash, same };
}

/**
 * How many distinct rows `ds` holds (rows equal in every column count once), by their 53-bit hashes sorted: 8 bytes a
 * row, freed at once, rather than a map of every row. Two rows that collide count once, which can only make fewer
 * columns look like relabellings.
 */
function distinctRows(ds: Dataset): number {
  const { hash } = rowIdentity(ds);
  const hashes = new Float64Array(ds.rows);
  for (let r = 0; r < ds.rows; r++) hashes[r] = hash(r);
  hashes.sort();
  let distinct = ds.rows > 0 ? 1 : 0;
  for (let r = 1; r < hashes.length; r++) if (hashes[r] !== hashes[r - 1]) distinct++;
  releaseBuffers(hashes);
  return distinct;
}

/** Test rows that equal some training row in every column of `ds`. */
export function crossSplitDuplicates(ds: Dataset, split: { readonly train: Uint32Array; readonly test: Uint32Array }): CrossSplitDuplicates {
  const cols = ds.columns;
  const { hash, same } = rowIdentity(ds);
  const firstTrain = new Map<number, number>();
  for (const r of split.train) { const h = hash(r); if (!firstTrain.has(h)) firstTrain.set(h, r); }
  let withCopy = 0;
  for (const r of split.test) {
    const t = firstTrain.get(hash(r));
    if (t !== undefined && same(t, r)) withCopy++;
  }
  const testRows = split.test.length;
  return {
    testRows, withCopyInTraining: withCopy, columns: cols.length,
    message: `${fmt(withCopy)} of ${fmt(testRows)} test rows (${pct(testRows > 0 ? withCopy / testRows : 0)}) equal a training row in all ${cols.length} columns`
      + (withCopy > 0 ? '; with few columns that can be chance, but a repeated file shows up here as 100 %' : ''),
  };
}

/** The whole check; see the module comment. Throws when a named target or feature is not a column. */
export function leakageReport(ds: Dataset, opts: LeakageOptions): LeakageReport {
  const byName = new Map(ds.columns.map((c) => [c.name, c] as const));
  const folds = opts.folds ?? 5;
  const seed = opts.seed ?? 0;
  const classTarget = opts.classTarget;
  const revenueTarget = opts.revenueTarget ?? null;
  const measured = new Uint8Array(ds.rows);
  if (opts.rows === undefined) measured.fill(1); else for (const r of opts.rows) measured[r] = 1;
  const rowsMeasured = opts.rows?.length ?? ds.rows;

  // class labels (255 = not measured) and the regression target (NaN = not measured)
  let y: Uint8Array | null = null;
  let positiveLabel = '1';
  let negativeLabel = '0';
  if (classTarget !== null) {
    const cls = byName.get(classTarget);
    if (cls === undefined) throw new Error(`class target "${classTarget}" is not a column of this file; pick one of its columns or none`);
    const labels = binaryLabels(cls);
    if (typeof labels === 'string') throw new Error(labels);
    y = new Uint8Array(ds.rows);
    for (let i = 0; i < y.length; i++) y[i] = measured[i] === 1 ? (labels.y[i] as number) : 255;
    releaseBuffers(labels.y);
    positiveLabel = labels.positiveLabel;
    negativeLabel = labels.negativeLabel;
  }
  let r: Float64Array | null = null;
  if (revenueTarget !== null) {
    const rev = byName.get(revenueTarget);
    if (rev === undefined) throw new Error(`regression target "${revenueTarget}" is not a column of this file; pick one of its columns or none`);
    if (rev.kind !== 'numeric') throw new Error(`regression target "${revenueTarget}" is not numeric; pick a number column or none`);
    r = new Float64Array(ds.rows);
    for (let i = 0; i < r.length; i++) r[i] = measured[i] === 1 ? (rev.values[i] as number) : NaN;
  }
  // folds stratified by the class where there is one
  const fold = new Int8Array(ds.rows).fill(-1);
  let measuredRows = opts.rows;
  if (measuredRows === undefined) {
    measuredRows = new Uint32Array(ds.rows);
    for (let i = 0; i < measuredRows.length; i++) measuredRows[i] = i;
  }
  if (measuredRows.length >= folds) {
    // plain loops over the rows, not `from` with a callback: ~100 ns a value, and its scratch is garbage an idle data
    // worker may keep for minutes
    const strata = new Float64Array(measuredRows.length);
    if (y !== null) for (let k = 0; k < strata.length; k++) { const v = y[measuredRows[k] as number]; strata[k] = v === 1 ? 1 : v === 255 ? 2 : 0; }
    stratifiedKFold(strata, folds, seed).forEach((f, k) => {
      for (const j of f.valid) fold[measuredRows[j] as number] = k;
      releaseBuffers(f.train, f.valid);
    });
    releaseBuffers(strata);
  }
  if (opts.rows === undefined) releaseBuffers(measuredRows);

  let positives = 0;
  let labelled = 0;
  if (y !== null) for (let i = 0; i < y.length; i++) { if (y[i] !== 255) { labelled++; if (y[i] === 1) positives++; } }
  const minorityIsPositive = positives <= labelled - positives;
  const minorityLabel = minorityIsPositive ? positiveLabel : negativeLabel;
  const baseRate = labelled > 0 ? (minorityIsPositive ? positives : labelled - positives) / labelled : NaN;

  const targets = new Set([classTarget, revenueTarget, ...(opts.targets ?? [])].filter((t): t is string => t !== null));
  const transforms = transformsByColumn(opts.transforms);
  const allGroups = detectOneHotGroups(ds.columns, { exclude: [...targets] });
  const requested = new Set(opts.features.filter((f) => !targets.has(f) && transforms.get(f)?.kind !== 'drop'));
  const groups = allGroups.filter((g) => requested.has(g.name) || g.columns.some((c) => requested.has(c)));
  const grouped = new Set(groups.flatMap((g) => g.columns));

  // `owned`: made here (codes of a group, a transformed copy), so freed once measured; never the dataset's own arrays
  const sources: Array<{ feature: string; columns: readonly string[]; src: Source; owned: boolean }> = [];
  for (const g of groups) sources.push({ feature: g.name, columns: g.columns, src: { kind: 'levels', codes: groupCodes(g, ds.columns, ds.rows), levels: g.levels, nullLabel: BASELINE_LEVEL }, owned: true });
  for (const name of requested) {
    if (grouped.has(name) || groups.some((g) => g.name === name)) continue;
    const col = byName.get(name);
    if (col === undefined) throw new Error(`feature "${name}" is not a column of this file; remove it from the features`);
    if (col.kind === 'timestamp') continue;
    const t = transforms.get(name);
    if (col.kind === 'categorical') {
      sources.push({ feature: name, columns: [name], src: { kind: 'levels', codes: col.codes, levels: col.levels, nullLabel: '(null)' }, owned: false });
    } else if (t?.kind === 'onehot') {
      const distinct = [...new Set(col.values.filter((v) => v === v))].sort((a, b) => a - b);
      const codeOf = new Map(distinct.map((v, i) => [v, i] as const));
      sources.push({ feature: name, columns: [name], src: { kind: 'levels', codes: Int32Array.from(col.values, (v) => codeOf.get(v) ?? -1), levels: distinct.map(valueLabel), nullLabel: '(null)' }, owned: true });
    } else {
      const applied = t === undefined ? col.values : applyNumericTransform(col, t);
      if (typeof applied === 'string') throw new Error(applied);
      sources.push({ feature: name, columns: [name], src: { kind: 'numbers', values: applied }, owned: applied !== col.values });
    }
  }

  const findings: Array<{ feature: string; columns: readonly string[]; auc: number; aucMethod: LeakageFinding['aucMethod']; inSampleAuc: number; r2: number; reasons: string[]; flagged: boolean }> = [];
  const candidates: PurityCandidate[] = [];
  let valuesTested = 0;
  for (const { feature, columns, src, owned } of sources) {
    let auc = NaN;
    let inSampleAuc = NaN;
    let aucMethod: LeakageFinding['aucMethod'] = 'none';
    const reasons: string[] = [];
    let flagged = false;
    const index = findings.length;
    const consider = (label: string, rows: number, pos: number): void => {
      if (rows < LEAKAGE_VALUE_MIN_ROWS) return;
      valuesTested++;
      const minority = minorityIsPositive ? pos : rows - pos;
      if (minority < LEAKAGE_VALUE_PURITY * rows) return;
      candidates.push({ finding: index, label, rows, minority, log10p: log10BinomialTail(rows, minority, baseRate) });
    };
    if (y !== null) {
      if (src.kind === 'levels') {
        const counts = levelCounts(src.codes, src.levels.length, y, fold, folds);
        const a = levelAucs(counts, folds);
        auc = a.oof;
        inSampleAuc = a.inSample;
        aucMethod = 'target encoding, held-out folds';
        for (let k = 0; k < counts.width; k++) consider(k === src.levels.length ? src.nullLabel : (src.levels[k] ?? ''), counts.rows[k] ?? 0, counts.pos[k] ?? 0);
        if (auc >= LEAKAGE_AUC || auc <= 1 - LEAKAGE_AUC) {
          flagged = true;
          reasons.push(`single-feature AUC ${auc.toFixed(3)} against ${classTarget ?? ''} = ${positiveLabel} on held-out folds (${folds}-fold target encoding of its ${fmt(src.levels.length)} levels; ${inSampleAuc.toFixed(3)} on the rows it was fitted on)`);
        }
      } else {
        const counts = numericValueCounts(src.values, y);
        auc = aucFromCounts(counts.rows, counts.positives);
        inSampleAuc = auc;
        aucMethod = 'value ranks';
        for (let k = 0; k < counts.labels.length; k++) consider(counts.labels[k] ?? '', counts.rows[k] ?? 0, counts.positives[k] ?? 0);
        consider('(null)', counts.nullRows, counts.nullPositives);
        if (auc >= LEAKAGE_AUC || auc <= 1 - LEAKAGE_AUC) {
          flagged = true;
          reasons.push(`single-feature AUC ${auc.toFixed(3)} against ${classTarget ?? ''} = ${positiveLabel}, from its value ranks (nothing fitted)`);
        }
      }
    }
    const r2 = r === null ? NaN : outOfFoldR2(src, r, fold, folds);
    if (r2 >= LEAKAGE_R2) {
      flagged = true;
      reasons.push(`R² ${r2.toFixed(3)} against ${revenueTarget ?? ''} on held-out folds (${folds}-fold ${src.kind === 'levels' ? 'level means' : 'straight-line fit'} of ${feature} alone)`);
    }
    findings.push({ feature, columns, auc, aucMethod, inSampleAuc, r2, reasons, flagged });
    if (owned) releaseBuffers(src.kind === 'levels' ? src.codes : src.values);
  }
  // row-sized working arrays (tens of MB each with millions of rows): freed now, not at a collection the idle data worker may not run
  releaseBuffers(y, r, measured, fold);
  const threshold = Math.log10(LEAKAGE_VALUE_ALPHA / Math.max(1, valuesTested));
  for (const c of candidates) {
    if (!(c.log10p < threshold)) continue;
    const f = findings[c.finding];
    if (f === undefined) continue;
    f.flagged = true;
    f.reasons.push(`${f.feature} = ${c.label} holds ${fmt(c.rows)} rows (${pct(c.rows / Math.max(1, labelled))}), ${pct(c.minority / c.rows)} of them ${classTarget ?? ''} = ${minorityLabel} against ${pct(baseRate)} overall; `
      + `one-sided binomial test against that base rate: p = ${pText(c.log10p)} < 1e-6 / ${fmt(valuesTested)} values tested (Bonferroni)`);
  }

  const strength = (f: LeakageFinding): number => Math.max(f.auc === f.auc ? Math.abs(f.auc - 0.5) * 2 : -1, f.r2 === f.r2 ? f.r2 : -1);
  const done: LeakageFinding[] = findings.map((f) => ({ ...f }));
  done.sort((a, b) => Number(b.flagged) - Number(a.flagged) || strength(b) - strength(a));
  const rawColumns = sources.flatMap((s) => s.columns);
  return {
    findings: done,
    duplicateColumns: duplicateColumns(ds, rawColumns),
    crossSplitDuplicates: opts.split === undefined ? null : crossSplitDuplicates(ds, opts.split),
    rowsMeasured, folds, valuesTested,
    method: `single-feature AUC out of fold (${folds}-fold target encoding for levels, value ranks for numbers)`
      + `${revenueTarget === null ? '' : `, R² against ${revenueTarget} out of fold`}; a value fixes the label when ≥ ${LEAKAGE_VALUE_MIN_ROWS} rows are ≥ ${pct(LEAKAGE_VALUE_PURITY)} `
      + `one class and a one-sided binomial test against the base rate gives p < ${LEAKAGE_VALUE_ALPHA} / values tested (Bonferroni)`,
  };
}

/** The findings alone (the Leakage cell's table), most separating first. */
export function leakageCheck(ds: Dataset, opts: LeakageOptions): LeakageFinding[] {
  return [...leakageReport(ds, opts).findings];
}
