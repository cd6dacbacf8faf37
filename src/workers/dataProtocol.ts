/** The data worker's protocol: one operation, `load`; progress arrives after the footer and each row group. */
import type { LoadProgress } from '../data/load.ts';
import type { Dataset } from '../data/types.ts';
import { transferables } from './transferables.ts';
import type { Operation } from './workerProtocol.ts';

/** What to load: a URL (bundled file, http(s), presigned S3/MinIO) or a file the user picked or dropped. */
export type LoadSpec =
  | { readonly kind: 'url'; readonly url: string; readonly name: string; readonly bundled: boolean }
  | { readonly kind: 'file'; readonly file: File };

/** A finished load; the column buffers are transferred, not copied. */
export interface LoadedPayload {
  readonly dataset: Dataset;
  readonly notes: readonly string[];
  readonly requests: number;
  readonly rowGroups: number;
  readonly workerMs: number;
}

/** The data worker's operations. */
export type DataOps = {
  readonly load: Operation<LoadSpec, LoadedPayload, LoadProgress>;
};

/** Buffers of a dataset's columns, for the transfer list. */
export function datasetTransferables(ds: Dataset): ArrayBuffer[] {
  return transferables(...ds.columns.map((c) => (c.kind === 'categorical' ? c.codes : c.values)));
}
