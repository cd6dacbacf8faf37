/** Classification and regression metrics that reproduce scikit-learn 1.2.1; a row is predicted positive when score >= threshold. */

/** Counts and rates at one threshold; rates with an empty denominator are 0, like scikit-learn's zero_division=0. */
export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly accuracy: number;
  readonly predictedPositiveRate: number;
}

/** Distinct scores in descending order with the positives and negatives scoring at or above each (scikit-learn's _binary_clf_curve). */
export interface BinaryClfCurve {
  readonly thresholds: Float64Array;
  readonly tps: Uint32Array;
  readonly fps: Uint32Array;
  readonly positives: number;
  readonly negatives: number;
}

/** Regression errors; mape is a fraction over rows whose target is non-zero. */
export interface RegressionScores {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  readonly mape: number;
  readonly explainedVariance: number;
}

/** One uniform probability bin of a reliability diagram; an empty bin has count 0 and NaN means. */
export interface CalibrationBin {
  readonly lo: number;
  readonly hi: number;
  readonly meanPredicted: number;
  readonly fractionPositive: number;
  readonly count: number;
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new Error(`y_true has ${a.length} rows but ${what} has ${b.length}; pass arrays of the same rows`);
}

function isPositive(y: ArrayLike<number>, i: number): boolean {
  const v = y[i];
  if (v === 1) return true;
  if (v === 0) return false;
  throw new Error(`y_true at row ${i} is ${v}; expected 0 or 1`);
}

/** Builds the Confusion of given counts; shared by confusionAt and the threshold sweep so both agree to the last bit. */
export function confusionFromCounts(tp: number, fp: number, positives: number, negatives: number): Confusion {
  const fn = positives - tp;
  const tn = negatives - fp;
  const n = positives + negatives;
  const predicted = tp + fp;
  const precision = predicted > 0 ? tp / predicted : 0;
  const recall = positives > 0 ? tp / positives : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1,
    accuracy: n > 0 ? (tp + tn) / n : 0,
    predictedPositiveRate: n > 0 ? predicted / n : 0,
  };
}

/** Confusion counts and rates at `threshold` in one pass. */
export function confusionAt(yTrue: ArrayLike<number>, score: ArrayLike<number>, threshold: number): Confusion {
  checkLengths(yTrue, score, 'score');
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const pos = isPositive(yTrue, i);
    if (pos) positives++;
    if ((score[i] as number) >= threshold) {
      if (pos) tp++;
      else fp++;
    }
  }
  return confusionFromCounts(tp, fp, positives, yTrue.length - positives);
}

/** Cumulative counts per distinct score; two native typed-array sorts and a merge keep 100k rows in a few ms. */
export function binaryClfCurve(yTrue: ArrayLike<number>, score: ArrayLike<number>): BinaryClfCurve {
  checkLengths(yTrue, score, 'score');
  const n = yTrue.length;
  const positives = countPositives(yTrue, score);
  const negatives = n - positives;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  splitByLabel(yTrue, score, pos, neg);
  pos.sort();
  neg.sort();
  return mergeDescending(pos, neg, n, positives, negatives);
}

/**
 * The curve of rows given as groups of equal score: group g has score[g], positives[g] and negatives[g] rows. Equal to
 * `binaryClfCurve` on the rows themselves (groups of equal score merge), at the cost of sorting the groups only.
 */
export function binaryClfCurveOfGroups(score: Float64Array, positives: Float64Array, negatives: Float64Array): BinaryClfCurve {
  const n = score.length;
  const order = new Uint32Array(n);
  for (let g = 0; g < n; g++) {
    order[g] = g;
    if (!Number.isFinite(score[g] as number)) throw new Error(`score of group ${g} is ${score[g]}; expected a finite number from the model`);
  }
  order.sort((a, b) => (score[b] as number) - (score[a] as number));
  const thresholds = new Float64Array(n);
  const tps = new Uint32Array(n);
  const fps = new Uint32Array(n);
  let tp = 0;
  let fp = 0;
  let d = 0;
  for (let k = 0; k < n; k++) {
    const g = order[k] as number;
    tp += positives[g] as number;
    fp += negatives[g] as number;
    const v = score[g] as number;
    // === groups -0 with 0, as numpy's diff does; the last of a run of equal scores carries the run's counts
    const next = k + 1 < n ? (score[order[k + 1] as number] as number) : Number.NaN;
    if (next === v) continue;
    thresholds[d] = v;
    tps[d] = tp;
    fps[d] = fp;
    d++;
  }
  return { thresholds: thresholds.slice(0, d), tps: tps.slice(0, d), fps: fps.slice(0, d), positives: tp, negatives: fp };
}

