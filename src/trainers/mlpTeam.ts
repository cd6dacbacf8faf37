/**
 * The MLP's batch gradient on a team of threads over ONE shared WebAssembly.Memory: the training rows, the epoch's row
 * order, the weights (a kernel job's layout, `mlpKernel.ts`) and one gradient + scratch per thread live in it, and every
 * thread runs the same fused kernel on that memory. A step costs no message: the leader (the training worker) writes
 * each thread's (start, count) into a control block, bumps a generation word and wakes the followers with
 * `Atomics.notify`, differentiates its own slice, waits on a counter with `Atomics.wait`, then adds the followers'
 * gradients to its own in thread order (so a run is reproducible for a thread count). Adam stays on the host.
 *
 * Pure: WebAssembly and Atomics only. Starting the follower threads is the worker layer's
 * (`src/workers/mlpTeamProtocol.ts`); a follower calls `serveTeam`, which returns when the leader stops the team.
 */
import { createMlpKernelJob, ensureMemory, KERNEL_LOSS, loadMlpKernel, paramsSize, type MlpKernel, type MlpKernelData, type MlpKernelExports, type MlpKernelJob, type MlpKernelLayout } from './mlpKernel.ts';

/** Words of the control block (Int32): generation, followers still working, command, then `SLOT_WORDS` per thread. */
const GEN = 0;
const PENDING = 1;
const COMMAND = 2;
const SLOT = 4;
const SLOT_WORDS = 4;
const CMD_GRADIENT = 1;
const CMD_STOP = 2;
/** A thread's status word: 0 ok, 1 its kernel call threw (its message in the thread's error region). */
const FAILED = 1;
const ERROR_BYTES = 512;

/** The team's part of the memory, after the kernel job's layout: control block, losses, error texts, followers' gradients and scratch. */
export interface TeamRegion {
  readonly threads: number;
  readonly control: number;
  readonly losses: number;
  readonly errors: number;
  /** per thread (index 0 is the leader's: the kernel job's own gradient and scratch) */
  readonly grads: readonly number[];
  readonly scratches: readonly number[];
  readonly end: number;
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Lays the team's region out after a kernel job's `layout` (which holds thread 0's gradient and scratch). */
export function teamRegion(layout: MlpKernelLayout, paramCount: number, threads: number): TeamRegion {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`mlp team of ${threads} threads; use a whole number from 1`);
  let at = align16(layout.end);
  const take = (bytes: number): number => {
    const start = at;
    at = align16(at + bytes);
    return start;
  };
  const control = take((SLOT + SLOT_WORDS * threads) * 4);
  const losses = take(threads * 8);
  const errors = take(threads * ERROR_BYTES);
  const grads = [layout.grads[0] as number];
  const scratches = [layout.scratches[0] as number];
  for (let t = 1; t < threads; t++) {
    grads.push(take(paramCount * 4));
    scratches.push(take(layout.scratchBytes));
  }
  return { threads, control, losses, errors, grads, scratches, end: at };
}

/**
 * Rows of the leader's slice relative to a follower's: the leader also runs Adam, shuffles, validates and scores each
 * epoch. Measured per thread (bench-speed-node's `busiest_threads_cpu_ms_per_epoch_all`, 2 threads, bundled data, equal
 * halves): leader 210 ms of CPU an epoch, follower 160; 0.75 evens them (an epoch waits for the busier thread).
 */
export const LEADER_SHARE = 0.75;

/** Thread t's slice of a batch of `n` rows starting at `start`: consecutive parts, the leader's (t = 0) `LEADER_SHARE` of a follower's. */
export function threadSlice(start: number, n: number, t: number, threads: number): { start: number; count: number } {
  const shares = threads - 1 + LEADER_SHARE;
  const bound = (i: number): number => (i === 0 ? 0 : Math.round(((i - 1 + LEADER_SHARE) * n) / shares));
  const from = bound(t);
  return { start: start + from, count: bound(t + 1) - from };
}

/** What a follower needs to serve a team: the memory, the job's layout, the team's region, the columns and the loss. */
export interface TeamSeat {
  readonly memory: WebAssembly.Memory;
  /** whether the leader runs the relaxed-SIMD build: every thread must run the same arithmetic */
  readonly relaxed: boolean;
  readonly layout: MlpKernelLayout;
  readonly region: TeamRegion;
  readonly cols: number;
  readonly lossKind: number;
  /** this thread's index, 1 … threads − 1 */
  readonly index: number;
}

function controlOf(memory: WebAssembly.Memory, region: TeamRegion): Int32Array {
  return new Int32Array(memory.buffer, region.control, SLOT + SLOT_WORDS * region.threads);
}

function writeError(memory: WebAssembly.Memory, region: TeamRegion, t: number, message: string): void {
  // TextEncoder refuses views of shared memory: encode into a private array, then copy
  const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES - 4);
  new Int32Array(memory.buffer, region.errors + t * ERROR_BYTES, 1)[0] = bytes.length;
  new Uint8Array(memory.buffer, region.errors + t * ERROR_BYTES + 4, bytes.length).set(bytes);
}

