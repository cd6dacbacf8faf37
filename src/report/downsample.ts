/** Evenly spaced thinning of long curves and point clouds, so a report stays small whatever the test size. */

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
  const limit = Math.max(2, Math.floor(maxPoints));
  if (xs.length <= limit) return { xs: [...xs], ys: [...ys] };
  const outX: number[] = [];
  const outY: number[] = [];
  const last = xs.length - 1;
  for (let k = 0; k < limit; k++) {
    const i = Math.round((k * last) / (limit - 1));
    outX.push(xs[i] as number);
    outY.push(ys[i] as number);
  }
  return { xs: outX, ys: outY };
}