// binaryClfCurve's loops, one per function: scored thousands of times in a search, each is optimised once instead of
// the whole curve being re-optimised per loop in every worker.

function countPositives(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (isPositive(yTrue, i)) positives++;
    const s = score[i] as number;
    if (!Number.isFinite(s)) throw new Error(`score at row ${i} is ${s}; expected a finite number from the model`);
  }
  return positives;
}

function splitByLabel(yTrue: ArrayLike<number>, score: ArrayLike<number>, pos: Float64Array, neg: Float64Array): void {
  let p = 0;
  let q = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 1) pos[p++] = score[i] as number;
    else neg[q++] = score[i] as number;
  }
}

/** Distinct scores, descending, with cumulative counts: the merge of the two sorted classes. */
function mergeDescending(pos: Float64Array, neg: Float64Array, n: number, positives: number, negatives: number): BinaryClfCurve {
  const thresholds = new Float64Array(n);
  const tps = new Uint32Array(n);
  const fps = new Uint32Array(n);
  let i = positives - 1;
  let j = negatives - 1;
  let tp = 0;
  let fp = 0;
  let d = 0;
  while (i >= 0 || j >= 0) {
    const a = i >= 0 ? (pos[i] as number) : -Infinity;
    const b = j >= 0 ? (neg[j] as number) : -Infinity;
    const v = a >= b ? a : b;
    // === groups -0 with 0, as numpy's diff does.
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    thresholds[d] = v;
    tps[d] = tp;
    fps[d] = fp;
    d++;
  }
  return { thresholds: thresholds.slice(0, d), tps: tps.slice(0, d), fps: fps.slice(0, d), positives, negatives };
}

/**
 * scikit-learn's roc_curve, first threshold max + 1; rates are NaN when a class is absent, as there. Every distinct
 * score is a point by default (drop_intermediate=False, as the golden values); dropIntermediate thins it for plotting.
 */
export function rocCurve(
  yTrue: ArrayLike<number>,
  score: ArrayLike<number>,
  opts: { dropIntermediate?: boolean } = {},
): { fpr: number[]; tpr: number[]; thresholds: number[] } {
  return rocFromSweep(binaryClfCurve(yTrue, score), opts.dropIntermediate ?? false);
}

/** The ROC curve of scores already sorted into a sweep (`rocCurve` without the sort): the one ROC implementation. */
export function rocFromSweep(c: BinaryClfCurve, dropIntermediate = false): { fpr: number[]; tpr: number[]; thresholds: number[] } {
  const d = c.thresholds.length;
  const keep: number[] = [];
  for (let i = 0; i < d; i++) {
    // Keep the ends and every corner; points on a straight run add nothing to the curve or its area.
    if (!dropIntermediate || d <= 2 || i === 0 || i === d - 1) {
      keep.push(i);
      continue;
    }
    const f2 = (c.fps[i + 1] as number) - 2 * (c.fps[i] as number) + (c.fps[i - 1] as number);
    const t2 = (c.tps[i + 1] as number) - 2 * (c.tps[i] as number) + (c.tps[i - 1] as number);
    if (f2 !== 0 || t2 !== 0) keep.push(i);
  }
  const fpr = [0];
  const tpr = [0];
  const thresholds = [d > 0 ? (c.thresholds[0] as number) + 1 : Infinity];
  for (const i of keep) {
    fpr.push((c.fps[i] as number) / c.negatives);
    tpr.push((c.tps[i] as number) / c.positives);
    thresholds.push(c.thresholds[i] as number);
  }
  return { fpr, tpr, thresholds };
}

/** Area under the ROC curve by the trapezoid rule, ties scored half as scikit-learn does; needs both classes. */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  return rocAucFromSweep(binaryClfCurve(yTrue, score));
}

