/**
 * The kernel-only part of `npm run bench -- speed.mlp`: one MLP training step's gradient (batch, network and columns
 * of the bench's MLP: 4096 rows, 64 × 64, 11 columns; synthetic rows) on the fused wasm kernel (plain SIMD, and relaxed
 * SIMD when this node runs it: `--experimental-wasm-relaxed-simd`) and on tfjs's wasm step, interleaved in one process.
 * Prints one JSON line: per path the median and best ms a step (wall and CPU time of this single-threaded process) and
 * the GFLOP/s of the best CPU time; the validation forward pass likewise.
 * Usage: node [--experimental-wasm-relaxed-simd] --import tsx scripts/bench-mlp-kernel.ts [--cols 11] [--batch 4096] [--rounds 15]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { registerNodeBackends } from '../src/trainers/backends.node.ts';
import { batchGradient } from '../src/trainers/mlpGradient.ts';
import { createMlpKernelJob, loadMlpKernel, paramsSize, relaxedSimdSupported, type MlpKernelJob } from '../src/trainers/mlpKernel.ts';
import { createRng } from '../src/trainers/random.ts';

const { values } = parseArgs({ options: { cols: { type: 'string', default: '11' }, batch: { type: 'string', default: '4096' }, rounds: { type: 'string', default: '15' } } });
const cols = Number(values.cols);
const batch = Number(values.batch);
const rounds = Number(values.rounds);
const hidden = [64, 64];
const rows = 25 * batch;
const validRows = 20_000;
const sizes = [cols, ...hidden, 1];
const rng = createRng(1);
const X = Float32Array.from({ length: rows * cols }, () => rng() * 4 - 2);
const y = Float32Array.from({ length: rows }, () => (rng() < 0.2 ? 1 : 0));
const w = Float32Array.from(y, (v) => (v === 1 ? 4 : 1));
const params = Float32Array.from({ length: paramsSize(sizes) }, () => (rng() - 0.5) * 0.3);
const order = Uint32Array.from({ length: rows }, (_, i) => (i * 7919) % rows);
let macsPerRow = 0;
for (let i = 0; i + 1 < sizes.length; i++) macsPerRow += (sizes[i] as number) * (sizes[i + 1] as number);
// forward, the backward δ through each kernel but the first, and every kernel's gradient: ≈ 3 products a layer
const stepFlop = 2 * batch * (3 * macsPerRow - cols * (hidden[0] as number));
const forwardFlop = 2 * validRows * macsPerRow;

await registerNodeBackends(tf);
await tf.setBackend('wasm');
await tf.ready();
const shape = sizes.slice(1).map((units, i) => ({ inputs: sizes[i] as number, units }));

interface Path { readonly name: string; step(start: number): Promise<void> | void; forward?: () => void; wall: number[]; cpu: number[]; fwdCpu: number[] }
const kernelPath = async (relaxed: boolean): Promise<Path> => {
  const kernel = await loadMlpKernel({ relaxed });
  const job: MlpKernelJob = createMlpKernelJob(kernel, { X, cols, y, w, validX: X.subarray(0, validRows * cols) }, sizes, 'bce');
  job.order.set(order);
  job.params.set(params);
  return { name: kernel.path, step: (start) => void job.gradient(start, batch), forward: () => void job.validate(), wall: [], cpu: [], fwdCpu: [] };
};
const paths: Path[] = [await kernelPath(false)];
if (relaxedSimdSupported()) paths.push(await kernelPath(true));
paths.push({
  name: 'tfjs',
  step: async (start) => void (await batchGradient(tf, { X, cols, y, w }, { shape, params, loss: 'bce', dropout: 0, nextSeed: () => 0 }, order, start, batch)),
  wall: [], cpu: [], fwdCpu: [],
});
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const stepsPerRound = 4;
for (let round = 0; round <= rounds; round++) {
  for (const p of paths) {
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let s = 0; s < stepsPerRound; s++) await p.step(((round * stepsPerRound + s) * batch) % (rows - batch));
    const c1 = cpuMs();
    const t1 = performance.now();
    // round 0 warms up (tier-up of the wasm code)
    if (round > 0) {
      p.wall.push((t1 - t0) / stepsPerRound);
      p.cpu.push((c1 - c0) / stepsPerRound);
    }
    if (p.forward) {
      const f0 = cpuMs();
      p.forward();
      if (round > 0) p.fwdCpu.push(cpuMs() - f0);
    }
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const out: Record<string, unknown> = { cols, batch, hidden, step_gflop: r2(stepFlop / 1e9), relaxed_simd_here: relaxedSimdSupported() };
for (const p of paths) {
  const key = p.name === 'tfjs' ? 'tfjs' : p.name.replace(' kernel', '').replace(/-/g, '_');
  out[key] = {
    ms_per_step_median: r2(median(p.wall)), ms_per_step_best: r2(Math.min(...p.wall)),
    cpu_ms_per_step_median: r2(median(p.cpu)), cpu_ms_per_step_best: r2(Math.min(...p.cpu)),
    gflops_best_cpu: r2(stepFlop / (Math.min(...p.cpu) / 1000) / 1e9),
    ...(p.fwdCpu.length ? { forward_20k_rows_cpu_ms_best: r2(Math.min(...p.fwdCpu)), forward_gflops_best_cpu: r2(forwardFlop / (Math.min(...p.fwdCpu) / 1000) / 1e9) } : {}),
  };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
