/** The search worker's protocol: requests carry a requestId and get exactly one answer; progress events are separate. */
import type { Fold, PreparedFold } from '../trainers/crossValidation.ts';
import type { ImbalanceScores, ImbalanceStrategy } from '../trainers/imbalanceLab.ts';
import type { SearchData, SearchSpec, UnitResult, WorkUnit } from '../trainers/search.ts';
import type { SerializedError } from './workerErrors.ts';

/** One fold of the imbalance lab: every strategy fitted and scored on fold `fold` of the seeded stratified k-fold. */
export interface ImbalanceFoldUnit {
  readonly k: number;
  readonly seed: number;
  readonly fold: number;
  readonly strategies: readonly ImbalanceStrategy[];
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

/**
 * Everything the pool asks a worker. `load` hands over the matrix once (the worker's own transferred copy, or the
 * one shared copy; with `shareFolds` the worker prepares folds in shared memory and announces each with `prepared`);
 * `evaluate` names a search unit, optionally with the search's folds and a prepared fold to adopt (both shared);
 * `imbalanceFold` runs the imbalance lab on one fold of the loaded (classifier) data.
 */
export type SearchRequest =
  | { readonly type: 'load'; readonly requestId: number; readonly data: SearchData; readonly shareFolds?: boolean }
  | {
      readonly type: 'evaluate';
      readonly requestId: number;
      readonly spec: SearchSpec;
      readonly unit: WorkUnit;
      readonly folds?: readonly Fold[];
      readonly prepared?: SharedPreparedFold;
    }
  | { readonly type: 'imbalanceFold'; readonly requestId: number; readonly unit: ImbalanceFoldUnit };

/** Answers, one per request, carrying its requestId back. */
export type SearchResponse =
  | { readonly type: 'loaded'; readonly requestId: number; readonly rows: number }
  | { readonly type: 'result'; readonly requestId: number; readonly result: UnitResult }
  | { readonly type: 'imbalanceResult'; readonly requestId: number; readonly result: ImbalanceFoldResult }
  | { readonly type: 'error'; readonly requestId: number; readonly error: SerializedError };

/** Unsolicited events: what a worker is doing now, for the progress line. */
export type SearchEvent = { readonly type: 'progress'; readonly requestId: number; readonly stage: 'preparing' | 'fitting' | 'scoring' };

/**
 * Sent while an `evaluate` runs, once its fold is prepared (before fitting): the fold in shared memory, or null when it
 * is private (not in shared memory, e.g. resampled), so the pool knows whether other workers can adopt it.
 */
export interface FoldPrepared {
  readonly type: 'prepared';
  readonly requestId: number;
  readonly key: string;
  readonly fold: PreparedFold | null;
}

/** Anything a search worker posts. */
export type SearchMessage = SearchResponse | SearchEvent | FoldPrepared;

/** Buffers of the matrix and target, for the transfer list of a `load` request. */
export function searchDataTransferables(data: SearchData): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const buf of [data.X.buffer, data.y.buffer]) if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  return out;
}
