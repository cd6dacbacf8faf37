/** Evenly spaced thinning of long curves and point clouds, so a chart or an artifact stays small whatever the test size. */

/** At most `max` (≥ 2) indices of 0 … n−1, evenly spaced, always the first and the last: all of them when n ≤ max. */
export function evenlySpacedIndices(n: number, max: number): number[] {
  const limit = Math.max(2, Math.floor(max));
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: limit }, (_, k) => Math.round((k * (n - 1)) / (limit - 1)));
}

/** At most `maxPoints` (≥ 2) pairs of (xs, ys) at evenly spaced indices, always keeping the first and the last. */
export function downsampleCurve(
  xs: readonly number[],
  ys: readonly number[],
  maxPoints: number,
  name = 'curve',
): { xs: number[]; ys: number[] } {
  if (xs.length !== ys.length) {
    throw new Error(`${name} has ${xs.length} x values but ${ys.length} y values; pass arrays of equal length`);
  }
  const keep = evenlySpacedIndices(xs.length, maxPoints);
  return { xs: keep.map((i) => xs[i] as number), ys: keep.map((i) => ys[i] as number) };
}
