/** The imbalance lab: no treatment, class weights, resampling and a moved threshold, compared on the same folds. */
import { curveAreas, makeFolds, prepareFold, resamplerFor, type FittedModel, type Fold, type TrainingFold } from './crossValidation.ts';
import { fitFastLogistic, predictProba } from './fastLogistic.ts';
import { brierScore } from './metrics.ts';
import { classWeights } from './resample.ts';
import { bestF1, buildThresholdSweep, sweepAt } from './thresholdSweep.ts';
import { fitTreeFold } from './trees/foldModel.ts';

/** A way of handling the 7 % positive class; 'threshold' is the unweighted model with its threshold tuned on the training fold. */
export type ImbalanceStrategy = 'none' | 'classWeights' | 'oversample' | 'smote' | 'undersample' | 'threshold';

/** Every strategy, in the order the lab shows them. */
export const IMBALANCE_STRATEGIES: readonly ImbalanceStrategy[] = ['none', 'classWeights', 'oversample', 'smote', 'undersample', 'threshold'];

/** Per-fold scores of one strategy. */
export interface ImbalanceScores {
  readonly prAuc: number;
  readonly rocAuc: number;
  /** F1 at the validation fold's own best threshold: an optimistic ceiling, equal for strategies that rank alike */
  readonly f1Best: number;
  /** F1 at the threshold the strategy would deploy: 0.5, or the training-fold optimum for 'threshold' */
  readonly f1Operating: number;
  readonly operatingThreshold: number;
  readonly brier: number;
}

/** One table row: mean and population std over the folds. */
export interface ImbalanceRow {
  readonly strategy: ImbalanceStrategy;
  readonly folds: number;
  readonly mean: ImbalanceScores;
  readonly std: ImbalanceScores;
}

/** Fits the lab's model on a (possibly resampled) training fold with the given class weights. */
export type ImbalanceFit = (train: TrainingFold, classWeight: { readonly w0: number; readonly w1: number }) => FittedModel;

/** Inputs of `runImbalanceLab`; X raw (standardised inside each training fold), y 0/1. */
export interface ImbalanceLabOptions {
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: ArrayLike<number>;
  readonly k?: number;
  readonly seed: number;
  readonly strategies?: readonly ImbalanceStrategy[];
  /** default: L2 logistic regression (C = 1, L-BFGS) */
  readonly fit?: ImbalanceFit;
  /** the folds to use; default stratified k-fold from the seed, the same for every strategy */
  readonly folds?: readonly Fold[];
}

const defaultFit: ImbalanceFit = (train, classWeight) => {
  const model = fitFastLogistic({ X: train.X, rows: train.rows, cols: train.cols, y: train.y, C: 1, classWeight });
  return { predict: (X, rows) => predictProba(model, X, rows, train.cols) };
};

/** The model the lab compares strategies on. */
export type ImbalanceModel = 'logistic' | 'gbdt' | 'rf';

/** The lab's fit for a model: L2 logistic regression (C = 1), or a tree ensemble with its default settings (boosting: all 100 trees). */
export function imbalanceFitFor(model: ImbalanceModel, seed: number): ImbalanceFit {
  if (model === 'logistic') return defaultFit;
  return (train, classWeight) => fitTreeFold(model, 'classifier', train, classWeight, {}, seed);
}

function scoreStrategy(validY: Float32Array, p: Float32Array, operatingThreshold: number): ImbalanceScores {
  const sweep = buildThresholdSweep(validY, p);
  const areas = curveAreas(sweep);
  return {
    prAuc: areas.prAuc,
    rocAuc: areas.rocAuc,
    f1Best: bestF1(sweep).confusion.f1,
    f1Operating: sweepAt(sweep, operatingThreshold).f1,
    operatingThreshold,
    brier: brierScore(validY, p),
  };
}

const SCORE_KEYS = ['prAuc', 'rocAuc', 'f1Best', 'f1Operating', 'operatingThreshold', 'brier'] as const;

/** Mean and population std (ddof 0) of each score over folds. */
function meanStd(list: readonly ImbalanceScores[]): { mean: ImbalanceScores; std: ImbalanceScores } {
  const mean = {} as Record<(typeof SCORE_KEYS)[number], number>;
  const std = {} as Record<(typeof SCORE_KEYS)[number], number>;
  for (const key of SCORE_KEYS) {
    const m = list.reduce((a, s) => a + s[key], 0) / list.length;
    mean[key] = m;
    std[key] = Math.sqrt(list.reduce((a, s) => a + (s[key] - m) * (s[key] - m), 0) / list.length);
  }
  return { mean, std };
}