function readError(memory: WebAssembly.Memory, region: TeamRegion, t: number): string {
  const length = Math.max(0, Math.min(new Int32Array(memory.buffer, region.errors + t * ERROR_BYTES, 1)[0] as number, ERROR_BYTES - 4));
  return new TextDecoder().decode(new Uint8Array(memory.buffer, region.errors + t * ERROR_BYTES + 4, length).slice());
}

/** Instantiates the kernel for a follower: the build the leader runs, on the team's memory. */
export async function seatKernel(seat: TeamSeat): Promise<MlpKernelExports> {
  const kernel = await loadMlpKernel({ memory: seat.memory, relaxed: seat.relaxed });
  if (kernel.relaxed !== seat.relaxed) throw new Error(`mlp team thread ${seat.index} cannot run the ${seat.relaxed ? 'relaxed-SIMD' : 'plain SIMD'} kernel its leader runs; train on one thread (mlpWorkers=1)`);
  return kernel.exports;
}

/**
 * A follower's loop: waits for the leader's next command, differentiates its slice into its own gradient, reports,
 * until the leader stops the team; returns the slices it served. Blocks its thread (Atomics.wait): call it in a worker.
 * An error in the kernel is written into the thread's error region for the leader to throw; the loop goes on.
 */
export function serveTeam(seat: TeamSeat, kernel: MlpKernelExports): number {
  const { memory, layout: l, region, index: t } = seat;
  const ctl = controlOf(memory, region);
  // a team's memory starts at generation 0: the leader may have posted its first step before this thread got here
  let seen = 0;
  let served = 0;
  for (;;) {
    Atomics.wait(ctl, GEN, seen);
    const gen = Atomics.load(ctl, GEN);
    if (gen === seen) continue;
    seen = gen;
    if (Atomics.load(ctl, COMMAND) === CMD_STOP) return served;
    served++;
    try {
      const start = ctl[SLOT + SLOT_WORDS * t] as number;
      const count = ctl[SLOT + SLOT_WORDS * t + 1] as number;
      const loss = kernel.mlp_batch_gradient(l.x, seat.cols, l.y, l.w, l.order, start, count, l.params, l.layers, l.nLayers, seat.lossKind, region.grads[t] as number, region.scratches[t] as number);
      new Float64Array(memory.buffer, region.losses, region.threads)[t] = loss;
    } catch (err) {
      writeError(memory, region, t, err instanceof Error ? err.message : String(err));
      Atomics.store(ctl, SLOT + SLOT_WORDS * t + 2, FAILED);
    }
    if (Atomics.sub(ctl, PENDING, 1) === 1) Atomics.notify(ctl, PENDING);
  }
}

/** The follower threads a team is opened on (`src/workers/mlpTeamProtocol.ts`'s `TeamThreads`). */
export interface TeamFollowers {
  readonly count: number;
  /** Seats threads 1 … seats.length and starts them serving; resolves once every one runs the kernel. */
  open(seats: readonly TeamSeat[]): Promise<{ stopped: Promise<void> }>;
  /** `describe(t)` names follower t in errors */
  describe(t: number): string;
  /** Ends every follower thread (a stuck one cannot be stopped otherwise); the next `open` starts fresh ones. */
  terminate(): void;
}

