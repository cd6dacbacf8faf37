/**
 * The SHAP cell's computation, the same in a worker and in node: exact TreeSHAP of some test rows, one-hot groups summed
 * as one feature, mean |SHAP| per feature, each row's raw score from the model itself and the feature values the
 * beeswarm colours by. Runs tree by tree, yielding between trees, so progress and cancel work from a worker.
 */
import { createRng } from '../random.ts';
import { binRows } from './binning.ts';
import { outputFromRaw, predictRaw, type TreeEnsemble, type TreeModelKind } from './ensemble.ts';
import { groupShap, shapImportance } from './shapSummary.ts';
import { startTreeShap, type TreeRange } from './treeShap.ts';

/** The rows to explain: row-major model-matrix values (raw, unscaled), with each column's feature group. */
export interface ShapRowsInput {
  readonly ensemble: TreeEnsemble;
  readonly X: Float32Array;
  readonly rows: number;
  readonly featureGroups: readonly string[];
  /** explain with these trees only (a worker's block, see `treeBlocks`); every tree when omitted */
  readonly trees?: TreeRange;
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

/** Trees done of all trees (of the block, when explaining a block of trees). */
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

/**
 * One block of trees' contributions to some rows, grouped per feature: what a SHAP worker sends back when the trees are
 * split between workers (the scores, colours and mean |SHAP| are computed once, from the sum, by `sumExplanations`).
 */
export interface ShapBlock {
  readonly groups: readonly string[];
  readonly rows: number;
  /** the whole model's expected raw score (the same in every block) */
  readonly expectedValue: number;
  /** row-major rows × groups contributions of the block's trees */
  readonly values: Float64Array;
  /** each row's raw score by the whole model: from the block that starts at the first tree, null from the others */
  readonly raw: Float64Array | null;
}

/** The contributions of the trees `input.trees` (every tree when omitted) to `input.rows` rows, grouped per feature. */
export async function explainBlock(input: ShapRowsInput, o: ShapRunOptions = {}): Promise<ShapBlock> {
  const { ensemble: e, X, rows, featureGroups } = input;
  if (featureGroups.length !== e.cols) throw new Error(`${featureGroups.length} feature groups for a model of ${e.cols} columns; train the model again`);
  if (X.length !== rows * e.cols) throw new Error(`${X.length} values for ${rows} rows × ${e.cols} columns; pass row-major model-matrix rows`);
  const tick = o.yieldControl ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const slice = o.sliceMs ?? 50;
  const job = startTreeShap(e, binRows(X, e.cols, e.edges), input.trees);
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
  return { ...grouped, raw: (input.trees?.from ?? 0) === 0 ? predictRaw(e, X) : null };
}

/** Exact TreeSHAP of `input.rows` rows by every tree, grouped per feature, with the scores, colours and mean |SHAP| a user reads. */
export async function explainRows(input: Omit<ShapRowsInput, 'trees'>, o: ShapRunOptions = {}): Promise<ShapExplanation> {
  const { ensemble, X, rows, featureGroups } = input;
  const block = await explainBlock({ ensemble, X, rows, featureGroups }, o);
  return withSummary(block, block.raw as Float64Array, ensemble, X, featureGroups);
}

/** An explanation's scores, outputs, colours and mean |SHAP|, from its values and raw scores. */
function withSummary(grouped: Omit<ShapBlock, 'raw'>, raw: Float64Array, model: ShapModel, X: Float32Array, featureGroups: readonly string[]): ShapExplanation {
  const { groups, rows, expectedValue, values } = grouped;
  return {
    groups,
    rows,
    expectedValue,
    values,
    raw,
    output: model.task === 'classifier' ? outputFromRaw(model, raw) : raw,
    colour: featureColours(X, rows, featureGroups, groups),
    importance: shapImportance(grouped),
  };
}

/** What turns raw scores into outputs: the model's task and kind. */
export type ShapModel = Pick<TreeEnsemble, 'task' | 'model'>;

/**
 * The explanation by every tree from the explanations of the same rows by consecutive blocks of trees (each block
 * explained on its own, e.g. one per worker): a row's contributions are sums over trees, so the blocks' values add up
 * to the whole model's (up to the order of the floating-point sums); the raw scores are the first block's (the whole
 * model's), and the colours and mean |SHAP| are computed here, once.
 */
export function sumExplanations(parts: readonly ShapBlock[], X: Float32Array, featureGroups: readonly string[], model: ShapModel): ShapExplanation {
  const first = parts[0];
  if (!first) throw new Error('no explained blocks of trees to add up; explain at least one block');
  const { rows, groups } = first;
  if (X.length !== rows * featureGroups.length) throw new Error(`${X.length} values for ${rows} rows × ${featureGroups.length} columns; pass the rows every block explained`);
  const raw = parts.find((p) => p.raw !== null)?.raw;
  if (!raw) throw new Error('no block of trees computed the raw scores; explain a block that starts at the first tree');
  const values = new Float64Array(rows * groups.length);
  for (const p of parts) {
    if (p.rows !== rows || p.groups.length !== groups.length || p.groups.some((g, j) => g !== groups[j]) || p.expectedValue !== first.expectedValue) {
      throw new Error('the blocks explained different rows, models or features; explain the same rows with the same model');
    }
    for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) + (p.values[i] as number);
  }
  return withSummary({ groups, rows, values, expectedValue: first.expectedValue }, raw, model, X, featureGroups);
}

