/**
 * An MLP step's gradient split across workers (data parallelism): the batch is cut into slices of consecutive rows,
 * each helper worker (its own single-thread wasm backend) differentiates one slice at the same weights while this
 * worker does the first, and the slices' gradients add up to the batch's: every slice divides by the WHOLE batch's Σ w
 * (`weightTotal`), so the sum is the one-worker gradient up to float rounding. Adam stays on the host, once per step.
 *
 * Why: a step is ~50 small tfjs kernels on a single wasm thread, and tfjs's threaded wasm did not speed them up (the
 * bench measured 1 and 2 threads within 1 %); XNNPACK packs each batch-sized right operand on every call on one thread.
 * Two workers each with half the rows halve both.
 */
import { gatherBatch, layerTensors, lossGradient, parameterLayout, type StepSettings } from './mlpStep.ts';
import { createRng } from './random.ts';
import type { Tf } from './types.ts';

/** What a worker needs to differentiate one slice of a batch: the network's shape and weights, and the slice's rows. */
export interface MlpGradientJob {
  readonly shape: readonly { readonly inputs: number; readonly units: number }[];
  /** the flat weights (`parameterLayout` order) at which to differentiate; a copy the job owns */
  readonly params: Float32Array;
  readonly loss: 'bce' | 'mse';
  readonly rows: number;
  readonly cols: number;
  /** the slice gathered by `gatherBatch`: rows × cols, (cols + 1) × rows with a row of ones, labels, weights */
  readonly x: Float32Array;
  readonly xAugT: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array;
  /** Σ w of the whole batch the slice belongs to, or null when the slice is the whole batch */
  readonly weightTotal: number | null;
}

/** Another worker that differentiates the slices it is sent (`sliceGradient` on its own backend). */
export interface MlpGradientHelper {
  gradient(job: MlpGradientJob): Promise<Float32Array>;
}

/** Fewer rows than this per slice and a helper's message costs more than its half of the work saves. */
export const MIN_SLICE_ROWS = 1024;

/**
 * Rows of the training worker's own slice relative to a helper's: it also gathers the batch, runs Adam and validates.
 * Measured per thread (bench-speed-node's `busiest_threads_cpu_ms_per_epoch_all`, 2 workers, bundled data, runs
 * interleaved 0.7 1 1 0.7): equal halves, training thread 615 and 625 ms of CPU an epoch, helper 425 and 430; at 0.7
 * (~41 % of each batch here) 575 and 550 against 490 and 485. An epoch waits for the busier thread.
 */
export const LOCAL_SLICE_SHARE = 0.7;

/**
 * The slice's [gradient (`parameterLayout` order, without L2), Σ w·loss, Σ w] in ONE read: a memory copy on wasm and cpu;
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

/** How many slices a batch of `n` rows is cut into with `helpers` helpers: one per worker, none under `MIN_SLICE_ROWS` rows. */
export function sliceCount(n: number, helpers: number): number {
  return Math.max(1, Math.min(helpers + 1, Math.floor(n / MIN_SLICE_ROWS)));
}

/** What `batchGradient` differentiates: the network, its weights, the loss and dropout (with its mask seeds). */
export interface GradientSettings {
  readonly shape: MlpGradientJob['shape'];
  readonly params: Float32Array;
  readonly loss: MlpGradientJob['loss'];
  readonly dropout: number;
  readonly nextSeed: () => number;
}

/**
 * The gradient of the batch `order[start … start + n)` as `sliceGradient` returns it, with the slices after the first
 * sent to `helpers` and the first computed here meanwhile; summed in slice order, so a run is reproducible. With
 * dropout the whole batch stays here: its masks come from the host's seeded stream, which must not depend on helpers.
 */
