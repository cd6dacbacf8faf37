/// <reference lib="webworker" />
/** The training worker: serves `train` and `memory` around the pure trainers, with backend choice and fallback. */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerBrowserBackends } from '../trainers/backends.browser.ts';
import { matMulWarmup, selectBackend, withFallback, type BackendChoice } from '../trainers/backend.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import { checkMlpPath, mlpPathFor } from '../trainers/mlp.ts';
import { kernelMemoryBytes } from '../trainers/mlpKernel.ts';
import type { BackendName, BatchProgress, EpochLog, MlpPathRequest } from '../trainers/types.ts';
import { doneTransferables, jobRowArrays, resolveTrainJob, withEvaluation, withWarnings, type TrainDone, type TrainJob, type TrainOps, type TrainOutcome, type TrainProgress } from './trainProtocol.ts';
import { applyWasmThreads, checkWasmThreads, wasmThreadCount, WASM_THREAD_SHARE } from './wasmThreads.ts';
import { createMlpTeamThreads, createTreeUnitRunner } from './clients.ts';
import { mlpTeamChoice, type TeamChoice } from './mlpSharing.ts';
import type { TeamThreads } from './mlpTeamProtocol.ts';
import type { MlpTeamSpec } from '../trainers/mlpTeam.ts';
import { canShareMemory } from './sharedMemory.ts';
import { throttledProtocol, type TreeUnitRunner } from '../trainers/trees/treeProtocol.ts';
import { serveRequests, type RequestContext } from './workerServer.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';

declare const self: DedicatedWorkerGlobalScope;

