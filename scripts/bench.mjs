// `npm run bench`: builds the app, drives it in headless Debian Chromium and the node pipeline, and prints ONE JSON
// document of figures on stdout (logs on stderr), so runs can be compared. Absolute times on a shared 2-core machine
// are noisy: compare figures from one run.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createWorkbenchServer } from './static-server.mjs';
import { benchSpeedJob, benchSpeedLogistic, benchSpeedMlp } from './bench-speed.mjs';
import { benchScale } from './bench-scale.mjs';
import { buildKernels } from './build-kernels.mjs';

const log = (...a) => console.error('[bench]', ...a);
// the wasm kernels (kernels/): the node parts import them, the build embeds them
await buildKernels();
const args = new Set(process.argv.slice(2).filter((a) => a !== '--no-build').map((a) => a.replace(/^--/, '')));
/** A part runs when no part is named, when it is named, or when a prefix of it is (`speed` runs speed.job, speed.logistic, …). */
const only = (name) => args.size === 0 || [...args].some((a) => name === a || name.startsWith(`${a}.`));
/** Parts that drive the built app in Chromium; the build and the browser start only when one of them runs. */
const BROWSER_PARTS = ['load', 'train', 'report', 'slider', 'speed.logistic', 'speed.mlp', 'scale.x10', 'trees.browser', 'trees.browser_shap'];
const out = {};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const round = (v, d = 1) => (Number.isFinite(v) ? Number(v.toFixed(d)) : v);

const needsBrowser = BROWSER_PARTS.some(only);
if (needsBrowser && !process.argv.includes('--no-build')) {
  log('building');
  const b = spawnSync('npx', ['vite', 'build', '--outDir', process.env.DIST_DIR ?? 'dist', '--emptyOutDir', '--logLevel', 'warn'], { stdio: ['ignore', 2, 2] });
  if (b.status !== 0) process.exit(1);
}
const server = needsBrowser ? createWorkbenchServer(process.env.DIST_DIR ?? 'dist') : null;
if (server) await new Promise((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = server ? `http://127.0.0.1:${server.address().port}/` : '';
const executablePath = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => fs.existsSync(p));
const browser = needsBrowser ? await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
}) : null;

/**
 * Samples, every 50 ms, the CDP heap of the page and of every worker plus each worker's WebAssembly.Memory and the
 * shared memory the data worker made (heap figures leave SharedArrayBuffers out; the page and the training workers
 * read those same bytes, so they are counted once, where they were made). The page and the workers are read at the
 * same time, not one after another (a busy worker answers late, and the others' figures would be from another moment).
 * A reading a busy worker does not answer within a second counts its last answer, not 0: its memory did not go away
 * (a WebAssembly.Memory never shrinks). The peak sample names the parts that were such last answers (`stale`) and the
 * phase it fell in (`setPhase`).
 */
