/** A fitted tree ensemble (boosted or forest) and its prediction: raw scores, probabilities, per-tree progress. */
import type { BinEdges } from './binning.ts';
import { distinctBinnedRows } from './rowGroups.ts';
import { addTreeOutputs, type Tree } from './tree.ts';

/** Which ensemble: gradient-boosted trees or a random forest. */
export type TreeModelKind = 'gbdt' | 'rf';

/** Trees plus how their outputs combine: raw(x) = baseScore + treeScale · Σ tree(x). */
export interface TreeEnsemble {
  readonly model: TreeModelKind;
  readonly task: 'classifier' | 'regressor';
  readonly cols: number;
  readonly edges: BinEdges;
  /** boosting's initial raw score (log-odds or mean); 0 for a forest */
  readonly baseScore: number;
  /** 1 for boosting (the learning rate is in the leaves), 1/trees for a forest (an average) */
  readonly treeScale: number;
  readonly trees: readonly Tree[];
}

/** One tree's progress: the loss of the ensemble so far on training and validation rows. */
export interface TreeProgress {
  readonly tree: number;
  readonly trees: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly ms: number;
}

/** Thrown when the caller's signal aborts training between two trees. */
export class TrainingCancelled extends Error {
  constructor(trees: number) {
    super(`training cancelled after ${trees} trees`);
    this.name = 'AbortError';
  }
}

/** An abort flag checked once per tree (an AbortSignal fits). */
export interface CancelFlag {
  readonly aborted: boolean;
}

/**
 * Raw scores (log-odds for a boosted classifier, probability for a forest classifier) of the rows of a row-major matrix
 * (all rows, or `rowIdx`). Identical binned rows take identical paths, so each distinct one walks the trees once, tree
 * by tree (one tree's nodes stay in cache for every row).
 */
export function predictRaw(e: TreeEnsemble, X: Float32Array, rowIdx?: Uint32Array): Float64Array {
  const d = distinctBinnedRows(X, e.cols, e.edges, rowIdx);
  const acc = new Float64Array(d.rows);
  for (const t of e.trees) addTreeOutputs(t, d.bins, d.cols, d.rows, acc);
  const scale = e.treeScale;
  const base = e.baseScore;
  const groupOf = d.groupOf;
  const out = new Float64Array(groupOf.length);
  for (let i = 0; i < out.length; i++) out[i] = base + scale * (acc[groupOf[i] as number] as number);
  return out;
}

/** What a user reads: P(positive) for a classifier, the target's own units (before any log back-transform) for a regressor. */
export function outputFromRaw(e: Pick<TreeEnsemble, 'task' | 'model'>, raw: Float64Array): Float64Array {
  if (e.task === 'classifier' && e.model === 'gbdt') return raw.map(sigmoid);
  return raw;
}

/** The logistic function, safe for large |z|. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Total split gain per feature over all trees, each tree's share normalised by the ensemble's weight (gain importance). */
export function gainImportance(e: TreeEnsemble): Float64Array {
  const out = new Float64Array(e.cols);
  for (const t of e.trees) {
    for (let i = 0; i < t.nodes; i++) {
      const f = t.feature[i] as number;
      if (f >= 0) out[f] = (out[f] as number) + (t.gain[i] as number);
    }
  }
  const total = out.reduce((s, v) => s + v, 0);
  if (total > 0) for (let f = 0; f < out.length; f++) out[f] = (out[f] as number) / total;
  return out;
}
