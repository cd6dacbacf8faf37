/** Stratified k-fold cross-validation where every preprocessing step (scaler, resampling) is fitted on the training folds only. */
import { averagePrecisionFromSweep, brierScore, logLoss, regressionMetrics, rocAucFromSweep } from './metrics.ts';
import { randomOversample, randomUndersample, smoteNC } from './resample.ts';
import { applyScalerOnRows, fitStandardScalerOnRows, type StandardScaler } from './scaler.ts';
import { revenueStrata, stratifiedKFold, subsetRows, subsetVector } from './split.ts';
import { bestF1, buildThresholdSweep, type ThresholdSweep } from './thresholdSweep.ts';
import type { ResamplingOption } from './types.ts';

/** What is predicted: a 0/1 conversion (folds stratified on the label) or revenue (folds stratified on revenue bins). */
export type CvTask = 'classifier' | 'regressor';

/** One fold: row ids of the training and validation parts, disjoint, together all rows. */
export interface Fold {
  readonly train: Uint32Array;
  readonly valid: Uint32Array;
}

/** A training fold after preprocessing; the only data a `fit` callback ever sees. */
export interface TrainingFold {
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: Float32Array;
  readonly fold: number;
}

/** Rewrites a training fold (oversampling, SMOTE, undersampling); never called with validation rows. */
export type Resampler = (train: TrainingFold, seed: number) => TrainingFold;

/** Preprocessing fitted inside each training fold: standardisation first, then resampling of the scaled rows. */
export interface FoldPreprocessing {
  /** StandardScaler fitted on the training fold (before resampling), applied to both parts; default true */
  readonly standardise?: boolean;
  readonly resample?: Resampler;
  /** where the fold's matrices and labels are written (e.g. shared memory other workers can read); default a new Float32Array */
  readonly allocate?: (length: number) => Float32Array;
}

/** A fold ready to fit and score. */
export interface PreparedFold {
  readonly fold: number;
  readonly train: TrainingFold;
  readonly validX: Float32Array;
  readonly validY: Float32Array;
  readonly validRows: number;
  /** null when standardisation is off */
  readonly scaler: StandardScaler | null;
}

/** A model a `fit` callback returns: probabilities (classifier) or values (regressor) for a row-major matrix. */
export interface FittedModel {
  predict(X: Float32Array, rows: number): Float32Array;
}

/** Fits one model on a preprocessed training fold. */
export type FitFold = (train: TrainingFold) => FittedModel;

/** Classifier metrics per fold; F1 is at the fold's own best threshold, so it is an upper bound, as in the user's notebook. */
export const CLASSIFIER_METRICS = ['f1', 'rocAuc', 'prAuc', 'logLoss', 'brier'] as const;
/** Regressor metrics per fold. */
export const REGRESSOR_METRICS = ['rmse', 'mae', 'r2'] as const;
/** Any metric a fold can be scored on. */
export type MetricName = (typeof CLASSIFIER_METRICS)[number] | (typeof REGRESSOR_METRICS)[number];
/** Scores of one fold by metric name (plus `threshold` for classifiers: where F1 peaked). */
export type FoldScores = Readonly<Partial<Record<MetricName | 'threshold', number>>>;

/** Whether a larger value of the metric is better. */
export function higherIsBetter(metric: MetricName): boolean {
  return metric === 'f1' || metric === 'rocAuc' || metric === 'prAuc' || metric === 'r2';
}

/** Stratified folds: on the 0/1 label for a classifier, on `revenueBins` quantile bins (0 kept apart) for a regressor. */
export function makeFolds(y: ArrayLike<number>, task: CvTask, k: number, seed: number, revenueBins = 5): Fold[] {
  const strata = task === 'classifier' ? y : revenueStrata(y, revenueBins);
  return stratifiedKFold(strata, k, seed);
}

