import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rocAuc } from './metrics.ts';
import { checkMlpPath, type MlpOptions, trainMlp, weightedBce } from './mlp.ts';
import { createRng } from './random.ts';
import { BATCH_PROGRESS_MS } from './types.ts';

/** XOR-like target: positive when x0·x1 > 0, which no linear model can separate. */
function xorData(n: number, seed: number): { X: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  const X = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng() * 2 - 1;
    const b = rng() * 2 - 1;
    X[i * 2] = a;
    X[i * 2 + 1] = b;
    y[i] = a * b + (rng() - 0.5) * 0.1 > 0 ? 1 : 0;
  }
  return { X, y };
}

function options(seed: number, extra: Partial<MlpOptions> = {}): MlpOptions {
  const train = xorData(3000, 1);
  const valid = xorData(800, 2);
  return {
    tf, X: train.X, rows: 3000, cols: 2, y: train.y, validX: valid.X, validRows: 800, validY: valid.y, loss: 'bce',
    hiddenUnits: [16, 16], dropout: 0, l2: 0, learningRate: 0.01, batchSize: 100, epochs: 25, patience: 5, seed,
    ...extra,
  };
}

function predict(layers: Awaited<ReturnType<typeof trainMlp>>['layers'], X: Float32Array, rows: number): Float32Array {
  return tf.tidy(() => {
    let h: tf.Tensor = tf.tensor2d(X, [rows, layers[0]?.inputs ?? 0]);
    layers.forEach((l, i) => {
      h = tf.add(tf.matMul(h, tf.tensor2d(l.kernel, [l.inputs, l.units])), tf.tensor1d(l.bias));
      if (i + 1 < layers.length) h = tf.relu(h);
    });
    return tf.sigmoid(h).dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('weightedBce', () => {
  it('equals Σ w·bce / Σ w computed directly, even for large logits', () => {
    const z = [-30, -2, -0.5, 0, 0.3, 4, 40];
    const y = [0, 1, 0, 1, 1, 0, 1];
    const w = [1, 3, 0.5, 2, 1, 0.25, 7];
    const loss = tf.tidy(() => weightedBce(tf, tf.tensor1d(z), tf.tensor1d(y), tf.tensor1d(w)).dataSync()[0]);
    let num = 0;
    let den = 0;
    z.forEach((zi, i) => {
      const p = 1 / (1 + Math.exp(-zi));
      const yi = y[i] ?? 0;
      const l = yi === 1 ? -Math.log(p) : -Math.log1p(-p);
      num += (w[i] ?? 0) * l;
      den += w[i] ?? 0;
    });
    expect(loss).toBeCloseTo(num / den, 5);
  });
});

describe('trainMlp', () => {
  it('learns a nonlinear (XOR) target: test AUC > 0.9', async () => {
    const fit = await trainMlp(options(42));
    const test = xorData(1000, 3);
    expect(rocAuc(test.y, predict(fit.layers, test.X, 1000))).toBeGreaterThan(0.9);
    expect(fit.history.length).toBeGreaterThan(0);
    expect(fit.history.every((h) => Number.isFinite(h.loss) && Number.isFinite(h.valLoss))).toBe(true);
  });

  it('gives identical weights for the same seed and different ones for another seed', async () => {
    const opts = { epochs: 3, dropout: 0.2 };
    const a = await trainMlp(options(7, opts));
    const b = await trainMlp(options(7, opts));
    const c = await trainMlp(options(8, opts));
    expect(a.history.map((h) => h.valLoss)).toEqual(b.history.map((h) => h.valLoss));
    expect(Array.from(a.layers[0]?.kernel ?? [])).toEqual(Array.from(b.layers[0]?.kernel ?? []));
    expect(Array.from(a.layers[0]?.kernel ?? [])).not.toEqual(Array.from(c.layers[0]?.kernel ?? []));
  });

  it('frees every tensor after training', async () => {
    const start = tf.memory().numTensors;
    await trainMlp(options(1, { epochs: 2, dropout: 0.3, l2: 1e-3 }));
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops within one batch of a cancel and frees every tensor', async () => {
    const start = tf.memory().numTensors;
    const controller = new AbortController();
    let seen = 0;
    const run = trainMlp(options(1, {
      signal: controller.signal,
      onBatch: (b) => {
        seen = b;
        if (b === 45) controller.abort();
      },
    }));
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(45);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('reports batch progress within each epoch, never more than BATCH_PROGRESS_MS plus one batch apart', async () => {
    // a clock that moves 100 ms per optimiser step: 30 steps per epoch = 3 s of "work" per epoch
    let t = 0;
    const reports: { epoch: number; batch: number; batches: number; at: number; epochsDone: number }[] = [];
    let epochsDone = 0;
    await trainMlp(options(1, {
      epochs: 2, patience: 5,
      now: () => t,
      onBatch: () => { t += 100; },
      onEpoch: () => { epochsDone++; },
      onBatchProgress: (p) => reports.push({ ...p, at: t, epochsDone }),
    }));
    expect(epochsDone).toBe(2);
    expect(reports.length).toBeGreaterThanOrEqual(2 * 9);
    for (const r of reports) {
      expect(r.batches).toBe(30);
      expect(r.batch).toBeGreaterThanOrEqual(1);
      expect(r.batch).toBeLessThanOrEqual(30);
      // each report belongs to the epoch that is running: it comes before that epoch's own log
      expect(r.epochsDone).toBe(r.epoch - 1);
    }
    const gaps = reports.slice(1).map((r, i) => r.at - (reports[i]?.at ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(BATCH_PROGRESS_MS + 100);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(BATCH_PROGRESS_MS);
    // batches grow within an epoch
    for (let i = 1; i < reports.length; i++) {
      const [a, b] = [reports[i - 1], reports[i]];
      if (a && b && a.epoch === b.epoch) expect(b.batch).toBeGreaterThan(a.batch);
    }
  });

  it('early-stops on validation loss and restores the best epoch', async () => {
    // a tiny noisy training set overfits quickly, so validation loss turns up
    const noisy = xorData(200, 9);
    for (let i = 0; i < 200; i += 3) noisy.y[i] = 1 - (noisy.y[i] ?? 0);
    const fit = await trainMlp(options(3, { X: noisy.X, rows: 200, y: noisy.y, hiddenUnits: [64, 64], epochs: 200, patience: 3, batchSize: 20, learningRate: 0.02 }));
    expect(fit.converged).toBe(true);
    expect(fit.epochs).toBeLessThan(200);
    const bestVal = Math.min(...fit.history.map((h) => h.valLoss));
    expect(fit.history[fit.bestEpoch - 1]?.valLoss).toBe(bestVal);
  });

  it('keeps no device copy of the training rows: each batch is uploaded on its own, and nothing stays between steps', async () => {
    const big = xorData(20_000, 4);
    const start = tf.memory().numBytes;
    let most = 0;
    const info = await tf.profile(async () => {
      await trainMlp(options(2, { X: big.X, rows: 20_000, y: big.y, hiddenUnits: [4], epochs: 1, batchSize: 500, path: 'tfjs', onBatch: () => { most = Math.max(most, tf.memory().numBytes - start); } }));
      return [];
    });
    // the weights live on the host: between steps the device holds nothing of this run
    expect(most).toBe(0);
    // at its peak the device held one batch and its activations (~90 kB), never a copy of X (160 kB) on top
    expect(info.peakBytes - start).toBeGreaterThan(4_000);
    expect(info.peakBytes - start).toBeLessThan(big.X.byteLength);
  });

  it('scores validation rows beyond one chunk exactly as one pass would: loss and AUC from the returned weights', async () => {
    const rows = 70_000; // over the 65,536-row chunk, so the last chunk is short
    const valid = xorData(rows, 5);
    const validWeight = new Float32Array(rows).map((_, i) => (valid.y[i] === 1 ? 3 : 1));
    const fit = await trainMlp(options(4, { validX: valid.X, validRows: rows, validY: valid.y, validWeight, epochs: 1, path: 'tfjs' }));
    const p = predict(fit.layers, valid.X, rows);
    let num = 0;
    let den = 0;
    for (let i = 0; i < rows; i++) {
      const pi = Math.min(Math.max(p[i] ?? 0, 1e-12), 1 - 1e-12);
      num += (validWeight[i] ?? 0) * (valid.y[i] === 1 ? -Math.log(pi) : -Math.log1p(-pi));
      den += validWeight[i] ?? 0;
    }
    const log = fit.history[0];
    expect(log?.valAuc).toBe(rocAuc(valid.y, p));
    expect(Math.abs((log?.valLoss ?? 0) - num / den) / (num / den)).toBeLessThan(1e-5);
  });
});

describe('the MLP on the fused wasm kernel (mlpKernel.ts)', () => {
  it('is the path on the cpu backend without dropout, and tfjs with dropout or when forced, each saying why', async () => {
    const kernel = await trainMlp(options(6, { epochs: 1 }));
    expect(kernel.path).toBe('wasm-simd kernel');
    expect(kernel.pathWhy).toMatch(/cpu backend computes on the CPU/);
    const dropout = await trainMlp(options(6, { epochs: 1, dropout: 0.2 }));
    expect(dropout.path).toBe('tfjs');
    expect(dropout.pathWhy).toMatch(/dropout 0.2 runs on tfjs/);
    expect((await trainMlp(options(6, { epochs: 1, path: 'tfjs' }))).path).toBe('tfjs');
    // the page's ?mlpPath= and the CLI's --mlp-path name one of the steps, or are refused with the list
    expect(checkMlpPath('wasm-simd')).toBe('wasm-simd');
    expect(() => checkMlpPath('gpu')).toThrow('mlp path "gpu" is not one of auto, tfjs, wasm-simd, wasm-relaxed-simd; fix the mlpPath parameter');
  });

  for (const loss of ['bce', 'mse'] as const) {
    it(`${loss}: trains through the same epochs as the tfjs step from the same seed (losses within 1e-4), and its validation matches the returned weights`, async () => {
      const valid = xorData(900, 8);
      const weight = new Float32Array(3000).map((_, i) => 1 + (i % 3));
      const o = options(7, { epochs: 4, patience: 99, batchSize: 333, weight, validX: valid.X, validRows: 900, validY: valid.y, loss, hiddenUnits: [16, 8], l2: 1e-3 });
      const onTfjs = await trainMlp({ ...o, path: 'tfjs' });
      const onKernel = await trainMlp({ ...o, path: 'wasm-simd' });
      expect(onKernel.path).toBe('wasm-simd kernel');
      expect(onKernel.history).toHaveLength(onTfjs.history.length);
      onKernel.history.forEach((h, i) => {
        const t = onTfjs.history[i];
        expect(Math.abs(h.loss - (t?.loss ?? Number.NaN))).toBeLessThan(1e-4 * Math.max(1, Math.abs(h.loss)));
        expect(Math.abs(h.valLoss - (t?.valLoss ?? Number.NaN))).toBeLessThan(1e-4 * Math.max(1, Math.abs(h.valLoss)));
      });
      // the last epoch's validation figures recomputed from the returned (best = last: the loss still falls) weights
      const last = onKernel.history.at(-1);
      const p = predict(onKernel.layers, valid.X, 900);
      if (loss === 'bce') {
        expect(Math.abs((last?.valAuc ?? 0) - rocAuc(valid.y, p))).toBeLessThan(1e-6);
      } else {
        let se = 0;
        for (let i = 0; i < 900; i++) se += (Math.log(p[i] as number / (1 - (p[i] as number))) - (valid.y[i] as number)) ** 2;
        expect(Math.abs((last?.valRmse ?? 0) - Math.sqrt(se / 900))).toBeLessThan(1e-4);
      }
    });
  }
});