async function memorySampler(page) {
  const cdp = await page.context().newCDPSession(page);
  const workers = new Map();
  let nextId = 1;
  const pending = new Map();
  // a worker's name (`train-classifier`, `train-regressor`, `data`) tells two workers of one script apart
  cdp.on('Target.attachedToTarget', (e) => { if (e.targetInfo.type === 'worker') workers.set(e.sessionId, e.targetInfo.title || e.targetInfo.url); });
  cdp.on('Target.detachedFromTarget', (e) => { workers.delete(e.sessionId); for (const k of [...last.keys()]) if (k.startsWith(`${e.sessionId}:`)) last.delete(k); });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    const p = pending.get(msg.id);
    if (p) { pending.delete(msg.id); p(msg.result); }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const toWorker = (sessionId, method, params = {}) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => { pending.delete(id); resolve(null); });
    setTimeout(() => { if (pending.delete(id)) resolve(null); }, 1000);
  });
  let peak = 0;
  let running = true;
  let breakdown = {};
  let peakStale = [];
  let phase = '';
  let peakPhase = '';
  /** the last answer of each reading (`session:kind`), for a reading not answered in time */
  const last = new Map();
  const timeline = process.env.BENCH_MEM_TIMELINE ? [] : null;
  // V8 heap + embedder heap + ArrayBuffer backing stores (where the columns live)
  const bytes = (h) => h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0);
  const evaluate = (sessionId, fn) => toWorker(sessionId, 'Runtime.evaluate', { expression: `typeof ${fn} === "function" ? ${fn}() : 0`, returnByValue: true })
    .then((r) => (r?.result?.value === undefined ? null : r.result.value));
  const sample = async () => {
    const reads = [['page', 'page', cdp.send('Runtime.getHeapUsage').then(bytes, () => null)]];
    for (const [sessionId, title] of workers) {
      const name = title.split('/').pop().split(/-[\w]{8}\.js$/)[0];
      reads.push(
        [`${sessionId}:heap`, `${name}.heap`, toWorker(sessionId, 'Runtime.getHeapUsage').then((h) => (h ? bytes(h) : null))],
        [`${sessionId}:wasm`, `${name}.wasm`, evaluate(sessionId, '__wasmMemoryBytes')],
        [`${sessionId}:shared`, `${name}.shared`, evaluate(sessionId, '__sharedMemoryBytes')],
      );
    }
    const values = await Promise.all(reads.map((r) => r[2]));
    let total = 0;
    const parts = {};
    const stale = [];
    reads.forEach(([key, name], i) => {
      let v = values[i];
      if (v === null) {
        v = last.get(key) ?? 0;
        if (v > 0) stale.push(name);
      } else last.set(key, v);
      total += v;
      if (v > 0 || !name.endsWith('.shared')) parts[name] = (parts[name] ?? 0) + v;
    });
    if (total > peak) { peak = total; breakdown = parts; peakStale = stale; peakPhase = phase; }
    if (timeline) timeline.push({ t: Date.now(), phase, total, ...parts });
  };
  const loop = (async () => { while (running) { await sample(); await new Promise((r) => setTimeout(r, 50)); } })();
  return {
    /** a full GC in the page and every worker, so a peak counts live data and leaks, not garbage V8 has not collected yet */
    async collectGarbage() {
      await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
      for (const sessionId of workers.keys()) await toWorker(sessionId, 'HeapProfiler.collectGarbage');
    },
    reset() { peak = 0; },
    /** names the phase later samples fall in (the peak's phase is reported with it) */
    setPhase(name) { phase = name; },
    peak: () => peak,
    breakdown: () => Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, Math.round(v / 2 ** 20)])),
    /** the peak sample's phase and the parts of it that were a busy worker's last answer */
    peakSample: () => ({ phase: peakPhase, stale: peakStale }),
    async stop() {
      running = false;
      await loop;
      await cdp.detach().catch(() => {});
      if (timeline) fs.writeFileSync(process.env.BENCH_MEM_TIMELINE, JSON.stringify(timeline));
    },
  };
}

/**
 * The page's WebGPU adapter in words and whether it is a software one (SwiftShader here: a CPU emulating a GPU, ~1–3 s
 * per 4096-row MLP batch), so the bench trains one epoch there instead of two and says why its figures are slow.
 */
async function webgpuAdapter(page) {
  return page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
    if (!adapter) return { description: 'none', software: false };
    const info = adapter.info ?? {};
    const description = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown';
    return { description, software: adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(description) };
  });
}

async function dataValue(page, testId) {
  return Number(await page.getByTestId(testId).first().getAttribute('data-value'));
}

if (only('load')) {
  log('load: 5 fresh navigations');
  const decode = [];
  const profile = [];
  const peaks = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const mem = await memorySampler(page);
    await page.goto(baseUrl);
    await page.getByTestId('data-load-ms').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => performance.getEntriesByName('workbench:profile-drawn').length > 0, null, { timeout: 60_000 });
    decode.push(await dataValue(page, 'data-load-ms'));
    profile.push(await page.evaluate(() => performance.getEntriesByName('workbench:profile-drawn')[0].startTime));
    await new Promise((r) => setTimeout(r, 300));
    peaks.push(mem.peak());
    if (i === 0) {
      // three loads in a row: the peak of the later ones must stay near the first's (no leak)
      const perLoad = [mem.peak()];
      for (let k = 0; k < 3; k++) {
        await mem.collectGarbage();
        mem.reset();
        await page.getByTestId('load-bundled').click();
        await page.waitForFunction(() => document.querySelector('[data-testid=load-progress]') === null, null, { timeout: 60_000 });
        await new Promise((r) => setTimeout(r, 500));
        perLoad.push(mem.peak());
        log('peak breakdown (MiB)', JSON.stringify(mem.breakdown()));
      }
      out['load.peak_heap_mb_loads'] = perLoad.map((p) => round(p / 2 ** 20));
      out['load.repeat_peak_ratio'] = round(Math.max(...perLoad.slice(1)) / perLoad[0], 3);
    }
    await mem.stop();
    await context.close();
  }
  const matrixBytes = 472871 * 12 * 4;
  out['load.decode_ms'] = round(median(decode));
  out['load.profile_ms'] = round(median(profile));
  out['load.peak_heap_mb'] = round(median(peaks) / 2 ** 20);
  out['load.decoded_matrix_mb'] = round(matrixBytes / 2 ** 20);
  out['load.peak_over_matrix'] = round(median(peaks) / matrixBytes, 2);
  out['load.decode_ms_all'] = decode.map((d) => round(d));
  log('load', JSON.stringify(Object.fromEntries(Object.entries(out).filter(([k]) => k.startsWith('load.')))));
}

