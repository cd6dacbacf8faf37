/** The importance slice: permutation importance of each model's active run on its test split, computed in a worker. */
import type { StateCreator } from 'zustand';
import { DEFAULT_REPEATS, type PermutationImportanceResult } from '../trainers/permutationImportance.ts';
import { subsetRows } from '../trainers/split.ts';
import type { ImportanceJob } from '../workers/importanceProtocol.ts';
import { getImportanceClient } from './services.ts';
import type { WorkbenchState } from './store.ts';
import { prepareInputs } from './trainingSlice.ts';
import { isRunStale, type ModelKind, type RunId } from '../notebook/runs.ts';

/** One model's importance: which run it was computed for, progress and the result. */
export interface ImportanceEntry {
  readonly status: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  readonly runId: RunId | null;
  readonly done: number;
  readonly total: number;
  readonly result: PermutationImportanceResult | null;
  readonly error: string | null;
  readonly backend: string | null;
  readonly ms: number | null;
}

export interface ImportanceSlice {
  importance: Record<ModelKind, ImportanceEntry>;
  importanceRepeats: number;
  /** importance is scored on a seeded sample of at most this many test rows */
  importanceMaxRows: number;
  setImportanceRepeats(n: number): void;
  setImportanceMaxRows(n: number): void;
  /** runs both models (or those given) one after the other on the importance worker */
  runImportance(kinds?: readonly ModelKind[]): Promise<void>;
  cancelImportance(): void;
}

/** Nothing computed yet. */
export const IDLE_IMPORTANCE: ImportanceEntry = { status: 'idle', runId: null, done: 0, total: 0, result: null, error: null, backend: null, ms: null };

/** True when a result exists but the model's active run changed or went stale since. */
export function isImportanceOutdated(s: WorkbenchState, kind: ModelKind): boolean {
  const e = s.importance[kind];
  if (!e.result) return false;
  if (e.runId !== s.activeRun[kind]) return true;
  const run = s.runs.find((r) => r.id === e.runId);
  return run === undefined || isRunStale(s, run);
}

/** Enough rows for a stable ranking; an MLP scores 20,000 rows ~100 times in about a minute on a laptop core. */
export const DEFAULT_MAX_ROWS = 20_000;

let cancelCurrent: (() => void) | null = null;
let cancelled = false;

export const createImportanceSlice: StateCreator<WorkbenchState, [], [], ImportanceSlice> = (set, get) => ({
  importance: { classifier: IDLE_IMPORTANCE, regressor: IDLE_IMPORTANCE },
  importanceRepeats: DEFAULT_REPEATS,
  importanceMaxRows: DEFAULT_MAX_ROWS,
  setImportanceRepeats(n) {
    set({ importanceRepeats: Math.max(1, Math.min(50, Math.round(n))) });
  },
  setImportanceMaxRows(n) {
    set({ importanceMaxRows: Math.max(100, Math.round(n)) });
  },
  async runImportance(kinds = ['classifier', 'regressor']) {
    if (Object.values(get().importance).some((e) => e.status === 'running')) return;
    const patch = (kind: ModelKind, p: Partial<ImportanceEntry>) => set((st) => ({ importance: { ...st.importance, [kind]: { ...st.importance[kind], ...p } } }));
    cancelled = false;
    const s = get();
    let inputs: ReturnType<typeof prepareInputs> | null = null;
    for (const kind of kinds) {
      if (cancelled) break;
      const runId = s.activeRun[kind];
      const run = s.runs.find((r) => r.id === runId);
      if (!run || !runId) {
        patch(kind, { ...IDLE_IMPORTANCE, status: 'error', error: `no ${kind} trained yet; train it first (Run all does both)` });
        continue;
      }
      if (isRunStale(get(), run)) {
        patch(kind, { ...IDLE_IMPORTANCE, status: 'error', runId, error: `the ${kind} is stale (data, features or settings changed since it was trained); train it again` });
        continue;
      }
      try {
        inputs ??= prepareInputs(get());
      } catch (err) {
        patch(kind, { ...IDLE_IMPORTANCE, status: 'error', runId, error: (err as Error).message });
        continue;
      }
      const { matrix } = inputs;
      if (matrix.cols !== run.featureNames.length || matrix.featureNames.some((n, i) => n !== run.featureNames[i])) {
        patch(kind, { ...IDLE_IMPORTANCE, status: 'error', runId, error: `the model matrix has ${matrix.cols} columns but the ${kind} was trained on ${run.featureNames.length}; train it again` });
        continue;
      }
      const testIndex = run.result.testIndex;
      const bundle = run.result.bundle;
      const job: ImportanceJob = {
        bundle,
        X: subsetRows(matrix.X, matrix.cols, testIndex),
        rows: testIndex.length,
        cols: matrix.cols,
        featureGroups: run.featureGroups,
        y: run.result.yTest.slice(),
        score: run.kind === 'classifier' ? 'auc' : 'rmse',
        repeats: get().importanceRepeats,
        seed: run.result.seed,
        maxRows: get().importanceMaxRows,
        ...(run.kind === 'regressor' && bundle.preprocessing.conditionalOnOrder ? { storedPredictions: run.result.predTest.slice() } : {}),
      };
      patch(kind, { ...IDLE_IMPORTANCE, status: 'running', runId, total: new Set(run.featureGroups).size * job.repeats });
      const t0 = performance.now();
      const handle = getImportanceClient().request('run', job, { onProgress: ({ done, total }) => patch(kind, { done, total }) });
      cancelCurrent = handle.cancel;
      try {
        const { result, backend } = await handle.result;
        patch(kind, { status: 'done', result, backend, ms: performance.now() - t0 });
      } catch (err) {
        const e = err as Error;
        patch(kind, { status: e.name === 'AbortError' ? 'cancelled' : 'error', error: e.name === 'AbortError' ? null : e.message });
      } finally {
        cancelCurrent = null;
      }
    }
  },
  cancelImportance() {
    cancelled = true;
    cancelCurrent?.();
  },
});
