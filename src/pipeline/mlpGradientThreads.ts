/** MLP gradient helpers on node worker threads: the pipeline's training thread and the bench give them to `trainMlp`. */
import type { MlpGradientHelper } from '../trainers/mlpGradient.ts';
import { gradientJobTransferables, workerGradientHelper, type MlpGradientOps } from '../workers/mlpGradientProtocol.ts';
import { WorkerClient } from '../workers/workerClient.ts';
import { nodeWorkerEndpoint } from './threads.ts';

/** `count` helper threads (the .ts entry through tsx, or the bundled .mjs beside the bundled pipeline) and how to stop them. */
export function createNodeGradientHelpers(count: number): { readonly helpers: MlpGradientHelper[]; close(): void } {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './mlpGradientThread.ts' : './mlpGradientThread.mjs', import.meta.url).href;
  const clients = Array.from({ length: count }, (_, i) => new WorkerClient<MlpGradientOps>({
    name: `mlp-gradient-${i + 1}`,
    create: () => nodeWorkerEndpoint<MlpGradientOps>(entry),
    transferInput: { gradient: gradientJobTransferables },
  }));
  return { helpers: clients.map(workerGradientHelper), close: () => clients.forEach((c) => c.terminate('training finished')) };
}
