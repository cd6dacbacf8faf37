/** Bench: 5-fold search of the balanced logistic classifier (C × solver, ROC AUC) on worker_threads pools of 2 and 1. */
import { readFileSync } from 'node:fs';
import * as pq from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { createNodeSearchPool } from '../src/pipeline/nodeSearchPool.ts';
import { bestCandidate, gridCandidates, summarise, type SearchData, type SearchSpec } from '../src/trainers/search.ts';

const DROP = new Set(['is_ordered', 'revenue', 'engagement_depth']);

/** The bundled training table as a row-major matrix without the leaking depth column; bools become 0/1. */
function loadTrainingData(path: string): SearchData & { readonly names: string[] } {
  const table = tableFromIPC(pq.readParquet(readFileSync(path)).intoIPCStream());
  const names = table.schema.fields.map((f) => f.name).filter((n) => !DROP.has(n));
  const rows = table.numRows;
  const cols = names.length;
  const X = new Float32Array(rows * cols);
  names.forEach((name, j) => {
    const column = table.getChild(name);
    if (column === null) throw new Error(`column "${name}" is missing from ${path}; rebuild the data`);
    let i = 0;
    for (const v of column) X[i++ * cols + j] = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  });
  const target = table.getChild('is_ordered');
  if (target === null) throw new Error(`column "is_ordered" is missing from ${path}; rebuild the data`);
  const y = new Float32Array(rows);
  let i = 0;
  for (const v of target) y[i++] = Number(v);
  return { X, rows, cols, y, task: 'classifier', names };
}

async function timedSearch(data: SearchData, spec: SearchSpec, size: number): Promise<{ wallS: number; rows: ReturnType<typeof summarise> }> {
  const candidates = gridCandidates({ C: [0.01, 0.1, 1], solver: ['lbfgs', 'newton'] });
  const t0 = performance.now();
  const pool = createNodeSearchPool({ size });
  try {
    await pool.load(data);
    const run = pool.run({
      spec,
      candidates,
      onResult: (r, p) => console.error(`[${size}w] C=${String(r.params.C)} ${String(r.params.solver)} fold ${r.fold}: auc ${r.scores.rocAuc?.toFixed(4)} (${r.iterations} it, ${r.ms.toFixed(0)} ms) ${p.done}/${p.total}, eta ${((p.etaMs ?? 0) / 1000).toFixed(1)} s`),
    });
    const results = await run.results;
    return { wallS: (performance.now() - t0) / 1000, rows: summarise(results) };
  } finally {
    pool.terminate();
  }
}

async function main(): Promise<void> {
  const path = new URL('../public/data/training_data.parquet', import.meta.url);
  const t0 = performance.now();
  const data = loadTrainingData(path.pathname);
  console.error(`loaded ${data.rows} rows × ${data.cols} features (${data.names.join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const spec: SearchSpec = { trainer: 'logistic', k: 5, seed: 42, base: { classWeight: 'balanced' } };
  const two = await timedSearch(data, spec, 2);
  const one = await timedSearch(data, spec, 1);
  const best = bestCandidate(two.rows, 'rocAuc');
  for (const r of two.rows) console.error(`C=${String(r.params.C)} ${String(r.params.solver)}: auc ${r.mean.rocAuc?.toFixed(4)} ± ${r.std.rocAuc?.toFixed(4)}`);
  const out = {
    'search.wall_s': Number(two.wallS.toFixed(2)),
    'search.wall_s_1worker': Number(one.wallS.toFixed(2)),
    'search.speedup': Number((one.wallS / two.wallS).toFixed(2)),
    'search.best_auc': Number((best.mean.rocAuc ?? Number.NaN).toFixed(4)),
    'search.best_params': best.params,
  };
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
