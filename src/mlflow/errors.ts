// Typed failures of the MLflow client, each with a message that says which fix applies (and never a URL's secret).
import { NetworkTimeoutError } from '../data/networkPolicy.ts';
import { redactText } from '../data/urlSecrets.ts';

/** An HTTP error answer from MLflow, carrying its own `error_code` and message. */
export class MlflowHttpError extends Error {
  override name = 'MlflowHttpError';
  readonly status: number;
  /** MLflow's `error_code` (e.g. `INVALID_PARAMETER_VALUE`), or null when the body was not MLflow JSON. */
  readonly errorCode: string | null;
  /** MLflow's own `message`, or the start of the body. */
  readonly serverMessage: string;
  readonly method: string;
  readonly url: string;
  /** the server's `Retry-After`, in milliseconds, or null */
  readonly retryAfterMs: number | null;

  constructor(init: { status: number; errorCode: string | null; serverMessage: string; method: string; url: string; retryAfterMs?: number | null }, hint = '') {
    const code = init.errorCode === null ? '' : ` ${init.errorCode}`;
    super(redactText(`mlflow ${init.method} ${init.url} failed (${init.status}${code}): ${init.serverMessage}${hint}`));
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.serverMessage = init.serverMessage;
    this.method = init.method;
    this.url = init.url;
  }
}

/** MLflow answered 401 or 403: the token or credentials are missing, wrong or lack permission. */
export class MlflowAuthError extends MlflowHttpError {
  override name = 'MlflowAuthError';

  constructor(init: { status: number; errorCode: string | null; serverMessage: string; method: string; url: string }, hadCredentials: boolean) {
    const hint = init.status === 403
      ? '; check that these credentials may access this experiment'
      : hadCredentials
        ? '; check the token or username/password'
        : '; the server asks for credentials: set a bearer token or basic auth';
    super(init, hint);
  }
}

/** Nothing answered at the tracking URI: the server is down, the port is wrong or the proxy has no upstream. */
export class MlflowUnreachableError extends Error {
  override name = 'MlflowUnreachableError';
  /** The request that failed. */
  readonly url: string;
  /** The tracking URI the client was given. */
  readonly serverUrl: string;

  constructor(url: string, serverUrl: string, cause?: unknown) {
    super(redactText(`mlflow did not answer ${url}: is mlflow server running at ${serverUrl}?`), { cause });
    this.url = url;
    this.serverUrl = serverUrl;
  }
}

/** The server answered, but the browser withheld the answer because MLflow did not allow this page's origin. */
export class MlflowCorsError extends Error {
  override name = 'MlflowCorsError';
  readonly url: string;
  /** The tracking URI the client was given. */
  readonly serverUrl: string;
  /** The page's origin, or null where it is unknown. */
  readonly origin: string | null;

  constructor(url: string, serverUrl: string, origin: string | null, cause?: unknown) {
    const from = origin ?? "the app's origin";
    super(
      `mlflow at ${serverUrl} refused a cross-origin request from ${from} (CORS): start mlflow with ` +
        `--cors-allowed-origins ${from} (and --allowed-hosts) or use the workbench's /mlflow proxy`,
      { cause },
    );
    this.url = url;
    this.serverUrl = serverUrl;
    this.origin = origin;
  }
}

/** The server answered, but not as MLflow does: an HTML page with 200, malformed or cut-off JSON. */
export class MlflowProtocolError extends Error {
  override name = 'MlflowProtocolError';
  readonly url: string;
  constructor(url: string, what: string) {
    super(redactText(`${url} answered ${what}, not MLflow JSON; this is not an MLflow server (or a proxy answered for it): check the tracking URI`));
    this.url = url;
  }
}

/** A key or value breaks one of MLflow's limits; raised before anything is sent, so nothing is half-logged. */
export class MlflowLimitError extends Error {
  override name = 'MlflowLimitError';
}

/**
 * Answers whether a server is up at `url` when no CORS permission is asked for (a `no-cors` fetch resolves
 * with an opaque response for any answer and throws only when nothing answers).
 */
export type ReachabilityProbe = (url: string) => Promise<boolean>;

/** The browser's probe: a `no-cors` GET, which resolves (opaquely) whenever any server answers. */
export function noCorsProbe(fetchImpl: typeof fetch): ReachabilityProbe {
  return async (url) => {
    try {
      await fetchImpl(url, { mode: 'no-cors', cache: 'no-store' });
      return true;
    } catch {
      return false;
    }
  };
}

/** The probe for node and other places without CORS: every network failure means nothing answered. */
export const noCorsInThisRuntime: ReachabilityProbe = () => Promise.resolve(false);

/** The page's origin where there is one (a page or worker), else null; read without DOM types. */
export function currentOrigin(): string | null {
  const location = (globalThis as { location?: { origin?: unknown } }).location;
  return typeof location?.origin === 'string' && location.origin !== 'null' ? location.origin : null;
}

/** Whether a request from `origin` to `serverUrl` is cross-origin (a relative URL, like the `/mlflow` proxy, never is). */
export function isCrossOrigin(serverUrl: string, origin: string | null): boolean {
  if (origin === null || !/^[a-z][a-z0-9+.-]*:\/\//i.test(serverUrl)) return false;
  return new URL(serverUrl).origin !== origin;
}

/**
 * Turn a thrown `fetch` failure ("Failed to fetch" for both causes) into a CORS refusal or an unreachable server:
 * only a cross-origin request can be refused by CORS, and only if `probe` finds the server up at `<serverUrl>/health`.
 */
export async function classifyFetchFailure(
  failure: unknown,
  target: { url: string; serverUrl: string; probe: ReachabilityProbe; origin: string | null },
): Promise<MlflowCorsError | MlflowUnreachableError> {
  const serverAnswers = isCrossOrigin(target.serverUrl, target.origin)
    && (await target.probe(`${target.serverUrl}/health`).catch(() => false));
  return serverAnswers
    ? new MlflowCorsError(target.url, target.serverUrl, target.origin, failure)
    : new MlflowUnreachableError(target.url, target.serverUrl, failure);
}

/** Whether another attempt may succeed: 5xx, 429 and an unreachable server are retried; other 4xx and CORS are not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof MlflowUnreachableError || error instanceof NetworkTimeoutError) return true;
  if (error instanceof MlflowHttpError) return error.status >= 500 || error.status === 429;
  return false;
}

/**
 * Whether a failed write may still have been applied by the server (it answered 5xx, timed out, or answered
 * garbage): a `runs/create` that failed so must be searched for before it is sent again.
 */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof NetworkTimeoutError || error instanceof MlflowProtocolError) return true;
  return error instanceof MlflowHttpError && error.status >= 500;
}

/** Whether `error` is an abort the caller asked for, which is never retried or reclassified. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
