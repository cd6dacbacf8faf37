// `npm run pipeline -- …`: runs the node pipeline from a prebuilt bundle (esbuild), so a run does not pay for
// transpiling TypeScript (tsx) in the main thread and again in each worker thread, nor for node's CommonJS export
// scan of tfjs. The bundle lives in .cache/pipeline/ and is rebuilt when any file it was built from (sources,
// package-lock.json) changed since: esbuild's metafile lists them. Arguments go to src/pipeline/cli.ts unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultOutdir = path.join(root, '.cache', 'pipeline');

/** Files the bundle in `outdir` was built from that changed (or vanished) since; '(no bundle yet)' when there is none. */
export function staleInputs(outdir = defaultOutdir) {
  const metaFile = path.join(outdir, 'meta.json');
  const cli = path.join(outdir, 'cli.mjs');
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch {
    return ['(no bundle yet)'];
  }
  if (!fs.existsSync(cli)) return ['(no bundle yet)'];
  const changed = [];
  for (const [file, built] of Object.entries(meta.inputs)) {
    let mtime;
    try { mtime = fs.statSync(path.join(root, file)).mtimeMs; } catch { mtime = -1; }
    if (Math.abs(mtime - built) >= 1) changed.push(file); // ms: a restored mtime may lose its sub-millisecond part
  }
  return changed;
}

/** Bundles the CLI and the training thread (shared chunks) into `outdir`, tfjs included; parquet-wasm stays in node_modules (it reads its .wasm beside itself). Returns the CLI's path. */
export async function buildPipelineBundle(outdir = defaultOutdir) {
  const { build } = await import('esbuild');
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cli: 'src/pipeline/cli.ts', trainThread: 'src/pipeline/trainThread.ts', mlpTeamThread: 'src/pipeline/mlpTeamThread.ts', treeUnitThread: 'src/pipeline/treeUnitThread.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['parquet-wasm', 'esbuild', 'tsx', 'tsx/*'],
    // tfjs-backend-wasm's Emscripten loader calls require('fs') under node
    banner: { js: "import { createRequire as __workbenchRequire } from 'node:module'; const require = __workbenchRequire(import.meta.url);" },
    metafile: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), 'package-lock.json', path.relative(root, fileURLToPath(import.meta.url))]) {
    if (file.includes(':')) continue; // esbuild's virtual modules
    inputs[file] = fs.statSync(path.join(root, file)).mtimeMs;
  }
  fs.writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify({ inputs }));
  return path.join(outdir, 'cli.mjs');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // the wasm kernels the bundle embeds; a rebuilt kernel file makes the bundle stale below
  const { buildKernels } = await import('./build-kernels.mjs');
  await buildKernels();
  const stale = staleInputs();
  if (stale.length > 0) {
    const t0 = performance.now();
    await buildPipelineBundle();
    process.stderr.write(`built the pipeline bundle in ${Math.round(performance.now() - t0)} ms (${stale.length} changed: ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''})\n`);
  }
  await import(pathToFileURL(path.join(defaultOutdir, 'cli.mjs')).href);
}