/** ROC AUC of a sweep: trapezoids straight from the counts, the same rates as `rocFromSweep` without its arrays. */
export function rocAucFromSweep(c: BinaryClfCurve): number {
  if (c.positives === 0 || c.negatives === 0) {
    throw new Error(`roc auc needs both classes in y_true but it has only ${c.positives === 0 ? '0s' : '1s'}; stratify the split`);
  }
  let area = 0;
  let fprPrev = 0;
  let tprPrev = 0;
  for (let i = 0; i < c.thresholds.length; i++) {
    const fpr = (c.fps[i] as number) / c.negatives;
    const tpr = (c.tps[i] as number) / c.positives;
    area += ((fpr - fprPrev) * (tpr + tprPrev)) / 2;
    fprPrev = fpr;
    tprPrev = tpr;
  }
  return area;
}

/** scikit-learn's precision_recall_curve: thresholds ascending, a final (precision 1, recall 0) point, no threshold for it. */
export function prCurve(yTrue: ArrayLike<number>, score: ArrayLike<number>): { precision: number[]; recall: number[]; thresholds: number[] } {
  return prFromSweep(binaryClfCurve(yTrue, score));
}

/**
 * The precision-recall curve of a sweep (`prCurve` without the sort): the one PR implementation. As scikit-learn's
 * precision_recall_curve, the curve ends at (recall 0, precision 1), the point where nothing is flagged; precision
 * *at a threshold* that flags nothing is 0 instead (`confusionFromCounts`, as precision_score with zero_division=0).
 */
export function prFromSweep(c: BinaryClfCurve): { precision: number[]; recall: number[]; thresholds: number[] } {
  const d = c.thresholds.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const thresholds: number[] = [];
  for (let i = d - 1; i >= 0; i--) {
    const tp = c.tps[i] as number;
    const predicted = tp + (c.fps[i] as number);
    precision.push(predicted > 0 ? tp / predicted : 0);
    // scikit-learn sets recall to 1 everywhere when there are no positives.
    recall.push(c.positives > 0 ? tp / c.positives : 1);
    thresholds.push(c.thresholds[i] as number);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds };
}

/** scikit-learn's average_precision_score: Σ (R_n − R_{n−1}) P_n, a step sum with no interpolation. */
export function averagePrecision(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  return averagePrecisionFromSweep(binaryClfCurve(yTrue, score));
}

/** Average precision of a sweep: walks the PR points from the highest threshold down, each recall step at its precision. */
export function averagePrecisionFromSweep(c: BinaryClfCurve): number {
  let sum = 0;
  let recallPrev = 0;
  for (let i = 0; i < c.thresholds.length; i++) {
    const tp = c.tps[i] as number;
    const predicted = tp + (c.fps[i] as number);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = c.positives > 0 ? tp / c.positives : 1;
    sum += (recall - recallPrev) * precision;
    recallPrev = recall;
  }
  return sum;
}

/** One row's binary cross-entropy from its logit z and label y, in the stable form max(z, 0) − z·y + log(1 + e^−|z|). */
export function bceOfLogit(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}

/** Probability clip of logLoss. */
export const LOG_LOSS_EPS = 1e-7;

/**
 * Binary cross-entropy as scikit-learn's log_loss on probabilities clipped to [1e-7, 1 − 1e-7]: the Keras/tfjs epsilon,
 * so the reported loss is the one training minimised, and the clip the golden values were computed with.
 */
export function logLoss(yTrue: ArrayLike<number>, p: ArrayLike<number>, sampleWeight?: ArrayLike<number>): number {
  checkLengths(yTrue, p, 'p');
  if (sampleWeight !== undefined) checkLengths(yTrue, sampleWeight, 'sampleWeight');
  const eps = LOG_LOSS_EPS;
  let total = 0;
  let weight = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const pos = isPositive(yTrue, i);
    const raw = p[i] as number;
    if (Number.isNaN(raw)) throw new Error(`probability at row ${i} is NaN; expected a number in [0, 1]`);
    const q = Math.min(1 - eps, Math.max(eps, raw));
    // scikit-learn renormalises [1 − q, q] to sum to 1; kept so the last bits agree.
    const sum = 1 - q + q;
    const l = -Math.log(pos ? q / sum : (1 - q) / sum);
    const w = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
    total += w * l;
    weight += w;
  }
  return total / weight;
}

