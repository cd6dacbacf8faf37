/** The search pool in node: the same scheduler and the same search.worker.ts, run on worker_threads. */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SearchPool, poolSize } from '../workers/searchPool.ts';
import { nodeWorkerEndpoint } from './threads.ts';

const workerEntry = new URL('../workers/search.worker.ts', import.meta.url).href;
/** Path of the worker module, for error messages, tests and the bundle. */
export const searchWorkerPath = fileURLToPath(workerEntry);

/**
 * A node pool sized to the machine's parallelism unless `size` is given (the bench compares 2 and 1). Threads share
 * one copy of the matrix; `entry` is the worker module, e.g. from `bundleSearchWorker` (default: the .ts through tsx).
 */
export function createNodeSearchPool(options: { readonly size?: number; readonly parallelism?: number; readonly entry?: string } = {}): SearchPool {
  const entry = options.entry ?? workerEntry;
  return new SearchPool({
    size: options.size ?? poolSize(options.parallelism ?? availableParallelism(), Number.POSITIVE_INFINITY),
    createEndpoint: () => nodeWorkerEndpoint(entry),
    shareMemory: true,
  });
}

/**
 * Bundles search.worker.ts and the modules it imports into one ES module (esbuild, as tsx uses), so a thread starts by
 * loading plain JavaScript instead of registering tsx and transpiling each file: ~30 ms instead of ~200 ms per
 * thread, and threads no longer queue for the transpiler. Written to `outFile`, else to a fresh temporary folder
 * removed when the process exits. Returns the bundle's file URL for `createNodeSearchPool`.
 */
export async function bundleSearchWorker(outFile?: string): Promise<string> {
  const { build } = await import('esbuild');
  let target = outFile;
  if (target === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'search-worker-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    target = join(dir, 'search.worker.mjs');
  }
  await build({ entryPoints: [searchWorkerPath], outfile: target, bundle: true, format: 'esm', platform: 'neutral', sourcemap: true, logLevel: 'warning' });
  return pathToFileURL(target).href;
}
