/** The training slice: running jobs by Train cell (epochs, backend, progress; not persisted) and every finished run of the session. The settings are the cells' own. */
import type { StateCreator } from 'zustand';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import { buildTrainingInputs, type TrainingInputsSpec } from '../notebook/trainingInputs.ts';
import { primeEvaluation } from '../notebook/evaluation.ts';
import type { BackendChoice } from '../trainers/backend.ts';
import type { BatchProgress, EpochLog } from '../trainers/types.ts';
import type { TreeProtocolProgress } from '../trainers/trees/treeProtocol.ts';
import { jobWithInputs, type BackendPreference, type TrainOnDataJob, type TrainRequest } from '../workers/trainProtocol.ts';
import { canShareMemory } from '../workers/sharedMemory.ts';
import { getDataClient, getTrainClient, wasmThreadsRequest } from './services.ts';
import { inputsKey, type ModelKind, type Run, type RunBase, type RunId } from '../notebook/runs.ts';
import { ClassifierCellSchema, RegressorCellSchema } from '../notebook/settings.ts';
import { parseOrRefuse } from '../notebook/serializer.ts';
import type { CellId } from './notebookSlice.ts';
import type { WorkbenchState } from './store.ts';
import { currentDataSettings } from './dataSettingsSlice.ts';
import { effectiveSplit, runDataRecord } from '../notebook/dataSettings.ts';
import { binaryLabels } from '../data/validate.ts';
import { planSplit, type RowSplit, type SplitOptions, type SplitSpec } from '../trainers/splitPlan.ts';

export interface JobState {
  readonly status: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  readonly epochs: readonly EpochLog[];
  /** the running epoch's batches (an MLP's), null between epochs */
  readonly batch: BatchProgress | null;
  /** a tree classifier's protocol (fit-row model, fold models, refit): the parts running and the share done; null for other models */
  readonly protocol: TreeProtocolProgress | null;
  readonly maxEpochs: number;
  readonly backend: BackendChoice | null;
  readonly fallbacks: readonly string[];
  readonly error: string | null;
  readonly warnings: readonly string[];
  /** tensors alive on the worker's backend after the job ended (0 = nothing leaked) */
  readonly numTensorsAfter: number | null;
}

export interface TrainingSlice {
  /** each Train cell's job, by cell id (runtime state: never persisted) */
  jobs: Readonly<Record<CellId, JobState>>;
  runs: Run[];
  activeRun: Record<ModelKind, RunId | null>;
  /** the decision threshold the Threshold cell's slider sets */
  threshold: number;
  setThreshold(t: number): void;
  /** the tfjs backend every Train cell trains on (a notebook-wide setting) */
  backendPreference: BackendPreference;
  setBackendPreference(b: BackendPreference): void;
  /** trains Train cell `id` with its own settings; its run joins the session's runs and becomes the active one */
  train(id: CellId): Promise<void>;
  /** trains every Train cell: the classifier cells one after another, beside the regressor cells */
  trainAll(): Promise<void>;
  cancelTraining(id: CellId): void;
  /** cancels every running job */
  cancelAllTraining(): void;
  setActiveRun(kind: ModelKind, id: RunId): void;
}

/** A job that has not started. */
export const IDLE_JOB: JobState = { status: 'idle', epochs: [], batch: null, protocol: null, maxEpochs: 0, backend: null, fallbacks: [], error: null, warnings: [], numTensorsAfter: null };
const idleJob = IDLE_JOB;
const cancels = new Map<CellId, () => void>();
let runCounter = 0;

/** Cell `id`'s job (idle before its first training). */
export function jobOf(s: Pick<TrainingSlice, 'jobs'>, id: CellId): JobState {
  return s.jobs[id] ?? idleJob;
}

/** Whether any Train cell is training now. */
export function anyTraining(s: Pick<TrainingSlice, 'jobs'>): boolean {
  return Object.values(s.jobs).some((j) => j.status === 'running');
}

/** The run a Train cell shows: its own latest, else (runs saved before cells owned settings) the active run of its model. */
export function runOfCell(s: Pick<WorkbenchState, 'runs' | 'activeRun'>, id: CellId, kind: ModelKind): Run | undefined {
  return s.runs.findLast((r) => r.cellId === id) ?? s.runs.find((r) => r.id === s.activeRun[kind] && r.kind === kind && r.cellId === undefined);
}

/** The model a Train cell trains, or null for other cells. */
export function modelKindOfCell(s: Pick<WorkbenchState, 'cells'>, id: CellId): ModelKind | null {
  const kind = s.cells[id]?.kind;
  return kind === 'trainClassifier' ? 'classifier' : kind === 'trainRegressor' ? 'regressor' : null;
}

