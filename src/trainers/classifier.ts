/** The conversion classifier end to end: split, scale, resample, weight, train, pick the threshold on validation, score on test. */
import type { ModelMatrix } from '../data/types.ts';
import { buildBundle, loadBundle, predictRows } from './bundle.ts';
import type { DenseLayer } from './bundle.ts';
import { fitLogistic, logisticLayer } from './logistic.ts';
import { groupIdenticalRows, labelsOf } from './fastLogistic.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';
import { averagePrecisionFromSweep, brierScore, logLoss, rocAucFromSweep } from './metrics.ts';
import { trainMlp } from './mlp.ts';
import { classWeights, randomOversample, randomUndersample, smoteNC } from './resample.ts';
import { applyScaler, applyScalerOnRows, fitStandardScalerOnRows } from './scaler.ts';
import { subsetRows, subsetVector } from './split.ts';
import { phaseStopwatch } from './phases.ts';
import { randomSplit, type RowSplit } from './splitPlan.ts';
import { bestF1, buildThresholdSweep, sweepAt } from './thresholdSweep.ts';
import { trainTreeClassifier } from './trees/treeClassifier.ts';
import type { TreeProtocolProgress, TreeUnitRunner } from './trees/treeProtocol.ts';
import type { ClassifierConfig, ClassifierMetrics, ClassifierResult, MlpPath, Tf, TrainingHooks } from './types.ts';

/** Inputs of `trainClassifier`: the model matrix must already exclude both targets (and any leaking column). */
export interface TrainClassifierOptions extends TrainingHooks {
  readonly tf: Tf;
  readonly matrix: ModelMatrix;
  /** 0/1 target per matrix row */
  readonly y: Float32Array | Float64Array;
  readonly config: ClassifierConfig;
  /** runs a tree classifier's fits (fit-row model, threshold folds, refit): helper workers several at once; default one after another here */
  readonly treeRunner?: TreeUnitRunner;
  /** a tree classifier's protocol progress (which fits run, the share done) */
  readonly onTreeProtocol?: (p: TreeProtocolProgress) => void;
}

/** Row indices of the three splits, derived from the seed alone so browser and node agree. */
export type ClassifierSplit = RowSplit;

/**
 * Stratified test split, then a stratified validation slice carved out of the training part (seed + 1). Both are
 * scikit-learn's: `train_test_split(rows, test_size, stratify=y, random_state=seed)`, then the same on the sorted
 * training rows with `random_state=seed + 1`, so a Python notebook can rebuild all three sets.
 */
export function splitForClassifier(y: ArrayLike<number>, testFraction: number, validationFraction: number, seed: number): ClassifierSplit {
  return randomSplit(y, { testFraction, validationFraction, seed });
}

/** Columns whose every value is 0 or 1: one-hot and flags, which SMOTE-NC must copy rather than interpolate. */
export function binaryColumns(X: Float32Array, rows: number, cols: number): boolean[] {
  const out = new Array<boolean>(cols).fill(true);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = X[r * cols + c];
      if (v !== 0 && v !== 1) out[c] = false;
    }
  }
  return out;
}

/** Resamples the fit rows as configured (oversample, undersample or SMOTE-NC with `categorical` columns copied). */
export function resampleFitRows(X: Float32Array, rows: number, cols: number, y: Float32Array, config: Pick<ClassifierConfig, 'resampling' | 'seed'>, categorical: boolean[]): { X: Float32Array; y: Float32Array; rows: number; added: number } {
  if (config.resampling === 'none') return { X, y, rows, added: 0 };
  const r = config.resampling === 'oversample'
    ? randomOversample(X, rows, cols, y, config.seed)
    : config.resampling === 'undersample'
      ? randomUndersample(X, rows, cols, y, config.seed)
      : smoteNC(X, rows, cols, y, { k: 5, seed: config.seed, categorical });
  return { X: r.X, y: Float32Array.from(r.y), rows: r.rows, added: r.added };
}

/** Rows and positives of each split (fit rows after resampling), as every classifier result reports them. */
export function classifierCounts(fitY: Float32Array, validY: Float32Array, yTest: Float32Array, resampled: number): ClassifierResult['counts'] {
  // a loop, not `reduce`: a callback per row costs tens of milliseconds on 300k fit rows
  const positives = (y: Float32Array): number => {
    let n = 0;
    for (let i = 0; i < y.length; i++) n += y[i] as number;
    return n;
  };
  return {
    train: fitY.length, valid: validY.length, test: yTest.length,
    positivesTrain: positives(fitY), positivesValid: positives(validY), positivesTest: positives(yTest), resampled,
  };
}

