import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerNodeBackends } from './backends.node.ts';
import { createMlpKernelJob, ensureMemory, kernelMemoryBytes, loadMlpKernel, mlpKernelLayout, paramsSize, relaxedSimdSupported, type MlpKernel } from './mlpKernel.ts';
import { sliceGradient } from './mlpGradient.ts';
import { forwardPass, gatherBatch, layerTensors, parameterLayout } from './mlpStep.ts';
import { createRng } from './random.ts';
import { relToMax } from '../../test/closeness.ts';

beforeAll(async () => {
  await registerNodeBackends(tf);
  await tf.setBackend('wasm');
});

/** Rows the test writes: standard-normal-ish features, labels from a noisy rule (0/1 for bce, a value for mse), row weights 0.5–3. */
function rowsOf(rows: number, cols: number, seed: number, loss: 'bce' | 'mse'): { X: Float32Array; y: Float32Array; w: Float32Array } {
  const rng = createRng(seed);
  const X = Float32Array.from({ length: rows * cols }, () => rng() * 4 - 2);
  const y = new Float32Array(rows);
  const w = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const signal = (X[r * cols] as number) - 0.7 * (X[r * cols + cols - 1] as number) + rng();
    y[r] = loss === 'bce' ? (signal > 0.8 ? 1 : 0) : signal * 3 + 1;
    w[r] = 0.5 + rng() * 2.5;
  }
  return { X, y, w };
}

/** Random weights AND biases (biases are 0 at init, which would leave their paths untested). */
function randomParams(layerSizes: readonly number[], seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: paramsSize(layerSizes) }, () => (rng() - 0.5) * 0.8);
}

const shapeOf = (layerSizes: readonly number[]): { inputs: number; units: number }[] => layerSizes.slice(1).map((units, i) => ({ inputs: layerSizes[i] as number, units }));


