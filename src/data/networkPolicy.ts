/**
 * How long the workbench waits for a server and how it retries: one policy for data fetches and MLflow calls.
 * Each attempt has a timeout (headers and body together); 429, 5xx, network failures and timeouts are retried
 * with exponential backoff, waiting at least what the server asked for in `Retry-After`. Pure: the clock and
 * `sleep` are injected so tests pin them.
 */

/** Timeout and retry settings; `DEFAULT_NETWORK_POLICY` unless the user or `--timeout` says otherwise. */
export interface NetworkPolicy {
  /** one attempt (request and whole answer) may take this long */
  readonly timeoutMs: number;
  /** total attempts, the first included */
  readonly attempts: number;
  /** first backoff delay, doubled each retry */
  readonly baseDelayMs: number;
  /** no single wait is longer, `Retry-After` included; a server asking for more fails the call instead */
  readonly maxDelayMs: number;
}

/** 30 s per attempt, 4 attempts, backoff 0.5 s, 1 s, 2 s; a Retry-After up to 60 s is honoured. */
export const DEFAULT_NETWORK_POLICY: NetworkPolicy = { timeoutMs: 30_000, attempts: 4, baseDelayMs: 500, maxDelayMs: 60_000 };

/** An attempt got no complete answer within the policy's timeout. */
export class NetworkTimeoutError extends Error {
  override name = 'NetworkTimeoutError';
}

/** An error that may carry the server's `Retry-After`, in milliseconds. */
export interface RetryHint {
  readonly retryAfterMs?: number | null;
}

/** `Retry-After` (delta seconds or an HTTP date) in milliseconds from `now`, or null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before retry number `retry` (1 for the first retry): the backoff, or the server's `Retry-After` when longer. */
export function retryDelayMs(policy: NetworkPolicy, retry: number, retryAfterMs: number | null): number {
  const backoff = policy.baseDelayMs * 2 ** (retry - 1);
  return Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** The reason an aborted signal carries, as an error to throw. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'cancelled');
  error.name = 'AbortError';
  return error;
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(abortReason(signal)); return; }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `work` with a signal that aborts when the caller's `signal` does or after `timeoutMs`; a timeout rejects
 * with `NetworkTimeoutError(timeoutMessage)` even if `work` ignores its signal.
 */
export async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined; timeoutMessage: string },
): Promise<T> {
  const controller = new AbortController();
  const outer = opts.signal;
  if (outer?.aborted) throw abortReason(outer);
  const onAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new NetworkTimeoutError(opts.timeoutMessage);
      controller.abort(error);
      reject(error);
    }, opts.timeoutMs);
  });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(abortReason(controller.signal)), { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), timedOut, aborted]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}

/** Options of `withRetry`. */
export interface RetryOptions {
  readonly policy: NetworkPolicy;
  /** whether another attempt may succeed after `error` */
  readonly retryable: (error: unknown) => boolean;
  readonly signal?: AbortSignal | undefined;
  /** default: `abortableSleep` */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** told before each wait, e.g. to show "retrying in 2 s" */
  readonly onRetry?: ((info: { retry: number; delayMs: number; error: unknown }) => void) | undefined;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or the policy's attempts are spent. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? abortableSleep;
  const attempts = Math.max(1, opts.policy.attempts);
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (n >= attempts || !opts.retryable(error)) throw error;
      const hint = (error as RetryHint | null)?.retryAfterMs ?? null;
      if (hint !== null && hint > opts.policy.maxDelayMs) throw error;
      const delayMs = retryDelayMs(opts.policy, n, hint);
      opts.onRetry?.({ retry: n, delayMs, error });
      await sleep(delayMs, opts.signal);
    }
  }
}

/** A policy from a user-given timeout in seconds (the pipeline's `--timeout`, a settings field); throws on a bad value. */
export function policyWithTimeout(seconds: number, base: NetworkPolicy = DEFAULT_NETWORK_POLICY): NetworkPolicy {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new RangeError(`timeout ${seconds} s is not between 0 and 3600 seconds; pass e.g. 30`);
  }
  return { ...base, timeoutMs: Math.round(seconds * 1000) };
}
