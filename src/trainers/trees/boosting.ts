/**
 * Histogram gradient boosting (scikit-learn's HistGradientBoosting{Classifier,Regressor} in behaviour): binary log-loss
 * with per-row weights for the classifier, half squared error for the regressor, shrinkage, L2 on leaf values,
 * leaf-wise trees, seeded row and feature subsampling, early stopping on a validation set with a patience.
 */
import { createRng } from '../random.ts';
import { binRows, fitBinEdges, type BinEdges, type BinnedMatrix } from './binning.ts';
import { type CancelFlag, sigmoid, TrainingCancelled, type TreeEnsemble, type TreeProgress } from './ensemble.ts';
import { TreeGrower } from './grower.ts';
import type { GbdtInit } from './linearInit.ts';
import { groupIdenticalRows } from './rowGroups.ts';
import { leafOfBinnedRow, type Tree } from './tree.ts';

/** Settings of gradient boosting; defaults are scikit-learn's. */
export interface GbdtParams {
  readonly learningRate: number;
  readonly maxIter: number;
  readonly maxLeafNodes: number;
  /** null for no limit (JSON-safe, as scikit-learn's None) */
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2: number;
  readonly maxBins: number;
  /** share of training rows drawn (without replacement) for each tree; 1 uses every row */
  readonly subsample: number;
  /** share of features drawn for each split; 1 uses every feature */
  readonly maxFeatures: number;
  readonly earlyStopping: boolean;
  /** iterations without a validation-loss improvement of more than 1e-7 before stopping */
  readonly patience: number;
  readonly seed: number;
}

/** scikit-learn's HistGradientBoosting defaults. */
export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  learningRate: 0.1, maxIter: 100, maxLeafNodes: 31, maxDepth: null, minSamplesLeaf: 20, l2: 0,
  maxBins: 255, subsample: 1, maxFeatures: 1, earlyStopping: true, patience: 10, seed: 42,
};

const TOL = 1e-7;
const MIN_HESSIAN = 1e-3;

/** Rows of one fit: the matrix, which rows, their targets and (optionally) weights. */
export interface TreeFitRows {
  /** row-major, `cols` per row */
  readonly X: Float32Array;
  readonly cols: number;
  readonly rowIdx: Uint32Array;
  /** target of each listed row (same order as rowIdx) */
  readonly y: ArrayLike<number>;
  /** weight of each listed row; all 1 when omitted */
  readonly weight?: ArrayLike<number>;
}

/** Inputs of `fitGbdt`. */
export interface FitGbdtOptions {
  readonly task: 'classifier' | 'regressor';
  readonly train: TreeFitRows;
  /** early stopping and the validation loss curve use these rows */
  readonly valid?: TreeFitRows;
  readonly params: GbdtParams;
  /**
   * The model boosting starts from, built on the training rows' bin edges (e.g. `linearInit`); its trees come first in
   * the ensemble. Without it boosting starts from the mean (regressor) or the log-odds of the mean (classifier).
   */
  readonly init?: (edges: BinEdges) => GbdtInit;
  /**
   * Keep the trees up to the iteration of the lowest validation loss (LightGBM's and XGBoost's best iteration) instead
   * of every iteration run (scikit-learn's `n_iter_`); needs `valid`.
   */
  readonly keepBestIteration?: boolean;
  readonly onTree?: (p: TreeProgress) => void;
  readonly signal?: CancelFlag;
  readonly now?: () => number;
}

/** A fitted boosting model with its loss curve. */
export interface GbdtFit {
  readonly ensemble: TreeEnsemble;
  readonly history: readonly TreeProgress[];
  readonly stoppedEarly: boolean;
  /** true when identical training rows were merged into weighted groups */
  readonly grouped: boolean;
  /** boosted trees in the ensemble (after `init`'s): fewer than `history` when `keepBestIteration` dropped some */
  readonly keptIterations: number;
  /** trees of the init model at the front of the ensemble (0 without one) */
  readonly initTrees: number;
}

/** Checks a setting range and names the field when it is off. */
export function checkGbdtParams(p: GbdtParams, trainRows: number): void {
  const bad = (field: string, value: number, hint: string): never => {
    throw new Error(`${field} ${value} is out of range; use ${hint}`);
  };
  if (!(p.learningRate > 0)) bad('learningRate', p.learningRate, 'a value > 0 such as 0.1');
  if (!Number.isInteger(p.maxIter) || p.maxIter < 1) bad('maxIter', p.maxIter, 'an integer >= 1 such as 100');
  if (!Number.isInteger(p.maxLeafNodes) || p.maxLeafNodes < 2) bad('maxLeafNodes', p.maxLeafNodes, 'an integer >= 2 such as 31');
  // the default (31) suits any table: on fewer rows a tree grows the leaves the rows allow, as scikit-learn's does
  if (p.maxLeafNodes > Math.max(trainRows, DEFAULT_GBDT_PARAMS.maxLeafNodes)) {
    bad('maxLeafNodes', p.maxLeafNodes, `at most the ${trainRows} training rows, e.g. ${Math.max(2, Math.min(trainRows, DEFAULT_GBDT_PARAMS.maxLeafNodes))}`);
  }
  if (p.maxDepth !== null && !(Number.isInteger(p.maxDepth) && p.maxDepth >= 1)) bad('maxDepth', p.maxDepth, 'an integer >= 1, or none for no limit');
  if (!Number.isInteger(p.minSamplesLeaf) || p.minSamplesLeaf < 1) bad('minSamplesLeaf', p.minSamplesLeaf, 'an integer >= 1 such as 20');
  if (!(p.l2 >= 0)) bad('l2', p.l2, 'a value >= 0 such as 0');
  if (!(p.subsample > 0 && p.subsample <= 1)) bad('subsample', p.subsample, 'a share in (0, 1] such as 1');
  if (!(p.maxFeatures > 0 && p.maxFeatures <= 1)) bad('maxFeatures', p.maxFeatures, 'a share in (0, 1] such as 1');
  if (!Number.isInteger(p.patience) || p.patience < 1) bad('patience', p.patience, 'an integer >= 1 such as 10');
}

