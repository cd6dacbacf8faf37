/** Runs a TypeScript module in a node worker thread (through tsx, which threads do not inherit) and exchanges one message. */
import { Worker } from 'node:worker_threads';

const bootstrap = `
const { parentPort, workerData } = require('node:worker_threads');
const load = workerData.entry.endsWith('.ts')
  ? import('tsx/esm/api').then(({ tsImport }) => tsImport(workerData.entry, workerData.entry))
  : import(workerData.entry);
load.then((mod) => {
  parentPort.once('message', async (msg) => {
    try {
      const out = await mod.handle(msg, (event) => parentPort.postMessage({ type: 'event', event }));
      parentPort.postMessage({ type: 'done', out: out.value }, out.transfer ?? []);
    } catch (err) {
      parentPort.postMessage({ type: 'error', error: { name: err?.name ?? 'Error', message: err?.message ?? String(err), stack: err?.stack } });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}, (err) => { setTimeout(() => { throw err; }); });
`;

/** What a thread module exports: `handle(message, emit)` returning a value and the buffers to transfer. */
export type ThreadHandler<In, Out, Ev> = (msg: In, emit: (event: Ev) => void) => Promise<{ value: Out; transfer?: ArrayBuffer[] }>;

/** Starts `entry` in a thread, sends `msg` once it has loaded, and resolves with its answer. */
export function runInThread<In, Out, Ev>(entry: URL, msg: In, transfer: ArrayBuffer[], onEvent?: (e: Ev) => void): Promise<Out> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: { entry: entry.href } });
    worker.on('message', (m: { type: string; out?: Out; event?: Ev; error?: { name: string; message: string; stack?: string } }) => {
      if (m.type === 'ready') worker.postMessage(msg, transfer);
      else if (m.type === 'event') onEvent?.(m.event as Ev);
      else if (m.type === 'done') { resolve(m.out as Out); void worker.terminate(); }
      else if (m.type === 'error') {
        const err = new Error(m.error?.message ?? 'thread failed');
        err.name = m.error?.name ?? 'Error';
        reject(err);
        void worker.terminate();
      }
    });
    worker.on('error', reject);
  });
}