/** Scores of every strategy on one fold: the unit the worker pool spreads; the scaler and each resampler see the training fold only. */
export function imbalanceFoldScores(o: ImbalanceLabOptions, folds: readonly Fold[], fold: number): Array<readonly [ImbalanceStrategy, ImbalanceScores]> {
  const strategies = o.strategies ?? IMBALANCE_STRATEGIES;
  const fit = o.fit ?? defaultFit;
  const p = prepareFold(o, folds, fold, { standardise: true }, o.seed);
  let plain: FittedModel | null = null;
  const plainModel = (): FittedModel => (plain ??= fit(p.train, { w0: 1, w1: 1 }));
  const out: Array<readonly [ImbalanceStrategy, ImbalanceScores]> = [];
  for (const strategy of strategies) {
    let model: FittedModel;
    let threshold = 0.5;
    switch (strategy) {
      case 'none':
        model = plainModel();
        break;
      case 'threshold': {
        model = plainModel();
        // Tuned on the training fold's own predictions, so the validation fold stays unseen.
        threshold = bestF1(buildThresholdSweep(p.train.y, model.predict(p.train.X, p.train.rows))).threshold;
        break;
      }
      case 'classWeights':
        model = fit(p.train, classWeights(p.train.y, 'balanced'));
        break;
      case 'oversample':
      case 'smote':
      case 'undersample': {
        const resample = resamplerFor(strategy);
        if (!resample) throw new Error(`no resampler for "${strategy}"; this is a bug`);
        model = fit(resample(p.train, o.seed * 1009 + fold + 1), { w0: 1, w1: 1 });
        break;
      }
      default: {
        const never: never = strategy;
        throw new Error(`strategy "${String(never)}" is unknown; use one of ${IMBALANCE_STRATEGIES.join(', ')}`);
      }
    }
    out.push([strategy, scoreStrategy(p.validY, model.predict(p.validX, p.validRows), threshold)]);
  }
  return out;
}

/** Table rows from per-fold scores (in any fold order): mean ± population std per strategy, in the order of `strategies`. */
export function imbalanceRows(strategies: readonly ImbalanceStrategy[], perFold: ReadonlyArray<ReadonlyArray<readonly [ImbalanceStrategy, ImbalanceScores]>>): ImbalanceRow[] {
  const perStrategy = new Map<ImbalanceStrategy, ImbalanceScores[]>(strategies.map((s) => [s, []]));
  for (const fold of perFold) for (const [strategy, scores] of fold) perStrategy.get(strategy)?.push(scores);
  return strategies.map((strategy) => {
    const list = perStrategy.get(strategy) ?? [];
    return { strategy, folds: list.length, ...meanStd(list) };
  });
}

/** Runs every strategy on every fold in this thread; the browser spreads the folds over the search workers instead. */
export function runImbalanceLab(o: ImbalanceLabOptions): ImbalanceRow[] {
  const folds = o.folds ?? makeFolds(o.y, 'classifier', o.k ?? 5, o.seed);
  const perFold = folds.map((_, fold) => imbalanceFoldScores(o, folds, fold));
  return imbalanceRows(o.strategies ?? IMBALANCE_STRATEGIES, perFold);
}

const LABELS: Record<ImbalanceStrategy, string> = {
  none: 'no treatment',
  classWeights: 'class weights',
  oversample: 'random oversampling',
  smote: 'SMOTE',
  undersample: 'random undersampling',
  threshold: 'a moved threshold',
};

/** What a user reads under the table: how the strategy is named in words. */
export function strategyLabel(s: ImbalanceStrategy): string {
  return LABELS[s];
}

/** One honest sentence drawn from the numbers: how far ranking (ROC/PR AUC), calibration (Brier) and deployed F1 moved. */
export function conclusion(rows: readonly ImbalanceRow[]): string {
  const base = rows.find((r) => r.strategy === 'none');
  if (!base) throw new Error('the lab has no "none" row; include it as the baseline');
  const treated = rows.filter((r) => r.strategy !== 'none' && r.strategy !== 'threshold');
  if (treated.length === 0) return 'Only the baseline was run; add class weights or a resampler to compare.';
  const f = (v: number): string => v.toFixed(3);
  const dRoc = Math.max(...treated.map((r) => Math.abs(r.mean.rocAuc - base.mean.rocAuc)));
  const dPr = Math.max(...treated.map((r) => Math.abs(r.mean.prAuc - base.mean.prAuc)));
  const ranking = dRoc < 0.01 && dPr < 0.01
    ? `weighting and resampling barely move ranking (ROC AUC within ${f(dRoc)}, PR AUC within ${f(dPr)} of no treatment)`
    : `weighting and resampling move ranking by up to ${f(dRoc)} ROC AUC and ${f(dPr)} PR AUC`;
  const worst = treated.reduce((a, b) => (b.mean.brier > a.mean.brier ? b : a));
  const calibration = worst.mean.brier > base.mean.brier * 1.1
    ? `but wreck calibration (Brier ${f(base.mean.brier)} → ${f(worst.mean.brier)} with ${strategyLabel(worst.strategy)})`
    : `and leave calibration about where it was (Brier ${f(base.mean.brier)} vs at worst ${f(worst.mean.brier)})`;
  const moved = rows.find((r) => r.strategy === 'threshold');
  const bestTreated = treated.reduce((a, b) => (b.mean.f1Operating > a.mean.f1Operating ? b : a));
  let deployed: string;
  if (!moved) {
    deployed = `the best F1 at 0.5 comes from ${strategyLabel(bestTreated.strategy)} (${f(bestTreated.mean.f1Operating)} vs ${f(base.mean.f1Operating)} untreated)`;
  } else if (moved.mean.f1Operating >= bestTreated.mean.f1Operating - 0.005) {
    deployed = `so a moved threshold on the unweighted model (F1 ${f(moved.mean.f1Operating)}) is at least as good as ${strategyLabel(bestTreated.strategy)} at 0.5 (F1 ${f(bestTreated.mean.f1Operating)}) and keeps honest probabilities`;
  } else {
    deployed = `and ${strategyLabel(bestTreated.strategy)} at 0.5 reaches F1 ${f(bestTreated.mean.f1Operating)} against ${f(moved.mean.f1Operating)} for a moved threshold`;
  }
  return `Across ${base.folds} folds, ${ranking}, ${calibration}, ${deployed}.`;
}