/** The threshold with the best F1 on validation, and the test metrics at it (plus the flattering test-chosen "oracle"). */
export function scoreAtValidationThreshold(validY: ArrayLike<number>, validProba: ArrayLike<number>, yTest: ArrayLike<number>, testProba: ArrayLike<number>): { threshold: number; metrics: ClassifierMetrics } {
  const threshold = bestF1(buildThresholdSweep(validY, validProba)).threshold;
  // one sort of the test scores answers the threshold's confusion, the oracle, ROC AUC and average precision
  const testSweep = buildThresholdSweep(yTest, testProba);
  const atThreshold = sweepAt(testSweep, threshold);
  const oracle = bestF1(testSweep);
  return {
    threshold,
    metrics: {
      auc_roc: rocAucFromSweep(testSweep),
      pr_auc: averagePrecisionFromSweep(testSweep),
      f1_score: atThreshold.f1,
      precision: atThreshold.precision,
      recall: atThreshold.recall,
      accuracy: atThreshold.accuracy,
      log_loss: logLoss(yTest, testProba),
      brier: brierScore(yTest, testProba),
      threshold,
      oracle_f1: oracle.confusion.f1,
      oracle_threshold: oracle.threshold,
    },
  };
}

/** Trains the configured classifier and returns test probabilities, metrics at the validation-chosen threshold and a bundle. */
export async function trainClassifier(o: TrainClassifierOptions): Promise<ClassifierResult> {
  const { tf, matrix, config } = o;
  const now = o.now ?? (() => performance.now());
  if (config.model === 'gbdt' || config.model === 'rf') {
    // tree ensembles are plain TypeScript: no tensors, the same code in a worker and in node
    const { ensemble: _ensemble, ...result } = await trainTreeClassifier({
      matrix, y: o.y, config: { ...config, model: config.model }, now,
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}), ...(o.signal ? { signal: o.signal } : {}),
      ...(o.dataSha256 !== undefined ? { dataSha256: o.dataSha256 } : {}), ...(o.split ? { split: o.split } : {}),
      ...(o.treeRunner ? { runner: o.treeRunner } : {}), ...(o.onTreeProtocol ? { onProtocol: o.onTreeProtocol } : {}),
    });
    return result;
  }
  const { rows, cols } = matrix;
  const phases = phaseStopwatch(now);
  if (o.y.length !== rows) throw new Error(`target has ${o.y.length} values but the matrix has ${rows} rows; build both from the same table`);
  // read in place when it is float32 already (the shared training inputs): a copy is 4 bytes a row
  const yAll = o.y instanceof Float32Array ? o.y : Float32Array.from(o.y);
  for (let i = 0; i < rows; i++) {
    const v = yAll[i];
    if (v !== 0 && v !== 1) throw new Error(`target value ${v} at row ${i} is not 0/1; pick a two-valued class target in the Features cell`);
  }
  const warnings: string[] = [];
  const split = o.split ?? splitForClassifier(yAll, config.testFraction, config.validationFraction, config.seed);
  phases.lap('split');

  // fitted and scaled straight from the matrix's rows: no unscaled copy of the fit rows (a third of the page's peak with ten times the data)
  const scaler = fitStandardScalerOnRows(matrix.X, cols, split.fit);
  for (const c of scaler.constantColumns) {
    warnings.push(`column "${matrix.featureNames[c] ?? c}" is constant on the training rows; it gets scale 1 and carries no signal`);
  }
  let fitY = subsetVector(yAll, split.fit);
  let fitRows = split.fit.length;
  // the scaled fit rows, made only when needed: logistic without resampling merges the raw rows first (below)
  let fitX: Float32Array | null = null;
  const scaledFitRows = (): Float32Array => (fitX ??= applyScalerOnRows(matrix.X, cols, split.fit, scaler));
  let resampled = 0;
  if (config.resampling !== 'none') {
    const r = resampleFitRows(scaledFitRows(), fitRows, cols, fitY, config, binaryColumns(subsetRows(matrix.X, cols, split.fit), split.fit.length, cols));
    fitX = r.X;
    fitY = r.y;
    fitRows = r.rows;
    resampled = r.added;
  }
  const { w0, w1 } = classWeights(fitY, config.classWeight);
  const rowWeights = (y: Float32Array): Float32Array => y.map((v) => (v === 1 ? w1 : w0));
  const validX = applyScalerOnRows(matrix.X, cols, split.valid, scaler);
  const validY = subsetVector(yAll, split.valid);
  phases.lap('scale');

  const started = now();
  let layers: DenseLayer[];
  let history;
  let converged: boolean;
  let msPerEpoch: number;
  let mlpPath: { mlpPath?: MlpPath; mlpPathWhy?: string; mlpThreads?: number } = {};
  if (config.model === 'logistic') {
    // without resampling, identical fit rows are merged first (exact: the loss is a sum over rows, as the solver's own
    // grouping), so only the distinct rows are scaled, never a copy of every fit row (150 MB with ten times the data)
    const fitLabels = config.resampling === 'none' ? labelsOf(fitY, fitRows) : null;
    const merged = fitLabels === null ? null : groupIdenticalRows(matrix.X, fitRows, cols, fitLabels, split.fit);
    releaseBuffers(fitLabels);
    if (merged !== null) fitX = applyScaler(merged.X, merged.rows, cols, scaler);
    const fit = await fitLogistic({
      X: scaledFitRows(), cols, classWeight: { w0, w1 }, C: config.C, maxIter: config.epochs,
      // the merge is decided once: without resampling it was tried above (null: too few repeats), so the solver does not try again
      ...(merged === null ? { rows: fitRows, y: fitY, groupRows: config.resampling !== 'none' } : { rows: merged.rows, y: Float32Array.from(merged.label), count: merged.count }),
      validX, validRows: split.valid.length, validY, validWeight: rowWeights(validY),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}), ...(o.signal ? { signal: o.signal } : {}), now,
    });
    layers = [logisticLayer(fit)];
    ({ history, converged, msPerEpoch } = fit);
    // plain TypeScript read them (no tensor keeps a view): their bytes go now, before prediction copies test rows out
    releaseBuffers(fitX, validX);
  } else {
    const fit = await trainMlp({
      tf, X: scaledFitRows(), rows: fitRows, cols, y: fitY, weight: rowWeights(fitY),
      validX, validRows: split.valid.length, validY, validWeight: rowWeights(validY), loss: 'bce',
      hiddenUnits: config.hiddenUnits, dropout: config.dropout, l2: config.l2, learningRate: config.learningRate,
      batchSize: config.batchSize, epochs: config.epochs, patience: config.patience, seed: config.seed,
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}), ...(o.onBatchProgress ? { onBatchProgress: o.onBatchProgress } : {}), ...(o.signal ? { signal: o.signal } : {}), now,
      ...(o.mlpPath ? { path: o.mlpPath } : {}), ...(o.mlpTeam ? { team: o.mlpTeam } : {}),
      // the scaled fit and validation rows were made here for the MLP: the kernel's copy is the one it reads
      releaseRows: true,
    });
    ({ layers, history, converged, msPerEpoch } = fit);
    mlpPath = { mlpPath: fit.path, mlpPathWhy: fit.pathWhy, mlpThreads: fit.threads };
  }
  const trainMs = now() - started;
  phases.lap('fit');
  if (!converged) warnings.push(`stopped after ${history.length} epochs without converging; raise epochs or the learning rate`);

  const bundle = await buildBundle(tf, layers, {
    kind: 'classifier',
    preprocessing: {
      featureNames: matrix.featureNames, featureGroups: matrix.featureGroups,
      mean: Array.from(scaler.mean), scale: Array.from(scaler.scale),
      logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: false,
    },
    dataSha256: o.dataSha256 ?? '', seed: config.seed, backend: tf.getBackend(), tfjsVersion: tf.version.tfjs, config,
  });
  // predict through the bundle itself so a reloaded bundle reproduces these numbers exactly
  const predictor = await loadBundle(tf, bundle);
  phases.lap('bundle');
  // read from the matrix a block at a time, as the predictor scales them: no raw copy of every validation and test row
  const validProba = await predictRows(predictor, matrix.X, cols, split.valid);
  const testProba = await predictRows(predictor, matrix.X, cols, split.test);
  predictor.dispose();
  phases.lap('predict');

  const yTest = subsetVector(yAll, split.test);
  const { threshold, metrics } = scoreAtValidationThreshold(validY, validProba, yTest, testProba);
  const counts = classifierCounts(fitY, validY, yTest, resampled);
  // made here and read no more (the fit rows' labels: 13 MiB with ten times the data): freed before the worker idles
  releaseBuffers(fitY, validY, validProba);
  phases.lap('metrics');

  return {
    config,
    backend: tf.getBackend(),
    tfjsVersion: tf.version.tfjs,
    seed: config.seed,
    epochs: history.length,
    converged,
    history,
    threshold,
    testIndex: split.test,
    yTest,
    testProba,
    metrics,
    warnings,
    trainMs,
    msPerEpoch,
    ...mlpPath,
    bundle: { ...bundle, preprocessing: { ...bundle.preprocessing, threshold } },
    counts,
    phaseMs: phases.timings(),
  };
}