/**
 * Up to `blocks` consecutive blocks of trees with about the same number of nodes each (a tree's TreeSHAP time grows with
 * its nodes, and forests' trees differ in size), none empty.
 */
export function treeBlocks(treeNodes: readonly number[], blocks: number): TreeRange[] {
  const trees = treeNodes.length;
  const n = Math.max(1, Math.min(blocks, trees));
  const total = treeNodes.reduce((s, v) => s + v, 0);
  const out: TreeRange[] = [];
  let from = 0;
  let sum = 0;
  for (let b = 1; b < n; b++) {
    // end this block where the running node count comes closest to b/n of the total, leaving a tree for each later block
    const target = (total * b) / n;
    let to = from + 1;
    sum += treeNodes[from] as number;
    while (to < trees - (n - b) && Math.abs(sum + (treeNodes[to] as number) - target) <= Math.abs(sum - target)) {
      sum += treeNodes[to] as number;
      to++;
    }
    out.push({ from, to });
    from = to;
  }
  out.push({ from, to: trees });
  return out;
}

/** The largest |expected value + Σ contributions − raw score| over the explained rows: what a user checks the values add up to. */
export function largestAdditivityGap(ex: ShapExplanation): number {
  const k = ex.groups.length;
  let worst = 0;
  for (let r = 0; r < ex.rows; r++) {
    let sum = ex.expectedValue;
    for (let j = 0; j < k; j++) sum += ex.values[r * k + j] as number;
    worst = Math.max(worst, Math.abs(sum - (ex.raw[r] as number)));
  }
  return worst;
}

/** The beeswarm's points: per shown feature (most important on top, at y = features − 1 − rank), one point per row. */
export interface BeeswarmPoints {
  readonly features: readonly string[];
  /** rows with a colour (the feature's scaled value) */
  readonly coloured: { readonly x: number[]; readonly y: number[]; readonly colour: number[]; readonly feature: string[] };
  /** one-hot groups and missing values: no order to colour by */
  readonly grey: { readonly x: number[]; readonly y: number[]; readonly feature: string[] };
}

/**
 * Where the beeswarm draws each row: x its SHAP value, y its feature's line plus a vertical spread of ±0.3 so points do
 * not hide each other. The spread is drawn from `seed` (the sample's seed), so the same notebook draws the same picture.
 */
export function beeswarmPoints(ex: ShapExplanation, seed: number, maxFeatures: number): BeeswarmPoints {
  const shown = ex.importance.slice(0, maxFeatures);
  const k = ex.groups.length;
  const rng = createRng(seed);
  const coloured = { x: [] as number[], y: [] as number[], colour: [] as number[], feature: [] as string[] };
  const grey = { x: [] as number[], y: [] as number[], feature: [] as string[] };
  shown.forEach((f, pos) => {
    const j = ex.groups.indexOf(f.group);
    const yBase = shown.length - 1 - pos;
    for (let r = 0; r < ex.rows; r++) {
      const x = ex.values[r * k + j] as number;
      const y = yBase + (rng() - 0.5) * 0.6;
      const c = ex.colour[r * k + j] as number;
      if (Number.isNaN(c)) {
        grey.x.push(x);
        grey.y.push(y);
        grey.feature.push(f.group);
      } else {
        coloured.x.push(x);
        coloured.y.push(y);
        coloured.colour.push(c);
        coloured.feature.push(f.group);
      }
    }
  });
  return { features: shown.map((f) => f.group), coloured, grey };
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

/** The units SHAP values and raw scores are in, for a model's task, kind and target (its name, and whether it is money). */
export function shapUnits(task: 'classifier' | 'regressor', model: TreeModelKind, logTarget: boolean, target: string, money: boolean): string {
  if (task === 'classifier') return model === 'gbdt' ? 'log-odds' : 'probability';
  return logTarget ? `log1p(${target})` : money ? `${target}, $` : target;
}
