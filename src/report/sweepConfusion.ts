/** The threshold slider's arithmetic: confusion matrix and rates from the 1,001-step sweep aggregates only. */
import { confusionFromCounts, type Confusion } from '../trainers/metrics.ts';
import type { ThresholdGrid } from '../trainers/thresholdSweep.ts';

/** Number of slider steps between 0 and 1 (so 1,001 thresholds i/1000). */
export const SWEEP_STEPS = 1000;

/** Confusion matrix and the rates derived from it at one threshold of the sweep (the grid threshold actually used). */
export type SweepConfusion = Confusion & { readonly threshold: number };

/** Confusion matrix at threshold `t`, read from the sweep at index round(t·1000): exact on the 1,001-step grid. */
export function confusionFromSweep(
  sweep: Pick<ThresholdGrid, 'tp' | 'fp' | 'positives' | 'negatives'>,
  t: number,
): SweepConfusion {
  const index = Math.min(SWEEP_STEPS, Math.max(0, Math.round((Number.isFinite(t) ? t : 0) * SWEEP_STEPS)));
  return { threshold: index / SWEEP_STEPS, ...confusionFromCounts(sweep.tp[index] ?? 0, sweep.fp[index] ?? 0, sweep.positives, sweep.negatives) };
}

/**
 * The same computation as plain JavaScript for the report's inline script; a unit test runs it against
 * `confusionFromSweep` on the whole grid, so the two cannot drift apart.
 */
export const CONFUSION_FROM_SWEEP_JS = `function confusionFromSweep(sweep, t) {
  var index = Math.min(${SWEEP_STEPS}, Math.max(0, Math.round((isFinite(t) ? t : 0) * ${SWEEP_STEPS})));
  var tp = sweep.tp[index] === undefined ? 0 : sweep.tp[index];
  var fp = sweep.fp[index] === undefined ? 0 : sweep.fp[index];
  var fn = sweep.positives - tp;
  var tn = sweep.negatives - fp;
  var total = sweep.positives + sweep.negatives;
  var precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  var recall = sweep.positives > 0 ? tp / sweep.positives : 0;
  var f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    threshold: index / ${SWEEP_STEPS}, tp: tp, fp: fp, tn: tn, fn: fn,
    precision: precision, recall: recall, f1: f1,
    accuracy: total > 0 ? (tp + tn) / total : 0,
    predictedPositiveRate: total > 0 ? (tp + fp) / total : 0
  };
}`;
