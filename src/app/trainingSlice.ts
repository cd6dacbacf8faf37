/** The training slice: model settings, running jobs (epochs, backend, progress) and every finished run of the session. */
import type { StateCreator } from 'zustand';
import { buildModelMatrix } from '../data/encode.ts';
import { binaryLabels } from '../data/validate.ts';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import type { BackendChoice } from '../trainers/backend.ts';
import {
  DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG,
  type ClassifierConfig, type EpochLog, type RegressorConfig,
} from '../trainers/types.ts';
import type { BackendPreference, TrainJob } from '../workers/trainProtocol.ts';
import { getTrainClient } from './services.ts';
import { inputsKey, type ModelKind, type Run, type RunBase, type RunId } from '../notebook/runs.ts';
import type { WorkbenchState } from './store.ts';

export interface JobState {
  readonly status: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  readonly epochs: readonly EpochLog[];
  readonly maxEpochs: number;
  readonly backend: BackendChoice | null;
  readonly fallbacks: readonly string[];
  readonly error: string | null;
  readonly warnings: readonly string[];
  /** tensors alive on the worker's backend after the job ended (0 = nothing leaked) */
  readonly numTensorsAfter: number | null;
}

export interface TrainingSlice {
  classifierConfig: ClassifierConfig;
  regressorConfig: RegressorConfig;
  backendPreference: BackendPreference;
  jobs: Record<ModelKind, JobState>;
  runs: Run[];
  activeRun: Record<ModelKind, RunId | null>;
  /** the decision threshold the Threshold cell's slider sets */
  threshold: number;
  setClassifierConfig(patch: Partial<ClassifierConfig>): void;
  setRegressorConfig(patch: Partial<RegressorConfig>): void;
  setBackendPreference(b: BackendPreference): void;
  setThreshold(t: number): void;
  train(kind: ModelKind): Promise<void>;
  trainBoth(): Promise<void>;
  cancelTraining(kind: ModelKind): void;
  setActiveRun(kind: ModelKind, id: RunId): void;
}

const idleJob: JobState = { status: 'idle', epochs: [], maxEpochs: 0, backend: null, fallbacks: [], error: null, warnings: [], numTensorsAfter: null };
const cancels: Partial<Record<ModelKind, () => void>> = {};
let runCounter = 0;

/** The model matrix and targets for the current data and feature settings. */
export function prepareInputs(s: WorkbenchState): { matrix: ModelMatrix; y: Float32Array; revenue: Float64Array; warnings: string[]; ds: Dataset } {
  const ds = s.dataset;
  if (!ds) throw new Error('no data loaded; load the bundled data or a parquet file first');
  const blocking = s.analysis?.issues ?? [];
  if (blocking.length > 0) throw new Error(`the data does not validate: ${blocking[0]!.message}`);
  const built = buildModelMatrix(ds, {
    targets: [s.classTarget, s.revenueTarget],
    exclude: s.excluded,
    transforms: s.transforms,
  });
  const cls = ds.columns.find((c) => c.name === s.classTarget);
  if (!cls) throw new Error(`class target "${s.classTarget}" is not a column; choose one in the Features cell`);
  const labels = binaryLabels(cls);
  if (typeof labels === 'string') throw new Error(labels);
  const y = Float32Array.from(labels.y, (v) => (v === 1 ? 1 : 0));
  const rev = ds.columns.find((c) => c.name === s.revenueTarget);
  const revenue = rev && rev.kind === 'numeric' ? Float64Array.from(rev.values, (v) => (Number.isNaN(v) ? 0 : v)) : new Float64Array(ds.rows);
  return { matrix: built.matrix, y, revenue, warnings: built.warnings, ds };
}

function copyMatrix(m: ModelMatrix): ModelMatrix {
  return { ...m, X: m.X.slice() };
}

