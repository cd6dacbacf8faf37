/// <reference lib="webworker" />
/** An MLP gradient helper (`src/trainers/mlpGradient.ts`), started by a training worker: differentiates the batch slices it is sent on its own wasm backend. */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerBrowserBackends } from '../trainers/backends.browser.ts';
import { mlpGradientHandlers } from './mlpGradientHandlers.ts';
import type { MlpGradientOps } from './mlpGradientProtocol.ts';
import { serveRequests } from './workerServer.ts';

declare const self: DedicatedWorkerGlobalScope;

registerBrowserBackends(tf, {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** For the memory benchmark, as in the training worker: bytes of this helper's WebAssembly.Memory. */
(self as unknown as { __wasmMemoryBytes: () => number }).__wasmMemoryBytes = () => {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : null;
  return backend?.wasm?.HEAPU8?.byteLength ?? 0;
};

serveRequests<MlpGradientOps>(self, mlpGradientHandlers(tf, tf.setBackend('wasm')));
