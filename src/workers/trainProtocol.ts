/** The training worker's protocol: `train` one model (backend choice and epochs as progress, fallbacks as log lines) and `memory`. */
import type { Dataset, ModelMatrix } from '../data/types.ts';
import { buildTrainingInputs, type TrainingInputs, type TrainingInputsSpec } from '../notebook/trainingInputs.ts';
import { prepareEvaluation, type PreparedEvaluation } from '../notebook/evaluation.ts';
import type { BackendChoice } from '../trainers/backend.ts';
import type { PhaseTimings } from '../trainers/phases.ts';
import type { RowSplit } from '../trainers/splitPlan.ts';
import type { TreeProtocolProgress } from '../trainers/trees/treeProtocol.ts';
import type { BackendName, BatchProgress, ClassifierConfig, ClassifierResult, EpochLog, RegressorConfig, RegressorResult } from '../trainers/types.ts';
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
      /** what the matrix builder warned about (it ran elsewhere: the data worker) */
      readonly matrixWarnings?: readonly string[];
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
      readonly matrixWarnings?: readonly string[];
    };

/**
 * A job whose matrix and targets the worker builds itself from the dataset and the Features settings: the page sends
 * the columns (shared memory when it is cross-origin isolated, else one copy) instead of building a float32 matrix
 * and two copies of it on its main thread.
 */
export type TrainOnDataJob =
  | {
      readonly kind: 'classifier';
      readonly dataset: Dataset;
      readonly inputs: TrainingInputsSpec;
      readonly config: ClassifierConfig;
      readonly backend: BackendPreference;
      readonly dataSha256: string;      /** fit/validation/test rows of a time, group or test-file split; absent: the seeded random split */
      readonly split?: RowSplit;
    }
  | {
      readonly kind: 'regressor';
      readonly dataset: Dataset;
      readonly inputs: TrainingInputsSpec;
      readonly config: RegressorConfig;
      readonly backend: BackendPreference;
      readonly dataSha256: string;      readonly split?: RowSplit;
    };

/**
 * What `train` accepts: a prepared matrix (the node pipeline) or the dataset to build it from (the page), and the
 * threads of the wasm backend when the page asks for a count (`?wasmThreads=`, for the bench; else `WASM_THREAD_SHARE`), and
 * the workers an MLP batch is shared between (`?mlpWorkers=`, for the bench; else measured, `mlpSharing.ts`), and the MLP's
 * step (`?mlpPath=`, for the bench: tfjs or the wasm kernel's builds; else `mlpPathFor`).
 */
export type TrainRequest = (TrainJob | TrainOnDataJob) & { readonly wasmThreads?: number; readonly mlpWorkers?: number; readonly mlpPath?: string };

export type TrainOutcome =
  | { readonly kind: 'classifier'; readonly result: ClassifierResult }
  | { readonly kind: 'regressor'; readonly result: RegressorResult };

/** A trained model, the backend that trained it and the tensors left on that backend (for the leak check). */
export interface TrainDone {
  readonly outcome: TrainOutcome;
  readonly backend: string;
  readonly numTensors: number;
  /** the evaluation cells' data (a classifier's sorted test scores, curves and calibration; a regressor's residuals), worked out here so the page's main thread makes no pass over the test rows */
  readonly evaluation?: PreparedEvaluation;
  /** where the worker's time went (the bench's breakdown of a training, beside the page's wall time) */
  readonly timings?: TrainTimings;
}

/** Milliseconds of each part of a training in the worker. */
export interface TrainTimings {
  /** the model matrix and targets built from the dataset */
  readonly matrixMs: number;
  /** choosing (and warming up) the backend */
  readonly backendMs: number;
  /** split, scale, fit, threshold and test scoring: the trainer itself */
  readonly trainMs: number;
  /** the evaluation: the test sweep (a sort of every test row), curves, calibration or residuals */
  readonly sweepMs: number;
  /** the trainer's own parts (split, scale, fit, bundle, predict, metrics), within `trainMs` */
  readonly phases?: PhaseTimings;
}

/**
 * What a training reports while it runs: the backend it chose, then one event per epoch and, within an MLP epoch, batch
 * progress; a tree classifier also reports its protocol (fit-row model, fold models, refit) after each tree of any of them.
 */