/** The model matrix and targets for the current data and feature settings. */
export function prepareInputs(s: WorkbenchState): { matrix: ModelMatrix; y: Float32Array; revenue: Float64Array; warnings: string[]; ds: Dataset } {
  const ds = s.dataset;
  if (!ds) throw new Error('no data loaded; load the bundled data or a parquet file first');
  const blocking = s.analysis?.issues ?? [];
  if (blocking.length > 0) throw new Error(`the data does not validate: ${blocking[0]!.message}`);
  return { ...buildTrainingInputs(ds, trainingInputsSpec(s)), ds };
}

/** Rows of a time, group or test-file split for a model's fractions and seed; the random split stays the trainers' own (scikit-learn's rows). */
function splitRowsFor(ds: Dataset, spec: SplitSpec, classTarget: string, o: SplitOptions): { split?: RowSplit } {
  if (spec.kind === 'random') return {};
  const col = ds.columns.find((c) => c.name === classTarget);
  const labels = col === undefined ? null : binaryLabels(col);
  const y = labels === null || typeof labels === 'string' ? null : labels.y;
  const p = planSplit(ds, spec, y, o);
  return { split: { fit: p.fit, valid: p.valid, test: p.test } };
}

/** The Features settings as the training worker needs them to build the matrix itself. */
export function trainingInputsSpec(s: WorkbenchState): TrainingInputsSpec {
  return { classTarget: s.classTarget, revenueTarget: s.revenueTarget, excluded: s.excluded, transforms: s.transforms };
}

