/** MLP team follower threads on node worker threads: the pipeline's training thread, the bench and the tests use them. */
import { teamThreads, type MlpTeamOps, type TeamThreads } from '../workers/mlpTeamProtocol.ts';
import { WorkerClient } from '../workers/workerClient.ts';
import { nodeWorkerEndpoint } from './threads.ts';

/** `count` follower threads (the .ts entry through tsx, or the bundled .mjs beside the bundled pipeline). */
export function createNodeTeamThreads(count: number, owner = 'mlp'): TeamThreads {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './mlpTeamThread.ts' : './mlpTeamThread.mjs', import.meta.url).href;
  return teamThreads(Array.from({ length: count }, (_, i) => new WorkerClient<MlpTeamOps>({
    name: `${owner}-team-${i + 1}`,
    create: () => nodeWorkerEndpoint<MlpTeamOps>(entry),
  })));
}
