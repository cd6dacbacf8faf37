/** Client of the search workers: one scheduler for the browser pool and the node pool, each worker behind a `WorkerClient`. */
import { IMBALANCE_STRATEGIES, imbalanceRows, type ImbalanceModel, type ImbalanceRow, type ImbalanceStrategy } from '../trainers/imbalanceLab.ts';
import { makeFolds, type PreparedFold } from '../trainers/crossValidation.ts';
import { preparedFoldKey, workUnits, type Params, type SearchData, type SearchSpec, type UnitResult, type WorkUnit } from '../trainers/search.ts';
import { canShareMemory, sharedCopy, sharedFolds } from './sharedMemory.ts';
import { searchDataTransferables, type ImbalanceFoldResult, type SearchEvaluate, type SearchOps } from './searchProtocol.ts';
import { WorkerClient, browserWorkerEndpoint, type WorkerEndpoint } from './workerClient.ts';

/** Where a running search stands; `etaMs` is null until the first unit finishes. */
export interface SearchProgress {
  readonly done: number;
  readonly total: number;
  readonly running: number;
  readonly elapsedMs: number;
  readonly etaMs: number | null;
}

/** A search to run: the spec shared by all units and the candidates to score on every fold. */
export interface SearchJob {
  readonly spec: SearchSpec;
  readonly candidates: readonly Params[];
  /** streamed as each (candidate, fold) unit finishes, in completion order */
  readonly onResult?: (result: UnitResult, progress: SearchProgress) => void;
}

/** A running search: every unit's result in completion order, and a cancel that stops it now. */
export interface SearchRun {
  readonly results: Promise<UnitResult[]>;
  cancel(): void;
}

/** An imbalance-lab run: one unit per fold, every strategy fitted inside it, on the loaded classifier data. */
export interface ImbalanceJob {
  readonly k: number;
  readonly seed: number;
  readonly strategies?: readonly ImbalanceStrategy[];
  /** the model the strategies are compared on; default logistic regression */
  readonly model?: ImbalanceModel;
  readonly onFold?: (result: ImbalanceFoldResult, progress: SearchProgress) => void;
}

/** A running imbalance lab: the table rows once every fold is in, and a cancel. */
export interface ImbalanceRun {
  readonly rows: Promise<ImbalanceRow[]>;
  cancel(): void;
}

/** Settings of a pool; `createEndpoint` is the platform (browser Worker or worker_threads). */
export interface SearchPoolOptions {
  readonly size: number;
  readonly createEndpoint: (index: number) => WorkerEndpoint<SearchOps>;
  /**
   * Hand every worker the same SharedArrayBuffer-backed matrix instead of a private copy each (one copy in all, none
   * if the matrix is already shared). Workers only read it. Needs SharedArrayBuffer: node, or a cross-origin-isolated page.
   */
  readonly shareMemory?: boolean;
  readonly now?: () => number;
}

/** Thrown into a cancelled search's promise; matches the AbortError name the trainers use. */
export class SearchCancelled extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('search cancelled');
  }
}

/** Workers to start: one per hardware thread, never more than there are units, at least one. */
export function poolSize(hardwareConcurrency: number | undefined, units: number): number {
  const cores = hardwareConcurrency !== undefined && hardwareConcurrency >= 1 ? Math.floor(hardwareConcurrency) : 1;
  return Math.max(1, Math.min(cores, units));
}

/** A pending unit with the key of the prepared fold it needs (`preparedFoldKey`). */
export interface KeyedUnit extends WorkUnit {
  readonly key: string;
}

/** What the scheduler knows about prepared folds when a worker falls idle. */
export interface SchedulerView {
  /** keys of the prepared folds this worker holds */
  readonly own: ReadonlySet<string>;
  /** keys some worker has prepared or is preparing */
  readonly claimed: ReadonlySet<string>;
  /** keys whose preparation is done: true when the fold is in shared memory for any worker, false when private */
  readonly ready: ReadonlyMap<string, boolean>;
  readonly workers: number;
  /** whether prepared folds are shared (shared memory): then nobody prepares a fold twice */
  readonly sharing: boolean;
}

