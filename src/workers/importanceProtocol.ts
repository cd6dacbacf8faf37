/**
 * The importance worker's protocol: `run`, a permutation-importance job (progress counts permutations), `shap`, exact
 * TreeSHAP of some test rows of a tree model (progress counts trees), and `shapBlock`, the contributions of one block
 * of its trees (the SHAP cell splits the trees between two workers and adds the blocks up).
 */
import type { AnyBundle } from '../trainers/bundle.ts';
import type { ShapBlock, ShapExplanation, ShapProgress } from '../trainers/trees/shapExplain.ts';
import type { TreeRange } from '../trainers/trees/treeShap.ts';
import type { TreeBundle } from '../trainers/trees/treeBundle.ts';
import type { ImportanceScore, PermutationImportanceResult } from '../trainers/permutationImportance.ts';
import { transferables } from './transferables.ts';
import type { Operation } from './workerProtocol.ts';

/** The test split's raw rows, its targets and the model to judge. */
export interface ImportanceJob {
  readonly bundle: AnyBundle;
  /** row-major rows × cols, raw (unscaled) model-matrix values */
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly featureGroups: readonly string[];
  readonly y: Float32Array | Float64Array;
  readonly score: ImportanceScore;
  readonly repeats: number;
  readonly seed: number;
  /** score a seeded sample of at most this many test rows */
  readonly maxRows: number;
  /** two-stage regressor: the stored test predictions, so P(order) is held fixed while its revenue model is probed */
  readonly storedPredictions?: Float64Array;
}

/** A finished job and what scored it. */
export interface ImportanceOutcome {
  readonly result: PermutationImportanceResult;
  readonly backend: string;
}

/** Permutations scored so far, of `total`. */
export interface ImportanceProgress {
  readonly done: number;
  readonly total: number;
}

/** The importance worker's operations. */
export type ImportanceOps = {
  readonly run: Operation<ImportanceJob, ImportanceOutcome, ImportanceProgress>;
  readonly shap: Operation<ShapJob, ShapExplanation, ShapProgress>;
  readonly shapBlock: Operation<ShapBlockJob, ShapBlock, ShapProgress>;
};

/** Test rows to explain with a tree model: row-major raw model-matrix values and each column's feature group. */
export interface ShapJob {
  /** the model, sent once per worker; null when this worker was sent it already under `modelKey` */
  readonly bundle: TreeBundle | null;
  /** names the model in the worker (a key per bundle object on the page) */
  readonly modelKey: string;
  readonly X: Float32Array;
  readonly rows: number;
  readonly featureGroups: readonly string[];
}

/** The same rows, explained by one block of the model's trees. */
export interface ShapBlockJob extends ShapJob {
  readonly trees: TreeRange;
}

/** Buffers of a SHAP job (the rows are a copy the caller does not keep). */
export function shapTransferables(job: ShapJob): ArrayBuffer[] {
  return transferables(job.X);
}

/** Buffers of a SHAP answer. */
export function shapResultTransferables(r: ShapExplanation): ArrayBuffer[] {
  return transferables(r.values, r.raw, r.output, r.colour);
}

/** Buffers of a block's answer. */
export function shapBlockTransferables(r: ShapBlock): ArrayBuffer[] {
  return transferables(r.values, r.raw ?? undefined);
}

/** Buffers of a job, for the transfer list (the caller passes copies; the bundle stays the caller's). */
export function importanceTransferables(job: ImportanceJob): ArrayBuffer[] {
  return transferables(job.X, job.y, job.storedPredictions);
}