/** How long the leader waits for a follower's slice before it says the thread hung. */
export const TEAM_STEP_TIMEOUT_MS = 60_000;

/** How long `close` waits for the followers to leave the team before it terminates them (a stuck thread never would). */
export const TEAM_STOP_TIMEOUT_MS = 10_000;

/** A kernel job whose batches the team shares; `close` stops the followers (the memory goes with the job). */
export interface MlpTeamJob extends MlpKernelJob {
  readonly threads: number;
  close(): Promise<void>;
}

/**
 * A kernel job (`createMlpKernelJob`: the rows copied into the kernel's memory) whose every batch gradient is shared by
 * `threads` threads: this one and threads − 1 of `followers`, all joined and serving before this resolves (so the
 * first epoch pays no start-up). With one thread it is the plain job. The kernel's memory must be shared for more.
 */
export async function createMlpTeamJob(kernel: MlpKernel, data: MlpKernelData, layerSizes: readonly number[], loss: keyof typeof KERNEL_LOSS, threads: number, followers: TeamFollowers | null): Promise<MlpTeamJob> {
  const shared = typeof SharedArrayBuffer !== 'undefined' && kernel.memory.buffer instanceof SharedArrayBuffer;
  if (threads > 1 && !shared) throw new Error(`an mlp team of ${threads} threads needs a shared memory (a cross-origin-isolated page or node); train on one thread`);
  if (threads > 1 && (followers === null || followers.count < threads - 1)) throw new Error(`an mlp team of ${threads} threads needs ${threads - 1} follower thread(s), ${followers?.count ?? 0} were started; start more or use fewer threads`);
  const job = createMlpKernelJob(kernel, data, layerSizes, loss);
  if (threads === 1 || followers === null) return { ...job, threads: 1, close: () => Promise.resolve() };
  const paramCount = paramsSize(layerSizes);
  const region = teamRegion(job.layout, paramCount, threads);
  // a shared memory's views stay valid when it grows: the job's views need not be made again
  ensureMemory(kernel.memory, region.end);
  const { memory } = kernel;
  const lossKind = KERNEL_LOSS[loss];
  const seats = Array.from({ length: threads - 1 }, (_, i): TeamSeat => ({ memory, relaxed: kernel.relaxed, layout: job.layout, region, cols: data.cols, lossKind, index: i + 1 }));
  const { stopped } = await followers.open(seats);
  const ctl = controlOf(memory, region);
  const losses = new Float64Array(memory.buffer, region.losses, threads);
  const grads = region.grads.map((at) => new Float32Array(memory.buffer, at, paramCount));
  let closed = false;
  return {
    ...job,
    threads,
    gradient(start, n) {
      if (closed) throw new Error('the mlp team was closed; start a new training');
      for (let t = 0; t < threads; t++) {
        const s = threadSlice(start, n, t, threads);
        ctl[SLOT + SLOT_WORDS * t] = s.start;
        ctl[SLOT + SLOT_WORDS * t + 1] = s.count;
        ctl[SLOT + SLOT_WORDS * t + 2] = 0;
      }
      Atomics.store(ctl, PENDING, threads - 1);
      Atomics.store(ctl, COMMAND, CMD_GRADIENT);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      const own = threadSlice(start, n, 0, threads);
      const { grad, weightedLoss } = job.gradient(own.start, own.count);
      const waitStart = Date.now();
      for (let p = Atomics.load(ctl, PENDING); p !== 0; p = Atomics.load(ctl, PENDING)) {
        if (Atomics.wait(ctl, PENDING, p, 1000) === 'timed-out' && Date.now() - waitStart > TEAM_STEP_TIMEOUT_MS) {
          throw new Error(`${p} mlp team thread(s) did not answer within ${TEAM_STEP_TIMEOUT_MS / 1000} s; restart training, or train on one thread (mlpWorkers=1)`);
        }
      }
      for (let t = 1; t < threads; t++) {
        if (Atomics.load(ctl, SLOT + SLOT_WORDS * t + 2) === FAILED) throw new Error(`${followers.describe(t)} failed: ${readError(memory, region, t)}; restart training, or train on one thread (mlpWorkers=1)`);
      }
      let lossSum = weightedLoss;
      for (let t = 1; t < threads; t++) {
        const g = grads[t] as Float32Array;
        for (let i = 0; i < paramCount; i++) grad[i] = (grad[i] as number) + (g[i] as number);
        lossSum += losses[t] as number;
      }
      return { grad, weightedLoss: lossSum };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      Atomics.store(ctl, COMMAND, CMD_STOP);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      // a follower that crashed has already failed its step; one stuck in the kernel would hold the next training
      let timer: ReturnType<typeof setTimeout> | undefined;
      const left = await Promise.race([stopped.then(() => true, () => false), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), TEAM_STOP_TIMEOUT_MS); })]);
      clearTimeout(timer);
      if (!left) followers.terminate();
    },
  };
}

