/** Per-run derived data for the evaluation cells, computed once per run and cached: the sweep, curves, bins, residuals. */
import { evenlySpacedIndices } from '../report/downsample.ts';
import type { ResidualHistogram } from '../report/reportTypes.ts';
import {
  averagePrecisionFromSweep, brierScore, calibrationBins, confusionFromCounts, prFromSweep, rocAucFromSweep, rocFromSweep,
  type CalibrationBin, type Confusion,
} from '../trainers/metrics.ts';
import { buildThresholdSweep, sweepAt, sweepGrid, type ThresholdSweep } from '../trainers/thresholdSweep.ts';
import type { ClassifierResult, RegressorResult } from '../trainers/types.ts';

/**
 * The most scatter points a residual chart draws on top of its density shading; more rows are sampled down evenly.
 * Plotly draws each point as an SVG element in one main-thread task: 1,000 took 107 ms per residual chart on the idle
 * ×10 bench (its longest task; `npm run bench -- scale.x10` names the chart of each long task). The shading (one
 * image of every test row, `DensityGrid`) shows the shape; the points are there to hover.
 */
export const MAX_SCATTER_POINTS = 200;

/** Cells of a residual chart's density shading, across (x) and up (y). */
export const DENSITY_CELLS = { x: 100, y: 60 } as const;

/**
 * Points counted in a grid of equal cells over the rectangle their finite values span: `counts[j * nx + i]` points fall
 * in column i (x, from the left) and row j (y, from the bottom); the right and top edges belong to the last cells.
 */
export interface DensityGrid {
  readonly x: { readonly min: number; readonly max: number };
  readonly y: { readonly min: number; readonly max: number };
  readonly nx: number;
  readonly ny: number;
  readonly counts: Uint32Array;
  /** the largest count of a cell */
  readonly max: number;
  /** the points counted: those with both values finite */
  readonly points: number;
}

/** The extremes of the finite values of all the arrays, widened by ±0.5 when they are one value ([0, 1] when there are none). */
function finiteExtent(...arrays: ArrayLike<number>[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!(min <= max)) return { min: 0, max: 1 };
  return min === max ? { min: min - 0.5, max: max + 0.5 } : { min, max };
}

/** Counts the points (xs[i], ys[i]) in an nx × ny grid over the given extents (default: the finite values' own). */
export function densityGrid(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  cells: { readonly x: number; readonly y: number } = DENSITY_CELLS,
  extent: { readonly x?: { readonly min: number; readonly max: number }; readonly y?: { readonly min: number; readonly max: number } } = {},
): DensityGrid {
  if (xs.length !== ys.length) throw new Error(`${xs.length} x values but ${ys.length} y values; pass the same rows`);
  const { x: nx, y: ny } = cells;
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1) throw new Error(`grid of ${nx} × ${ny} cells; use whole numbers >= 1`);
  const x = extent.x ?? finiteExtent(xs);
  const y = extent.y ?? finiteExtent(ys);
  const sx = nx / (x.max - x.min);
  const sy = ny / (y.max - y.min);
  const counts = new Uint32Array(nx * ny);
  let points = 0;
  for (let k = 0; k < xs.length; k++) {
    const u = xs[k] as number;
    const v = ys[k] as number;
    if (!(u >= x.min && u <= x.max && v >= y.min && v <= y.max)) continue;
    const i = Math.min(nx - 1, Math.floor((u - x.min) * sx));
    const j = Math.min(ny - 1, Math.floor((v - y.min) * sy));
    counts[j * nx + i] = (counts[j * nx + i] as number) + 1;
    points++;
  }
  let max = 0;
  for (let c = 0; c < counts.length; c++) if ((counts[c] as number) > max) max = counts[c] as number;
  return { x, y, nx, ny, counts, max, points };
}

/** A curve thinned for drawing: consecutive points at least this far apart (in |dx| + |dy|). */
const CURVE_RESOLUTION = 0.002;

/** Thresholds on the precision / recall / F1 chart's axis (0, 0.002, …, 1). */
const GRID_STEPS = 501;

/** A per-run cache; `prime` hands it a value worked out elsewhere (the training worker). */
type Memo<K, V> = ((key: K) => V) & { readonly prime: (key: K, value: V) => void };

function memo<K extends object, V>(compute: (key: K) => V): Memo<K, V> {
  const cache = new WeakMap<K, V>();
  const get = (key: K): V => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute(key);
      cache.set(key, v);
    }
    return v;
  };
  return Object.assign(get, { prime: (key: K, value: V): void => { cache.set(key, value); } });
}

const sweeps = new WeakMap<ClassifierResult, ThresholdSweep>();

/** The run's test scores sorted once with cumulative counts: every threshold is then a binary search. */
export function sweepOf(result: ClassifierResult): ThresholdSweep {
  let s = sweeps.get(result);
  if (s === undefined) {
    s = buildThresholdSweep(result.yTest, result.testProba);
    sweeps.set(result, s);
  }
  return s;
}

