/** The conversion classifier as a tree ensemble, end to end: split, resample, weight, fit, threshold on validation, score on test. */
import type { ModelMatrix } from '../../data/types.ts';
import { classifierCounts, scoreAtValidationThreshold, splitForClassifier } from '../classifier.ts';
import { subsetRows, subsetVector } from '../split.ts';
import { phaseStopwatch } from '../phases.ts';
import { trainingRows, type RowSplit } from '../splitPlan.ts';
import type { ClassifierResult, Clock, EpochLog, OnEpoch } from '../types.ts';
import type { TreeSettings } from '../config.ts';
import { DEFAULT_GBDT_PARAMS, type GbdtParams } from './boosting.ts';
import { outputFromRaw, predictRaw, type CancelFlag, type TreeEnsemble, type TreeProgress } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, type ForestParams } from './forest.ts';
import { buildTreeBundle, ensembleFromBundle, predictWithPreprocessing, type TreeBundle } from './treeBundle.ts';
import {
  inProcessUnitRunner, protocolTracker, type TreeClassifierConfig, type TreeModelUnitResult, type TreeProtocolData, type TreeProtocolProgress,
  type TreeProtocolUnit, type TreeUnitEvents, type TreeUnitResult, type TreeUnitRunner,
} from './treeProtocol.ts';

/** Settings of both tree models (schema in config.ts); the seed, class weights, resampling and split come from the surrounding config. */
export type { TreeSettings } from '../config.ts';

/** scikit-learn's boosting defaults and the seed notebook's forest. */
export const DEFAULT_TREE_SETTINGS: TreeSettings = { gbdt: DEFAULT_GBDT_PARAMS, rf: DEFAULT_FOREST_PARAMS };
const _sameShape: { gbdt: GbdtParams; rf: ForestParams } = DEFAULT_TREE_SETTINGS;
void _sameShape;

/** A classifier config whose model is a tree ensemble. */
export type { TreeClassifierConfig } from './treeProtocol.ts';

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
  /** runs the protocol's fits (fit-row model, fold models, refit); default: one after another in this thread */
  readonly runner?: TreeUnitRunner;
  /** how far the protocol is, after each tree of any of its fits */
  readonly onProtocol?: (p: TreeProtocolProgress) => void;
}

/** One tree's progress as the loss chart and MLflow's step metrics read it. */
export function treeEpoch(p: TreeProgress): EpochLog {
  return { epoch: p.tree, loss: p.loss, valLoss: p.valLoss, ms: p.ms };
}

/**
 * Fits a boosted or forest classifier on the fit rows, the validation slice driving early stopping (boosting); chooses
 * the threshold on out-of-fold scores of every training row (or on the validation slice) and, with `refit`, fits the
 * final model again on every training row with the early-stopped tree count. The fold models run beside the fit-row
 * model when `runner` runs units at once (helper workers); the results are the same either way.
 */
