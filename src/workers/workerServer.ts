/** The worker side of the one vocabulary: a thin switch that runs each request's handler and answers with its requestId. */
import { assertNever, type ClientMessage, type OpName, type Operations, type RequestMessage, type WorkerMessage } from './workerProtocol.ts';
import { serializeError } from './workerErrors.ts';

/** What a worker posts through and listens on: `self` in a Web Worker, the shim `threads.ts` installs in a node thread. */
export interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => unknown) | null;
}

/** What a handler gets besides its input: the request's cancel signal and its event channels. */
export interface RequestContext<Progress> {
  readonly requestId: number;
  /** aborted when the client cancels or times the request out */
  readonly signal: AbortSignal;
  progress(progress: Progress, transfer?: readonly ArrayBuffer[]): void;
  log(message: string): void;
}

/** A handler's answer and the buffers to transfer with it (from `transferables`). */
export interface Reply<Result> {
  readonly result: Result;
  readonly transfer?: readonly ArrayBuffer[];
}

/** One handler per operation, in a complete record: a missing operation fails to compile. */
export type Handlers<Ops extends Operations> = {
  readonly [K in OpName<Ops>]: (input: Ops[K]['input'], ctx: RequestContext<Ops[K]['progress']>) => Reply<Ops[K]['result']> | Promise<Reply<Ops[K]['result']>>;
};

type AnyHandler = (input: unknown, ctx: RequestContext<unknown>) => Reply<unknown> | Promise<Reply<unknown>>;

/** Serves `handlers` on `scope`: requests run at once (several may be in flight), cancel aborts one request's signal. */
export function serveRequests<Ops extends Operations>(scope: WorkerScope, handlers: Handlers<Ops>): void {
  const controllers = new Map<number, AbortController>();
  const post = (msg: WorkerMessage<Ops>, transfer: readonly ArrayBuffer[] = []): void => scope.postMessage(msg, [...transfer]);

  const run = async (msg: RequestMessage<Ops>): Promise<void> => {
    const { requestId } = msg;
    const ctrl = new AbortController();
    controllers.set(requestId, ctrl);
    const ctx: RequestContext<unknown> = {
      requestId,
      signal: ctrl.signal,
      progress: (progress, transfer) => post({ type: 'progress', requestId, progress }, transfer),
      log: (message) => post({ type: 'log', requestId, message }),
    };
    try {
      const handler = handlers[msg.op] as AnyHandler | undefined;
      if (handler === undefined) throw new Error(`operation "${String(msg.op)}" is not served here; use one of ${Object.keys(handlers).join(', ')}`);
      const reply = await handler(msg.input, ctx);
      post({ type: 'result', requestId, result: reply.result }, reply.transfer);
    } catch (err) {
      post({ type: 'error', requestId, error: serializeError(err) });
    } finally {
      controllers.delete(requestId);
    }
  };

  scope.onmessage = (ev: MessageEvent) => {
    const msg = ev.data as ClientMessage<Ops>;
    switch (msg.type) {
      case 'request':
        void run(msg);
        break;
      case 'cancel':
        controllers.get(msg.requestId)?.abort();
        break;
      default:
        assertNever(msg, 'worker request');
    }
  };
}
