import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { matMulWarmup, selectBackend, withFallback } from './backend.ts';

describe('selectBackend', () => {
  it('picks a working backend, records timings, and reports unregistered ones as failures', async () => {
    const choice = await selectBackend(tf, ['webgpu', 'cpu'], { warmup: matMulWarmup(256, 12) });
    expect(choice.chosen).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.timings.cpu).toBeGreaterThanOrEqual(0);
    expect(choice.failures.map((f) => f.backend)).toContain('webgpu');
  });

  it('falls back from a forced backend that cannot start and says so', async () => {
    const choice = await selectBackend(tf, ['cpu'], { forced: 'webgpu', warmup: matMulWarmup(64, 4) });
    expect(choice.chosen).toBe('cpu');
    expect(choice.forcedFailed).toBe('webgpu');
  });
});

describe('withFallback', () => {
  it('retries on the next backend when training throws, but rethrows a cancel at once', async () => {
    const messages: string[] = [];
    let calls = 0;
    const r = await withFallback(tf, ['cpu', 'cpu'], async () => {
      if (++calls === 1) throw new Error('lost device');
      return 7;
    }, (m) => messages.push(m));
    expect(r.result).toBe(7);
    expect(messages[0]).toMatch(/lost device.*retrying on cpu/);
    const cancel = Object.assign(new Error('training cancelled'), { name: 'AbortError' });
    await expect(withFallback(tf, ['cpu', 'cpu'], async () => Promise.reject(cancel))).rejects.toBe(cancel);
  });

  it("with the request's signal, falls back from a backend's own AbortError and rethrows only the signal's abort", async () => {
    const gpuAbort = Object.assign(new Error('mapAsync aborted'), { name: 'AbortError' });
    const controller = new AbortController();
    const messages: string[] = [];
    let calls = 0;
    const r = await withFallback(tf, ['cpu', 'cpu'], async () => {
      if (++calls === 1) throw gpuAbort;
      return 3;
    }, (m) => messages.push(m), controller.signal);
    expect(r.result).toBe(3);
    expect(messages[0]).toMatch(/mapAsync aborted.*retrying on cpu/);
    controller.abort();
    let tries = 0;
    await expect(withFallback(tf, ['cpu', 'cpu'], async () => {
      tries++;
      return Promise.reject(gpuAbort);
    }, undefined, controller.signal)).rejects.toBe(gpuAbort);
    expect(tries).toBe(1);
  });
});