async function trainOnce(page, backend, model, extra = {}) {
  await page.getByTestId('backend-select').selectOption(backend);
  await page.getByTestId('clf-model').selectOption(model);
  // the epoch cap is shared by both models' settings: set it every time (15 = the default)
  await page.getByTestId('clf-epochs').fill(String(extra.epochs ?? 15));
  await page.evaluate(() => performance.clearMarks('workbench:trained'));
  const t0 = Date.now();
  await page.getByTestId(extra.both ? 'train-both' : 'train-classifier').click();
  await page.waitForFunction((both) => {
    const done = (k) => ['done', 'error', 'cancelled'].includes(document.querySelector(`[data-testid=${k}-status]`)?.getAttribute('data-status') ?? '');
    return done('classifier') && (!both || done('regressor'));
  }, !!extra.both, { timeout: 590_000, polling: 200 });
  const wall = Date.now() - t0;
  // where the time went, per model: the worker's parts (matrix, backend, trainer, sweep) beside the page's request-to-result wall
  const parts = Object.fromEntries((await page.evaluate(() => performance.getEntriesByName('workbench:trained').map((m) => m.detail)))
    .map(({ kind, phases, ...ms }) => [kind, {
      ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [k.replace(/Ms$/, ''), Math.round(v)])),
      // the trainer's own parts (split, scale, fit, bundle, predict, metrics) within `train`
      ...(phases ? { train_parts: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])) } : {}),
    }]));
  for (const p of Object.values(parts)) p.messages_and_waiting = p.wall - p.matrix - p.backend - p.train - p.sweep;
  const status = await page.getByTestId('classifier-status').getAttribute('data-status');
  if (status !== 'done') throw new Error(`${backend} ${model}: ${await page.getByTestId('classifier-status').innerText()}`);
  const used = await page.getByTestId('classifier-backend').getAttribute('data-value');
  // the MLP's step (tfjs or the wasm kernel), as the Train cell names it
  const mlpPath = model === 'mlp' ? await page.getByTestId('classifier-mlp-path').getAttribute('data-value').catch(() => null) : null;
  return {
    used,
    ...(mlpPath === null ? {} : { mlpPath }),
    wall,
    parts,
    msPerEpoch: await dataValue(page, 'classifier-ms-per-epoch'),
    totalMs: await dataValue(page, 'classifier-train-ms'),
    epochs: await dataValue(page, 'classifier-epochs'),
    auc: await dataValue(page, 'clf-auc_roc'),
  };
}

