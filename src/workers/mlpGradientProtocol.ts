/** The MLP gradient helper worker's operation: differentiate one slice of a batch (`src/trainers/mlpGradient.ts`). */
import type { MlpGradientHelper, MlpGradientJob } from '../trainers/mlpGradient.ts';
import { transferables } from './transferables.ts';
import type { WorkerClient } from './workerClient.ts';
import type { Operation } from './workerProtocol.ts';

/** `gradient`: [gradient, Σ w·loss, Σ w] of the job's slice at the job's weights. */
export type MlpGradientOps = {
  readonly gradient: Operation<MlpGradientJob, Float32Array>;
};

/** A job's buffers: the slice and its copy of the weights were made for the helper, so they travel without a copy. */
export function gradientJobTransferables(job: MlpGradientJob): ArrayBuffer[] {
  return transferables(job.params, job.x, job.xAugT, job.y, job.w);
}

/** A helper worker behind its client, as the training loop sees it. */
export function workerGradientHelper(client: WorkerClient<MlpGradientOps>): MlpGradientHelper {
  return { gradient: (job) => client.request('gradient', job).result };
}
