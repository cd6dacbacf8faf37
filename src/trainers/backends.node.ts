/** Node registration of tfjs backends for tests and the CLI: cpu always, wasm loaded from node_modules. */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendName, Tf } from './types.ts';

/** Points the wasm backend at its .wasm files inside node_modules; returns the backends now registered (wasm is ~20× faster than cpu in node). */
export async function registerNodeBackends(tf: Tf): Promise<BackendName[]> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(dist + path.sep);
  await tf.ready();
  const registered = Object.keys(tf.engine().registryFactory);
  return (['wasm', 'cpu'] as const).filter((b) => registered.includes(b));
}
