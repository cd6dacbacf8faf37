/// <reference lib="webworker" />
/** The importance worker: scores a model bundle's dense network in plain TypeScript (no TensorFlow.js to load) and runs permutation importance on it. */
import { predictBundle } from '../trainers/bundleForward.ts';
import { permutationImportance } from '../trainers/permutationImportance.ts';
import { explainBlock, explainRows } from '../trainers/trees/shapExplain.ts';
import { createTreeModelCache } from '../trainers/trees/treeBundle.ts';
import { shapBlockTransferables, shapResultTransferables, type ImportanceJob, type ImportanceOps, type ImportanceOutcome, type ImportanceProgress } from './importanceProtocol.ts';
import { serveRequests } from './workerServer.ts';

declare const self: DedicatedWorkerGlobalScope;

/** The tree model the SHAP jobs name: sent and decoded once, then reused by the cell's later runs and its waterfall row. */
const modelOf = createTreeModelCache();

async function run(job: ImportanceJob, signal: AbortSignal, progress: (p: ImportanceProgress) => void): Promise<ImportanceOutcome> {
  // a few hundred predictions of ~100k rows: a plain dense forward pass beats tfjs-cpu by far and needs no backend start-up
  let factor: Float32Array | null = null;
  if (job.storedPredictions) {
    // two-stage: hold the stored P(order) factor fixed while the revenue model is probed
    const base = predictBundle(job.bundle, job.X, job.rows);
    const stored = job.storedPredictions;
    factor = Float32Array.from(base, (v, i) => (v > 0 ? (stored[i] ?? 0) / v : 0));
  }
  const predict = (X: Float32Array, rows: number): Float32Array => {
    const p = predictBundle(job.bundle, X, rows);
    if (factor) for (let i = 0; i < p.length; i++) p[i] = (p[i] ?? 0) * (factor[i] ?? 0);
    return p;
  };
  const result = await permutationImportance({
    predict, X: job.X, rows: job.rows, cols: job.cols, featureGroups: job.featureGroups, y: job.y, score: job.score,
    repeats: job.repeats, seed: job.seed, maxRows: job.maxRows, signal,
    onProgress: (done, total) => progress({ done, total }),
  });
  return { result, backend: 'plain TypeScript forward pass' };
}

serveRequests<ImportanceOps>(self, {
  run: async (job, { signal, progress }) => ({ result: await run(job, signal, progress) }),
  shap: async (job, { signal, progress }) => {
    const result = await explainRows({ ensemble: modelOf(job.modelKey, job.bundle), X: job.X, rows: job.rows, featureGroups: job.featureGroups }, { signal, onProgress: progress });
    return { result, transfer: shapResultTransferables(result) };
  },
  shapBlock: async (job, { signal, progress }) => {
    const result = await explainBlock({ ensemble: modelOf(job.modelKey, job.bundle), X: job.X, rows: job.rows, featureGroups: job.featureGroups, trees: job.trees }, { signal, onProgress: progress });
    return { result, transfer: shapBlockTransferables(result) };
  },
});
