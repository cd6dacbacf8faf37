/// <reference lib="webworker" />
/** The search worker: a message switch around `evaluateCandidate`; it keeps the matrix and its prepared folds between units. */
import { makeFolds, type Fold } from '../trainers/crossValidation.ts';
import { imbalanceFoldScores } from '../trainers/imbalanceLab.ts';
import { createSearchCache, evaluateCandidate, type SearchCache, type SearchData } from '../trainers/search.ts';
import type { SearchMessage, SearchRequest } from './searchProtocol.ts';
import { serializeError } from './workerErrors.ts';

declare const self: DedicatedWorkerGlobalScope;

let data: SearchData | null = null;
let cache: SearchCache | null = null;

function post(msg: SearchMessage): void {
  self.postMessage(msg);
}

self.onmessage = (ev: MessageEvent<SearchRequest>) => {
  const msg = ev.data;
  try {
    switch (msg.type) {
      case 'load':
        data = msg.data;
        cache = createSearchCache(data);
        post({ type: 'loaded', requestId: msg.requestId, rows: data.rows });
        break;
      case 'evaluate': {
        if (data === null || cache === null) throw new Error('search worker has no data; send "load" before "evaluate"');
        post({ type: 'progress', requestId: msg.requestId, stage: 'fitting' });
        const result = evaluateCandidate({ data, spec: msg.spec, unit: msg.unit }, cache);
        post({ type: 'result', requestId: msg.requestId, result });
        break;
      }
      case 'imbalanceFold': {
        if (data === null || cache === null) throw new Error('search worker has no data; send "load" before "imbalanceFold"');
        if (data.task !== 'classifier') throw new Error(`the imbalance lab needs 0/1 labels, not a "${data.task}" target; load classifier data`);
        const { k, seed, fold, strategies } = msg.unit;
        const key = `${k}:${seed}`;
        // Shares the search cache's folds, so every strategy and every worker sees the same rows.
        let folds: readonly Fold[] | undefined = cache.folds.get(key);
        if (!folds) {
          folds = makeFolds(data.y, 'classifier', k, seed);
          cache.folds.set(key, folds);
        }
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
