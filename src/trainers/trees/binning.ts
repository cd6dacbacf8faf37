/** Feature binning for the histogram tree learners: at most 255 value bins per feature plus one bin for missing values. */
import { createRng } from '../random.ts';

/** The bin every missing (NaN) value falls in, whatever the feature's bin count. */
export const MISSING_BIN = 255;
/** Most value bins one feature can have (bins 0..254); the 256th byte value is the missing bin. */
export const MAX_VALUE_BINS = 255;
/** Rows used to place quantile edges, as scikit-learn's `subsample=2e5` in `_BinMapper`. */
const QUANTILE_SUBSAMPLE = 200_000;

/** Upper edges of each feature's bins: a value v falls in the first bin b with v <= edges[b] (the last bin has no edge). */
export interface BinEdges {
  readonly cols: number;
  /** per feature, ascending thresholds; a feature with k value bins has k − 1 edges */
  readonly edges: readonly Float64Array[];
  /** per feature, true when a training row was missing (NaN) */
  readonly hasMissing: readonly boolean[];
}

/** A binned matrix: one byte per cell, column-major (feature f's rows are `bins[f·rows … (f+1)·rows)`). */
export interface BinnedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly bins: Uint8Array;
}

/** Number of value bins of feature f (1 for a constant feature, which can then never be split). */
export function valueBins(edges: BinEdges, f: number): number {
  return (edges.edges[f] as Float64Array).length + 1;
}

/**
 * Bin edges from the training rows `rowIdx` of a row-major matrix: a feature with at most 255 distinct values gets
 * one bin per value (edges at the midpoints, so small whole numbers and flags are their own bins); otherwise edges are
 * the midpoint percentiles of a seeded 200,000-row sample, as scikit-learn's `_BinMapper` places them.
 */
export function fitBinEdges(X: Float32Array, cols: number, rowIdx: Uint32Array, seed = 0, maxBins = MAX_VALUE_BINS): BinEdges {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_VALUE_BINS) throw new Error(`maxBins ${maxBins} is outside 2..${MAX_VALUE_BINS}; use 255`);
  const n = rowIdx.length;
  if (n === 0) throw new Error('no training rows to bin; check the split');
  // one row-major pass: small whole numbers (flags, hours, counts) are tallied in a table, other features later
  const seen = new Uint8Array(cols * SMALL_INT);
  const general = new Uint8Array(cols);
  const missing = new Uint8Array(cols);
  for (let i = 0; i < n; i++) {
    const base = (rowIdx[i] as number) * cols;
    for (let f = 0; f < cols; f++) {
      const v = X[base + f] as number;
      if (v >= 0 && v < SMALL_INT && v === Math.floor(v)) seen[f * SMALL_INT + v] = 1;
      else if (v !== v) missing[f] = 1;
      else general[f] = 1;
    }
  }
  const edges: Float64Array[] = [];
  const values = new Float64Array(n);
  for (let f = 0; f < cols; f++) {
    let distinct: Float64Array | null = null;
    if (general[f] === 0) {
      const ints: number[] = [];
      for (let v = 0; v < SMALL_INT; v++) if (seen[f * SMALL_INT + v] === 1) ints.push(v);
      if (ints.length <= maxBins) distinct = Float64Array.from(ints);
    }
    let m = 0;
    if (distinct === null) {
      const set = new Set<number>();
      for (let i = 0; i < n; i++) {
        const v = X[(rowIdx[i] as number) * cols + f] as number;
        if (v !== v) continue;
        values[m++] = v;
        if (set.size <= maxBins) set.add(v);
      }
      if (set.size <= maxBins) distinct = Float64Array.from(set).sort();
    } else {
      m = distinct.length;
    }
    if (m === 0) throw new Error(`feature ${f} has no values on the training rows (all missing); drop the column`);
    if (distinct !== null) {
      const e = new Float64Array(Math.max(0, distinct.length - 1));
      for (let b = 0; b < e.length; b++) e[b] = ((distinct[b] as number) + (distinct[b + 1] as number)) / 2;
      edges.push(e);
    } else {
      edges.push(quantileEdges(values.subarray(0, m), maxBins, seed + f));
    }
  }
  return { cols, edges, hasMissing: Array.from(missing, (v) => v === 1) };
}

