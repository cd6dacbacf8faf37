/** Multilayer perceptron with a hand-written training loop: class-weighted loss, seeded init and shuffling, early stopping, cancel. */
import type * as tfjs from '@tensorflow/tfjs';
import type { DenseLayer } from './bundle.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';
import { bceOfLogit, rocAuc } from './metrics.ts';
import { createRng, shuffleInPlace } from './random.ts';
import { batchGradient, type GradientSettings } from './mlpGradient.ts';
import type { MlpKernelJob } from './mlpKernel.ts';
import { openMlpKernelJob, type MlpTeamSpec } from './mlpTeam.ts';
import { adamStep, createAdam, forwardPass, kernelMask, layerTensors, packLayers, parameterLayout, unpackLayers } from './mlpStep.ts';
import { BATCH_PROGRESS_MS, FORWARD_CHUNK_ROWS, type Clock, type EpochLog, type MlpPath, type MlpPathRequest, type OnBatchProgress, type OnEpoch, type Tf } from './types.ts';

/** Inputs of `trainMlp`; X matrices are already standardised, row-major. */
export interface MlpOptions {
  readonly tf: Tf;
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: Float32Array;
  /** per-row loss weight (class weights); all 1 when absent */
  readonly weight?: Float32Array;
  readonly validX: Float32Array;
  readonly validRows: number;
  readonly validY: Float32Array;
  readonly validWeight?: Float32Array;
  /** 'bce': logits + class-weighted binary cross-entropy; 'mse': linear output, squared error */
  readonly loss: 'bce' | 'mse';
  readonly hiddenUnits: readonly number[];
  readonly dropout: number;
  readonly l2: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly patience: number;
  readonly seed: number;
  readonly onEpoch?: OnEpoch;
  /** fed within an epoch (every `BATCH_PROGRESS_MS`): a worker client hears from a long epoch before its silence timeout */
  readonly onBatchProgress?: OnBatchProgress;
  /** called after every optimiser step; tests use it to cancel at a known batch */
  readonly onBatch?: (batch: number) => void;
  readonly signal?: AbortSignal;
  readonly now?: Clock;
  /** threads that share each batch on the fused kernel (`mlpTeam.ts`); absent: the kernel runs on this thread alone */
  readonly team?: MlpTeamSpec;
  /**
   * X and validX were made for this training alone: once the kernel holds its copy of them they are freed
   * (`releaseBuffers`), so a ten-times file's fit rows (~140 MB) are not held twice while it trains
   */
  readonly releaseRows?: boolean;
  /** which step computes the gradients: 'auto' (`mlpPathFor`), or a path forced (the bench's A/B, tests) */
  readonly path?: MlpPathRequest;
}

/**
 * Backends whose MLP step runs on the host's CPU: there the fused wasm kernel (`mlpKernel.ts`) replaces tfjs's ~50 kernels
 * a step. Idle bench before it: node wasm 937 ms an epoch on one worker (793 sharing batches with a second), browser wasm
 * 906 on one thread; the kernel's figures are in docs/architecture.md. WebGL and WebGPU keep tfjs (the GPU's path).
 */
export const MLP_KERNEL_BACKENDS: readonly string[] = ['wasm', 'cpu'];

const PATH_REQUESTS: readonly MlpPathRequest[] = ['auto', 'tfjs', 'wasm-simd', 'wasm-relaxed-simd'];
/** A step asked for by name (the page's `?mlpPath=`, the CLI), checked. */
export function checkMlpPath(name: string): MlpPathRequest {
  const found = PATH_REQUESTS.find((p) => p === name);
  if (found === undefined) throw new Error(`mlp path "${name}" is not one of ${PATH_REQUESTS.join(', ')}; fix the mlpPath parameter`);
  return found;
}

/**
 * The step an MLP trains with on `backend`: the wasm kernel where the backend computes on the CPU, without dropout (its
 * masks come from tfjs, seeded from the host stream); tfjs's otherwise. The answer says why, for the Train cell.
 */
export function mlpPathFor(backend: string, dropout: number, request: MlpPathRequest = 'auto'): { readonly kernel: boolean; readonly relaxed: boolean | undefined; readonly why: string } {
  if (request === 'tfjs') return { kernel: false, relaxed: undefined, why: 'forced' };
  if (dropout > 0) return { kernel: false, relaxed: undefined, why: `dropout ${dropout} runs on tfjs (the kernel has no dropout masks); set dropout to 0 for the wasm kernel` };
  if (request === 'auto' && !MLP_KERNEL_BACKENDS.includes(backend)) return { kernel: false, relaxed: undefined, why: `the ${backend} backend computes on the GPU` };
  return { kernel: true, relaxed: request === 'wasm-simd' ? false : request === 'wasm-relaxed-simd' ? true : undefined, why: request === 'auto' ? `the ${backend} backend computes on the CPU` : 'forced' };
}

