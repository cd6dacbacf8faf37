/**
 * How many threads share each MLP batch on the fused kernel (`src/trainers/mlpTeam.ts`: a team over one shared memory),
 * decided once per training worker like the backend: the page's `?mlpWorkers=` (node: `--workers`; the bench's A/B),
 * else a measured probe (`measureTeam`), since two threads win on an idle machine and lose when other work holds the
 * cores. One thread where memory cannot be shared (a page that is not cross-origin isolated). The browser's train worker
 * and the node training thread each give it their way of starting follower threads.
 */
import { measureTeam, type TeamFollowers, type TeamProbe } from '../trainers/mlpTeam.ts';

/** At most this many threads share a batch: past it a slice's fixed costs outweigh its share of the rows. */
export const MAX_MLP_WORKERS = 4;

/** A batch is shared only when every thread gets at least this many rows: under it the wake-ups cost more than they save. */
export const MIN_TEAM_SLICE_ROWS = 256;

/**
 * The team must time a batch at least 10 % faster than one thread: the probe is short, and when it errs the cost is
 * lopsided (with other work on the cores, shared batches measured up to twice as slow; on a lightly loaded machine a
 * probe 2 % in favour of sharing still gave slower epochs).
 */
export const SHARING_MARGIN = 0.9;

/** Threads that share a batch on `cores` logical cores: one per core, at least 1, at most `MAX_MLP_WORKERS`. */
export function mlpWorkerCount(cores: number): number {
  return Math.max(1, Math.min(MAX_MLP_WORKERS, Number.isFinite(cores) ? Math.floor(cores) : 1));
}

/** Checks a requested count (from the page's `?mlpWorkers=`): an integer 1–`MAX_MLP_WORKERS`, else an error that says so. */
export function checkMlpWorkers(workers: number): number {
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_MLP_WORKERS) throw new Error(`mlp workers ${workers} is not an integer from 1 to ${MAX_MLP_WORKERS}; fix the mlpWorkers parameter of the page address`);
  return workers;
}

/** The network and batch the probe times: the job's own, on the kernel build it will train with. */
export interface SharingJob {
  readonly cols: number;
  readonly hiddenUnits: readonly number[];
  readonly batchSize: number;
  /** the kernel's relaxed-SIMD build (true), the plain one (false), or where supported (undefined) */
  readonly relaxed?: boolean | undefined;
}

/** What a worker decided: the threads a batch is shared by (1: all on this one), their followers, and why. */
export interface TeamChoice {
  readonly threads: number;
  readonly followers: TeamFollowers | null;
  readonly chosenBy: string;
  readonly probe: TeamProbe | null;
}

/** Follower threads as the decider starts them: `count` of them, kept for the worker's life. */
export type StartFollowers = (count: number) => TeamFollowers;

/**
 * Decides once (the first MLP job asks; later jobs get the same answer): `requested` threads when the page asks, else
 * `mlpWorkerCount(cores)` if the probe (`measure`; tests pass their own timings) finds them faster. `shareable`: whether
 * this context can share memory with its workers (`canShareMemory`). `start(count)` starts the follower threads (only
 * when wanted: they stay up for the worker's life).
 */
export function mlpTeamChoice(cores: number, shareable: boolean, start: StartFollowers, measure: typeof measureTeam = measureTeam): (job: SharingJob, requested: number | undefined) => Promise<TeamChoice> {
  let decided: Promise<TeamChoice> | null = null;
  let followers: TeamFollowers | null = null;
  const followersFor = (threads: number): TeamFollowers => {
    if (followers === null || followers.count < threads - 1) followers = start(threads - 1);
    return followers;
  };
  const decide = async (job: SharingJob, requested: number | undefined): Promise<TeamChoice> => {
    if (requested !== undefined) {
      const threads = checkMlpWorkers(requested);
      if (threads > 1 && !shareable) return { threads: 1, followers: null, chosenBy: `asked for ${threads} (mlpWorkers), but the page is not cross-origin isolated (no shared memory): one thread`, probe: null };
      return { threads, followers: threads > 1 ? followersFor(threads) : null, chosenBy: 'asked for (mlpWorkers)', probe: null };
    }
    if (!shareable) return { threads: 1, followers: null, chosenBy: 'the page is not cross-origin isolated (no shared memory): one thread', probe: null };
    const threads = mlpWorkerCount(cores);
    if (threads === 1) return { threads: 1, followers: null, chosenBy: `${cores} logical core(s)`, probe: null };
    const team = followersFor(threads);
    const probe = await measure(team, threads, job.cols, job.hiddenUnits, job.batchSize, job.relaxed);
    const shared = probe.teamMs < SHARING_MARGIN * probe.oneThreadMs;
    return {
      threads: shared ? threads : 1,
      followers: shared ? team : null,
      chosenBy: `measured: a batch in ${probe.teamMs.toFixed(2)} ms on ${threads} threads, ${probe.oneThreadMs.toFixed(2)} ms on one`,
      probe,
    };
  };
  return (job, requested) => {
    // a batch too small to cut in two decides nothing: a later job with larger batches may still share
    if (job.batchSize < 2 * MIN_TEAM_SLICE_ROWS) return Promise.resolve({ threads: 1, followers: null, chosenBy: `batches of ${job.batchSize} rows are too small to share`, probe: null });
    decided ??= decide(job, requested);
    return decided;
  };
}
