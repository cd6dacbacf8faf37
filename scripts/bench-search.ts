/** Bench: 5-fold search of the balanced logistic classifier (C × solver, ROC AUC) on worker_threads pools of 2 and 1. */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as pq from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { bundleSearchWorker, createNodeSearchPool } from '../src/pipeline/nodeSearchPool.ts';
import { bestCandidate, gridCandidates, summarise, type SearchData, type SearchSpec } from '../src/trainers/search.ts';

const DROP = new Set(['is_ordered', 'revenue', 'engagement_depth']);

/** Columns left out of a bench matrix, and an optional cap on one column (e.g. engagement_depth at 4). */
export interface BenchColumns {
  readonly drop: ReadonlySet<string>;
  readonly cap?: { readonly column: string; readonly max: number };
}

/** The bundled training table as a row-major matrix (by default without the leaking depth column); bools become 0/1. */
export function loadTrainingData(path: string, columns: BenchColumns = { drop: DROP }): SearchData & { readonly names: string[] } {
  const table = tableFromIPC(pq.readParquet(readFileSync(path)).intoIPCStream());
  const names = table.schema.fields.map((f) => f.name).filter((n) => !columns.drop.has(n));
  const rows = table.numRows;
  const cols = names.length;
  const X = new Float32Array(rows * cols);
  names.forEach((name, j) => {
    const column = table.getChild(name);
    if (column === null) throw new Error(`column "${name}" is missing from ${path}; rebuild the data`);
    const max = columns.cap?.column === name ? columns.cap.max : Number.POSITIVE_INFINITY;
    let i = 0;
    for (const v of column) X[i++ * cols + j] = Math.min(max, typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
  });
  const target = table.getChild('is_ordered');
  if (target === null) throw new Error(`column "is_ordered" is missing from ${path}; rebuild the data`);
  const y = new Float32Array(rows);
  let i = 0;
  for (const v of target) y[i++] = Number(v);
  return { X, rows, cols, y, task: 'classifier', names };
}

/** Wall time from starting the workers to the last result (what a user waits), and the part after every worker holds the data. */
async function timedSearch(data: SearchData, spec: SearchSpec, size: number, entry: string, log: (line: string) => void): Promise<{ wallS: number; fitS: number; rows: ReturnType<typeof summarise> }> {
  const candidates = gridCandidates({ C: [0.01, 0.1, 1], solver: ['lbfgs', 'newton'] });
  const t0 = performance.now();
  const pool = createNodeSearchPool({ size, entry });
  try {
    // Load, then run at once (as the app does): the pool can set up the search while the workers start.
    const loaded = pool.load(data).then(() => performance.now());
    const run = pool.run({
      spec,
      candidates,
      onResult: (r, p) => log(`[${size}w] C=${String(r.params.C)} ${String(r.params.solver)} fold ${r.fold}: auc ${r.scores.rocAuc?.toFixed(4)} (${r.iterations} it, ${r.ms.toFixed(0)} ms) ${p.done}/${p.total}, eta ${((p.etaMs ?? 0) / 1000).toFixed(1)} s`),
    });
    const t1 = await loaded;
    const results = await run.results;
    const end = performance.now();
    return { wallS: (end - t0) / 1000, fitS: (end - t1) / 1000, rows: summarise(results) };
  } finally {
    pool.terminate();
  }
}

/** The bench figures `scripts/bench.mjs` merges into its report. */
export interface SearchBenchFigures {
  readonly 'search.wall_s': number;
  readonly 'search.wall_s_1worker': number;
  readonly 'search.speedup': number;
  /** the same, counted from the moment every worker holds the matrix (worker start and copy left out) */
  readonly 'search.fit_s': number;
  readonly 'search.fit_s_1worker': number;
  readonly 'search.fit_speedup': number;
  readonly 'search.workers': number;
  readonly 'search.best_auc': number;
  readonly 'search.best_params': Readonly<Record<string, unknown>>;
  readonly 'search.rows': number;
  readonly 'search.features': number;
}

/**
 * The bench: 5-fold search of the balanced logistic classifier, C ∈ {0.01, 0.1, 1} × {L-BFGS, Newton}, ROC AUC,
 * on the bundled data without engagement_depth, with a pool of `workers` (default 2) and with one worker.
 */
export async function benchSearch(options: { readonly workers?: number; readonly log?: (line: string) => void; readonly dataPath?: string } = {}): Promise<SearchBenchFigures> {
  const log = options.log ?? (() => undefined);
  const workers = options.workers ?? 2;
  const path = options.dataPath ?? new URL('../public/data/training_data.parquet', import.meta.url).pathname;
  const t0 = performance.now();
  const data = loadTrainingData(path);
  log(`loaded ${data.rows} rows × ${data.cols} features (${data.names.join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // Built once before either timing, as the browser's worker bundle is built before the page opens.
  const t1 = performance.now();
  const entry = await bundleSearchWorker();
  log(`bundled the search worker in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
  const spec: SearchSpec = { trainer: 'logistic', k: 5, seed: 42, base: { classWeight: 'balanced' } };
  const pool = await timedSearch(data, spec, workers, entry, log);
  const one = await timedSearch(data, spec, 1, entry, log);
  const best = bestCandidate(pool.rows, 'rocAuc');
  for (const r of pool.rows) log(`C=${String(r.params.C)} ${String(r.params.solver)}: auc ${r.mean.rocAuc?.toFixed(4)} ± ${r.std.rocAuc?.toFixed(4)}`);
  const round = (v: number, d = 2): number => Number(v.toFixed(d));
  return {
    'search.wall_s': round(pool.wallS),
    'search.wall_s_1worker': round(one.wallS),
    'search.speedup': round(one.wallS / pool.wallS, 3),
    'search.fit_s': round(pool.fitS),
    'search.fit_s_1worker': round(one.fitS),
    'search.fit_speedup': round(one.fitS / pool.fitS, 3),
    'search.workers': workers,
    'search.best_auc': round(best.mean.rocAuc ?? Number.NaN, 4),
    'search.best_params': best.params,
    'search.rows': data.rows,
    'search.features': data.cols,
  };
}

// Run alone: `node --import tsx scripts/bench-search.ts` prints the figures as one JSON line (progress on stderr).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchSearch({ log: (line) => console.error(line) })
    .then((figures) => console.log(JSON.stringify(figures)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
