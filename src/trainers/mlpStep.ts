/**
 * One MLP training step with few kernel launches: every weight and bias lives in ONE flat parameter vector, the
 * gradients of the weighted loss are written out by hand into one flat gradient, and Adam updates the whole vector
 * with a dozen element-wise ops. tfjs's optimizer spends ~14 ops per variable (84 for a 2 × 64 network) and autodiff
 * adds its own bookkeeping; on the wasm backend each op costs a fixed dispatch, so the step count of ops is what an
 * epoch pays for beyond the matMuls.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { DenseLayer } from './bundle.ts';
import type { Tf } from './types.ts';

/** Where each layer's kernel (inputs × units, row-major) and bias sit in the flat parameter vector. */
export interface ParameterLayout {
  readonly layers: readonly { readonly inputs: number; readonly units: number; readonly kernelAt: number; readonly biasAt: number }[];
  readonly size: number;
}

/** The layout of a dense network with these layer sizes, kernels and biases in layer order. */
export function parameterLayout(layers: readonly Pick<DenseLayer, 'inputs' | 'units'>[]): ParameterLayout {
  let at = 0;
  const out = layers.map(({ inputs, units }) => {
    const kernelAt = at;
    const biasAt = kernelAt + inputs * units;
    at = biasAt + units;
    return { inputs, units, kernelAt, biasAt };
  });
  return { layers: out, size: at };
}

/** Packs layers into one flat Float32Array in `parameterLayout` order. */
export function packLayers(layers: readonly DenseLayer[]): Float32Array {
  const layout = parameterLayout(layers);
  const flat = new Float32Array(layout.size);
  layers.forEach((l, i) => {
    const at = layout.layers[i];
    if (at === undefined) return;
    flat.set(l.kernel, at.kernelAt);
    flat.set(l.bias, at.biasAt);
  });
  return flat;
}

/** The layers back from a flat vector, with the activations of `shape`. */
export function unpackLayers(flat: Float32Array, shape: readonly DenseLayer[]): DenseLayer[] {
  const layout = parameterLayout(shape);
  if (flat.length !== layout.size) throw new Error(`parameter vector has ${flat.length} values, not the ${layout.size} the layers need; pass the matching network`);
  return shape.map((s, i) => {
    const at = layout.layers[i] as ParameterLayout['layers'][number];
    return { ...s, kernel: flat.slice(at.kernelAt, at.biasAt), bias: flat.slice(at.biasAt, at.biasAt + at.units) };
  });
}

/** 1 on kernel entries, 0 on biases: L2 applies to weights only. */
export function kernelMask(layout: ParameterLayout): Float32Array {
  const mask = new Float32Array(layout.size);
  for (const l of layout.layers) mask.fill(1, l.kernelAt, l.biasAt);
  return mask;
}

/** Kernels and biases as tensors viewed out of the flat vector (one slice + reshape each). */
export function viewLayers(tf: Tf, flat: tfjs.Tensor1D, layout: ParameterLayout): { kernels: tfjs.Tensor2D[]; biases: tfjs.Tensor1D[] } {
  return {
    kernels: layout.layers.map((l) => tf.reshape(tf.slice(flat, l.kernelAt, l.inputs * l.units), [l.inputs, l.units]) as tfjs.Tensor2D),
    biases: layout.layers.map((l) => tf.slice(flat, l.biasAt, l.units)),
  };
}

/** Settings of a step: loss, dropout with a seed source for its masks, and the L2 factor on kernels. */
export interface StepSettings {
  readonly loss: 'bce' | 'mse';
  readonly dropout: number;
  /** a fresh integer seed per dropout mask */
  readonly nextSeed: () => number;
}

/**
 * Hand-written backward pass of Σ w·loss / Σ w (logits + BCE, or squared error) through ReLU layers: returns the flat
 * gradient (without L2) and Σ w·loss of the batch. Weight gradients are an explicit transpose then a plain matMul:
 * tfjs's wasm backend runs a transposed matMul 5–20× slower. Each layer's forward is one fused matMul + bias (+ ReLU)
 * kernel, and bias gradients are a ones-row matMul: on wasm a column sum of 4096 × 64 took ~1.3 ms, the matMul ~0.1 ms,
 * and the separate bias add and ReLU ~1.3 ms a layer (per batch of 4096 rows, 2 × 64 network).
 */