if (only('train')) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
  const totals = {};
  const mlpEpoch = {};
  // start both workers and compile wasm once, so the first backend measured does not pay the page's start-up
  log('train: warm-up run (not measured)');
  await trainOnce(page, 'wasm', 'logistic', { both: true }).catch((e) => log(`warm-up failed: ${e.message}`));
  for (const backend of ['wasm', 'cpu', 'webgl', 'webgpu']) {
    try {
      log(`train: ${backend} logistic + linear regressor in parallel`);
      const r = await trainOnce(page, backend, 'logistic', { both: true });
      if (r.used !== backend) { log(`${backend} unavailable (ran on ${r.used})`); out[`train.${backend}.available`] = false; continue; }
      out[`train.${backend}.logistic.ms_per_epoch`] = round(r.msPerEpoch);
      out[`train.${backend}.logistic.epochs`] = r.epochs;
      out[`train.${backend}.logistic.total_ms`] = round(r.totalMs);
      out[`train.${backend}.logistic.auc`] = round(r.auc, 4);
      out[`train.${backend}.regressor.total_ms`] = round(await dataValue(page, 'regressor-train-ms'));
      out[`train.${backend}.logistic_plus_regressor_wall_ms`] = r.wall;
      totals[backend] = r.wall;
      // MLP: a short run for ms/epoch on every backend (WebGPU on a software adapter: one epoch, minutes)
      const adapter = backend === 'webgpu' ? await webgpuAdapter(page) : null;
      if (adapter) out['train.webgpu.adapter'] = `${adapter.description}${adapter.software ? ' (software)' : ''}`;
      const mlpEpochs = adapter?.software ? 1 : 2;
      log(`train: ${backend} MLP, ${mlpEpochs} epoch(s) for ms/epoch`);
      const m = await trainOnce(page, backend, 'mlp', { epochs: mlpEpochs });
      out[`train.${backend}.mlp.ms_per_epoch`] = round(m.msPerEpoch);
      mlpEpoch[backend] = m.msPerEpoch;
      out[`train.${backend}.mlp.auc_${mlpEpochs}_epoch${mlpEpochs > 1 ? 's' : ''}`] = round(m.auc, 4);
    } catch (e) {
      log(`train ${backend} failed: ${e.message}`);
      out[`train.${backend}.error`] = String(e.message).slice(0, 200);
    }
  }
  const fastest = Object.entries(totals).sort((a, b) => a[1] - b[1])[0];
  if (fastest) {
    out['train.fastest_backend'] = fastest[0];
    out['train.fastest_total_ms'] = fastest[1];
  }
  // the MLP's fastest backend is not the logistic's: pick it by its own ms per epoch
  const mlpBackend = Object.entries(mlpEpoch).sort((a, b) => a[1] - b[1])[0]?.[0];
  if (mlpBackend) {
    out['train.mlp_fastest_backend'] = mlpBackend;
    log(`train: full MLP (default settings) on ${mlpBackend}`);
    try {
      await page.getByTestId('clf-model').selectOption('mlp');
      const m = await trainOnce(page, mlpBackend, 'mlp', { epochs: 15 });
      out[`train.${mlpBackend}.mlp.total_ms`] = round(m.totalMs);
      out[`train.${mlpBackend}.mlp.wall_ms`] = m.wall;
      out[`train.${mlpBackend}.mlp.epochs`] = m.epochs;
      out[`train.${mlpBackend}.mlp.auc`] = round(m.auc, 4);
      out[`train.${mlpBackend}.mlp.f1`] = round(await dataValue(page, 'clf-f1_score'), 4);
    } catch (e) { out['train.mlp.error'] = String(e.message).slice(0, 200); }
  }
  await context.close();
}

