/** The SHAP slice: per SHAP cell, exact TreeSHAP of a seeded sample of a tree model's test rows and of one picked row, in the importance worker. */
import type { StateCreator } from 'zustand';
import { isRunStale, type ModelKind, type Run, type RunId } from '../notebook/runs.ts';
import type { ShapCellSettings } from '../notebook/settings.ts';
import { sampleRows } from '../trainers/permutationImportance.ts';
import { createRng } from '../trainers/random.ts';
import { subsetRows } from '../trainers/split.ts';
import { sumExplanations, treeBlocks, type ShapExplanation } from '../trainers/trees/shapExplain.ts';
import type { TreeRange } from '../trainers/trees/treeShap.ts';
import { isTreeBundle, type TreeBundle } from '../trainers/trees/treeBundle.ts';
import type { CellId } from './notebookSlice.ts';
import type { ImportanceOps } from '../workers/importanceProtocol.ts';
import type { WorkerClient } from '../workers/workerClient.ts';
import { getImportanceClient, getShapClients } from './services.ts';
import type { WorkbenchState } from './store.ts';
import { prepareInputs } from './trainingSlice.ts';

/** A seeded sample of test rows and its explanation. */
export interface ShapSample {
  readonly explanation: ShapExplanation;
  /** positions in the run's test split of the explained rows, ascending */
  readonly testRows: Uint32Array;
  readonly totalTestRows: number;
  readonly seed: number;
}

/** One test row's explanation (the waterfall). */
export interface ShapRow {
  /** position in the run's test split */
  readonly testRow: number;
  /** the row's index in the data */
  readonly dataRow: number;
  readonly explanation: ShapExplanation;
  /** the stored test prediction of the run for this row (what the Threshold cell counts with) */
  readonly storedOutput: number;
  /** the row's actual target (1/0 for the classifier, dollars for the regressor) */
  readonly actual: number;
  /** why this row was picked (e.g. "a false negative at threshold 0.430"), null when typed in */
  readonly why: string | null;
  /** the row's value of each feature as a user reads it (a one-hot group: its level's column), by feature group */
  readonly featureValues: Readonly<Record<string, string>>;
}

/** A SHAP cell's runtime state (never persisted). */
export interface ShapEntry {
  readonly status: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  readonly runId: RunId | null;
  readonly model: ModelKind;
  readonly done: number;
  readonly total: number;
  readonly error: string | null;
  readonly ms: number | null;
  /** how many workers explained the sample (its trees split between them) */
  readonly workers: number;
  readonly sample: ShapSample | null;
  readonly row: ShapRow | null;
  readonly rowStatus: 'idle' | 'running' | 'error';
  readonly rowError: string | null;
}

export interface ShapSlice {
  shap: Readonly<Record<string, ShapEntry>>;
  /** explains the cell's sample, then its row */
  runShap(cellId: CellId): Promise<void>;
  cancelShap(cellId: CellId): void;
  /** explains one test row (its position in the test split) for the cell's waterfall and remembers it in the cell's settings */
  explainShapRow(cellId: CellId, testRow: number, why?: string): Promise<void>;
}

/** Nothing computed yet. */
export const IDLE_SHAP: ShapEntry = { status: 'idle', runId: null, model: 'classifier', done: 0, total: 0, error: null, ms: null, workers: 1, sample: null, row: null, rowStatus: 'idle', rowError: null };

/** The SHAP cell's settings, or the defaults when the cell is gone. */
function settingsOf(s: WorkbenchState, cellId: CellId): ShapCellSettings | null {
  const cell = s.cells[cellId];
  return cell?.kind === 'shap' ? (cell.config as ShapCellSettings) : null;
}

/** Why the model cannot be explained now (a one-line reason), or its run and tree bundle. */
export function shapTarget(s: WorkbenchState, kind: ModelKind): { run: Run; bundle: TreeBundle } | { reason: string } {
  const runId = s.activeRun[kind];
  const run = s.runs.find((r) => r.id === runId);
  if (!run) return { reason: `no ${kind} trained yet; train it with gbdt or rf first` };
  const bundle = run.result.bundle;
  if (!isTreeBundle(bundle)) return { reason: `SHAP is computed for tree models; train gbdt or rf (the ${kind} is ${run.result.config.model})` };
  return { run, bundle };
}

/** True when a result exists but the model's active run changed or went stale since. */
export function isShapOutdated(s: WorkbenchState, cellId: CellId): boolean {
  const e = s.shap[cellId];
  if (!e?.sample) return false;
  if (e.runId !== s.activeRun[e.model]) return true;
  const run = s.runs.find((r) => r.id === e.runId);
  return run === undefined || isRunStale(s, run);
}

