/// <reference lib="webworker" />
/** The importance worker: scores a model bundle's dense network in plain TypeScript (no TensorFlow.js to load) and runs permutation importance on it. */
import { predictBundle } from '../trainers/bundleForward.ts';
import { permutationImportance } from '../trainers/permutationImportance.ts';
import type { ImportanceJob, ImportanceRequest, ImportanceResponse } from './importanceProtocol.ts';
import { serializeError } from './workerErrors.ts';

declare const self: DedicatedWorkerGlobalScope;

const controllers = new Map<number, AbortController>();

function post(msg: ImportanceResponse): void {
  self.postMessage(msg);
}

async function run(requestId: number, job: ImportanceJob): Promise<void> {
  const ctrl = new AbortController();
  controllers.set(requestId, ctrl);
  try {
    // a few hundred predictions of ~100k rows: a plain dense forward pass beats tfjs-cpu by far and needs no backend start-up
    let factor: Float32Array | null = null;
    if (job.storedPredictions) {
      // two-stage: hold the stored P(order) factor fixed while the revenue model is probed
      const base = predictBundle(job.bundle, job.X, job.rows);
      const stored = job.storedPredictions;
      factor = Float32Array.from(base, (v, i) => (v > 0 ? (stored[i] ?? 0) / v : 0));
    }
    const predict = (X: Float32Array, rows: number): Float32Array => {
      const p = predictBundle(job.bundle, X, rows);
      if (factor) for (let i = 0; i < p.length; i++) p[i] = (p[i] ?? 0) * (factor[i] ?? 0);
      return p;
    };
    const result = await permutationImportance({
      predict, X: job.X, rows: job.rows, cols: job.cols, featureGroups: job.featureGroups, y: job.y, score: job.score,
      repeats: job.repeats, seed: job.seed, maxRows: job.maxRows, signal: ctrl.signal,
      onProgress: (done, total) => post({ type: 'progress', requestId, done, total }),
    });
    post({ type: 'done', requestId, result, backend: 'plain TypeScript forward pass' });
  } catch (err) {
    post({ type: 'error', requestId, error: serializeError(err) });
  } finally {
    controllers.delete(requestId);
  }
}

self.onmessage = (ev: MessageEvent<ImportanceRequest>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'run':
      void run(msg.requestId, msg.job);
      break;
    case 'cancel':
      controllers.get(msg.requestId)?.abort();
      break;
    default: {
      const never: never = msg;
      throw new Error(`unknown importance request ${JSON.stringify(never)}`);
    }
  }
};
