/** The browser's worker clients: each a `WorkerClient` around its module Web Worker (Vite bundles the worker from the URL). */
import type { DataOps } from './dataProtocol.ts';
import { importanceTransferables, shapTransferables, type ImportanceOps } from './importanceProtocol.ts';
import { teamThreads, type MlpTeamOps, type TeamThreads } from './mlpTeamProtocol.ts';
import { jobTransferables, type TrainOps } from './trainProtocol.ts';
import { TREE_UNIT_CANCEL_GRACE_MS, workerTreeUnitRunner, type TreeUnitOps } from './treeUnitProtocol.ts';
import type { TreeUnitRunner } from '../trainers/trees/treeProtocol.ts';
import { WorkerClient, browserWorkerEndpoint } from './workerClient.ts';

/** The data worker: loads parquet from a URL or a file. */
export function createDataClient(): WorkerClient<DataOps> {
  return new WorkerClient<DataOps>({
    name: 'data',
    create: () => browserWorkerEndpoint(new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' })),
  });
}

/** A training worker; two of them (`train-classifier`, `train-regressor`) train both models in parallel. */
export function createTrainClient(name: string): WorkerClient<TrainOps> {
  return new WorkerClient<TrainOps>({
    name,
    create: () => browserWorkerEndpoint(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name })),
    transferInput: { train: jobTransferables },
  });
}

/** A permutation-importance (and SHAP) worker; its jobs queue inside it. */
export function createImportanceClient(name = 'importance'): WorkerClient<ImportanceOps> {
  return new WorkerClient<ImportanceOps>({
    name,
    create: () => browserWorkerEndpoint(new Worker(new URL('./importance.worker.ts', import.meta.url), { type: 'module', name })),
    transferInput: { run: importanceTransferables, shap: shapTransferables, shapBlock: shapTransferables },
  });
}

/** MLP team followers, started by a training worker (nested workers): each runs the kernel on its slice of every batch. */
export function createMlpTeamThreads(count: number, owner: string): TeamThreads {
  return teamThreads(Array.from({ length: count }, (_, i) => {
    const name = `${owner}-team-${i + 1}`;
    return new WorkerClient<MlpTeamOps>({
      name,
      create: () => browserWorkerEndpoint(new Worker(new URL('./mlpTeam.worker.ts', import.meta.url), { type: 'module', name })),
    });
  }));
}

/** Tree-unit helpers, started by a training worker (nested workers): a tree classifier's fold models and refit run on them, several at once. */
export function createTreeUnitRunner(count: number, owner: string): TreeUnitRunner {
  return workerTreeUnitRunner(Array.from({ length: count }, (_, i) => {
    const name = `${owner}-trees-${i + 1}`;
    return new WorkerClient<TreeUnitOps>({
      name,
      create: () => browserWorkerEndpoint(new Worker(new URL('./treeUnit.worker.ts', import.meta.url), { type: 'module', name })),
      cancelGraceMs: TREE_UNIT_CANCEL_GRACE_MS,
    });
  }));
}