/** Mean squared difference between the 0/1 outcome and the predicted probability. */
export function brierScore(yTrue: ArrayLike<number>, p: ArrayLike<number>): number {
  checkLengths(yTrue, p, 'p');
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = (isPositive(yTrue, i) ? 1 : 0) - (p[i] as number);
    total += d * d;
  }
  return total / yTrue.length;
}

/** Uniform bins as scikit-learn's calibration_curve (edges i/n, a value on an edge goes to the lower bin); empty bins kept. */
export function calibrationBins(yTrue: ArrayLike<number>, p: ArrayLike<number>, nBins = 10): CalibrationBin[] {
  checkLengths(yTrue, p, 'p');
  if (!Number.isInteger(nBins) || nBins < 1) throw new Error(`nBins ${nBins} is not an integer >= 1; use e.g. 10`);
  // Edges computed as numpy.linspace does (i * step), so a probability on an edge lands in the same bin as there.
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const count = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  for (let i = 0; i < yTrue.length; i++) {
    const v = p[i] as number;
    if (!(v >= 0 && v <= 1)) throw new Error(`probability at row ${i} is ${v}; expected a number in [0, 1]`);
    // searchsorted(edges[1:-1], v, side='left'): the number of inner edges strictly below v.
    let lo = 0;
    let hi = nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((edges[mid + 1] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    count[lo] = (count[lo] as number) + 1;
    sumP[lo] = (sumP[lo] as number) + v;
    if (isPositive(yTrue, i)) sumY[lo] = (sumY[lo] as number) + 1;
  }
  return Array.from({ length: nBins }, (_, b) => {
    const c = count[b] as number;
    return {
      lo: edges[b] as number,
      hi: edges[b + 1] as number,
      meanPredicted: c > 0 ? (sumP[b] as number) / c : NaN,
      fractionPositive: c > 0 ? (sumY[b] as number) / c : NaN,
      count: c,
    };
  });
}

/** RMSE, MAE, R², MAPE (non-zero targets only, as a fraction) and explained variance; R² of a constant target follows scikit-learn (1 if exact, else 0). */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionScores {
  checkLengths(yTrue, yPred, 'yPred');
  const n = yTrue.length;
  if (n === 0) throw new Error('regression metrics need at least one row; got 0');
  let meanY = 0;
  let meanE = 0;
  let constant = true;
  const first = yTrue[0] as number;
  for (let i = 0; i < n; i++) {
    meanY += yTrue[i] as number;
    meanE += (yTrue[i] as number) - (yPred[i] as number);
    if (yTrue[i] !== first) constant = false;
  }
  meanY /= n;
  meanE /= n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  let sve = 0;
  let ape = 0;
  let nonZero = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i] as number;
    const e = y - (yPred[i] as number);
    sse += e * e;
    sae += Math.abs(e);
    sst += (y - meanY) * (y - meanY);
    sve += (e - meanE) * (e - meanE);
    if (y !== 0) {
      ape += Math.abs(e) / Math.abs(y);
      nonZero++;
    }
  }
  const ratioScore = (num: number, den: number): number => (den !== 0 ? 1 - num / den : num === 0 ? 1 : 0);
  return {
    rmse: Math.sqrt(sse / n),
    mae: sae / n,
    // equal targets leave only rounding in sst (1e-30), which would show R² as -1e14: treat them as constant
    r2: ratioScore(sse, constant ? 0 : sst),
    mape: nonZero > 0 ? ape / nonZero : NaN,
    explainedVariance: ratioScore(sve, sst),
  };
}

/** Scores of predicting the training mean for every test row: the bar a regressor must beat. */
export function meanBaseline(trainTarget: ArrayLike<number>, yTest: ArrayLike<number>): RegressionScores {
  if (trainTarget.length === 0) throw new Error('mean baseline needs at least one training row; got 0');
  let mean = 0;
  for (let i = 0; i < trainTarget.length; i++) mean += trainTarget[i] as number;
  mean /= trainTarget.length;
  return regressionMetrics(yTest, new Float64Array(yTest.length).fill(mean));
}
