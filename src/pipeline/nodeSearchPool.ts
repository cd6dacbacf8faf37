/** The search pool in node: the same scheduler and the same search.worker.ts, run on worker_threads. */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SearchPool, poolSize, type SearchEndpoint } from '../workers/searchPool.ts';
import type { SearchMessage } from '../workers/searchProtocol.ts';

const workerEntry = new URL('../workers/search.worker.ts', import.meta.url).href;
/** Path of the worker module, for error messages, tests and the bundle. */
export const searchWorkerPath = fileURLToPath(workerEntry);

/**
 * Gives the browser worker a `self` in a worker thread, then imports it (TypeScript through tsx's scoped loader,
 * since a thread does not inherit the parent's loader hooks). Messages that arrive while it loads are queued.
 */
const bootstrap = `
const { parentPort, workerData } = require('node:worker_threads');
const queue = [];
let ready = false;
globalThis.self = { postMessage: (m, t) => parentPort.postMessage(m, t), onmessage: null };
parentPort.on('message', (data) => { if (ready) globalThis.self.onmessage({ data }); else queue.push(data); });
const load = workerData.entry.endsWith('.ts')
  ? import('tsx/esm/api').then(({ tsImport }) => tsImport(workerData.entry, workerData.entry))
  : import(workerData.entry);
load.then(() => {
  ready = true;
  for (const data of queue.splice(0)) globalThis.self.onmessage({ data });
}, (err) => { setTimeout(() => { throw err; }); });
`;

/** One worker thread running search.worker.ts (or its compiled .js). */
export function nodeSearchEndpoint(entry: string = workerEntry): SearchEndpoint {
  const worker = new Worker(bootstrap, { eval: true, workerData: { entry } });
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    listen: (onMessage, onCrash) => {
      worker.on('message', (msg: SearchMessage) => onMessage(msg));
      worker.on('error', onCrash);
      worker.on('exit', (code) => {
        if (code !== 0 && code !== 1) onCrash(new Error(`exited with code ${code}`));
      });
    },
    terminate: () => {
      void worker.terminate();
    },
  };
}

/**
 * A node pool sized to the machine's parallelism unless `size` is given (the bench compares 2 and 1). Threads share
 * one copy of the matrix; `entry` is the worker module, e.g. from `bundleSearchWorker` (default: the .ts through tsx).
 */
export function createNodeSearchPool(options: { readonly size?: number; readonly parallelism?: number; readonly entry?: string } = {}): SearchPool {
  const entry = options.entry ?? workerEntry;
  return new SearchPool({
    size: options.size ?? poolSize(options.parallelism ?? availableParallelism(), Number.POSITIVE_INFINITY),
    createEndpoint: () => nodeSearchEndpoint(entry),
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