export const createTrainingSlice: StateCreator<WorkbenchState, [], [], TrainingSlice> = (set, get) => ({
  jobs: {},
  backendPreference: 'auto',
  runs: [],
  activeRun: { classifier: null, regressor: null },
  threshold: 0.5,
  setBackendPreference(b) {
    set({ backendPreference: b });
  },
  setThreshold(t) {
    set({ threshold: Math.min(1, Math.max(0, t)) });
  },
  setActiveRun(kind, id) {
    const run = get().runs.find((r) => r.id === id);
    set((s) => ({
      activeRun: { ...s.activeRun, [kind]: id },
      ...(run?.kind === 'classifier' ? { threshold: run.result.threshold } : {}),
    }));
  },
  async train(cellId) {
    const s = get();
    const cell = s.cells[cellId];
    const kind = modelKindOfCell(s, cellId);
    if (!cell || kind === null || jobOf(s, cellId).status === 'running') return;
    const patchJob = (patch: Partial<JobState> | ((job: JobState) => Partial<JobState>)) => set((st) => {
      const job = jobOf(st, cellId);
      return { jobs: { ...st.jobs, [cellId]: { ...job, ...(typeof patch === 'function' ? patch(job) : patch) } } };
    });
    const busy = Object.entries(s.jobs).find(([id, j]) => j.status === 'running' && modelKindOfCell(s, id as CellId) === kind);
    if (busy) {
      patchJob({ ...idleJob, status: 'error', error: `another ${kind} cell is training; wait for it or cancel it, then train this one` });
      return;
    }
    if (kind === 'classifier' && s.classTarget === '') {
      patchJob({ ...idleJob, status: 'error', error: 'no class target: it is none, so this model stays idle; pick a two-valued column as the class target in the Features cell' });
      return;
    }
    if (kind === 'regressor' && s.revenueTarget === '') {
      patchJob({ ...idleJob, status: 'error', error: 'no regression target: it is none, so this model stays idle; pick a numeric column as the regression target in the Features cell' });
      return;
    }
    // the worker builds the matrix from the dataset (shared memory when the page is isolated): no pass over rows here
    const ds = s.dataset;
    const blocking = s.analysis?.issues ?? [];
    const problem = !ds ? 'no data loaded; load the bundled data or a parquet file first'
      : blocking.length > 0 ? `the data does not validate: ${blocking[0]!.message}` : null;
    if (!ds || problem !== null) {
      patchJob({ ...idleJob, status: 'error', error: problem });
      return;
    }
    const inputs = trainingInputsSpec(s);
    let job: TrainOnDataJob;
    let key: string;
    const spec = s.splitPlan?.spec ?? { kind: 'random' as const };
    try {
      if (s.splitPlan === null && effectiveSplit(ds, s).kind !== 'random') throw new Error(s.dataSettingsError ?? 'the split could not be made; choose another split in the Features cell');
      // the cell's settings are checked as a notebook file's would be: a bad one is named, nothing trains
      if (kind === 'classifier') {
        const settings = parseOrRefuse(ClassifierCellSchema, cell.config, 'classifier settings');
        const config = settings;
        key = inputsKey(s, config);
        job = { kind, dataset: ds, inputs, config, backend: s.backendPreference, dataSha256: ds.sha256, ...splitRowsFor(ds, spec, s.classTarget, config) };
      } else {
        const settings = parseOrRefuse(RegressorCellSchema, cell.config, 'regressor settings');
        // without a class target there are no positive rows to select or P(positive) to multiply: every row counts
        const config = s.classTarget === '' ? { ...settings, strategy: 'direct' as const } : settings;
        key = inputsKey(s, config);
        job = { kind, dataset: ds, inputs, config, backend: s.backendPreference, dataSha256: ds.sha256, ...splitRowsFor(ds, spec, s.classTarget, config) };
      }
    } catch (err) {
      patchJob({ ...idleJob, status: 'error', error: (err as Error).message });
      return;
    }
    patchJob({ ...idleJob, status: 'running', maxEpochs: job.config.epochs });
    const t0 = performance.now();
    // cross-origin isolated: the data worker builds the matrix once in shared memory and both training workers read it
    // (else each training worker builds its own from the dataset it is sent)
    let request: TrainRequest = job;
    let matrixMs: number | null = null;
    if (canShareMemory()) {
      let cancelled = false;
      cancels.set(cellId, () => { cancelled = true; });
      try {
        request = jobWithInputs(job, await getDataClient().request('trainingInputs', { inputs, prepare: { dateParts: s.dateParts, filters: s.filters } }).result);
      } catch (err) {
        cancels.delete(cellId);
        patchJob({ status: 'error', error: (err as Error).message });
        return;
      }
      matrixMs = performance.now() - t0;
      if (cancelled) {
        cancels.delete(cellId);
        patchJob({ status: 'cancelled' });
        return;
      }
    }
    const client = getTrainClient(kind);
    const handle = client.request('train', { ...request, ...wasmThreadsRequest() }, {
      onProgress: (p) => {
        if (p.kind === 'backend') patchJob({ backend: p.choice });
        else if (p.kind === 'batch') patchJob({ batch: p.progress });
        else if (p.kind === 'protocol') patchJob({ protocol: p.progress });
        else patchJob((j) => ({ epochs: [...j.epochs, p.log], batch: null }));
      },
      onLog: (message) => patchJob((j) => ({ fallbacks: [...j.fallbacks, message] })),
    });
    cancels.set(cellId, handle.cancel);
    try {
      const { outcome, numTensors, evaluation, timings } = await handle.result;
      if (evaluation) primeEvaluation(outcome.result, evaluation);
      const wallMs = performance.now() - t0;
      // the bench reads where the time went: the worker's parts beside the page's wall time (the rest is messages and waiting)
      performance.mark('workbench:trained', { detail: { kind, wallMs, ...timings, ...(matrixMs === null ? {} : { matrixMs }) } });
      runCounter += 1;
      const id = `run-${Date.now().toString(36)}-${runCounter}` as RunId;
      const base: RunBase = {
        id, name: `${kind} #${runCounter}`, createdAt: new Date().toISOString(), wallMs, inputsKey: key,
        featureNames: outcome.result.bundle.preprocessing.featureNames, featureGroups: outcome.result.bundle.preprocessing.featureGroups,
        excluded: inputs.excluded, transforms: inputs.transforms,
        dataSha256: ds.sha256, dataName: ds.source.name, rows: ds.rows, cellId,
        data: runDataRecord(s.rawDataset ?? ds, currentDataSettings(s), spec, s.splitPlan),
      };
      const run: Run = outcome.kind === 'classifier' ? { ...base, kind: 'classifier', result: outcome.result } : { ...base, kind: 'regressor', result: outcome.result };
      set((st) => {
        const j = jobOf(st, cellId);
        return {
          runs: [...st.runs, run],
          activeRun: { ...st.activeRun, [kind]: id },
          ...(run.kind === 'classifier' ? { threshold: run.result.threshold } : {}),
          jobs: { ...st.jobs, [cellId]: { ...j, status: 'done', numTensorsAfter: numTensors, warnings: [...j.warnings, ...outcome.result.warnings] } },
        };
      });
    } catch (err) {
      const e = err as Error;
      const numTensorsAfter = await client.request('memory', null).result.then((m) => m.numTensors, () => null);
      patchJob({ status: e.name === 'AbortError' ? 'cancelled' : 'error', error: e.name === 'AbortError' ? null : e.message, numTensorsAfter });
    } finally {
      cancels.delete(cellId);
    }
  },
  async trainAll() {
    const s = get();
    const cellsOf = (kind: ModelKind) => s.cellIds.filter((id) => modelKindOfCell(s, id) === kind);
    const inTurn = async (ids: readonly CellId[]) => {
      for (const id of ids) await get().train(id);
    };
    // a model whose target is none stays idle
    await Promise.all([inTurn(s.classTarget === '' ? [] : cellsOf('classifier')), inTurn(s.revenueTarget === '' ? [] : cellsOf('regressor'))]);
  },
  cancelTraining(id) {
    cancels.get(id)?.();
  },
  cancelAllTraining() {
    for (const cancel of [...cancels.values()]) cancel();
  },
});
