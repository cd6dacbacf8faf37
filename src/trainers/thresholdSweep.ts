/** Threshold slider support: sort the scores once, then answer any threshold in O(log n) without touching the model. */
import { binaryClfCurve, confusionFromCounts, type BinaryClfCurve, type Confusion } from './metrics.ts';

/** Distinct scores (descending) with cumulative true/false positive counts at each; built once per scored split. */
export type ThresholdSweep = BinaryClfCurve;

/** Sorts the scores once; every later query is a binary search. */
export function buildThresholdSweep(yTrue: ArrayLike<number>, score: ArrayLike<number>): ThresholdSweep {
  return binaryClfCurve(yTrue, score);
}

/** Number of distinct scores >= threshold: the prefix of the descending threshold list whose counts apply. */
function prefixAtOrAbove(s: ThresholdSweep, threshold: number): number {
  const t = s.thresholds;
  // NaN compares false with everything, so nothing is predicted positive, as in confusionAt.
  if (Number.isNaN(threshold)) return 0;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((t[mid] as number) >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countsAt(s: ThresholdSweep, threshold: number): { tp: number; fp: number } {
  const k = prefixAtOrAbove(s, threshold);
  return k === 0 ? { tp: 0, fp: 0 } : { tp: s.tps[k - 1] as number, fp: s.fps[k - 1] as number };
}

/** The confusion at any threshold, identical to confusionAt on the same rows. */
export function sweepAt(s: ThresholdSweep, threshold: number): Confusion {
  const { tp, fp } = countsAt(s, threshold);
  return confusionFromCounts(tp, fp, s.positives, s.negatives);
}

/**
 * True and false positives at evenly spaced thresholds i / (steps − 1): `tp[i]` counts positives whose score is
 * ≥ `thresholds[i]`, `fp[i]` negatives likewise. Plain arrays, so it goes into a report or a JSON file as it is.
 */
export interface ThresholdGrid {
  readonly thresholds: readonly number[];
  readonly tp: readonly number[];
  readonly fp: readonly number[];
  readonly positives: number;
  readonly negatives: number;
}

/** Exact counts at the evenly spaced thresholds i / (steps − 1), for drawing curves against the threshold axis. */
export function sweepGrid(s: ThresholdSweep, steps = 1001): ThresholdGrid {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`steps ${steps} is not an integer >= 2; use e.g. 1001`);
  const thresholds: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1);
    const c = countsAt(s, t);
    thresholds.push(t);
    tp.push(c.tp);
    fp.push(c.fp);
  }
  return { thresholds, tp, fp, positives: s.positives, negatives: s.negatives };
}

function requireRows(s: ThresholdSweep, what: string): void {
  if (s.thresholds.length === 0) throw new Error(`${what} needs at least one scored row; got 0`);
}

/** The distinct score maximising F1; ties go to the highest threshold (fewest rows flagged). */
export function bestF1(s: ThresholdSweep): { threshold: number; confusion: Confusion } {
  requireRows(s, 'best f1');
  let best = 0;
  let bestF = -1;
  for (let i = 0; i < s.thresholds.length; i++) {
    const f = confusionFromCounts(s.tps[i] as number, s.fps[i] as number, s.positives, s.negatives).f1;
    if (f > bestF) {
      bestF = f;
      best = i;
    }
  }
  const threshold = s.thresholds[best] as number;
  return { threshold, confusion: sweepAt(s, threshold) };
}

/**
 * The threshold maximising tp·tpValue − fp·fpCost over all distinct scores and the option of flagging nobody
 * (threshold Infinity, profit 0), which wins when every threshold loses money. Ties go to the highest threshold.
 */
export function bestProfit(s: ThresholdSweep, value: { tpValue: number; fpCost: number }): { threshold: number; profit: number; confusion: Confusion } {
  const { tpValue, fpCost } = value;
  if (!Number.isFinite(tpValue) || !Number.isFinite(fpCost)) throw new Error(`tpValue ${tpValue} and fpCost ${fpCost} must be finite numbers`);
  let threshold = Infinity;
  let profit = 0;
  for (let i = 0; i < s.thresholds.length; i++) {
    const p = (s.tps[i] as number) * tpValue - (s.fps[i] as number) * fpCost;
    if (p > profit) {
      profit = p;
      threshold = s.thresholds[i] as number;
    }
  }
  return { threshold, profit, confusion: sweepAt(s, threshold) };
}

/** The highest distinct score whose recall reaches minRecall, or null when no row is positive. */
export function thresholdForRecall(s: ThresholdSweep, minRecall: number): { threshold: number; confusion: Confusion } | null {
  if (!(minRecall >= 0 && minRecall <= 1)) throw new Error(`minRecall ${minRecall} is outside [0, 1]; use e.g. 0.8`);
  if (s.positives === 0 || s.thresholds.length === 0) return null;
  // tp grows as the threshold falls, so the first index reaching the recall is found by binary search.
  let lo = 0;
  let hi = s.thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((s.tps[mid] as number) / s.positives >= minRecall) hi = mid;
    else lo = mid + 1;
  }
  const threshold = s.thresholds[lo] as number;
  return { threshold, confusion: sweepAt(s, threshold) };
}