/** Index of the unit whose key has most units pending among those `accept`s; -1 if none. */
function mostPending(pending: readonly KeyedUnit[], accept: (u: KeyedUnit) => boolean): number {
  const left = new Map<string, number>();
  for (const u of pending) if (accept(u)) left.set(u.key, (left.get(u.key) ?? 0) + 1);
  let best: string | undefined;
  for (const [key, n] of left) if (best === undefined || n > (left.get(best) ?? 0)) best = key;
  return best === undefined ? -1 : pending.findIndex((u) => u.key === best);
}

/**
 * Index in `pending` of the next unit for an idle worker, or -1 to give it nothing now: a fold it already holds, else a
 * fold nobody has claimed, else (sharing) a fold in shared memory with most units left, else (sharing) wait for a fold
 * being prepared, else steal the fold with most units left and prepare it again. When sharing and fewer unclaimed folds
 * remain than workers, the unclaimed fold goes first: prepared early, it is ready to share by the time others run dry.
 */
export function nextUnit(pending: readonly KeyedUnit[], view: SchedulerView): number {
  if (pending.length === 0) return -1;
  const fresh = pending.findIndex((u) => !view.claimed.has(u.key));
  if (view.sharing && fresh >= 0) {
    const unclaimed = new Set<string>();
    for (const u of pending) if (!view.claimed.has(u.key)) unclaimed.add(u.key);
    if (unclaimed.size < view.workers) return fresh;
  }
  const mine = pending.findIndex((u) => view.own.has(u.key));
  if (mine >= 0) return mine;
  if (fresh >= 0) return fresh;
  if (view.sharing) {
    const adopt = mostPending(pending, (u) => view.ready.get(u.key) === true);
    if (adopt >= 0) return adopt;
    // Waiting for a fold being prepared is never slower than preparing it again.
    if (pending.some((u) => !view.ready.has(u.key))) return -1;
  }
  return mostPending(pending, () => true);
}

interface WorkerSlot {
  readonly index: number;
  readonly client: WorkerClient<SearchOps>;
  /** keys of the prepared folds the worker holds (as far as the scheduler knows) */
  readonly folds: Set<string>;
  loaded: Promise<void>;
  busy: boolean;
}

/** What one kind of run gives the scheduler: how many units, and for an idle worker the next unit's call (null: nothing now). */
interface RunPlan<R> {
  readonly total: number;
  next(slot: WorkerSlot, wake: () => void): Promise<R> | null;
  done?(result: R, progress: SearchProgress): void;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A pool of search workers; the matrix reaches each worker once per `load` (shared or copied), then only unit descriptions travel. */
export class SearchPool {
  readonly size: number;
  private readonly createEndpoint: (index: number) => WorkerEndpoint<SearchOps>;
  private readonly now: () => number;
  private readonly shareMemory: boolean;
  private slots: WorkerSlot[] = [];
  private data: SearchData | null = null;
  /** stops of the runs in progress, so a terminate rejects them as cancelled */
  private readonly active = new Set<(err: Error) => void>();

  constructor(options: SearchPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`pool size ${options.size} is not a positive integer; use e.g. navigator.hardwareConcurrency`);
    this.size = options.size;
    this.createEndpoint = options.createEndpoint;
    this.shareMemory = options.shareMemory ?? false;
    this.now = options.now ?? (() => performance.now());
  }

  /** Sends the matrix to every worker (one shared copy, or each its own copy, transferred); resolves when all hold it. */
  load(data: SearchData): Promise<void> {
    this.data = data;
    if (this.slots.length === 0) this.start();
    const shared: SearchData | null = this.shareMemory ? { ...data, X: sharedCopy(data.X), y: sharedCopy(data.y) } : null;
    for (const slot of this.slots) slot.loaded = this.sendData(slot, shared ?? data, shared !== null);
    return Promise.all(this.slots.map((s) => s.loaded)).then(() => undefined);
  }

