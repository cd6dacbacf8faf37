/** The revenue regressor as a tree ensemble: the same strategies, target transform (log1p with Duan smearing, or raw) as the linear/MLP regressor. */
import type { ModelMatrix } from '../../data/types.ts';
import { alignedOrderProbability, canFitLine, regressorScores, smearingFactor, type OrderProbability } from '../regressor.ts';
import { regressorTargetTransform, toFitScale } from '../targetTransform.ts';
import { stratifiedSplit, subsetRows, subsetVector } from '../split.ts';
import { trainingRows, type RowSplit } from '../splitPlan.ts';
import type { Clock, EpochLog, OnEpoch, RegressorConfig, RegressorResult } from '../types.ts';
import { fitGbdt } from './boosting.ts';
import type { CancelFlag, TreeEnsemble, TreeModelKind, TreeProgress } from './ensemble.ts';
import { fitForest } from './forest.ts';
import type { BinEdges } from './binning.ts';
import { linearInit, type GbdtInit } from './linearInit.ts';
import { buildTreeBundle, ensembleFromBundle, predictWithPreprocessing, type TreeBundle } from './treeBundle.ts';
import { treeEpoch, type TreeSettings } from './treeClassifier.ts';

/** A regressor config whose model is a tree ensemble. */
export type TreeRegressorConfig = Omit<RegressorConfig, 'model'> & { readonly model: TreeModelKind; readonly trees: TreeSettings };

/** What a tree regressor run produced. */
export type TreeRegressorResult = Omit<RegressorResult, 'config' | 'bundle'> & {
  readonly config: TreeRegressorConfig;
  readonly bundle: TreeBundle;
  readonly ensemble: TreeEnsemble;
};

/** Inputs of `trainTreeRegressor`; two_stage needs the classifier's P(order) on the same test rows. */
export interface TrainTreeRegressorOptions {
  readonly matrix: ModelMatrix;
  readonly revenue: Float32Array | Float64Array;
  readonly isOrdered: Float32Array | Float64Array;
  readonly config: TreeRegressorConfig;
  readonly classifierProba?: OrderProbability;
  readonly onEpoch?: OnEpoch;
  readonly signal?: CancelFlag;
  readonly now?: Clock;
  readonly dataSha256?: string;
  readonly split?: RowSplit;
}

