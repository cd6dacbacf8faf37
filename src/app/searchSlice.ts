/** The search slice: hyperparameter search and imbalance lab settings, their runs on the search worker pool, and "use best". */
import type { StateCreator } from 'zustand';
import type { CvTask, MetricName } from '../trainers/crossValidation.ts';
import type { LogisticSolver } from '../trainers/fastLogistic.ts';
import type { ImbalanceModel, ImbalanceRow } from '../trainers/imbalanceLab.ts';
import { bestCandidate, gridCandidates, randomCandidates, SEARCH_TRAINERS, summarise, TREE_SEARCH_PARAMS, type ParamDistribution, type ParamValue, type Params, type SearchData, type SearchTrainer, type TreeSearchTrainer, type UnitResult } from '../trainers/search.ts';
import { stratifiedSplit, subsetRows, subsetVector } from '../trainers/split.ts';
import { DEFAULT_REGRESSOR_CONFIG, type RegressorConfig, type ResamplingOption } from '../trainers/types.ts';
import type { TreeSettings } from '../trainers/config.ts';
import { regressorTargetTransform, toFitScale } from '../trainers/targetTransform.ts';
import { createBrowserSearchPool, poolSize, type SearchPool, type SearchProgress } from '../workers/searchPool.ts';
import type { WorkbenchState } from './store.ts';
import { prepareInputs } from './trainingSlice.ts';
import { firstCellOf } from './notebookSlice.ts';

/** What a search ranks candidates by: classifier metrics for the classifier, error metrics for the regressor. */
export type SearchScoring = 'f1' | 'rocAuc' | 'prAuc' | 'logLoss' | 'rmse' | 'mae';
/** Scorings offered per model (the Train classifier or Train regressor cell's), with the words the user reads. */
export const SCORINGS: Readonly<Record<CvTask, ReadonlyArray<readonly [SearchScoring, string]>>> = {
  classifier: [['f1', 'F1 at the fold’s best threshold'], ['rocAuc', 'ROC AUC'], ['prAuc', 'PR AUC'], ['logLoss', 'log loss']],
  regressor: [['rmse', 'RMSE'], ['mae', 'MAE']],
};

/** Grid values (or random low/high) of each tree setting, by trainer and setting name. */
export type TreeSearchValues<T> = Readonly<Record<TreeSearchTrainer, Readonly<Record<string, T>>>>;

const treeDefaults = <T>(pick: (p: (typeof TREE_SEARCH_PARAMS)['gbdt'][number]) => T): TreeSearchValues<T> => ({
  gbdt: Object.fromEntries(TREE_SEARCH_PARAMS.gbdt.map((p) => [p.key, pick(p)])),
  rf: Object.fromEntries(TREE_SEARCH_PARAMS.rf.map((p) => [p.key, pick(p)])),
});

/** The class weighting a search candidate may use. */
export type SearchClassWeight = 'none' | 'balanced';

/** Everything the Search cell lets the user set. */
export interface SearchSettings {
  /** the model the search tunes: the Train classifier cell's or the Train regressor cell's */
  readonly task: CvTask;
  readonly trainer: SearchTrainer;
  readonly mode: 'grid' | 'random';
  readonly cValues: readonly number[];
  readonly solvers: readonly LogisticSolver[];
  readonly classWeights: readonly SearchClassWeight[];
  readonly resamplings: readonly ResamplingOption[];
  readonly alphas: readonly number[];
  /** random search: candidates drawn, and the log-uniform ranges of C and alpha */
  readonly nRandom: number;
  readonly cRange: readonly [number, number];
  readonly alphaRange: readonly [number, number];
  /** gbdt / rf: grid values and random ranges of each searched setting */
  readonly treeGrid: TreeSearchValues<readonly number[]>;
  readonly treeRange: TreeSearchValues<readonly [number, number]>;
  readonly k: number;
  readonly scoring: SearchScoring;
  readonly seed: number;
  /** a stratified sample of this many rows, or 0 for all rows */
  readonly sampleRows: number;
}

