/** Stratified train/test splits (row for row scikit-learn's), stratified k folds, revenue strata and row subsetting for row-major matrices. */
import { NumpyRandomState } from './numpyRandom.ts';
import { createRng, shuffleInPlace } from './random.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';

/** Row indices of each label value, labels in ascending order so the result does not depend on row order. */
function rowsByLabel(y: ArrayLike<number>, what: string): Uint32Array[] {
  // Two typed-array passes (count, then fill), no growing arrays: folds of 400k-row data are made on every search.
  const counts = new Map<number, number>();
  let last = Number.NaN;
  let lastCount = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v === last) {
      lastCount++;
      continue;
    }
    if (Number.isNaN(v)) throw new Error(`${what} at row ${i} is NaN; drop or impute missing values before splitting`);
    if (lastCount > 0) counts.set(last, (counts.get(last) ?? 0) + lastCount);
    last = v;
    lastCount = 1;
  }
  if (lastCount > 0) counts.set(last, (counts.get(last) ?? 0) + lastCount);
  const labels = [...counts.keys()].sort((a, b) => a - b);
  const groups = labels.map((label) => new Uint32Array(counts.get(label) ?? 0));
  const slot = new Map(labels.map((label, g) => [label, g]));
  const filled = new Uint32Array(labels.length);
  let g = 0;
  last = Number.NaN;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v !== last) {
      g = slot.get(v) as number;
      last = v;
    }
    const at = filled[g] as number;
    (groups[g] as Uint32Array)[at] = i;
    filled[g] = at + 1;
  }
  return groups;
}

/** Largest seed of a train/test split: NumPy seeds are 32-bit and the validation slice uses seed + 1. */
export const MAX_SPLIT_SEED = 2 ** 32 - 2;

/**
 * scikit-learn's `_approximate_mode`: per-class draws proportional to the counts, the rows lost to flooring handed to
 * the largest remainders, ties among equal remainders broken by the generator (which is why it is passed in).
 */
function approximateMode(counts: readonly number[], draws: number, rng: NumpyRandomState): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map((c) => Math.floor(c));
  let needToAdd = draws - floored.reduce((a, b) => a + b, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - (floored[i] as number));
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(inds.length, needToAdd);
      for (const i of rng.choiceWithoutReplacement(inds, addNow)) floored[i] = (floored[i] as number) + 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/**
 * The split `train_test_split(rows, test_size=testFraction, stratify=y, random_state=seed)` makes in scikit-learn
 * (StratifiedShuffleSplit with NumPy's MT19937): the same seed selects the same test rows, so metrics compare with a
 * Python notebook's on identical rows. Test size is ceil(n · f). Indices come back sorted.
 */
