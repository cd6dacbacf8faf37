// Static file serving with correct HTTP range semantics (including suffix ranges `bytes=-N`,
// which sirv answers as `bytes=0-N` and so breaks parquet footer reads), plus the /mlflow proxy.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.parquet': 'application/vnd.apache.parquet', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv',
};

/** Parses one `Range: bytes=...` header against a file size; null when absent, 'invalid' when unsatisfiable. */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return 'invalid';
  const [, a, b] = m;
  let start, end;
  if (a === '' && b === '') return 'invalid';
  if (a === '') { // suffix: the last N bytes
    const n = Number(b);
    if (n === 0) return 'invalid';
    start = Math.max(0, size - n); end = size - 1;
  } else {
    start = Number(a); end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

/** Serves one file with Range support; returns false when the file does not exist. */
export function sendFile(req, res, file, extraHeaders = {}) {
  let stat;
  try { stat = fs.statSync(file); } catch { return false; }
  if (!stat.isFile()) return false;
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const base = { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache', ...extraHeaders };
  const range = parseRange(req.headers.range, stat.size);
  if (range === 'invalid') {
    res.writeHead(416, { ...base, 'Content-Range': `bytes */${stat.size}` });
    res.end();
    return true;
  }
  if (range) {
    res.writeHead(206, { ...base, 'Content-Range': `bytes ${range.start}-${range.end}/${stat.size}`, 'Content-Length': range.end - range.start + 1 });
    if (req.method === 'HEAD') { res.end(); return true; }
    fs.createReadStream(file, { start: range.start, end: range.end }).pipe(res);
    return true;
  }
  res.writeHead(200, { ...base, 'Content-Length': stat.size });
  if (req.method === 'HEAD') { res.end(); return true; }
  fs.createReadStream(file).pipe(res);
  return true;
}

/** Forwards /mlflow/<path> to the tracking server, so the page talks to MLflow same-origin. */
export function proxyMlflow(req, res, target = process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000') {
  const url = new URL(req.url.replace(/^\/mlflow/, '') || '/', target);
  const headers = { ...req.headers, host: url.host };
  delete headers.origin; delete headers.referer;
  const upstream = http.request(url, { method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'PROXY_UNREACHABLE', message: `mlflow server at ${target} is unreachable (${err.code ?? err.message}); start it with "mlflow server --host 127.0.0.1 --port 5000"` }));
  });
  req.pipe(upstream);
}

/**
 * Cross-origin isolation: with these two headers on the page, the browser grants SharedArrayBuffer, so the search
 * pool shares one matrix between workers and tfjs's wasm backend runs its threaded SIMD build. The embedder policy is
 * `credentialless`, not `require-corp`: the MLflow client tells a CORS refusal from a server that is down with a
 * `no-cors` probe of the server's /health, and `require-corp` fails that probe (MLflow sends no
 * Cross-Origin-Resource-Policy), so every refusal read "unreachable". `credentialless` sends cross-origin no-cors
 * requests without cookies instead. Another host must send the same two headers (README).
 */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' };

/** Connect-style middleware: isolation headers on every response, ranges for /data/*, and the /mlflow proxy. */
export function workbenchMiddleware(publicRoot) {
  return (req, res, next) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (pathname.startsWith('/mlflow/') || pathname === '/mlflow') return proxyMlflow(req, res);
    if (pathname.startsWith('/data/')) {
      const file = path.join(publicRoot, path.normalize(pathname).replace(/^([/\\])+/, ''));
      if (file.startsWith(publicRoot) && sendFile(req, res, file)) return;
    }
    next();
  };
}

/** A static server for the built app (dist/): SPA fallback to index.html. */
export function createWorkbenchServer(root) {
  const abs = path.resolve(root);
  const mw = workbenchMiddleware(abs);
  return http.createServer((req, res) => {
    mw(req, res, () => {
      const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const file = path.join(abs, path.normalize(pathname).replace(/^([/\\])+/, ''));
      if (file.startsWith(abs) && sendFile(req, res, pathname.endsWith('/') ? path.join(file, 'index.html') : file)) return;
      // SPA fallback only for page routes, never for files (a missing asset or data file is a 404)
      if (path.extname(pathname) || !sendFile(req, res, path.join(abs, 'index.html'))) { res.writeHead(404); res.end('not found'); }
    });
  });
}
