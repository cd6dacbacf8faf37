import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerNodeBackends } from './backends.node.ts';
import { initLayers } from './mlp.ts';
import { adamStep, createAdam, lossGradient, packLayers, parameterLayout, unpackLayers, viewLayers } from './mlpStep.ts';
import { createRng } from './random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A batch the test writes: 64 rows × 5 features, 0/1 labels, class weights 1 and 4, and revenue-like values. */
function batch(seed: number): { X: Float32Array; y: Float32Array; w: Float32Array; v: Float32Array } {
  const rng = createRng(seed);
  const X = Float32Array.from({ length: 64 * 5 }, () => rng() * 4 - 2);
  const y = Float32Array.from({ length: 64 }, () => (rng() < 0.3 ? 1 : 0));
  return { X, y, w: y.map((l) => (l === 1 ? 4 : 1)), v: Float32Array.from({ length: 64 }, () => rng() * 3) };
}

/** The same objective written plainly and differentiated by tfjs's autodiff: the path the fused step replaces. */
function autodiff(flat: tf.Tensor1D, layout: ReturnType<typeof parameterLayout>, x: tf.Tensor2D, y: tf.Tensor, w: tf.Tensor, loss: 'bce' | 'mse'): { grad: Float32Array; value: number } {
  const f = (p: tf.Tensor): tf.Scalar => {
    const { kernels, biases } = viewLayers(tf, p as tf.Tensor1D, layout);
    let h: tf.Tensor = x;
    kernels.forEach((k, i) => {
      h = tf.add(tf.matMul(h, k), biases[i] as tf.Tensor1D);
      if (i + 1 < kernels.length) h = tf.relu(h);
    });
    const perRow = loss === 'bce'
      ? tf.add(tf.sub(tf.relu(h), tf.mul(h, y)), tf.log1p(tf.exp(tf.neg(tf.abs(h)))))
      : tf.square(tf.sub(h, y));
    return tf.div(tf.sum(tf.mul(perRow, w)), tf.sum(w)) as tf.Scalar;
  };
  const { value, grad } = tf.valueAndGrad(f)(flat);
  return { grad: grad.dataSync() as Float32Array, value: value.dataSync()[0] ?? Number.NaN };
}

describe('lossGradient (fused backward pass)', () => {
  // cpu, and wasm: the training worker's backend, whose fused matMul + bias + ReLU kernel is its own (XNNPACK)
  for (const [backend, loss] of [['cpu', 'bce'], ['cpu', 'mse'], ['wasm', 'bce'], ['wasm', 'mse']] as const) {
    it(`${loss} on ${backend}: the same loss and gradient as tfjs autodiff within 1e-5`, async () => {
      if (backend === 'wasm') await registerNodeBackends(tf);
      await tf.setBackend(backend);
      const layers = initLayers(5, [8, 6], loss === 'bce' ? 'sigmoid' : 'linear', 3);
      const layout = parameterLayout(layers);
      const d = batch(7);
      tf.tidy(() => {
        const flat = tf.tensor1d(packLayers(layers));
        const x = tf.tensor2d(d.X, [64, 5]);
        const y = tf.tensor2d(loss === 'bce' ? d.y : d.v, [64, 1]);
        const w = tf.tensor2d(d.w, [64, 1]);
        const ours = lossGradient(tf, flat, layout, x, y, w, { loss, dropout: 0, nextSeed: () => 1 });
        const ref = autodiff(flat, layout, x, y, w, loss);
        const value = (ours.weightedLoss.dataSync()[0] ?? 0) / (ours.weightSum.dataSync()[0] ?? 1);
        expect(Math.abs(value - ref.value)).toBeLessThan(1e-5);
        const g = ours.grad.dataSync();
        expect(g.length).toBe(layout.size);
        let worst = 0;
        for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs((g[i] as number) - (ref.grad[i] as number)));
        expect(worst).toBeLessThan(1e-5);
        expect(Math.max(...Array.from(ref.grad, Math.abs))).toBeGreaterThan(1e-3); // the comparison is not of zeros
      });
      await tf.setBackend('cpu');
    });
  }
});

describe('adamStep', () => {
  it('follows tfjs train.adam step for step (1e-5) on the same gradients', () => {
    const rng = createRng(5);
    const start = Float32Array.from({ length: 40 }, () => rng() - 0.5);
    const ours = tf.variable(tf.tensor1d(start));
    const theirs = tf.variable(tf.tensor1d(start), true, 'adam_reference');
    const state = createAdam(tf, 40, 'adam_test');
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 25; step++) {
      const g = Float32Array.from({ length: 40 }, () => rng() * 2 - 1);
      tf.tidy(() => adamStep(tf, ours, tf.tensor1d(g), state, 0.01, tf.backend().epsilon()));
      tf.tidy(() => optimizer.applyGradients([{ name: 'adam_reference', tensor: tf.tensor1d(g) }]));
    }
    const a = ours.dataSync();
    const b = theirs.dataSync();
    for (let i = 0; i < 40; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-5);
    expect(Math.abs((a[0] as number) - (start[0] as number))).toBeGreaterThan(1e-3);
    optimizer.dispose();
    [ours, theirs, state.m, state.v].forEach((t) => t.dispose());
  });
});

describe('packLayers / unpackLayers', () => {
  it('round-trips kernels, biases and activations', () => {
    const layers = initLayers(3, [4], 'sigmoid', 1).map((l, i) => ({ ...l, bias: l.bias.map((_, j) => i + j / 10) }));
    const back = unpackLayers(packLayers(layers), layers);
    expect(back).toEqual(layers);
    expect(() => unpackLayers(new Float32Array(3), layers)).toThrow(/not the 21 the layers need/);
  });
});
