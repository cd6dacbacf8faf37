/**
 * The Revenue cell's numbers from a classifier run (and optionally a regressor run): E[revenue | order] per test
 * session, the revenue-weighted gain, gain and lift curves thinned for drawing, and the slider's sorted index. Every
 * pass over rows (the regressor's matrix, the sorts) happens here, in the data worker; the page gets summaries.
 */
import { buildModelMatrix } from '../data/encode.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import type { ModelBundle } from '../trainers/bundle.ts';
import { predictBundleRows } from '../trainers/bundleForward.ts';
import { capturedRevenueIndex, descendingOrder, expectedRevenue, gainCurve, liftCurve, revenueGainCurve, type CapturedRevenueIndex, type GainCurve } from '../trainers/revenueGain.ts';
import type { TreeBundle } from '../trainers/trees/treeBundle.ts';
import type { RegressorConfig } from '../trainers/types.ts';
import { featureSpecOf, type TrainingInputsSpec } from './trainingInputs.ts';

/** What the view is computed from: the Features settings now, the classifier's test scores, the regressor's bundle. */
export interface RevenueViewInput {
  readonly inputs: TrainingInputsSpec;
  readonly classifier: { readonly testIndex: Uint32Array; readonly testProba: Float32Array; readonly yTest: Float32Array };
  readonly regressor: { readonly bundle: ModelBundle | TreeBundle; readonly strategy: RegressorConfig['strategy'] } | null;
}

/** Points of a curve to draw. */
export interface CurvePoints {
  readonly x: number[];
  readonly y: number[];
}

/** The summaries the Revenue cell draws. */
export interface RevenueView {
  readonly testSessions: number;
  /** mean order value over the classifier's non-test rows: the fallback E[revenue | order] */
  readonly meanOrder: number;
  /** where E[revenue | order] came from: the mean order value, the regressor (× P(order)) or the regressor alone ("direct") */
  readonly conditional: 'mean-order' | 'regressor' | 'direct';
  /** why the regressor could not be used, when one was given */
  readonly regressorError: string | null;
  readonly meanConditional: number;
  readonly totalRevenue: number;
  readonly curves: { readonly byExpected: CurvePoints; readonly byProba: CurvePoints; readonly perfect: CurvePoints; readonly gain: CurvePoints; readonly lift: CurvePoints };
  /** captured share of test revenue when the top 10 % of sessions are targeted */
  readonly topDecile: { readonly expected: number; readonly proba: number };
  /** P(order) sorted with cumulative revenue: the threshold slider's readout in O(log n) */
  readonly captured: CapturedRevenueIndex;
}

/** At most `n` points of a curve, evenly spaced in share of sessions (the end points kept), for a light chart. */
export function thinCurve(share: Float64Array, value: Float64Array, n = 400): CurvePoints {
  const x: number[] = [];
  const y: number[] = [];
  let next = 0;
  for (let i = 0; i < share.length; i++) {
    const s = share[i] as number;
    if (s >= next || i === share.length - 1) {
      x.push(s);
      y.push(value[i] as number);
      next = s + 1 / n;
    }
  }
  return { x, y };
}

/** Captured share at a targeted share, read off the curve's steps. */
export function capturedShare(c: GainCurve, share: number): number {
  let out = 0;
  for (let i = 0; i < c.share.length; i++) {
    if ((c.share[i] as number) > share) break;
    out = c.captured[i] as number;
  }
  return out;
}

/**
 * Computes the view; throws with what to do when the revenue target is unusable or the test rows have no revenue.
 * `built`: the model matrix of every row of `ds` for `input.inputs`, when the caller holds it (the data worker's shared
 * training inputs): the regressor then scores the test rows straight from it instead of encoding them again.
 */