export function lossGradient(tf: Tf, flat: tfjs.Tensor1D, layout: ParameterLayout, xb: tfjs.Tensor2D, yb: tfjs.Tensor, wb: tfjs.Tensor, s: StepSettings): { grad: tfjs.Tensor1D; weightedLoss: tfjs.Scalar; weightSum: tfjs.Scalar } {
  const { kernels, biases } = viewLayers(tf, flat, layout);
  const inputs: tfjs.Tensor[] = [];
  const slopes: tfjs.Tensor[] = [];
  let h: tfjs.Tensor = xb;
  let out: tfjs.Tensor = xb;
  kernels.forEach((k, i) => {
    inputs.push(h);
    const last = i + 1 === kernels.length;
    const z = tf.fused.matMul({ a: h as tfjs.Tensor2D, b: k, bias: biases[i] as tfjs.Tensor1D, ...(last ? {} : { activation: 'relu' as const }) });
    if (last) {
      out = z;
      return;
    }
    h = z;
    // ReLU's slope from its output: relu(z) > 0 exactly where z > 0
    let slope = tf.step(h);
    if (s.dropout > 0) {
      const mask = tf.dropout(tf.onesLike(h), s.dropout, undefined, s.nextSeed());
      h = tf.mul(h, mask);
      slope = tf.mul(slope, mask);
    }
    slopes.push(slope);
  });
  const weightSum = tf.sum(wb);
  // Σ w·(softplus(z) − y·z) is Σ w·BCE(σ(z), y) in a stable form; squared error is Σ w·(ŷ − y)²
  const residual = s.loss === 'bce' ? tf.sub(tf.sigmoid(out), yb) : tf.sub(out, yb);
  const weightedLoss = s.loss === 'bce'
    ? tf.sum(tf.mul(wb, tf.sub(tf.softplus(out), tf.mul(yb, out))))
    : tf.sum(tf.mul(wb, tf.square(residual)));
  let delta: tfjs.Tensor = tf.div(tf.mul(s.loss === 'bce' ? residual : tf.mul(residual, 2), wb), weightSum);
  const parts: tfjs.Tensor[] = new Array<tfjs.Tensor>(kernels.length * 2);
  const onesRow = tf.ones([1, xb.shape[0]]);
  for (let i = kernels.length - 1; i >= 0; i--) {
    const k = kernels[i] as tfjs.Tensor2D;
    parts[2 * i] = tf.reshape(tf.matMul(tf.transpose(inputs[i] as tfjs.Tensor), delta), [-1]);
    parts[2 * i + 1] = tf.reshape(tf.matMul(onesRow, delta), [-1]);
    if (i > 0) delta = tf.mul(tf.matMul(delta, tf.transpose(k)), slopes[i - 1] as tfjs.Tensor);
  }
  return { grad: tf.concat(parts) as tfjs.Tensor1D, weightedLoss: weightedLoss as tfjs.Scalar, weightSum: weightSum as tfjs.Scalar };
}

/** Adam's state for a flat vector: first and second moments and the step count. */
export interface AdamState {
  readonly m: tfjs.Variable;
  readonly v: tfjs.Variable;
  t: number;
}

/** Zeroed Adam moments for `size` parameters; `name` keeps variables of two runs in one engine apart. */
export function createAdam(tf: Tf, size: number, name: string): AdamState {
  // tidy frees the zero tensors; the variables survive it
  const { m, v } = tf.tidy(() => ({
    m: tf.variable(tf.zeros([size]), false, `${name}_adam_m`),
    v: tf.variable(tf.zeros([size]), false, `${name}_adam_v`),
  }));
  return { m, v, t: 0 };
}

/**
 * One Adam update of `param` in place, equal to tfjs's `train.adam(lr, 0.9, 0.999, eps)`: lr·m̂ / (√v̂ + eps) rewritten
 * as lrₜ·m / (√v + epsₜ) with lrₜ = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) and epsₜ = eps·√(1−β₂ᵗ), so the bias corrections are two scalars
 * and the update is 12 element-wise ops on the whole vector. Call inside `tidy`.
 */
export function adamStep(tf: Tf, param: tfjs.Variable, grad: tfjs.Tensor, state: AdamState, learningRate: number, epsilon: number, beta1 = 0.9, beta2 = 0.999): void {
  state.t += 1;
  const c2 = Math.sqrt(1 - beta2 ** state.t);
  const lrT = (learningRate * c2) / (1 - beta1 ** state.t);
  const m = tf.add(state.m, tf.mul(tf.sub(grad, state.m), 1 - beta1));
  const v = tf.add(state.v, tf.mul(tf.sub(tf.square(grad), state.v), 1 - beta2));
  state.m.assign(m);
  state.v.assign(v);
  param.assign(tf.sub(param, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon * c2)), lrT)));
}
