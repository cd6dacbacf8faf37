/// <reference lib="webworker" />
/** The search worker: a message switch around `evaluateCandidate`; it keeps the matrix and its prepared folds between units. */
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
      default: {
        const never: never = msg;
        throw new Error(`unknown search request ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    post({ type: 'error', requestId: msg.requestId, error: serializeError(err) });
  }
};
