import { afterEach, describe, expect, it } from 'vitest';
import { nodeWorkerEndpoint } from '../pipeline/threads.ts';
import { transferables } from './transferables.ts';
import { WorkerClient, type WorkerClientOptions } from './workerClient.ts';
import type { TestOps } from '../../test/testWorker.ts';

const entry = new URL('../../test/testWorker.ts', import.meta.url).href;
const clients: WorkerClient<TestOps>[] = [];

/** A client of a real worker thread running testWorker.ts. */
function client(options: Partial<WorkerClientOptions<TestOps>> = {}): WorkerClient<TestOps> {
  const c = new WorkerClient<TestOps>({ name: 'test', create: () => nodeWorkerEndpoint(entry), transferInput: { sum: (a) => transferables(a) }, ...options });
  clients.push(c);
  return c;
}

afterEach(() => {
  for (const c of clients.splice(0)) c.terminate('test over');
});

describe('WorkerClient on a worker thread', () => {
  it('delivers every progress event in order, the log line, then the result', async () => {
    const c = client();
    const seen: string[] = [];
    const call = c.request('count', { n: 5, everyMs: 5 }, { onProgress: (i) => seen.push(`p${i}`), onLog: (m) => seen.push(m) });
    const n = await call.result;
    seen.push(`result ${n}`);
    expect(seen).toEqual(['p1', 'counting', 'p2', 'p3', 'p4', 'p5', 'result 5']);
    expect(c.inFlight).toBe(0);
  });

  it('gives each request its own id and routes interleaved events to the right one', async () => {
    const c = client();
    const a: number[] = [];
    const b: number[] = [];
    const first = c.request('count', { n: 4, everyMs: 7 }, { onProgress: (i) => a.push(i) });
    const second = c.request('count', { n: 3, everyMs: 5 }, { onProgress: (i) => b.push(i) });
    expect(second.requestId).not.toBe(first.requestId);
    expect(await Promise.all([first.result, second.result])).toEqual([4, 3]);
    expect(a).toEqual([1, 2, 3, 4]);
    expect(b).toEqual([1, 2, 3]);
  });

  it('cancel is a message the worker honours: the call rejects with its AbortError and the same thread serves the next request', async () => {
    const c = client({ cancelGraceMs: 60_000 });
    const before = await c.request('thread', null).result;
    const call = c.request('waitForCancel', null);
    setTimeout(() => call.cancel(), 20);
    await expect(call.result).rejects.toMatchObject({ name: 'AbortError', message: 'stopped on request' });
    expect(await c.request('thread', null).result).toBe(before);
  });

  it('a worker that ignores a cancel is terminated after the grace period; every other pending call rejects naming the worker', async () => {
    const c = client({ name: 'stubborn', cancelGraceMs: 100 });
    const before = await c.request('thread', null).result;
    const blocked = c.request('block', { ms: 10_000 });
    const other = c.request('silent', null);
    const t0 = Date.now();
    blocked.cancel();
    await expect(blocked.result).rejects.toMatchObject({ name: 'AbortError', message: expect.stringMatching(/^stubborn worker: "block" cancelled/) });
    await expect(other.result).rejects.toMatchObject({ name: 'WorkerStoppedError', message: expect.stringContaining('stubborn worker') });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await c.request('thread', null).result).not.toBe(before);
  });

  it('a request that hears nothing for its timeout rejects with a TimeoutError; progress keeps a long request alive', async () => {
    const c = client({ name: 'slow', timeoutMs: 300 });
    // the silence counts from the request, thread start-up included: start the thread first
    await c.request('thread', null, { timeoutMs: 30_000 }).result;
    const t0 = Date.now();
    await expect(c.request('silent', null).result).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'slow worker: "silent" sent nothing for 300 ms; it was cancelled (raise timeoutMs if it needs longer)',
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    // 8 × 60 ms = 480 ms in all, more than the timeout, but never 300 ms without a word
    expect(await c.request('count', { n: 8, everyMs: 60 }).result).toBe(8);
    // the per-request override
    await expect(c.request('count', { n: 2, everyMs: 200 }, { timeoutMs: 50 }).result).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('terminate rejects every pending call with an error naming the worker, and the next request starts a fresh thread', async () => {
    const c = client({ name: 'data' });
    // which worker the next request reaches (a sender of cached state checks it): the first, until it is stopped
    expect(c.generation).toBe(1);
    const before = await c.request('thread', null).result;
    expect(c.generation).toBe(1);
    const calls = [c.request('silent', null), c.request('waitForCancel', null), c.request('count', { n: 1_000, everyMs: 10 })];
    await new Promise((r) => setTimeout(r, 30));
    c.terminate('stopped by the test');
    const outcomes = await Promise.allSettled(calls.map((call) => call.result));
    expect(outcomes.map((o) => (o.status === 'rejected' ? `${(o.reason as Error).name}: ${(o.reason as Error).message}` : 'resolved'))).toEqual([
      'WorkerStoppedError: data worker stopped by the test; "silent" did not finish',
      'WorkerStoppedError: data worker stopped by the test; "waitForCancel" did not finish',
      'WorkerStoppedError: data worker stopped by the test; "count" did not finish',
    ]);
    expect(c.inFlight).toBe(0);
    expect(c.generation).toBe(2);
    expect(await c.request('thread', null).result).not.toBe(before);
    expect(c.generation).toBe(2);
  });

  it('rebuilds the worker\'s error with its name, message and the worker\'s stack', async () => {
    const c = client();
    const err = await c.request('fail', { name: 'ColumnTypeError', message: 'column "revenue" is string; expected a number' }).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('ColumnTypeError');
    expect((err as Error).message).toBe('column "revenue" is string; expected a number');
    expect((err as Error).stack).toContain('testWorker.ts');
  });

  it('a crashed thread rejects its pending calls naming the worker', async () => {
    const c = client({ name: 'fragile' });
    const outcomes = await Promise.allSettled([c.request('silent', null).result, c.request('crash', null).result]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? `${(o.reason as Error).name}: ${(o.reason as Error).message}` : 'resolved'))).toEqual([
      'WorkerStoppedError: fragile worker crashed during "silent": thread fell over',
      'WorkerStoppedError: fragile worker crashed during "crash": thread fell over',
    ]);
    expect(await c.request('count', { n: 1, everyMs: 1 }).result).toBe(1);
  });

  it('transfers the buffers its protocol names, both ways', async () => {
    const c = client();
    const values = Float32Array.of(1, 2, 3.5);
    const { sum, length, back } = await c.request('sum', values).result;
    expect(values.byteLength).toBe(0); // moved to the thread, not copied
    expect([sum, length]).toEqual([6.5, 3]);
    expect(Array.from(back)).toEqual([2, 4, 7]);
  });
});

describe('transferables', () => {
  it('lists each buffer once, skips shared memory and missing arrays', () => {
    const a = new Float32Array(4);
    const view = new Uint8Array(a.buffer, 4, 4);
    const b = new Float64Array(2);
    const shared = new Float32Array(new SharedArrayBuffer(8));
    expect(transferables(a, view, undefined, b, null, shared)).toEqual([a.buffer, b.buffer]);
  });
});
