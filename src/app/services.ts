/** Long-lived platform objects (workers), created on first use so tests and the store can share them. */
import { DataClient } from '../workers/dataClient.ts';

let dataClient: DataClient | null = null;

/** The one data worker client. */
export function getDataClient(): DataClient {
  dataClient ??= new DataClient();
  return dataClient;
}

import { TrainClient } from '../workers/trainClient.ts';

const trainClients: Partial<Record<'classifier' | 'regressor', TrainClient>> = {};

/** One training worker per model, so both train in parallel. */
export function getTrainClient(kind: 'classifier' | 'regressor'): TrainClient {
  return (trainClients[kind] ??= new TrainClient(`train-${kind}`));
}

import { ImportanceClient } from '../workers/importanceClient.ts';

let importanceClient: ImportanceClient | null = null;

/** The one permutation-importance worker client. */
export function getImportanceClient(): ImportanceClient {
  importanceClient ??= new ImportanceClient();
  return importanceClient;
}
