import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTeamThreads } from '../pipeline/mlpTeamThreads.ts';
import { trainMlp, type MlpOptions } from './mlp.ts';
import { loadMlpKernel, paramsSize, relaxedSimdSupported } from './mlpKernel.ts';
import { createMlpTeamJob, LEADER_SHARE, sharedKernelMemory, threadSlice } from './mlpTeam.ts';
import { createRng } from './random.ts';
import { relToMax } from '../../test/closeness.ts';

const followers = createNodeTeamThreads(3, 'test');
afterAll(() => followers.terminate());
beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Rows the test writes: features, labels from a noisy rule (0/1 for bce, values for mse), weights 1 and 4; random weights and biases. */
function dataOf(rows: number, cols: number, validRows: number, paramCount: number, seed: number, mse: boolean): { X: Float32Array; cols: number; y: Float32Array; w: Float32Array; validX: Float32Array; params: Float32Array } {
  const rng = createRng(seed);
  const X = Float32Array.from({ length: rows * cols }, () => rng() * 4 - 2);
  const y = new Float32Array(rows);
  const w = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = (X[r * cols] as number) + 0.5 * (X[r * cols + 1] as number) + rng() > 1 ? 1 : 0;
    y[r] = mse ? (X[r * cols + 2] as number) * 3 + rng() : label;
    w[r] = label === 1 ? 4 : 1;
  }
  const validX = Float32Array.from({ length: validRows * cols }, () => rng() * 4 - 2);
  const params = Float32Array.from({ length: paramCount }, () => (rng() - 0.5) * 0.6);
  return { X, cols, y, w, validX, params };
}



describe('the mlp team: one batch gradient on several threads over one shared memory', () => {
  it('cuts a batch into consecutive slices that cover it once, the leader’s smaller (it also runs Adam and validates)', () => {
    const parts = [0, 1, 2].map((t) => threadSlice(100, 1100, t, 3));
    expect(parts).toEqual([{ start: 100, count: 300 }, { start: 400, count: 400 }, { start: 800, count: 400 }]);
    expect(LEADER_SHARE).toBe(0.75);
  });

  const relaxed = relaxedSimdSupported();
  for (const [loss, sizes, rows, start, n] of [['bce', [7, 16, 8, 1], 3001, 17, 2500], ['mse', [7, 12, 1], 2000, 0, 2000], ['bce', [5, 9, 6, 4, 1], 999, 3, 777]] as const) {
    it(`${loss} ${sizes.join('×')}: 2–4 threads give the one-thread kernel's gradient and loss within 1e-5`, async () => {
      const data = dataOf(rows, sizes[0], 50, paramsSize(sizes), 5, loss === 'mse');
      const order = (r: number): number => (r * 7919) % rows;
      const one = await createMlpTeamJob(await loadMlpKernel({ relaxed }), data, sizes, loss, 1, null);
      one.params.set(data.params);
      for (let r = 0; r < rows; r++) one.order[r] = order(r);
      const { grad, weightedLoss: expectedLoss } = one.gradient(start, n);
      const expected = grad.slice();
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
      for (const threads of [2, 3, 4]) {
        const team = await createMlpTeamJob(await loadMlpKernel({ memory: sharedKernelMemory(), relaxed }), data, sizes, loss, threads, followers);
        expect(team.threads).toBe(threads);
        team.params.set(data.params);
        for (let r = 0; r < rows; r++) team.order[r] = order(r);
        // twice: the second step is served by threads woken again
        const served = followers.slicesServed;
        team.gradient(0, 100);
        const got = team.gradient(start, n);
        await team.close();
        // each follower served both steps
        expect(followers.slicesServed - served).toBe(2 * (threads - 1));
        expect(relToMax(got.grad, expected)).toBeLessThan(1e-5);
        expect(Math.abs(got.weightedLoss - expectedLoss) / expectedLoss).toBeLessThan(1e-5);
      }
    });
  }

  it('a thread whose kernel call throws fails the step with an error that names the thread, and the team still stops', async () => {
    const sizes = [7, 8, 1];
    const team = await createMlpTeamJob(await loadMlpKernel({ memory: sharedKernelMemory() }), dataOf(500, 7, 10, paramsSize(sizes), 9, false), sizes, 'bce', 2, followers);
    // a row index far outside the rows, in the second thread's half of the batch: its kernel reads out of bounds
    team.order[450] = 2 ** 28;
    expect(() => team.gradient(0, 500)).toThrow(/^mlp team thread 1 \(test-team-1\) failed: .*out of bounds.*; restart training/);
    await team.close();
    expect(() => team.gradient(0, 10)).toThrow('the mlp team was closed');
  });

  it('refuses a team of several threads without a shared memory or enough followers', async () => {
    const data = dataOf(10, 3, 2, paramsSize([3, 4, 1]), 1, false);
    await expect(createMlpTeamJob(await loadMlpKernel(), data, [3, 4, 1], 'bce', 2, followers)).rejects.toThrow('needs a shared memory');
    await expect(createMlpTeamJob(await loadMlpKernel({ memory: sharedKernelMemory() }), data, [3, 4, 1], 'bce', 5, followers)).rejects.toThrow('needs 4 follower thread(s), 3 were started');
  });
});

describe('trainMlp on a kernel team', () => {
  const sizes = [6, 16, 8, 1];
  const data = dataOf(4000, 6, 900, paramsSize(sizes), 21, false);
  const valid = dataOf(900, 6, 1, 1, 22, false);
  const options = (extra: Partial<MlpOptions> = {}): MlpOptions => ({
    tf, X: data.X, rows: 4000, cols: 6, y: data.y, weight: data.w, validX: valid.X, validRows: 900, validY: valid.y, loss: 'bce',
    hiddenUnits: [16, 8], dropout: 0, l2: 1e-4, learningRate: 0.01, batchSize: 1000, epochs: 4, patience: 99, seed: 3, ...extra,
  });

  it('trains through the same epochs on 2 and 3 threads as on one: losses within 1e-4, validation AUC within 1e-4', async () => {
    const one = await trainMlp(options());
    expect(one).toMatchObject({ path: 'wasm-simd kernel', threads: 1 });
    for (const threads of [2, 3]) {
      const served = followers.slicesServed;
      const team = await trainMlp(options({ team: { threads, followers } }));
      expect(team).toMatchObject({ path: 'wasm-simd kernel', threads });
      // every follower served every batch: 4 epochs of 4 batches
      expect(followers.slicesServed - served).toBe(16 * (threads - 1));
      expect(team.history).toHaveLength(one.history.length);
      team.history.forEach((h, i) => {
        const o = one.history[i];
        expect(Math.abs(h.loss - (o?.loss ?? Number.NaN))).toBeLessThan(1e-4);
        expect(Math.abs(h.valLoss - (o?.valLoss ?? Number.NaN))).toBeLessThan(1e-4);
        expect(Math.abs((h.valAuc ?? 0) - (o?.valAuc ?? Number.NaN))).toBeLessThan(1e-4);
      });
    }
  });

  it('stops within one batch of a cancel mid-epoch, and its threads serve the next training', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = trainMlp(options({
      team: { threads: 3, followers }, epochs: 10, signal: controller.signal,
      onBatch: (b) => {
        seen = b;
        // the 7th step is the 3rd batch of the 2nd epoch
        if (b === 7) controller.abort();
      },
    }));
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(7);
    const served = followers.slicesServed;
    expect((await trainMlp(options({ team: { threads: 3, followers }, epochs: 1 }))).threads).toBe(3);
    expect(followers.slicesServed - served).toBe(4 * 2);
  });
});
