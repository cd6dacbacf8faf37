// Test-only: an HTTP proxy in front of a real MLflow server that injects the faults an MLflow deployment can have,
// per endpoint: a stall, a 5xx after MLflow already committed the request, malformed JSON, 429 with Retry-After,
// an HTML page with 200.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to a request whose path ends with `endpoint` (e.g. "runs/create"). */
export type MlflowFault =
  /** forward it, then answer 500 instead of MLflow's answer (the write happened) */
  | 'commit-then-500'
  /** never answer */
  | 'stall'
  /** forward it, then answer 200 with cut-off JSON */
  | 'malformed'
  /** answer 429 with `Retry-After: 1` (not forwarded) */
  | '429'
  /** answer 200 with an HTML page (not forwarded) */
  | 'html';

/** A fault for the next `times` requests to `endpoint` ('*' for every endpoint). */
export interface FaultRule {
  readonly endpoint: string;
  readonly fault: MlflowFault;
  times: number;
}

/** The running proxy: its URL, the faults still armed, and every request seen (path and status sent). */
export interface MlflowFaultProxy {
  readonly url: string;
  readonly rules: FaultRule[];
  readonly log: Array<{ path: string; status: number; fault: MlflowFault | null; at: number }>;
  close(): Promise<void>;
}

async function forward(upstream: string, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  const res = await fetch(`${upstream}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
  });
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v; });
  return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
}

/** Starts a proxy to `upstream` (the real MLflow server) on a free port of 127.0.0.1; `cors`: a page on another origin may call it. */
export async function startMlflowFaultProxy(upstream: string, rules: FaultRule[] = [], options: { readonly cors?: boolean } = {}): Promise<MlflowFaultProxy> {
  const log: MlflowFaultProxy['log'] = [];
  const server = http.createServer((req, res) => {
    if (options.cors === true) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE, OPTIONS', 'Access-Control-Allow-Headers': '*', 'Access-Control-Max-Age': '600' }).end();
        return;
      }
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const rule = rules.find((r) => r.times > 0 && (r.endpoint === '*' || path.endsWith(r.endpoint)));
        if (rule) rule.times -= 1;
        const fault = rule?.fault ?? null;
        const note = (status: number): void => { log.push({ path, status, fault, at: Date.now() }); };
        if (fault === 'stall') { note(0); return; }
        if (fault === '429') { note(429); res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end('{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}'); return; }
        if (fault === 'html') { note(200); res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><body>Sign in to continue</body></html>'); return; }
        try {
          const answer = await forward(upstream, req, Buffer.concat(chunks));
          if (fault === 'commit-then-500') { note(500); res.writeHead(500, { 'Content-Type': 'text/plain' }).end('upstream connect error'); return; }
          if (fault === 'malformed') { note(200); res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer.body.subarray(0, Math.max(1, answer.body.length >> 1))); return; }
          note(answer.status);
          res.writeHead(answer.status, answer.headers).end(answer.body);
        } catch (error) {
          note(502);
          res.writeHead(502).end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rules,
    log,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