/** A trained MLP as plain arrays (best validation epoch restored) plus its history. */
export interface MlpFit {
  readonly layers: DenseLayer[];
  readonly history: EpochLog[];
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly converged: boolean;
  readonly msPerEpoch: number;
  /** optimiser steps taken, for the cancel-within-one-batch check */
  readonly batches: number;
  /** which step computed the gradients, and why */
  readonly path: MlpPath;
  readonly pathWhy: string;
  /** threads that shared each batch (a kernel team, `mlpTeam.ts`); 1 on tfjs's step */
  readonly threads: number;
}

/** Thrown when the caller's AbortSignal fires; workers match on `name`. */
export class TrainingCancelled extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('training cancelled');
  }
}

/** BCE(logitᵢ, yᵢ) per row, in the numerically stable form max(z,0) − z·y + log(1 + e^−|z|). */
function weightedBceTerms(tf: Tf, logits: tfjs.Tensor, y: tfjs.Tensor): tfjs.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/** Σ wᵢ·BCE(logitᵢ, yᵢ) / Σ wᵢ, from logits. */
export function weightedBce(tf: Tf, logits: tfjs.Tensor, y: tfjs.Tensor, w: tfjs.Tensor): tfjs.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(weightedBceTerms(tf, logits, y), w)), tf.sum(w)) as tfjs.Scalar);
}

/** True when the validation loss moved less than 1e-4 over the last 3 epochs: the definition of converged. */
export function hasPlateaued(valLosses: readonly number[]): boolean {
  if (valLosses.length < 4) return false;
  const last = valLosses.slice(-4);
  return Math.max(...last) - Math.min(...last) < 1e-4;
}

/** Seeded He-uniform (ReLU) / Glorot-uniform (output) init drawn in JS, so every backend starts from the same weights. */
export function initLayers(cols: number, hiddenUnits: readonly number[], outputActivation: DenseLayer['activation'], seed: number): DenseLayer[] {
  const rng = createRng(seed);
  const sizes = [cols, ...hiddenUnits, 1];
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const inputs = sizes[i] ?? 1;
    const units = sizes[i + 1] ?? 1;
    const last = i + 2 === sizes.length;
    const limit = last ? Math.sqrt(6 / (inputs + units)) : Math.sqrt(6 / inputs);
    const kernel = new Float32Array(inputs * units);
    for (let k = 0; k < kernel.length; k++) kernel[k] = (rng() * 2 - 1) * limit;
    layers.push({ inputs, units, kernel, bias: new Float32Array(units), activation: last ? outputActivation : 'relu' });
  }
  return layers;
}

/**
 * Lets this thread's message loop run (a cancel arrives as a message) without a timer: a `setTimeout(0)` chained from a
 * timer's own task waits ≥ 4 ms in a browser from the fifth on (3.65 ms each measured in a Chromium worker, against
 * 0.03 ms for a message to itself) and ~1.2 ms in node (setImmediate: its check phase follows the poll that delivers
 * messages); an epoch on the kernel yields ~15 times (every 20 ms). Messages are delivered in order, so one sent before
 * this is read first.
 */
