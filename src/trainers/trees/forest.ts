/**
 * Random forest on the histogram grower (scikit-learn's RandomForest{Classifier,Regressor} in behaviour): each tree
 * sees a bootstrap sample of the training rows and draws √features (classifier) or all features (regressor) per
 * split; Gini (weighted, with class weights) or squared-error splits; the forest averages leaf probabilities / means.
 */
import { createRng } from '../random.ts';
import { fitBinEdges } from './binning.ts';
import { prepareSamples, type TreeFitRows } from './boosting.ts';
import { type CancelFlag, TrainingCancelled, type TreeEnsemble, type TreeProgress } from './ensemble.ts';
import { TreeGrower } from './grower.ts';
import { leafOfBinnedRow, type Tree } from './tree.ts';

/** Settings of the forest; defaults are the user's seed notebook's. */
export interface ForestParams {
  readonly nTrees: number;
  /** null for no limit */
  readonly maxDepth: number | null;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  /** features drawn per split: 'sqrt' (scikit-learn's classifier default), or a share in (0, 1] */
  readonly maxFeatures: 'sqrt' | number;
  readonly bootstrap: boolean;
  readonly maxBins: number;
  readonly seed: number;
}

/** 200 trees of depth 15, min_samples_split 5, √features per split, bootstrap. */
export const DEFAULT_FOREST_PARAMS: ForestParams = {
  nTrees: 200, maxDepth: 15, minSamplesSplit: 5, minSamplesLeaf: 1, maxFeatures: 'sqrt', bootstrap: true, maxBins: 255, seed: 42,
};

/** Inputs of `fitForest`. */
export interface FitForestOptions {
  readonly task: 'classifier' | 'regressor';
  readonly train: TreeFitRows;
  /** the validation loss curve uses these rows */
  readonly valid?: TreeFitRows;
  readonly params: ForestParams;
  readonly onTree?: (p: TreeProgress) => void;
  readonly signal?: CancelFlag;
  readonly now?: () => number;
}

/** A fitted forest with its per-tree loss curve. */
export interface ForestFit {
  readonly ensemble: TreeEnsemble;
  readonly history: readonly TreeProgress[];
  readonly grouped: boolean;
}

/** Rows on which the training loss curve is followed when the rows are not grouped (a seeded sample). */
const LOSS_SAMPLE = 20_000;

/** Checks the forest settings and names the field when one is off. */
export function checkForestParams(p: ForestParams, trainRows: number): void {
  const bad = (field: string, value: number | string, hint: string): never => {
    throw new Error(`${field} ${value} is out of range; use ${hint}`);
  };
  if (!Number.isInteger(p.nTrees) || p.nTrees < 1) bad('nTrees', p.nTrees, 'an integer >= 1 such as 200');
  if (p.maxDepth !== null && !(Number.isInteger(p.maxDepth) && p.maxDepth >= 1)) bad('maxDepth', p.maxDepth, 'an integer >= 1 such as 15');
  if (!Number.isInteger(p.minSamplesSplit) || p.minSamplesSplit < 2) bad('minSamplesSplit', p.minSamplesSplit, 'an integer >= 2 such as 5');
  if (!Number.isInteger(p.minSamplesLeaf) || p.minSamplesLeaf < 1) bad('minSamplesLeaf', p.minSamplesLeaf, 'an integer >= 1 such as 1');
  if (p.minSamplesLeaf > trainRows) bad('minSamplesLeaf', p.minSamplesLeaf, `at most the ${trainRows} training rows`);
  if (p.maxFeatures !== 'sqrt' && !(p.maxFeatures > 0 && p.maxFeatures <= 1)) bad('maxFeatures', p.maxFeatures, '"sqrt" or a share in (0, 1]');
}

