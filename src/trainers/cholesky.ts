/** The one linear solve of the Newton and ridge fits: Cholesky with diagonal jitter for matrices rounding made indefinite. */

/** Solves H·x = g for symmetric positive definite H by Cholesky, adding diagonal jitter if rounding made it indefinite. */
export function choleskySolve(H: Float64Array, g: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += H[i * n + i] as number;
  for (let attempt = 0, jitter = 0; attempt < 12; attempt++, jitter = jitter === 0 ? 1e-12 * Math.max(trace, 1) : jitter * 10) {
    const L = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = (H[i * n + j] as number) + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= (L[i * n + k] as number) * (L[j * n + k] as number);
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          L[i * n + i] = Math.sqrt(s);
        } else {
          L[i * n + j] = s / (L[j * n + j] as number);
        }
      }
    }
    if (!ok) continue;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = g[i] as number;
      for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (z[k] as number);
      z[i] = s / (L[i * n + i] as number);
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i] as number;
      for (let k = i + 1; k < n; k++) s -= (L[k * n + i] as number) * (x[k] as number);
      x[i] = s / (L[i * n + i] as number);
    }
    return x;
  }
  throw new Error(`matrix of size ${n} is not positive definite even with jitter; check the features for NaN`);
}
