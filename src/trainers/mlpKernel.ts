/**
 * The MLP's fused wasm SIMD kernel (kernels/mlp/mlp.ts, built by scripts/build-kernels.mjs): one pass per block of rows
 * runs forward, the loss, backward and the gradient sums while the block is in cache, instead of ~50 tfjs kernels a step.
 * This module loads it (node and browser alike: the builds are base64 in a generated module) into a memory the caller
 * may give (a shared WebAssembly.Memory picks the shared build), lays out a training job's arrays in that memory and
 * runs steps on it. The kernel allocates nothing: every pointer it takes is a byte offset chosen here.
 *
 * The ABI (also in docs/architecture.md):
 *   mlp_batch_gradient(x, cols, y, w, order, start, count, params, layers, nLayers, loss, grad, scratch): f64 — grad
 *     (flat `parameterLayout` order) OVERWRITTEN with Σ wᵢ·∂lossᵢ/∂θ over rows order[start … start + count) (not divided
 *     by Σ w, no L2); returns Σ wᵢ·lossᵢ; loss 0 = BCE on the logit, 1 = squared error.
 *   mlp_scratch_bytes(layers, nLayers): i32 — the private scratch one caller needs.
 *   mlp_forward(x, cols, first, count, params, layers, nLayers, out, scratch) — logits (or values) of rows
 *     first … first + count of x into out[0 … count).
 */
import { MLP_KERNEL_RELAXED_SIMD, MLP_KERNEL_RELAXED_SIMD_SHARED, MLP_KERNEL_SIMD, MLP_KERNEL_SIMD_SHARED } from './mlpKernelWasm.generated.js';

/** What the Train cell, the run and the bench name as the MLP's path when the kernel trains it. */
export type MlpKernelPath = 'wasm-simd kernel' | 'wasm-relaxed-simd kernel';

/** The kernel's exports (byte offsets and counts, all i32). */
export interface MlpKernelExports {
  mlp_batch_gradient(x: number, cols: number, y: number, w: number, order: number, start: number, count: number, params: number, layers: number, nLayers: number, loss: number, grad: number, scratch: number): number;
  mlp_scratch_bytes(layers: number, nLayers: number): number;
  mlp_forward(x: number, cols: number, first: number, count: number, params: number, layers: number, nLayers: number, out: number, scratch: number): void;
}

/** A loaded kernel: its exports and the memory they address. */
export interface MlpKernel {
  readonly memory: WebAssembly.Memory;
  readonly exports: MlpKernelExports;
  readonly relaxed: boolean;
  readonly path: MlpKernelPath;
}

/** The `loss` argument of `mlp_batch_gradient`. */
export const KERNEL_LOSS = { bce: 0, mse: 1 } as const;

const WASM_PAGE = 65_536;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();
function compiledModule(base64: string): Promise<WebAssembly.Module> {
  let module = compiled.get(base64);
  if (module === undefined) {
    module = WebAssembly.compile(decode(base64));
    compiled.set(base64, module);
  }
  return module;
}