/** Samples a learner works on: distinct rows with counts when that pays, else every row with count 1. */
export interface Samples {
  readonly binned: BinnedMatrix;
  readonly y: Float64Array;
  readonly w: Float64Array;
  readonly c: Float64Array;
  readonly grouped: boolean;
  /** per input row, its sample (null when not grouped: sample i is row i) */
  readonly groupOf: Uint32Array | null;
}

/** Bins the rows and merges identical (bins, target, weight) rows into weighted samples unless `allowGrouping` is false. */
export function prepareSamples(rows: TreeFitRows, edges: Parameters<typeof binRows>[2], allowGrouping: boolean): Samples {
  const binned = binRows(rows.X, rows.cols, edges, rows.rowIdx);
  const n = rows.rowIdx.length;
  const y = Float64Array.from({ length: n }, (_, i) => rows.y[i] as number);
  const w = rows.weight ? Float64Array.from({ length: n }, (_, i) => rows.weight?.[i] as number) : new Float64Array(n).fill(1);
  const groups = allowGrouping ? groupIdenticalRows(binned, y) : null;
  const ungrouped = (): Samples => ({ binned, y, w, c: new Float64Array(n).fill(1), grouped: false, groupOf: null });
  if (!groups) return ungrouped();
  const G = groups.binned.rows;
  const gw = new Float64Array(G);
  const first = new Float64Array(G).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const g = groups.groupOf[i] as number;
    const wi = w[i] as number;
    // rows merge only when their weights agree too (class weights always do); otherwise keep every row
    if (Number.isNaN(first[g] as number)) first[g] = wi;
    else if (first[g] !== wi) return ungrouped();
    gw[g] = (gw[g] as number) + wi;
  }
  const gy = groups.label;
  return { binned: groups.binned, y: gy, w: gw, c: groups.count, grouped: true, groupOf: groups.groupOf };
}

