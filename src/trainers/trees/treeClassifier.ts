/** The conversion classifier as a tree ensemble, end to end: split, resample, weight, fit, threshold on validation, score on test. */
import type { ModelMatrix } from '../../data/types.ts';
import { binaryColumns, classifierCounts, resampleFitRows, scoreAtValidationThreshold, splitForClassifier } from '../classifier.ts';
import { classWeights } from '../resample.ts';
import { applyScaler, fitStandardScaler } from '../scaler.ts';
import { stratifiedKFold, stratifiedSplit, subsetRows, subsetVector } from '../split.ts';
import { phaseStopwatch } from '../phases.ts';
import { trainingRows, type RowSplit } from '../splitPlan.ts';
import type { ClassifierConfig, ClassifierResult, Clock, EpochLog, OnEpoch } from '../types.ts';
import type { TreeSettings } from '../config.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt, type GbdtParams } from './boosting.ts';
import { outputFromRaw, predictRaw, type CancelFlag, type TreeEnsemble, type TreeModelKind, type TreeProgress } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest, type ForestParams } from './forest.ts';
import { buildTreeBundle, ensembleFromBundle, predictWithPreprocessing, type TreeBundle } from './treeBundle.ts';

/** Settings of both tree models (schema in config.ts); the seed, class weights, resampling and split come from the surrounding config. */
export type { TreeSettings } from '../config.ts';

/** scikit-learn's boosting defaults and the seed notebook's forest. */
export const DEFAULT_TREE_SETTINGS: TreeSettings = { gbdt: DEFAULT_GBDT_PARAMS, rf: DEFAULT_FOREST_PARAMS };
const _sameShape: { gbdt: GbdtParams; rf: ForestParams } = DEFAULT_TREE_SETTINGS;
void _sameShape;

/** A classifier config whose model is a tree ensemble. */
export type TreeClassifierConfig = Omit<ClassifierConfig, 'model'> & { readonly model: TreeModelKind; readonly trees: TreeSettings };

/** What a tree classifier run produced: the classifier result, with a tree bundle and the ensemble itself. */
export type TreeClassifierResult = Omit<ClassifierResult, 'config' | 'bundle'> & {
  readonly config: TreeClassifierConfig;
  readonly bundle: TreeBundle;
  readonly ensemble: TreeEnsemble;
  /** true when identical training rows were merged into weighted groups (exact; faster) */
  readonly grouped: boolean;
};

/** Inputs of `trainTreeClassifier`: the matrix must exclude both targets (and any leaking column). */
export interface TrainTreeClassifierOptions {
  readonly matrix: ModelMatrix;
  readonly y: Float32Array | Float64Array;
  readonly config: TreeClassifierConfig;
  readonly onEpoch?: OnEpoch;
  readonly signal?: CancelFlag;
  readonly now?: Clock;
  readonly dataSha256?: string;
  readonly split?: RowSplit;
}

/** One tree's progress as the loss chart and MLflow's step metrics read it. */
export function treeEpoch(p: TreeProgress): EpochLog {
  return { epoch: p.tree, loss: p.loss, valLoss: p.valLoss, ms: p.ms };
}

/**
 * Fits a boosted or forest classifier on the fit rows, the validation slice driving early stopping (boosting); chooses
 * the threshold on out-of-fold scores of every training row (or on the validation slice) and, with `refit`, fits the
 * final model again on every training row with the early-stopped tree count.
 */