if (only('report')) {
  // the default notebook's report on the bundled data: logistic classifier + linear regressor, leak excluded
  log('report size');
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
  await trainOnce(page, 'wasm', 'logistic', { both: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
  out['report.bytes'] = fs.statSync(await download.path()).size;
  await context.close();
}

if (only('pipeline')) {
  for (const model of ['logistic', 'mlp']) {
    log(`pipeline (node, worker threads): ${model}`);
    const t0 = Date.now();
    const r = spawnSync('node', ['scripts/pipeline.mjs', '--data', 'public/data/training_data.parquet', '--exclude', 'engagement_depth', '--classifier', model], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) { out[`train.node.${model}.error`] = r.stderr.slice(-300); continue; }
    const j = JSON.parse(r.stdout);
    out[`train.node.${model}.ms_per_epoch`] = j.classifier.ms_per_epoch;
    out[`train.node.${model}.epochs`] = j.classifier.epochs;
    out[`train.node.${model}.total_ms`] = j.classifier.train_ms;
    out[`train.node.${model}.auc`] = j.classifier.auc_roc;
    out[`train.node.${model}.f1`] = j.classifier.f1_score;
    out[`train.node.regressor.total_ms`] = j.regressor.train_ms;
    out[`train.node.regressor.rmse`] = j.regressor.rmse;
    out[`train.node.regressor.r2`] = j.regressor.r2;
    out[`train.node.${model}.pipeline_wall_ms`] = Date.now() - t0;
  }
}

/** A fresh page on the workbench, for a part that needs its own; `query` is added to its address (e.g. `wasmThreads=2`). */
async function openPage(query = '') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(query ? `${baseUrl}?${query}` : baseUrl);
  return { page, close: () => context.close() };
}

for (const [part, bench] of [['speed.job', benchSpeedJob], ['speed.logistic', benchSpeedLogistic], ['speed.mlp', benchSpeedMlp]]) {
  if (!only(part)) continue;
  try {
    // BENCH_MLP_BACKENDS=wasm skips speed.mlp's SwiftShader backends (minutes an epoch here) in a quick run
    const backends = process.env.BENCH_MLP_BACKENDS?.split(',');
    Object.assign(out, await bench({ log, openPage: browser ? openPage : null, trainOnce, dataValue, webgpuAdapter, ...(backends ? { backends } : {}) }));
  } catch (e) {
    log(`${part} failed: ${e.stack}`);
    out[`${part}.error`] = String(e.message).slice(0, 300);
  }
}

if (only('scale.x10')) {
  try {
    Object.assign(out, await benchScale({ browser, baseUrl, distDir: process.env.DIST_DIR ?? 'dist', log, memorySampler, trainOnce, dataValue }));
  } catch (e) {
    log(`scale.x10 failed: ${e.stack}`);
    out['scale.x10.error'] = String(e.message).slice(0, 300);
  }
}

if (only('slider') && fs.existsSync(new URL('./bench-slider.mjs', import.meta.url))) {
  log('slider');
  try {
    const { benchSlider } = await import('./bench-slider.mjs');
    Object.assign(out, await benchSlider({ baseUrl, browser }));
  } catch (e) { out['slider.error'] = String(e.message).slice(0, 200); }
}

if (only('search') && fs.existsSync(new URL('./bench-search.ts', import.meta.url))) {
  log('search (node worker pool)');
  const r = spawnSync('npx', ['tsx', 'scripts/bench-search.ts'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line) Object.assign(out, JSON.parse(line));
  else out['search.error'] = r.stderr.slice(-300);
}

if (only('trees')) {
  // gbdt and rf against scikit-learn (the pinned peer) on the same rows, peer first for each seed (scripts/bench-trees.ts)
  log('trees (node, against scikit-learn)');
  const r = spawnSync('npx', ['tsx', 'scripts/bench-trees.ts'], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 2] });
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line) Object.assign(out, JSON.parse(line));
  else out['trees.error'] = `bench-trees exited ${r.status}`;
}

/**
 * Times one classifier fit in the page's training worker as a user runs it, as the peer fits: the Train cell with
 * `model` set up by `setup`, no threshold fold models and no refit (the default protocol's cost is
 * trees.gbdt.flow_train_ms), on its fit rows (the training split less its 15 % validation slice); `runs` fits, the first
 * a warm-up; each must grow `trees` trees. Returns the measured fits' training times.
 */
async function browserTreeFits(model, setup, trees, runs) {
  log(`trees.browser: ${model} in the training worker`);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
  await page.getByTestId('clf-model').selectOption(model);
  await setup(page);
  await page.getByTestId('clf-threshold-folds').selectOption('0');
  await page.getByTestId('clf-refit').selectOption('fit');
  const runRows = page.locator('[data-testid^="run-row-"]');
  const fits = [];
  for (let i = 0; i < runs; i++) {
    const before = await runRows.count();
    await page.getByTestId('train-classifier').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="run-row-"]').length > n, before, { timeout: 300_000, polling: 100 });
    await page.waitForFunction(() => document.querySelector('[data-testid=classifier-status]')?.getAttribute('data-status') === 'done', null, { timeout: 300_000 });
    const grown = await dataValue(page, 'classifier-epochs');
    if (grown !== trees) throw new Error(`the browser ${model} grew ${grown} trees, not ${trees}`);
    const ms = await dataValue(page, 'classifier-train-ms');
    if (i > 0) fits.push(ms);
    log(`trees.browser: ${model} fit ${i} ${ms} ms${i === 0 ? ' (warm-up)' : ''}`);
  }
  await context.close();
  return fits;
}

