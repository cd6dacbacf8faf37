/** Per-run derived data for the evaluation cells, computed once per run and cached: the sweep, curves, bins, residuals. */
import { brierScore, calibrationBins, type CalibrationBin, type Confusion } from '../trainers/metrics.ts';
import { buildThresholdSweep, sweepAt, sweepGrid, type ThresholdSweep } from '../trainers/thresholdSweep.ts';
import type { ClassifierResult, RegressorResult } from '../trainers/types.ts';

/** The most scatter points a chart draws; more rows are sampled down evenly. */
export const MAX_SCATTER_POINTS = 5000;

/** A curve thinned for drawing: consecutive points at least this far apart (in |dx| + |dy|). */
const CURVE_RESOLUTION = 0.002;

/** Thresholds on the precision / recall / F1 chart's axis (0, 0.002, …, 1). */
const GRID_STEPS = 501;

function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute(key);
      cache.set(key, v);
    }
    return v;
  };
}

/** The run's test scores sorted once with cumulative counts: every threshold is then a binary search. */
export const sweepOf: (result: ClassifierResult) => ThresholdSweep = memo((r: ClassifierResult) => buildThresholdSweep(r.yTest, r.testProba));

/** Curves of one classifier run, thinned for drawing; AUC and average precision from every point. */
export interface ClassifierCurves {
  readonly auc: number;
  readonly averagePrecision: number;
  readonly roc: { readonly fpr: number[]; readonly tpr: number[] };
  readonly pr: { readonly recall: number[]; readonly precision: number[] };
  readonly byThreshold: { readonly threshold: number[]; readonly precision: number[]; readonly recall: number[]; readonly f1: number[] };
}

/** Keeps the ends and every point at least CURVE_RESOLUTION from the last kept one. */
function thin(xs: ArrayLike<number>, ys: ArrayLike<number>): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    const xi = xs[i] as number;
    const yi = ys[i] as number;
    const last = x.length - 1;
    if (i === 0 || i === n - 1 || Math.abs(xi - (x[last] as number)) + Math.abs(yi - (y[last] as number)) >= CURVE_RESOLUTION) {
      x.push(xi);
      y.push(yi);
    }
  }
  return { x, y };
}

function computeCurves(r: ClassifierResult): ClassifierCurves {
  const s = sweepOf(r);
  const d = s.thresholds.length;
  const fpr = new Float64Array(d + 1);
  const tpr = new Float64Array(d + 1);
  const recall = new Float64Array(d + 1);
  const precision = new Float64Array(d + 1);
  // prCurve's extra (recall 0, precision 1) point, at the top end of the threshold list.
  recall[0] = 0;
  precision[0] = 1;
  let auc = 0;
  let ap = 0;
  for (let i = 0; i < d; i++) {
    const tp = s.tps[i] as number;
    const fp = s.fps[i] as number;
    fpr[i + 1] = s.negatives > 0 ? fp / s.negatives : NaN;
    tpr[i + 1] = s.positives > 0 ? tp / s.positives : NaN;
    auc += (((fpr[i + 1] as number) - (fpr[i] as number)) * ((tpr[i + 1] as number) + (tpr[i] as number))) / 2;
    const p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const rc = s.positives > 0 ? tp / s.positives : 1;
    ap += (rc - (recall[i] as number)) * p;
    recall[i + 1] = rc;
    precision[i + 1] = p;
  }
  const roc = thin(fpr, tpr);
  const pr = thin(recall, precision);
  const g = sweepGrid(s, GRID_STEPS);
  const byThreshold = { threshold: Array.from(g.thresholds), precision: [] as number[], recall: [] as number[], f1: [] as number[] };
  for (let i = 0; i < GRID_STEPS; i++) {
    const tp = g.tp[i] as number;
    const fp = g.fp[i] as number;
    const p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const rc = g.positives > 0 ? tp / g.positives : 0;
    byThreshold.precision.push(p);
    byThreshold.recall.push(rc);
    byThreshold.f1.push(p + rc > 0 ? (2 * p * rc) / (p + rc) : 0);
  }
  return { auc, averagePrecision: ap, roc: { fpr: roc.x, tpr: roc.y }, pr: { recall: pr.x, precision: pr.y }, byThreshold };
}

/** ROC, precision-recall and by-threshold curves of a run, computed once. */
export const curvesOf: (result: ClassifierResult) => ClassifierCurves = memo(computeCurves);

/** Where the markers sit at one threshold: the confusion and its ROC / PR coordinates. */
export interface ThresholdPoint {
  readonly threshold: number;
  readonly confusion: Confusion;
  readonly fpr: number;
  readonly tpr: number;
}