export async function batchGradient(tf: Tf, rows: TrainingRows, s: GradientSettings, order: Uint32Array, start: number, n: number, helpers: readonly MlpGradientHelper[]): Promise<Float32Array> {
  const { shape, params, loss } = s;
  const slices = s.dropout > 0 ? 1 : sliceCount(n, helpers.length);
  const job = (from: number, len: number, weightTotal: number | null): MlpGradientJob => {
    const g = gatherBatch(rows.X, rows.cols, rows.y, rows.w, order, start + from, len);
    return { shape, params, loss, rows: len, cols: rows.cols, ...g, weightTotal };
  };
  if (slices === 1) return sliceGradient(tf, job(0, n, null), s.dropout, s.nextSeed);
  let weightTotal = 0;
  for (let k = start; k < start + n; k++) weightTotal += rows.w[order[k] as number] as number;
  // this worker's slice is the smaller: it also gathers every slice, runs Adam and validates each epoch
  const shares = slices - 1 + LOCAL_SLICE_SHARE;
  const bounds = Array.from({ length: slices + 1 }, (_, i) => (i === 0 ? 0 : Math.round(((i - 1 + LOCAL_SLICE_SHARE) * n) / shares)));
  const sent = helpers.slice(0, slices - 1).map((helper, i) => {
    const from = bounds[i + 1] as number;
    const slice = job(from, (bounds[i + 2] as number) - from, weightTotal);
    return helper.gradient({ ...slice, params: params.slice() });
  });
  const fromHelpers = Promise.all(sent);
  let local: Float32Array;
  try {
    local = await sliceGradient(tf, job(0, bounds[1] as number, weightTotal));
  } catch (err) {
    await fromHelpers.catch(() => undefined);
    throw err;
  }
  const parts = [local, ...(await fromHelpers)];
  const sum = new Float32Array(parts[0]?.length ?? 0);
  for (const part of parts) {
    if (part.length !== sum.length) throw new Error(`a helper returned ${part.length} gradient values, not ${sum.length}; restart training`);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (part[i] as number);
  }
  return sum;
}

/** What `measureSharing` found: the median ms of one batch's gradient here alone and shared with the helpers. */
export interface SharingProbe {
  readonly aloneMs: number;
  readonly sharedMs: number;
  readonly helpers: number;
}

/**
 * Times the gradient of one synthetic batch (`rows` × `cols`, the network of `hiddenUnits`) here alone and shared with
 * `helpers`, interleaved `rounds` times after one warm-up each (a helper's first call compiles its wasm); medians. Two
 * workers win on an idle machine and lose when other work holds both cores, so this is measured, not assumed.
 */
export async function measureSharing(tf: Tf, helpers: readonly MlpGradientHelper[], cols: number, hiddenUnits: readonly number[], rows: number, rounds = 5): Promise<SharingProbe> {
  const rng = createRng(17);
  const X = Float32Array.from({ length: rows * cols }, () => rng() * 2 - 1);
  const y = Float32Array.from({ length: rows }, () => (rng() < 0.2 ? 1 : 0));
  const data: TrainingRows = { X, cols, y, w: new Float32Array(rows).fill(1) };
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  const sizes = [cols, ...hiddenUnits, 1];
  const shape = sizes.slice(1).map((units, i) => ({ inputs: sizes[i] as number, units }));
  const params = Float32Array.from({ length: parameterLayout(shape).size }, () => (rng() - 0.5) * 0.2);
  const s: GradientSettings = { shape, params, loss: 'bce', dropout: 0, nextSeed: () => 0 };
  const time = async (h: readonly MlpGradientHelper[]): Promise<number> => {
    const t0 = performance.now();
    await batchGradient(tf, data, s, order, 0, rows, h);
    return performance.now() - t0;
  };
  await time([]);
  await time(helpers);
  const alone: number[] = [];
  const shared: number[] = [];
  for (let i = 0; i < rounds; i++) {
    alone.push(await time([]));
    shared.push(await time(helpers));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
  return { aloneMs: median(alone), sharedMs: median(shared), helpers: helpers.length };
}
