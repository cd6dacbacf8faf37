/** Client of the search workers: one scheduler for the browser pool and the node pool, each worker behind a small endpoint. */
import { IMBALANCE_STRATEGIES, imbalanceRows, type ImbalanceRow, type ImbalanceStrategy } from '../trainers/imbalanceLab.ts';
import { makeFolds, type PreparedFold } from '../trainers/crossValidation.ts';
import { preparedFoldKey, workUnits, type Params, type SearchData, type SearchSpec, type UnitResult, type WorkUnit } from '../trainers/search.ts';
import { canShareMemory, sharedCopy, sharedFolds } from './sharedMemory.ts';
import { searchDataTransferables, type FoldPrepared, type ImbalanceFoldResult, type SearchEvent, type SearchMessage, type SearchRequest } from './searchProtocol.ts';
import { deserializeError } from './workerErrors.ts';

/** One worker as the scheduler sees it: a Web Worker in the browser, a worker_threads Worker in node. */
export interface SearchEndpoint {
  post(msg: SearchRequest, transfer: ArrayBuffer[]): void;
  listen(onMessage: (msg: SearchMessage) => void, onCrash: (err: Error) => void): void;
  terminate(): void;
}

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
  readonly onEvent?: (event: SearchEvent, worker: number) => void;
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
  readonly createEndpoint: (index: number) => SearchEndpoint;
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
  readonly endpoint: SearchEndpoint;
  /** keys of the prepared folds the worker holds (as far as the scheduler knows) */
  readonly folds: Set<string>;
  loaded: Promise<void>;
  busy: boolean;
}

interface Pending {
  resolve(msg: SearchMessage): void;
  reject(err: Error): void;
  slot: number;
}

