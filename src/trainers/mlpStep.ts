/**
 * One MLP training step with few kernel launches: every weight and bias lives in ONE flat parameter vector on the host,
 * the gradients of the weighted loss are written out by hand into one flat gradient that comes back in one read with
 * the batch's loss, and Adam updates the vector in a plain loop (5k values: microseconds; on the device it was a dozen
 * kernels plus a slice per layer, ~1 ms a step on wasm).
 *
 * Where a wasm step goes (2 × 64 network, 4096 rows, 11 features): tfjs's wasm matMul runs XNNPACK only without
 * transpose flags, and XNNPACK packs its right-hand operand on every call with a new tensor (~1 ms for 4096 × 64, as
 * long as the 4096 × 64 × 64 product itself), while tfjs's Transpose of 4096 × 64 takes ~1.2 ms. So the step is laid out
 * so that batch-sized matrices are transposed or packed as seldom as possible: the batch comes from the host in both
 * layouts (rows, and features × rows with a row of ones, so one matMul gives a layer's kernel and bias gradients), the
 * first hidden layer's transposed activations are recomputed from it (a 12-wide product, 0.5 ms) instead of transposed,
 * and the output layer's gradient (one unit) is a row-vector product.
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

/** The batch a step reads: its rows (n × cols) and the same rows as features × rows with a last row of ones. */
export interface StepBatch {
  readonly x: tfjs.Tensor2D;
  /** (cols + 1) × n: the transposed batch plus a row of ones, so Xᵀδ and Σδ come out of one matMul */
  readonly xAugT: tfjs.Tensor2D;
  readonly y: tfjs.Tensor;
  readonly w: tfjs.Tensor;
}

/** Rows `order[start … start + n)` of X, y and w, copied into a batch in both layouts (`StepBatch`). */
export function gatherBatch(X: Float32Array, cols: number, y: Float32Array, w: Float32Array, order: Uint32Array, start: number, n: number): { x: Float32Array; xAugT: Float32Array; y: Float32Array; w: Float32Array } {
  const xb = new Float32Array(n * cols);
  const xt = new Float32Array((cols + 1) * n);
  const yb = new Float32Array(n);
  const wb = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const row = order[start + k] as number;
    for (let c = 0, from = row * cols, to = k * cols; c < cols; c++) {
      const v = X[from + c] as number;
      xb[to + c] = v;
      xt[c * n + k] = v;
    }
    yb[k] = y[row] as number;
    wb[k] = w[row] as number;
  }
  xt.fill(1, cols * n);
  return { x: xb, xAugT: xt, y: yb, w: wb };
}

/** The network's weights as tensors, uploaded from the flat host vector: what the forward and backward passes read. */
export interface LayerTensors {
  readonly kernels: tfjs.Tensor2D[];
  readonly biases: tfjs.Tensor1D[];
  /** each kernel transposed (units × inputs), for the backward pass's δ·Wᵀ; null for the first layer */
  readonly kernelsT: (tfjs.Tensor2D | null)[];
  /**
   * The first layer as (units + 1) × (cols + 1): row j is [kernel column j, bias j], the last row [0 … 0, 1]; with the
   * augmented batch it gives the first hidden layer's activations transposed, plus a row of ones, in one product
   */
  readonly firstAugT: tfjs.Tensor2D | null;
}

