/** What a search worker does with each request: it keeps the matrix and its prepared folds between units. */
import { imbalanceFitFor, imbalanceFoldScores } from '../trainers/imbalanceLab.ts';
import { adoptPreparedFold, cachedFolds, createSearchCache, evaluateCandidate, useFolds, type SearchCache, type SearchData } from '../trainers/search.ts';
import { isSharedFold, sharedFloat32Array } from './sharedMemory.ts';
import type { SearchOps, SearchUnitProgress } from './searchProtocol.ts';
import type { Handlers } from './workerServer.ts';

/** The handlers of one search worker, with its own matrix and fold cache (the worker serves them; tests run them in-process). */
export function searchHandlers(): Handlers<SearchOps> {
  let data: SearchData | null = null;
  let cache: SearchCache | null = null;
  /** progress channel of the evaluate being run, for the `prepared` announcement its fold preparation triggers */
  let announce: (p: SearchUnitProgress) => void = () => undefined;

  const loaded = (op: string): { data: SearchData; cache: SearchCache } => {
    if (data === null || cache === null) throw new Error(`search worker has no data; send "load" before "${op}"`);
    return { data, cache };
  };

  return {
    load({ data: held, shareFolds }) {
      data = held;
      // Shared folds: prepared in shared memory and announced, so the pool can hand them to the other workers.
      cache = shareFolds
        ? createSearchCache(held, 2, {
            allocate: sharedFloat32Array,
            onPrepared: (key, fold) => announce({ kind: 'prepared', key, fold: isSharedFold(fold) ? fold : null }),
          })
        : createSearchCache(held);
      return { result: { rows: held.rows } };
    },
    evaluate({ spec, unit, folds, prepared }, { progress }) {
      const held = loaded('evaluate');
      if (folds) useFolds(held.cache, spec, folds);
      if (prepared) adoptPreparedFold(held.cache, prepared.key, prepared.fold);
      announce = progress;
      try {
        progress({ kind: 'stage', stage: 'fitting' });
        return { result: evaluateCandidate({ data: held.data, spec, unit }, held.cache) };
      } finally {
        announce = () => undefined;
      }
    },
    imbalanceFold({ k, seed, fold, strategies, model }, { progress }) {
      const held = loaded('imbalanceFold');
      const d = held.data;
      if (d.task !== 'classifier') throw new Error(`the imbalance lab needs 0/1 labels, not a "${d.task}" target; load classifier data`);
      // Shares the search cache's folds, so every strategy and every worker sees the same rows.
      const folds = cachedFolds(held.cache, k, seed);
      const t0 = performance.now();
      progress({ kind: 'stage', stage: 'fitting' });
      const scores = imbalanceFoldScores({ X: d.X, rows: d.rows, cols: d.cols, y: d.y, seed, strategies, fit: imbalanceFitFor(model ?? 'logistic', seed) }, folds, fold);
      return { result: { fold, scores, ms: performance.now() - t0 } };
    },
  };
}