const available = registerBrowserBackends(tf, {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
let autoChoice: Promise<BackendChoice> | null = null;
/** the logical cores before `applyWasmThreads` may raise the navigator's count */
const logicalCores = navigator.hardwareConcurrency;
/** the wasm thread count this worker started its wasm backend with (fixed for the worker's life), and how it was chosen */
let wasmThreads: { readonly threads: number; readonly chosenBy: string } | null = null;

/** Sets the wasm thread count once, before the first training starts any backend: the page's request, else the share. */
function settleWasmThreads(requested: number | undefined, log: (message: string) => void): void {
  if (wasmThreads !== null) {
    if (requested !== undefined && requested !== wasmThreads.threads) log(`wasm runs ${wasmThreads.threads} thread(s) in this worker, not ${requested}; reload the page to change it`);
    return;
  }
  wasmThreads = requested !== undefined
    ? { threads: checkWasmThreads(requested), chosenBy: 'the page address (wasmThreads)' }
    : { threads: wasmThreadCount(logicalCores), chosenBy: `WASM_THREAD_SHARE = ${WASM_THREAD_SHARE} of ${logicalCores} logical cores` };
  applyWasmThreads(wasmThreads.threads, navigator, setThreadsCount);
}

/** The threads of the kernel's team (`mlpTeam.ts`): decided once per worker, one where the page is not cross-origin isolated. */
let teamThreads: TeamThreads | null = null;
const teamChoice = mlpTeamChoice(logicalCores, canShareMemory(self), (count) => (teamThreads = createMlpTeamThreads(count, self.name || 'train')));
/** the last MLP's team choice, for the bench */
let lastSharing: TeamChoice | null = null;

/** The kernel team of a classifier MLP on the fused kernel: its threads and followers when more than one; none otherwise. */
async function mlpTeamFor(job: TrainJob, requested: number | undefined, path: MlpPathRequest): Promise<{ mlpTeam?: MlpTeamSpec }> {
  const chosen = mlpPathFor(tf.getBackend(), job.config.dropout, path);
  if (job.kind !== 'classifier' || job.config.model !== 'mlp' || !chosen.kernel) return {};
  const team = await teamChoice({ cols: job.matrix.cols, hiddenUnits: job.config.hiddenUnits, batchSize: job.config.batchSize, relaxed: chosen.relaxed }, requested);
  lastSharing = team;
  return team.threads > 1 && team.followers !== null ? { mlpTeam: { threads: team.threads, followers: team.followers } } : {};
}

/**
 * Helper workers for a tree classifier's fits (fit-row model, fold models, refit), several at once, one per logical core
 * (up to the 7 fits of the default protocol); started on the first tree training and kept. They read the matrix in
 * shared memory, so only a cross-origin-isolated page has them: elsewhere the fits run one after another here.
 */
let treeRunner: TreeUnitRunner | null = null;
function treeRunnerFor(job: TrainJob): { treeRunner?: TreeUnitRunner } {
  if (job.kind !== 'classifier' || (job.config.model !== 'gbdt' && job.config.model !== 'rf') || !canShareMemory()) return {};
  treeRunner ??= createTreeUnitRunner(Math.max(1, Math.min(7, logicalCores)), self.name || 'train');
  return { treeRunner };
}

async function choose(job: TrainJob): Promise<BackendChoice> {
  const warmup = matMulWarmup(Math.min(job.config.batchSize, 1024), job.matrix.cols);
  if (job.backend !== 'auto') return selectBackend(tf, available, { forced: job.backend, warmup });
  // measured once per worker: the page's adapters do not change between runs
  autoChoice ??= selectBackend(tf, available, { warmup });
  const choice = await autoChoice;
  if (tf.getBackend() !== choice.chosen) await tf.setBackend(choice.chosen);
  return choice;
}

async function train(job: TrainJob, wasmThreadsAsked: number | undefined, mlpWorkersAsked: number | undefined, mlpPath: MlpPathRequest, { signal, progress, log }: RequestContext<TrainProgress>): Promise<TrainDone & { backendMs: number; trainMs: number }> {
  const t0 = performance.now();
  settleWasmThreads(wasmThreadsAsked, log);
  const choice = await choose(job);
  const backendMs = performance.now() - t0;
  progress({ kind: 'backend', choice });
  const order: BackendName[] = [choice.chosen, ...available.filter((b) => b !== choice.chosen && (b === 'wasm' || b === 'cpu'))];
  const onEpoch = (epoch: EpochLog) => progress({ kind: 'epoch', log: epoch });
  const onBatchProgress = (p: BatchProgress) => progress({ kind: 'batch', progress: p });
  const onTreeProtocol = throttledProtocol((p) => progress({ kind: 'protocol', progress: p }), 100);
  const { result: outcome } = await withFallback<TrainOutcome>(
    tf,
    order,
    async () => {
      if (job.kind === 'classifier') {
        const team = await mlpTeamFor(job, mlpWorkersAsked, mlpPath);
        const result = await trainClassifier({ tf, matrix: job.matrix, y: job.y, config: job.config, onEpoch, onBatchProgress, signal, dataSha256: job.dataSha256, mlpPath, ...(job.split ? { split: job.split } : {}), ...team, ...treeRunnerFor(job), onTreeProtocol });
        return { kind: 'classifier', result };
      }
      const result = await trainRegressor({
        tf, matrix: job.matrix, revenue: job.revenue, isOrdered: job.isOrdered, config: job.config, onEpoch, onBatchProgress, signal, dataSha256: job.dataSha256, mlpPath,
        ...(job.split ? { split: job.split } : {}),
      });
      return { kind: 'regressor', result };
    },
    log,
    signal,
  );
  return { outcome, backend: tf.getBackend() ?? choice.chosen, numTensors: tf.memory().numTensors, backendMs, trainMs: performance.now() - t0 - backendMs };
}

/**
 * For the memory benchmark (CDP evaluates it): bytes of the wasm backend's WebAssembly.Memory, when it is active, plus
 * the MLP kernel's memories (`kernelMemoryBytes`: the rows an MLP trains on, shared with its thread team).
 */
(self as unknown as { __wasmMemoryBytes: () => number }).__wasmMemoryBytes = () => {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : null;
  return (backend?.wasm?.HEAPU8?.byteLength ?? 0) + kernelMemoryBytes();
};

/**
 * For the bench (it evaluates this in the worker): the active backend, what the wasm build found, and the threads it runs
 * and why (`wasmThreads.ts`).
 */
(self as unknown as { __tfjsInfo: () => Promise<Record<string, unknown>> }).__tfjsInfo = async () => ({
  backend: tf.getBackend(),
  crossOriginIsolated: self.crossOriginIsolated,
  wasmSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
  wasmMultithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  wasmThreads: tf.getBackend() === 'wasm' ? getThreadsCount() : null,
  wasmThreadsChosenBy: wasmThreads?.chosenBy ?? null,
  logicalCores,
  mlpWorkers: lastSharing?.threads ?? null,
  mlpWorkersChosenBy: lastSharing?.chosenBy ?? null,
  mlpSharingProbe: lastSharing?.probe ?? null,
  mlpTeamSlices: teamThreads?.slicesServed ?? 0,
});

serveRequests<TrainOps>(self, {
  train: async (request, ctx) => {
    const t0 = performance.now();
    const { job, warnings } = resolveTrainJob(request);
    const matrixMs = performance.now() - t0;
    const { backendMs, trainMs, ...trained } = await train(job, request.wasmThreads, request.mlpWorkers, checkMlpPath(request.mlpPath ?? 'auto'), ctx);
    const t1 = performance.now();
    const swept = withEvaluation(withWarnings(trained, warnings));
    const phases = trained.outcome.result.phaseMs;
    const done: TrainDone = { ...swept, timings: { matrixMs, backendMs, trainMs, sweepMs: performance.now() - t1, ...(phases ? { phases } : {}) } };
    // this worker's own copies of the job's rows (the split's indices; the matrix and targets when it built them, not
    // the shared ones) go now: an idle worker may not collect them for minutes (with ten times the data, 15 MiB to 260 MiB)
    releaseBuffers(...jobRowArrays(job));
    return { result: done, transfer: doneTransferables(done) };
  },
  memory: () => ({ result: { numTensors: tf.memory().numTensors, backend: tf.getBackend() ?? 'none' } }),
});
