/** The data worker's protocol: requests carry a requestId; progress events and results carry it back. */
import type { LoadProgress } from '../data/load.ts';
import type { Dataset } from '../data/types.ts';
import type { SerializedError } from './workerErrors.ts';

/** What to load: a URL (bundled file, http(s), presigned S3/MinIO) or a file the user picked or dropped. */
export type LoadSpec =
  | { readonly kind: 'url'; readonly url: string; readonly name: string; readonly bundled: boolean }
  | { readonly kind: 'file'; readonly file: File };

export type DataRequest =
  | { readonly type: 'load'; readonly requestId: number; readonly spec: LoadSpec }
  | { readonly type: 'cancel'; readonly requestId: number };

/** A finished load; the column buffers are transferred, not copied. */
export interface LoadedPayload {
  readonly dataset: Dataset;
  readonly notes: readonly string[];
  readonly requests: number;
  readonly rowGroups: number;
  readonly workerMs: number;
}

export type DataResponse =
  | { readonly type: 'progress'; readonly requestId: number; readonly progress: LoadProgress }
  | { readonly type: 'loaded'; readonly requestId: number; readonly payload: LoadedPayload }
  | { readonly type: 'error'; readonly requestId: number; readonly error: SerializedError };

/** Buffers of a dataset's columns, for the transfer list. */
export function datasetTransferables(ds: Dataset): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of ds.columns) {
    const buf = c.kind === 'categorical' ? c.codes.buffer : c.values.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  }
  return out;
}
