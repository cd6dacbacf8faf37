/** The search worker's protocol: `load` the matrix once, then `evaluate` search units and `imbalanceFold` lab folds. */
import type { Fold, PreparedFold } from '../trainers/crossValidation.ts';
import type { ImbalanceModel, ImbalanceScores, ImbalanceStrategy } from '../trainers/imbalanceLab.ts';
import type { SearchData, SearchSpec, UnitResult, WorkUnit } from '../trainers/search.ts';
import { transferables } from './transferables.ts';
import type { Operation } from './workerProtocol.ts';

/** One fold of the imbalance lab: every strategy fitted and scored on fold `fold` of the seeded stratified k-fold. */
export interface ImbalanceFoldUnit {
  readonly k: number;
  readonly seed: number;
  readonly fold: number;
  readonly strategies: readonly ImbalanceStrategy[];
  /** the model every strategy is fitted with; default logistic regression */
  readonly model?: ImbalanceModel;
}

/** Per-strategy scores of one imbalance-lab fold. */
export interface ImbalanceFoldResult {
  readonly fold: number;
  readonly scores: ReadonlyArray<readonly [ImbalanceStrategy, ImbalanceScores]>;
  readonly ms: number;
}

/** A prepared fold in shared memory, under its `preparedFoldKey`: any worker can adopt it instead of preparing it. */
export interface SharedPreparedFold {
  readonly key: string;
  readonly fold: PreparedFold;
}

/** The matrix to hold; with `shareFolds` (the matrix is in shared memory) folds are prepared in shared memory and announced. */
export interface SearchLoad {
  readonly data: SearchData;
  readonly shareFolds?: boolean;
}

/** One search unit, optionally with the search's folds and a prepared fold to adopt (both in shared memory). */
export interface SearchEvaluate {
  readonly spec: SearchSpec;
  readonly unit: WorkUnit;
  readonly folds?: readonly Fold[];
  readonly prepared?: SharedPreparedFold;
}

/**
 * Progress of a unit: the stage it is in, or, once its fold is prepared (before fitting), the fold in shared memory, or
 * null when it is private (not in shared memory, e.g. resampled), so the pool knows whether other workers can adopt it.
 */
export type SearchUnitProgress =
  | { readonly kind: 'stage'; readonly stage: 'preparing' | 'fitting' | 'scoring' }
  | { readonly kind: 'prepared'; readonly key: string; readonly fold: PreparedFold | null };

/**
 * The search worker's operations. `load` hands over the matrix once (the worker's own transferred copy, or the one
 * shared copy); `evaluate` scores one (candidate, fold) unit; `imbalanceFold` runs the imbalance lab on one fold of the
 * loaded (classifier) data.
 */
export type SearchOps = {
  readonly load: Operation<SearchLoad, { readonly rows: number }>;
  readonly evaluate: Operation<SearchEvaluate, UnitResult, SearchUnitProgress>;
  readonly imbalanceFold: Operation<ImbalanceFoldUnit, ImbalanceFoldResult, SearchUnitProgress>;
};

/** Buffers of the matrix and target, for the transfer list of a `load` request (none when they are shared). */
export function searchDataTransferables(data: SearchData): ArrayBuffer[] {
  return transferables(data.X, data.y);
}
