/**
 * The tree-unit helper workers' protocol (`treeUnit.worker.ts`, `src/pipeline/treeUnitThread.ts`): `unit` fits one part of
 * a tree classifier's protocol (`src/trainers/trees/treeProtocol.ts`), a tree's progress at a time; and the runner that
 * hands a training's units to several helpers at once, the data shared between them.
 */
import { TrainingCancelled, type TreeProgress } from '../trainers/trees/ensemble.ts';
import { runTreeUnit, type TreeProtocolData, type TreeProtocolUnit, type TreeUnitResult, type TreeUnitRunner } from '../trainers/trees/treeProtocol.ts';
import { sharedCopy } from './sharedMemory.ts';
import type { WorkerCall, WorkerClient } from './workerClient.ts';
import type { Operation } from './workerProtocol.ts';
import type { Handlers } from './workerServer.ts';

/** One unit and the data it reads (shared memory: posting it copies no rows). */
export interface TreeUnitRequest {
  readonly data: TreeProtocolData;
  readonly unit: TreeProtocolUnit;
}

export type TreeUnitOps = {
  readonly unit: Operation<TreeUnitRequest, TreeUnitResult, TreeProgress>;
};

/** The helper's handlers: the unit runs synchronously, so a cancel reaches it only as a terminate (`TREE_UNIT_CANCEL_GRACE_MS`). */
export const treeUnitHandlers: Handlers<TreeUnitOps> = {
  unit: ({ data, unit }, { signal, progress }) => ({ result: runTreeUnit(data, unit, { signal, onTree: (p) => progress(p) }) }),
};

/** A helper busy with a unit cannot read its cancel message: after this it is terminated (a fresh one starts for the next unit). */
export const TREE_UNIT_CANCEL_GRACE_MS = 200;

/** How often a running protocol looks at its cancel flag while it waits for its helpers. */
const CANCEL_POLL_MS = 50;

/** The data in shared memory, copied there once when a buffer is not shared yet (the page's training inputs already are). */
function sharedData(d: TreeProtocolData): TreeProtocolData {
  return { ...d, X: sharedCopy(d.X), y: sharedCopy(d.y), fit: sharedCopy(d.fit), valid: sharedCopy(d.valid), training: sharedCopy(d.training) };
}

/**
 * Runs a protocol's units on `clients`, each helper taking the next unit as it finishes one; a cancel (the flag, polled)
 * or a failed unit cancels the units still running. Needs shared memory (node, or a cross-origin-isolated page).
 */
export function workerTreeUnitRunner(clients: readonly WorkerClient<TreeUnitOps>[]): TreeUnitRunner {
  if (clients.length === 0) throw new Error('a tree-unit runner needs at least one helper worker; pass one or more clients');
  return {
    parallel: clients.length,
    async run(data, units, events, signal) {
      const shared = sharedData(data);
      const results: TreeUnitResult[] = [];
      const calls = new Set<WorkerCall<TreeUnitResult>>();
      let next = 0;
      let failure: unknown = null;
      const stop = (why: unknown): void => {
        failure ??= why;
        for (const c of calls) c.cancel();
      };
      const poll = signal ? setInterval(() => {
        if (signal.aborted) stop(new TrainingCancelled(0));
      }, CANCEL_POLL_MS) : undefined;
      const helper = async (client: WorkerClient<TreeUnitOps>): Promise<void> => {
        while (failure === null && next < units.length) {
          const i = next++;
          const call = client.request('unit', { data: shared, unit: units[i] as TreeProtocolUnit }, { onProgress: (p) => events.tree(i, p) });
          calls.add(call);
          try {
            results[i] = await call.result;
            events.done(i);
          } catch (err) {
            stop(err);
          } finally {
            calls.delete(call);
          }
        }
      };
      try {
        await Promise.all(clients.map(helper));
      } finally {
        if (poll !== undefined) clearInterval(poll);
      }
      if (signal?.aborted) throw new TrainingCancelled(0);
      if (failure !== null) throw failure;
      return results;
    },
  };
}