export function stratifiedSplit(y: ArrayLike<number>, testFraction: number, seed: number): { train: Uint32Array; test: Uint32Array } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction ${testFraction} is outside (0, 1); use e.g. 0.2`);
  const groups = rowsByLabel(y, 'label');
  const n = y.length;
  const nTest = Math.ceil(testFraction * n);
  const nTrain = n - nTest;
  if (nTest < groups.length || nTrain < groups.length) {
    throw new Error(`a ${nTest}-row test split cannot hold each of the ${groups.length} classes; use a larger testFraction or more rows`);
  }
  const counts = groups.map((g) => g.length);
  const rng = new NumpyRandomState(seed);
  const nI = approximateMode(counts, nTrain, rng);
  const tI = approximateMode(counts.map((c, i) => c - (nI[i] as number)), nTest, rng);
  // side of each row (1 train, 2 test), then both lists in row order: no growing arrays, no sort
  const side = new Uint8Array(n);
  groups.forEach((g, c) => {
    const perm = rng.permutation(g.length);
    const a = nI[c] as number;
    const b = a + (tI[c] as number);
    for (let i = 0; i < b; i++) side[g[perm[i] as number] as number] = i < a ? 1 : 2;
    releaseBuffers(perm, g);
  });
  // scikit-learn then shuffles both lists; sorted, they are the same rows, and nothing draws from rng afterwards
  const split = sidesInRowOrder(side, nTrain, nTest);
  releaseBuffers(side);
  return split;
}

/** Rows marked 1 and rows marked 2, each ascending. */
function sidesInRowOrder(side: Uint8Array, nTrain: number, nTest: number): { train: Uint32Array; test: Uint32Array } {
  const train = new Uint32Array(nTrain);
  const test = new Uint32Array(nTest);
  let t = 0;
  let v = 0;
  for (let i = 0; i < side.length; i++) {
    const s = side[i];
    if (s === 1) train[t++] = i;
    else if (s === 2) test[v++] = i;
  }
  return { train, test };
}

/** k disjoint validation folds covering every row; each stratum is dealt round-robin so its share per fold differs by at most one row. */
export function stratifiedKFold(strata: ArrayLike<number>, k: number, seed: number): Array<{ train: Uint32Array; valid: Uint32Array }> {
  const n = strata.length;
  if (!Number.isInteger(k) || k < 2) throw new Error(`k ${k} is not an integer >= 2; use e.g. 5 folds`);
  if (k > n) throw new Error(`k ${k} is larger than the ${n} rows; use fewer folds`);
  const rng = createRng(seed);
  const fold = new Uint32Array(n);
  // One running position across strata keeps the overall fold sizes within one row too.
  let pos = 0;
  for (const g of rowsByLabel(strata, 'stratum')) {
    const rows = g.slice();
    shuffleInPlace(rows, rng);
    for (const r of rows) fold[r] = pos++ % k;
    releaseBuffers(rows, g);
  }
  const sizes = new Uint32Array(k);
  for (let i = 0; i < n; i++) {
    const f = fold[i] as number;
    sizes[f] = (sizes[f] as number) + 1;
  }
  const out: Array<{ train: Uint32Array; valid: Uint32Array }> = [];
  for (let f = 0; f < k; f++) {
    const valid = new Uint32Array(sizes[f] as number);
    const train = new Uint32Array(n - valid.length);
    let v = 0;
    let t = 0;
    for (let i = 0; i < n; i++) {
      if (fold[i] === f) valid[v++] = i;
      else train[t++] = i;
    }
    out.push({ train, valid });
  }
  releaseBuffers(fold);
  return out;
}

/** Quantile bins of a revenue-like target for stratifying regression folds: 0 for zero values, 1..bins for the rest. */
export function revenueStrata(values: ArrayLike<number>, bins: number): Int32Array {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins ${bins} is not an integer >= 1; use e.g. 5`);
  const n = values.length;
  const out = new Int32Array(n);
  const nonZero: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) throw new Error(`value at row ${i} is NaN; drop or impute missing targets before stratifying`);
    if (v !== 0) nonZero.push(i);
  }
  const m = nonZero.length;
  if (m === 0) return out;
  nonZero.sort((a, b) => (values[a] as number) - (values[b] as number));
  // Equal values share the bin of their first rank, so a tie never straddles two strata.
  let firstRank = 0;
  for (let r = 0; r < m; r++) {
    const row = nonZero[r] as number;
    if (r > 0 && values[row] !== values[nonZero[r - 1] as number]) firstRank = r;
    out[row] = 1 + Math.min(bins - 1, Math.floor((firstRank * bins) / m));
  }
  return out;
}

/** The rows `idx` of a row-major `rows × cols` matrix, as a new matrix. */
export function subsetRows(X: Float32Array, cols: number, idx: Uint32Array): Float32Array {
  const out = new Float32Array(idx.length * cols);
  const rows = cols > 0 ? X.length / cols : 0;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] as number;
    if (r >= rows) throw new Error(`row index ${r} is out of range for ${rows} rows; check the split indices`);
    out.set(X.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return out;
}

/**
 * The entries `idx` of a vector, keeping Float32 or Float64 precision (revenue needs Float64 for cents), or row
 * numbers (a Uint32Array of rows, e.g. the training rows at an inner split's positions). A plain loop: a typed
 * array's `from` with a mapping callback costs ~100 ns a value, a tenth of a second on a split of 400k rows.
 */
export function subsetVector(v: Float32Array, idx: Uint32Array): Float32Array;
export function subsetVector(v: Float64Array, idx: Uint32Array): Float64Array;
export function subsetVector(v: Uint32Array, idx: Uint32Array): Uint32Array;
export function subsetVector(v: ArrayLike<number>, idx: Uint32Array): Float64Array;
export function subsetVector(v: ArrayLike<number>, idx: Uint32Array): Float32Array | Float64Array | Uint32Array {
  const out = v instanceof Float32Array ? new Float32Array(idx.length) : v instanceof Uint32Array ? new Uint32Array(idx.length) : new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] as number;
    if (r >= v.length) throw new Error(`index ${r} is out of range for ${v.length} entries; check the split indices`);
    out[i] = v[r] as number;
  }
  return out;
}