export type TrainProgress =
  | { readonly kind: 'backend'; readonly choice: BackendChoice }
  | { readonly kind: 'epoch'; readonly log: EpochLog }
  | { readonly kind: 'batch'; readonly progress: BatchProgress }
  | { readonly kind: 'protocol'; readonly progress: TreeProtocolProgress };

/** Tensors alive on the worker's backend. */
export interface TrainMemory {
  readonly numTensors: number;
  readonly backend: string;
}

/** The training worker's operations; the browser worker and the node thread (`trainThread.ts`) serve the same. */
export type TrainOps = {
  readonly train: Operation<TrainRequest, TrainDone, TrainProgress>;
  readonly memory: Operation<null, TrainMemory>;
};

/** Buffers of a job, for the transfer list (the caller passes copies it no longer needs); a dataset is never transferred (the page keeps it). */
export function jobTransferables(job: TrainRequest): ArrayBuffer[] {
  if ('dataset' in job) return [];
  return job.kind === 'classifier' ? transferables(job.matrix.X, job.y) : transferables(job.matrix.X, job.revenue, job.isOrdered);
}

/**
 * The row-sized arrays of a job that its result never carries (the matrix, the targets, the fit and validation rows'
 * indices; the test rows' may be the result's `testIndex`): what a training worker frees once the job is done.
 */
export function jobRowArrays(job: TrainJob): ArrayBufferView[] {
  const targets = job.kind === 'classifier' ? [job.y] : [job.revenue, job.isOrdered];
  return [job.matrix.X, ...targets, ...(job.split ? [job.split.fit, job.split.valid] : [])];
}

/** The job with its matrix and targets: built from the dataset here (in the worker) when the page sent the dataset; the encoder's warnings come first. */
export function resolveTrainJob(request: TrainRequest): { job: TrainJob; warnings: string[] } {
  const job = 'dataset' in request ? jobWithInputs(request, buildTrainingInputs(request.dataset, request.inputs)) : request;
  return { job, warnings: [...(job.matrixWarnings ?? [])] };
}

/** A job on the dataset turned into one on its built matrix and targets (built by this worker or, shared, by the data worker). */
export function jobWithInputs(job: TrainOnDataJob, built: TrainingInputs): TrainJob {
  const { matrix, y, revenue, warnings } = built;
  const common = { backend: job.backend, dataSha256: job.dataSha256, matrixWarnings: warnings, ...(job.split ? { split: job.split } : {}) };
  return job.kind === 'classifier'
    ? { kind: 'classifier', matrix, y, config: job.config, ...common }
    : { kind: 'regressor', matrix, revenue, isOrdered: y, config: job.config, ...common };
}

/** The outcome with the matrix builder's warnings before the trainer's own. */
export function withWarnings(done: TrainDone, warnings: readonly string[]): TrainDone {
  if (warnings.length === 0) return done;
  const o = done.outcome;
  const outcome: TrainOutcome = o.kind === 'classifier'
    ? { kind: 'classifier', result: { ...o.result, warnings: [...warnings, ...o.result.warnings] } }
    : { kind: 'regressor', result: { ...o.result, warnings: [...warnings, ...o.result.warnings] } };
  return { ...done, outcome };
}

/** Buffers of a result, for the transfer list. */
export function outcomeTransferables(o: TrainOutcome): ArrayBuffer[] {
  return o.kind === 'classifier'
    ? transferables(o.result.testIndex, o.result.yTest, o.result.testProba)
    : transferables(o.result.testIndex, o.result.yTest, o.result.predTest);
}

/** The finished job with its evaluation added (a sort of every test row and passes over them, done here rather than on the page). */
export function withEvaluation(done: TrainDone): TrainDone {
  return { ...done, evaluation: prepareEvaluation(done.outcome) };
}

/** Buffers of a finished job, for the transfer list. */
export function doneTransferables(done: TrainDone): ArrayBuffer[] {
  const e = done.evaluation;
  return [...outcomeTransferables(done.outcome), ...(e?.kind === 'classifier' ? transferables(e.sweep.thresholds, e.sweep.tps, e.sweep.fps) : [])];
}