/** Splits, scales and resamples one fold; the scaler and the resampler see training rows only. */
export function prepareFold(
  data: { readonly X: Float32Array; readonly rows: number; readonly cols: number; readonly y: ArrayLike<number> },
  folds: readonly Fold[],
  fold: number,
  preprocessing: FoldPreprocessing,
  seed: number,
): PreparedFold {
  const f = folds[fold];
  if (f === undefined) throw new Error(`fold ${fold} does not exist; pick 0 to ${folds.length - 1}`);
  const { cols } = data;
  if (data.X.length !== data.rows * cols) throw new Error(`matrix has ${data.X.length} values, not rows ${data.rows} × cols ${cols}; pass the matching shape`);
  if (data.y.length !== data.rows) throw new Error(`y has ${data.y.length} rows but X has ${data.rows}; pass the same rows`);
  const yAll = data.y instanceof Float32Array ? data.y : Float32Array.from(data.y);
  const allocate = preprocessing.allocate;
  let trainX: Float32Array;
  let validX: Float32Array;
  let scaler: StandardScaler | null = null;
  if (preprocessing.standardise ?? true) {
    // Straight from the full matrix: the same values as subsetting then scaling, one pass and one copy per part.
    scaler = fitStandardScalerOnRows(data.X, cols, f.train);
    trainX = applyScalerOnRows(data.X, cols, f.train, scaler, allocate?.(f.train.length * cols));
    validX = applyScalerOnRows(data.X, cols, f.valid, scaler, allocate?.(f.valid.length * cols));
  } else {
    trainX = placed(subsetRows(data.X, cols, f.train), allocate);
    validX = placed(subsetRows(data.X, cols, f.valid), allocate);
  }
  let train: TrainingFold = { X: trainX, rows: f.train.length, cols, y: placed(subsetVector(yAll, f.train), allocate), fold };
  // A distinct stream per fold, so two folds never draw the same synthetic rows.
  if (preprocessing.resample) train = preprocessing.resample(train, seed * 1009 + fold + 1);
  return { fold, train, validX, validY: placed(subsetVector(yAll, f.valid), allocate), validRows: f.valid.length, scaler };
}

/** `values` itself, or a copy in memory from `allocate`. */
function placed(values: Float32Array, allocate: ((length: number) => Float32Array) | undefined): Float32Array {
  if (allocate === undefined) return values;
  const out = allocate(values.length);
  out.set(values);
  return out;
}

/** ROC AUC and average precision from one sorted sweep: a fold is scored hundreds of times in a search, so one sort. */
export function curveAreas(sweep: ThresholdSweep): { rocAuc: number; prAuc: number } {
  if (sweep.positives === 0 || sweep.negatives === 0) {
    throw new Error(`roc auc needs both classes in the fold but it has ${sweep.positives} positives and ${sweep.negatives} negatives; use fewer folds`);
  }
  return { rocAuc: rocAucFromSweep(sweep), prAuc: averagePrecisionFromSweep(sweep) };
}

/** Scores predictions of one validation fold. */
export function scoreFold(task: CvTask, yTrue: Float32Array, prediction: Float32Array): FoldScores {
  if (task === 'regressor') {
    const r = regressionMetrics(yTrue, prediction);
    return { rmse: r.rmse, mae: r.mae, r2: r.r2 };
  }
  const sweep = buildThresholdSweep(yTrue, prediction);
  const best = bestF1(sweep);
  const areas = curveAreas(sweep);
  return {
    f1: best.confusion.f1,
    threshold: best.threshold,
    rocAuc: areas.rocAuc,
    prAuc: areas.prAuc,
    logLoss: logLoss(yTrue, prediction),
    brier: brierScore(yTrue, prediction),
  };
}

/** Columns with at most two distinct values (binary and one-hot flags), which SMOTE-NC votes instead of interpolating. */
export function binaryColumns(X: Float32Array, rows: number, cols: number): boolean[] {
  const first = new Float64Array(cols).fill(Number.NaN);
  const second = new Float64Array(cols).fill(Number.NaN);
  const binary = new Array<boolean>(cols).fill(true);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      if (!binary[c]) continue;
      const v = X[base + c] as number;
      if (Number.isNaN(first[c] as number)) first[c] = v;
      else if (v !== first[c]) {
        if (Number.isNaN(second[c] as number)) second[c] = v;
        else if (v !== second[c]) binary[c] = false;
      }
    }
  }
  return binary;
}