/** A shared memory for a team's kernel: it grows to the job's size (up to the kernel build's 4 GiB maximum). */
export function sharedKernelMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: 65_536, shared: true });
}

/** What `measureTeam` found: the median ms of one batch's gradient on one thread and on the team. */
export interface TeamProbe {
  readonly oneThreadMs: number;
  readonly teamMs: number;
  readonly threads: number;
}

/**
 * Times the gradient of one synthetic batch (`rows` × `cols`, the network of `hiddenUnits`) on one thread and on a team
 * of `threads`, interleaved `rounds` times after a warm-up of each; medians. Two threads win on an idle machine and
 * lose when other work holds the cores, so this is measured, not assumed.
 */
export async function measureTeam(followers: TeamFollowers, threads: number, cols: number, hiddenUnits: readonly number[], rows: number, relaxed: boolean | undefined, rounds = 5): Promise<TeamProbe> {
  let seed = 17;
  const next = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const data: MlpKernelData = {
    X: Float32Array.from({ length: rows * cols }, () => next() * 2 - 1), cols,
    y: Float32Array.from({ length: rows }, () => (next() < 0.2 ? 1 : 0)), w: new Float32Array(rows).fill(1), validX: new Float32Array(cols),
  };
  const sizes = [cols, ...hiddenUnits, 1];
  const load = (memory?: WebAssembly.Memory): Promise<MlpKernel> => loadMlpKernel({ ...(memory ? { memory } : {}), ...(relaxed === undefined ? {} : { relaxed }) });
  const one = await createMlpTeamJob(await load(), data, sizes, 'bce', 1, null);
  const team = await createMlpTeamJob(await load(sharedKernelMemory()), data, sizes, 'bce', threads, followers);
  try {
    for (const job of [one, team]) for (let i = 0; i < job.params.length; i++) job.params[i] = (next() - 0.5) * 0.2;
    const time = (job: MlpKernelJob): number => {
      const t0 = performance.now();
      job.gradient(0, rows);
      return performance.now() - t0;
    };
    time(one);
    time(team);
    const alone: number[] = [];
    const shared: number[] = [];
    for (let i = 0; i < rounds; i++) {
      alone.push(time(one));
      shared.push(time(team));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
    return { oneThreadMs: median(alone), teamMs: median(shared), threads };
  } finally {
    await team.close();
  }
}

/** The threads a training shares its batches with: the count (with this one) and the followers that serve the rest. */
export interface MlpTeamSpec {
  readonly threads: number;
  readonly followers: TeamFollowers;
}

/**
 * The kernel job a training steps on: one thread in a memory of its own, or a team (`team`, more than one thread) in a
 * shared memory. `relaxed`: the relaxed-SIMD build, the plain one, or where supported (undefined).
 */
export async function openMlpKernelJob(relaxed: boolean | undefined, data: MlpKernelData, layerSizes: readonly number[], loss: keyof typeof KERNEL_LOSS, team?: MlpTeamSpec): Promise<MlpTeamJob> {
  const threads = team?.threads ?? 1;
  const kernel = await loadMlpKernel({ ...(threads > 1 ? { memory: sharedKernelMemory() } : {}), ...(relaxed === undefined ? {} : { relaxed }) });
  return createMlpTeamJob(kernel, data, layerSizes, loss, threads, team?.followers ?? null);
}
