// Speed against the Python peer (issue 13), called by scripts/bench.mjs: each figure next to scikit-learn's on the same
// rows, measured in the same run, interleaved (peer, ours, peer, ours…) so the load of the shared machine hits both
// alike; `.ratio` = ours / peer (goal ≤ 1.0).
//   speed.job       wall of `npm run pipeline` (logistic + linear) vs scripts/peer/job.py, interpreter start included
//   speed.logistic  the Train classifier cell's logistic fit, in node and in the browser worker, vs LogisticRegression
//   speed.mlp       MLP ms per epoch on the fastest backend (browser and node) vs MLPClassifier((64, 64), batch 4096)
import { spawnSync } from 'node:child_process';
import { runPeer } from './pythonPeer.mjs';

const DATA = 'public/data/training_data.parquet';
const LEAK = ['--exclude', 'engagement_depth'];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const round = (v, d = 1) => (Number.isFinite(v) ? Number(v.toFixed(d)) : v);
const ratio = (ours, peer) => round(ours / peer, 3);

function run(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { ms, stdout: r.stdout };
}

/** The JSON document a command printed: all of stdout, or else its last line that is one. */
function lastJson(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    return JSON.parse(stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? 'null');
  }
}

/** speed.job: the whole job as a process, ours and the peer's, median of `rounds` interleaved runs. */
export function benchSpeedJob({ log, rounds = 3 }) {
  const out = {};
  const pipelineArgs = ['run', '-s', 'pipeline', '--', '--data', DATA, '--classifier', 'logistic', '--regressor', 'linear', ...LEAK];
  log('speed.job: warm-up (builds the pipeline bundle if sources changed, installs the peer if missing)');
  run('npm', pipelineArgs);
  runPeer('scripts/peer/job.py', [DATA, ...LEAK]);
  const ours = [];
  const peer = [];
  let oursAuc = NaN;
  let peerAuc = NaN;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    peerAuc = JSON.parse(runPeer('scripts/peer/job.py', [DATA, ...LEAK])).classifier.auc_roc;
    peer.push(performance.now() - t0);
    const r = run('npm', pipelineArgs);
    ours.push(r.ms);
    oursAuc = lastJson(r.stdout).classifier.auc_roc;
    log(`speed.job round ${i + 1}: peer ${Math.round(peer.at(-1))} ms, ours ${Math.round(r.ms)} ms`);
  }
  out['speed.job.ms'] = round(median(ours));
  out['speed.job.peer_ms'] = round(median(peer));
  out['speed.job.ms_all'] = ours.map((v) => round(v));
  out['speed.job.peer_ms_all'] = peer.map((v) => round(v));
  out['speed.job.auc'] = round(oursAuc, 4);
  out['speed.job.peer_auc'] = round(peerAuc, 4);
  out['speed.job.ratio'] = ratio(median(ours), median(peer));
  return out;
}

/**
 * speed.logistic: the fit of the Train classifier cell's path (after split and scaling, as scikit-learn's is timed) in
 * node and in the browser worker, each against the peer's median fit measured just before it. `trainOnce(page)` is
 * bench.mjs's helper that trains in the page and reads the figures off it.
 */
