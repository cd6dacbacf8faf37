/** A worker for the client's tests (src/workers/workerClient.test.ts runs it on a thread): small operations that report progress, honour or ignore cancel, fail, crash. */
import { threadId } from 'node:worker_threads';
import { transferables } from '../src/workers/transferables.ts';
import type { Operation } from '../src/workers/workerProtocol.ts';
import { serveRequests, type WorkerScope } from '../src/workers/workerServer.ts';

declare const self: WorkerScope;

/** The test worker's operations. */
export type TestOps = {
  /** progress 1..n, one every `everyMs`, a log line after the first, then n */
  readonly count: Operation<{ readonly n: number; readonly everyMs: number }, number, number>;
  /** answers only when cancelled (with an AbortError) */
  readonly waitForCancel: Operation<null, never>;
  /** never answers and ignores cancel */
  readonly silent: Operation<null, never>;
  /** blocks the thread for `ms` (cannot see a cancel meanwhile), then answers */
  readonly block: Operation<{ readonly ms: number }, string>;
  /** throws an error with this name and message */
  readonly fail: Operation<{ readonly name: string; readonly message: string }, never>;
  /** throws outside any request, which kills the thread */
  readonly crash: Operation<null, never>;
  /** the sum and length of the array it received, and the array back (transferred) */
  readonly sum: Operation<Float32Array, { readonly sum: number; readonly length: number; readonly back: Float32Array }>;
  /** the thread's id, to tell a restarted worker from the first */
  readonly thread: Operation<null, number>;
};

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(Object.assign(new Error('stopped on request'), { name: 'AbortError' }));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

serveRequests<TestOps>(self, {
  async count({ n, everyMs }, { signal, progress, log }) {
    for (let i = 1; i <= n; i++) {
      await Promise.race([sleep(everyMs), aborted(signal)]);
      progress(i);
      if (i === 1) log('counting');
    }
    return { result: n };
  },
  waitForCancel: (_input, { signal }) => aborted(signal),
  silent: () => new Promise<never>(() => undefined),
  block({ ms }) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // busy: the thread cannot read its messages
    }
    return { result: 'unblocked' };
  },
  fail({ name, message }) {
    throw Object.assign(new Error(message), { name });
  },
  crash() {
    setTimeout(() => {
      throw new Error('thread fell over');
    });
    return new Promise<never>(() => undefined);
  },
  sum(values) {
    const sum = values.reduce((a, b) => a + b, 0);
    const back = values.map((v) => v * 2);
    return { result: { sum, length: values.length, back }, transfer: transferables(back) };
  },
  thread: () => ({ result: threadId }),
});