  private start(): void {
    this.slots = Array.from({ length: this.size }, (_, index) => ({
      index,
      client: new WorkerClient<SearchOps>({
        name: `search-${index}`,
        create: () => this.createEndpoint(index),
        // the load's own copy travels; shared memory is left out by `transferables` and shared instead
        transferInput: { load: (load) => searchDataTransferables(load.data) },
      }),
      folds: new Set<string>(),
      loaded: Promise.resolve(),
      busy: false,
    }));
  }

  private sendData(slot: WorkerSlot, data: SearchData, shared: boolean): Promise<void> {
    // Copy before transferring: the caller keeps its matrix, and each worker owns a private buffer. Shared memory
    // is posted as is: every worker reads the same bytes.
    const copy: SearchData = shared ? data : { ...data, X: data.X.slice(), y: data.y.slice() };
    slot.folds.clear();
    return slot.client.request('load', { data: copy, ...(shared ? { shareFolds: true } : {}) }).result.then(() => undefined);
  }

  /**
   * The one run loop of the pool: once every worker holds the data, each idle worker takes the plan's next unit; a
   * finished unit frees its worker and wakes them all. Resolves with the results in completion order, rejects on the
   * first failure; cancel rejects with `SearchCancelled` and terminates the workers (a unit is one synchronous fit,
   * so only that stops it now; they restart on the next run).
   */
  private schedule<R>(plan: RunPlan<R>): { readonly finished: Promise<R[]>; cancel(): void } {
    const results: R[] = [];
    const started = this.now();
    let running = 0;
    let stopped = false;
    let resolveRun: (r: R[]) => void = () => undefined;
    let rejectRun: (e: Error) => void = () => undefined;
    const finished = new Promise<R[]>((resolve, reject) => {
      resolveRun = resolve;
      rejectRun = reject;
    });
    const stop = (err: Error | null): void => {
      if (stopped) return;
      stopped = true;
      this.active.delete(stop);
      if (err) rejectRun(err);
      else resolveRun(results);
    };
    this.active.add(stop);
    const progress = (): SearchProgress => {
      const elapsedMs = this.now() - started;
      const done = results.length;
      return { done, total: plan.total, running, elapsedMs, etaMs: done > 0 ? (elapsedMs / done) * (plan.total - done) : null };
    };
    const wake = (): void => {
      for (const slot of this.slots) dispatch(slot);
    };
    const dispatch = (slot: WorkerSlot): void => {
      if (stopped || slot.busy) return;
      const call = plan.next(slot, wake);
      if (call === null) {
        if (running === 0 && results.length === plan.total) stop(null);
        return;
      }
      slot.busy = true;
      running++;
      call.then(
        (result) => {
          slot.busy = false;
          running--;
          if (stopped) return;
          results.push(result);
          try {
            plan.done?.(result, progress());
          } catch (err) {
            stop(asError(err));
            return;
          }
          wake();
        },
        (err: unknown) => {
          slot.busy = false;
          running--;
          stop(asError(err));
        },
      );
    };
    Promise.all(this.slots.map((s) => s.loaded)).then(
      () => (plan.total === 0 ? stop(null) : wake()),
      (err: unknown) => stop(asError(err)),
    );
    return {
      finished,
      cancel: () => {
        if (stopped) return;
        this.terminate();
      },
    };
  }