export async function trainTreeClassifier(o: TrainTreeClassifierOptions): Promise<TreeClassifierResult> {
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
  const started = now();
  const phases = phaseStopwatch(now);
  const runner = o.runner ?? inProcessUnitRunner(now);
  const folds = config.thresholdFolds;
  const data: TreeProtocolData = { X: matrix.X, cols, y: yAll, fit: split.fit, valid: split.valid, training: trainingRows(split), config };
  // the refit's tree count is boosting's early-stopped count, known once the fit-row model is done; a forest's is its own
  const refitUnit = (maxIter: number | null): TreeProtocolUnit => ({ kind: 'refit', maxIter });
  const first: TreeProtocolUnit[] = [{ kind: 'fit' }, ...Array.from({ length: folds >= 2 ? folds : 0 }, (_, fold): TreeProtocolUnit => ({ kind: 'fold', fold }))];
  const plan = config.refit ? [...first, refitUnit(config.model === 'gbdt' ? config.trees.gbdt.maxIter : null)] : first;
  const tracker = protocolTracker(data, plan);
  const report = (p: TreeProtocolProgress): void => o.onProtocol?.(p);
  const events = (offset: number): TreeUnitEvents => ({
    tree: (i, p) => {
      // the fit-row model's trees draw the loss chart as they come
      if (offset + i === 0) o.onEpoch?.(treeEpoch(p));
      report(tracker.tree(offset + i, p));
    },
    done: (i) => report(tracker.finished(offset + i)),
  });
  report(tracker.snapshot());
  const signal = o.signal ? { signal: o.signal } : {};
  const results = await runner.run(data, first, events(0), signal.signal);
  const fitted = results[0];
  if (fitted?.kind !== 'fit') throw new Error('the fit-row model is missing from the protocol\'s results; train again');
  const wall = now() - started;
  phases.lap(runner.parallel > 1 ? 'fit_and_folds_wall' : 'fit');
  const boosted = config.model === 'gbdt';
  const history: EpochLog[] = fitted.history.map(treeEpoch);
  const fitY = fitted.fitY;
  const validY = subsetVector(yAll, split.valid);
  // the threshold's rows: every training row scored by fold models that did not see it, or the validation slice
  let thresholdRows: { y: Float32Array; proba: Float32Array } | null = null;
  if (folds >= 2) {
    const proba = new Float32Array(data.training.length);
    for (const r of results) {
      if (r.kind !== 'fold') continue;
      r.positions.forEach((j, q) => {
        proba[j] = r.scores[q] as number;
      });
    }
    thresholdRows = { y: subsetVector(yAll, data.training), proba };
  }
  // refit on every training row with as many trees as early stopping ran (scikit-learn's n_iter_); the validation
  // slice is then scored by the fit-row model, before the refit sees it
  if (config.refit && !thresholdRows) thresholdRows = { y: validY, proba: scoreRows(fitted.ensemble, matrix, split.valid) };
  let final: TreeModelUnitResult = fitted;
  if (config.refit) {
    const unit = refitUnit(boosted ? fitted.history.length : null);
    tracker.plan(first.length, unit);
    const [refitted] = await runner.run(data, [unit], events(first.length), signal.signal);
    if (refitted?.kind !== 'refit') throw new Error('the refit is missing from the protocol\'s results; train again');
    final = refitted;
    phases.lap('refit');
  }
  const trainMs = now() - started;

  const built = buildTreeBundle(final.ensemble, {
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
    converged: !boosted || fitted.stoppedEarly || !config.trees.gbdt.earlyStopping,
    history,
    threshold,
    testIndex: split.test,
    yTest,
    testProba,
    metrics,
    warnings,
    trainMs,
    // the per-tree time divides the fit whose trees the loss chart shows, not the fold models' or the refit's
    msPerEpoch: history.length > 0 ? fitted.ms / history.length : 0,
    bundle: { ...built, preprocessing: { ...built.preprocessing, threshold } },
    ensemble,
    grouped: final.grouped,
    counts: classifierCounts(fitY, validY, yTest, fitted.resampled),
    phaseMs: protocolPhases(phases.timings(), results, final === fitted ? null : final, wall, runner.parallel),
  };
}

/**
 * The protocol's parts in the order they ran: each part's own time (a fold's in the thread that ran it, summed over
 * the folds), and with parallel units the wall time of the fit-row model and the folds together.
 */
function protocolPhases(laps: Readonly<Record<string, number>>, first: readonly TreeUnitResult[], refit: TreeModelUnitResult | null, wall: number, parallel: number): Record<string, number> {
  const own = (kind: TreeUnitResult['kind']): number => first.filter((r) => r.kind === kind).reduce((s, r) => s + r.ms, 0);
  const out: Record<string, number> = { fit: own('fit') };
  if (first.some((r) => r.kind === 'fold')) out.threshold_folds = own('fold');
  if (parallel > 1) out.fit_and_folds_wall = wall;
  if (refit) out.refit = refit.ms;
  if (laps.predict !== undefined) out.predict = laps.predict;
  return out;
}

/** P(positive) of the given rows under `e`, as the bundle's float32 predictions round it. */
function scoreRows(e: TreeEnsemble, matrix: ModelMatrix, rows: Uint32Array): Float32Array {
  return Float32Array.from(outputFromRaw(e, predictRaw(e, matrix.X, rows)));
}