if (only('trees.browser')) {
  // after the node part, so the peer's fit time in each ratio is from this same run
  // gradient boosting: early stopping off (100 trees, 31 leaves), 1 warm-up then 3 measured fits
  let fits = [];
  try {
    fits = await browserTreeFits('gbdt', (page) => page.getByTestId('clf-gbdt-early-stopping').selectOption('off'), 100, 4);
  } catch (e) { out['trees.browser.error'] = String(e.message).slice(0, 200); }
  if (fits.length > 0) out['trees.gbdt.browser_fit_ms'] = round(median(fits), 0);
  out['trees.gbdt.browser_fit_ms_all'] = fits.map((f) => round(f, 0));
  if (Number.isFinite(out['trees.gbdt.peer_fit_ms'])) out['trees.gbdt.browser_ratio'] = round(out['trees.gbdt.browser_fit_ms'] / out['trees.gbdt.peer_fit_ms'], 3);
  if (Number.isFinite(out['trees.gbdt.node_fit_ms_fit_rows'])) out['trees.gbdt.browser_over_node_same_rows'] = round(out['trees.gbdt.browser_fit_ms'] / out['trees.gbdt.node_fit_ms_fit_rows'], 2);

  // the random forest: the Train cell's defaults (200 trees, depth 15), 1 warm-up then 2 measured fits (the peer's
  // forest fits every training row: 1/0.85 more rows)
  let rfFits = [];
  try {
    rfFits = await browserTreeFits('rf', async () => {}, 200, 3);
  } catch (e) { out['trees.browser.rf_error'] = String(e.message).slice(0, 200); }
  if (rfFits.length > 0) out['trees.rf.browser_fit_ms'] = round(median(rfFits), 0);
  out['trees.rf.browser_fit_ms_all'] = rfFits.map((f) => round(f, 0));
  if (Number.isFinite(out['trees.rf.peer_fit_ms'])) out['trees.rf.browser_ratio'] = round(out['trees.rf.browser_fit_ms'] / out['trees.rf.peer_fit_ms'], 3);
}

if (only('trees.browser_shap')) {
  // TreeSHAP as a user runs it: the SHAP cell explains its seeded sample of 1,000 test rows of the default random forest
  // (200 trees, depth 15, trained in the page without the leak), its trees split between two workers; the cell's own
  // time (request to joined answer), 1 warm-up then 3 measured runs
  const runs = [];
  try {
    log('trees.browser_shap: rf SHAP in the page (two workers)');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
    await page.getByTestId('clf-model').selectOption('rf');
    await page.getByTestId('train-classifier').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=classifier-status]')?.getAttribute('data-status') === 'done', null, { timeout: 300_000 });
    const shap = page.getByTestId('shap-cell');
    if (await shap.getByTestId('shap-sample-size').inputValue() !== '1000') throw new Error('the SHAP cell does not sample 1,000 rows');
    for (let i = 0; i < 4; i++) {
      await shap.getByTestId('shap-run').click();
      // the run takes hundreds of ms: see it start, then end
      await page.waitForFunction(() => document.querySelector('[data-testid=shap-cell]')?.getAttribute('data-status') === 'running', null, { timeout: 30_000, polling: 5 });
      await page.waitForFunction(() => document.querySelector('[data-testid=shap-cell]')?.getAttribute('data-status') === 'done', null, { timeout: 300_000, polling: 20 });
      const ms = await dataValue(shap, 'shap-ms');
      const workers = Number(await shap.getByTestId('shap-ms').getAttribute('data-workers'));
      if (i > 0) runs.push(ms);
      out['trees.rf.browser_shap_workers'] = workers;
      log(`trees.browser_shap: run ${i} ${ms} ms in ${workers} workers${i === 0 ? ' (warm-up)' : ''}`);
    }
    await context.close();
  } catch (e) { out['trees.browser_shap.error'] = String(e.message).slice(0, 200); }
  if (runs.length > 0) out['trees.rf.browser_shap_1000_ms'] = round(median(runs), 0);
  out['trees.rf.browser_shap_1000_ms_all'] = runs;
}

// the browser is closed only now: the trees part drives it after the node parts
await browser?.close();
server?.close();

process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