/** Uploads kernels and biases (and the transposed forms a training step needs, when `forTraining`). Call inside `tidy`. */
export function layerTensors(tf: Tf, flat: Float32Array, layout: ParameterLayout, forTraining: boolean): LayerTensors {
  const kernels = layout.layers.map((l) => tf.tensor2d(flat.subarray(l.kernelAt, l.biasAt), [l.inputs, l.units]));
  const biases = layout.layers.map((l) => tf.tensor1d(flat.subarray(l.biasAt, l.biasAt + l.units)));
  if (!forTraining) return { kernels, biases, kernelsT: [], firstAugT: null };
  const kernelsT = layout.layers.map((l, i) => {
    if (i === 0) return null;
    const t = new Float32Array(l.inputs * l.units);
    for (let r = 0; r < l.inputs; r++) for (let c = 0; c < l.units; c++) t[c * l.inputs + r] = flat[l.kernelAt + r * l.units + c] as number;
    return tf.tensor2d(t, [l.units, l.inputs]);
  });
  const first = layout.layers[0];
  let firstAugT: tfjs.Tensor2D | null = null;
  // only when the second layer has more than one unit: its gradient is the one that reads these activations transposed
  if (first !== undefined && (layout.layers[1]?.units ?? 1) > 1) {
    const width = first.inputs + 1;
    const a = new Float32Array((first.units + 1) * width);
    for (let j = 0; j < first.units; j++) {
      for (let r = 0; r < first.inputs; r++) a[j * width + r] = flat[first.kernelAt + r * first.units + j] as number;
      a[j * width + first.inputs] = flat[first.biasAt + j] as number;
    }
    a[first.units * width + first.inputs] = 1;
    firstAugT = tf.tensor2d(a, [first.units + 1, width]);
  }
  return { kernels, biases, kernelsT, firstAugT };
}

/** Settings of a step: loss, dropout with a seed source for its masks. */
export interface StepSettings {
  readonly loss: 'bce' | 'mse';
  readonly dropout: number;
  /** a fresh integer seed per dropout mask */
  readonly nextSeed: () => number;
  /**
   * Σ w of the whole batch when this call sees only a slice of it (data parallelism: each worker a slice); δ is divided
   * by it, so the slices' gradients add up to the batch's. Default: this batch's own Σ w.
   */
  readonly weightTotal?: number;
}

/**
 * Hand-written backward pass of Σ w·loss / Σ w (logits + BCE, or squared error) through ReLU layers: returns the flat
 * gradient (without L2, in `parameterLayout` order) and Σ w·loss and Σ w of the batch. Each layer's forward is one
 * fused matMul + bias (+ ReLU); a hidden layer's kernel and bias gradients are ONE matMul of its transposed input with
 * a row of ones (`[Aᵀ; 1]·δ`), whose rows are the kernel's rows then the bias, as the flat vector lays them out; the
 * output layer's (one unit) is Aᵀ·δ and Σδ. Other weight gradients use plain matMuls only: tfjs's wasm backend runs a matMul
 * with a transpose flag in a scalar loop, 5–20× slower (except with one output column). Call inside `tidy`.
 */
export function lossGradient(tf: Tf, p: LayerTensors, batch: StepBatch, s: StepSettings): { grad: tfjs.Tensor1D; weightedLoss: tfjs.Scalar; weightSum: tfjs.Scalar } {
  const { kernels, biases } = p;
  const inputs: tfjs.Tensor2D[] = [];
  const slopes: tfjs.Tensor[] = [];
  let h: tfjs.Tensor2D = batch.x;
  let out: tfjs.Tensor2D = batch.x;
  kernels.forEach((k, i) => {
    inputs.push(h);
    const last = i + 1 === kernels.length;
    const z = tf.fused.matMul({ a: h, b: k, bias: biases[i] as tfjs.Tensor1D, ...(last ? {} : { activation: 'relu' as const }) }) as tfjs.Tensor2D;
    if (last) {
      out = z;
      return;
    }
    h = z;
    // ReLU's slope from its output: relu(z) > 0 exactly where z > 0
    let slope = tf.step(h);
    if (s.dropout > 0) {
      const mask = tf.dropout(tf.onesLike(h), s.dropout, undefined, s.nextSeed());
      h = tf.mul(h, mask) as tfjs.Tensor2D;
      slope = tf.mul(slope, mask);
    }
    slopes.push(slope);
  });
  const weightSum = tf.sum(batch.w);
  // Σ w·(softplus(z) − y·z) is Σ w·BCE(σ(z), y) in a stable form; squared error is Σ w·(ŷ − y)²
  const residual = s.loss === 'bce' ? tf.sub(tf.sigmoid(out), batch.y) : tf.sub(out, batch.y);
  const weightedLoss = s.loss === 'bce'
    ? tf.sum(tf.mul(batch.w, tf.sub(tf.softplus(out), tf.mul(batch.y, out))))
    : tf.sum(tf.mul(batch.w, tf.square(residual)));
  let delta: tfjs.Tensor2D = tf.div(tf.mul(s.loss === 'bce' ? residual : tf.mul(residual, 2), batch.w), s.weightTotal ?? weightSum);
  const parts: tfjs.Tensor[] = new Array<tfjs.Tensor>(kernels.length);
  for (let i = kernels.length - 1; i >= 0; i--) {
    const k = kernels[i] as tfjs.Tensor2D;
    const input = inputs[i] as tfjs.Tensor2D;
    if (k.shape[1] === 1) {
      // one unit: Aᵀ·δ with tfjs's transpose flag, whose scalar loop is 3× faster here (0.28 against 0.87 ms at 4096 × 64
      // on wasm) than δᵀ·A, where XNNPACK packs the batch-sized right operand on every call
      parts[i] = tf.concat([tf.reshape(tf.matMul(input, delta, true, false), [-1]), tf.reshape(tf.sum(delta), [1])]);
    } else {
      parts[i] = tf.reshape(tf.matMul(transposedWithOnes(tf, p, batch, input, i, s.dropout), delta), [-1]);
    }
    if (i > 0) delta = tf.mul(tf.matMul(delta, p.kernelsT[i] ?? tf.transpose(k)), slopes[i - 1] as tfjs.Tensor) as tfjs.Tensor2D;
  }
  return { grad: tf.concat(parts) as tfjs.Tensor1D, weightedLoss: weightedLoss as tfjs.Scalar, weightSum: weightSum as tfjs.Scalar };
}

