/** A node worker thread that trains one model with the same trainer modules the browser workers use. */
import * as tf from '@tensorflow/tfjs';
import { registerNodeBackends } from '../trainers/backends.node.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import type { BackendName, EpochLog } from '../trainers/types.ts';
import { outcomeTransferables, type TrainJob, type TrainOutcome } from '../workers/trainProtocol.ts';
import type { ThreadHandler } from './threads.ts';

/** Trains the job on the requested node backend (wasm unless told otherwise); epochs stream as events. */
export const handle: ThreadHandler<TrainJob, TrainOutcome & { backendUsed: BackendName }, EpochLog> = async (job, emit) => {
  const available = await registerNodeBackends(tf);
  const wanted: BackendName = job.backend === 'auto' ? (available.includes('wasm') ? 'wasm' : 'cpu') : job.backend;
  if (!available.includes(wanted)) throw new Error(`backend "${wanted}" is not available in node; use ${available.join(' or ')}`);
  await tf.setBackend(wanted);
  await tf.ready();
  const outcome: TrainOutcome = job.kind === 'classifier'
    ? { kind: 'classifier', result: await trainClassifier({ tf, matrix: job.matrix, y: job.y, config: job.config, onEpoch: emit, dataSha256: job.dataSha256 }) }
    : { kind: 'regressor', result: await trainRegressor({ tf, matrix: job.matrix, revenue: job.revenue, isOrdered: job.isOrdered, config: job.config, onEpoch: emit, dataSha256: job.dataSha256 }) };
  return { value: { ...outcome, backendUsed: wanted }, transfer: outcomeTransferables(outcome) };
};