/** Hands `sweepOf` the sweep the training worker built for this result, so the page never sorts its test rows. */
export function primeSweepOf(result: ClassifierResult, sweep: ThresholdSweep): void {
  if (sweep.positives + sweep.negatives !== result.yTest.length) throw new Error(`sweep covers ${sweep.positives + sweep.negatives} rows, not the run's ${result.yTest.length} test rows; build it from this run`);
  sweeps.set(result, sweep);
}

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
  const rocPoints = rocFromSweep(s);
  const prPoints = prFromSweep(s);
  const roc = thin(rocPoints.fpr, rocPoints.tpr);
  const pr = thin(prPoints.recall, prPoints.precision);
  const bothClasses = s.positives > 0 && s.negatives > 0;
  const g = sweepGrid(s, GRID_STEPS);
  const byThreshold = { threshold: [...g.thresholds], precision: [] as number[], recall: [] as number[], f1: [] as number[] };
  for (let i = 0; i < GRID_STEPS; i++) {
    // Precision at a threshold that flags nobody is 0, as everywhere a metric is read at one threshold.
    const c = confusionFromCounts(g.tp[i] as number, g.fp[i] as number, g.positives, g.negatives);
    byThreshold.precision.push(c.precision);
    byThreshold.recall.push(c.recall);
    byThreshold.f1.push(c.f1);
  }
  return {
    auc: bothClasses ? rocAucFromSweep(s) : NaN,
    averagePrecision: averagePrecisionFromSweep(s),
    roc: { fpr: roc.x, tpr: roc.y },
    pr: { recall: pr.x, precision: pr.y },
    byThreshold,
  };
}

/** ROC, precision-recall and by-threshold curves of a run, computed once. */
export const curvesOf: Memo<ClassifierResult, ClassifierCurves> = memo(computeCurves);

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
export const calibrationOf: Memo<ClassifierResult, Calibration> = memo((r: ClassifierResult): Calibration => ({
  bins: calibrationBins(r.yTest, r.testProba, 10),
  brier: brierScore(r.yTest, r.testProba),
}));

/** Bins of the residual histogram, in the cell, the report and the MLflow artifact alike. */
export const RESIDUAL_BINS = 40;

/**
 * The one residual histogram: residuals (actual − predicted) in `bins` equal-width bins over their central 99 %
 * (0.5 % to 99.5 % quantiles), so a few huge orders do not squash every other bar into one; rows outside are counted
 * in `below` / `above`, and non-finite residuals are left out.
 */
export function residualHistogram(actual: ArrayLike<number>, predicted: ArrayLike<number>, bins = RESIDUAL_BINS): ResidualHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins ${bins} is not an integer >= 1; use e.g. ${RESIDUAL_BINS}`);
  if (actual.length !== predicted.length) throw new Error(`${actual.length} actual values but ${predicted.length} predictions; pass the same rows`);
  const finite: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    const e = (actual[i] as number) - (predicted[i] as number);
    if (Number.isFinite(e)) finite.push(e);
  }
  const residuals = Float64Array.from(finite);
  const sorted = residuals.slice().sort();
  let lo = finite.length > 0 ? quantileSorted(sorted, 0.005) : 0;
  let hi = finite.length > 0 ? quantileSorted(sorted, 0.995) : 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (const e of residuals) {
    if (e < lo) below++;
    else if (e > hi) above++;
    else {
      const b = Math.min(bins - 1, Math.floor((e - lo) / width));
      counts[b] = (counts[b] as number) + 1;
    }
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  return { edges, counts, below, above };
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

/**
 * What the Residuals cell draws: a sample of (actual, predicted, residual) in the target's unit, the density of every
 * test row behind each scatter, and the residual histogram.
 */
export interface Residuals {
  readonly actual: number[];
  readonly predicted: number[];
  readonly residual: number[];
  readonly rows: number;
  readonly histogram: ResidualHistogram;
  /** the extremes of the finite actual and predicted values together (the predicted-vs-actual chart's square) */
  readonly range: { readonly min: number; readonly max: number };
  /** every test row: predicted (y) against actual (x) over `range` on both axes, residual (y) against predicted (x) */
  readonly density: { readonly predictedVsActual: DensityGrid; readonly residualVsPredicted: DensityGrid };
}

function computeResiduals(r: RegressorResult): Residuals {
  const n = r.yTest.length;
  const range = finiteExtent(r.yTest, r.predTest);
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = (r.yTest[i] as number) - (r.predTest[i] as number);
  const idx = evenlySpacedIndices(n, MAX_SCATTER_POINTS);
  const actual = idx.map((i) => r.yTest[i] as number);
  const predicted = idx.map((i) => r.predTest[i] as number);
  const residual = idx.map((i) => residuals[i] as number);
  const density = {
    predictedVsActual: densityGrid(r.yTest, r.predTest, DENSITY_CELLS, { x: range, y: range }),
    residualVsPredicted: densityGrid(r.predTest, residuals),
  };
  return { actual, predicted, residual, rows: n, histogram: residualHistogram(r.yTest, r.predTest), range, density };
}

/** Residuals of a regressor run, computed once. */
export const residualsOf: Memo<RegressorResult, Residuals> = memo(computeResiduals);

/**
 * What the evaluation cells draw of a run (its sweep, curves and calibration, or its residuals), worked out where the
 * run was trained: each is a pass over every test row (a sort for the sweep and the residual histogram), which the
 * page's main thread should not make. `primeEvaluation` hands them to the page's caches.
 */
export type PreparedEvaluation =
  | { readonly kind: 'classifier'; readonly sweep: ThresholdSweep; readonly curves: ClassifierCurves; readonly calibration: Calibration }
  | { readonly kind: 'regressor'; readonly residuals: Residuals };

/** The evaluation cells' data of a finished run. */
export function prepareEvaluation(outcome: { readonly kind: 'classifier'; readonly result: ClassifierResult } | { readonly kind: 'regressor'; readonly result: RegressorResult }): PreparedEvaluation {
  if (outcome.kind === 'regressor') return { kind: 'regressor', residuals: residualsOf(outcome.result) };
  const r = outcome.result;
  return { kind: 'classifier', sweep: sweepOf(r), curves: curvesOf(r), calibration: calibrationOf(r) };
}

/** Hands a run's prepared evaluation to the caches the cells read, so none of them passes over the test rows again. */
export function primeEvaluation(result: ClassifierResult | RegressorResult, e: PreparedEvaluation): void {
  if (e.kind === 'regressor') {
    if (e.residuals.rows !== result.yTest.length) throw new Error(`residuals cover ${e.residuals.rows} rows, not the run's ${result.yTest.length} test rows; prepare them from this run`);
    residualsOf.prime(result as RegressorResult, e.residuals);
    return;
  }
  const r = result as ClassifierResult;
  primeSweepOf(r, e.sweep);
  curvesOf.prime(r, e.curves);
  calibrationOf.prime(r, e.calibration);
}