/** A pool of search workers; the matrix reaches each worker once per `load` (shared or copied), then only unit descriptions travel. */
export class SearchPool {
  readonly size: number;
  private readonly createEndpoint: (index: number) => SearchEndpoint;
  private readonly now: () => number;
  private readonly shareMemory: boolean;
  private slots: WorkerSlot[] = [];
  private data: SearchData | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private onEvent: ((event: SearchEvent, worker: number) => void) | undefined;
  private onPrepared: ((msg: FoldPrepared, worker: number) => void) | undefined;

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
    this.slots = [];
    for (let i = 0; i < this.size; i++) {
      const endpoint = this.createEndpoint(i);
      const slot: WorkerSlot = { index: i, endpoint, folds: new Set(), loaded: Promise.resolve(), busy: false };
      endpoint.listen((msg) => this.receive(msg, i), (err) => this.crashed(i, err));
      this.slots.push(slot);
    }
  }

  private sendData(slot: WorkerSlot, data: SearchData, shared: boolean): Promise<void> {
    // Copy before transferring: the caller keeps its matrix, and each worker owns a private buffer. Shared memory
    // is posted as is: every worker reads the same bytes.
    const copy: SearchData = shared ? data : { ...data, X: data.X.slice(), y: data.y.slice() };
    slot.folds.clear();
    return this.request(slot, { type: 'load', requestId: this.nextId++, data: copy, ...(shared ? { shareFolds: true } : {}) }, shared ? [] : searchDataTransferables(copy)).then(() => undefined);
  }

  private request(slot: WorkerSlot, msg: SearchRequest, transfer: ArrayBuffer[] = []): Promise<SearchMessage> {
    return new Promise<SearchMessage>((resolve, reject) => {
      this.pending.set(msg.requestId, { resolve, reject, slot: slot.index });
      slot.endpoint.post(msg, transfer);
    });
  }

  private receive(msg: SearchMessage, worker: number): void {
    if (msg.type === 'progress') {
      this.onEvent?.(msg, worker);
      return;
    }
    if (msg.type === 'prepared') {
      this.onPrepared?.(msg, worker);
      return;
    }
    const p = this.pending.get(msg.requestId);
    if (!p) return;
    this.pending.delete(msg.requestId);
    if (msg.type === 'error') p.reject(deserializeError(msg.error));
    else p.resolve(msg);
  }

  private crashed(worker: number, err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.slot !== worker) continue;
      this.pending.delete(id);
      p.reject(new Error(`search worker ${worker} crashed: ${err.message}`));
    }
  }

  /**
   * Runs every candidate on every fold across the pool, streaming results; rejects on the first failing unit. With
   * shared memory the folds are computed once here and every prepared fold is shared, so no work is done twice.
   */
  run(job: SearchJob): SearchRun {
    const data = this.data;
    if (data === null) throw new Error('search pool has no data; call load(data) before run()');
    if (this.slots.length === 0) this.load(data).catch(() => undefined);
    this.onEvent = job.onEvent;
    const queue: KeyedUnit[] = workUnits(job.candidates, job.spec.k).map((u) => ({ ...u, key: preparedFoldKey(job.spec, u) }));
    const total = queue.length;
    const results: UnitResult[] = [];
    const claimed = new Set<string>();
    /** folds whose preparation finished this run: the shared copy, or null when private to the worker that made it */
    const ready = new Map<string, PreparedFold | null>();
    const sharing = this.shareMemory;
    // One computation in shared memory instead of one per worker (and it overlaps the workers' start-up).
    const folds = sharing && total > 0 ? sharedFolds(makeFolds(data.y, data.task, job.spec.k, job.spec.seed)) : null;
    const sentFolds = new Set<number>();
    const started = this.now();
    let cancelled = false;
    let running = 0;
    let resolveRun: (r: UnitResult[]) => void = () => undefined;
    let rejectRun: (e: Error) => void = () => undefined;
    const finished = new Promise<UnitResult[]>((resolve, reject) => {
      resolveRun = resolve;
      rejectRun = reject;
    });
    const fail = (err: Error): void => {
      if (cancelled) return;
      cancelled = true;
      this.onPrepared = undefined;
      rejectRun(err);
    };
    const progress = (): SearchProgress => {
      const elapsedMs = this.now() - started;
      const done = results.length;
      return { done, total, running, elapsedMs, etaMs: done > 0 ? (elapsedMs / done) * (total - done) : null };
    };
    const readiness = new Map<string, boolean>();
    const dispatch = (slot: WorkerSlot): void => {
      if (cancelled || slot.busy) return;
      readiness.clear();
      for (const [key, fold] of ready) readiness.set(key, fold !== null);
      const i = nextUnit(queue, { own: slot.folds, claimed, ready: readiness, workers: this.slots.length, sharing });
      if (i < 0) {
        if (running === 0 && results.length === total) {
          this.onPrepared = undefined;
          resolveRun(results);
        }
        return;
      }
      const unit = queue.splice(i, 1)[0] as KeyedUnit;
      const shared = sharing ? readyFold(unit.key) : null;
      // Nobody needs a shared fold once its last unit is sent; the workers holding it keep it while they use it.
      if (!queue.some((u) => u.key === unit.key)) ready.delete(unit.key);
      slot.busy = true;
      running++;
      slot.folds.add(unit.key);
      claimed.add(unit.key);
      const first = folds !== null && !sentFolds.has(slot.index);
      if (first) sentFolds.add(slot.index);
      const { key: _key, ...workUnit } = unit;
      this.request(slot, {
        type: 'evaluate',
        requestId: this.nextId++,
        spec: job.spec,
        unit: workUnit,
        ...(first && folds ? { folds } : {}),
        ...(shared ? { prepared: { key: unit.key, fold: shared } } : {}),
      })
        .then((msg) => {
          slot.busy = false;
          running--;
          if (cancelled) return;
          if (msg.type !== 'result') throw new Error(`search worker ${slot.index} answered "${msg.type}" to evaluate; restart the pool`);
          // A fold the worker already held from an earlier run is not announced: count it as private from now on.
          if (!ready.has(unit.key) && queue.some((u) => u.key === unit.key)) ready.set(unit.key, null);
          results.push(msg.result);
          job.onResult?.(msg.result, progress());
          for (const s of this.slots) dispatch(s);
        })
        .catch((err: unknown) => {
          slot.busy = false;
          running--;
          fail(err instanceof Error ? err : new Error(String(err)));
        });
    };
    const readyFold = (key: string): PreparedFold | null => ready.get(key) ?? null;
    this.onPrepared = (msg) => {
      if (cancelled || !queue.some((u) => u.key === msg.key)) return;
      ready.set(msg.key, msg.fold);
      for (const s of this.slots) dispatch(s);
    };
    Promise.all(this.slots.map((s) => s.loaded))
      .then(() => {
        if (total === 0) return;
        for (const slot of this.slots) dispatch(slot);
      })
      .catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    return {
      results: total === 0 ? Promise.resolve([]) : finished,
      cancel: () => {
        if (cancelled) return;
        fail(new SearchCancelled());
        // A unit is one synchronous fit: only terminating the workers stops it now. They restart on the next run.
        this.terminate();
      },
    };
  }

  /** Runs the imbalance lab fold by fold across the pool (each worker takes the next fold); rejects on the first failure. */
  runImbalance(job: ImbalanceJob): ImbalanceRun {
    const data = this.data;
    if (data === null) throw new Error('search pool has no data; call load(data) before runImbalance()');
    if (this.slots.length === 0) this.load(data).catch(() => undefined);
    const strategies = job.strategies ?? IMBALANCE_STRATEGIES;
    const queue = Array.from({ length: job.k }, (_, fold) => fold);
    const total = queue.length;
    const results: ImbalanceFoldResult[] = [];
    const started = this.now();
    let cancelled = false;
    let running = 0;
    let resolveRun: (r: ImbalanceRow[]) => void = () => undefined;
    let rejectRun: (e: Error) => void = () => undefined;
    const finished = new Promise<ImbalanceRow[]>((resolve, reject) => {
      resolveRun = resolve;
      rejectRun = reject;
    });
    const fail = (err: Error): void => {
      if (cancelled) return;
      cancelled = true;
      rejectRun(err);
    };
    const dispatch = (slot: WorkerSlot): void => {
      if (cancelled || slot.busy) return;
      const fold = queue.shift();
      if (fold === undefined) {
        if (running === 0 && results.length === total) resolveRun(imbalanceRows(strategies, results.map((r) => r.scores)));
        return;
      }
      slot.busy = true;
      running++;
      this.request(slot, { type: 'imbalanceFold', requestId: this.nextId++, unit: { k: job.k, seed: job.seed, fold, strategies } })
        .then((msg) => {
          slot.busy = false;
          running--;
          if (cancelled) return;
          if (msg.type !== 'imbalanceResult') throw new Error(`search worker ${slot.index} answered "${msg.type}" to imbalanceFold; restart the pool`);
          results.push(msg.result);
          const elapsedMs = this.now() - started;
          const done = results.length;
          job.onFold?.(msg.result, { done, total, running, elapsedMs, etaMs: (elapsedMs / done) * (total - done) });
          for (const s of this.slots) dispatch(s);
        })
        .catch((err: unknown) => {
          slot.busy = false;
          running--;
          fail(err instanceof Error ? err : new Error(String(err)));
        });
    };
    Promise.all(this.slots.map((s) => s.loaded))
      .then(() => {
        for (const slot of this.slots) dispatch(slot);
      })
      .catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    return {
      rows: finished,
      cancel: () => {
        if (cancelled) return;
        fail(new SearchCancelled());
        this.terminate();
      },
    };
  }

  /** Stops every worker; pending requests reject. The next `load` or `run` starts fresh workers. */
  terminate(): void {
    for (const slot of this.slots) slot.endpoint.terminate();
    for (const p of this.pending.values()) p.reject(new SearchCancelled());
    this.pending.clear();
    this.slots = [];
  }
}

/** A browser endpoint around a module Web Worker. */
export function browserSearchEndpoint(worker: Worker): SearchEndpoint {
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    listen: (onMessage, onCrash) => {
      worker.onmessage = (ev: MessageEvent<SearchMessage>) => onMessage(ev.data);
      worker.onerror = (ev) => onCrash(new Error(ev.message));
    },
    terminate: () => worker.terminate(),
  };
}

/** The browser pool, sized to `navigator.hardwareConcurrency` unless told otherwise (tests inject both). */
export function createBrowserSearchPool(options: { readonly size?: number; readonly hardwareConcurrency?: number; readonly createWorker?: (index: number) => Worker } = {}): SearchPool {
  const cores = options.hardwareConcurrency ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1);
  const createWorker = options.createWorker ?? ((index: number) => new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module', name: `search-${index}` }));
  return new SearchPool({
    size: options.size ?? poolSize(cores, Number.POSITIVE_INFINITY),
    createEndpoint: (index) => browserSearchEndpoint(createWorker(index)),
    shareMemory: canShareMemory(),
  });
}
