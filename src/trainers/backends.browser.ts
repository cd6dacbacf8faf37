/** Browser registration of tfjs backends: webgpu and wasm join the webgl and cpu that @tensorflow/tfjs registers. */
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName, Tf } from './types.ts';

/** URLs of the three wasm binaries, which the worker gets from Vite `?url` imports. */
export interface WasmUrls {
  readonly 'tfjs-backend-wasm.wasm': string;
  readonly 'tfjs-backend-wasm-simd.wasm': string;
  readonly 'tfjs-backend-wasm-threaded-simd.wasm': string;
}

/** Tells the wasm backend where its binaries live and returns the backends registered, in preference order. */
export function registerBrowserBackends(tf: Tf, wasmUrls: WasmUrls): BackendName[] {
  // a file map, not a prefix: Vite fingerprints each binary's name
  setWasmPaths({ ...wasmUrls });
  const registered = Object.keys(tf.engine().registryFactory);
  return (['webgpu', 'webgl', 'wasm', 'cpu'] as const).filter((b) => registered.includes(b));
}
