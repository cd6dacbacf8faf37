/** The training worker's protocol: `train` one model (backend choice and epochs as progress, fallbacks as log lines) and `memory`. */
import type { ModelMatrix } from '../data/types.ts';
import type { BackendChoice } from '../trainers/backend.ts';
import type { RowSplit } from '../trainers/splitPlan.ts';
import type { BackendName, ClassifierConfig, ClassifierResult, EpochLog, RegressorConfig, RegressorResult } from '../trainers/types.ts';
import { transferables } from './transferables.ts';
import type { Operation } from './workerProtocol.ts';

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
      /** fit/validation/test rows of a time, group or test-file split; absent: the seeded random split */
      readonly split?: RowSplit;
    }
  | {
      readonly kind: 'regressor';
      readonly matrix: ModelMatrix;
      readonly revenue: Float64Array;
      readonly isOrdered: Float32Array;
      readonly config: RegressorConfig;
      readonly backend: BackendPreference;
      readonly dataSha256: string;
      /** fit/validation/test rows of a time, group or test-file split; absent: the seeded random split */
      readonly split?: RowSplit;
    };

export type TrainOutcome =
  | { readonly kind: 'classifier'; readonly result: ClassifierResult }
  | { readonly kind: 'regressor'; readonly result: RegressorResult };

/** A trained model, the backend that trained it and the tensors left on that backend (for the leak check). */
export interface TrainDone {
  readonly outcome: TrainOutcome;
  readonly backend: string;
  readonly numTensors: number;
}

/** What a training reports while it runs: the backend it chose, then one event per epoch. */
export type TrainProgress =
  | { readonly kind: 'backend'; readonly choice: BackendChoice }
  | { readonly kind: 'epoch'; readonly log: EpochLog };

/** Tensors alive on the worker's backend. */
export interface TrainMemory {
  readonly numTensors: number;
  readonly backend: string;
}

/** The training worker's operations; the browser worker and the node thread (`trainThread.ts`) serve the same. */
export type TrainOps = {
  readonly train: Operation<TrainJob, TrainDone, TrainProgress>;
  readonly memory: Operation<null, TrainMemory>;
};

/** Buffers of a job, for the transfer list (the caller passes copies it no longer needs). */
export function jobTransferables(job: TrainJob): ArrayBuffer[] {
  return job.kind === 'classifier' ? transferables(job.matrix.X, job.y) : transferables(job.matrix.X, job.revenue, job.isOrdered);
}

/** Buffers of a result, for the transfer list. */
export function outcomeTransferables(o: TrainOutcome): ArrayBuffer[] {
  return o.kind === 'classifier'
    ? transferables(o.result.testIndex, o.result.yTest, o.result.testProba)
    : transferables(o.result.testIndex, o.result.yTest, o.result.predTest);
}
