/** Shapes shared by the trainers: configs, per-epoch logs, results and the injected platform. */
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelBundle } from './bundle.ts';

/** The TensorFlow.js namespace a trainer runs on; injected so tests, workers and the CLI pin the backend. */
export type Tf = typeof tfjs;

/** TensorFlow.js backends the workbench knows, fastest-first in a typical browser. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** How the positive (ordered) class is weighted in the loss. */
export type ClassWeightOption = 'none' | 'balanced' | { readonly positiveWeight: number };

/** Resampling applied to the training rows only. */
export type ResamplingOption = 'none' | 'oversample' | 'smote' | 'undersample';

/** Settings of the conversion classifier. */
export interface ClassifierConfig {
  readonly model: 'logistic' | 'mlp';
  readonly hiddenUnits: readonly number[];
  readonly dropout: number;
  /** Keras-style kernel penalty l2·Σw² for the MLP */
  readonly l2: number;
  /** logistic only: scikit-learn's inverse regularisation strength */
  readonly C: number;
  readonly learningRate: number;
  readonly batchSize: number;
  /** maximum epochs (MLP) or Newton iterations (logistic) */
  readonly epochs: number;
  readonly patience: number;
  readonly classWeight: ClassWeightOption;
  readonly resampling: ResamplingOption;
  readonly testFraction: number;
  /** share of the training split held out for early stopping and the threshold */
  readonly validationFraction: number;
  readonly seed: number;
}

/** Settings of the revenue regressor. */
export interface RegressorConfig {
  readonly model: 'linear' | 'mlp';
  readonly strategy: 'converting_only' | 'direct' | 'two_stage';
  /** fit log1p(revenue) and back-transform with Duan's smearing */
  readonly logTarget: boolean;
  readonly hiddenUnits: readonly number[];
  readonly dropout: number;
  /** ridge alpha (linear) or Keras-style kernel penalty (MLP) */
  readonly l2: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly patience: number;
  readonly testFraction: number;
  readonly validationFraction: number;
  readonly seed: number;
}

/** The bench configuration that meets the quality goals on the bundled data. */
export const DEFAULT_CLASSIFIER_CONFIG: ClassifierConfig = {
  model: 'mlp',
  hiddenUnits: [64, 64],
  dropout: 0,
  l2: 1e-5,
  C: 1,
  learningRate: 4e-3,
  batchSize: 4096,
  epochs: 15,
  patience: 3,
  classWeight: 'balanced',
  resampling: 'none',
  testFraction: 0.2,
  validationFraction: 0.15,
  seed: 42,
};

/** The user's recommended regression: converting sessions, log1p target, linear model. */
export const DEFAULT_REGRESSOR_CONFIG: RegressorConfig = {
  model: 'linear',
  strategy: 'converting_only',
  logTarget: true,
  hiddenUnits: [32],
  dropout: 0,
  l2: 0,
  learningRate: 1e-3,
  batchSize: 512,
  epochs: 60,
  patience: 5,
  testFraction: 0.2,
  validationFraction: 0.15,
  seed: 42,
};

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

/** A monotonic millisecond clock; injected so tests can pin timings. */
export type Clock = () => number;

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

/** Everything a classifier run produced. */
export interface ClassifierResult {
  readonly config: ClassifierConfig;
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly seed: number;
  readonly epochs: number;
  readonly converged: boolean;
  readonly history: readonly EpochLog[];
  readonly threshold: number;
  readonly testIndex: Uint32Array;
  readonly yTest: Float32Array;
  readonly testProba: Float32Array;
  readonly metrics: ClassifierMetrics;
  readonly warnings: readonly string[];
  readonly trainMs: number;
  readonly msPerEpoch: number;
  readonly bundle: ModelBundle;
  readonly counts: ClassifierCounts;
}

/** Regression metrics, in dollars. */
export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  readonly mape: number;
}

/** Everything a regressor run produced. */
export interface RegressorResult {
  readonly config: RegressorConfig;
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly seed: number;
  readonly epochs: number;
  readonly converged: boolean;
  readonly history: readonly EpochLog[];
  readonly testIndex: Uint32Array;
  readonly yTest: Float64Array;
  readonly predTest: Float64Array;
  readonly metrics: RegressionMetrics;
  /** predicting the mean train revenue for every test row */
  readonly baseline: RegressionMetrics;
  /** Duan's factor mean(exp(residual)) on train; 1 without a log target */
  readonly smearing: number;
  readonly warnings: readonly string[];
  readonly trainMs: number;
  readonly msPerEpoch: number;
  readonly bundle: ModelBundle;
  readonly counts: { readonly train: number; readonly valid: number; readonly test: number };
}
