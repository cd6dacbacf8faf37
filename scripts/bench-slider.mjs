/* global HTMLInputElement, requestAnimationFrame, MessageChannel, Event */
// Slider benchmark (issue 4): with the 94,575 test rows of a logistic run on the bundled data, 100 slider moves, each
// timed from the input event to the animation frame after React's commit and every chart marker's Plotly update.
// `benchSlider({ baseUrl, browser })` is called by scripts/bench.mjs; alone: `node scripts/bench-slider.mjs` (DIST_DIR=dist).
//
// Renders outside the threshold-dependent cells are counted through the React DevTools hook (production React calls it on
// every commit, whereas <Profiler> is compiled out of production builds): a component counts when it performed work
// (the PerformedWork flag) in a commit, found by walking only the subtrees that did work.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const MOVES = 100;
/** Cells whose output follows the threshold (the revenue-gain cell shows revenue captured at it): their renders are expected; every other component should stay still. */
const THRESHOLD_CELLS = ['cell-threshold', 'cell-curves', 'cell-revenueGain'];

function installRenderCounter(thresholdCells) {
  const counts = {};
  const PERFORMED_WORK = 1;
  // function, class, forwardRef, memo, simple memo
  const COMPONENT_TAGS = new Set([0, 1, 11, 14, 15]);
  const HOST_COMPONENT = 5;
  const name = (f) => {
    const t = f.type;
    if (!t) return '?';
    return t.displayName || t.name || t.type?.name || t.render?.name || '?';
  };
  const walk = (root) => {
    const stack = [[root, 'shell']];
    while (stack.length > 0) {
      const [f, cell] = stack.pop();
      let here = cell;
      if (f.tag === HOST_COMPONENT) {
        const id = f.memoizedProps?.['data-testid'];
        if (typeof id === 'string' && id.startsWith('cell-')) here = id;
      }
      if (COMPONENT_TAGS.has(f.tag) && (f.flags & PERFORMED_WORK) !== 0) {
        const key = `${here}:${name(f)}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      // a subtree that did no work keeps old flags: never descend into it
      if ((f.subtreeFlags & PERFORMED_WORK) === 0) continue;
      for (let c = f.child; c; c = c.sibling) stack.push([c, here]);
    }
  };
  window.__renderCounts = counts;
  window.__countRenders = false;
  window.__outsideRenders = () => Object.entries(counts)
    .filter(([k]) => !thresholdCells.some((c) => k.startsWith(`${c}:`)))
    .reduce((a, [, v]) => a + v, 0);
  window.__resetRenderCounts = () => { for (const k of Object.keys(counts)) delete counts[k]; };
  let nextId = 1;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    renderers: new Map(),
    supportsFiber: true,
    isDisabled: false,
    inject(renderer) { const id = nextId++; this.renderers.set(id, renderer); return id; },
    checkDCE() {},
    onScheduleFiberRoot() {},
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onCommitFiberRoot(_id, root) { if (window.__countRenders) walk(root.current); },
  };
}

/** Moves the slider `moves` times inside the page; returns per-move timings and how often a move needed extra frames. */
async function runMoves(page, moves) {
  return page.evaluate(async (n) => {
    const slider = document.querySelector('[data-testid=threshold-slider]');
    const shown = document.querySelector('[data-testid=threshold-value]');
    const roc = document.querySelector('[data-testid=roc-marker]');
    const pr = document.querySelector('[data-testid=pr-marker]');
    const thr = document.querySelector('[data-testid=thr-marker]');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const afterFrame = () => new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
    const start = Number(slider.value);
    const results = [];
    await frame();
    window.__resetRenderCounts();
    window.__countRenders = true;
    for (let i = 0; i < n; i++) {
      // distinct thresholds sweeping 0.05 … 0.95 and back, as a drag would
      const phase = (i % 50) / 50;
      const v = String(Number((i < 50 ? 0.05 + 0.9 * phase : 0.95 - 0.9 * phase).toFixed(3)));
      const done = () => shown.dataset.value === v && roc.dataset.plotted === v && pr.dataset.threshold === v && thr.dataset.threshold === v;
      const r = await new Promise((resolve) => {
        let t0 = 0;
        let frames = 0;
        // Chromium dispatches input at the start of a frame, before its rAF callbacks: the first callback plays the
        // input, the second (same frame, after the microtasks of React's commit and the restyles) takes the end mark.
        requestAnimationFrame(() => {
          t0 = performance.now();
          setValue.call(slider, v);
          slider.dispatchEvent(new Event('input', { bubbles: true }));
        });
        const check = () => {
          frames++;
          if (!done()) { requestAnimationFrame(check); return; }
          const t1 = performance.now();
          // the frame's style, layout and paint run after its rAF callbacks: a task queued now runs once it is painted
          void afterFrame().then(() => resolve({ ms: t1 - t0, paintedMs: performance.now() - t0, frames }));
        };
        requestAnimationFrame(check);
      });
      results.push(r);
      await frame();
    }
    window.__countRenders = false;
    // put the slider back where it was
    setValue.call(slider, String(start));
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    return { results, outside: window.__outsideRenders(), counts: { ...window.__renderCounts } };
  }, moves);
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const round = (v, d = 2) => Number(v.toFixed(d));

/** Trains logistic regression on the bundled data, then times 100 slider moves; returns flat `slider.*` figures. */
export async function benchSlider({ baseUrl, browser }) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(`(${installRenderCounter.toString()})(${JSON.stringify(THRESHOLD_CELLS)})`);
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.getByTestId('data-rows').and(page.locator('[data-value="472871"]')).waitFor({ timeout: 120_000 });
    await page.getByTestId('clf-model').selectOption('logistic');
    await page.getByTestId('train-classifier').click();
    await page.getByTestId('cm-tp').waitFor({ timeout: 300_000 });
    await page.waitForFunction(() => ['roc', 'pr', 'thr'].every((k) => document.querySelector(`[data-testid=${k}-marker]`)?.dataset.drawn === 'true'), null, { timeout: 120_000 });
    const rows = await page.evaluate(() => ['tp', 'fp', 'tn', 'fn'].reduce((a, k) => a + Number(document.querySelector(`[data-testid=cm-${k}]`).dataset.value), 0));
    // a few warm-up moves so the measured ones do not pay for first-use compilation
    await runMoves(page, 10);
    const { results, outside, counts } = await runMoves(page, MOVES);
    const ms = results.map((r) => r.ms);
    const painted = results.map((r) => r.paintedMs);
    // Diagnosis: the same moves with only the issue-4 evaluation cells following the slider (other cells that subscribe
    // to the threshold deleted), to tell their cost from the rest of the notebook's.
    for (const kind of ['export', 'revenueGain']) {
      const del = page.locator(`[data-testid=cell-${kind}] .cell-tools button[aria-label^="delete"]`);
      if (await del.count()) await del.first().click();
    }
    const alone = (await runMoves(page, MOVES)).results.map((r) => r.ms);
    return {
      'slider.p95_ms': round(pct(ms, 95)),
      'slider.p50_ms': round(pct(ms, 50)),
      'slider.max_ms': round(Math.max(...ms)),
      'slider.painted_p95_ms': round(pct(painted, 95)),
      'slider.extra_frames': results.filter((r) => r.frames > 1).length,
      'slider.renders_per_move': round(outside / MOVES, 3),
      'slider.renders_outside': Object.fromEntries(Object.entries(counts).filter(([k]) => !THRESHOLD_CELLS.some((c) => k.startsWith(`${c}:`)))),
      'slider.renders_inside_per_move': round(Object.entries(counts).filter(([k]) => THRESHOLD_CELLS.some((c) => k.startsWith(`${c}:`))).reduce((a, [, v]) => a + v, 0) / MOVES, 3),
      'slider.evaluation_cells_only_p95_ms': round(pct(alone, 95)),
      'slider.evaluation_cells_only_p50_ms': round(pct(alone, 50)),
      'slider.moves': MOVES,
      'slider.test_rows': rows,
    };
  } finally {
    await context.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { chromium } = await import('playwright-core');
  const { createWorkbenchServer } = await import('./static-server.mjs');
  const root = process.env.DIST_DIR ?? 'dist';
  if (!fs.existsSync(`${root}/index.html`)) {
    console.error(`${root}/index.html is missing: run "npx vite build" first (or set DIST_DIR)`);
    process.exit(1);
  }
  const server = createWorkbenchServer(root);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const executablePath = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => fs.existsSync(p));
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
  });
  try {
    process.stdout.write(`${JSON.stringify(await benchSlider({ baseUrl: `http://127.0.0.1:${server.address().port}/`, browser }), null, 2)}\n`);
  } finally {
    await browser.close();
    server.close();
  }
}