/** The resampler for a named strategy ('none' → undefined); SMOTE-NC flags binary columns of the fold as categorical. */
export function resamplerFor(kind: ResamplingOption, targetRatio = 1): Resampler | undefined {
  const wrap = (t: TrainingFold, r: { X: Float32Array; y: Float32Array; rows: number }): TrainingFold => ({ X: r.X, y: r.y, rows: r.rows, cols: t.cols, fold: t.fold });
  switch (kind) {
    case 'none':
      return undefined;
    case 'oversample':
      return (t, seed) => wrap(t, randomOversample(t.X, t.rows, t.cols, t.y, seed, targetRatio));
    case 'undersample':
      return (t, seed) => wrap(t, randomUndersample(t.X, t.rows, t.cols, t.y, seed, targetRatio));
    case 'smote':
      return (t, seed) => wrap(t, smoteNC(t.X, t.rows, t.cols, t.y, { seed, targetRatio, categorical: binaryColumns(t.X, t.rows, t.cols) }));
    default: {
      const never: never = kind;
      throw new Error(`resampling "${String(never)}" is unknown; use none, oversample, smote or undersample`);
    }
  }
}

/** Inputs of `crossValidate`; y is 0/1 for a classifier and the target value for a regressor. */
export interface CrossValidateOptions extends FoldPreprocessing {
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: ArrayLike<number>;
  readonly task?: CvTask;
  readonly k: number;
  readonly seed: number;
  readonly fit: FitFold;
  /** quantile bins of the regressor's target used as strata; default 5 */
  readonly revenueBins?: number;
  /** reuse folds computed elsewhere (e.g. the imbalance lab) so every comparison sees the same rows */
  readonly folds?: readonly Fold[];
  readonly now?: () => number;
}

/** One fold's scores and sizes. */
export interface FoldResult {
  readonly fold: number;
  readonly scores: FoldScores;
  /** training rows after resampling */
  readonly trainRows: number;
  readonly validRows: number;
  readonly ms: number;
}

/** Per-fold results and mean ± population std (ddof 0, as scikit-learn's cv_results_) per metric. */
export interface CrossValidationResult {
  readonly folds: readonly FoldResult[];
  readonly mean: FoldScores;
  readonly std: FoldScores;
}

/** Mean and population standard deviation of each metric over folds. */
export function aggregateScores(scores: readonly FoldScores[]): { mean: FoldScores; std: FoldScores } {
  const mean: Partial<Record<MetricName | 'threshold', number>> = {};
  const std: Partial<Record<MetricName | 'threshold', number>> = {};
  const keys = new Set<MetricName | 'threshold'>();
  for (const s of scores) for (const key of Object.keys(s) as (MetricName | 'threshold')[]) keys.add(key);
  for (const key of keys) {
    const values = scores.map((s) => s[key]).filter((v): v is number => v !== undefined);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / values.length);
  }
  return { mean, std };
}

/** Runs k folds in sequence in this thread; the search spreads the same per-fold work over workers instead. */
export function crossValidate(o: CrossValidateOptions): CrossValidationResult {
  const task = o.task ?? 'classifier';
  const now = o.now ?? (() => performance.now());
  const folds = o.folds ?? makeFolds(o.y, task, o.k, o.seed, o.revenueBins);
  const preprocessing: FoldPreprocessing = {
    ...(o.standardise !== undefined ? { standardise: o.standardise } : {}),
    ...(o.resample ? { resample: o.resample } : {}),
  };
  const results: FoldResult[] = [];
  for (let fold = 0; fold < folds.length; fold++) {
    const t0 = now();
    const p = prepareFold(o, folds, fold, preprocessing, o.seed);
    const model = o.fit(p.train);
    const prediction = model.predict(p.validX, p.validRows);
    results.push({ fold, scores: scoreFold(task, p.validY, prediction), trainRows: p.train.rows, validRows: p.validRows, ms: now() - t0 });
  }
  return { folds: results, ...aggregateScores(results.map((r) => r.scores)) };
}
