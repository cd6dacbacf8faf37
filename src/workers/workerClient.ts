/**
 * The one worker client: per-request ids, progress and log events, cancel, a timeout per request and a terminate that
 * rejects every pending call. It owns one worker (a Web Worker or a node thread, behind a `WorkerEndpoint`), starts it
 * on the first request and again after a terminate or a crash.
 */
import { assertNever, type ClientMessage, type OpName, type Operations, type WorkerMessage } from './workerProtocol.ts';
import { deserializeError } from './workerErrors.ts';

/** One worker as a client sees it: a Web Worker in the browser (`browserWorkerEndpoint`), a worker_threads Worker in node. */
export interface WorkerEndpoint<Ops extends Operations> {
  post(message: ClientMessage<Ops>, transfer: readonly ArrayBuffer[]): void;
  listen(onMessage: (message: WorkerMessage<Ops>) => void, onCrash: (err: Error) => void): void;
  terminate(): void;
}

/**
 * Default time a request may go without hearing from its worker (no progress, log or answer) before it fails: long
 * enough for one epoch or one search unit on a slow machine, short enough that a hung worker is noticed.
 */
export const DEFAULT_WORKER_TIMEOUT_MS = 5 * 60_000;

/** Default time a cancelled request has to answer before its worker is terminated (the last resort). */
export const DEFAULT_CANCEL_GRACE_MS = 10_000;

/** Settings of a client. */
export interface WorkerClientOptions<Ops extends Operations> {
  /** names the worker in errors, e.g. "data" or "train-classifier" */
  readonly name: string;
  /** starts the worker; called on the first request and after a terminate or a crash */
  readonly create: () => WorkerEndpoint<Ops>;
  /** silence, in ms, after which a request fails with a TimeoutError; default DEFAULT_WORKER_TIMEOUT_MS, Infinity for none */
  readonly timeoutMs?: number;
  /** ms a cancelled request may take to answer before the worker is terminated; default DEFAULT_CANCEL_GRACE_MS */
  readonly cancelGraceMs?: number;
  /** per operation, the input's buffers to transfer (from `transferables`): the callers pass inputs they no longer need */
  readonly transferInput?: InputTransferables<Ops>;
}

/** Per operation, which buffers of its input travel as transferables. */
export type InputTransferables<Ops extends Operations> = { readonly [K in OpName<Ops>]?: (input: Ops[K]['input']) => ArrayBuffer[] };

/** Options of one request. */
export interface RequestOptions<Progress> {
  /** buffers of the input to transfer, besides the client's `transferInput` for the operation; the caller must not use them afterwards */
  readonly transfer?: readonly ArrayBuffer[];
  readonly onProgress?: (progress: Progress) => void;
  readonly onLog?: (message: string) => void;
  /** overrides the client's timeout for this request */
  readonly timeoutMs?: number;
}

/** A request in flight: its id, its result, and a cancel the worker honours. */
export interface WorkerCall<Result> {
  readonly requestId: number;
  readonly result: Promise<Result>;
  /** asks the worker to stop; the result rejects with an AbortError (the worker is terminated if it does not answer in time) */
  cancel(): void;
}

/** A request that heard nothing from its worker for its timeout. */
export class WorkerTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** A request dropped because its worker was terminated or crashed. */
export class WorkerStoppedError extends Error {
  override readonly name = 'WorkerStoppedError';
}

function abortError(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}

interface Pending {
  readonly op: string;
  resolve(result: unknown): void;
  reject(err: Error): void;
  onProgress: ((progress: unknown) => void) | undefined;
  onLog: ((message: string) => void) | undefined;
  readonly timeoutMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  cancelTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Typed request/response client of one worker serving `Ops` (see `serveRequests`). */
export class WorkerClient<Ops extends Operations> {
  readonly name: string;
  private readonly create: () => WorkerEndpoint<Ops>;
  private readonly timeoutMs: number;
  private readonly cancelGraceMs: number;
  private readonly transferInput: InputTransferables<Ops>;
  private endpoint: WorkerEndpoint<Ops> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private started = 0;