  /**
   * Runs every candidate on every fold across the pool, streaming results; rejects on the first failing unit. With
   * shared memory the folds are computed once here and every prepared fold is shared, so no work is done twice.
   */
  run(job: SearchJob): SearchRun {
    const data = this.data;
    if (data === null) throw new Error('search pool has no data; call load(data) before run()');
    if (this.slots.length === 0) this.load(data).catch(() => undefined);
    const queue: KeyedUnit[] = workUnits(job.candidates, job.spec.k).map((u) => ({ ...u, key: preparedFoldKey(job.spec, u) }));
    const claimed = new Set<string>();
    /** folds whose preparation finished this run: the shared copy, or null when private to the worker that made it */
    const ready = new Map<string, PreparedFold | null>();
    const readiness = new Map<string, boolean>();
    const sharing = this.shareMemory;
    // One computation in shared memory instead of one per worker (and it overlaps the workers' start-up).
    const folds = sharing && queue.length > 0 ? sharedFolds(makeFolds(data.y, data.task, job.spec.k, job.spec.seed)) : null;
    const sentFolds = new Set<number>();
    const { finished, cancel } = this.schedule<UnitResult>({
      total: queue.length,
      next: (slot, wake) => {
        readiness.clear();
        for (const [key, fold] of ready) readiness.set(key, fold !== null);
        const i = nextUnit(queue, { own: slot.folds, claimed, ready: readiness, workers: this.slots.length, sharing });
        if (i < 0) return null;
        const { key, ...unit } = queue.splice(i, 1)[0] as KeyedUnit;
        const shared = sharing ? (ready.get(key) ?? null) : null;
        // Nobody needs a shared fold once its last unit is sent; the workers holding it keep it while they use it.
        if (!queue.some((u) => u.key === key)) ready.delete(key);
        slot.folds.add(key);
        claimed.add(key);
        const first = folds !== null && !sentFolds.has(slot.index);
        if (first) sentFolds.add(slot.index);
        const input: SearchEvaluate = { spec: job.spec, unit, ...(first && folds ? { folds } : {}), ...(shared ? { prepared: { key, fold: shared } } : {}) };
        const onProgress = (p: SearchOps['evaluate']['progress']): void => {
          if (p.kind !== 'prepared' || !queue.some((u) => u.key === p.key)) return;
          ready.set(p.key, p.fold);
          wake();
        };
        return slot.client.request('evaluate', input, { onProgress }).result.then((result) => {
          // A fold the worker already held from an earlier run is not announced: count it as private from now on.
          if (!ready.has(key) && queue.some((u) => u.key === key)) ready.set(key, null);
          return result;
        });
      },
      ...(job.onResult ? { done: job.onResult } : {}),
    });
    return { results: finished, cancel };
  }

  /** Runs the imbalance lab fold by fold across the pool (each worker takes the next fold); rejects on the first failure. */
  runImbalance(job: ImbalanceJob): ImbalanceRun {
    const data = this.data;
    if (data === null) throw new Error('search pool has no data; call load(data) before runImbalance()');
    if (this.slots.length === 0) this.load(data).catch(() => undefined);
    const strategies = job.strategies ?? IMBALANCE_STRATEGIES;
    const queue = Array.from({ length: job.k }, (_, fold) => fold);
    const { finished, cancel } = this.schedule<ImbalanceFoldResult>({
      total: queue.length,
      next: (slot) => {
        const fold = queue.shift();
        return fold === undefined ? null : slot.client.request('imbalanceFold', { k: job.k, seed: job.seed, fold, strategies, ...(job.model ? { model: job.model } : {}) }).result;
      },
      ...(job.onFold ? { done: job.onFold } : {}),
    });
    return { rows: finished.then((results) => imbalanceRows(strategies, results.map((r) => r.scores))), cancel };
  }

  /** Stops every worker: runs in progress reject with `SearchCancelled`, pending requests with an error naming their worker. The next `load` or `run` starts fresh workers. */
  terminate(): void {
    for (const stop of [...this.active]) stop(new SearchCancelled());
    for (const slot of this.slots) slot.client.terminate('stopped by the search pool');
    this.slots = [];
  }
}

/** The browser pool, sized to `navigator.hardwareConcurrency` unless told otherwise (tests inject both). */
export function createBrowserSearchPool(options: { readonly size?: number; readonly hardwareConcurrency?: number; readonly createWorker?: (index: number) => Worker } = {}): SearchPool {
  const cores = options.hardwareConcurrency ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1);
  const createWorker = options.createWorker ?? ((index: number) => new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module', name: `search-${index}` }));
  return new SearchPool({
    size: options.size ?? poolSize(cores, Number.POSITIVE_INFINITY),
    createEndpoint: (index) => browserWorkerEndpoint(createWorker(index)),
    shareMemory: canShareMemory(),
  });
}
