/** Tree-unit helpers on node worker threads: the pipeline's training thread and the bench give their runner to the tree classifier. */
import type { TreeUnitRunner } from '../trainers/trees/treeProtocol.ts';
import { TREE_UNIT_CANCEL_GRACE_MS, workerTreeUnitRunner, type TreeUnitOps } from '../workers/treeUnitProtocol.ts';
import { WorkerClient } from '../workers/workerClient.ts';
import { nodeWorkerEndpoint } from './threads.ts';

/** A runner on `count` helper threads (the .ts entry through tsx, or the bundled .mjs beside the bundled pipeline) and how to stop them. */
export function createNodeTreeUnitRunner(count: number): { readonly runner: TreeUnitRunner; close(): void } {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './treeUnitThread.ts' : './treeUnitThread.mjs', import.meta.url).href;
  const clients = Array.from({ length: count }, (_, i) => new WorkerClient<TreeUnitOps>({
    name: `tree-unit-${i + 1}`,
    create: () => nodeWorkerEndpoint<TreeUnitOps>(entry),
    cancelGraceMs: TREE_UNIT_CANCEL_GRACE_MS,
  }));
  return { runner: workerTreeUnitRunner(clients), close: () => clients.forEach((c) => c.terminate('training finished')) };
}
