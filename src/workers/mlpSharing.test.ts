import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerNodeBackends } from '../trainers/backends.node.ts';
import type { MlpGradientHelper, MlpGradientJob } from '../trainers/mlpGradient.ts';
import { LOCAL_SLICE_SHARE, measureSharing } from '../trainers/mlpGradient.ts';
import { checkMlpWorkers, mlpSharing, mlpWorkerCount } from './mlpSharing.ts';

beforeAll(async () => {
  await registerNodeBackends(tf);
  await tf.setBackend('wasm');
});

/** A helper that answers after `delayMs` with a zero gradient of the right length: the probe only times it. */
function timedHelper(delayMs: number, calls: number[]): MlpGradientHelper {
  return {
    gradient: async (job: MlpGradientJob) => {
      calls.push(job.rows);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return new Float32Array(job.params.length + 2);
    },
  };
}

const job = { cols: 11, hiddenUnits: [64, 64], batchSize: 4096 };

describe('mlpSharing: whether a training worker shares MLP batches with helpers', () => {
  it('times a batch alone and shared, sending the helper its share each time, after a warm-up of each', async () => {
    const calls: number[] = [];
    const probe = await measureSharing(tf, [timedHelper(0, calls)], 11, [64, 64], 4096, 3);
    const helperRows = 4096 - Math.round((LOCAL_SLICE_SHARE * 4096) / (1 + LOCAL_SLICE_SHARE));
    expect(calls).toEqual([helperRows, helperRows, helperRows, helperRows]);
    expect(probe.helpers).toBe(1);
    expect(probe.aloneMs).toBeGreaterThan(0);
    expect(probe.sharedMs).toBeGreaterThan(0);
  });

  it('shares when the probe times a shared batch faster, and starts the helpers once for the worker’s life', async () => {
    let started = 0;
    const timings = (sharedMs: number): typeof measureSharing => async (_tf, helpers) => ({ aloneMs: 10, sharedMs, helpers: helpers.length });
    const decide = mlpSharing(tf, 2, (count) => { started += count; return Array.from({ length: count }, () => timedHelper(0, [])); }, timings(6));
    const choice = await decide(job, undefined);
    expect(choice.helpers).toHaveLength(1);
    expect(choice.chosenBy).toBe('measured: a batch in 6.0 ms on 2 workers, 10.0 ms on one');
    expect(await decide({ ...job, cols: 5 }, undefined)).toBe(choice);
    expect(started).toBe(1);
    // slower shared (the helper's core busy with other work): every batch stays here
    const busy = await mlpSharing(tf, 2, (count) => Array.from({ length: count }, () => timedHelper(0, [])), timings(14))(job, undefined);
    expect(busy.helpers).toEqual([]);
    expect(busy.probe).toEqual({ aloneMs: 10, sharedMs: 14, helpers: 1 });
    // a shared batch within the 10 % margin of one worker's time is not worth the risk
    const close = await mlpSharing(tf, 2, (count) => Array.from({ length: count }, () => timedHelper(0, [])), timings(9.5))(job, undefined);
    expect(close.helpers).toEqual([]);
  });

  it('takes the count the page asks for without a probe, and decides nothing for batches too small to cut', async () => {
    let started = 0;
    const decide = mlpSharing(tf, 2, (count) => { started += count; return Array.from({ length: count }, () => timedHelper(0, [])); });
    expect((await decide({ ...job, batchSize: 512 }, 2)).helpers).toEqual([]);
    expect(started).toBe(0);
    const asked = await decide(job, 2);
    expect(asked).toMatchObject({ chosenBy: 'asked for (mlpWorkers)', probe: null });
    expect(asked.helpers).toHaveLength(1);
    const alone = await mlpSharing(tf, 8, () => { throw new Error('no helper should start'); })(job, 1);
    expect(alone.helpers).toEqual([]);
    expect((await mlpSharing(tf, 1, () => { throw new Error('no helper should start'); })(job, undefined)).helpers).toEqual([]);
  });

  it('counts one worker per core, 1–4, and refuses a count that is not 1–4, naming it', () => {
    expect([1, 2, 3, 8, Number.NaN].map(mlpWorkerCount)).toEqual([1, 2, 3, 4, 1]);
    expect(checkMlpWorkers(2)).toBe(2);
    expect(() => checkMlpWorkers(0)).toThrow(/mlp workers 0 is not an integer from 1 to 4/);
    expect(() => checkMlpWorkers(2.5)).toThrow(/2\.5/);
  });
});