/** Fits gradient-boosted trees; checks the signal before each tree and throws `TrainingCancelled` when it is set. */
export function fitGbdt(o: FitGbdtOptions): GbdtFit {
  const p = o.params;
  const now = o.now ?? (() => performance.now());
  const { train } = o;
  const n = train.rowIdx.length;
  checkGbdtParams(p, n);
  if (o.task === 'classifier') {
    for (let i = 0; i < n; i++) {
      const v = train.y[i];
      if (v !== 0 && v !== 1) throw new Error(`target value ${v} at training row ${i} is not 0/1; pick a binary target`);
    }
  }
  const edges = fitBinEdges(train.X, train.cols, train.rowIdx, p.seed, p.maxBins);
  // row subsampling draws rows, so it needs them one by one
  const s = prepareSamples(train, edges, p.subsample === 1);
  const v = o.valid ? prepareSamples(o.valid, edges, true) : null;
  const S = s.binned.rows;
  const classifier = o.task === 'classifier';

  let sw = 0;
  let swy = 0;
  for (let i = 0; i < S; i++) {
    sw += s.w[i] as number;
    swy += (s.w[i] as number) * (s.y[i] as number);
  }
  const mean = sw > 0 ? swy / sw : 0;
  if (classifier && (mean <= 0 || mean >= 1)) throw new Error('the training rows hold one class only; use a split with both classes');
  const init = o.init?.(edges) ?? { baseScore: classifier ? Math.log(mean / (1 - mean)) : mean, trees: [] };
  const baseScore = init.baseScore;

  const raw = startingScores(init, s.binned);
  const rawValid = v ? startingScores(init, v.binned) : null;
  const g = new Float64Array(S);
  const h = new Float64Array(S);
  const grower = new TreeGrower({ binned: s.binned, edges, g, h, c: s.c });
  const rng = createRng(p.seed);
  const cols = train.cols;
  const growParams = {
    maxLeafNodes: p.maxLeafNodes, maxDepth: p.maxDepth ?? Number.POSITIVE_INFINITY, minSamplesLeaf: p.minSamplesLeaf, minSamplesSplit: 2,
    l2: p.l2, minHessian: MIN_HESSIAN, featuresPerSplit: Math.max(1, Math.round(p.maxFeatures * cols)), rng,
  };
  const trees: Tree[] = [...init.trees];
  const history: TreeProgress[] = [];
  const losses: number[] = [v ? weightedLoss(classifier, v, rawValid as Float64Array) : weightedLoss(classifier, s, raw)];
  const order = new Uint32Array(S);
  let stoppedEarly = false;
  const lr = p.learningRate;
  const lam = p.l2;
  const leafValue = (G: number, H: number): number => (-lr * G) / (H + lam);
  for (let it = 0; it < p.maxIter; it++) {
    if (o.signal?.aborted) throw new TrainingCancelled(history.length);
    const t0 = now();
    if (classifier) {
      for (let i = 0; i < S; i++) {
        const pr = sigmoid(raw[i] as number);
        const w = s.w[i] as number;
        g[i] = w * (pr - (s.y[i] as number));
        h[i] = w * pr * (1 - pr);
      }
    } else {
      for (let i = 0; i < S; i++) {
        const w = s.w[i] as number;
        g[i] = w * ((raw[i] as number) - (s.y[i] as number));
        h[i] = w;
      }
    }
    let rootSamples: Uint32Array;
    if (p.subsample < 1) {
      const k = Math.max(1, Math.round(p.subsample * S));
      for (let i = 0; i < S; i++) order[i] = i;
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rng() * (S - i));
        const tmp = order[i] as number;
        order[i] = order[j] as number;
        order[j] = tmp;
      }
      rootSamples = order.subarray(0, k).sort();
    } else {
      for (let i = 0; i < S; i++) order[i] = i;
      rootSamples = order;
    }
    const grown = grower.grow(rootSamples, growParams, leafValue);
    const tree = grown.tree;
    if (p.subsample < 1) {
      for (let i = 0; i < S; i++) raw[i] = (raw[i] as number) + (tree.value[leafOfBinnedRow(tree, s.binned.bins, S, i)] as number);
    } else {
      for (const leaf of grown.leaves) {
        const val = tree.value[leaf.node] as number;
        for (let k = leaf.start; k < leaf.end; k++) {
          const i = grown.order[k] as number;
          raw[i] = (raw[i] as number) + val;
        }
      }
    }
    trees.push(tree);
    const loss = weightedLoss(classifier, s, raw);
    let valLoss = loss;
    if (v && rawValid) {
      const vr = v.binned.rows;
      for (let i = 0; i < vr; i++) rawValid[i] = (rawValid[i] as number) + (tree.value[leafOfBinnedRow(tree, v.binned.bins, vr, i)] as number);
      valLoss = weightedLoss(classifier, v, rawValid);
    }
    losses.push(v ? valLoss : loss);
    const progress: TreeProgress = { tree: it + 1, trees: p.maxIter, loss, valLoss, ms: now() - t0 };
    history.push(progress);
    o.onTree?.(progress);
    if (p.earlyStopping && v && shouldStop(losses, p.patience)) {
      stoppedEarly = true;
      break;
    }
  }
  // losses[k] is the validation loss after k iterations; the earliest lowest one wins
  let kept = history.length;
  if (o.keepBestIteration && v) {
    kept = 0;
    for (let k = 1; k < losses.length; k++) if ((losses[k] as number) < (losses[kept] as number)) kept = k;
  }
  return {
    ensemble: { model: 'gbdt', task: o.task, cols, edges, baseScore, treeScale: 1, trees: trees.slice(0, init.trees.length + kept) },
    history,
    stoppedEarly,
    grouped: s.grouped,
    keptIterations: kept,
    initTrees: init.trees.length,
  };
}

/** Raw scores of binned samples before the first boosted tree: the init model's base score plus its trees. */
function startingScores(init: GbdtInit, m: BinnedMatrix): Float64Array {
  const out = new Float64Array(m.rows).fill(init.baseScore);
  for (const t of init.trees) for (let i = 0; i < m.rows; i++) out[i] = (out[i] as number) + (t.value[leafOfBinnedRow(t, m.bins, m.rows, i)] as number);
  return out;
}

/** scikit-learn's rule: stop when none of the last `patience` losses beats the one before them by more than the tolerance. */
function shouldStop(losses: readonly number[], patience: number): boolean {
  const ref = patience + 1;
  if (losses.length < ref) return false;
  const reference = (losses[losses.length - ref] as number) - TOL;
  for (let i = losses.length - ref + 1; i < losses.length; i++) if ((losses[i] as number) < reference) return false;
  return true;
}

/** Weighted mean log-loss (classifier) or half squared error (regressor) of the samples at raw scores `raw`. */
function weightedLoss(classifier: boolean, s: Samples, raw: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < raw.length; i++) {
    const w = s.w[i] as number;
    const z = raw[i] as number;
    const y = s.y[i] as number;
    // log(1 + e^z) − y·z, written to stay finite for large |z|
    num += classifier ? w * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z) : w * 0.5 * (z - y) * (z - y);
    den += w;
  }
  return den > 0 ? num / den : 0;
}
