/**
 * Class-weighted L2 logistic regression by exact Newton on grouped rows (`fitFastLogistic`): identical (row, label)
 * pairs become one weighted row, so a pass costs the distinct rows (a few thousand on session data, not 400k), and the
 * (p+1)² Hessian is solved exactly in float64. It converges to scikit-learn's optimum, not near it, and beat the tfjs
 * Newton it replaced on every backend (that one paid n-sized tensor ops per step and stopped on a validation plateau).
 */
import type { DenseLayer } from './bundle.ts';
import { fitFastLogistic, groupIdenticalRows, labelsOf } from './fastLogistic.ts';
import { bceOfLogit, binaryClfCurveOfGroups, rocAuc, rocAucFromSweep } from './metrics.ts';
import { TrainingCancelled } from './mlp.ts';
import type { Clock, EpochLog, OnEpoch } from './types.ts';

/** Inputs of `fitLogistic`; matrices are standardised, row-major. */
export interface LogisticOptions {
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: Float32Array;
  /** rows merged already (`groupIdenticalRows`): row i stands for count[i] identical fit rows */
  readonly count?: Float64Array;
  /** merge identical rows before solving (default true); false where the caller tried the merge already and it did not pay */
  readonly groupRows?: boolean;
  /** weight of a row of class 0 and of class 1 (from `classWeights`) */
  readonly classWeight: { readonly w0: number; readonly w1: number };
  /** scikit-learn's C: objective C·Σ wᵢ·lossᵢ + ½‖coef‖², intercept unpenalised */
  readonly C: number;
  readonly maxIter: number;
  readonly validX: Float32Array;
  readonly validRows: number;
  readonly validY: Float32Array;
  readonly validWeight: Float32Array;
  readonly onEpoch?: OnEpoch;
  readonly signal?: AbortSignal;
  readonly now?: Clock;
}

/** Fitted coefficients (on standardised inputs) and the per-iteration history. */
export interface LogisticFit {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly history: EpochLog[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly msPerEpoch: number;
  /** C·Σ wᵢ·lossᵢ + ½‖coef‖² at the solution: scikit-learn's objective, compared with its golden value in the tests */
  readonly objective: number;
}

/** Max |gradient| / (C·Σw) at which Newton stops: far below scikit-learn's 1e-4, so the objective matches its optimum to 1e-6 relative. */
export const LOGISTIC_GTOL = 1e-9;

/** Newton with Armijo backtracking to max |∇| ≤ LOGISTIC_GTOL; each iteration is one history entry with the validation loss and AUC. */
export async function fitLogistic(o: LogisticOptions): Promise<LogisticFit> {
  const now = o.now ?? (() => performance.now());
  if (o.signal?.aborted === true) throw new TrainingCancelled();
  const history: EpochLog[] = [];
  const started = now();
  let stepStarted = started;
  const validation = validationScorer(o);
  const model = fitFastLogistic({
    X: o.X, rows: o.rows, cols: o.cols, y: o.y, C: o.C, classWeight: o.classWeight, ...(o.count === undefined ? {} : { count: o.count }),
    ...(o.groupRows === undefined ? {} : { groupRows: o.groupRows }), solver: 'newton', gtol: LOGISTIC_GTOL, maxIter: o.maxIter,
    onIteration: (step) => {
      if (o.signal?.aborted === true) throw new TrainingCancelled();
      const valid = validation(step.weights, step.intercept);
      const log: EpochLog = { epoch: step.iteration, loss: step.meanLoss, valLoss: valid.loss, valAuc: valid.auc, ms: now() - stepStarted };
      history.push(log);
      o.onEpoch?.(log);
      stepStarted = now();
    },
  });
  const total = now() - started;
  return {
    coef: model.weights,
    intercept: model.intercept,
    history,
    iterations: history.length,
    converged: model.converged,
    msPerEpoch: history.length > 0 ? total / history.length : 0,
    objective: model.objective,
  };
}

/** The fitted model as one sigmoid dense layer, so it ships in the same bundle format as the MLP. */
export function logisticLayer(fit: Pick<LogisticFit, 'coef' | 'intercept'>): DenseLayer {
  return { inputs: fit.coef.length, units: 1, kernel: Float32Array.from(fit.coef), bias: Float32Array.of(fit.intercept), activation: 'sigmoid' };
}

/**
 * Weighted mean BCE and ROC AUC on the validation rows at given coefficients, once per Newton iteration. Identical
 * validation rows are grouped once (as the fit groups its rows), so an iteration scores the distinct rows and sorts
 * them, not every row; rows with too few repeats are scored one by one.
 */
function validationScorer(o: LogisticOptions): (coef: Float64Array, intercept: number) => { loss: number; auc: number } {
  const groups = o.validRows > 0 ? groupIdenticalRows(o.validX, o.validRows, o.cols, labelsOf(o.validY, o.validRows)) : null;
  if (groups === null) {
    return (coef, intercept) => {
      const valid = validationLoss(o, coef, intercept);
      return { loss: valid.loss, auc: rocAuc(o.validY, valid.proba) };
    };
  }
  const p = o.cols;
  const positives = new Float64Array(groups.rows);
  const negatives = new Float64Array(groups.rows);
  const weight = new Float64Array(groups.rows);
  let den = 0;
  for (let g = 0; g < groups.rows; g++) {
    const count = groups.count[g] as number;
    if (groups.label[g] === 1) positives[g] = count;
    else negatives[g] = count;
    // every row of a group has the group's label, so the first row's class weight is each row's
    weight[g] = count * (o.validWeight[groups.firstRow[g] as number] ?? 1);
    den += weight[g] as number;
  }
  const score = new Float64Array(groups.rows);
  return (coef, intercept) => {
    let num = 0;
    for (let g = 0; g < groups.rows; g++) {
      let z = intercept;
      for (let c = 0; c < p; c++) z += (coef[c] ?? 0) * (groups.X[g * p + c] ?? 0);
      const y = groups.label[g] as number;
      num += (weight[g] as number) * bceOfLogit(z, y);
      // rounded to float32 as the per-row probabilities are, so ties fall as they would row by row
      score[g] = Math.fround(1 / (1 + Math.exp(-z)));
    }
    return { loss: den > 0 ? num / den : Number.NaN, auc: rocAucFromSweep(binaryClfCurveOfGroups(score, positives, negatives)) };
  };
}

/** Weighted mean BCE and probabilities on the validation rows, in float64 JS, row by row. */
function validationLoss(o: LogisticOptions, coef: Float64Array, intercept: number): { loss: number; proba: Float32Array } {
  const p = o.cols;
  const proba = new Float32Array(o.validRows);
  let num = 0;
  let den = 0;
  for (let r = 0; r < o.validRows; r++) {
    let z = intercept;
    for (let c = 0; c < p; c++) z += (coef[c] ?? 0) * (o.validX[r * p + c] ?? 0);
    const y = o.validY[r] ?? 0;
    const w = o.validWeight[r] ?? 1;
    num += w * bceOfLogit(z, y);
    den += w;
    proba[r] = 1 / (1 + Math.exp(-z));
  }
  return { loss: den > 0 ? num / den : Number.NaN, proba };
}
