/** Seeded random numbers: the same seed gives the same splits, shuffles and synthetic rows in a browser, a worker and node. */

/** A source of uniform floats in [0, 1). */
export type Rng = () => number;

/** Mulberry32: 32-bit state, integer-only arithmetic, so the stream is identical on every JS engine. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`seed ${seed} is not a finite number; pass an integer seed`);
  // Fold fractional or large seeds into 32 bits instead of rejecting them: any number is a usable seed.
  let state = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle driven by `rng`, so a seed fixes the order. */
export function shuffleInPlace<T>(a: T[] | Uint32Array, rng: Rng): void {
  if (a instanceof Uint32Array) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = randomInt(rng, i + 1);
      const t = a[i] as number;
      a[i] = a[j] as number;
      a[j] = t;
    }
    return;
  }
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
}
