/** Shared memory between the search pool and its workers: one copy of the matrix, folds and prepared folds for all. */
import type { Fold, PreparedFold } from '../trainers/crossValidation.ts';

/** Whether this context can share memory with its workers: always in node, only when cross-origin isolated in a browser. */
export function canShareMemory(scope: { readonly crossOriginIsolated?: boolean; readonly SharedArrayBuffer?: unknown } = globalThis): boolean {
  return typeof scope.SharedArrayBuffer === 'function' && scope.crossOriginIsolated !== false;
}

/** Whether the array's bytes live in a SharedArrayBuffer (posting it shares them instead of copying). */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/** A zeroed Float32Array in a new SharedArrayBuffer; the `allocate` of a cache whose prepared folds other workers adopt. */
export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** The array itself when it already lives in shared memory, else a copy in a new SharedArrayBuffer. */
export function sharedCopy<T extends Float32Array | Uint32Array>(a: T): T {
  if (isShared(a)) return a;
  const out = (a instanceof Float32Array ? new Float32Array(new SharedArrayBuffer(a.byteLength)) : new Uint32Array(new SharedArrayBuffer(a.byteLength))) as T;
  out.set(a);
  return out;
}

/** The folds' row ids in shared memory, so every worker reads the one copy. */
export function sharedFolds(folds: readonly Fold[]): Fold[] {
  return folds.map((f) => ({ train: sharedCopy(f.train), valid: sharedCopy(f.valid) }));
}

/** Whether every matrix and label vector of a prepared fold is in shared memory (a resampled fold is not). */
export function isSharedFold(p: PreparedFold): boolean {
  return isShared(p.train.X) && isShared(p.train.y) && isShared(p.validX) && isShared(p.validY);
}
