import { describe, expect, it } from 'vitest';
import { applyWasmThreads, checkWasmThreads, wasmThreadCount } from './wasmThreads.ts';

describe('wasm threads', () => {
  it('gives tfjs its own default at share 0.5 and every core at share 1, within 1–8', () => {
    expect([1, 2, 4, 8, 32].map((c) => wasmThreadCount(c, 0.5))).toEqual([1, 1, 2, 4, 8]);
    expect([1, 2, 4, 8, 32].map((c) => wasmThreadCount(c, 1))).toEqual([1, 2, 4, 8, 8]);
    expect(wasmThreadCount(Number.NaN, 1)).toBe(1);
  });

  it('raises the core count only where tfjs would cap the threads below the request', () => {
    const set: number[] = [];
    const twoCores = { hardwareConcurrency: 2 };
    applyWasmThreads(2, twoCores, (n) => set.push(n));
    expect(twoCores.hardwareConcurrency).toBe(4);
    const eight = { hardwareConcurrency: 8 };
    applyWasmThreads(2, eight, (n) => set.push(n));
    expect(eight.hardwareConcurrency).toBe(8);
    expect(set).toEqual([2, 2]);
  });

  it('refuses a count that is not 1–8, naming it', () => {
    expect(checkWasmThreads(2)).toBe(2);
    expect(() => checkWasmThreads(0)).toThrow(/wasm threads 0 is not an integer from 1 to 8/);
    expect(() => checkWasmThreads(1.5)).toThrow(/1\.5/);
  });
});
