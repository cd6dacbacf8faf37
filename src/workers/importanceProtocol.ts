/** The importance worker's protocol: one permutation-importance job per request; progress streams back as events. */
import type { ModelBundle } from '../trainers/bundle.ts';
import type { ImportanceScore, PermutationImportanceResult } from '../trainers/permutationImportance.ts';
import type { SerializedError } from './workerErrors.ts';

/** The test split's raw rows, its targets and the model to judge. */
export interface ImportanceJob {
  readonly bundle: ModelBundle;
  /** row-major rows × cols, raw (unscaled) model-matrix values */
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly featureGroups: readonly string[];
  readonly y: Float32Array | Float64Array;
  readonly score: ImportanceScore;
  readonly repeats: number;
  readonly seed: number;
  /** score a seeded sample of at most this many test rows */
  readonly maxRows: number;
  /** two-stage regressor: the stored test predictions, so P(order) is held fixed while its revenue model is probed */
  readonly storedPredictions?: Float64Array;
}

export type ImportanceRequest =
  | { readonly type: 'run'; readonly requestId: number; readonly job: ImportanceJob }
  | { readonly type: 'cancel'; readonly requestId: number };

export type ImportanceResponse =
  | { readonly type: 'progress'; readonly requestId: number; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly requestId: number; readonly result: PermutationImportanceResult; readonly backend: string }
  | { readonly type: 'error'; readonly requestId: number; readonly error: SerializedError };

/** Buffers of a job, for the transfer list (the caller passes copies). */
export function importanceTransferables(job: ImportanceJob): ArrayBuffer[] {
  const bufs = [job.X.buffer, job.y.buffer, ...(job.storedPredictions ? [job.storedPredictions.buffer] : [])];
  return [...new Set(bufs.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}
