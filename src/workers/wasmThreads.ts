/**
 * How many threads tfjs's threaded SIMD wasm build runs in a training worker. tfjs sizes its pool as
 * hardwareConcurrency / 2 and caps `setThreadsCount` there too (one thread on a 2-core machine), so another count
 * needs the worker's `navigator.hardwareConcurrency` raised before the wasm module starts.
 */

/**
 * Threads per logical core. 0.5 is tfjs's own default (1 thread on 2 cores). tfjs's MLP step measured 1 and 2 threads
 * within 1 % (`?wasmThreads=`); the MLP now trains on the fused kernel, whose threads are its team's (`mlpTeam.ts`). On
 * the shared 2-core machine, loaded by other work, 2 threads measured slower (each waits for the other).
 */
export const WASM_THREAD_SHARE = 0.5;

/** tfjs builds its wasm with 8 pthreads ready; it never runs more. */
const MAX_WASM_THREADS = 8;

/** Threads for `cores` logical cores at `share` per core: at least 1, at most 8. */
export function wasmThreadCount(cores: number, share = WASM_THREAD_SHARE): number {
  const c = Number.isFinite(cores) && cores >= 1 ? Math.floor(cores) : 1;
  return Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(c * share)));
}

/** Checks a requested thread count (from the page's `?wasmThreads=`): an integer 1–8, else an error that says so. */
export function checkWasmThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) throw new Error(`wasm threads ${threads} is not an integer from 1 to ${MAX_WASM_THREADS}; fix the wasmThreads parameter of the page address`);
  return threads;
}

/**
 * Makes the next wasm backend start with `threads` threads: raises the navigator's core count where tfjs's cap
 * (hardwareConcurrency / 2) would hold it lower, then asks tfjs for that many. Call before the wasm backend starts.
 */
export function applyWasmThreads(threads: number, nav: { readonly hardwareConcurrency: number }, setThreadsCount: (n: number) => void): void {
  if (Math.floor(nav.hardwareConcurrency / 2) < threads) Object.defineProperty(nav, 'hardwareConcurrency', { value: threads * 2, configurable: true });
  setThreadsCount(threads);
}
