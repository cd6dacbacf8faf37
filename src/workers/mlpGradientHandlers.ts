/** What an MLP gradient helper worker serves, on whichever backend its entry (browser worker or node thread) set up. */
import { sliceGradient } from '../trainers/mlpGradient.ts';
import type { Tf } from '../trainers/types.ts';
import type { MlpGradientOps } from './mlpGradientProtocol.ts';
import { transferables } from './transferables.ts';
import type { Handlers } from './workerServer.ts';

/** The handlers, once `ready` (the backend set up) has resolved. */
export function mlpGradientHandlers(tf: Tf, ready: Promise<unknown>): Handlers<MlpGradientOps> {
  return {
    gradient: async (job) => {
      await ready;
      const result = await sliceGradient(tf, job);
      return { result, transfer: transferables(result) };
    },
  };
}