/** Layer i's input transposed with a row of ones: the batch's own for the first layer, recomputed for the second (without dropout), else transposed. */
function transposedWithOnes(tf: Tf, p: LayerTensors, batch: StepBatch, input: tfjs.Tensor2D, i: number, dropout: number): tfjs.Tensor2D {
  if (i === 0) return batch.xAugT;
  if (i === 1 && dropout === 0 && p.firstAugT !== null) return tf.fused.matMul({ a: p.firstAugT, b: batch.xAugT, activation: 'relu' }) as tfjs.Tensor2D;
  return tf.concat([tf.transpose(input), tf.ones([1, input.shape[0]])], 0) as tfjs.Tensor2D;
}

/** Inference pass from uploaded weights: logits (bce) or values (mse). Call inside `tidy`. */
export function forwardPass(tf: Tf, p: LayerTensors, x: tfjs.Tensor2D): tfjs.Tensor {
  let h: tfjs.Tensor = x;
  p.kernels.forEach((k, i) => {
    h = tf.add(tf.matMul(h, k), p.biases[i] as tfjs.Tensor1D);
    if (i + 1 < p.kernels.length) h = tf.relu(h);
  });
  return h;
}

/** Adam's state for a flat host vector: first and second moments and the step count. */
export interface AdamState {
  readonly m: Float32Array;
  readonly v: Float32Array;
  t: number;
}

/** Zeroed Adam moments for `size` parameters. */
export function createAdam(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), t: 0 };
}

/**
 * One Adam update of `param` in place, as tfjs's `train.adam(lr, 0.9, 0.999, eps)` computes it (m̂ = m/(1−β₁ᵗ),
 * v̂ = v/(1−β₂ᵗ), param −= lr·m̂/(√v̂ + eps)), with moments stored in float32 as tfjs stores them. `l2Factors`, when
 * given, adds factorᵢ·paramᵢ to each gradient first (2·l2 on kernel entries, 0 on biases).
 */
export function adamStep(param: Float32Array, grad: ArrayLike<number>, state: AdamState, learningRate: number, epsilon: number, l2Factors: Float32Array | null = null, beta1 = 0.9, beta2 = 0.999): void {
  state.t += 1;
  const c1 = 1 - beta1 ** state.t;
  const c2 = 1 - beta2 ** state.t;
  const { m, v } = state;
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    const g = (grad[i] as number) + (l2Factors === null ? 0 : (l2Factors[i] as number) * p);
    const mi = Math.fround((m[i] as number) * beta1 + g * (1 - beta1));
    const vi = Math.fround((v[i] as number) * beta2 + g * g * (1 - beta2));
    m[i] = mi;
    v[i] = vi;
    param[i] = p - (learningRate * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
  }
}
