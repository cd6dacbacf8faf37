/// <reference lib="webworker" />
/** The search worker: a message switch around `evaluateCandidate`; it keeps the matrix and its prepared folds between units. */
import { imbalanceFoldScores } from '../trainers/imbalanceLab.ts';
import { adoptPreparedFold, cachedFolds, createSearchCache, evaluateCandidate, useFolds, type SearchCache, type SearchData } from '../trainers/search.ts';
import { isSharedFold, sharedFloat32Array } from './sharedMemory.ts';
import type { SearchMessage, SearchRequest } from './searchProtocol.ts';
import { serializeError } from './workerErrors.ts';

declare const self: DedicatedWorkerGlobalScope;

let data: SearchData | null = null;
let cache: SearchCache | null = null;
/** the evaluate being run, for the `prepared` announcement its fold preparation triggers */
let evaluating = 0;

function post(msg: SearchMessage): void {
  self.postMessage(msg);
}

self.onmessage = (ev: MessageEvent<SearchRequest>) => {
  const msg = ev.data;
  try {
    switch (msg.type) {
      case 'load':
        data = msg.data;
        // Shared folds: prepared in shared memory and announced, so the pool can hand them to the other workers.
        cache = msg.shareFolds
          ? createSearchCache(data, 2, {
              allocate: sharedFloat32Array,
              onPrepared: (key, fold) => post({ type: 'prepared', requestId: evaluating, key, fold: isSharedFold(fold) ? fold : null }),
            })
          : createSearchCache(data);
        post({ type: 'loaded', requestId: msg.requestId, rows: data.rows });
        break;
      case 'evaluate': {
        if (data === null || cache === null) throw new Error('search worker has no data; send "load" before "evaluate"');
        if (msg.folds) useFolds(cache, msg.spec, msg.folds);
        if (msg.prepared) adoptPreparedFold(cache, msg.prepared.key, msg.prepared.fold);
        evaluating = msg.requestId;
        post({ type: 'progress', requestId: msg.requestId, stage: 'fitting' });
        const result = evaluateCandidate({ data, spec: msg.spec, unit: msg.unit }, cache);
        post({ type: 'result', requestId: msg.requestId, result });
        break;
      }
      case 'imbalanceFold': {
        if (data === null || cache === null) throw new Error('search worker has no data; send "load" before "imbalanceFold"');
        if (data.task !== 'classifier') throw new Error(`the imbalance lab needs 0/1 labels, not a "${data.task}" target; load classifier data`);
        const { k, seed, fold, strategies } = msg.unit;
        // Shares the search cache's folds, so every strategy and every worker sees the same rows.
        const folds = cachedFolds(cache, k, seed);
        const t0 = performance.now();
        post({ type: 'progress', requestId: msg.requestId, stage: 'fitting' });
        const scores = imbalanceFoldScores({ X: data.X, rows: data.rows, cols: data.cols, y: data.y, seed, strategies }, folds, fold);
        post({ type: 'imbalanceResult', requestId: msg.requestId, result: { fold, scores, ms: performance.now() - t0 } });
        break;
      }
      default: {
        const never: never = msg;
        throw new Error(`unknown search request ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    post({ type: 'error', requestId: msg.requestId, error: serializeError(err) });
  }
};