/** The confusion and curve coordinates at `threshold`, from the sweep in O(log n). */
export function pointAt(s: ThresholdSweep, threshold: number): ThresholdPoint {
  const c = sweepAt(s, threshold);
  return {
    threshold,
    confusion: c,
    fpr: s.negatives > 0 ? c.fp / s.negatives : NaN,
    tpr: s.positives > 0 ? c.tp / s.positives : NaN,
  };
}

/** Value of the flagged sessions: each true positive earns tpValue, each false positive costs fpCost. */
export function profitOf(c: Pick<Confusion, 'tp' | 'fp'>, value: { tpValue: number; fpCost: number }): number {
  return c.tp * value.tpValue - c.fp * value.fpCost;
}

/** Reliability diagram bins and the Brier score of a run. */
export interface Calibration {
  readonly bins: readonly CalibrationBin[];
  readonly brier: number;
}

/** Ten uniform probability bins and the Brier score, computed once per run. */
export const calibrationOf: (result: ClassifierResult) => Calibration = memo((r: ClassifierResult) => ({
  bins: calibrationBins(r.yTest, r.testProba, 10),
  brier: brierScore(r.yTest, r.testProba),
}));

/** Evenly spaced row indices, at most `max` of them (all rows when there are fewer). */
export function sampleIndices(n: number, max: number): Uint32Array {
  if (n <= max) return Uint32Array.from({ length: n }, (_, i) => i);
  const out = new Uint32Array(max);
  for (let k = 0; k < max; k++) out[k] = Math.floor((k * n) / max);
  return out;
}

/** Equal-width bins over [lo, hi]; values outside are counted apart, not stretched into the end bins. */
export interface Histogram {
  readonly lo: number;
  readonly width: number;
  readonly counts: readonly number[];
  readonly below: number;
  readonly above: number;
}

/** Counts of `values` in `nBins` equal bins over [lo, hi]; hi falls into the last bin. */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, nBins: number): Histogram {
  if (!Number.isInteger(nBins) || nBins < 1) throw new Error(`nBins ${nBins} is not an integer >= 1; use e.g. 40`);
  const width = hi > lo ? (hi - lo) / nBins : 1;
  const counts = new Array<number>(nBins).fill(0);
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) below++;
    else if (v > hi) above++;
    else {
      const b = Math.min(nBins - 1, Math.floor((v - lo) / width));
      counts[b] = (counts[b] as number) + 1;
    }
  }
  return { lo, width, counts, below, above };
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, by linear interpolation as numpy's default. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  const a = sorted[i] as number;
  const b = sorted[Math.min(n - 1, i + 1)] as number;
  return a + (b - a) * frac;
}

/** What the Residuals cell draws: a sample of (actual, predicted, residual) in dollars and the residual histogram. */
export interface Residuals {
  readonly actual: number[];
  readonly predicted: number[];
  readonly residual: number[];
  readonly rows: number;
  readonly histogram: Histogram;
  readonly range: { readonly min: number; readonly max: number };
}

function computeResiduals(r: RegressorResult): Residuals {
  const n = r.yTest.length;
  const res = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = r.yTest[i] as number;
    const p = r.predTest[i] as number;
    res[i] = y - p;
    min = Math.min(min, y, p);
    max = Math.max(max, y, p);
  }
  const sorted = res.slice().sort();
  // The central 99 % sets the histogram's range, so a few huge orders do not squash every other bar into one.
  const hist = histogram(res, quantileSorted(sorted, 0.005), quantileSorted(sorted, 0.995), 40);
  const idx = sampleIndices(n, MAX_SCATTER_POINTS);
  const actual: number[] = [];
  const predicted: number[] = [];
  const residual: number[] = [];
  for (const i of idx) {
    actual.push(r.yTest[i] as number);
    predicted.push(r.predTest[i] as number);
    residual.push(res[i] as number);
  }
  return { actual, predicted, residual, rows: n, histogram: hist, range: { min, max } };
}

/** Residuals of a regressor run, computed once. */
export const residualsOf: (result: RegressorResult) => Residuals = memo(computeResiduals);

/** The run's test labels and scores as CSV (y_true,score), exact float32 values, for checking the matrix elsewhere. */
export function testPredictionsCsv(r: ClassifierResult): string {
  const lines = ['y_true,score'];
  for (let i = 0; i < r.yTest.length; i++) lines.push(`${r.yTest[i] as number},${r.testProba[i] as number}`);
  return `${lines.join('\n')}\n`;
}