function yieldToMessages(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise<void>((resolve) => setImmediate(resolve));
  return new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Trains with Adam on seeded mini-batches; stops on patience, restores the best epoch, frees every tensor even on cancel. */
export async function trainMlp(o: MlpOptions): Promise<MlpFit> {
  const closers: (() => Promise<void>)[] = [];
  try {
    return await trainMlpClosing(o, closers);
  } finally {
    // a kernel team's followers stop serving (on cancel and errors too): they are kept for the next training
    for (const close of closers) await close();
  }
}

async function trainMlpClosing(o: MlpOptions, closers: (() => Promise<void>)[]): Promise<MlpFit> {
  const { tf } = o;
  const now = o.now ?? (() => performance.now());
  if (o.rows === 0 || o.validRows === 0) throw new Error(`mlp needs training and validation rows (got ${o.rows} and ${o.validRows}); lower the validation fraction`);
  const rng = createRng(o.seed);
  const outputActivation = o.loss === 'bce' ? 'sigmoid' : 'linear';
  const init = initLayers(o.cols, o.hiddenUnits, outputActivation, o.seed + 1);
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

  // every kernel and bias in one flat vector on the host: the step reads them uploaded and returns one flat gradient
  // with the batch's loss in one read; Adam updates the vector in place (see mlpStep.ts)
  const layout = parameterLayout(init);
  const params = packLayers(init);
  const adam = createAdam(layout.size);
  const l2Factors = o.l2 > 0 ? kernelMask(layout).map((v) => v * 2 * o.l2) : null;
  const epsilon = tf.backend().epsilon();
  const wTrain = o.weight ?? ones(o.rows);
  const wValid = o.validWeight ?? ones(o.validRows);
  const nextSeed = (): number => Math.floor(rng() * 2 ** 31);

  /** l2 · Σ kernel² of the current weights */
  const penalty = (): number => {
    if (l2Factors === null) return 0;
    let sum = 0;
    for (let i = 0; i < params.length; i++) sum += (l2Factors[i] as number) * (params[i] as number) ** 2;
    return sum / 2;
  };

  /**
   * The validation loss and outputs (probabilities for bce), in chunks of FORWARD_CHUNK_ROWS rows: one forward pass over
   * every validation row would hold rows × units activations per layer on the device (the wasm heap keeps its peak).
   */
  const validate = async (): Promise<{ valLoss: number; valOut: Float32Array }> => (kernelJob === null ? validateOnTfjs() : validateOnKernel(kernelJob));
  const validateOnTfjs = async (): Promise<{ valLoss: number; valOut: Float32Array }> => {
    const valOut = new Float32Array(o.validRows);
    let weighted = 0;
    let weightSum = 0;
    for (let start = 0; start < o.validRows; start += FORWARD_CHUNK_ROWS) {
      const n = Math.min(o.validRows, start + FORWARD_CHUNK_ROWS) - start;
      const part = tf.tidy(() => {
        const y = tf.tensor2d(o.validY.subarray(start, start + n), [n, 1]);
        const w = tf.tensor2d(wValid.subarray(start, start + n), [n, 1]);
        const out = forwardPass(tf, layerTensors(tf, params, layout, false), tf.tensor2d(o.validX.subarray(start * o.cols, (start + n) * o.cols), [n, o.cols]));
        const perRow = o.loss === 'bce' ? weightedBceTerms(tf, out, y) : tf.square(tf.sub(out, y));
        return { weighted: tf.sum(tf.mul(perRow, w)), weightSum: tf.sum(w), out: o.loss === 'bce' ? tf.sigmoid(out) : out };
      });
      try {
        weighted += (await part.weighted.data())[0] ?? Number.NaN;
        weightSum += (await part.weightSum.data())[0] ?? Number.NaN;
        valOut.set(await part.out.data(), start);
      } finally {
        part.weighted.dispose();
        part.weightSum.dispose();
        part.out.dispose();
      }
    }
    return { valLoss: Math.fround(weighted / weightSum), valOut };
  };
  /** The same from the kernel's forward pass: the per-row loss as `weightedBceTerms` (or squared error) on the host. */
  const validateOnKernel = (job: MlpKernelJob): { valLoss: number; valOut: Float32Array } => {
    job.params.set(params);
    const out = job.validate();
    const valOut = new Float32Array(o.validRows);
    let weighted = 0;
    let weightSum = 0;
    for (let i = 0; i < o.validRows; i++) {
      const z = out[i] as number;
      const y = o.validY[i] as number;
      const w = wValid[i] as number;
      if (o.loss === 'bce') {
        weighted += w * bceOfLogit(z, y);
        valOut[i] = 1 / (1 + Math.exp(-z));
      } else {
        weighted += w * (z - y) ** 2;
        valOut[i] = z;
      }
      weightSum += w;
    }
    return { valLoss: Math.fround(weighted / weightSum), valOut };
  };

  /**
   * One Adam step: the gradient and the batch's Σ w·loss come from the kernel (on its team's threads, if any) or, on
   * tfjs's step, with Σ w in ONE read (`batchGradient`). Returns the batch's n · Σ w·loss / Σ w (the epoch loss is
   * their sum).
   */
  const gradientSettings: GradientSettings = { shape: init, params, loss: o.loss, dropout: o.dropout, nextSeed };
  const trainRows = { X: o.X, cols: o.cols, y: o.y, w: wTrain };
  const chosen = mlpPathFor(tf.getBackend(), o.dropout, o.path);
  // the kernel's job holds copies of the rows in its own wasm memory; its `order` (a view there) is the one shuffled
  const kernelJob = chosen.kernel
    ? await openMlpKernelJob(chosen.relaxed, { X: o.X, cols: o.cols, y: o.y, w: wTrain, validX: o.validX }, [o.cols, ...o.hiddenUnits, 1], o.loss, o.team)
    : null;
  if (kernelJob !== null) closers.push(() => kernelJob.close());
  if (kernelJob !== null && o.releaseRows === true) releaseBuffers(o.X, o.validX);
  const order = kernelJob?.order ?? new Uint32Array(o.rows);
  for (let i = 0; i < o.rows; i++) order[i] = i;
  const scaled = new Float32Array(layout.size);
  const trainStep = async (start: number, n: number): Promise<number> => {
    if (kernelJob !== null) {
      kernelJob.params.set(params);
      const { grad, weightedLoss } = kernelJob.gradient(start, n);
      let weightSum = 0;
      for (let k = start; k < start + n; k++) weightSum += wTrain[order[k] as number] as number;
      for (let i = 0; i < scaled.length; i++) scaled[i] = (grad[i] as number) / weightSum;
      adamStep(params, scaled, adam, o.learningRate, epsilon, l2Factors);
      return (n * weightedLoss) / weightSum;
    }
    const values = await batchGradient(tf, trainRows, gradientSettings, order, start, n);
    adamStep(params, values.subarray(0, layout.size), adam, o.learningRate, epsilon, l2Factors);
    return (n * (values[layout.size] ?? Number.NaN)) / (values[layout.size + 1] ?? Number.NaN);
  };

  const history: EpochLog[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, layers: init };
  let sinceBest = 0;
  let batches = 0;
  let lastYield = now();
  let lastProgress = lastYield;
  const batchesPerEpoch = Math.ceil(o.rows / o.batchSize);
  let stoppedEarly = false;
  const started = now();

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = now();
    shuffleInPlace(order, rng);
    let lossSum = 0;
    for (let start = 0; start < o.rows; start += o.batchSize) {
      if (o.signal?.aborted === true) throw new TrainingCancelled();
      const n = Math.min(o.rows, start + o.batchSize) - start;
      // the batch's rows are gathered on the host, not sliced from a device copy of the matrix: the wasm backend's
      // slice reads its whole input back into a new array first (a ten-times file: the matrix copied once per batch)
      lossSum += await trainStep(start, n);
      batches++;
      o.onBatch?.(batches);
      if (o.onBatchProgress && now() - lastProgress >= BATCH_PROGRESS_MS) {
        o.onBatchProgress({ epoch, batch: start / o.batchSize + 1, batches: batchesPerEpoch });
        lastProgress = now();
      }
      // let the worker's message loop deliver a cancel without paying a macrotask per batch
      if (now() - lastYield > 20) {
        await yieldToMessages();
        lastYield = now();
      }
    }
    // the data loss of every batch (at the weights it was computed with) plus the L2 penalty at the epoch's end
    const loss = lossSum + penalty() * o.rows;
    const { valLoss, valOut } = await validate();
    const log: EpochLog = {
      epoch,
      loss: loss / o.rows,
      valLoss,
      ...(o.loss === 'bce' ? { valAuc: rocAuc(o.validY, valOut) } : { valRmse: Math.sqrt(valLoss) }),
      ms: now() - t0,
    };
    history.push(log);
    o.onEpoch?.(log);
    if (!Number.isFinite(valLoss)) throw new Error(`validation loss is ${valLoss} at epoch ${epoch}; lower the learning rate`);
    if (valLoss < best.loss) {
      best = { loss: valLoss, epoch, layers: unpackLayers(params.slice(), init) };
      sinceBest = 0;
    } else if (++sinceBest >= o.patience) {
      stoppedEarly = true;
      break;
    }
    if (hasPlateaued(history.map((h) => h.valLoss))) break;
  }

  const total = now() - started;
  return {
    layers: best.layers,
    history,
    epochs: history.length,
    bestEpoch: best.epoch,
    converged: stoppedEarly || hasPlateaued(history.map((h) => h.valLoss)),
    msPerEpoch: history.length > 0 ? total / history.length : 0,
    batches,
    path: kernelJob?.kernel.path ?? 'tfjs',
    threads: kernelJob?.threads ?? 1,
    pathWhy: chosen.why,
  };
}