export function revenueView(ds: Dataset, input: RevenueViewInput, built?: ModelMatrix): RevenueView {
  const { testIndex, testProba, yTest } = input.classifier;
  const target = input.inputs.revenueTarget;
  const col = ds.columns.find((c) => c.name === target);
  if (!col || col.kind !== 'numeric') throw new Error(`revenue target "${target}" is not a numeric column; choose it in the Features cell`);
  const revAll = col.values;
  for (const i of testIndex) {
    if (i >= ds.rows) throw new Error(`the classifier's test row ${i} is beyond the data's ${ds.rows} rows; train the classifier again on this data`);
  }
  const revenue = new Float64Array(testIndex.length);
  for (let k = 0; k < revenue.length; k++) {
    const v = revAll[testIndex[k] as number] as number;
    revenue[k] = Number.isNaN(v) ? 0 : v;
  }
  // mean order value over the classifier's training rows: the fallback E[revenue | order], never peeking at test revenue
  const isTest = new Uint8Array(ds.rows);
  for (const i of testIndex) isTest[i] = 1;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < ds.rows; i++) {
    const v = revAll[i] as number;
    if (!isTest[i] && v > 0) {
      sum += v;
      n++;
    }
  }
  const meanOrder = n > 0 ? sum / n : 0;
  let conditional: Float32Array = new Float32Array(testIndex.length).fill(meanOrder);
  let kind: RevenueView['conditional'] = 'mean-order';
  let regressorError: string | null = null;
  if (input.regressor) {
    try {
      // the test rows of the matrix held already, else only the test rows' matrix (encoded as for every row): not the
      // whole matrix beside the dataset in this worker
      const matrix = built?.rows === ds.rows ? built : buildModelMatrix(ds, { ...featureSpecOf(input.inputs), rows: testIndex }).matrix;
      const names = input.regressor.bundle.preprocessing.featureNames;
      if (names.length !== matrix.featureNames.length || names.some((f, i) => f !== matrix.featureNames[i])) {
        throw new Error('the regressor was trained on other features; train it again');
      }
      conditional = predictBundleRows(input.regressor.bundle, matrix.X, matrix.rows, matrix === built ? testIndex : null);
      kind = input.regressor.strategy === 'direct' ? 'direct' : 'regressor';
    } catch (err) {
      regressorError = (err as Error).message;
    }
  }
  const expected = kind === 'direct' ? Float32Array.from(conditional) : expectedRevenue(testProba, conditional);
  let mc = 0;
  for (const v of conditional) mc += v;
  let total = 0;
  for (const v of revenue) total += v;
  if (!(total > 0)) throw new Error(`the ${revenue.length.toLocaleString('en-US')} test sessions have no revenue in "${target}"; choose the revenue column in the Features cell`);
  // each curve is a sort and arrays of every test row (23 MiB a curve with ten times the data): thinned, then its rows
  // freed at once, since the data worker is idle afterwards and may not collect them for minutes
  const thinned = (share: Float64Array, value: Float64Array): CurvePoints => {
    const points = thinCurve(share, value);
    releaseBuffers(share, value);
    return points;
  };
  // four curves and the slider's index follow P(order): one sort serves them all
  const byProbaOrder = descendingOrder(testProba);
  const byExpected = revenueGainCurve(expected, revenue);
  const byProba = revenueGainCurve(testProba, revenue, byProbaOrder);
  const topDecile = { expected: capturedShare(byExpected, 0.1), proba: capturedShare(byProba, 0.1) };
  const lift = liftCurve(testProba, yTest, byProbaOrder);
  const perfect = revenueGainCurve(revenue, revenue);
  const gain = gainCurve(testProba, yTest, byProbaOrder);
  const curves = {
    byExpected: thinned(byExpected.share, byExpected.captured),
    byProba: thinned(byProba.share, byProba.captured),
    perfect: thinned(perfect.share, perfect.captured),
    gain: thinned(gain.share, gain.captured),
    lift: thinned(lift.share, lift.lift),
  };
  const captured = capturedRevenueIndex(testProba, revenue, byProbaOrder);
  releaseBuffers(revenue, isTest, expected, conditional, byProbaOrder);
  return {
    testSessions: testIndex.length, meanOrder, conditional: kind, regressorError,
    meanConditional: mc / Math.max(1, conditional.length), totalRevenue: total,
    curves, topDecile, captured,
  };
}
