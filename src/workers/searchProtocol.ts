/** The search worker's protocol: requests carry a requestId and get exactly one answer; progress events are separate. */
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

/**
 * Everything the pool asks a worker. `load` transfers the worker's own copy of the matrix once; `evaluate` names a
 * search unit; `imbalanceFold` runs the imbalance lab on one fold of the loaded (classifier) data.
 */
export type SearchRequest =
  | { readonly type: 'load'; readonly requestId: number; readonly data: SearchData }
  | { readonly type: 'evaluate'; readonly requestId: number; readonly spec: SearchSpec; readonly unit: WorkUnit }
  | { readonly type: 'imbalanceFold'; readonly requestId: number; readonly unit: ImbalanceFoldUnit };

/** Answers, one per request, carrying its requestId back. */
export type SearchResponse =
  | { readonly type: 'loaded'; readonly requestId: number; readonly rows: number }
  | { readonly type: 'result'; readonly requestId: number; readonly result: UnitResult }
  | { readonly type: 'imbalanceResult'; readonly requestId: number; readonly result: ImbalanceFoldResult }
  | { readonly type: 'error'; readonly requestId: number; readonly error: SerializedError };

/** Unsolicited events: what a worker is doing now, for the progress line. */
export type SearchEvent = { readonly type: 'progress'; readonly requestId: number; readonly stage: 'preparing' | 'fitting' | 'scoring' };

/** Anything a search worker posts. */
export type SearchMessage = SearchResponse | SearchEvent;

/** Buffers of the matrix and target, for the transfer list of a `load` request. */
export function searchDataTransferables(data: SearchData): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const buf of [data.X.buffer, data.y.buffer]) if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  return out;
}