export function trainTreeClassifier(o: TrainTreeClassifierOptions): TreeClassifierResult {
  const { matrix, config } = o;
  const now = o.now ?? (() => performance.now());
  const { rows, cols } = matrix;
  if (o.y.length !== rows) throw new Error(`target has ${o.y.length} values but the matrix has ${rows} rows; build both from the same table`);
  const yAll = Float32Array.from(o.y);
  for (let i = 0; i < rows; i++) {
    const v = yAll[i];
    if (v !== 0 && v !== 1) throw new Error(`target value ${v} at row ${i} is not 0/1; pick a two-valued class target in the Features cell`);
  }
  const split = o.split ?? splitForClassifier(yAll, config.testFraction, config.validationFraction, config.seed);
  const warnings: string[] = [];
  const history: EpochLog[] = [];
  const onTree = (p: TreeProgress): void => {
    const log = treeEpoch(p);
    history.push(log);
    o.onEpoch?.(log);
  };
  const started = now();
  const phases = phaseStopwatch(now);
  const hooks = { now, ...(o.signal ? { signal: o.signal } : {}) };
  const allTraining = trainingRows(split);
  const folds = config.thresholdFolds;
  // the model on the fit rows: the validation slice early-stops boosting and gives the loss chart its validation curve
  const first = fitOnRows(matrix, yAll, split.fit, split.valid, config, { ...hooks, onTree });
  const { boosted, fitY, validY } = first;
  // the per-tree time divides the fit whose trees the loss chart shows, not the fold models' or the refit's
  const fitMs = now() - started;
  phases.lap('fit');
  // the threshold's rows: every training row scored by fold models that did not see it, or the validation slice
  let thresholdRows = folds >= 2 ? outOfFoldScores(matrix, yAll, allTraining, config, folds, hooks) : null;
  if (folds >= 2) phases.lap('threshold_folds');
  // refit on every training row with as many trees as early stopping ran (scikit-learn's n_iter_); the validation
  // slice is then scored by the fit-row model, before the refit sees it
  if (config.refit && !thresholdRows) thresholdRows = { y: validY, proba: scoreRows(first.fit.ensemble, matrix, split.valid) };
  const refitConfig: TreeClassifierConfig = boosted ? { ...config, trees: { ...config.trees, gbdt: { ...config.trees.gbdt, maxIter: boosted.history.length, earlyStopping: false } } } : config;
  const final = config.refit ? fitOnRows(matrix, yAll, allTraining, null, refitConfig, hooks) : first;
  if (config.refit) phases.lap('refit');
  const trainMs = now() - started;

  const built = buildTreeBundle(final.fit.ensemble, {
    preprocessing: {
      featureNames: matrix.featureNames, featureGroups: matrix.featureGroups, mean: [], scale: [],
      logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: false,
    },
    dataSha256: o.dataSha256 ?? '', seed: config.seed, config,
  });
  // predict through the bundle so a reloaded bundle reproduces these numbers exactly
  const ensemble = ensembleFromBundle(built);
  const testProba = predictWithPreprocessing(ensemble, built.preprocessing, subsetRows(matrix.X, cols, split.test), split.test.length);
  const yTest = subsetVector(yAll, split.test);
  // without folds or refit the validation slice is scored through the bundle too
  thresholdRows ??= { y: validY, proba: predictWithPreprocessing(ensemble, built.preprocessing, subsetRows(matrix.X, cols, split.valid), split.valid.length) };
  const { threshold, metrics } = scoreAtValidationThreshold(thresholdRows.y, thresholdRows.proba, yTest, testProba);
  phases.lap('predict');
  return {
    config,
    backend: 'js',
    tfjsVersion: '',
    seed: config.seed,
    epochs: history.length,
    // a boosted model with early stopping converged when it stopped before max_iter
    converged: boosted === null || boosted.stoppedEarly || !config.trees.gbdt.earlyStopping,
    history,
    threshold,
    testIndex: split.test,
    yTest,
    testProba,
    metrics,
    warnings,
    trainMs,
    msPerEpoch: history.length > 0 ? fitMs / history.length : 0,
    bundle: { ...built, preprocessing: { ...built.preprocessing, threshold } },
    ensemble,
    grouped: final.fit.grouped,
    counts: classifierCounts(fitY, validY, yTest, first.resampled),
    phaseMs: phases.timings(),
  };
}

/** What one fit of the tree classifier on given rows needs besides them. */
interface FitHooks {
  readonly now: Clock;
  readonly signal?: CancelFlag;
  readonly onTree?: (p: TreeProgress) => void;
}

