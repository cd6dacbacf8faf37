/**
 * NumPy's legacy `RandomState` (MT19937) for the few calls scikit-learn's splitters make: seeding with an integer,
 * `permutation`, `shuffle` and `choice(..., replace=False)`. With it, a seed gives the rows scikit-learn would
 * give, so a split here equals `train_test_split(..., stratify=y, random_state=seed)` row for row.
 */

const N = 624;
const M = 397;

/** A `numpy.random.RandomState(seed)`: same stream, same permutations. */
export class NumpyRandomState {
  // the state as signed 32-bit words: V8 keeps int32 arithmetic unboxed, where values ≥ 2^31 would be doubles
  private readonly mt = new Int32Array(N);
  private index = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed ${seed} is not an integer in [0, 2^32 - 1] (NumPy's RandomState accepts only those); use a whole number such as 42`);
    }
    // init_genrand, as numpy's legacy seeding does for an integer seed
    this.mt[0] = seed | 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1] as number;
      this.mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
  }

  /** The next N words, in three loops so no index needs a modulo. */
  private twist(): void {
    const mt = this.mt;
    const mix = (a: number, b: number, c: number): number => {
      const y = (a & 0x80000000) | (b & 0x7fffffff);
      return c ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    };
    let i = 0;
    for (; i < N - M; i++) mt[i] = mix(mt[i] as number, mt[i + 1] as number, mt[i + M] as number);
    for (; i < N - 1; i++) mt[i] = mix(mt[i] as number, mt[i + 1] as number, mt[i + M - N] as number);
    mt[N - 1] = mix(mt[N - 1] as number, mt[0] as number, mt[M - 1] as number);
    this.index = 0;
  }

  /** The next output (genrand_int32 with tempering) as a signed 32-bit integer: the same bits as `nextUint32`. */
  private nextInt32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** The next 32-bit output (genrand_int32 with tempering). */
  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** A uniform integer in [0, max] by masked rejection, as numpy's legacy `random_interval` (max < 2^32). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new Error(`interval ${max} needs 64-bit draws; arrays this long are not supported`);
    // the smallest all-ones mask covering max
    const mask = 0xffffffff >>> Math.clz32(max);
    if (mask <= 0x7fffffff) {
      // a mask below 2^31 keeps the masked draw a small non-negative int: no conversion to a double
      for (;;) {
        const v = this.nextInt32() & mask;
        if (v <= max) return v;
      }
    }
    for (;;) {
      const v = (this.nextInt32() & mask) >>> 0;
      if (v <= max) return v;
    }
  }

  /** In-place Fisher–Yates from the end, as `RandomState.shuffle` on a 1-d array. */
  shuffle(a: Uint32Array | number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i] as number;
      a[i] = a[j] as number;
      a[j] = t;
    }
  }

  /** `RandomState.permutation(n)`: a shuffled 0..n-1. */
  permutation(n: number): Uint32Array {
    const a = new Uint32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    this.shuffle(a);
    return a;
  }

  /** `RandomState.choice(population, size, replace=False)` without probabilities: the first `size` of a permutation. */
  choiceWithoutReplacement<T>(population: readonly T[], size: number): T[] {
    if (size > population.length) throw new Error(`cannot take ${size} of ${population.length} without replacement`);
    const p = this.permutation(population.length);
    return Array.from(p.subarray(0, size), (i) => population[i] as T);
  }
}
