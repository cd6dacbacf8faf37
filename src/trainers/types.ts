/** Shapes shared by the trainers: configs, per-epoch logs, results and the injected platform. */
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelBundle } from './bundle.ts';
import type { TreeBundle } from './trees/treeBundle.ts';
import type { ClassifierConfig, RegressorConfig } from './config.ts';
import type { PhaseTimings } from './phases.ts';
import type { MlpKernelPath } from './mlpKernel.ts';
import type { MlpTeamSpec } from './mlpTeam.ts';
import type { RowSplit } from './splitPlan.ts';
import type { TargetTransform } from './targetTransform.ts';

/** The TensorFlow.js namespace a trainer runs on; injected so tests, workers and the CLI pin the backend. */
export type Tf = typeof tfjs;

/** TensorFlow.js backends the workbench knows, fastest-first in a typical browser. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export type { ClassifierConfig, ClassWeightOption, RegressorConfig, ResamplingOption } from './config.ts';
export { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from './config.ts';
/** One training pass (an MLP epoch or a Newton iteration), for the live loss chart. */
export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly valAuc?: number;
  readonly valRmse?: number;
  readonly ms: number;
}

/** Callback fed once per epoch. */
export type OnEpoch = (log: EpochLog) => void;

/** How far an epoch has got: optimiser steps done of the epoch's total, so a long epoch is never silent. */
export interface BatchProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
}

/** Callback fed within an epoch, at most every `BATCH_PROGRESS_MS`. */
export type OnBatchProgress = (p: BatchProgress) => void;

/** Milliseconds between two batch progress reports: often enough for a moving bar, rare enough to cost nothing. */
export const BATCH_PROGRESS_MS = 250;

/**
 * Rows per forward pass when an MLP scores many rows (validation, prediction): the tensors of one pass, 64 units ×
 * rows × 4 bytes per layer output, are held at once, and tfjs's WebAssembly.Memory keeps its peak for the worker's
 * life: one epoch of the bundled data grew it to 98 MiB with 65,536 rows a pass, 33 MiB with 16,384.
 */
export const FORWARD_CHUNK_ROWS = 16_384;

/** A monotonic millisecond clock; injected so tests can pin timings. */
export type Clock = () => number;

/** What every training call takes besides its data and settings: progress, cancel, the clock, provenance, the caller's split. */
export interface TrainingHooks {
  readonly onEpoch?: OnEpoch;
  /** fed within an MLP epoch, so a long epoch is never silent */
  readonly onBatchProgress?: OnBatchProgress;
  readonly signal?: AbortSignal;
  readonly now?: Clock;
  /** hex SHA-256 of the data file, recorded in the bundle */
  readonly dataSha256?: string;
  /** rows of fit/validation/test chosen by the caller (time, group, test file); default: the classifier's random split */
  readonly split?: RowSplit;
  /** the MLP's step: 'auto' (the wasm kernel on CPU backends without dropout, `mlpPathFor`), or one forced (the bench) */
  readonly mlpPath?: MlpPathRequest;
  /** threads that share each MLP batch on the fused kernel (`mlpTeam.ts`); absent: one */
  readonly mlpTeam?: MlpTeamSpec;
}

/** Which step trained an MLP: tfjs's kernels, or the fused wasm kernel (`mlpKernel.ts`). */
export type MlpPath = 'tfjs' | MlpKernelPath;
/** The step asked for: the trainer's choice, tfjs, or the kernel's plain or relaxed SIMD build. */
export type MlpPathRequest = 'auto' | 'tfjs' | 'wasm-simd' | 'wasm-relaxed-simd';

/** Classification metrics named as MLflow logs them. */
export interface ClassifierMetrics {
  readonly auc_roc: number;
  readonly pr_auc: number;
  readonly f1_score: number;
  readonly precision: number;
  readonly recall: number;
  readonly accuracy: number;
  readonly log_loss: number;
  readonly brier: number;
  /** chosen on the validation slice, applied unchanged to test */
  readonly threshold: number;
  /** best F1 on the test split itself: flattering, show only labelled "oracle" */
  readonly oracle_f1: number;
  readonly oracle_threshold: number;
}

/** Row counts of each split, after resampling where it applies. */
export interface ClassifierCounts {
  readonly train: number;
  readonly valid: number;
  readonly test: number;
  readonly positivesTrain: number;
  readonly positivesValid: number;
  readonly positivesTest: number;
  /** rows added (oversample, SMOTE) or removed (undersample, negative) by resampling */
  readonly resampled: number;
}

/** What every run produced besides its model kind's own results. */
export interface TrainingResultBase {
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly seed: number;
  readonly epochs: number;
  readonly converged: boolean;
  readonly history: readonly EpochLog[];
  /** the test rows, as matrix row numbers */
  readonly testIndex: Uint32Array;
  readonly warnings: readonly string[];
  readonly trainMs: number;
  readonly msPerEpoch: number;
  readonly bundle: ModelBundle | TreeBundle;
  /** an MLP's step (tfjs or the wasm kernel) and why it was chosen; absent for other models */
  readonly mlpPath?: MlpPath;
  readonly mlpPathWhy?: string;
  /** threads that shared each MLP batch (1: one; absent for other models) */
  readonly mlpThreads?: number;
}

/** Everything a classifier run produced. */
export interface ClassifierResult extends TrainingResultBase {
  readonly config: ClassifierConfig;
  readonly threshold: number;
  readonly yTest: Float32Array;
  readonly testProba: Float32Array;
  readonly metrics: ClassifierMetrics;
  readonly counts: ClassifierCounts;
  /** milliseconds of each part of the training (prepare, fit, bundle, predict, metrics), for the bench */
  readonly phaseMs?: PhaseTimings;
}

/** Regression metrics, in dollars. */
export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  readonly mape: number;
}

/** Everything a regressor run produced. */
export interface RegressorResult extends TrainingResultBase {
  readonly config: RegressorConfig;
  readonly yTest: Float64Array;
  readonly predTest: Float64Array;
  readonly metrics: RegressionMetrics;
  /** predicting the mean train revenue for every test row */
  readonly baseline: RegressionMetrics;
  /** Duan's factor mean(exp(residual)) on train; 1 without a log target */
  readonly smearing: number;
  /** the transform the target was fitted with (the setting `config.targetTransform` may be 'auto') */
  readonly targetTransform: TargetTransform;
  readonly counts: { readonly train: number; readonly valid: number; readonly test: number };
  /** milliseconds of each part of the training (prepare, fit, bundle, predict, metrics), for the bench */
  readonly phaseMs?: PhaseTimings;
}
