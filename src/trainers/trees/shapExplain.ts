/**
 * The SHAP cell's computation, the same in a worker and in node: exact TreeSHAP of some test rows, one-hot groups summed
 * as one feature, mean |SHAP| per feature, each row's raw score from the model itself and the feature values the
 * beeswarm colours by. Runs tree by tree, yielding between trees, so progress and cancel work from a worker.
 */
import { binRows } from './binning.ts';
import { outputFromRaw, predictRaw, type TreeEnsemble, type TreeModelKind } from './ensemble.ts';
import { groupShap, shapImportance } from './shapSummary.ts';
import { startTreeShap } from './treeShap.ts';

/** The rows to explain: row-major model-matrix values (raw, unscaled), with each column's feature group. */
export interface ShapRowsInput {
  readonly ensemble: TreeEnsemble;
  readonly X: Float32Array;
  readonly rows: number;
  readonly featureGroups: readonly string[];
}

/** Explanations of some rows: grouped SHAP values, the scores they add up to and what a user reads. */
export interface ShapExplanation {
  /** user-facing features: a column's name, or a one-hot group's column name */
  readonly groups: readonly string[];
  readonly rows: number;
  /** where every explanation starts: the model's mean raw score over its training rows */
  readonly expectedValue: number;
  /** row-major rows × groups contributions, in raw-score units */
  readonly values: Float64Array;
  /** each row's raw score as the model computes it (log-odds for boosting, P for a forest classifier, log1p for a log regressor) */
  readonly raw: Float64Array;
  /** each row's output: P(positive) for a classifier, the raw score for a regressor */
  readonly output: Float64Array;
  /** row-major rows × groups: the feature's value scaled to 0..1 over these rows (NaN for one-hot groups and missing values) */
  readonly colour: Float64Array;
  /** mean |SHAP| per group, largest first */
  readonly importance: ReadonlyArray<{ readonly group: string; readonly meanAbs: number }>;
}

/** Trees done of all trees. */
export interface ShapProgress {
  readonly done: number;
  readonly total: number;
}

/** How the computation reports, yields and stops (a worker passes its request's signal). */
export interface ShapRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ShapProgress) => void;
  /** lets the event loop run (cancel messages arrive) about every `sliceMs`; a zero-delay timer by default */
  readonly yieldControl?: () => Promise<void>;
  readonly sliceMs?: number;
}

function cancelled(): Error {
  const e = new Error('SHAP computation cancelled');
  e.name = 'AbortError';
  return e;
}

/** Exact TreeSHAP of `input.rows` rows, grouped per feature. */
export async function explainRows(input: ShapRowsInput, o: ShapRunOptions = {}): Promise<ShapExplanation> {
  const { ensemble: e, X, rows, featureGroups } = input;
  if (featureGroups.length !== e.cols) throw new Error(`${featureGroups.length} feature groups for a model of ${e.cols} columns; train the model again`);
  if (X.length !== rows * e.cols) throw new Error(`${X.length} values for ${rows} rows × ${e.cols} columns; pass row-major model-matrix rows`);
  const tick = o.yieldControl ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const slice = o.sliceMs ?? 50;
  const job = startTreeShap(e, binRows(X, e.cols, e.edges));
  let last = performance.now();
  o.onProgress?.({ done: 0, total: job.trees });
  while (job.step()) {
    if (performance.now() - last >= slice) {
      o.onProgress?.({ done: job.done(), total: job.trees });
      await tick();
      if (o.signal?.aborted) throw cancelled();
      last = performance.now();
    }
  }
  if (o.signal?.aborted) throw cancelled();
  o.onProgress?.({ done: job.trees, total: job.trees });
  const grouped = groupShap(job.result(), featureGroups);
  const raw = predictRaw(e, X);
  return {
    groups: grouped.groups,
    rows,
    expectedValue: grouped.expectedValue,
    values: grouped.values,
    raw,
    output: e.task === 'classifier' ? outputFromRaw(e, raw) : raw,
    colour: featureColours(X, rows, featureGroups, grouped.groups),
    importance: shapImportance(grouped),
  };
}

/** A feature's value scaled to 0..1 between its 5th and 95th percentile over the rows (as the `shap` beeswarm does). */
function featureColours(X: Float32Array, rows: number, featureGroups: readonly string[], groups: readonly string[]): Float64Array {
  const cols = featureGroups.length;
  const k = groups.length;
  const out = new Float64Array(rows * k).fill(Number.NaN);
  groups.forEach((g, j) => {
    const members = featureGroups.flatMap((name, c) => (name === g ? [c] : []));
    // a one-hot group has no order to colour by
    if (members.length !== 1) return;
    const c = members[0] as number;
    const vals: number[] = [];
    for (let r = 0; r < rows; r++) {
      const v = X[r * cols + c] as number;
      if (v === v) vals.push(v);
    }
    if (vals.length === 0) return;
    vals.sort((a, b) => a - b);
    let low = vals[Math.floor(0.05 * (vals.length - 1))] as number;
    let hi = vals[Math.ceil(0.95 * (vals.length - 1))] as number;
    if (hi === low) {
      low = vals[0] as number;
      hi = vals[vals.length - 1] as number;
    }
    for (let r = 0; r < rows; r++) {
      const v = X[r * cols + c] as number;
      if (v !== v) continue;
      out[r * k + j] = hi > low ? Math.min(1, Math.max(0, (v - low) / (hi - low))) : 0.5;
    }
  });
  return out;
}

/** The units SHAP values and raw scores are in, for a model's task, kind and target. */
export function shapUnits(task: 'classifier' | 'regressor', model: TreeModelKind, logTarget: boolean): string {
  if (task === 'classifier') return model === 'gbdt' ? 'log-odds' : 'probability';
  return logTarget ? 'log1p(revenue)' : 'revenue, $';
}