export const createTrainingSlice: StateCreator<WorkbenchState, [], [], TrainingSlice> = (set, get) => ({
  classifierConfig: DEFAULT_CLASSIFIER_CONFIG,
  regressorConfig: DEFAULT_REGRESSOR_CONFIG,
  backendPreference: 'auto',
  jobs: { classifier: idleJob, regressor: idleJob },
  runs: [],
  activeRun: { classifier: null, regressor: null },
  threshold: 0.5,
  setClassifierConfig(patch) {
    set((s) => ({ classifierConfig: { ...s.classifierConfig, ...patch } }));
  },
  setRegressorConfig(patch) {
    set((s) => ({ regressorConfig: { ...s.regressorConfig, ...patch } }));
  },
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
  async train(kind) {
    const s = get();
    if (s.jobs[kind].status === 'running') return;
    const patchJob = (patch: Partial<JobState>) => set((st) => ({ jobs: { ...st.jobs, [kind]: { ...st.jobs[kind], ...patch } } }));
    let inputs: ReturnType<typeof prepareInputs>;
    try {
      inputs = prepareInputs(s);
    } catch (err) {
      patchJob({ ...idleJob, status: 'error', error: (err as Error).message });
      return;
    }
    const key = inputsKey(s, kind);
    const { matrix, y, revenue, ds } = inputs;
    const job: TrainJob = kind === 'classifier'
      ? { kind, matrix: copyMatrix(matrix), y: y.slice(), config: s.classifierConfig, backend: s.backendPreference, dataSha256: ds.sha256 }
      : { kind, matrix: copyMatrix(matrix), revenue: revenue.slice(), isOrdered: y.slice(), config: s.regressorConfig, backend: s.backendPreference, dataSha256: ds.sha256 };
    const maxEpochs = kind === 'classifier' ? s.classifierConfig.epochs : s.regressorConfig.epochs;
    patchJob({ ...idleJob, status: 'running', maxEpochs, warnings: inputs.warnings });
    const t0 = performance.now();
    const client = getTrainClient(kind);
    const handle = client.request('train', job, {
      onProgress: (p) => {
        if (p.kind === 'backend') patchJob({ backend: p.choice });
        else set((st) => ({ jobs: { ...st.jobs, [kind]: { ...st.jobs[kind], epochs: [...st.jobs[kind].epochs, p.log] } } }));
      },
      onLog: (message) => set((st) => ({ jobs: { ...st.jobs, [kind]: { ...st.jobs[kind], fallbacks: [...st.jobs[kind].fallbacks, message] } } })),
    });
    cancels[kind] = handle.cancel;
    try {
      const { outcome, numTensors } = await handle.result;
      const wallMs = performance.now() - t0;
      runCounter += 1;
      const id = `run-${Date.now().toString(36)}-${runCounter}` as RunId;
      const base: RunBase = {
        id, name: `${kind} #${runCounter}`, createdAt: new Date().toISOString(), wallMs, inputsKey: key,
        featureNames: matrix.featureNames, featureGroups: matrix.featureGroups, excluded: get().excluded, transforms: get().transforms,
        dataSha256: ds.sha256, dataName: ds.source.name, rows: ds.rows,
      };
      const run: Run = outcome.kind === 'classifier' ? { ...base, kind: 'classifier', result: outcome.result } : { ...base, kind: 'regressor', result: outcome.result };
      set((st) => ({
        runs: [...st.runs, run],
        activeRun: { ...st.activeRun, [kind]: id },
        ...(run.kind === 'classifier' ? { threshold: run.result.threshold } : {}),
        jobs: { ...st.jobs, [kind]: { ...st.jobs[kind], status: 'done', numTensorsAfter: numTensors, warnings: [...st.jobs[kind].warnings, ...outcome.result.warnings] } },
      }));
    } catch (err) {
      const e = err as Error;
      const numTensorsAfter = await client.request('memory', null).result.then((m) => m.numTensors, () => null);
      patchJob({ status: e.name === 'AbortError' ? 'cancelled' : 'error', error: e.name === 'AbortError' ? null : e.message, numTensorsAfter });
    } finally {
      delete cancels[kind];
    }
  },
  async trainBoth() {
    await Promise.all([get().train('classifier'), get().train('regressor')]);
  },
  cancelTraining(kind) {
    cancels[kind]?.();
  },
});
