/** Errors cross worker boundaries as plain data and are rebuilt on the other side. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** plain data an error carries for the page (e.g. a load's column choices); structured-cloneable */
  readonly details?: unknown;
}

/** An error with plain data for the other side of the worker boundary. */
export interface ErrorWithDetails extends Error {
  readonly details?: unknown;
}

/** Turns anything thrown into plain data that survives postMessage. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const details = (err as ErrorWithDetails).details;
    return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...(details === undefined ? {} : { details }) };
  }
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an Error (same name and message) from its serialized form. */
export function deserializeError(e: SerializedError): Error {
  const err: Error & { details?: unknown } = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  if (e.details !== undefined) err.details = e.details;
  return err;
}
