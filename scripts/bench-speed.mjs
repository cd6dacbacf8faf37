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
 * peer's, interleaved; the ratio takes our fastest run (the kernel on 1 or 2 threads, node or browser, or the app's own
 * choice); `ratio_as_shipped` the app's own choice alone. Node runs its own choice, the kernel on 1 and 2 threads and
 * tfjs's step; wasm in the browser runs first in fresh pages with the kernel on 1 and 2 threads (`?mlpWorkers=`), its
 * plain SIMD build and tfjs's step (`?mlpPath=`), then every backend in the app's default page. WebGPU and WebGL in
 * headless Chromium here run on SwiftShader (a CPU), so their figures say nothing about a real GPU.
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
  // the kernel alone (scripts/bench-mlp-kernel.ts): one step's gradient on the fused kernel (plain SIMD, and relaxed SIMD,
  // which node 20 runs only behind this flag) and on tfjs's step, interleaved in one node process; GFLOP/s of CPU time
  out['speed.mlp.kernel_micro'] = lastJson(run('node', ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'scripts/bench-mlp-kernel.ts']).stdout);
  // node: the app's own choice (auto: the fused wasm kernel, src/trainers/mlpKernel.ts, on the threads its probe chose,
  // src/workers/mlpSharing.ts), the kernel forced on 1 and 2 threads (1t, 2t: a team over one shared memory,
  // src/trainers/mlpTeam.ts) and tfjs's step on one worker (tfjs, the step before the kernel), in the order
  // auto 1t 2t tfjs 2t 1t auto, the peer before each kernel run; each figure the mean of its runs
  const nodeVariants = { auto: ['--workers', 'auto'], '1t': ['--workers', '1'], '2t': ['--workers', '2'], tfjs: ['--workers', '1', '--mlp-path', 'tfjs'] };
  const nodeRuns = Object.fromEntries(Object.keys(nodeVariants).map((v) => [v, []]));
  const nodeCpu = Object.fromEntries(Object.keys(nodeVariants).map((v) => [v, []]));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const variant of ['auto', '1t', '2t', 'tfjs', '2t', '1t', 'auto']) {
    if (variant !== 'tfjs') peerRun();
    const node = lastJson(run('node', ['--import', 'tsx', 'scripts/bench-speed-node.ts', 'mlp', DATA, ...LEAK, '--repeats', '1', '--epochs', String(epochs), ...nodeVariants[variant]]).stdout);
    nodeRuns[variant].push(node.ms_per_epoch_all[0]);
    if (Number.isFinite(node.cpu_ms_per_epoch_all?.[0])) nodeCpu[variant].push(node.cpu_ms_per_epoch_all[0]);
    const key = variant === 'auto' ? 'speed.mlp.node.wasm' : `speed.mlp.node.wasm_${variant === 'tfjs' ? 'tfjs_1w' : `kernel_${variant}`}`;
    out[`${key}.auc`] = round(node.auc, 4);
    out[`${key}.mlp_path`] = node.mlp_path;
    out[`${key}.threads`] = node.threads_run;
    out[`${key}.ms_per_epoch`] = round(mean(nodeRuns[variant]));
    out[`${key}.ms_per_epoch_all`] = nodeRuns[variant].map((v) => round(v));
    if (nodeCpu[variant].length) out[`${key}.cpu_ms_per_epoch`] = round(mean(nodeCpu[variant]));
    // each thread's CPU per epoch, the busiest first: with a core to each thread an epoch would take the busiest one's
    out[`${key}.busiest_threads_cpu_ms_per_epoch`] = node.busiest_threads_cpu_ms_per_epoch_all?.[0] ?? null;
    if (variant === 'auto') {
      out['speed.mlp.node.wasm.mlp_workers'] = node.workers;
      out['speed.mlp.node.wasm.mlp_workers_chosen_by'] = node.workers_chosen_by;
      out['speed.mlp.node.wasm.sharing_probe'] = node.sharing_probe;
    } else if (variant !== 'tfjs') ours[`node.kernel_${variant}`] = mean(nodeRuns[variant]);
    log(`speed.mlp node wasm ${variant}: ${Math.round(node.ms_per_epoch_all[0])} ms/epoch (${node.mlp_path}, ${node.threads_run} thread(s))`);
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
    // the MLP's threads are fixed per training worker: a fresh page for each run. The fused kernel (the build the page
    // runs by default: relaxed SIMD where Chromium has it) on 1 and 2 threads (k1, k2: a team over one shared memory), its
    // plain SIMD128 build on one thread (simd1), and tfjs's step on one wasm thread (tfjs, the step before the kernel), in
    // the order k1 k2 simd1 tfjs k2 k1 (drift in the machine's load hits all alike), the peer run before each kernel run;
    // each figure the mean of its runs
    const variants = { k1: 'wasmThreads=1&mlpWorkers=1', k2: 'wasmThreads=1&mlpWorkers=2', simd1: 'wasmThreads=1&mlpWorkers=1&mlpPath=wasm-simd', tfjs: 'wasmThreads=1&mlpWorkers=1&mlpPath=tfjs' };
    const keys = { k1: 'kernel_1t', k2: 'kernel_2t', simd1: 'kernel_simd_1t', tfjs: 'tfjs_1t' };
    const threadRuns = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
    const threadMs = {};
    for (const variant of ['k1', 'k2', 'simd1', 'tfjs', 'k2', 'k1']) {
      if (variant !== 'tfjs') peerRun();
      const { page, close } = await openPage(variants[variant]);
      const key = `speed.mlp.browser.wasm_${keys[variant]}`;
      try {
        await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
        const r = await trainOnce(page, 'wasm', 'mlp', { epochs });
        const info = await wasmRuntime(page);
        const threads = variant === 'k2' ? 2 : 1;
        if (info?.mlpWorkers !== threads) out[`${key}.threads_run`] = info?.mlpWorkers ?? null;
        if (variant === 'k2') out[`${key}.team_slices`] = info?.mlpTeamSlices ?? null;
        out[`${key}.mlp_path`] = r.mlpPath ?? null;
        threadRuns[variant].push(r.msPerEpoch);
        threadMs[variant] = mean(threadRuns[variant]);
        if (variant !== 'tfjs') ours[`browser.wasm_${keys[variant]}`] = threadMs[variant];
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
    if (threadMs.k1 && threadMs.k2) out['speed.mlp.browser.wasm_faster_threads'] = threadMs.k2 < threadMs.k1 ? 2 : 1;
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
            // how many threads the app's training cell chose to share batches by: measured once per training worker
            out['speed.mlp.browser.wasm.mlp_workers'] = runtime?.mlpWorkers ?? null;
            out['speed.mlp.browser.wasm.sharing_probe'] = runtime?.mlpSharingProbe ?? null;
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
  // the fastest of our runs (node or browser; the app's own choice, or the kernel forced on 1 or 2 threads) counts
  const [fastest, ms] = Object.entries(ours).sort((a, b) => a[1] - b[1])[0];
  const peerMs = median(peer.map((p) => p.ms_per_epoch));
  out['speed.mlp.fastest_backend'] = fastest;
  out['speed.mlp.fastest_threads'] = /_2t$/.test(fastest) ? 2 : /_1t$/.test(fastest) ? 1 : (fastest === 'node.wasm' ? out['speed.mlp.node.wasm.mlp_workers'] : out['speed.mlp.browser.wasm.mlp_workers']) ?? null;
  out['speed.mlp.ms_per_epoch'] = round(ms);
  out['speed.mlp.peer_ms_per_epoch'] = round(peerMs);
  out['speed.mlp.peer_ms_per_epoch_all'] = peer.map((p) => round(p.ms_per_epoch));
  out['speed.mlp.peer_auc'] = round(peer.at(-1).auc, 4);
  out['speed.mlp.epochs'] = epochs;
  out['speed.mlp.ratio'] = ratio(ms, peerMs);
  // the app as it ships (its own choice of step and threads, node or the default page), beside the fastest run above
  const shipped = Math.min(...['node.wasm', 'browser.wasm'].map((k) => ours[k]).filter(Number.isFinite));
  if (Number.isFinite(shipped)) out['speed.mlp.ratio_as_shipped'] = ratio(shipped, peerMs);
  // CPU per epoch: other work on the machine inflates it far less than wall time (compare runs of ours under load with
  // it); the peer's counts its BLAS threads, which spin while they wait: under load it grows too (5-6 s an epoch at load
  // 15 against ~0.4 s of wall when idle), so no ratio is made
  const peerCpu = median(peer.map((p) => p.cpu_ms_per_epoch));
  if (Number.isFinite(peerCpu)) out['speed.mlp.peer_cpu_ms_per_epoch'] = round(peerCpu);
  out['speed.mlp.mlp_workers_choice'] = "the fused kernel's threads, measured once per training worker (src/workers/mlpSharing.ts: one batch of the job's size timed on 1 and 2 threads after a warm-up; 2 only when 10 % faster; one thread in a page that is not cross-origin isolated); ?mlpWorkers= in the page address or --workers for node forces a count";
  return out;
}
