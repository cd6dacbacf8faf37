/** The training worker's protocol: one job per request; epochs, backend choice and fallbacks stream back as events. */
import type { ModelMatrix } from '../data/types.ts';
import type { BackendChoice } from '../trainers/backend.ts';
import type { BackendName, ClassifierConfig, ClassifierResult, EpochLog, RegressorConfig, RegressorResult } from '../trainers/types.ts';
import type { SerializedError } from './workerErrors.ts';

/** 'auto' picks the fastest backend by a measured warm-up. */
export type BackendPreference = BackendName | 'auto';

export type TrainJob =
  | {
      readonly kind: 'classifier';
      readonly matrix: ModelMatrix;
      readonly y: Float32Array;
      readonly config: ClassifierConfig;
      readonly backend: BackendPreference;
      readonly dataSha256: string;
    }
  | {
      readonly kind: 'regressor';
      readonly matrix: ModelMatrix;
      readonly revenue: Float64Array;
      readonly isOrdered: Float32Array;
      readonly config: RegressorConfig;
      readonly backend: BackendPreference;
      readonly dataSha256: string;
    };

export type TrainRequest =
  | { readonly type: 'train'; readonly requestId: number; readonly job: TrainJob }
  | { readonly type: 'cancel'; readonly requestId: number }
  | { readonly type: 'memory'; readonly requestId: number };

export type TrainOutcome =
  | { readonly kind: 'classifier'; readonly result: ClassifierResult }
  | { readonly kind: 'regressor'; readonly result: RegressorResult };

export type TrainResponse =
  | { readonly type: 'backend'; readonly requestId: number; readonly choice: BackendChoice }
  | { readonly type: 'epoch'; readonly requestId: number; readonly log: EpochLog }
  | { readonly type: 'fallback'; readonly requestId: number; readonly message: string }
  | { readonly type: 'done'; readonly requestId: number; readonly outcome: TrainOutcome; readonly numTensors: number }
  | { readonly type: 'memory'; readonly requestId: number; readonly numTensors: number; readonly backend: string }
  | { readonly type: 'error'; readonly requestId: number; readonly error: SerializedError; readonly numTensors: number };

/** Buffers of a job, for the transfer list (the caller passes copies it no longer needs). */
export function jobTransferables(job: TrainJob): ArrayBuffer[] {
  const bufs = [job.matrix.X.buffer, ...(job.kind === 'classifier' ? [job.y.buffer] : [job.revenue.buffer, job.isOrdered.buffer])];
  return [...new Set(bufs.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}

/** Buffers of a result, for the transfer list. */
export function outcomeTransferables(o: TrainOutcome): ArrayBuffer[] {
  const r = o.result;
  const bufs = o.kind === 'classifier'
    ? [o.result.testIndex.buffer, o.result.yTest.buffer, o.result.testProba.buffer]
    : [r.testIndex.buffer, o.result.yTest.buffer, o.result.predTest.buffer];
  return [...new Set(bufs.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}