describe('the fused wasm MLP kernel against the tfjs step', () => {
  const builds: { name: string; relaxed: boolean }[] = [{ name: 'simd', relaxed: false }];
  if (relaxedSimdSupported()) builds.push({ name: 'relaxed simd', relaxed: true });
  const cases = [
    { loss: 'bce', cols: 7, hidden: [5], n: 1 },
    { loss: 'bce', cols: 11, hidden: [64, 64], n: 4097 },
    { loss: 'mse', cols: 11, hidden: [64, 64], n: 1000 },
    { loss: 'bce', cols: 3, hidden: [16, 9, 3], n: 77 },
    { loss: 'mse', cols: 13, hidden: [10], n: 33 },
    { loss: 'mse', cols: 5, hidden: [24, 17, 8], n: 2049 },
    // weights 40 times larger: logits of ±100 and more, where e^−|z| underflows and σ saturates
    { loss: 'bce', cols: 4, hidden: [8], n: 300, scale: 40 },
  ] as const;
  for (const build of builds) {
    for (const c of cases) {
      it(`${build.name}: ${c.loss}, ${c.cols} columns, hidden ${c.hidden.join(' × ')}, ${c.n} rows: Σ w·loss and Σ w·∂loss/∂θ equal sliceGradient's within 1e-5`, async () => {
        const kernel = await loadMlpKernel({ relaxed: build.relaxed });
        const rows = 5000;
        const data = rowsOf(rows, c.cols, 3 + c.cols, c.loss);
        const layerSizes = [c.cols, ...c.hidden, 1];
        const job = createMlpKernelJob(kernel, { ...data, cols: c.cols, validX: data.X.subarray(0, 10 * c.cols) }, layerSizes, c.loss);
        // a batch from the middle of a shuffled order: the kernel gathers by `order`
        const order = Uint32Array.from({ length: rows }, (_, i) => (i * 3917 + 11) % rows);
        job.order.set(order);
        const params = randomParams(layerSizes, 40 + c.n).map((v) => v * ('scale' in c ? c.scale : 1));
        job.params.set(params);
        const start = 123;
        const { grad, weightedLoss } = job.gradient(start, c.n);

        const batch = gatherBatch(data.X, c.cols, data.y, data.w, order, start, c.n);
        const ref = await sliceGradient(tf, { shape: shapeOf(layerSizes), params, loss: c.loss, rows: c.n, cols: c.cols, ...batch, weightTotal: null });
        const size = paramsSize(layerSizes);
        const weightSum = ref[size + 1] as number;
        let expectedSum = 0;
        for (let k = 0; k < c.n; k++) expectedSum += data.w[order[start + k] as number] as number;
        expect(Math.abs(weightSum - expectedSum) / expectedSum).toBeLessThan(1e-6);
        // the kernel's sums are not divided by Σ w; the tfjs step's are
        const scaled = Array.from(grad, (g) => g / weightSum);
        expect(relToMax(scaled, ref.subarray(0, size))).toBeLessThan(1e-5);
        expect(Math.abs(weightedLoss - (ref[size] as number)) / Math.abs(ref[size] as number)).toBeLessThan(1e-5);
        // every layer's kernel and bias gradient is exercised: none is all zero
        for (const l of parameterLayout(shapeOf(layerSizes)).layers) {
          expect(Math.max(...Array.from(grad.subarray(l.kernelAt, l.biasAt), Math.abs))).toBeGreaterThan(0);
          expect(Math.max(...Array.from(grad.subarray(l.biasAt, l.biasAt + l.units), Math.abs))).toBeGreaterThan(0);
        }
      });
    }
    it(`${build.name}: mlp_forward equals forwardPass on rows not a multiple of the block`, async () => {
      const kernel = await loadMlpKernel({ relaxed: build.relaxed });
      for (const [cols, hidden, n] of [[11, [64, 64], 1001], [6, [7], 3], [9, [12, 20, 5], 130]] as const) {
        const data = rowsOf(n, cols, 9, 'bce');
        const layerSizes = [cols, ...hidden, 1];
        const job = createMlpKernelJob(kernel, { ...data, cols, validX: data.X }, layerSizes, 'bce');
        const params = randomParams(layerSizes, 5);
        job.params.set(params);
        const out = job.validate();
        const expected = tf.tidy(() => forwardPass(tf, layerTensors(tf, params, parameterLayout(shapeOf(layerSizes)), false), tf.tensor2d(data.X, [n, cols])).dataSync());
        expect(out.length).toBe(n);
        expect(relToMax(out, expected)).toBeLessThan(1e-5);
      }
    });
  }

  it('lays out every array 16-byte aligned, one gradient and scratch per thread, in a shared memory too', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65_536, shared: true });
    const kernel: MlpKernel = await loadMlpKernel({ memory, relaxed: false });
    const layout = mlpKernelLayout(kernel, { rows: 101, cols: 11, validRows: 7, layerSizes: [11, 64, 64, 1] }, 2);
    const offsets = [layout.layers, layout.x, layout.y, layout.w, layout.order, layout.validX, layout.validOut, layout.params, ...layout.grads, ...layout.scratches];
    for (const o of offsets) expect(o % 16).toBe(0);
    expect(layout.grads).toHaveLength(2);
    expect(layout.scratches).toHaveLength(2);
    expect((layout.scratches[1] as number) - (layout.scratches[0] as number)).toBeGreaterThanOrEqual(layout.scratchBytes);
    ensureMemory(memory, layout.end);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(layout.end);
    // the two threads' gradients of two halves add up to the whole batch's
    const data = rowsOf(101, 11, 2, 'bce');
    const f32 = (at: number, n: number): Float32Array => new Float32Array(memory.buffer, at, n);
    f32(layout.x, 101 * 11).set(data.X);
    f32(layout.y, 101).set(data.y);
    f32(layout.w, 101).set(data.w);
    new Uint32Array(memory.buffer, layout.order, 101).set(Uint32Array.from({ length: 101 }, (_, i) => 100 - i));
    const size = paramsSize([11, 64, 64, 1]);
    f32(layout.params, size).set(randomParams([11, 64, 64, 1], 1));
    const k = kernel.exports;
    const call = (start: number, count: number, t: number): number => k.mlp_batch_gradient(layout.x, 11, layout.y, layout.w, layout.order, start, count, layout.params, layout.layers, layout.nLayers, 0, layout.grads[t] as number, layout.scratches[t] as number);
    const whole = call(0, 101, 0);
    const wholeGrad = f32(layout.grads[0] as number, size).slice();
    const halves = call(0, 50, 0) + call(50, 51, 1);
    const sum = Array.from(f32(layout.grads[0] as number, size), (g, i) => g + (f32(layout.grads[1] as number, size)[i] as number));
    expect(Math.abs(halves - whole) / whole).toBeLessThan(1e-6);
    expect(relToMax(sum, wholeGrad)).toBeLessThan(1e-5);
  });

  it('relaxed SIMD (Chromium runs it; node 20 only behind a flag): the gradient, loss and outputs of plain SIMD within 1e-5', () => {
    // a child node with relaxed SIMD on: the same rows through both builds (plain SIMD is checked against tfjs above)
    const script = `
      const { createMlpKernelJob, loadMlpKernel, paramsSize, relaxedSimdSupported } = await import('./src/trainers/mlpKernel.ts');
      const { createRng } = await import('./src/trainers/random.ts');
      const rng = createRng(4);
      const cols = 11, rows = 3000, sizes = [cols, 64, 33, 1];
      const X = Float32Array.from({ length: rows * cols }, () => rng() * 4 - 2);
      const y = Float32Array.from({ length: rows }, () => (rng() < 0.3 ? 1 : 0));
      const w = Float32Array.from({ length: rows }, () => 0.5 + rng() * 2);
      const params = Float32Array.from({ length: paramsSize(sizes) }, () => (rng() - 0.5) * 0.6);
      const runs = [];
      for (const relaxed of [false, true]) {
        const kernel = await loadMlpKernel({ relaxed });
        const job = createMlpKernelJob(kernel, { X, cols, y, w, validX: X.subarray(0, 500 * cols) }, sizes, 'bce');
        job.params.set(params);
        const { grad, weightedLoss } = job.gradient(7, 2777);
        runs.push({ path: kernel.path, grad: Array.from(grad), weightedLoss, out: Array.from(job.validate()) });
      }
      process.stdout.write(JSON.stringify({ supported: relaxedSimdSupported(), runs }));`;
    const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { supported, runs } = JSON.parse(child.stdout) as { supported: boolean; runs: { path: string; grad: number[]; weightedLoss: number; out: number[] }[] };
    expect(supported).toBe(true);
    const [plain, relaxed] = runs;
    expect(plain?.path).toBe('wasm-simd kernel');
    expect(relaxed?.path).toBe('wasm-relaxed-simd kernel');
    expect(relToMax(relaxed?.grad ?? [], plain?.grad ?? [])).toBeLessThan(1e-5);
    expect(Math.abs((relaxed?.weightedLoss ?? 0) - (plain?.weightedLoss ?? 0)) / (plain?.weightedLoss ?? 1)).toBeLessThan(1e-5);
    expect(relToMax(relaxed?.out ?? [], plain?.out ?? [])).toBeLessThan(1e-5);
  });

  it('counts the memories kernels run on for the memory bench, each once, however many kernels share one', async () => {
    const before = kernelMemoryBytes();
    const memory = new WebAssembly.Memory({ initial: 1 });
    await loadMlpKernel({ memory });
    await loadMlpKernel({ memory });
    ensureMemory(memory, 3 * 65_536);
    expect(kernelMemoryBytes() - before).toBe(memory.buffer.byteLength);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(3 * 65_536);
  });

  it('refuses layer sizes that do not start at the columns or end in one output', async () => {
    const kernel = await loadMlpKernel();
    expect(() => mlpKernelLayout(kernel, { rows: 1, cols: 4, validRows: 1, layerSizes: [5, 8, 1] })).toThrow(/layer sizes 5, 8, 1 must run from the 4 columns to 1 output/);
    expect(() => mlpKernelLayout(kernel, { rows: 1, cols: 4, validRows: 1, layerSizes: [4, 8, 2] })).toThrow(/to 1 output/);
  });
});
