/**
 * Whether a training worker shares each MLP batch with helper workers (`src/trainers/mlpGradient.ts`), decided once per
 * worker like the backend: the page's `?mlpWorkers=` (the bench's A/B), else a measured probe (`measureSharing`), since
 * two workers win on an idle machine and lose when other work holds the cores. The browser's train worker and the node
 * training thread each give it their way of starting helpers.
 */
import { measureSharing, sliceCount, type MlpGradientHelper, type SharingProbe } from '../trainers/mlpGradient.ts';
import type { Tf } from '../trainers/types.ts';

/** At most this many workers share a batch: past it a slice's fixed costs outweigh its share of the rows. */
export const MAX_MLP_WORKERS = 4;

/**
 * Sharing must time a batch at least 10 % faster than one worker: the probe is short, and when it errs the cost is
 * lopsided (with other work on the cores, shared epochs measured up to twice as slow; on a lightly loaded machine a
 * probe 2 % in favour of sharing still gave slower epochs).
 */
export const SHARING_MARGIN = 0.9;

/** Workers that share a batch on `cores` logical cores: one per core, at least 1, at most `MAX_MLP_WORKERS`. */
export function mlpWorkerCount(cores: number): number {
  return Math.max(1, Math.min(MAX_MLP_WORKERS, Number.isFinite(cores) ? Math.floor(cores) : 1));
}

/** Checks a requested count (from the page's `?mlpWorkers=`): an integer 1–`MAX_MLP_WORKERS`, else an error that says so. */
export function checkMlpWorkers(workers: number): number {
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_MLP_WORKERS) throw new Error(`mlp workers ${workers} is not an integer from 1 to ${MAX_MLP_WORKERS}; fix the mlpWorkers parameter of the page address`);
  return workers;
}

/** What a worker decided: the helpers a batch is shared with (none: all in this worker), and why. */
export interface SharingChoice {
  readonly helpers: readonly MlpGradientHelper[];
  readonly chosenBy: string;
  readonly probe: SharingProbe | null;
}

/** The network and batch the probe times: the job's own. */
export interface SharingJob {
  readonly cols: number;
  readonly hiddenUnits: readonly number[];
  readonly batchSize: number;
}

/**
 * Decides once (the first MLP job asks; later jobs get the same answer): `requested` workers when the page asks, else
 * `mlpWorkerCount(cores)` if the probe (`measure`; tests pass their own timings) finds them faster. `start(count)` starts
 * that many helpers (started only when wanted: they stay up for the worker's life).
 */
export function mlpSharing(
  tf: Tf, cores: number, start: (count: number) => MlpGradientHelper[], measure: typeof measureSharing = measureSharing,
): (job: SharingJob, requested: number | undefined) => Promise<SharingChoice> {
  let decided: Promise<SharingChoice> | null = null;
  let helpers: MlpGradientHelper[] = [];
  const helpersFor = (workers: number): MlpGradientHelper[] => {
    if (helpers.length < workers - 1) helpers = [...helpers, ...start(workers - 1 - helpers.length)];
    return helpers.slice(0, workers - 1);
  };
  const decide = async (job: SharingJob, requested: number | undefined): Promise<SharingChoice> => {
    if (requested !== undefined) {
      const workers = checkMlpWorkers(requested);
      return { helpers: helpersFor(workers), chosenBy: 'asked for (mlpWorkers)', probe: null };
    }
    const workers = mlpWorkerCount(cores);
    if (workers === 1) return { helpers: [], chosenBy: `${cores} logical core(s)`, probe: null };
    const probe = await measure(tf, helpersFor(workers), job.cols, job.hiddenUnits, job.batchSize);
    const shared = probe.sharedMs < SHARING_MARGIN * probe.aloneMs;
    return {
      helpers: shared ? helpersFor(workers) : [],
      chosenBy: `measured: a batch in ${probe.sharedMs.toFixed(1)} ms on ${workers} workers, ${probe.aloneMs.toFixed(1)} ms on one`,
      probe,
    };
  };
  return (job, requested) => {
    // a batch too small to cut in two decides nothing: a later job with larger batches may still share
    if (sliceCount(job.batchSize, 1) === 1) return Promise.resolve({ helpers: [], chosenBy: `batches of ${job.batchSize} rows are too small to share`, probe: null });
    decided ??= decide(job, requested);
    return decided;
  };
}
