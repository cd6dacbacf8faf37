/** Long-lived platform objects (workers), created on first use so tests and the store can share them. */
import { createDataClient, createImportanceClient, createTrainClient } from '../workers/clients.ts';
import type { DataOps } from '../workers/dataProtocol.ts';
import type { ImportanceOps } from '../workers/importanceProtocol.ts';
import type { TrainOps } from '../workers/trainProtocol.ts';
import type { WorkerClient } from '../workers/workerClient.ts';

let dataClient: WorkerClient<DataOps> | null = null;

/** The one data worker client. */
export function getDataClient(): WorkerClient<DataOps> {
  dataClient ??= createDataClient();
  return dataClient;
}

const trainClients: Partial<Record<'classifier' | 'regressor', WorkerClient<TrainOps>>> = {};

/** One training worker per model, so both train in parallel. */
export function getTrainClient(kind: 'classifier' | 'regressor'): WorkerClient<TrainOps> {
  return (trainClients[kind] ??= createTrainClient(`train-${kind}`));
}

/**
 * The wasm thread count and MLP workers the page's address asks for (`?wasmThreads=2`, `?mlpWorkers=1`: the bench
 * measures each way in one run), for the training worker's request; empty when it asks for none (the worker then uses
 * `WASM_THREAD_SHARE`, and measures whether sharing a batch between workers pays).
 */
export function wasmThreadsRequest(): { wasmThreads?: number; mlpWorkers?: number; mlpPath?: string } {
  const params = typeof location === 'undefined' ? null : new URLSearchParams(location.search);
  const threads = params?.get('wasmThreads') ?? null;
  const workers = params?.get('mlpWorkers') ?? null;
  // the MLP's step (`?mlpPath=tfjs|wasm-simd|wasm-relaxed-simd`): the bench compares them; the worker checks the name
  const path = params?.get('mlpPath') ?? null;
  return { ...(threads === null ? {} : { wasmThreads: Number(threads) }), ...(workers === null ? {} : { mlpWorkers: Number(workers) }), ...(path === null ? {} : { mlpPath: path }) };
}

let importanceClient: WorkerClient<ImportanceOps> | null = null;
let helperClient: WorkerClient<ImportanceOps> | null = null;

/** The one permutation-importance worker client. */
export function getImportanceClient(): WorkerClient<ImportanceOps> {
  importanceClient ??= createImportanceClient();
  return importanceClient;
}

/** The importance workers SHAP splits its rows over: the importance worker and a second one, so both cores work. */
export function getShapClients(): readonly WorkerClient<ImportanceOps>[] {
  helperClient ??= createImportanceClient('importance-2');
  return [getImportanceClient(), helperClient];
}
