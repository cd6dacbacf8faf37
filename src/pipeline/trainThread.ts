/** The training worker for node threads: serves the browser worker's `TrainOps` with the same trainer modules (node backends, no fallback). */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { registerNodeBackends } from '../trainers/backends.node.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import { mlpPathFor } from '../trainers/mlp.ts';
import type { BackendName, BatchProgress, EpochLog } from '../trainers/types.ts';
import { outcomeTransferables, resolveTrainJob, withWarnings, type TrainJob, type TrainOps, type TrainOutcome, type TrainProgress } from '../workers/trainProtocol.ts';
import { mlpTeamChoice } from '../workers/mlpSharing.ts';
import { createNodeTeamThreads } from './mlpTeamThreads.ts';
import type { MlpTeamSpec } from '../trainers/mlpTeam.ts';
import { serveRequests, type RequestContext, type WorkerScope } from '../workers/workerServer.ts';
import { createNodeTreeUnitRunner } from './treeUnitThreads.ts';
import { throttledProtocol, type TreeUnitRunner } from '../trainers/trees/treeProtocol.ts';

declare const self: WorkerScope;

/** The kernel's team (`mlpTeam.ts`): threads decided once per training thread by a measured probe. */
const teamChoice = mlpTeamChoice(availableParallelism(), true, (count) => createNodeTeamThreads(count, 'pipeline'));

/** The team of a classifier MLP on the fused kernel, when more than one thread is measured faster. */
async function mlpTeam(job: TrainJob, backend: BackendName): Promise<{ mlpTeam?: MlpTeamSpec }> {
  const chosen = mlpPathFor(backend, job.config.dropout);
  if (job.kind !== 'classifier' || job.config.model !== 'mlp' || !chosen.kernel) return {};
  const team = await teamChoice({ cols: job.matrix.cols, hiddenUnits: job.config.hiddenUnits, batchSize: job.config.batchSize, relaxed: chosen.relaxed }, undefined);
  return team.threads > 1 && team.followers !== null ? { mlpTeam: { threads: team.threads, followers: team.followers } } : {};
}

/** Helper threads for a tree classifier's fits (fit-row model, fold models, refit), one per core up to the protocol's 7; started once. */
let treeRunner: TreeUnitRunner | null = null;
function treeRunnerFor(job: TrainJob): { treeRunner?: TreeUnitRunner } {
  if (job.kind !== 'classifier' || (job.config.model !== 'gbdt' && job.config.model !== 'rf')) return {};
  treeRunner ??= createNodeTreeUnitRunner(Math.max(1, Math.min(7, availableParallelism()))).runner;
  return { treeRunner };
}

/** Trains the job on the requested node backend (wasm unless told otherwise); epochs stream as progress. */
async function train(job: TrainJob, { signal, progress }: RequestContext<TrainProgress>): Promise<{ outcome: TrainOutcome; backend: BackendName }> {
  const available = await registerNodeBackends(tf);
  const wanted: BackendName = job.backend === 'auto' ? (available.includes('wasm') ? 'wasm' : 'cpu') : job.backend;
  if (!available.includes(wanted)) throw new Error(`backend "${wanted}" is not available in node; use ${available.join(' or ')}`);
  await tf.setBackend(wanted);
  await tf.ready();
  const onEpoch = (log: EpochLog) => progress({ kind: 'epoch', log });
  const onBatchProgress = (p: BatchProgress) => progress({ kind: 'batch', progress: p });
  const onTreeProtocol = throttledProtocol((p) => progress({ kind: 'protocol', progress: p }), 250);
  const outcome: TrainOutcome = job.kind === 'classifier'
    ? { kind: 'classifier', result: await trainClassifier({ tf, matrix: job.matrix, y: job.y, config: job.config, onEpoch, onBatchProgress, signal, dataSha256: job.dataSha256, ...(job.split ? { split: job.split } : {}), ...(await mlpTeam(job, wanted)), ...treeRunnerFor(job), onTreeProtocol }) }
    : { kind: 'regressor', result: await trainRegressor({ tf, matrix: job.matrix, revenue: job.revenue, isOrdered: job.isOrdered, config: job.config, onEpoch, onBatchProgress, signal, dataSha256: job.dataSha256, ...(job.split ? { split: job.split } : {}) }) };
  return { outcome, backend: wanted };
}

serveRequests<TrainOps>(self, {
  train: async (request, ctx) => {
    const { job, warnings } = resolveTrainJob(request);
    const { outcome, backend } = await train(job, ctx);
    const done = withWarnings({ outcome, backend, numTensors: tf.memory().numTensors }, warnings);
    return { result: done, transfer: outcomeTransferables(done.outcome) };
  },
  memory: () => ({ result: { numTensors: tf.memory().numTensors, backend: tf.getBackend() ?? 'none' } }),
});
