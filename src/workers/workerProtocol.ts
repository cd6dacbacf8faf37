/**
 * The one message vocabulary of every worker (data, training, search, importance; Web Workers and node threads):
 * the client sends `request` (or `cancel`); the worker answers with `progress`* and `log`* events, then exactly one
 * `result` or `error`, each carrying the request's `requestId`. A worker's protocol file lists its operations as an
 * `Operations` map; the message unions below are derived from it, so they are closed per worker.
 */
import type { SerializedError } from './workerErrors.ts';

/** One operation of a worker: what the request carries, what the result is, and what its progress events carry. */
export interface Operation<Input, Result, Progress = never> {
  readonly input: Input;
  readonly result: Result;
  readonly progress: Progress;
}

/** A worker's operations by name, e.g. `{ load: Operation<LoadSpec, LoadedPayload, LoadProgress> }`; declare it with `type`, not `interface` (an interface has no index signature). */
export type Operations = { readonly [op: string]: Operation<unknown, unknown, unknown> };

/** Names of a worker's operations. */
export type OpName<Ops extends Operations> = keyof Ops & string;

/** A request for operation `K`. */
export interface RequestMessage<Ops extends Operations, K extends OpName<Ops> = OpName<Ops>> {
  readonly type: 'request';
  readonly requestId: number;
  readonly op: K;
  readonly input: Ops[K]['input'];
}

/** Asks the worker to stop a request; it answers that request with an `AbortError`. */
export interface CancelMessage {
  readonly type: 'cancel';
  readonly requestId: number;
}

/** Everything a client posts to a worker of `Ops`. */
export type ClientMessage<Ops extends Operations> = { readonly [K in OpName<Ops>]: RequestMessage<Ops, K> }[OpName<Ops>] | CancelMessage;

/** Everything a worker of `Ops` posts back. */
export type WorkerMessage<Ops extends Operations> =
  | { readonly type: 'progress'; readonly requestId: number; readonly progress: Ops[OpName<Ops>]['progress'] }
  | { readonly type: 'log'; readonly requestId: number; readonly message: string }
  | { readonly type: 'result'; readonly requestId: number; readonly result: Ops[OpName<Ops>]['result'] }
  | { readonly type: 'error'; readonly requestId: number; readonly error: SerializedError };

/** Fails to compile when a switch over a closed union misses a case; at run time names the stray value. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unknown ${what} ${JSON.stringify(value)}`);
}
