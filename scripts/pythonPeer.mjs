// The Python peer the bench and golden scripts compare against: a pinned scikit-learn in a project-local virtualenv
// (`.venv-bench`), used by `npm run bench` and `scripts/golden-*.py` only, never by the app or its tests at run time.
// Usage: node scripts/pythonPeer.mjs install | python <script.py> [args…]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The packages of the peer, pinned; bump them here only (pandas < 3 keeps the dtype rules the user's pipeline had). */
export const PEER_PACKAGES = ['scikit-learn==1.9.1', 'numpy==2.4.6', 'pandas==2.3.3', 'pyarrow==26.0.1'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venvDir = path.join(root, '.venv-bench');
const stamp = path.join(venvDir, '.peer-packages');
const lockDir = `${venvDir}.lock`;
const blockFor = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The python binary of `.venv-bench`, installing the pinned peer first if it is missing or other versions. */
export function ensurePeer() {
  const python = path.join(venvDir, 'bin', 'python');
  const wanted = PEER_PACKAGES.join('\n');
  const ready = () => fs.existsSync(python) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted;
  if (ready()) return python;
  try {
    fs.mkdirSync(lockDir);
  } catch {
    const deadline = Date.now() + 15 * 60_000;
    while (fs.existsSync(lockDir) && Date.now() < deadline) blockFor(1000);
    if (ready()) return python;
    throw new Error(`another process was installing the python peer into ${venvDir} and did not finish; remove ${lockDir} and run node scripts/pythonPeer.mjs install`);
  }
  try {
    if (!fs.existsSync(python)) execFileSync('python3', ['-m', 'venv', venvDir], { stdio: 'inherit' });
    execFileSync(path.join(venvDir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...PEER_PACKAGES], { stdio: 'inherit' });
    fs.writeFileSync(stamp, wanted);
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
  return python;
}

/** Run a python script of the peer with OpenBLAS left to pick its own kernel (see the machine notes); returns stdout. */
export function runPeer(script, args = [], { env = {} } = {}) {
  const python = ensurePeer();
  const cleanEnv = { ...process.env, ...env };
  delete cleanEnv.OPENBLAS_CORETYPE;
  delete cleanEnv.OPENBLAS_L2_SIZE;
  const r = spawnSync(python, [script, ...args], { cwd: root, env: cleanEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python peer ${path.basename(script)} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'install') console.log(ensurePeer());
  else if (cmd === 'python' && rest[0]) process.stdout.write(runPeer(rest[0], rest.slice(1)));
  else {
    console.error('usage: node scripts/pythonPeer.mjs install | python <script.py> [args…]');
    process.exit(2);
  }
}
