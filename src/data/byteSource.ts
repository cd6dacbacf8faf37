/**
 * Random access to a file's bytes, from a URL (HTTP range requests) or a local Blob/File, with the errors a
 * user can act on. Pure: `fetch` is injected so node, workers and tests share the code.
 */

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

function statusAdvice(url: string, res: Response): string {
  const what = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (res.status === 404) return `${url} answered ${what}; check the address (a presigned link may have expired)`;
  if (res.status === 401 || res.status === 403) {
    return `${url} answered ${what}; the link needs credentials or its signature expired: presign it again`;
  }
  return `${url} answered ${what}; check the address or try again later`;
}

function networkAdvice(url: string, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  return (
    `could not fetch ${url} (${detail}): the server is unreachable or refused this page's origin (CORS); ` +
    'it must send Access-Control-Allow-Origin and expose Content-Range and Content-Length (Access-Control-Expose-Headers)'
  );
}

/** A byte source over HTTP range requests; works with any server that honours `Range`, S3/MinIO presigned links included. */
export function urlByteSource(url: string, name: string, fetchFn: FetchLike = fetch): ByteSource {
  let requests = 0;
  const get = async (range: string, signal?: AbortSignal): Promise<Response> => {
    requests++;
    let res: Response;
    try {
      res = await fetchFn(url, { headers: { Range: range }, ...(signal ? { signal } : {}), cache: 'no-store' });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new LoadError(networkAdvice(url, err));
    }
    if (!res.ok) throw new LoadError(statusAdvice(url, res));
    return res;
  };
  const exposeAdvice =
    `${url} answered a range request but did not expose Content-Range to this page; ` +
    'add "Access-Control-Expose-Headers: Content-Range, Content-Length" to the server\'s CORS configuration';
  return {
    name,
    get requests() {
      return requests;
    },
    async readTail(n, signal) {
      const res = await get(`bytes=-${n}`, signal);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (res.status === 200) return { bytes, size: bytes.length, whole: true };
      const cr = res.headers.get('content-range');
      if (!cr) throw new LoadError(exposeAdvice);
      const m = /\/(\d+)\s*$/.exec(cr);
      if (!m) throw new LoadError(`${url} sent an unreadable Content-Range "${cr}"`);
      const size = Number(m[1]);
      return { bytes, size, whole: bytes.length >= size };
    },
    async read(start, end, signal) {
      const res = await get(`bytes=${start}-${end - 1}`, signal);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (res.status === 200) return bytes.subarray(start, end);
      if (bytes.length !== end - start) {
        throw new LoadError(`${url} answered bytes ${start}-${end - 1} with ${bytes.length} bytes; the file may have changed while loading`);
      }
      return bytes;
    },
  };
}