/** The run's test labels and scores as CSV (y_true,score), exact float32 values, for checking the matrix elsewhere. */
export function testPredictionsCsv(r: ClassifierResult): string {
  const lines = ['y_true,score'];
  for (let i = 0; i < r.yTest.length; i++) lines.push(`${r.yTest[i] as number},${r.testProba[i] as number}`);
  return `${lines.join('\n')}\n`;
}

/** What R² is shown as when every test target is equal: scikit-learn's 0 (1 if exact) would read as a score. */
export const CONSTANT_TARGET_R2 = 'n/a — the test target is constant';

/** What MAPE is shown as when every test target is 0: it divides by the target. */
export const ZERO_TARGET_MAPE = 'n/a — every test target is 0';

/** What MAPE is shown as when the test target takes both signs: values near 0 make percentage errors unbounded. */
export const SIGNED_TARGET_MAPE = 'n/a — the test target crosses 0, where percentage errors have no bound';

/**
 * Regression metrics without a meaning for these test targets, with what to show instead of a number: R² when all
 * are equal (its denominator is their variance), MAPE when all are 0 or when they take both signs (a profit, a
 * delta: the target passes near 0, where an error over the target explodes). The screen, the report and MLflow use this.
 */
export function undefinedRegressionMetrics(yTest: ArrayLike<number>): Readonly<Record<string, string>> {
  if (yTest.length === 0) return {};
  const first = yTest[0];
  let constant = true;
  let negative = false;
  let positive = false;
  for (let i = 0; i < yTest.length; i++) {
    const y = yTest[i] as number;
    if (y !== first) constant = false;
    if (y < 0) negative = true;
    else if (y > 0) positive = true;
  }
  if (constant) return first === 0 ? { r2: CONSTANT_TARGET_R2, mape: ZERO_TARGET_MAPE } : { r2: CONSTANT_TARGET_R2 };
  return negative && positive ? { mape: SIGNED_TARGET_MAPE } : {};
}

/** A regressor run's test scores and its mean baseline's as MLflow names them, without the metrics that have no meaning. */
export interface RegressionScoresShown {
  /** rmse, mae, r2, mape: those in `undefinedMetrics` are left out */
  readonly metrics: Readonly<Record<string, number>>;
  readonly baseline: Readonly<Record<string, number>>;
  /** from `undefinedRegressionMetrics`: the metric and what to show instead of a number */
  readonly undefinedMetrics: Readonly<Record<string, string>>;
}

/** The scores the report, the Runs table, MLflow and the pipeline show for a regressor run. */
export function regressionScoresShown(r: RegressorResult): RegressionScoresShown {
  const undefinedMetrics = undefinedRegressionMetrics(r.yTest);
  const defined = (m: RegressorResult['metrics']): Record<string, number> =>
    Object.fromEntries(Object.entries({ rmse: m.rmse, mae: m.mae, r2: m.r2, mape: m.mape }).filter(([k]) => undefinedMetrics[k] === undefined));
  return { metrics: defined(r.metrics), baseline: defined(r.baseline), undefinedMetrics };
}
