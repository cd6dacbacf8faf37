// Test-only: a real HTTP server (CORS open) that serves one parquet file with ranges, and the faults a data server can have:
// a stall, a body that stops half-way, 429 with Retry-After, 503, a short Content-Length and an absurd Content-Range.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does at a path. */
export type DataFault =
  | 'ok'
  /** accept the request and never answer */
  | 'stall'
  /** send headers and half the body, then nothing */
  | 'stall-body'
  /** the first request gets 429 with `Retry-After: 1`, the rest are served */
  | '429-once'
  /** every request gets 503 */
  | '503'
  /** announce the full length, send half, close */
  | 'short'
  /** claim the file is 100 GB */
  | 'huge-range'
  /** an HTML page with 200 */
  | 'html';

/** The running server: its origin and a log of (path, range, status). */
export interface DataFaultServer {
  readonly origin: string;
  readonly requests: Array<{ path: string; range: string | null; status: number; at: number }>;
  url(fault: DataFault, file?: string): string;
  close(): Promise<void>;
}

/** Serves `files` (name → bytes) at `/<fault>/<name>`, each path with its fault. */
export async function startDataFaultServer(files: Record<string, Uint8Array>): Promise<DataFaultServer> {
  const requests: DataFaultServer['requests'] = [];
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    const [, fault = '', name = ''] = new URL(req.url ?? '/', 'http://x').pathname.split('/');
    const body = files[decodeURIComponent(name)];
    const range = req.headers.range ?? null;
    const log = (status: number): void => { requests.push({ path: `/${fault}/${name}`, range, status, at: Date.now() }); };
    // a page on another origin may read it (the e2e specs), as a CORS-enabled bucket allows
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, Retry-After');
    if (req.method === 'OPTIONS') {
      log(204);
      res.writeHead(204, { 'Access-Control-Allow-Headers': 'Range', 'Access-Control-Allow-Methods': 'GET, HEAD' }).end();
      return;
    }
    if (body === undefined) { log(404); res.writeHead(404).end('not found'); return; }
    if (fault === 'stall') { log(0); return; }
    if (fault === 'html') {
      log(200);
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><body>Welcome to nginx!</body></html>');
      return;
    }
    if (fault === '503') { log(503); res.writeHead(503, { 'Content-Type': 'text/plain' }).end('upstream down'); return; }
    if (fault === '429-once' && !seen.has(req.url ?? '')) {
      seen.add(req.url ?? '');
      log(429);
      res.writeHead(429, { 'Retry-After': '1' }).end('slow down');
      return;
    }
    const size = body.length;
    const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
    let start = 0;
    let end = size - 1;
    if (m) {
      if (m[1] === '') start = Math.max(0, size - Number(m[2]));
      else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
    }
    const chunk = body.subarray(start, end + 1);
    const claimed = fault === 'huge-range' ? 100_000_000_000 : size;
    const headers: Record<string, string | number> = { 'Content-Length': chunk.length, 'Accept-Ranges': 'bytes' };
    if (m) headers['Content-Range'] = fault === 'huge-range' ? `bytes ${claimed - chunk.length}-${claimed - 1}/${claimed}` : `bytes ${start}-${end}/${size}`;
    const status = m ? 206 : 200;
    log(status);
    res.writeHead(status, headers);
    if (fault === 'stall-body' || fault === 'short') {
      res.write(chunk.subarray(0, chunk.length >> 1));
      if (fault === 'short') res.destroy();
      return;
    }
    res.end(chunk);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    requests,
    url: (fault, file = Object.keys(files)[0] ?? 'data.parquet') => `${origin}/${fault}/${encodeURIComponent(file)}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
