/**
 * tfjs's MLP step as one gradient read: the batch is gathered on the host in both layouts and differentiated by
 * `lossGradient` (mlpStep.ts). The step on WebGL/WebGPU, with dropout (its masks come from the host's seeded stream) and
 * when forced (`?mlpPath=tfjs`); on the CPU backends the fused wasm kernel (`mlpKernel.ts`, on a thread team,
 * `mlpTeam.ts`) replaces it. Helper workers that were sent slices of each batch by message were removed: the kernel on
 * one thread was already ~2.5× their two workers (idle bench: 937 ms an epoch on one worker, 793 on two).
 */
import { gatherBatch, layerTensors, lossGradient, parameterLayout, type StepSettings } from './mlpStep.ts';
import type { Tf } from './types.ts';

/** What `sliceGradient` differentiates: the network's shape and weights, and the batch's rows. */
export interface MlpGradientJob {
  readonly shape: readonly { readonly inputs: number; readonly units: number }[];
  /** the flat weights (`parameterLayout` order) at which to differentiate */
  readonly params: Float32Array;
  readonly loss: 'bce' | 'mse';
  readonly rows: number;
  readonly cols: number;
  /** the batch gathered by `gatherBatch`: rows × cols, (cols + 1) × rows with a row of ones, labels, weights */
  readonly x: Float32Array;
  readonly xAugT: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array;
  /** Σ w the gradient is divided by, or null for the batch's own */
  readonly weightTotal: number | null;
}

/**
 * The batch's [gradient (`parameterLayout` order, without L2), Σ w·loss, Σ w] in ONE read: a memory copy on wasm and cpu;
 * on WebGL/WebGPU the wait that keeps the GPU queue one step deep.
 */
export async function sliceGradient(tf: Tf, job: MlpGradientJob, dropout = 0, nextSeed: () => number = () => 0): Promise<Float32Array> {
  const { rows: n, cols } = job;
  const layout = parameterLayout(job.shape);
  if (job.params.length !== layout.size) throw new Error(`gradient job has ${job.params.length} weights, not the ${layout.size} its shape needs; send the matching network`);
  const settings: StepSettings = { loss: job.loss, dropout, nextSeed, ...(job.weightTotal === null ? {} : { weightTotal: job.weightTotal }) };
  const packed = tf.tidy(() => {
    const batch = { x: tf.tensor2d(job.x, [n, cols]), xAugT: tf.tensor2d(job.xAugT, [cols + 1, n]), y: tf.tensor2d(job.y, [n, 1]), w: tf.tensor2d(job.w, [n, 1]) };
    const { grad, weightedLoss, weightSum } = lossGradient(tf, layerTensors(tf, job.params, layout, true), batch, settings);
    return tf.concat([grad, tf.reshape(weightedLoss, [1]), tf.reshape(weightSum, [1])]);
  });
  try {
    return (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
}

/** The training rows a step gathers its batch from. */
export interface TrainingRows {
  readonly X: Float32Array;
  readonly cols: number;
  readonly y: Float32Array;
  readonly w: Float32Array;
}

/** What `batchGradient` differentiates: the network, its weights, the loss and dropout (with its mask seeds). */
export interface GradientSettings {
  readonly shape: MlpGradientJob['shape'];
  readonly params: Float32Array;
  readonly loss: MlpGradientJob['loss'];
  readonly dropout: number;
  readonly nextSeed: () => number;
}

/** The gradient of the batch `order[start … start + n)` as `sliceGradient` returns it. */
export async function batchGradient(tf: Tf, rows: TrainingRows, s: GradientSettings, order: Uint32Array, start: number, n: number): Promise<Float32Array> {
  const g = gatherBatch(rows.X, rows.cols, rows.y, rows.w, order, start, n);
  return sliceGradient(tf, { shape: s.shape, params: s.params, loss: s.loss, rows: n, cols: rows.cols, ...g, weightTotal: null }, s.dropout, s.nextSeed);
}