/** Fits a random forest; checks the signal before each tree and throws `TrainingCancelled` when it is set. */
export function fitForest(o: FitForestOptions): ForestFit {
  const p = o.params;
  const now = o.now ?? (() => performance.now());
  const { train } = o;
  const n = train.rowIdx.length;
  checkForestParams(p, n);
  const classifier = o.task === 'classifier';
  if (classifier) {
    for (let i = 0; i < n; i++) {
      const v = train.y[i];
      if (v !== 0 && v !== 1) throw new Error(`target value ${v} at training row ${i} is not 0/1; pick a binary target`);
    }
  }
  const cols = train.cols;
  const edges = fitBinEdges(train.X, cols, train.rowIdx, p.seed, p.maxBins);
  const s = prepareSamples(train, edges, true);
  const S = s.binned.rows;
  // bootstrap draws pick rows; with grouped rows, a drawn row counts for its group
  const alias = s.grouped ? aliasTable(s.c) : null;
  const perRowWeight = new Float64Array(S);
  for (let i = 0; i < S; i++) perRowWeight[i] = (s.w[i] as number) / (s.c[i] as number);

  const g = new Float64Array(S);
  const h = new Float64Array(S);
  const c = new Float64Array(S);
  const grower = new TreeGrower({ binned: s.binned, edges, g, h, c });
  const featuresPerSplit = p.maxFeatures === 'sqrt'
    ? (classifier ? Math.max(1, Math.floor(Math.sqrt(cols))) : cols)
    : Math.max(1, Math.floor(p.maxFeatures * cols));
  const trees: Tree[] = [];
  const history: TreeProgress[] = [];
  const draws = new Uint32Array(S);
  const inBag = new Uint32Array(S);
  const v = o.valid ? prepareSamples(o.valid, edges, true) : null;
  const sumValid = v ? new Float64Array(v.binned.rows) : null;
  const lossRows = S <= LOSS_SAMPLE ? null : sampleRows(S, LOSS_SAMPLE, p.seed);
  const sumTrain = new Float64Array(lossRows ? lossRows.length : S);
  const leafValue = (G: number, H: number): number => (H > 0 ? G / H : 0);
  for (let t = 0; t < p.nTrees; t++) {
    if (o.signal?.aborted) throw new TrainingCancelled(trees.length);
    const t0 = now();
    const rng = createRng(p.seed * 7919 + t * 104729 + 1);
    draws.fill(0);
    if (p.bootstrap && alias) {
      // n draws of a row, uniform; a row's group is drawn with probability count/n, straight from the alias table
      const { prob, other } = alias;
      for (let d = 0; d < n; d++) {
        const u = rng() * S;
        const i = Math.floor(u);
        const k = u - i < (prob[i] as number) ? i : (other[i] as number);
        draws[k] = (draws[k] as number) + 1;
      }
    } else if (p.bootstrap) {
      for (let d = 0; d < n; d++) {
        const k = Math.floor(rng() * n);
        draws[k] = (draws[k] as number) + 1;
      }
    } else {
      for (let i = 0; i < S; i++) draws[i] = s.c[i] as number;
    }
    let m = 0;
    for (let i = 0; i < S; i++) {
      const k = draws[i] as number;
      if (k === 0) {
        g[i] = 0;
        h[i] = 0;
        c[i] = 0;
        continue;
      }
      const w = k * (perRowWeight[i] as number);
      g[i] = w * (s.y[i] as number);
      h[i] = w;
      c[i] = k;
      inBag[m++] = i;
    }
    const grown = grower.grow(inBag.subarray(0, m), {
      maxLeafNodes: Number.POSITIVE_INFINITY, maxDepth: p.maxDepth ?? Number.POSITIVE_INFINITY, minSamplesLeaf: p.minSamplesLeaf,
      minSamplesSplit: p.minSamplesSplit, l2: 0, minHessian: 0, featuresPerSplit, rng,
    }, leafValue);
    const tree = grown.tree;
    trees.push(tree);
    const T = trees.length;
    if (lossRows) {
      for (let k = 0; k < lossRows.length; k++) sumTrain[k] = (sumTrain[k] as number) + (tree.value[leafOfBinnedRow(tree, s.binned.bins, S, lossRows[k] as number)] as number);
    } else {
      for (let i = 0; i < S; i++) sumTrain[i] = (sumTrain[i] as number) + (tree.value[leafOfBinnedRow(tree, s.binned.bins, S, i)] as number);
    }
    const loss = forestLoss(classifier, s.y, s.w, sumTrain, T, lossRows);
    let valLoss = loss;
    if (v && sumValid) {
      const vr = v.binned.rows;
      for (let i = 0; i < vr; i++) sumValid[i] = (sumValid[i] as number) + (tree.value[leafOfBinnedRow(tree, v.binned.bins, vr, i)] as number);
      valLoss = forestLoss(classifier, v.y, v.w, sumValid, T, null);
    }
    const progress: TreeProgress = { tree: T, trees: p.nTrees, loss, valLoss, ms: now() - t0 };
    history.push(progress);
    o.onTree?.(progress);
  }
  return {
    ensemble: { model: 'rf', task: o.task, cols, edges, baseScore: 0, treeScale: 1 / trees.length, trees },
    history,
    grouped: s.grouped,
  };
}

/** A seeded sample of k of the n sample indices, ascending. */
function sampleRows(n: number, k: number, seed: number): Uint32Array {
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed + 17);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = all[i] as number;
    all[i] = all[j] as number;
    all[j] = t;
  }
  return all.slice(0, k).sort();
}

/** Weighted log-loss (probabilities clipped to 1e-7) or mean squared error of the forest average sum/T. */
function forestLoss(classifier: boolean, y: Float64Array, w: Float64Array, sum: Float64Array, T: number, rows: Uint32Array | null): number {
  let num = 0;
  let den = 0;
  const count = rows ? rows.length : sum.length;
  for (let k = 0; k < count; k++) {
    const i = rows ? (rows[k] as number) : k;
    const pred = (sum[k] as number) / T;
    const yi = y[i] as number;
    const wi = w[i] as number;
    if (classifier) {
      const pr = Math.min(1 - 1e-7, Math.max(1e-7, pred));
      num -= wi * (yi * Math.log(pr) + (1 - yi) * Math.log(1 - pr));
    } else {
      num += wi * (pred - yi) * (pred - yi);
    }
    den += wi;
  }
  return den > 0 ? num / den : 0;
}

/** Walker's alias table for drawing index i with probability weight[i] / Σ weight in O(1). */
export function aliasTable(weight: Float64Array): { prob: Float64Array; other: Uint32Array } {
  const n = weight.length;
  const total = weight.reduce((a, b) => a + b, 0);
  const prob = new Float64Array(n);
  const other = Uint32Array.from({ length: n }, (_, i) => i);
  const scaled = Float64Array.from(weight, (w) => (w * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((v, i) => (v < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop() as number;
    const l = large[large.length - 1] as number;
    prob[s] = scaled[s] as number;
    other[s] = l;
    scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
    if ((scaled[l] as number) < 1) {
      large.pop();
      small.push(l);
    }
  }
  for (const i of large) prob[i] = 1;
  for (const i of small) prob[i] = 1;
  return { prob, other };
}