/** The default: the issue's grid, C ∈ {0.01, 0.1, 1} × two optimisers, balanced weights, 5 folds, ROC AUC. */
export const DEFAULT_SEARCH_SETTINGS: SearchSettings = {
  task: 'classifier',
  trainer: 'logistic',
  mode: 'grid',
  cValues: [0.01, 0.1, 1],
  solvers: ['lbfgs', 'newton'],
  classWeights: ['balanced'],
  resamplings: ['none'],
  alphas: [0.1, 1, 10, 100],
  nRandom: 10,
  cRange: [0.001, 10],
  alphaRange: [0.01, 1000],
  treeGrid: treeDefaults((p) => p.grid),
  treeRange: treeDefaults((p) => [p.low, p.high] as const),
  k: 5,
  scoring: 'rocAuc',
  seed: 42,
  sampleRows: 0,
};

/** Where a search or an imbalance lab run stands. */
export type PoolRunStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

/** A search run: streamed unit results, progress and what it ran on. */
export interface SearchRunState {
  readonly status: PoolRunStatus;
  readonly task: CvTask;
  readonly trainer: SearchTrainer;
  readonly scoring: SearchScoring;
  readonly candidates: readonly Params[];
  readonly results: readonly UnitResult[];
  readonly progress: SearchProgress | null;
  readonly error: string | null;
  readonly workers: number;
  readonly rows: number;
  readonly features: number;
  readonly k: number;
  readonly wallMs: number | null;
  /** data and feature settings it ran on: the table is stale when they change */
  readonly inputsKey: string;
  /** what "use best" last sent, in words */
  readonly applied: string | null;
}

/** Settings of the imbalance lab. */
export interface ImbalanceSettings {
  /** the model every strategy is fitted with */
  readonly model: ImbalanceModel;
  readonly k: number;
  /** a stratified sample of this many rows, or 0 for all rows */
  readonly sampleRows: number;
  readonly seed: number;
}

/** The lab's default: 5 folds on a 100,000-row stratified sample, so SMOTE's neighbour search stays seconds. */
export const DEFAULT_IMBALANCE_SETTINGS: ImbalanceSettings = { model: 'logistic', k: 5, sampleRows: 100_000, seed: 42 };

/** An imbalance lab run. */
export interface ImbalanceRunState {
  readonly status: PoolRunStatus;
  /** the model it ran with */
  readonly model: ImbalanceModel;
  readonly rows: readonly ImbalanceRow[] | null;
  readonly foldsDone: number;
  readonly k: number;
  readonly progress: SearchProgress | null;
  readonly error: string | null;
  readonly sampleRows: number;
  readonly positives: number;
  readonly workers: number;
  readonly wallMs: number | null;
  readonly inputsKey: string;
}

export interface SearchSlice {
  searchSettings: SearchSettings;
  searchRun: SearchRunState;
  imbalanceSettings: ImbalanceSettings;
  imbalanceRun: ImbalanceRunState;
  setSearchSettings(patch: Partial<SearchSettings>): void;
  runSearch(): Promise<void>;
  cancelSearch(): void;
  /** sends the best candidate (by the run's scoring) to the Train classifier or Train regressor cell */
  useBestCandidate(): void;
  setImbalanceSettings(patch: Partial<ImbalanceSettings>): void;
  runImbalance(): Promise<void>;
  cancelImbalance(): void;
}

const idleSearch: SearchRunState = {
  status: 'idle', task: 'classifier', trainer: 'logistic', scoring: 'rocAuc', candidates: [], results: [], progress: null, error: null,
  workers: 0, rows: 0, features: 0, k: 0, wallMs: null, inputsKey: '', applied: null,
};
const idleImbalance: ImbalanceRunState = {
  status: 'idle', model: 'logistic', rows: null, foldsDone: 0, k: 0, progress: null, error: null, sampleRows: 0, positives: 0, workers: 0, wallMs: null, inputsKey: '',
};

/** The regressor settings a search follows: the first Train regressor cell's (the one "use best" sets), else the defaults. */
function searchRegressorSettings(s: WorkbenchState): RegressorConfig {
  return firstCellOf(s, 'trainRegressor')?.config ?? DEFAULT_REGRESSOR_CONFIG;
}

/** The data and feature settings a search depends on (not the model settings, which the search itself chooses). */
export function searchInputsKey(s: WorkbenchState): string {
  const { strategy, targetTransform } = searchRegressorSettings(s);
  return JSON.stringify([s.dataVersion, s.featuresVersion, s.classTarget, s.revenueTarget, strategy, targetTransform]);
}

