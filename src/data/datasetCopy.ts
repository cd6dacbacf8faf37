/** A dataset with its column arrays copied into new memory: shared (a SharedArrayBuffer, posted without copying) or private. */
import type { Column, Dataset } from './types.ts';

/** Makes the backing memory of one copied array, e.g. `(n) => new SharedArrayBuffer(n)`. */
export type Allocate = (bytes: number) => ArrayBuffer | SharedArrayBuffer;

function copyArray<T extends Float64Array | Float32Array | Uint8Array | Int32Array>(a: T, allocate: Allocate): T {
  const Ctor = a.constructor as new (buffer: ArrayBuffer | SharedArrayBuffer) => T;
  const out = new Ctor(allocate(a.byteLength));
  out.set(a);
  return out;
}

function copyColumn(c: Column, allocate: Allocate): Column {
  switch (c.kind) {
    case 'categorical':
      return { ...c, codes: copyArray(c.codes, allocate) };
    case 'numeric':
      return { ...c, values: copyArray(c.values, allocate) };
    case 'timestamp':
      return { ...c, values: copyArray(c.values, allocate) };
    default: {
      const never: never = c;
      throw new Error(`column kind of ${JSON.stringify(never)} is unknown; add it to copyColumn`);
    }
  }
}

/**
 * The data worker keeps the dataset to analyse it off the page's main thread: in a cross-origin-isolated page it
 * copies the columns once into shared memory, which the page then reads without another copy; otherwise it sends the
 * page a private copy and keeps the original.
 */
export function copyDataset(ds: Dataset, allocate: Allocate): Dataset {
  return { ...ds, columns: ds.columns.map((c) => copyColumn(c, allocate)) };
}