const cancels = new Map<string, () => void>();

/** A key per tree bundle on the page, and the model each SHAP worker holds (by the worker it went to). */
const modelKeys = new WeakMap<TreeBundle, string>();
let modelCount = 0;
const heldModel = new WeakMap<WorkerClient<ImportanceOps>, { readonly generation: number; readonly key: string }>();

/**
 * The model part of a SHAP job for `client`: the bundle the first time its worker gets this model (its copy costs the
 * page ~100 ms for the bundled data's forest), its key alone afterwards. A worker that restarted since gets it again.
 */
function modelFor(client: WorkerClient<ImportanceOps>, bundle: TreeBundle): { readonly modelKey: string; readonly bundle: TreeBundle | null } {
  let key = modelKeys.get(bundle);
  if (key === undefined) {
    modelCount += 1;
    key = `tree-model-${modelCount}`;
    modelKeys.set(bundle, key);
  }
  const held = heldModel.get(client);
  const generation = client.generation;
  heldModel.set(client, { generation, key });
  return { modelKey: key, bundle: held?.key === key && held.generation === generation ? null : bundle };
}

/** After a failed or cancelled job the worker may not hold its model (a queued job cancelled before it ran): send it again next time. */
function forgetModel(client: WorkerClient<ImportanceOps>): void {
  heldModel.delete(client);
}

/** From this many sampled rows on, SHAP splits the trees over two workers (below, starting a second worker costs more than it saves). */
const SHAP_SPLIT_MIN_ROWS = 200;

/** The model matrix rows `dataRows` of the run's inputs, checked against the columns the run was trained on. */
function rowsOf(s: WorkbenchState, run: Run, dataRows: Uint32Array): Float32Array {
  const { matrix } = prepareInputs(s);
  if (matrix.cols !== run.featureNames.length || matrix.featureNames.some((n, i) => n !== run.featureNames[i])) {
    throw new Error(`the model matrix has ${matrix.cols} columns but the ${run.kind} was trained on ${run.featureNames.length}; train it again`);
  }
  return subsetRows(matrix.X, matrix.cols, dataRows);
}

/** One row's feature values by group: a column's number, or the level (column name after the group's) a one-hot group has on. */
function featureValuesOf(run: Run, row: Float32Array): Record<string, string> {
  const out: Record<string, string> = {};
  run.featureGroups.forEach((group, c) => {
    const v = row[c] as number;
    const name = run.featureNames[c] ?? '';
    if (name === group) out[group] = Number.isNaN(v) ? 'missing' : String(Number(v.toPrecision(6)));
    else if (v === 1) out[group] = name.startsWith(`${group}_`) ? name.slice(group.length + 1) : name;
    else out[group] ??= 'none of its levels';
  });
  return out;
}

