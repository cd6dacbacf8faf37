/// <reference lib="webworker" />
/** The training worker: a message switch around the pure trainers, with backend choice and fallback. */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerBrowserBackends } from '../trainers/backends.browser.ts';
import { matMulWarmup, selectBackend, withFallback, type BackendChoice } from '../trainers/backend.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import type { BackendName } from '../trainers/types.ts';
import { outcomeTransferables, type TrainJob, type TrainOutcome, type TrainRequest, type TrainResponse } from './trainProtocol.ts';
import { serializeError } from './workerErrors.ts';

declare const self: DedicatedWorkerGlobalScope;

const available = registerBrowserBackends(tf, {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
const controllers = new Map<number, AbortController>();
let autoChoice: Promise<BackendChoice> | null = null;

function post(msg: TrainResponse, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

async function choose(job: TrainJob): Promise<BackendChoice> {
  const warmup = matMulWarmup(Math.min(job.config.batchSize, 1024), job.matrix.cols);
  if (job.backend !== 'auto') return selectBackend(tf, available, { forced: job.backend, warmup });
  // measured once per worker: the page's adapters do not change between runs
  autoChoice ??= selectBackend(tf, available, { warmup });
  const choice = await autoChoice;
  if (tf.getBackend() !== choice.chosen) await tf.setBackend(choice.chosen);
  return choice;
}

async function run(requestId: number, job: TrainJob): Promise<void> {
  const ctrl = new AbortController();
  controllers.set(requestId, ctrl);
  try {
    const choice = await choose(job);
    post({ type: 'backend', requestId, choice });
    const order: BackendName[] = [choice.chosen, ...available.filter((b) => b !== choice.chosen && (b === 'wasm' || b === 'cpu'))];
    const onEpoch = (log: Parameters<NonNullable<Parameters<typeof trainClassifier>[0]['onEpoch']>>[0]) => post({ type: 'epoch', requestId, log });
    const { result: outcome } = await withFallback<TrainOutcome>(
      tf,
      order,
      async () => {
        if (job.kind === 'classifier') {
          const result = await trainClassifier({ tf, matrix: job.matrix, y: job.y, config: job.config, onEpoch, signal: ctrl.signal, dataSha256: job.dataSha256 });
          return { kind: 'classifier', result };
        }
        const result = await trainRegressor({
          tf, matrix: job.matrix, revenue: job.revenue, isOrdered: job.isOrdered, config: job.config, onEpoch, signal: ctrl.signal, dataSha256: job.dataSha256,
        });
        return { kind: 'regressor', result };
      },
      (message) => post({ type: 'fallback', requestId, message }),
    );
    post({ type: 'done', requestId, outcome, numTensors: tf.memory().numTensors }, outcomeTransferables(outcome));
  } catch (err) {
    post({ type: 'error', requestId, error: serializeError(err), numTensors: tf.memory().numTensors });
  } finally {
    controllers.delete(requestId);
  }
}

/** For the memory benchmark (CDP evaluates it): bytes of the wasm backend's WebAssembly.Memory, when it is active. */
(self as unknown as { __wasmMemoryBytes: () => number }).__wasmMemoryBytes = () => {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : null;
  return backend?.wasm?.HEAPU8?.byteLength ?? 0;
};

self.onmessage = (ev: MessageEvent<TrainRequest>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'train':
      void run(msg.requestId, msg.job);
      break;
    case 'cancel':
      controllers.get(msg.requestId)?.abort();
      break;
    case 'memory':
      post({ type: 'memory', requestId: msg.requestId, numTensors: tf.memory().numTensors, backend: tf.getBackend() ?? 'none' });
      break;
    default: {
      const never: never = msg;
      throw new Error(`unknown train request ${JSON.stringify(never)}`);
    }
  }
};
