// A pinned MLflow in a project-local virtualenv, and a throwaway tracking server for tests and dev.
// Usage: node scripts/mlflow.mjs install | start [--port 5000] [--cors-allowed-origins a,b] [--allowed-hosts a,b]
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The MLflow version the workbench is tested against; bump it here only. */
export const MLFLOW_VERSION = '3.17.2';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venvDir = path.join(root, '.venv-mlflow');
const mlflowBin = path.join(venvDir, 'bin', 'mlflow');
const stateDir = path.join(root, '.mlflow-test');

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root });

/** The MLflow version installed in `.venv-mlflow` (from its dist-info folder), or null. */
export function installedMlflowVersion() {
  const lib = path.join(venvDir, 'lib');
  if (!fs.existsSync(mlflowBin) || !fs.existsSync(lib)) return null;
  for (const python of fs.readdirSync(lib)) {
    const sitePackages = path.join(lib, python, 'site-packages');
    if (!fs.existsSync(sitePackages)) continue;
    const info = fs.readdirSync(sitePackages).find((name) => /^mlflow-[^-]+\.dist-info$/.test(name));
    if (info) return info.slice('mlflow-'.length, -'.dist-info'.length);
  }
  return null;
}

// Several test processes may call ensureMlflow at once: one installs, the others wait on a lock folder.
const lockDir = `${venvDir}.lock`;
const blockFor = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Create `.venv-mlflow` and pip-install the pinned MLflow unless that version is already there; returns the mlflow binary. */
/** A port nothing listens on right now (for test servers). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function ensureMlflow() {
  if (installedMlflowVersion() === MLFLOW_VERSION) return mlflowBin;
  try {
    fs.mkdirSync(lockDir);
  } catch {
    const deadline = Date.now() + 15 * 60_000;
    while (fs.existsSync(lockDir) && Date.now() < deadline) blockFor(1000);
    if (installedMlflowVersion() === MLFLOW_VERSION) return mlflowBin;
    throw new Error(`another process was installing mlflow into ${venvDir} and did not finish; remove ${lockDir} and run node scripts/mlflow.mjs install`);
  }
  try {
    if (!fs.existsSync(path.join(venvDir, 'bin', 'python'))) run('python3', ['-m', 'venv', venvDir]);
    run(path.join(venvDir, 'bin', 'pip'), ['install', '--disable-pip-version-check', `mlflow==${MLFLOW_VERSION}`]);
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
  const installed = installedMlflowVersion();
  if (installed !== MLFLOW_VERSION) {
    throw new Error(`pip left mlflow ${installed ?? 'missing'} in ${venvDir}, expected ${MLFLOW_VERSION}; delete .venv-mlflow and run node scripts/mlflow.mjs install`);
  }
  return mlflowBin;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function isHealthy(url) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    const res = await fetch(`${url}/health`, { signal: controller.signal });
    return res.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Start `mlflow server` on 127.0.0.1:<port> with a SQLite store and proxied artifacts under `.mlflow-test/<port>/`
 * (or `dir`; `fresh` empties it first); resolves once `/health` answers.
 */
export async function startMlflowServer({ port, corsAllowedOrigins, allowedHosts, dir, fresh = false, startTimeoutMs = 90_000 } = {}) {
  if (!Number.isInteger(port) || port <= 0) throw new Error(`port ${port} is not a port number; pass e.g. { port: 5000 }`);
  const bin = ensureMlflow();
  const url = `http://127.0.0.1:${port}`;
  if (await isHealthy(url)) throw new Error(`port ${port} already serves an mlflow server; stop it or pick another port`);

  const storeDir = path.resolve(dir ?? path.join(stateDir, String(port)));
  if (fresh) fs.rmSync(storeDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(storeDir, 'artifacts'), { recursive: true });
  const args = [
    'server',
    '--host', '127.0.0.1',
    '--port', String(port),
    '--workers', '1',
    '--backend-store-uri', `sqlite:///${path.join(storeDir, 'mlflow.db')}`,
    '--serve-artifacts',
    '--artifacts-destination', path.join(storeDir, 'artifacts'),
  ];
  if (corsAllowedOrigins) args.push('--cors-allowed-origins', corsAllowedOrigins);
  if (allowedHosts) args.push('--allowed-hosts', allowedHosts);

  const logPath = path.join(storeDir, 'server.log');
  const log = fs.openSync(logPath, 'a');
  // detached: the server gets its own process group, so stop() also ends uvicorn's workers
  const child = spawn(bin, args, {
    cwd: storeDir,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, PYTHONUNBUFFERED: '1', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' },
  });
  fs.closeSync(log);
  let exitCode = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    exitCode = code ?? signal;
    resolve();
  }));

  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  // a test process that dies without calling stop() must not leave the server behind
  const killOnExit = () => killGroup('SIGTERM');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exitCode !== null) return;
    killGroup('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
    if (timedOut) {
      killGroup('SIGKILL');
      await exited;
    }
  };

  const deadline = Date.now() + startTimeoutMs;
  while (!(await isHealthy(url))) {
    if (exitCode !== null) {
      const tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`mlflow server on port ${port} exited (${exitCode}) before answering /health; log ${logPath}:\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server on port ${port} did not answer /health within ${startTimeoutMs / 1000} s; see ${logPath}`);
    }
    await sleep(250);
  }
  const version = await fetch(`${url}/version`).then((res) => res.text()).catch(() => MLFLOW_VERSION);
  return { url, port, version: version.trim(), stop };
}

function argValue(argv, name) {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv) {
  const [command] = argv;
  if (command === 'install') {
    console.log(ensureMlflow());
    return;
  }
  if (command === 'start') {
    const port = Number(argValue(argv, '--port') ?? 5000);
    const started = performance.now();
    const server = await startMlflowServer({
      port,
      corsAllowedOrigins: argValue(argv, '--cors-allowed-origins'),
      allowedHosts: argValue(argv, '--allowed-hosts'),
    });
    console.log(`mlflow ${server.version} at ${server.url} (started in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const shutdown = () => void server.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    return;
  }
  console.error('usage: node scripts/mlflow.mjs install | start [--port 5000] [--cors-allowed-origins ORIGINS] [--allowed-hosts HOSTS]');
  process.exitCode = 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
