import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerNodeBackends } from './backends.node.ts';
import { initLayers } from './mlp.ts';
import { adamStep, createAdam, gatherBatch, kernelMask, layerTensors, lossGradient, packLayers, parameterLayout, unpackLayers } from './mlpStep.ts';
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

/** The same objective written plainly (kernels sliced out of the flat vector) and differentiated by tfjs's autodiff. */
function autodiff(flat: tf.Tensor1D, layout: ReturnType<typeof parameterLayout>, x: tf.Tensor2D, y: tf.Tensor, w: tf.Tensor, loss: 'bce' | 'mse'): { grad: Float32Array; value: number } {
  const f = (p: tf.Tensor): tf.Scalar => {
    let h: tf.Tensor = x;
    layout.layers.forEach((l, i) => {
      const k = tf.reshape(tf.slice(p, l.kernelAt, l.inputs * l.units), [l.inputs, l.units]) as tf.Tensor2D;
      h = tf.add(tf.matMul(h, k), tf.slice(p, l.biasAt, l.units));
      if (i + 1 < layout.layers.length) h = tf.relu(h);
    });
    const perRow = loss === 'bce'
      ? tf.add(tf.sub(tf.relu(h), tf.mul(h, y)), tf.log1p(tf.exp(tf.neg(tf.abs(h)))))
      : tf.square(tf.sub(h, y));
    return tf.div(tf.sum(tf.mul(perRow, w)), tf.sum(w)) as tf.Scalar;
  };
  const { value, grad } = tf.valueAndGrad(f)(flat);
  return { grad: grad.dataSync() as Float32Array, value: value.dataSync()[0] ?? Number.NaN };
}

describe('lossGradient (hand-written backward pass)', () => {
  // cpu, and wasm: the training worker's backend, whose fused matMul + bias + ReLU kernel is its own (XNNPACK). The
  // networks cover each way a layer's gradient is formed: the batch's own transposed rows (first layer), the second
  // layer's activations recomputed transposed, a third layer's transposed, and the one-unit output layer.
  const cases = [['cpu', 'bce', [8, 6]], ['cpu', 'mse', [8, 6]], ['wasm', 'bce', [8, 6]], ['wasm', 'mse', [8, 6]], ['wasm', 'bce', [7]], ['wasm', 'bce', [8, 6, 5]], ['cpu', 'mse', [4, 3, 5]]] as const;
  for (const [backend, loss, hidden] of cases) {
    it(`${loss} on ${backend}, hidden ${hidden.join(' × ')}: the same loss and gradient as tfjs autodiff within 1e-5`, async () => {
      if (backend === 'wasm') await registerNodeBackends(tf);
      await tf.setBackend(backend);
      const layers = initLayers(5, hidden, loss === 'bce' ? 'sigmoid' : 'linear', 3);
      const layout = parameterLayout(layers);
      const flatHost = packLayers(layers);
      const d = batch(7);
      // a shuffled order: the gathered rows, in both layouts, must be the same rows
      const order = Uint32Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
      const g = gatherBatch(d.X, 5, loss === 'bce' ? d.y : d.v, d.w, order, 0, 64);
      tf.tidy(() => {
        const x = tf.tensor2d(g.x, [64, 5]);
        const y = tf.tensor2d(g.y, [64, 1]);
        const w = tf.tensor2d(g.w, [64, 1]);
        const ours = lossGradient(tf, layerTensors(tf, flatHost, layout, true), { x, xAugT: tf.tensor2d(g.xAugT, [6, 64]), y, w }, { loss, dropout: 0, nextSeed: () => 1 });
        const ref = autodiff(tf.tensor1d(flatHost), layout, x, y, w, loss);
        const value = (ours.weightedLoss.dataSync()[0] ?? 0) / (ours.weightSum.dataSync()[0] ?? 1);
        expect(Math.abs(value - ref.value)).toBeLessThan(1e-5);
        const grad = ours.grad.dataSync();
        expect(grad.length).toBe(layout.size);
        let worst = 0;
        for (let i = 0; i < grad.length; i++) worst = Math.max(worst, Math.abs((grad[i] as number) - (ref.grad[i] as number)));
        expect(worst).toBeLessThan(1e-5);
        expect(Math.max(...Array.from(ref.grad, Math.abs))).toBeGreaterThan(1e-3); // the comparison is not of zeros
      });
      await tf.setBackend('cpu');
    });
  }

  it('gathers the rows of the order in both layouts, with a row of ones', () => {
    const X = Float32Array.from({ length: 12 }, (_, i) => i); // 4 rows × 3
    const g = gatherBatch(X, 3, Float32Array.of(0, 1, 0, 1), Float32Array.of(1, 2, 3, 4), Uint32Array.of(3, 1, 0, 2), 1, 2);
    expect(Array.from(g.x)).toEqual([3, 4, 5, 0, 1, 2]);
    expect(Array.from(g.xAugT)).toEqual([3, 0, 4, 1, 5, 2, 1, 1]);
    expect(Array.from(g.y)).toEqual([1, 0]);
    expect(Array.from(g.w)).toEqual([2, 1]);
  });
});

describe('adamStep', () => {
  for (const l2 of [0, 0.05]) {
    it(`follows tfjs train.adam step for step (1e-5) on the same gradients${l2 > 0 ? ', with L2 on kernels' : ''}`, () => {
      const rng = createRng(5);
      const layout = parameterLayout([{ inputs: 4, units: 6 }, { inputs: 6, units: 1 }]);
      const start = Float32Array.from({ length: layout.size }, () => rng() - 0.5);
      const ours = start.slice();
      const theirs = tf.variable(tf.tensor1d(start), true, `adam_reference_${l2}`);
      const state = createAdam(layout.size);
      const optimizer = tf.train.adam(0.01);
      const factors = kernelMask(layout).map((v) => v * 2 * l2);
      for (let step = 0; step < 25; step++) {
        const g = Float32Array.from({ length: layout.size }, () => rng() * 2 - 1);
        tf.tidy(() => optimizer.applyGradients([{ name: `adam_reference_${l2}`, tensor: tf.add(tf.tensor1d(g), tf.mul(theirs, tf.tensor1d(factors))) }]));
        adamStep(ours, g, state, 0.01, tf.backend().epsilon(), l2 > 0 ? factors : null);
      }
      const b = theirs.dataSync();
      for (let i = 0; i < layout.size; i++) expect(Math.abs((ours[i] as number) - (b[i] as number))).toBeLessThan(1e-5);
      expect(Math.abs((ours[0] as number) - (start[0] as number))).toBeGreaterThan(1e-3);
      optimizer.dispose();
      theirs.dispose();
    });
  }
});

describe('packLayers / unpackLayers', () => {
  it('round-trips kernels, biases and activations', () => {
    const layers = initLayers(3, [4], 'sigmoid', 1).map((l, i) => ({ ...l, bias: l.bias.map((_, j) => i + j / 10) }));
    const back = unpackLayers(packLayers(layers), layers);
    expect(back).toEqual(layers);
    expect(() => unpackLayers(new Float32Array(3), layers)).toThrow(/not the 21 the layers need/);
  });
});
