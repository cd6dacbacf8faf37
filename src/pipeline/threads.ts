/**
 * Node worker threads behind the one worker client: a thread runs a worker module written for the browser (it serves
 * requests on `self` with `serveRequests`), so the pipeline, the search pool and the tests speak the same vocabulary.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerEndpoint } from '../workers/workerClient.ts';
import type { Operations } from '../workers/workerProtocol.ts';

/**
 * Gives the worker module a `self` in the thread, then imports it (TypeScript through tsx's scoped loader, since a
 * thread does not inherit the parent's loader hooks). Messages that arrive while it loads are queued.
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

/** One worker thread running `entry` (a file URL of a .ts module, through tsx, or of a bundled .js/.mjs module). */
export function nodeWorkerEndpoint<Ops extends Operations>(entry: string): WorkerEndpoint<Ops> {
  const worker = new Worker(bootstrap, { eval: true, workerData: { entry } });
  let stopping = false;
  return {
    post: (message, transfer) => worker.postMessage(message, [...transfer]),
    listen: (onMessage, onCrash) => {
      worker.on('message', onMessage);
      worker.on('error', onCrash);
      worker.on('exit', (code) => {
        if (!stopping) onCrash(new Error(`thread exited with code ${code}`));
      });
    },
    terminate: () => {
      stopping = true;
      void worker.terminate();
    },
  };
}