/** The candidates the settings describe: a grid over the lists, or seeded random draws (C and alpha log-uniform). */
export function searchCandidates(s: SearchSettings): Params[] {
  if (s.trainer === 'ridge') {
    return s.mode === 'grid'
      ? gridCandidates({ alpha: s.alphas })
      : randomCandidates({ alpha: { kind: 'logUniform', low: s.alphaRange[0], high: s.alphaRange[1] } }, s.nRandom, s.seed);
  }
  if (s.trainer === 'gbdt' || s.trainer === 'rf') {
    const trainer = s.trainer;
    // a regressor's target is a value: no class weights or resampling to search
    const lists: Record<string, readonly ParamValue[]> = s.task === 'classifier' ? { classWeight: s.classWeights, resampling: s.resamplings } : {};
    if (s.mode === 'grid') {
      const grid = Object.fromEntries(TREE_SEARCH_PARAMS[trainer].map((p) => [p.key, s.treeGrid[trainer][p.key] ?? p.grid]));
      return gridCandidates({ ...grid, ...lists });
    }
    const space: Record<string, ParamDistribution> = { ...lists };
    for (const p of TREE_SEARCH_PARAMS[trainer]) {
      const [low, high] = s.treeRange[trainer][p.key] ?? [p.low, p.high];
      space[p.key] = p.integer ? { kind: 'int', low: Math.round(low), high: Math.round(high) } : { kind: 'logUniform', low, high };
    }
    return randomCandidates(space, s.nRandom, s.seed);
  }
  const lists: Record<string, readonly ParamValue[]> = { solver: s.solvers, classWeight: s.classWeights, resampling: s.resamplings };
  if (s.mode === 'grid') return gridCandidates({ C: s.cValues, ...lists });
  const space: Record<string, ParamDistribution> = { C: { kind: 'logUniform', low: s.cRange[0], high: s.cRange[1] }, ...lists };
  return randomCandidates(space, s.nRandom, s.seed);
}

/** Row ids of a stratified sample of `size` rows (all rows when size is 0 or not smaller than n). */
export function sampleIndex(strata: ArrayLike<number>, size: number, seed: number): Uint32Array | null {
  const n = strata.length;
  if (!(size > 0) || size >= n) return null;
  return stratifiedSplit(strata, size / n, seed).test;
}

/** The matrix a search or lab runs on: the current model matrix (excluded features dropped), the task's target, sampled. */
export function searchData(s: WorkbenchState, task: CvTask, sampleRows: number, seed: number): { data: SearchData; positives: number } {
  const { matrix, y, revenue } = prepareInputs(s);
  let X = matrix.X;
  let rows = matrix.rows;
  let target: Float32Array = y;
  if (task === 'regressor') {
    // The regressor's own rows and target, so the winning settings mean the same thing in the Train regressor cell.
    const { strategy, targetTransform } = searchRegressorSettings(s);
    // decided on every row, as the Train regressor cell decides it
    const { transform } = regressorTargetTransform(targetTransform, revenue);
    const keep = strategy === 'direct' ? null : Uint32Array.from({ length: rows }, (_, i) => i).filter((i) => y[i] === 1);
    if (keep) {
      X = subsetRows(X, matrix.cols, keep);
      rows = keep.length;
    }
    const rev = keep ? subsetVector(revenue, keep) : revenue;
    target = Float32Array.from(rev, (v) => toFitScale(transform, v));
  }
  const strata = task === 'regressor' ? target.map((v) => (v > 0 ? 1 : 0)) : target;
  const idx = sampleIndex(strata, sampleRows, seed);
  if (idx) {
    X = subsetRows(X, matrix.cols, idx);
    target = subsetVector(target, idx);
    rows = idx.length;
  } else if (X === matrix.X) {
    X = X.slice();
    target = target.slice();
  }
  let positives = 0;
  for (const v of target) if (v === 1) positives++;
  return { data: { X, rows, cols: matrix.cols, y: target, task }, positives };
}

/** How a candidate's settings read on screen. */
export function describeParams(p: Params): string {
  return Object.entries(p).map(([k, v]) => `${k} = ${typeof v === 'number' ? Number(v.toPrecision(3)) : String(v)}`).join(', ');
}