  constructor(options: WorkerClientOptions<Ops>) {
    this.name = options.name;
    this.create = options.create;
    this.timeoutMs = checkedMs(options.timeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS, 'timeoutMs');
    this.cancelGraceMs = checkedMs(options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS, 'cancelGraceMs');
    this.transferInput = options.transferInput ?? {};
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Which worker the next request reaches: 1 for the first one started, one more after each terminate or crash. */
  get generation(): number {
    return this.endpoint ? this.started : this.started + 1;
  }

  /** Sends `op` with `input`; progress and log events reach the callbacks until the result or error arrives. */
  request<K extends OpName<Ops>>(op: K, input: Ops[K]['input'], options: RequestOptions<Ops[K]['progress']> = {}): WorkerCall<Ops[K]['result']> {
    const requestId = this.nextId++;
    const timeoutMs = checkedMs(options.timeoutMs ?? this.timeoutMs, 'timeoutMs');
    const result = new Promise<Ops[K]['result']>((resolve, reject) => {
      const p: Pending = {
        op,
        resolve: resolve as (result: unknown) => void,
        reject,
        onProgress: options.onProgress as ((progress: unknown) => void) | undefined,
        onLog: options.onLog,
        timeoutMs,
        timer: undefined,
        cancelTimer: undefined,
      };
      this.pending.set(requestId, p);
      this.arm(requestId, p);
    });
    const message = { type: 'request', requestId, op, input } as ClientMessage<Ops>;
    try {
      const transfer = [...(this.transferInput[op]?.(input) ?? []), ...(options.transfer ?? [])];
      this.worker().post(message, [...new Set(transfer)]);
    } catch (err) {
      this.settle(requestId)?.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return { requestId, result, cancel: () => this.cancel(requestId) };
  }

  /** Asks the worker to stop request `requestId`; terminates the worker if it has not answered within the grace period. */
  cancel(requestId: number): void {
    const p = this.pending.get(requestId);
    if (!p || p.cancelTimer !== undefined) return;
    this.endpoint?.post({ type: 'cancel', requestId }, []);
    p.cancelTimer = setTimeout(() => {
      if (!this.pending.has(requestId)) return;
      this.settle(requestId)?.reject(abortError(`${this.name} worker: "${p.op}" cancelled (the worker did not stop within ${this.cancelGraceMs} ms, so it was terminated)`));
      this.terminate(`"${p.op}" ignored its cancel`);
    }, this.cancelGraceMs);
  }

  /** Stops the worker now; every pending call rejects with an error naming this worker. The next request starts a fresh one. */
  terminate(reason = 'terminated'): void {
    const endpoint = this.endpoint;
    this.endpoint = null;
    endpoint?.terminate();
    this.rejectAll((p) => new WorkerStoppedError(`${this.name} worker ${reason}; "${p.op}" did not finish`));
  }

  private worker(): WorkerEndpoint<Ops> {
    if (this.endpoint) return this.endpoint;
    const endpoint = this.create();
    this.endpoint = endpoint;
    this.started += 1;
    endpoint.listen(
      (msg) => {
        if (this.endpoint === endpoint) this.receive(msg);
      },
      (err) => {
        if (this.endpoint !== endpoint) return;
        this.endpoint = null;
        endpoint.terminate();
        this.rejectAll((p) => new WorkerStoppedError(`${this.name} worker crashed during "${p.op}": ${err.message}`));
      },
    );
    return endpoint;
  }

  private receive(msg: WorkerMessage<Ops>): void {
    const p = this.pending.get(msg.requestId);
    if (!p) return; // timed out or cancelled by terminate: its late answer is dropped
    switch (msg.type) {
      case 'progress':
        this.arm(msg.requestId, p);
        p.onProgress?.(msg.progress);
        break;
      case 'log':
        this.arm(msg.requestId, p);
        p.onLog?.(msg.message);
        break;
      case 'result':
        this.settle(msg.requestId)?.resolve(msg.result);
        break;
      case 'error':
        this.settle(msg.requestId)?.reject(deserializeError(msg.error));
        break;
      default:
        assertNever(msg, `message from the ${this.name} worker`);
    }
  }

  /** (Re)starts the request's silence timer. */
  private arm(requestId: number, p: Pending): void {
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (!Number.isFinite(p.timeoutMs)) return;
    p.timer = setTimeout(() => {
      const dropped = this.settle(requestId);
      if (!dropped) return;
      this.endpoint?.post({ type: 'cancel', requestId }, []);
      dropped.reject(new WorkerTimeoutError(`${this.name} worker: "${p.op}" sent nothing for ${p.timeoutMs} ms; it was cancelled (raise timeoutMs if it needs longer)`));
    }, p.timeoutMs);
  }

  /** Removes a pending request and its timers; returns it so the caller settles its promise. */
  private settle(requestId: number): Pending | undefined {
    const p = this.pending.get(requestId);
    if (!p) return undefined;
    this.pending.delete(requestId);
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (p.cancelTimer !== undefined) clearTimeout(p.cancelTimer);
    return p;
  }

  private rejectAll(error: (p: Pending) => Error): void {
    for (const id of [...this.pending.keys()]) {
      const p = this.settle(id);
      if (p) p.reject(error(p));
    }
  }
}

function checkedMs(ms: number, what: string): number {
  if (!(ms > 0)) throw new Error(`${what} ${ms} is not a positive number of milliseconds; use e.g. 60000, or Infinity for none`);
  return ms;
}

/** An endpoint around a module Web Worker. */
export function browserWorkerEndpoint<Ops extends Operations>(worker: Worker): WorkerEndpoint<Ops> {
  return {
    post: (message, transfer) => worker.postMessage(message, [...transfer]),
    listen: (onMessage, onCrash) => {
      worker.onmessage = (ev: MessageEvent<WorkerMessage<Ops>>) => onMessage(ev.data);
      worker.onerror = (ev) => onCrash(new Error(ev.message || 'the worker script failed to load'));
    },
    terminate: () => worker.terminate(),
  };
}