export const createShapSlice: StateCreator<WorkbenchState, [], [], ShapSlice> = (set, get) => {
  const patch = (cellId: CellId, p: Partial<ShapEntry>): void => set((st) => ({ shap: { ...st.shap, [cellId]: { ...(st.shap[cellId] ?? IDLE_SHAP), ...p } } }));
  /** Explains test row `testRow` of `run` whose model-matrix row is `X` (which is handed to the worker). */
  const explainOne = async (cellId: CellId, run: Run, bundle: TreeBundle, testRow: number, X: Float32Array, why: string | null): Promise<void> => {
    patch(cellId, { rowStatus: 'running', rowError: null });
    try {
      // read before the request: the row travels to the worker (transferred, not copied)
      const featureValues = featureValuesOf(run, X);
      const client = getImportanceClient();
      const explanation = await client.request('shap', { ...modelFor(client, bundle), X, rows: 1, featureGroups: run.featureGroups }).result.catch((err: unknown) => {
        forgetModel(client);
        throw err;
      });
      const storedOutput = run.kind === 'classifier' ? (run.result.testProba[testRow] as number) : (run.result.predTest[testRow] as number);
      const dataRow = run.result.testIndex[testRow] as number;
      patch(cellId, { rowStatus: 'idle', row: { testRow, dataRow, explanation, storedOutput, actual: run.result.yTest[testRow] as number, why, featureValues } });
    } catch (err) {
      patch(cellId, { rowStatus: 'error', rowError: (err as Error).message });
    }
  };
  return {
    shap: {},
    async runShap(cellId) {
      const s = get();
      const cfg = settingsOf(s, cellId);
      if (!cfg || s.shap[cellId]?.status === 'running') return;
      const target = shapTarget(s, cfg.model);
      if ('reason' in target) {
        patch(cellId, { ...IDLE_SHAP, model: cfg.model, status: 'error', error: target.reason });
        return;
      }
      const { run, bundle } = target;
      if (isRunStale(s, run)) {
        patch(cellId, { ...IDLE_SHAP, model: cfg.model, status: 'error', runId: run.id, error: `the ${run.kind} is stale (data, features or settings changed since it was trained); train it again` });
        return;
      }
      const testIndex = run.result.testIndex;
      const testRows = sampleRows(testIndex.length, cfg.sampleSize, createRng(cfg.seed));
      const picked = Math.min(cfg.row, testIndex.length - 1);
      let X: Float32Array;
      let pickedX: Float32Array;
      try {
        // one matrix build for the sample and the waterfall's row (the matrix is built on the page, as for importance)
        const both = rowsOf(s, run, Uint32Array.from([...testRows, picked], (p) => testIndex[p] as number));
        const cols = run.featureNames.length;
        X = both.slice(0, testRows.length * cols);
        pickedX = both.slice(testRows.length * cols);
      } catch (err) {
        patch(cellId, { ...IDLE_SHAP, model: cfg.model, status: 'error', runId: run.id, error: (err as Error).message });
        return;
      }
      // a large sample is explained by two workers (both cores), each with a block of the trees; their values add up exactly
      const clients = testRows.length >= SHAP_SPLIT_MIN_ROWS ? getShapClients() : [getImportanceClient()];
      const blocks = treeBlocks(bundle.treeNodes, clients.length);
      patch(cellId, { ...IDLE_SHAP, model: cfg.model, status: 'running', runId: run.id, total: bundle.treeNodes.length, workers: blocks.length });
      const t0 = performance.now();
      const treesDone = blocks.map(() => 0);
      const handles = clients.slice(0, blocks.length).map((client, i) => {
        // each worker gets its own copy of the rows (transferred); X stays here for the colours
        const job = { ...modelFor(client, bundle), X: X.slice(), rows: testRows.length, featureGroups: run.featureGroups, trees: blocks[i] as TreeRange };
        return client.request('shapBlock', job, {
          onProgress: ({ done }) => {
            treesDone[i] = done;
            patch(cellId, { done: treesDone.reduce((a, b) => a + b, 0) });
          },
        });
      });
      cancels.set(cellId, () => handles.forEach((h) => h.cancel()));
      try {
        const parts = await Promise.all(handles.map((h) => h.result));
        const explanation = sumExplanations(parts, X, run.featureGroups, { task: bundle.kind, model: bundle.model });
        patch(cellId, { status: 'done', ms: performance.now() - t0, sample: { explanation, testRows, totalTestRows: testIndex.length, seed: cfg.seed } });
      } catch (err) {
        // one block failed or was cancelled: the other's work is no longer wanted
        handles.forEach((h) => h.cancel());
        clients.forEach(forgetModel);
        const e = err as Error;
        patch(cellId, { status: e.name === 'AbortError' ? 'cancelled' : 'error', error: e.name === 'AbortError' ? null : e.message });
        return;
      } finally {
        cancels.delete(cellId);
      }
      await explainOne(cellId, run, bundle, picked, pickedX, null);
    },
    cancelShap(cellId) {
      cancels.get(cellId)?.();
    },
    async explainShapRow(cellId, testRow, why) {
      const s = get();
      const cfg = settingsOf(s, cellId);
      if (!cfg) return;
      const target = shapTarget(s, cfg.model);
      if ('reason' in target) {
        patch(cellId, { model: cfg.model, rowStatus: 'error', rowError: target.reason });
        return;
      }
      const { run, bundle } = target;
      const testIndex = run.result.testIndex;
      if (!(Number.isInteger(testRow) && testRow >= 0 && testRow < testIndex.length)) {
        patch(cellId, { rowStatus: 'error', rowError: `test row ${testRow} is outside the ${testIndex.length.toLocaleString('en-US')} test rows; pick 0 to ${(testIndex.length - 1).toLocaleString('en-US')}` });
        return;
      }
      if (cfg.row !== testRow) s.setCellSettings(cellId, 'shap', { row: testRow });
      let X: Float32Array;
      try {
        X = rowsOf(s, run, Uint32Array.of(testIndex[testRow] as number));
      } catch (err) {
        patch(cellId, { rowStatus: 'error', rowError: (err as Error).message });
        return;
      }
      await explainOne(cellId, run, bundle, testRow, X, why ?? null);
    },
  };
};
