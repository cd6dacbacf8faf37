/** A real HTTP server for end-to-end tests: serves files with ranges, optional CORS, delays and a request log. */
import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface FixtureServerOptions {
  /** url path → file on disk */
  readonly files: Record<string, string>;
  /** send CORS headers at all */
  readonly cors?: boolean;
  /** expose Content-Range / Content-Length to the page */
  readonly exposeHeaders?: boolean;
  /** delay before answering each ranged request, ms */
  readonly delayMs?: number;
}

export interface FixtureServer {
  readonly origin: string;
  readonly requests: Array<{ path: string; range: string | null; status: number }>;
  close(): Promise<void>;
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startFixtureServer(opts: FixtureServerOptions): Promise<FixtureServer> {
  const requests: FixtureServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const cors: Record<string, string> = opts.cors
      ? {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Headers': 'Range',
          ...(opts.exposeHeaders ? { 'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges' } : {}),
        }
      : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD' });
      res.end();
      return;
    }
    const file = opts.files[path];
    const range = req.headers.range ?? null;
    if (!file || !fs.existsSync(file)) {
      requests.push({ path, range, status: 404 });
      res.writeHead(404, { ...cors, 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    const size = body.length;
    const send = () => {
      const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
      if (!m) {
        requests.push({ path, range, status: 200 });
        res.writeHead(200, { ...cors, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
        res.end(body);
        return;
      }
      let start: number;
      let end: number;
      if (m[1] === '') { start = Math.max(0, size - Number(m[2])); end = size - 1; }
      else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
      requests.push({ path, range, status: 206 });
      res.writeHead(206, { ...cors, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
      res.end(body.subarray(start, end + 1));
    };
    if (opts.delayMs && range) setTimeout(send, opts.delayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
