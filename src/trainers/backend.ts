/** Picks the fastest working tfjs backend by a short measured warm-up, and falls back when one fails mid-training. */
import type { BackendName, Clock, Tf } from './types.ts';

/** What `selectBackend` found: the winner, each candidate's warm-up milliseconds, and why the others were skipped. */
export interface BackendChoice {
  readonly chosen: BackendName;
  readonly timings: Partial<Record<BackendName, number>>;
  readonly failures: readonly { readonly backend: BackendName; readonly message: string }[];
  /** set when the user forced a backend that could not start */
  readonly forcedFailed?: BackendName;
}

/** Options of `selectBackend`: `warmup` runs a few ops of the real shape and returns its milliseconds. */
export interface SelectBackendOptions {
  readonly forced?: BackendName;
  readonly warmup: (tf: Tf) => Promise<number>;
}

/** Tries each registered candidate (or only the forced one, unless it fails), warms it up, and leaves the fastest active. */
export async function selectBackend(tf: Tf, candidates: readonly BackendName[], options: SelectBackendOptions): Promise<BackendChoice> {
  const timings: Partial<Record<BackendName, number>> = {};
  const failures: { backend: BackendName; message: string }[] = [];
  const registered = new Set(Object.keys(tf.engine().registryFactory));
  const tryOne = async (name: BackendName): Promise<boolean> => {
    if (!registered.has(name)) {
      failures.push({ backend: name, message: `backend "${name}" is not registered in this environment` });
      return false;
    }
    try {
      if (!(await tf.setBackend(name))) throw new Error(`backend "${name}" failed to initialise`);
      await tf.ready();
      await options.warmup(tf); // first call pays shader compilation / wasm instantiation
      timings[name] = await options.warmup(tf);
      return true;
    } catch (e) {
      failures.push({ backend: name, message: e instanceof Error ? e.message : String(e) });
      return false;
    }
  };
  if (options.forced !== undefined) {
    if (await tryOne(options.forced)) return { chosen: options.forced, timings, failures };
  }
  for (const name of candidates) if (name !== options.forced) await tryOne(name);
  const ranked = (Object.entries(timings) as [BackendName, number][]).sort((a, b) => a[1] - b[1]);
  const winner = ranked[0];
  if (winner === undefined) throw new Error(`no tfjs backend works (${failures.map((f) => `${f.backend}: ${f.message}`).join('; ')}); use a browser with WebGL or WebAssembly`);
  await tf.setBackend(winner[0]);
  return { chosen: winner[0], timings, failures, ...(options.forced !== undefined ? { forcedFailed: options.forced } : {}) };
}

/** A warm-up of the real workload's shape: a few batch × cols by cols × units products, timed with the injected clock. */
export function matMulWarmup(batch: number, cols: number, units = 64, repeats = 5, now: Clock = () => performance.now()): (tf: Tf) => Promise<number> {
  return async (tf) => {
    const a = tf.randomUniform([batch, cols], -1, 1, 'float32', 1);
    const b = tf.randomUniform([cols, units], -1, 1, 'float32', 2);
    try {
      const t0 = now();
      for (let i = 0; i < repeats; i++) {
        const r = tf.tidy(() => tf.sum(tf.relu(tf.matMul(a, b))));
        await r.data();
        r.dispose();
      }
      return now() - t0;
    } finally {
      a.dispose();
      b.dispose();
    }
  };
}

/** Outcome of `withFallback`: the value, the backend that produced it, and a line per backend that failed on the way. */
export interface FallbackResult<T> {
  readonly result: T;
  readonly backend: BackendName;
  readonly fallbacks: readonly string[];
}

/**
 * Runs `train` on each backend in order until one succeeds; a cancel is rethrown at once, never retried elsewhere.
 * With the request's `signal`, only its abort is a cancel: WebGPU rejects with its own DOMException "AbortError" (a
 * read of a lost device, say), which is a failure of that backend, not the user's cancel.
 */
export async function withFallback<T>(
  tf: Tf,
  order: readonly BackendName[],
  train: (backend: BackendName) => Promise<T>,
  onFallback?: (message: string) => void,
  signal?: AbortSignal,
): Promise<FallbackResult<T>> {
  const fallbacks: string[] = [];
  for (let i = 0; i < order.length; i++) {
    const backend = order[i] as BackendName;
    try {
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`backend "${backend}" failed to initialise`);
      await tf.ready();
      return { result: await train(backend), backend, fallbacks };
    } catch (e) {
      if (signal ? signal.aborted : e instanceof Error && e.name === 'AbortError') throw e;
      const next = order[i + 1];
      const message = `${backend} failed (${e instanceof Error ? e.message : String(e)})${next !== undefined ? `; retrying on ${next}` : ''}`;
      fallbacks.push(message);
      onFallback?.(message);
      if (next === undefined) throw new Error(`training failed on every backend: ${fallbacks.join('; ')}`);
    }
  }
  throw new Error('withFallback needs at least one backend; pass e.g. ["cpu"]');
}