/** Whole numbers below this are tallied and binned through lookup tables rather than sorted and searched. */
const SMALL_INT = 1024;

/** Midpoint percentiles at 100·k/maxBins, k = 1..maxBins−1, of a seeded sample of `values`, duplicates removed. */
function quantileEdges(values: Float64Array, maxBins: number, seed: number): Float64Array {
  let sample: Float64Array;
  if (values.length > QUANTILE_SUBSAMPLE) {
    // partial Fisher–Yates: the first QUANTILE_SUBSAMPLE slots become a uniform sample without replacement
    const copy = Float64Array.from(values);
    const rng = createRng(seed);
    for (let i = 0; i < QUANTILE_SUBSAMPLE; i++) {
      const j = i + Math.floor(rng() * (copy.length - i));
      const t = copy[i] as number;
      copy[i] = copy[j] as number;
      copy[j] = t;
    }
    sample = copy.subarray(0, QUANTILE_SUBSAMPLE);
  } else {
    sample = Float64Array.from(values);
  }
  sample.sort();
  const m = sample.length;
  const out: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    // numpy's percentile(method="midpoint"): the mean of the two order statistics around rank q·(m − 1)
    const pos = (k / maxBins) * (m - 1);
    const lo = sample[Math.floor(pos)] as number;
    const hi = sample[Math.ceil(pos)] as number;
    const edge = (lo + hi) / 2;
    if (out.length === 0 || edge > (out[out.length - 1] as number)) out.push(edge);
  }
  // an edge at the maximum would leave the last bin empty
  const max = sample[m - 1] as number;
  while (out.length > 0 && (out[out.length - 1] as number) >= max) out.pop();
  return Float64Array.from(out);
}

/** Bin of one value: the number of edges strictly below it (binary search), or MISSING_BIN for NaN. */
export function binOf(edges: Float64Array, v: number): number {
  if (v !== v) return MISSING_BIN;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins the rows `rowIdx` (all rows when omitted) of a row-major matrix into a column-major byte matrix. */
export function binRows(X: Float32Array, cols: number, edges: BinEdges, rowIdx?: Uint32Array): BinnedMatrix {
  if (edges.cols !== cols) throw new Error(`the bin edges are for ${edges.cols} features but the matrix has ${cols}; bin with the model's own features`);
  const rows = rowIdx ? rowIdx.length : Math.floor(X.length / Math.max(1, cols));
  const bins = new Uint8Array(rows * cols);
  const lut = smallIntBins(edges);
  for (let i = 0; i < rows; i++) {
    const base = (rowIdx ? (rowIdx[i] as number) : i) * cols;
    for (let f = 0; f < cols; f++) bins[f * rows + i] = binWithTable(lut, edges, f, X[base + f] as number);
  }
  return { rows, cols, bins };
}

/** The bin of every small whole number per feature (lut[f·SMALL_INT + v]): the same answer as binOf, without the search. */
export function smallIntBins(edges: BinEdges): Uint8Array {
  const lut = new Uint8Array(edges.cols * SMALL_INT);
  for (let f = 0; f < edges.cols; f++) {
    const e = edges.edges[f] as Float64Array;
    for (let v = 0; v < SMALL_INT; v++) lut[f * SMALL_INT + v] = binOf(e, v);
  }
  return lut;
}

/** Bin of value v of feature f: from the table when v is a small whole number, else by binary search. */
export function binWithTable(lut: Uint8Array, edges: BinEdges, f: number, v: number): number {
  const i = v | 0;
  return i === v && i >= 0 && i < SMALL_INT ? (lut[f * SMALL_INT + i] as number) : binOf(edges.edges[f] as Float64Array, v);
}