/** Resamples and weights `fitRows` as the config says and fits the boosted or forest model, `validRows` (if any) driving early stopping. */
function fitOnRows(matrix: ModelMatrix, yAll: Float32Array, fitRows: Uint32Array, validRows: Uint32Array | null, config: TreeClassifierConfig, hooks: FitHooks) {
  const { cols } = matrix;
  let fitX = matrix.X;
  let fitIdx = fitRows;
  let fitY = subsetVector(yAll, fitRows);
  let resampled = 0;
  if (config.resampling !== 'none') {
    // resampling works on standardised rows (SMOTE's distances), then the rows go back to their own units for binning
    const fitRaw = subsetRows(matrix.X, cols, fitRows);
    const scaler = fitStandardScaler(fitRaw, fitRows.length, cols);
    const r = resampleFitRows(applyScaler(fitRaw, fitRows.length, cols, scaler), fitRows.length, cols, fitY, config, binaryColumns(fitRaw, fitRows.length, cols));
    fitX = r.X.map((v, k) => v * (scaler.scale[k % cols] as number) + (scaler.mean[k % cols] as number));
    fitIdx = Uint32Array.from({ length: r.rows }, (_, i) => i);
    fitY = r.y;
    resampled = r.added;
  }
  const { w0, w1 } = classWeights(fitY, config.classWeight);
  const validY = subsetVector(yAll, validRows ?? new Uint32Array(0));
  const train = { X: fitX, cols, rowIdx: fitIdx, y: fitY, weight: fitY.map((v) => (v === 1 ? w1 : w0)) };
  const valid = validRows ? { valid: { X: matrix.X, cols, rowIdx: validRows, y: validY, weight: validY.map((v) => (v === 1 ? w1 : w0)) } } : {};
  const common = { task: 'classifier' as const, train, ...valid, now: hooks.now, ...(hooks.onTree ? { onTree: hooks.onTree } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) };
  const boosted = config.model === 'gbdt' ? fitGbdt({ ...common, params: { ...config.trees.gbdt, seed: config.seed } }) : null;
  const fit = boosted ?? fitForest({ ...common, params: { ...config.trees.rf, seed: config.seed } });
  return { fit, boosted, fitY, validY, resampled };
}

/**
 * Scores of the training rows `trainRows` from `k` stratified fold models, each fitted as the final model is (its own
 * validation slice of the same share, resampling, class weights) on the other folds, as scikit-learn's
 * TunedThresholdClassifierCV(cv=k) scores them: the threshold is then chosen on every training row instead of the
 * validation slice alone.
 */
function outOfFoldScores(matrix: ModelMatrix, yAll: Float32Array, trainRows: Uint32Array, config: TreeClassifierConfig, k: number, hooks: FitHooks): { y: Float32Array; proba: Float32Array } {
  const y = subsetVector(yAll, trainRows);
  const proba = new Float32Array(trainRows.length);
  for (const fold of stratifiedKFold(y, k, config.seed)) {
    const part = Uint32Array.from(fold.train, (j) => trainRows[j] as number);
    const inner = stratifiedSplit(subsetVector(yAll, part), config.validationFraction, config.seed + 1);
    const pick = (idx: Uint32Array): Uint32Array => Uint32Array.from(idx, (j) => part[j] as number).sort();
    const { fit } = fitOnRows(matrix, yAll, pick(inner.train), pick(inner.test), config, { now: hooks.now, ...(hooks.signal ? { signal: hooks.signal } : {}) });
    const held = Uint32Array.from(fold.valid, (j) => trainRows[j] as number);
    const scores = outputFromRaw(fit.ensemble, predictRaw(fit.ensemble, matrix.X, held));
    fold.valid.forEach((j, q) => {
      proba[j] = scores[q] as number;
    });
  }
  return { y, proba };
}

/** P(positive) of the given rows under `e`, as the bundle's float32 predictions round it. */
function scoreRows(e: TreeEnsemble, matrix: ModelMatrix, rows: Uint32Array): Float32Array {
  return Float32Array.from(outputFromRaw(e, predictRaw(e, matrix.X, rows)));
}
