/**
 * The workbench's node side of `npm run bench -- speed.logistic | speed.mlp`: the Train classifier cell's path
 * (`trainClassifier`: split, scale, fit, threshold, test metrics) on the bundled data without a leaking column, in
 * this process on the tfjs wasm backend. Prints one JSON line: the fit milliseconds of each repeat and the test AUC.
 * Usage: node --import tsx scripts/bench-speed-node.ts logistic|mlp <parquet> [--exclude col] [--repeats 3] [--epochs 2] [--workers auto|1|2]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as parquet from 'parquet-wasm';
import { blobByteSource } from '../src/data/byteSource.ts';
import { buildModelMatrix } from '../src/data/encode.ts';
import { loadParquet } from '../src/data/load.ts';
import { binaryLabels } from '../src/data/validate.ts';
import { availableParallelism } from 'node:os';
import { mlpTeamChoice } from '../src/workers/mlpSharing.ts';
import { createNodeTeamThreads } from '../src/pipeline/mlpTeamThreads.ts';
import type { TeamThreads } from '../src/workers/mlpTeamProtocol.ts';
import { registerNodeBackends } from '../src/trainers/backends.node.ts';
import { trainClassifier } from '../src/trainers/classifier.ts';
import { checkMlpPath, mlpPathFor } from '../src/trainers/mlp.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../src/trainers/types.ts';

console.log = (...a: unknown[]) => console.error(...a);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { exclude: { type: 'string', multiple: true, default: [] }, repeats: { type: 'string', default: '3' }, epochs: { type: 'string', default: '2' }, workers: { type: 'string', default: 'auto' }, 'mlp-path': { type: 'string', default: 'auto' } },
});
const [model, file] = positionals;
if ((model !== 'logistic' && model !== 'mlp') || file === undefined) throw new Error('usage: bench-speed-node.ts logistic|mlp <parquet> [--exclude col]');
const { dataset } = await loadParquet({ source: blobByteSource(new Blob([readFileSync(file)]), file), dataSource: { type: 'file', name: file }, parquet });
const { matrix } = buildModelMatrix(dataset, { targets: ['is_ordered', 'revenue'], exclude: values.exclude });
const target = dataset.columns.find((c) => c.name === 'is_ordered');
if (target === undefined) throw new Error(`${file} has no is_ordered column`);
const labels = binaryLabels(target);
if (typeof labels === 'string') throw new Error(labels);
const y = Float32Array.from(labels.y, (v) => (v === 1 ? 1 : 0));
await registerNodeBackends(tf);
await tf.setBackend('wasm');
await tf.ready();
const config = { ...DEFAULT_CLASSIFIER_CONFIG, model, ...(model === 'mlp' ? { epochs: Number(values.epochs), patience: 99 } : {}) } as const;
// the MLP's step: `--mlp-path tfjs|wasm-simd|wasm-relaxed-simd`, or auto (the trainer's choice, `mlpPathFor`)
const mlpPath = checkMlpPath(values['mlp-path']);
const onKernel = mlpPathFor('wasm', DEFAULT_CLASSIFIER_CONFIG.dropout, mlpPath);
const workersAsked = values.workers === 'auto' ? undefined : Number(values.workers);
const sharingJob = { cols: matrix.cols, hiddenUnits: DEFAULT_CLASSIFIER_CONFIG.hiddenUnits, batchSize: DEFAULT_CLASSIFIER_CONFIG.batchSize, relaxed: onKernel.relaxed };
// on the kernel, `--workers` is the team's threads (`mlpTeam.ts`), or auto: the training thread's probe (`mlpTeamChoice`)
const teams: TeamThreads[] = [];
const team = model === 'mlp' && onKernel.kernel
  ? await mlpTeamChoice(availableParallelism(), true, (count) => {
    const started = createNodeTeamThreads(count, 'bench');
    teams.push(started);
    return started;
  })(sharingJob, workersAsked)
  : null;
const fitMs: number[] = [];
let pathRun: string | null = null;
let threadsRun: number | null = null;
const msPerEpoch: number[] = [];
let auc = Number.NaN;
// this process's CPU time (user + system) between the ends of the first and the last epoch: per epoch, a figure the
// shared machine's load inflates far less than wall time (it counts only the time this process ran)
const cpuMsPerEpoch: number[] = [];
// each thread's CPU per epoch (Linux /proc/self/task), the busiest first: with batches shared between threads, the
// busiest one's is what an epoch would take with a core to each (an estimate: the wall time a loaded machine cannot show)
const busiestThreadsMs: number[][] = [];
const clockTicksMs = 10; // USER_HZ is 100 on Linux
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ').at(-1)?.split(' ') ?? [];
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * clockTicksMs);
    }
  } catch {
    // not Linux: no per-thread figure
  }
  return out;
}
for (let i = 0; i < Number(values.repeats); i++) {
  const marks: number[] = [];
  const threadMarks: Map<string, number>[] = [];
  const onEpoch = (): void => {
    const c = process.cpuUsage();
    marks.push((c.user + c.system) / 1000);
    threadMarks.push(threadCpuMs());
  };
  const r = await trainClassifier({
    tf, matrix, y, config, onEpoch, mlpPath,
    ...(team !== null && team.followers !== null ? { mlpTeam: { threads: team.threads, followers: team.followers } } : {}),
  });
  fitMs.push(r.trainMs);
  msPerEpoch.push(r.msPerEpoch);
  if (marks.length > 1) cpuMsPerEpoch.push(((marks.at(-1) ?? 0) - (marks[0] ?? 0)) / (marks.length - 1));
  const [first, last] = [threadMarks[0], threadMarks.at(-1)];
  if (first && last && threadMarks.length > 1) {
    const perThread = [...last].map(([tid, ms]) => (ms - (first.get(tid) ?? 0)) / (threadMarks.length - 1)).sort((a, b) => b - a);
    busiestThreadsMs.push(perThread.slice(0, 3).map((v) => Math.round(v)));
  }
  auc = r.metrics.auc_roc;
  pathRun = r.mlpPath ?? null;
  threadsRun = r.mlpThreads ?? null;
}
for (const t of teams) t.terminate();
process.stdout.write(`${JSON.stringify({ mlp_path: pathRun, threads_run: threadsRun, workers: team?.threads ?? 1, workers_chosen_by: team?.chosenBy ?? null, sharing_probe: team?.probe ?? null, fit_ms_all: fitMs, ms_per_epoch_all: msPerEpoch, cpu_ms_per_epoch_all: cpuMsPerEpoch, busiest_threads_cpu_ms_per_epoch_all: busiestThreadsMs, auc, rows: matrix.rows })}\n`);