export async function benchSpeedLogistic({ log, openPage, trainOnce, dataValue, rounds = 3 }) {
  const out = {};
  const peerRuns = [];
  const peerFit = () => {
    const p = JSON.parse(runPeer('scripts/peer/logistic.py', [DATA, ...LEAK, '--repeats', '3']));
    peerRuns.push(p);
    return p;
  };
  const nodeFits = [];
  let nodeAuc = NaN;
  log('speed.logistic: node');
  for (let i = 0; i < rounds; i++) {
    peerFit();
    const r = lastJson(run('node', ['--import', 'tsx', 'scripts/bench-speed-node.ts', 'logistic', DATA, ...LEAK, '--repeats', '3']).stdout);
    nodeFits.push(median(r.fit_ms_all));
    nodeAuc = r.auc;
  }
  let browser = null;
  if (openPage) {
    log('speed.logistic: browser worker (logistic + linear regressor, wasm)');
    const { page, close } = await openPage();
    try {
      await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
      await trainOnce(page, 'wasm', 'logistic', { both: true }); // warm-up: workers started, wasm compiled
      const fits = [];
      const walls = [];
      const rounds_ = [];
      let auc = NaN;
      for (let i = 0; i < rounds; i++) {
        peerFit();
        const r = await trainOnce(page, 'wasm', 'logistic', { both: true });
        fits.push(r.totalMs);
        walls.push(r.wall);
        rounds_.push(r);
        auc = r.auc;
        log(`speed.logistic browser round ${i + 1}: fit ${Math.round(r.totalMs)} ms, logistic + regressor ${r.wall} ms`);
      }
      // the parts of the round whose wall time is the median (polling adds up to 200 ms to each wall)
      const medianRound = [...rounds_].sort((a, b) => a.wall - b.wall)[rounds_.length >> 1];
      browser = { fit: median(fits), wall: median(walls), auc, regressorMs: await dataValue(page, 'regressor-train-ms'), parts: medianRound?.parts ?? {} };
    } finally {
      await close();
    }
  }
  const peerMs = median(peerRuns.map((p) => p.fit_ms));
  out['speed.logistic.peer_fit_ms'] = round(peerMs);
  out['speed.logistic.peer_fit_ms_all'] = peerRuns.map((p) => round(p.fit_ms));
  out['speed.logistic.peer_auc'] = round(peerRuns.at(-1)?.auc ?? NaN, 4);
  out['speed.logistic.node.fit_ms'] = round(median(nodeFits));
  out['speed.logistic.node.auc'] = round(nodeAuc, 4);
  out['speed.logistic.node.ratio'] = ratio(median(nodeFits), peerMs);
  let worst = median(nodeFits);
  if (browser) {
    out['speed.logistic.browser.fit_ms'] = round(browser.fit);
    out['speed.logistic.browser.auc'] = round(browser.auc, 4);
    out['speed.logistic.browser.ratio'] = ratio(browser.fit, peerMs);
    out['speed.logistic.browser.logistic_plus_regressor_ms'] = browser.wall;
    out['speed.logistic.browser.breakdown_ms'] = browser.parts;
    worst = Math.max(worst, browser.fit);
  }
  out['speed.logistic.auc_gap'] = round(Math.abs(nodeAuc - (peerRuns.at(-1)?.auc ?? NaN)), 5);
  out['speed.logistic.ratio'] = ratio(worst, peerMs);
  return out;
}

/**
 * speed.mlp: ms per epoch of the MLP (64, 64), batch 4096, on each browser backend and on node's wasm, against the
 * peer's, interleaved; the ratio takes our fastest backend as the app ships (node: the pipeline's own choice of workers;
 * browser: the default page). Node runs with 1 and 2 workers forced and its own choice; wasm in the browser runs first
 * in fresh pages with 1 and 2 threads (`?wasmThreads=`) and with batches shared by 2 workers (`?mlpWorkers=2`), then every
 * backend in the app's default page. WebGPU and WebGL in headless Chromium here run on
 * SwiftShader (a CPU), so their figures say nothing about a real GPU.
 */
