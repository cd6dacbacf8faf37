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
  const count = new Float64Array(cols);
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = X[base + c] as number;
      if (Number.isNaN(v)) continue;
      count[c] = (count[c] as number) + 1;
      mean[c] = (mean[c] as number) + v;
    }
  }
  for (let c = 0; c < cols; c++) mean[c] = (count[c] as number) > 0 ? (mean[c] as number) / (count[c] as number) : 0;
  // Two passes rather than E[x²]−E[x]²: the one-pass form cancels catastrophically on large, nearly constant columns.
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = X[base + c] as number;
      if (Number.isNaN(v)) continue;
      const d = v - (mean[c] as number);
      sq[c] = (sq[c] as number) + d * d;
    }
  }
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

/** (x − mean) / scale into a new Float32Array; NaN stays NaN for the caller's imputer to see. */
export function applyScaler(X: Float32Array, rows: number, cols: number, s: StandardScaler): Float32Array {
  checkShape(X, rows, cols);
  if (s.mean.length !== cols) throw new Error(`scaler was fitted on ${s.mean.length} columns, not ${cols}; refit it on this matrix`);
  const out = new Float32Array(X.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = ((X[base + c] as number) - (s.mean[c] as number)) / (s.scale[c] as number);
  }
  return out;
}
