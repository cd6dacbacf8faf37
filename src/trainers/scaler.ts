/** Standardisation of feature columns, as scikit-learn's StandardScaler: fitted on training rows, applied to every split. */

/** Per-column mean and population standard deviation; constant columns get scale 1 so they map to 0, never NaN. */
export interface StandardScaler {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly constantColumns: number[];
}

function checkShape(X: Float32Array, rows: number, cols: number): void {
  if (X.length !== rows * cols) throw new Error(`matrix has ${X.length} values, not rows ${rows} × cols ${cols}; pass the matching shape`);
}

/** Fits mean and population std (ddof 0) per column in float64; NaN entries are skipped like scikit-learn does. */
export function fitStandardScaler(X: Float32Array, rows: number, cols: number): StandardScaler {
  checkShape(X, rows, cols);
  return fitOnRows(X, rows, cols, null);
}

function checkRows(X: Float32Array, cols: number, idx: Uint32Array): void {
  const rows = cols > 0 ? X.length / cols : 0;
  for (let i = 0; i < idx.length; i++) {
    if ((idx[i] as number) >= rows) throw new Error(`row index ${idx[i]} is out of range for ${rows} rows; check the split indices`);
  }
}

/**
 * The same scaler as `fitStandardScaler(subsetRows(X, cols, idx), idx.length, cols)`, bit for bit (same sums in the
 * same order), without copying the rows out first: a search fits one per fold on ~80 % of the matrix.
 */
export function fitStandardScalerOnRows(X: Float32Array, cols: number, idx: Uint32Array): StandardScaler {
  checkRows(X, cols, idx);
  return fitOnRows(X, idx.length, cols, idx);
}

/**
 * The scaled rows `idx` of X, equal to `applyScaler(subsetRows(X, cols, idx), …)` in one pass and one allocation;
 * written into `out` when given (e.g. shared memory), which must hold idx.length × cols values.
 */
export function applyScalerOnRows(X: Float32Array, cols: number, idx: Uint32Array, s: Pick<StandardScaler, 'mean' | 'scale'>, out: Float32Array = new Float32Array(idx.length * cols)): Float32Array {
  if (s.mean.length !== cols) throw new Error(`scaler was fitted on ${s.mean.length} columns, not ${cols}; refit it on this matrix`);
  if (out.length !== idx.length * cols) throw new Error(`output holds ${out.length} values, not ${idx.length} rows × ${cols} cols; allocate the matching size`);
  checkRows(X, cols, idx);
  scaleRows(X, idx.length, cols, idx, s, out);
  return out;
}

/** Mean and std over `rows` rows of X: row r is X's row idx[r], or row r itself when idx is null. */
function fitOnRows(X: Float32Array, rows: number, cols: number, idx: Uint32Array | null): StandardScaler {
  const count = new Float64Array(cols);
  const mean = new Float64Array(cols);
  // One loop per helper: each is optimised once on the fly, instead of this function being re-optimised per loop.
  sumColumns(X, rows, cols, idx, count, mean);
  for (let c = 0; c < cols; c++) mean[c] = (count[c] as number) > 0 ? (mean[c] as number) / (count[c] as number) : 0;
  // Two passes rather than E[x²]−E[x]²: the one-pass form cancels catastrophically on large, nearly constant columns.
  const sq = new Float64Array(cols);
  sumSquaredDeviations(X, rows, cols, idx, mean, sq);
  const scale = new Float64Array(cols);
  const constantColumns: number[] = [];
  const eps = Number.EPSILON;
  for (let c = 0; c < cols; c++) {
    const n = count[c] as number;
    const m = mean[c] as number;
    const variance = n > 0 ? (sq[c] as number) / n : 0;
    // scikit-learn's _is_constant_feature: a variance below its own rounding-error bound counts as zero.
    const bound = n * eps * variance + (n * m * eps) ** 2;
    if (n === 0 || variance <= bound) {
      scale[c] = 1;
      constantColumns.push(c);
    } else {
      scale[c] = Math.sqrt(variance);
    }
  }
  return { mean, scale, constantColumns };
}

/** Per column: how many values are not NaN, and their sum (row order, so sums match a copy's bit for bit). */
function sumColumns(X: Float32Array, rows: number, cols: number, idx: Uint32Array | null, count: Float64Array, sum: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = (idx === null ? r : (idx[r] as number)) * cols;
    for (let c = 0; c < cols; c++) {
      const v = X[base + c] as number;
      if (Number.isNaN(v)) continue;
      count[c] = (count[c] as number) + 1;
      sum[c] = (sum[c] as number) + v;
    }
  }
}

/** Per column: the sum of squared deviations from `mean` over the values that are not NaN. */
function sumSquaredDeviations(X: Float32Array, rows: number, cols: number, idx: Uint32Array | null, mean: Float64Array, sq: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const base = (idx === null ? r : (idx[r] as number)) * cols;
    for (let c = 0; c < cols; c++) {
      const v = X[base + c] as number;
      if (Number.isNaN(v)) continue;
      const d = v - (mean[c] as number);
      sq[c] = (sq[c] as number) + d * d;
    }
  }
}

/**
 * (x − mean) / scale in float64, rounded once to float32, into a new Float32Array; NaN stays NaN for the caller's
 * imputer to see. Trainers and model bundles all standardise through here, so predictions match bit for bit.
 */
export function applyScaler(X: Float32Array, rows: number, cols: number, s: Pick<StandardScaler, 'mean' | 'scale'>): Float32Array {
  checkShape(X, rows, cols);
  if (s.mean.length !== cols) throw new Error(`scaler was fitted on ${s.mean.length} columns, not ${cols}; refit it on this matrix`);
  const out = new Float32Array(X.length);
  scaleRows(X, rows, cols, null, s, out);
  return out;
}

/** out's row r = (X's row idx[r], or row r when idx is null, − mean) / scale. */
function scaleRows(X: Float32Array, rows: number, cols: number, idx: Uint32Array | null, s: Pick<StandardScaler, 'mean' | 'scale'>, out: Float32Array): void {
  const { mean, scale } = s;
  for (let r = 0; r < rows; r++) {
    const src = (idx === null ? r : (idx[r] as number)) * cols;
    const dst = r * cols;
    for (let c = 0; c < cols; c++) out[dst + c] = ((X[src + c] as number) - (mean[c] as number)) / (scale[c] as number);
  }
}