export async function benchSpeedMlp({ log, openPage, trainOnce, webgpuAdapter, epochs = 2, backends = ['wasm', 'webgl', 'webgpu'] }) {
  const out = {};
  const peer = [];
  const peerRun = () => {
    const p = JSON.parse(runPeer('scripts/peer/mlp.py', [DATA, ...LEAK, '--epochs', String(epochs)]));
    peer.push(p);
    log(`speed.mlp peer: ${Math.round(p.ms_per_epoch)} ms/epoch`);
  };
  const ours = {};
  const threadMs = {};
  // node: the app's own choice (auto: the fused wasm kernel, src/trainers/mlpKernel.ts, on one thread), and tfjs's step
  // on one worker (1) or with each batch shared with a helper thread (2, src/trainers/mlpGradient.ts), in the order
  // auto 1 2 auto 2 1 with the peer before auto and 1; each figure the mean of its two runs; the ratio takes auto's
  const nodeRuns = { 1: [], 2: [], auto: [] };
  const nodeCpu = { 1: [], 2: [], auto: [] };
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const workers of ['auto', '1', '2', 'auto', '2', '1']) {
    if (workers !== '2') peerRun();
    const pathArgs = workers === 'auto' ? [] : ['--mlp-path', 'tfjs'];
    const node = lastJson(run('node', ['--import', 'tsx', 'scripts/bench-speed-node.ts', 'mlp', DATA, ...LEAK, '--repeats', '1', '--epochs', String(epochs), '--workers', workers, ...pathArgs]).stdout);
    nodeRuns[workers].push(node.ms_per_epoch_all[0]);
    if (Number.isFinite(node.cpu_ms_per_epoch_all?.[0])) nodeCpu[workers].push(node.cpu_ms_per_epoch_all[0]);
    const key = workers === 'auto' ? 'speed.mlp.node.wasm' : `speed.mlp.node.wasm_${workers}w`;
    out[`${key}.auc`] = round(node.auc, 4);
    out[`${key}.mlp_path`] = node.mlp_path;
    out[`${key}.ms_per_epoch`] = round(mean(nodeRuns[workers]));
    out[`${key}.ms_per_epoch_all`] = nodeRuns[workers].map((v) => round(v));
    if (nodeCpu[workers].length) out[`${key}.cpu_ms_per_epoch`] = round(mean(nodeCpu[workers]));
    if (workers === 'auto') {
      out['speed.mlp.node.wasm.mlp_workers'] = node.workers;
      out['speed.mlp.node.wasm.mlp_workers_chosen_by'] = node.workers_chosen_by;
    } else threadMs[`node_${workers}w`] = mean(nodeRuns[workers]);
    log(`speed.mlp node wasm, workers ${workers}: ${Math.round(node.ms_per_epoch_all[0])} ms/epoch`);
  }
  ours['node.wasm'] = mean(nodeRuns.auto);
  /** the training worker's wasm runtime (backend, SIMD, threads and how their count was chosen), read after a wasm run */
  const wasmRuntime = async (page) => {
    for (const w of page.workers().filter((x) => x.url().includes('train.worker'))) {
      const info = await w.evaluate(async () => globalThis.__tfjsInfo?.()).catch(() => null);
      if (info?.backend === 'wasm') return info;
    }
    return null;
  };
  if (openPage) {
    // the wasm thread count and the MLP's workers are fixed per training worker: a fresh page for each run. tfjs's step
    // with 1 wasm thread and 1 worker (1t), 2 threads (2t), or 1 thread and each batch shared with a helper worker (2w);
    // the fused kernel (one thread) in its plain SIMD128 build (kernel_simd) and its relaxed-SIMD build (kernel_relaxed:
    // fused multiply-add, where Chromium has it), in the order kernel_simd 1t kernel_relaxed 2t 2w kernel_relaxed
    // kernel_simd (drift in the machine's load hits all alike), the peer run before each; each figure the mean of its runs
    const variants = {
      '1t': 'wasmThreads=1&mlpWorkers=1&mlpPath=tfjs', '2t': 'wasmThreads=2&mlpWorkers=1&mlpPath=tfjs', '2w': 'wasmThreads=1&mlpWorkers=2&mlpPath=tfjs',
      kernel_simd: 'wasmThreads=1&mlpPath=wasm-simd', kernel_relaxed: 'wasmThreads=1&mlpPath=wasm-relaxed-simd',
    };
    const threadRuns = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
    for (const variant of ['kernel_simd', '1t', 'kernel_relaxed', '2t', '2w', 'kernel_relaxed', 'kernel_simd']) {
      peerRun();
      const { page, close } = await openPage(variants[variant]);
      const key = `speed.mlp.browser.wasm_${variant}`;
      try {
        await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
        const r = await trainOnce(page, 'wasm', 'mlp', { epochs });
        const info = await wasmRuntime(page);
        const threads = variant === '2t' ? 2 : 1;
        if (info?.wasmThreads !== threads) out[`${key}.threads_run`] = info?.wasmThreads ?? null;
        if (!variant.startsWith('kernel') && info?.mlpWorkers !== (variant === '2w' ? 2 : 1)) out[`${key}.workers_run`] = info?.mlpWorkers ?? null;
        out[`${key}.mlp_path`] = r.mlpPath ?? null;
        threadRuns[variant].push(r.msPerEpoch);
        threadMs[variant] = mean(threadRuns[variant]);
        out[`${key}.ms_per_epoch`] = round(threadMs[variant]);
        out[`${key}.ms_per_epoch_all`] = threadRuns[variant].map((v) => round(v));
        out[`${key}.auc`] = round(r.auc, 4);
        log(`speed.mlp browser wasm ${variant}: ${Math.round(r.msPerEpoch)} ms/epoch`);
      } catch (e) {
        out[`${key}.error`] = String(e.message).slice(0, 200);
      } finally {
        await close();
      }
    }
    if (threadMs['1t'] && threadMs['2t']) out['speed.mlp.browser.wasm_faster_threads'] = threadMs['2t'] < threadMs['1t'] ? 2 : 1;
    out['speed.mlp.browser.wasm_threads_choice'] = 'the constant WASM_THREAD_SHARE in src/workers/wasmThreads.ts (threads per logical core; 0.5 = tfjs default, 1 on 2 cores): set it from wasm_faster_threads of an idle run';
    const { page, close } = await openPage();
    try {
      await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
      for (const backend of backends) {
        peerRun();
        try {
          // a software WebGPU adapter (SwiftShader) takes minutes an epoch: one epoch there
          const adapter = backend === 'webgpu' && webgpuAdapter ? await webgpuAdapter(page) : null;
          if (adapter) out['speed.mlp.browser.webgpu.adapter'] = `${adapter.description}${adapter.software ? ' (software)' : ''}`;
          const r = await trainOnce(page, backend, 'mlp', { epochs: adapter?.software ? 1 : epochs });
          if (r.used !== backend) { out[`speed.mlp.browser.${backend}.available`] = false; continue; }
          ours[`browser.${backend}`] = r.msPerEpoch;
          out[`speed.mlp.browser.${backend}.ms_per_epoch`] = round(r.msPerEpoch);
          out[`speed.mlp.browser.${backend}.auc`] = round(r.auc, 4);
          log(`speed.mlp browser ${backend}: ${Math.round(r.msPerEpoch)} ms/epoch`);
          // what the wasm backend runs in the app's default page: SIMD, threads and how their count was chosen
          if (backend === 'wasm') {
            const runtime = await wasmRuntime(page);
            out['speed.mlp.browser.wasm.runtime'] = runtime;
            out['speed.mlp.browser.wasm.mlp_path'] = r.mlpPath ?? null;
            // how the app's training cell chose to share batches (or not): measured once per training worker
            out['speed.mlp.browser.wasm.mlp_workers'] = runtime?.mlpWorkers ?? null;
            out['speed.mlp.browser.wasm.mlp_workers_chosen_by'] = runtime?.mlpWorkersChosenBy ?? null;
          }
        } catch (e) {
          out[`speed.mlp.browser.${backend}.error`] = String(e.message).slice(0, 200);
        }
      }
    } finally {
      await close();
    }
  }
  const [fastest, ms] = Object.entries(ours).sort((a, b) => a[1] - b[1])[0];
  const peerMs = median(peer.map((p) => p.ms_per_epoch));
  out['speed.mlp.fastest_backend'] = fastest;
  out['speed.mlp.ms_per_epoch'] = round(ms);
  out['speed.mlp.peer_ms_per_epoch'] = round(peerMs);
  out['speed.mlp.peer_ms_per_epoch_all'] = peer.map((p) => round(p.ms_per_epoch));
  out['speed.mlp.peer_auc'] = round(peer.at(-1).auc, 4);
  out['speed.mlp.epochs'] = epochs;
  out['speed.mlp.ratio'] = ratio(ms, peerMs);
  // CPU per epoch: node's wasm path runs one thread, so other work on the machine inflates its figure far less than its
  // wall time (compare runs of ours under load with it); the peer's counts its BLAS threads, which spin while they
  // wait: under load it grows too (5-6 s an epoch at load 15 against ~0.4 s of wall when idle), so no ratio is made
  const peerCpu = median(peer.map((p) => p.cpu_ms_per_epoch));
  if (Number.isFinite(peerCpu)) out['speed.mlp.peer_cpu_ms_per_epoch'] = round(peerCpu);
  // the fastest forced variant (node or browser; 1 or 2 wasm threads, 1 or 2 workers), beside the ratio of the app as it ships above
  const forced = Math.min(...Object.values(threadMs));
  if (Number.isFinite(forced)) out['speed.mlp.ratio_fastest_forced_variant'] = ratio(Math.min(ms, forced), peerMs);
  out['speed.mlp.mlp_workers_choice'] = 'measured once per training worker (src/workers/mlpSharing.ts: one batch timed alone and shared with a helper, after a warm-up; the faster wins); ?mlpWorkers= in the page address or --workers for node forces a count';
  return out;
}
