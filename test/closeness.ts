/**
 * Largest |a − b| over the largest |b|: a gradient's error relative to its scale, so an entry that cancels to ~0 is not
 * divided by ~0, and float32 sums of thousands of rows taken in another order differ by rounding only.
 */
export function relToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return worst / scale;
}