function hardwareThreads(): number {
  return typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

let searchPool: SearchPool | null = null;
let imbalancePool: SearchPool | null = null;
let cancelSearchRun: (() => void) | null = null;
let cancelImbalanceRun: (() => void) | null = null;

export const createSearchSlice: StateCreator<WorkbenchState, [], [], SearchSlice> = (set, get) => ({
  searchSettings: DEFAULT_SEARCH_SETTINGS,
  searchRun: idleSearch,
  imbalanceSettings: DEFAULT_IMBALANCE_SETTINGS,
  imbalanceRun: idleImbalance,
  setSearchSettings(patch) {
    set((s) => {
      let next = { ...s.searchSettings, ...patch };
      // logistic searches the classifier and ridge the regressor; trees either: switching the model keeps a trainer that can fit it
      if (patch.trainer === 'logistic' || patch.trainer === 'ridge') next = { ...next, task: patch.trainer === 'ridge' ? 'regressor' : 'classifier' };
      if (!SEARCH_TRAINERS[next.task].includes(next.trainer)) next = { ...next, trainer: SEARCH_TRAINERS[next.task][0] ?? next.trainer };
      // and a scoring that model has
      const scorings = SCORINGS[next.task].map(([v]) => v);
      return { searchSettings: scorings.includes(next.scoring) ? next : { ...next, scoring: scorings[0] ?? next.scoring } };
    });
  },
  async runSearch() {
    const s = get();
    if (s.searchRun.status === 'running') return;
    const settings = s.searchSettings;
    const patch = (p: Partial<SearchRunState>) => set((st) => ({ searchRun: { ...st.searchRun, ...p } }));
    let data: SearchData;
    let candidates: Params[];
    try {
      candidates = searchCandidates(settings);
      ({ data } = searchData(s, settings.task, settings.sampleRows, settings.seed));
    } catch (err) {
      set({ searchRun: { ...idleSearch, status: 'error', error: (err as Error).message } });
      return;
    }
    const units = candidates.length * settings.k;
    const workers = poolSize(hardwareThreads(), units);
    set({
      searchRun: {
        ...idleSearch, status: 'running', task: settings.task, trainer: settings.trainer, scoring: settings.scoring, candidates, workers,
        rows: data.rows, features: data.cols, k: settings.k, inputsKey: searchInputsKey(s), progress: { done: 0, total: units, running: 0, elapsedMs: 0, etaMs: null },
      },
    });
    const t0 = performance.now();
    searchPool?.terminate();
    const pool = createBrowserSearchPool({ size: workers });
    searchPool = pool;
    const run = (() => {
      const loaded = pool.load(data);
      const handle = pool.run({
        spec: { trainer: settings.trainer, k: settings.k, seed: settings.seed },
        candidates,
        onResult: (result, progress) => set((st) => ({ searchRun: { ...st.searchRun, results: [...st.searchRun.results, result], progress } })),
      });
      return { results: Promise.all([loaded, handle.results]).then(([, r]) => r), cancel: handle.cancel };
    })();
    cancelSearchRun = run.cancel;
    try {
      await run.results;
      patch({ status: 'done', wallMs: performance.now() - t0 });
    } catch (err) {
      const e = err as Error;
      patch({ status: e.name === 'AbortError' ? 'cancelled' : 'error', error: e.name === 'AbortError' ? null : e.message, wallMs: performance.now() - t0 });
    } finally {
      cancelSearchRun = null;
      pool.terminate();
      if (searchPool === pool) searchPool = null;
    }
  },
  cancelSearch() {
    cancelSearchRun?.();
  },
  useBestCandidate() {
    const run = get().searchRun;
    const rows = summarise(run.results);
    if (rows.length === 0) return;
    const best = bestCandidate(rows, run.scoring as MetricName);
    const p = best.params;
    if (run.trainer === 'gbdt' || run.trainer === 'rf') {
      const trainer = run.trainer;
      const searched = Object.fromEntries(TREE_SEARCH_PARAMS[trainer].flatMap((d) => (typeof p[d.key] === 'number' ? [[d.key, p[d.key] as number]] : [])));
      // boosting ran its full max_iter in every fold: keep that number of trees in the Train cell (no early stopping)
      const withSearched = (trees: TreeSettings): TreeSettings => (trainer === 'gbdt' ? { ...trees, gbdt: { ...trees.gbdt, ...searched, earlyStopping: false } } : { ...trees, rf: { ...trees.rf, ...searched } });
      // a regressor's boosting starts from the mean, as the search's folds did (below): the sentence says so
      const what = (fromMean: boolean): string => `${trainer === 'gbdt' ? `gradient boosting (${fromMean ? 'from the mean, ' : ''}early stopping off, as in the search)` : 'the random forest'} with ${describeParams(searched)}`;
      let applied: string;
      if (run.task === 'regressor') {
        const cell = firstCellOf(get(), 'trainRegressor');
        // the search's folds boost from the mean: the Train cell does too, so it trains the model the search scored
        if (cell) get().setCellSettings(cell.id, 'trainRegressor', { model: trainer, trees: withSearched(cell.config.trees), ...(trainer === 'gbdt' ? { initModel: 'mean' as const } : {}) });
        applied = `Train regressor now uses ${what(true)}.`;
      } else {
        const classWeight = p.classWeight === 'balanced' ? 'balanced' : 'none';
        const resampling = (typeof p.resampling === 'string' ? p.resampling : 'none') as ResamplingOption;
        const cell = firstCellOf(get(), 'trainClassifier');
        if (cell) get().setCellSettings(cell.id, 'trainClassifier', { model: trainer, classWeight, resampling, trees: withSearched(cell.config.trees) });
        applied = `Train classifier now uses ${what(false)}, class weights ${classWeight}, resampling ${resampling}.`;
      }
      set((st) => ({ searchRun: { ...st.searchRun, applied } }));
    } else if (run.trainer === 'logistic') {
      const C = typeof p.C === 'number' ? p.C : 1;
      const classWeight = p.classWeight === 'balanced' ? 'balanced' : 'none';
      const resampling = (typeof p.resampling === 'string' ? p.resampling : 'none') as ResamplingOption;
      const cell = firstCellOf(get(), 'trainClassifier');
      if (cell) get().setCellSettings(cell.id, 'trainClassifier', { model: 'logistic', C, classWeight, resampling });
      set((st) => ({ searchRun: { ...st.searchRun, applied: `Train classifier now uses logistic regression with C = ${Number(C.toPrecision(4))}, class weights ${classWeight}, resampling ${resampling}${typeof p.solver === 'string' ? ` (the search's ${p.solver} solver reaches the same optimum as the trainer's)` : ''}.` } }));
    } else {
      const alpha = typeof p.alpha === 'number' ? p.alpha : 1;
      const cell = firstCellOf(get(), 'trainRegressor');
      if (cell) get().setCellSettings(cell.id, 'trainRegressor', { model: 'linear', l2: alpha });
      set((st) => ({ searchRun: { ...st.searchRun, applied: `Train regressor now uses the linear model with ridge alpha = ${Number(alpha.toPrecision(4))}.` } }));
    }
  },
  setImbalanceSettings(patch) {
    set((s) => ({ imbalanceSettings: { ...s.imbalanceSettings, ...patch } }));
  },
  async runImbalance() {
    const s = get();
    if (s.imbalanceRun.status === 'running') return;
    const settings = s.imbalanceSettings;
    const patch = (p: Partial<ImbalanceRunState>) => set((st) => ({ imbalanceRun: { ...st.imbalanceRun, ...p } }));
    let data: SearchData;
    let positives: number;
    try {
      ({ data, positives } = searchData(s, 'classifier', settings.sampleRows, settings.seed));
    } catch (err) {
      set({ imbalanceRun: { ...idleImbalance, status: 'error', error: (err as Error).message } });
      return;
    }
    const workers = poolSize(hardwareThreads(), settings.k);
    set({
      imbalanceRun: {
        ...idleImbalance, status: 'running', model: settings.model, k: settings.k, sampleRows: data.rows, positives, workers, inputsKey: searchInputsKey(s),
        progress: { done: 0, total: settings.k, running: 0, elapsedMs: 0, etaMs: null },
      },
    });
    const t0 = performance.now();
    imbalancePool?.terminate();
    const pool = createBrowserSearchPool({ size: workers });
    imbalancePool = pool;
    const loaded = pool.load(data);
    const handle = pool.runImbalance({ k: settings.k, seed: settings.seed, model: settings.model, onFold: (_r, progress) => patch({ foldsDone: progress.done, progress }) });
    cancelImbalanceRun = handle.cancel;
    try {
      const [, rows] = await Promise.all([loaded, handle.rows]);
      patch({ status: 'done', rows, wallMs: performance.now() - t0 });
    } catch (err) {
      const e = err as Error;
      patch({ status: e.name === 'AbortError' ? 'cancelled' : 'error', error: e.name === 'AbortError' ? null : e.message, wallMs: performance.now() - t0 });
    } finally {
      cancelImbalanceRun = null;
      pool.terminate();
      if (imbalancePool === pool) imbalancePool = null;
    }
  },
  cancelImbalance() {
    cancelImbalanceRun?.();
  },
});