let relaxedSupport: boolean | null = null;
/** Whether this engine runs relaxed SIMD (Chromium does; node 20 only behind `--experimental-wasm-relaxed-simd`). */
export function relaxedSimdSupported(): boolean {
  relaxedSupport ??= WebAssembly.validate(decode(MLP_KERNEL_RELAXED_SIMD));
  return relaxedSupport;
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Whether the relaxed-SIMD build (f32x4.relaxed_madd: one fused multiply-add instead of a multiply and an add) is the
 * default where the engine runs it. Measured, one 4096-row step of the 11-64-64-1 network, both builds interleaved
 * (min of 60 rounds): Chromium 156 2.40 / 2.53 ms against 2.93 / 2.80 ms for plain SIMD (two runs); node 20 with
 * --experimental-wasm-relaxed-simd 2.73 against 3.30 ms of CPU time. Node 20 has no relaxed SIMD by default.
 */
export const PREFER_RELAXED_SIMD = true;

/** The memories kernels were loaded on in this thread, held weakly: a finished job's memory goes when it is collected. */
const kernelMemories = new Set<WeakRef<WebAssembly.Memory>>();

/**
 * Bytes of every kernel memory of this thread not yet collected (a memory shared with a team counts here, in the thread
 * that made it): what the memory bench adds to the wasm backend's heap, since a WebAssembly.Memory never shrinks.
 */
export function kernelMemoryBytes(): number {
  let bytes = 0;
  for (const ref of kernelMemories) {
    const memory = ref.deref();
    if (memory === undefined) kernelMemories.delete(ref);
    else bytes += memory.buffer.byteLength;
  }
  return bytes;
}

/**
 * Instantiates the kernel on `memory` (a new one of one page when absent; a shared memory gets the shared build).
 * `relaxed`: the relaxed-SIMD build where the engine has it; default `PREFER_RELAXED_SIMD`.
 */
export async function loadMlpKernel(options: { readonly memory?: WebAssembly.Memory; readonly relaxed?: boolean } = {}): Promise<MlpKernel> {
  const memory = options.memory ?? new WebAssembly.Memory({ initial: 1 });
  if (![...kernelMemories].some((ref) => ref.deref() === memory)) kernelMemories.add(new WeakRef(memory));
  const relaxed = (options.relaxed ?? PREFER_RELAXED_SIMD) && relaxedSimdSupported();
  const shared = isShared(memory);
  const source = relaxed ? (shared ? MLP_KERNEL_RELAXED_SIMD_SHARED : MLP_KERNEL_RELAXED_SIMD) : shared ? MLP_KERNEL_SIMD_SHARED : MLP_KERNEL_SIMD;
  const instance = await WebAssembly.instantiate(await compiledModule(source), { env: { memory } });
  const exports = instance.exports as unknown as MlpKernelExports;
  return { memory, exports, relaxed, path: relaxed ? 'wasm-relaxed-simd kernel' : 'wasm-simd kernel' };
}

/** Byte offsets (16-byte aligned) of a training job's arrays in the kernel's memory, and where the job's bytes end. */
export interface MlpKernelLayout {
  /** i32[nLayers + 1]: cols, hidden units…, 1 */
  readonly layers: number;
  readonly nLayers: number;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  /** u32[rows]: the row order the steps read batches from (shuffled in place each epoch) */
  readonly order: number;
  readonly validX: number;
  /** f32[validRows]: the validation outputs */
  readonly validOut: number;
  readonly params: number;
  /** one gradient per thread (`threads` of `mlpKernelLayout`) */
  readonly grads: readonly number[];
  /** one scratch per thread, `scratchBytes` each */
  readonly scratches: readonly number[];
  readonly scratchBytes: number;
  readonly end: number;
}

/** The sizes a job lays out: training and validation rows, and the network's layer sizes (cols, hidden units…, 1). */
export interface MlpKernelSizes {
  readonly rows: number;
  readonly cols: number;
  readonly validRows: number;
  readonly layerSizes: readonly number[];
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Lays a job out in `kernel`'s memory from byte `base` (16-aligned; default 16), with a gradient and a scratch for each
 * of `threads` callers; writes the layer sizes (the kernel reads them to size its scratch). Grows nothing.
 */
export function mlpKernelLayout(kernel: MlpKernel, sizes: MlpKernelSizes, threads = 1, base = 16): MlpKernelLayout {
  const { rows, cols, validRows, layerSizes } = sizes;
  const nLayers = layerSizes.length - 1;
  if (nLayers < 1 || layerSizes[0] !== cols || layerSizes[nLayers] !== 1) throw new Error(`layer sizes ${layerSizes.join(', ')} must run from the ${cols} columns to 1 output; pass cols, hidden units…, 1`);
  let at = align16(base);
  const take = (bytes: number): number => {
    const offset = at;
    at = align16(at + bytes);
    return offset;
  };
  const layers = take(4 * layerSizes.length);
  if (kernel.memory.buffer.byteLength < at) kernel.memory.grow(Math.ceil((at - kernel.memory.buffer.byteLength) / WASM_PAGE));
  new Int32Array(kernel.memory.buffer, layers, layerSizes.length).set(layerSizes);
  const scratchBytes = kernel.exports.mlp_scratch_bytes(layers, nLayers);
  const size = paramsSize(layerSizes);
  const x = take(4 * rows * cols);
  const y = take(4 * rows);
  const w = take(4 * rows);
  const order = take(4 * rows);
  const validX = take(4 * validRows * cols);
  const validOut = take(4 * validRows);
  const params = take(4 * size);
  const grads = Array.from({ length: threads }, () => take(4 * size));
  const scratches = Array.from({ length: threads }, () => take(scratchBytes));
  return { layers, nLayers, x, y, w, order, validX, validOut, params, grads, scratches, scratchBytes, end: at };
}

/** Grows `memory` to hold `bytes` (whole pages). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

/** The rows a kernel job trains and validates on (standardised, row-major). */
export interface MlpKernelData {
  readonly X: Float32Array;
  readonly cols: number;
  readonly y: Float32Array;
  readonly w: Float32Array;
  readonly validX: Float32Array;
}

/** One training job's arrays in the kernel's memory, one thread: views to fill, and the steps. */
export interface MlpKernelJob {
  readonly kernel: MlpKernel;
  readonly layout: MlpKernelLayout;
  /** the row order batches are read in: shuffle it in place */
  readonly order: Uint32Array;
  /** the weights the next step reads (`parameterLayout` order): set them before each step */
  readonly params: Float32Array;
  /** Σ wᵢ·∂lossᵢ/∂θ of rows order[start … start + count) into the returned view; and Σ wᵢ·lossᵢ */
  gradient(start: number, count: number): { readonly grad: Float32Array; readonly weightedLoss: number };
  /** outputs (logits for bce) of every validation row, a view valid until the next call */
  validate(): Float32Array;
}

/**
 * Copies a job's rows into the kernel's memory (grown once to fit) and returns its steps. `layerSizes`: cols, hidden
 * units…, 1. The memory is the job's from byte 16 on.
 */
export function createMlpKernelJob(kernel: MlpKernel, data: MlpKernelData, layerSizes: readonly number[], loss: keyof typeof KERNEL_LOSS): MlpKernelJob {
  const { cols } = data;
  const rows = data.y.length;
  const validRows = data.validX.length / cols;
  if (data.X.length !== rows * cols || data.w.length !== rows || !Number.isInteger(validRows)) throw new Error(`kernel job has ${data.X.length} values for ${rows} rows of ${cols} columns; pass matching rows, labels and weights`);
  const layout = mlpKernelLayout(kernel, { rows, cols, validRows, layerSizes });
  ensureMemory(kernel.memory, layout.end);
  const buffer = kernel.memory.buffer;
  new Float32Array(buffer, layout.x, rows * cols).set(data.X);
  new Float32Array(buffer, layout.y, rows).set(data.y);
  new Float32Array(buffer, layout.w, rows).set(data.w);
  new Float32Array(buffer, layout.validX, validRows * cols).set(data.validX);
  const order = new Uint32Array(buffer, layout.order, rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const size = paramsSize(layerSizes);
  const params = new Float32Array(buffer, layout.params, size);
  const grad0 = layout.grads[0] as number;
  const scratch0 = layout.scratches[0] as number;
  const grad = new Float32Array(buffer, grad0, size);
  const validOut = new Float32Array(buffer, layout.validOut, validRows);
  const lossCode = KERNEL_LOSS[loss];
  const k = kernel.exports;
  return {
    kernel,
    layout,
    order,
    params,
    gradient(start, count) {
      const weightedLoss = k.mlp_batch_gradient(layout.x, cols, layout.y, layout.w, layout.order, start, count, layout.params, layout.layers, layout.nLayers, lossCode, grad0, scratch0);
      return { grad, weightedLoss };
    },
    validate() {
      k.mlp_forward(layout.validX, cols, 0, validRows, layout.params, layout.layers, layout.nLayers, layout.validOut, scratch0);
      return validOut;
    },
  };
}

/** Weights and biases of a dense network with these layer sizes (cols, hidden units…, 1): `parameterLayout`'s size. */
export function paramsSize(layerSizes: readonly number[]): number {
  let size = 0;
  for (let i = 0; i + 1 < layerSizes.length; i++) size += ((layerSizes[i] as number) + 1) * (layerSizes[i + 1] as number);
  return size;
}
