/**
 * The MLP team's follower threads (`src/trainers/mlpTeam.ts`): each takes a seat in a team (the shared memory, the kernel
 * job's layout, the team's control region) and then serves it until the leader stops it. Two operations, so that every
 * thread runs the kernel before the first step: `join` answers once the thread has instantiated the kernel on the
 * team's memory, `serve` answers when the leader stops the team (its loop blocks the thread meanwhile: steps cost no
 * message).
 */
import { seatKernel, serveTeam, type TeamFollowers, type TeamSeat } from '../trainers/mlpTeam.ts';
import type { MlpKernelExports } from '../trainers/mlpKernel.ts';
import type { WorkerClient } from './workerClient.ts';
import type { Operation } from './workerProtocol.ts';
import type { Handlers } from './workerServer.ts';

/** `join`: instantiate the kernel on the team's memory; `serve`: follow the leader until it stops the team (the slices served). */
export type MlpTeamOps = {
  readonly join: Operation<TeamSeat, null>;
  readonly serve: Operation<null, number>;
};

/** A follower thread's handlers (the browser worker and the node thread serve the same). */
export function mlpTeamHandlers(): Handlers<MlpTeamOps> {
  let seated: { seat: TeamSeat; kernel: MlpKernelExports } | null = null;
  return {
    join: async (seat) => {
      seated = { seat, kernel: await seatKernel(seat) };
      return { result: null };
    },
    serve: () => {
      if (seated === null) throw new Error('mlp team thread was asked to serve before joining a team; join first');
      const { seat, kernel } = seated;
      // the memory goes with the team: a thread kept for the next training must not hold the last one's rows
      seated = null;
      return { result: serveTeam(seat, kernel) };
    },
  };
}

/** Follower threads kept for a worker's life; each training seats a team on them. */
export interface TeamThreads extends TeamFollowers {
  /** batch slices the followers served in all teams that have stopped (the bench and e2e read it: proof that they ran) */
  readonly slicesServed: number;
}

/** Team threads behind their worker clients (browser workers or node threads). */
export function teamThreads(clients: readonly WorkerClient<MlpTeamOps>[]): TeamThreads {
  let slicesServed = 0;
  return {
    count: clients.length,
    get slicesServed() {
      return slicesServed;
    },
    describe: (t) => `mlp team thread ${t} (${clients[t - 1]?.name ?? 'not started'})`,
    async open(seats) {
      if (seats.length > clients.length) throw new Error(`an mlp team needs ${seats.length} follower threads, ${clients.length} were started; start more`);
      const members = clients.slice(0, seats.length);
      await Promise.all(members.map((c, i) => c.request('join', seats[i] as TeamSeat).result));
      // a follower serves for the whole training in silence: no timeout here (the leader times out a slice it waits for)
      const stopped = Promise.all(members.map((c) => c.request('serve', null, { timeoutMs: Number.POSITIVE_INFINITY }).result)).then((served) => {
        for (const n of served) slicesServed += n;
      });
      stopped.catch(() => undefined);
      return { stopped };
    },
    terminate: () => clients.forEach((c) => c.terminate('mlp team closed')),
  };
}
