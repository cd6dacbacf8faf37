/** Permutation importance on held-out rows: how much the score drops when one feature's values are shuffled across rows. */
import { rocAuc } from './metrics.ts';
import { createRng, randomInt, type Rng } from './random.ts';

/** The score a model is judged by: ROC AUC for the classifier (higher is better), RMSE for the regressor (lower is better). */
export type ImportanceScore = 'auc' | 'rmse';

/** Raw feature rows in, one prediction per row out (a probability or dollars). */
export type PredictRows = (X: Float32Array, rows: number) => Float32Array | Promise<Float32Array>;

/** What `permutationImportance` needs; the rows are the test split's raw (unscaled) model-matrix rows. */
export interface PermutationImportanceOptions {
  readonly predict: PredictRows;
  /** row-major, rows × cols */
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** for each column the feature it belongs to; the columns of a one-hot group are permuted together */
  readonly featureGroups: readonly string[];
  readonly y: ArrayLike<number>;
  readonly score: ImportanceScore;
  readonly repeats?: number;
  readonly seed?: number;
  /** score on a seeded sample of at most this many rows (scikit-learn's max_samples); all rows when absent */
  readonly maxRows?: number;
  readonly signal?: AbortSignal;
  /** called after each permuted prediction: done of total */
  readonly onProgress?: (done: number, total: number) => void;
  /** lets a worker read its messages (a cancel) between predictions; defaults to a macrotask */
  readonly yieldControl?: () => Promise<void>;
}

/** The importance of one feature (a single column or a whole one-hot group). */
export interface FeatureImportance {
  readonly feature: string;
  readonly columns: readonly number[];
  /** mean score drop over the repeats: baseline AUC − permuted AUC, or permuted RMSE − baseline RMSE */
  readonly mean: number;
  /** population standard deviation of the drop over the repeats */
  readonly std: number;
  readonly drops: readonly number[];
}

/** Importances sorted by mean drop, largest first, with the unpermuted score. */
export interface PermutationImportanceResult {
  readonly score: ImportanceScore;
  readonly baseline: number;
  readonly repeats: number;
  readonly seed: number;
  /** rows scored (a sample when the split had more than `maxRows`) */
  readonly rows: number;
  readonly totalRows: number;
  readonly features: readonly FeatureImportance[];
}

/** The default number of shuffles per feature (scikit-learn uses 5). */
export const DEFAULT_REPEATS = 5;

/** Columns of each feature, in order of first appearance. */
export function featureColumns(featureGroups: readonly string[]): Array<{ feature: string; columns: number[] }> {
  const byName = new Map<string, number[]>();
  featureGroups.forEach((g, c) => {
    const cols = byName.get(g);
    if (cols) cols.push(c);
    else byName.set(g, [c]);
  });
  return [...byName].map(([feature, columns]) => ({ feature, columns }));
}

/** Root mean squared error; inline so the loop does not allocate the full metrics record per shuffle. */
function rmse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const e = (y[i] as number) - (pred[i] as number);
    s += e * e;
  }
  return Math.sqrt(s / Math.max(1, y.length));
}

function scoreOf(kind: ImportanceScore, y: ArrayLike<number>, pred: Float32Array): number {
  return kind === 'auc' ? rocAuc(y, pred) : rmse(y, pred);
}

function permutation(rows: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) p[i] = i;
  for (let i = rows - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** A seeded sample of `n` of `rows` row indices, in ascending order. */
export function sampleRows(rows: number, n: number, rng: Rng): Uint32Array {
  const all = permutation(rows, rng);
  return all.slice(0, Math.min(n, rows)).sort();
}

function abortError(): Error {
  const e = new Error('permutation importance cancelled');
  e.name = 'AbortError';
  return e;
}

/**
 * Shuffles one feature at a time across the rows (every column of a one-hot group with the same row order),
 * predicts, and records the score drop; `repeats` seeded shuffles per feature give a mean and a spread.
 */
export async function permutationImportance(o: PermutationImportanceOptions): Promise<PermutationImportanceResult> {
  const { cols } = o;
  const totalRows = o.rows;
  const repeats = o.repeats ?? DEFAULT_REPEATS;
  const seed = o.seed ?? 42;
  if (o.X.length !== totalRows * cols) throw new Error(`X has ${o.X.length} values; expected ${totalRows} rows × ${cols} columns`);
  if (o.featureGroups.length !== cols) throw new Error(`${o.featureGroups.length} feature groups for ${cols} columns; pass the run's featureGroups`);
  if (o.y.length !== totalRows) throw new Error(`y has ${o.y.length} values for ${totalRows} rows; pass the test split's targets`);
  if (!(repeats >= 1)) throw new Error(`repeats is ${repeats}; use at least 1`);
  const rng = createRng(seed);
  let X = o.X;
  let y: ArrayLike<number> = o.y;
  let rows = totalRows;
  if (o.maxRows !== undefined && totalRows > o.maxRows) {
    const keep = sampleRows(totalRows, o.maxRows, rng);
    rows = keep.length;
    X = new Float32Array(rows * cols);
    const ys = new Float64Array(rows);
    keep.forEach((r, i) => {
      X.set(o.X.subarray(r * cols, (r + 1) * cols), i * cols);
      ys[i] = o.y[r] as number;
    });
    y = ys;
  }
  const tick = o.yieldControl ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  const baseline = scoreOf(o.score, y, await o.predict(X, rows));
  const groups = featureColumns(o.featureGroups);
  const total = groups.length * repeats;
  const work = new Float32Array(X);
  const features: FeatureImportance[] = [];
  let done = 0;
  for (const { feature, columns } of groups) {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      if (o.signal?.aborted) throw abortError();
      const perm = permutation(rows, rng);
      for (let i = 0; i < rows; i++) {
        const src = (perm[i] as number) * cols;
        const dst = i * cols;
        for (const c of columns) work[dst + c] = X[src + c] as number;
      }
      const permuted = scoreOf(o.score, y, await o.predict(work, rows));
      drops.push(o.score === 'auc' ? baseline - permuted : permuted - baseline);
      done += 1;
      o.onProgress?.(done, total);
      await tick();
    }
    // restore the columns before the next feature is shuffled
    for (let i = 0; i < rows; i++) for (const c of columns) work[i * cols + c] = X[i * cols + c] as number;
    const mean = drops.reduce((s, d) => s + d, 0) / drops.length;
    const std = Math.sqrt(drops.reduce((s, d) => s + (d - mean) * (d - mean), 0) / drops.length);
    features.push({ feature, columns, mean, std, drops });
  }
  features.sort((a, b) => b.mean - a.mean);
  return { score: o.score, baseline, repeats, seed, rows, totalRows, features };
}
