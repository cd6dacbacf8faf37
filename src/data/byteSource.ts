/**
 * Random access to a file's bytes, from a URL (HTTP range requests) or a local Blob/File, with the errors a
 * user can act on. Pure: `fetch` is injected so node, workers and tests share the code.
 */

import {
  DEFAULT_NETWORK_POLICY, NetworkTimeoutError, abortReason, parseRetryAfter, withRetry, withTimeout, type NetworkPolicy,
} from './networkPolicy.ts';
import { redactText, redactUrl } from './urlSecrets.ts';

/** Raised when the bytes cannot be fetched; the message says what to do. */
export class LoadError extends Error {
  override name = 'LoadError';
}

/** Random access to a file's bytes. */
export interface ByteSource {
  readonly name: string;
  /** the last `n` bytes and the file size; may return the whole file when ranges are not supported */
  readTail(n: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; size: number; whole: boolean }>;
  /** bytes [start, end) */
  read(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** number of HTTP requests made so far (0 for local files) */
  readonly requests: number;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A byte source over a Blob or File picked or dropped by the user. */
export function blobByteSource(blob: Blob, name: string): ByteSource {
  return {
    name,
    requests: 0,
    async readTail(n) {
      const size = blob.size;
      const start = Math.max(0, size - n);
      const bytes = new Uint8Array(await blob.slice(start, size).arrayBuffer());
      return { bytes, size, whole: start === 0 };
    },
    async read(start, end) {
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
  };
}

/** Nothing usable came back (unreachable, refused, cut off); another attempt may work. */
export class NetworkLoadError extends LoadError {
  override name = 'NetworkLoadError';
}

/** The server answered with an HTTP error; `status` tells bad input (4xx) from a failing server (5xx). */
export class HttpStatusError extends LoadError {
  override name = 'HttpStatusError';
  constructor(message: string, readonly status: number, readonly retryAfterMs: number | null) {
    super(message);
  }
}

/** Options of `urlByteSource`. */
export interface UrlSourceOptions {
  /** timeout and retries; default `DEFAULT_NETWORK_POLICY` */
  readonly policy?: NetworkPolicy;
  /** whether CORS applies (pages and workers); default: where `location` exists, so never in node */
  readonly cors?: boolean;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function statusMessage(safeUrl: string, res: Response): string {
  const what = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (res.status === 404) return `${safeUrl} answered ${what}; check the address (a presigned link may have expired)`;
  if (res.status === 401 || res.status === 403) {
    return `${safeUrl} answered ${what}; the link needs credentials or its signature expired: presign it again`;
  }
  if (res.status === 429) return `${safeUrl} answered ${what} (too many requests) after every retry; try again later`;
  return `${safeUrl} answered ${what}; check the address or try again later`;
}

function networkMessage(safeUrl: string, err: unknown, cors: boolean): string {
  // node's fetch says only "fetch failed"; the cause says why (refused, reset, other side closed)
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const detail = redactText(err instanceof Error ? `${err.message}${cause}` : String(err));
  if (!cors) return `could not fetch ${safeUrl} (${detail}); check the address and that the server is up`;
  return (
    `could not fetch ${safeUrl} (${detail}): the server is unreachable or refused this page's origin (CORS); ` +
    'it must send Access-Control-Allow-Origin and expose Content-Range and Content-Length (Access-Control-Expose-Headers)'
  );
}

/** Whether another attempt may get the bytes: timeouts, network failures, 429 and 5xx. */
export function isRetryableLoadError(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status === 429 || error.status >= 500;
  return error instanceof NetworkTimeoutError || error instanceof NetworkLoadError;
}

/**
 * A byte source over HTTP range requests; works with any server that honours `Range`, S3/MinIO presigned links
 * included. Every request has the policy's timeout and is retried on 429/5xx/timeouts; messages never show the
 * URL's secrets.
 */
export function urlByteSource(url: string, name: string, fetchFn: FetchLike = fetch, options: UrlSourceOptions = {}): ByteSource {
  const policy = options.policy ?? DEFAULT_NETWORK_POLICY;
  const cors = options.cors ?? (globalThis as { location?: unknown }).location !== undefined;
  const safeUrl = redactUrl(url);
  let requests = 0;
  /** One range request, body included, under the timeout and retries. */
  const getBytes = (range: string, signal?: AbortSignal): Promise<{ res: Response; bytes: Uint8Array }> =>
    withRetry(() => withTimeout(async (inner) => {
      requests++;
      let res: Response;
      try {
        res = await fetchFn(url, { headers: { Range: range }, signal: inner, cache: 'no-store' });
      } catch (err) {
        if (inner.aborted) throw abortReason(inner);
        throw new NetworkLoadError(networkMessage(safeUrl, err, cors));
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw new HttpStatusError(statusMessage(safeUrl, res), res.status, parseRetryAfter(res.headers.get('retry-after')));
      }
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        if (inner.aborted) throw abortReason(inner);
        throw new NetworkLoadError(`could not fetch ${safeUrl}: the transfer broke off (${redactText((err as Error).message)}); try again`);
      }
      const announced = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(announced) && bytes.length < announced) {
        throw new NetworkLoadError(`could not fetch ${safeUrl}: the answer was cut at ${bytes.length} of ${announced} bytes; try again`);
      }
      return { res, bytes };
    }, {
      timeoutMs: policy.timeoutMs,
      signal,
      timeoutMessage: `${safeUrl} sent no complete answer within ${policy.timeoutMs / 1000} s; try again later or raise the timeout`,
    }), { policy, retryable: isRetryableLoadError, signal, sleep: options.sleep });
  const exposeAdvice = cors
    ? `${safeUrl} answered a range request but did not expose Content-Range to this page; ` +
      'add "Access-Control-Expose-Headers: Content-Range, Content-Length" to the server\'s CORS configuration'
    : `${safeUrl} answered a range request without a Content-Range header; the server does not support ranges properly`;
  return {
    name,
    get requests() {
      return requests;
    },
    async readTail(n, signal) {
      const { res, bytes } = await getBytes(`bytes=-${n}`, signal);
      if (res.status === 200) return { bytes, size: bytes.length, whole: true };
      const cr = res.headers.get('content-range');
      if (!cr) throw new LoadError(exposeAdvice);
      const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(cr);
      const size = m ? Number(m[3]) : NaN;
      if (!m || !Number.isSafeInteger(size)) throw new LoadError(`${safeUrl} sent an unreadable Content-Range "${cr.slice(0, 80)}"`);
      const first = Number(m[1]);
      const last = Number(m[2]);
      if (last >= size || first > last || last - first + 1 !== bytes.length || bytes.length > n) {
        throw new LoadError(`${safeUrl} sent Content-Range "${cr.slice(0, 80)}" with ${bytes.length} bytes; the two disagree, so the server or a proxy is broken`);
      }
      return { bytes, size, whole: bytes.length >= size };
    },
    async read(start, end, signal) {
      const { res, bytes } = await getBytes(`bytes=${start}-${end - 1}`, signal);
      if (res.status === 200) {
        if (bytes.length < end) throw new LoadError(`${safeUrl} sent ${bytes.length} bytes where the file should have ${end}; the file changed or the transfer was cut: try again`);
        return bytes.subarray(start, end);
      }
      if (bytes.length !== end - start) {
        throw new LoadError(`${safeUrl} answered bytes ${start}-${end - 1} with ${bytes.length} bytes; the file may have changed while loading`);
      }
      return bytes;
    },
  };
}
