/** The conversion classifier as a tree ensemble, end to end: split, resample, weight, fit, threshold on validation, score on test. */
import type { ModelMatrix } from '../../data/types.ts';
import { binaryColumns, classifierCounts, resampleFitRows, scoreAtValidationThreshold, splitForClassifier } from '../classifier.ts';
import { classWeights } from '../resample.ts';
import { applyScaler, fitStandardScaler } from '../scaler.ts';
import { subsetRows, subsetVector } from '../split.ts';
import type { RowSplit } from '../splitPlan.ts';
import type { ClassifierConfig, ClassifierResult, Clock, EpochLog, OnEpoch } from '../types.ts';
import type { TreeSettings } from '../config.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt, type GbdtParams } from './boosting.ts';
import type { CancelFlag, TreeEnsemble, TreeModelKind, TreeProgress } from './ensemble.ts';
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

/** Fits a boosted or forest classifier on the fit rows; validation drives early stopping (boosting) and the threshold. */
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
  let fitX = matrix.X;
  let fitIdx = split.fit;
  let fitY = subsetVector(yAll, split.fit);
  let resampled = 0;
  if (config.resampling !== 'none') {
    // resampling works on standardised rows (SMOTE's distances), then the rows go back to their own units for binning
    const fitRaw = subsetRows(matrix.X, cols, split.fit);
    const scaler = fitStandardScaler(fitRaw, split.fit.length, cols);
    const r = resampleFitRows(applyScaler(fitRaw, split.fit.length, cols, scaler), split.fit.length, cols, fitY, config, binaryColumns(fitRaw, split.fit.length, cols));
    fitX = r.X.map((v, k) => v * (scaler.scale[k % cols] as number) + (scaler.mean[k % cols] as number));
    fitIdx = Uint32Array.from({ length: r.rows }, (_, i) => i);
    fitY = r.y;
    resampled = r.added;
  }
  const { w0, w1 } = classWeights(fitY, config.classWeight);
  const validY = subsetVector(yAll, split.valid);
  const train = { X: fitX, cols, rowIdx: fitIdx, y: fitY, weight: fitY.map((v) => (v === 1 ? w1 : w0)) };
  const valid = { X: matrix.X, cols, rowIdx: split.valid, y: validY, weight: validY.map((v) => (v === 1 ? w1 : w0)) };
  const history: EpochLog[] = [];
  const onTree = (p: TreeProgress): void => {
    const log = treeEpoch(p);
    history.push(log);
    o.onEpoch?.(log);
  };
  const started = now();
  const common = { task: 'classifier' as const, train, valid, onTree, now, ...(o.signal ? { signal: o.signal } : {}) };
  const boosted = config.model === 'gbdt' ? fitGbdt({ ...common, params: { ...config.trees.gbdt, seed: config.seed } }) : null;
  const fit = boosted ?? fitForest({ ...common, params: { ...config.trees.rf, seed: config.seed } });
  const trainMs = now() - started;

  const built = buildTreeBundle(fit.ensemble, {
    preprocessing: {
      featureNames: matrix.featureNames, featureGroups: matrix.featureGroups, mean: [], scale: [],
      logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: false,
    },
    dataSha256: o.dataSha256 ?? '', seed: config.seed, config,
  });
  // predict through the bundle so a reloaded bundle reproduces these numbers exactly
  const ensemble = ensembleFromBundle(built);
  const validProba = predictWithPreprocessing(ensemble, built.preprocessing, subsetRows(matrix.X, cols, split.valid), split.valid.length);
  const testProba = predictWithPreprocessing(ensemble, built.preprocessing, subsetRows(matrix.X, cols, split.test), split.test.length);
  const yTest = subsetVector(yAll, split.test);
  const { threshold, metrics } = scoreAtValidationThreshold(validY, validProba, yTest, testProba);
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
    msPerEpoch: history.length > 0 ? trainMs / history.length : 0,
    bundle: { ...built, preprocessing: { ...built.preprocessing, threshold } },
    ensemble,
    grouped: fit.grouped,
    counts: classifierCounts(fitY, validY, yTest, resampled),
  };
}