/** Fits the tree regressor (validation slice for early stopping), smears back to dollars and scores the test rows. */
export function trainTreeRegressor(o: TrainTreeRegressorOptions): TreeRegressorResult {
  const { matrix, config } = o;
  const now = o.now ?? (() => performance.now());
  const { rows, cols } = matrix;
  if (o.revenue.length !== rows || o.isOrdered.length !== rows) {
    throw new Error(`the regression target (${o.revenue.length}) and the class labels (${o.isOrdered.length}) must have the matrix's ${rows} rows; build them from the same table`);
  }
  if (config.strategy === 'two_stage' && o.classifierProba === undefined) {
    throw new Error('strategy "two_stage" needs the classifier\'s test probabilities; train the classifier first or pick "converting_only"');
  }
  const { train, test } = o.split === undefined ? stratifiedSplit(o.isOrdered, config.testFraction, config.seed) : { train: trainingRows(o.split), test: o.split.test };
  const ordered = (idx: Uint32Array): Uint32Array => idx.filter((i) => o.isOrdered[i] === 1);
  const trainIdx = config.strategy === 'direct' ? train : ordered(train);
  const testIdx = config.strategy === 'converting_only' ? ordered(test) : test;
  if (trainIdx.length < 4) throw new Error(`only ${trainIdx.length} training rows for strategy "${config.strategy}"; use "direct" or more data`);
  const revenue = Float64Array.from(o.revenue);
  const { transform, warning } = regressorTargetTransform(config.targetTransform, revenue);
  const toTarget = (v: number): number => toFitScale(transform, v);
  const strata = subsetVector(Float64Array.from(o.isOrdered), trainIdx);
  const inner = stratifiedSplit(strata, config.validationFraction, config.seed + 1);
  const fitIdx = Uint32Array.from(inner.train, (i) => trainIdx[i] as number);
  const validIdx = Uint32Array.from(inner.test, (i) => trainIdx[i] as number);
  const rowsOf = (idx: Uint32Array) => ({ X: matrix.X, cols, rowIdx: idx, y: Float64Array.from(idx, (i) => toTarget(revenue[i] as number)) });

  const history: EpochLog[] = [];
  const onTree = (p: TreeProgress): void => {
    const log = treeEpoch(p);
    history.push(log);
    o.onEpoch?.(log);
  };
  const started = now();
  const common = { task: 'regressor' as const, train: rowsOf(fitIdx), valid: rowsOf(validIdx), onTree, now, ...(o.signal ? { signal: o.signal } : {}) };
  // boosting from the linear regressor fitted on the same rows; trees stay only while they beat it on validation
  // a line needs more fit rows than coefficients; with fewer, boosting starts from the mean and says so
  const lineWanted = config.model === 'gbdt' && config.initModel === 'linear';
  const fromLine = lineWanted && canFitLine(fitIdx.length, cols);
  const init = (edges: BinEdges): GbdtInit => linearInit(edges, { X: matrix.X, cols, rowIdx: fitIdx, y: common.train.y, alpha: config.l2, featureNames: matrix.featureNames });
  const fit = config.model === 'gbdt'
    ? fitGbdt({ ...common, params: { ...config.trees.gbdt, seed: config.seed }, ...(fromLine ? { init, keepBestIteration: true } : {}) })
    : fitForest({ ...common, params: { ...config.trees.rf, seed: config.seed } });
  const trainMs = now() - started;
  const warnings: string[] = warning === null ? [] : [warning];
  if (lineWanted && !fromLine) warnings.push(`only ${fitIdx.length} fit rows for ${cols} features: boosting started from the mean, not the linear model`);
  if (fromLine && 'keptIterations' in fit && fit.keptIterations === 0) {
    warnings.push(`no tree lowered the validation loss below the linear init model's in ${fit.history.length} iterations: the model is the linear regressor fitted on the ${fitIdx.length} fit rows`);
  }

  const preprocessing = {
    featureNames: matrix.featureNames, featureGroups: matrix.featureGroups, mean: [], scale: [],
    logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: config.strategy === 'two_stage',
  };
  const meta = { dataSha256: o.dataSha256 ?? '', seed: config.seed, config };
  const rawBundle = buildTreeBundle(fit.ensemble, { ...meta, preprocessing });
  const ensemble = ensembleFromBundle(rawBundle);
  // residuals in log space through the exact float32 path predictions take, as the network regressor does
  const fitTarget = Float64Array.from(fitIdx, (i) => toTarget(revenue[i] as number));
  const smearing = transform === 'log1p' ? smearingFactor(fitTarget, predictWithPreprocessing(ensemble, preprocessing, subsetRows(matrix.X, cols, fitIdx), fitIdx.length)) : 1;
  const finalPre = { ...preprocessing, logTarget: transform === 'log1p', smearing };
  const bundle: TreeBundle = { ...rawBundle, preprocessing: finalPre };
  let predTest = Float64Array.from(predictWithPreprocessing(ensemble, finalPre, subsetRows(matrix.X, cols, testIdx), testIdx.length));
  if (config.strategy === 'two_stage') {
    const proba = alignedOrderProbability(o.classifierProba as OrderProbability, test);
    predTest = predTest.map((v, i) => v * (proba[i] ?? 0));
  }
  const yTest = subsetVector(revenue, testIdx);
  return {
    config,
    backend: 'js',
    tfjsVersion: '',
    seed: config.seed,
    epochs: history.length,
    converged: true,
    history,
    testIndex: testIdx,
    yTest,
    predTest,
    ...regressorScores(yTest, predTest, subsetVector(revenue, trainIdx)),
    smearing,
    targetTransform: transform,
    warnings,
    trainMs,
    msPerEpoch: history.length > 0 ? trainMs / history.length : 0,
    bundle,
    ensemble,
    counts: { train: fitIdx.length, valid: validIdx.length, test: testIdx.length },
  };
}
