/** Grid and random hyperparameter search; the unit of work is one (candidate, fold) pair, so any scheduler can spread it. */
import {
  aggregateScores,
  higherIsBetter,
  makeFolds,
  prepareFold,
  resamplerFor,
  scoreFold,
  type CvTask,
  type Fold,
  type FoldScores,
  type MetricName,
  type PreparedFold,
} from './crossValidation.ts';
import { fitFastLogistic, predictProba, type LogisticSolver } from './fastLogistic.ts';
import { createRng } from './random.ts';
import { classWeights } from './resample.ts';
import { DEFAULT_GBDT_PARAMS } from './trees/boosting.ts';
import { fitTreeFold, type TreeFoldSettings } from './trees/foldModel.ts';
import { DEFAULT_FOREST_PARAMS } from './trees/forest.ts';
import type { ResamplingOption } from './types.ts';

/** A hyperparameter value as it crosses a worker boundary. */
export type ParamValue = number | string | boolean;
/** One candidate's settings by name. */
export type Params = Readonly<Record<string, ParamValue>>;

/** A dimension of a random search: a list to choose from, or a numeric range (log-uniform suits C and alpha). */
export type ParamDistribution =
  | readonly ParamValue[]
  | { readonly kind: 'uniform' | 'logUniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'int'; readonly low: number; readonly high: number };

/** Trainers the search can fit many times: logistic regression (classifier), ridge (regressor), gradient boosting and random forests (either, by the data's task). */
export type SearchTrainer = 'logistic' | 'ridge' | 'gbdt' | 'rf';
/** The tree trainers of the search. */
export type TreeSearchTrainer = Extract<SearchTrainer, 'gbdt' | 'rf'>;

/** One searchable tree setting: its name in the Train cell's settings, the words shown, a default grid and random range. */
export interface TreeSearchParam {
  readonly key: string;
  readonly label: string;
  readonly grid: readonly number[];
  readonly low: number;
  readonly high: number;
  /** drawn as a whole number (uniform), else log-uniform */
  readonly integer: boolean;
}

/**
 * The tree settings a search varies (the rest keep the Train cell's defaults). Boosting runs its full `maxIter`
 * in each fold (no validation rows to stop early on), so the number of trees is searched directly.
 */
export const TREE_SEARCH_PARAMS: Readonly<Record<TreeSearchTrainer, readonly TreeSearchParam[]>> = {
  gbdt: [
    { key: 'learningRate', label: 'learning rate', grid: [0.05, 0.1, 0.2], low: 0.01, high: 0.3, integer: false },
    { key: 'maxLeafNodes', label: 'max leaves', grid: [15, 31, 63], low: 7, high: 127, integer: true },
    { key: 'minSamplesLeaf', label: 'min samples per leaf', grid: [20], low: 5, high: 200, integer: true },
    { key: 'l2', label: 'L2 on leaf values', grid: [0], low: 0.001, high: 10, integer: false },
    { key: 'maxIter', label: 'trees (max_iter)', grid: [100], low: 50, high: 300, integer: true },
  ],
  rf: [
    { key: 'nTrees', label: 'trees', grid: [100], low: 50, high: 300, integer: true },
    { key: 'maxDepth', label: 'max depth', grid: [10, 15], low: 4, high: 20, integer: true },
    { key: 'minSamplesLeaf', label: 'min samples per leaf', grid: [1, 5], low: 1, high: 50, integer: true },
  ],
};

/** Whether a trainer fits the 0/1 target (every trainer but ridge). */
export function isClassifierTrainer(t: SearchTrainer): boolean {
  return t !== 'ridge';
}

/** The trainers that can search a task's model, in the order the Search cell offers them. */
export const SEARCH_TRAINERS: Readonly<Record<CvTask, readonly SearchTrainer[]>> = {
  classifier: ['logistic', 'gbdt', 'rf'],
  regressor: ['ridge', 'gbdt', 'rf'],
};

/** The shared matrix: sent to each worker once, then referenced by every work unit. */
export interface SearchData {
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** 0/1 for a classifier, the target value for a regressor */
  readonly y: Float32Array;
  readonly task: CvTask;
}

/** What is searched and how it is scored; identical for every unit of one search. */
export interface SearchSpec {
  readonly trainer: SearchTrainer;
  readonly k: number;
  readonly seed: number;
  /** default true; the scaler is fitted inside each training fold */
  readonly standardise?: boolean;
  /** settings shared by all candidates; a candidate's params override them */
  readonly base?: Params;
}

/** One (candidate, fold) pair: the smallest piece of work a worker runs. */
export interface WorkUnit {
  readonly candidate: number;
  readonly fold: number;
  readonly params: Params;
}

/** Scores of one (candidate, fold) pair. */
export interface UnitResult {
  readonly candidate: number;
  readonly fold: number;
  readonly params: Params;
  readonly scores: FoldScores;
  readonly iterations: number;
  readonly converged: boolean;
  readonly ms: number;
}

/** Mean ± population std per metric for one candidate (the table row and the parallel-coordinates line). */
export interface SummaryRow {
  readonly candidate: number;
  readonly params: Params;
  readonly folds: number;
  readonly mean: FoldScores;
  readonly std: FoldScores;
  readonly allConverged: boolean;
}

/** Every combination of the grid's values, in row-major order of the keys as given (scikit-learn's ParameterGrid sorts keys; we keep the user's order). */
export function gridCandidates(grid: Readonly<Record<string, readonly ParamValue[]>>): Params[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (values.length === 0) throw new Error(`grid parameter "${key}" has no values; give at least one`);
    const next: Record<string, ParamValue>[] = [];
    for (const partial of out) for (const v of values) next.push({ ...partial, [key]: v });
    out = next;
  }
  return out;
}

/** `n` seeded draws from the space; keys are drawn in sorted order so the same seed gives the same candidates anywhere. */
export function randomCandidates(space: Readonly<Record<string, ParamDistribution>>, n: number, seed: number): Params[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n ${n} is not a positive integer; ask for e.g. 20 candidates`);
  const rng = createRng(seed);
  const keys = Object.keys(space).sort();
  const out: Params[] = [];
  for (let i = 0; i < n; i++) {
    const c: Record<string, ParamValue> = {};
    for (const key of keys) {
      const d = space[key] as ParamDistribution;
      if (Array.isArray(d)) {
        if (d.length === 0) throw new Error(`random parameter "${key}" has no values; give at least one`);
        c[key] = d[Math.floor(rng() * d.length)] as ParamValue;
        continue;
      }
      const range = d as Exclude<ParamDistribution, readonly ParamValue[]>;
      if (!(range.high >= range.low)) throw new Error(`parameter "${key}" has low ${range.low} above high ${range.high}; swap them`);
      if (range.kind === 'logUniform') {
        if (!(range.low > 0)) throw new Error(`parameter "${key}" is log-uniform with low ${range.low}; use a positive low`);
        c[key] = Math.exp(Math.log(range.low) + rng() * (Math.log(range.high) - Math.log(range.low)));
      } else if (range.kind === 'int') {
        c[key] = range.low + Math.floor(rng() * (range.high - range.low + 1));
      } else {
        c[key] = range.low + rng() * (range.high - range.low);
      }
    }
    out.push(c);
  }
  return out;
}

/** All units of a search, fold-major: workers then prepare each fold once and reuse it for every candidate. */
export function workUnits(candidates: readonly Params[], k: number): WorkUnit[] {
  const out: WorkUnit[] = [];
  for (let fold = 0; fold < k; fold++) candidates.forEach((params, candidate) => out.push({ candidate, fold, params }));
  return out;
}

/** Folds and prepared folds of one dataset, kept between units; a worker owns one. */
export interface SearchCache {
  readonly data: SearchData;
  readonly folds: Map<string, readonly Fold[]>;
  /** most recently used last; bounded so a worker holds at most a couple of fold copies; keyed by `preparedFoldKey` */
  readonly prepared: Map<string, PreparedFold>;
  readonly capacity: number;
  /** where prepared folds are written (shared memory lets other workers adopt them); default private memory */
  readonly allocate?: (length: number) => Float32Array;
  /** told of every fold this cache prepares (not of adopted ones), e.g. to share it */
  readonly onPrepared?: (key: string, prepared: PreparedFold) => void;
}

/** A cache for one dataset; `capacity` prepared folds (each a copy of ~80 % of the matrix) are kept. */
export function createSearchCache(
  data: SearchData,
  capacity = 2,
  options: { readonly allocate?: (length: number) => Float32Array; readonly onPrepared?: (key: string, prepared: PreparedFold) => void } = {},
): SearchCache {
  return { data, folds: new Map(), prepared: new Map(), capacity, ...options };
}

function foldsKey(spec: Pick<SearchSpec, 'k' | 'seed'>): string {
  return `${spec.k}:${spec.seed}`;
}

/** The k seeded folds of the cache's data, made once and kept: every unit, strategy and worker sees the same rows. */
export function cachedFolds(cache: SearchCache, k: number, seed: number): readonly Fold[] {
  const key = foldsKey({ k, seed });
  let folds = cache.folds.get(key);
  if (!folds) {
    folds = makeFolds(cache.data.y, cache.data.task, k, seed);
    cache.folds.set(key, folds);
  }
  return folds;
}

/** Identifies the prepared fold a unit needs: units with equal keys can share one (the scheduler's unit of reuse). */
export function preparedFoldKey(spec: SearchSpec, unit: WorkUnit): string {
  return `${foldsKey(spec)}:${unit.fold}:${spec.standardise ?? true}:${resamplingOf(spec, unit)}`;
}

/** The unit's resampling of the training fold: a classifier parameter; the ridge regressor never resamples. */
function resamplingOf(spec: SearchSpec, unit: WorkUnit): ResamplingOption {
  return isClassifierTrainer(spec.trainer) ? choiceParam({ ...spec.base, ...unit.params }, 'resampling', RESAMPLINGS, 'none') : 'none';
}

/** Hands the cache folds computed elsewhere (the same `makeFolds` output), so it does not compute them itself. */
export function useFolds(cache: SearchCache, spec: SearchSpec, folds: readonly Fold[]): void {
  if (folds.length !== spec.k) throw new Error(`got ${folds.length} folds for a ${spec.k}-fold search; send the folds of this spec`);
  cache.folds.set(foldsKey(spec), folds);
}

/** Adds a fold another worker prepared (e.g. in shared memory) under its `preparedFoldKey`, unless one is cached. */
export function adoptPreparedFold(cache: SearchCache, key: string, prepared: PreparedFold): void {
  if (!cache.prepared.has(key)) remember(cache, key, prepared);
}

function remember(cache: SearchCache, key: string, prepared: PreparedFold): void {
  cache.prepared.set(key, prepared);
  while (cache.prepared.size > cache.capacity) {
    const oldest = cache.prepared.keys().next().value;
    if (oldest === undefined) break;
    cache.prepared.delete(oldest);
  }
}

function numberParam(p: Params, key: string, fallback: number): number {
  const v = p[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`parameter "${key}" is ${JSON.stringify(v)}; expected a finite number`);
  return v;
}

function choiceParam<T extends string>(p: Params, key: string, allowed: readonly T[], fallback: T): T {
  const v = p[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`parameter "${key}" is ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

const RESAMPLINGS: readonly ResamplingOption[] = ['none', 'oversample', 'smote', 'undersample'];

function preparedFor(data: SearchData, spec: SearchSpec, unit: WorkUnit, cache: SearchCache | undefined): PreparedFold {
  const standardise = spec.standardise ?? true;
  const key = preparedFoldKey(spec, unit);
  const hit = cache?.prepared.get(key);
  if (hit) {
    cache?.prepared.delete(key);
    cache?.prepared.set(key, hit);
    return hit;
  }
  const folds = cache ? cachedFolds(cache, spec.k, spec.seed) : makeFolds(data.y, data.task, spec.k, spec.seed);
  const resample = resamplerFor(resamplingOf(spec, unit));
  const allocate = cache?.allocate;
  const prepared = prepareFold(data, folds, unit.fold, { standardise, ...(resample ? { resample } : {}), ...(allocate ? { allocate } : {}) }, spec.seed);
  if (cache) {
    remember(cache, key, prepared);
    cache.onPrepared?.(key, prepared);
  }
  return prepared;
}

/** Ridge regression with an unpenalised intercept by the normal equations (features are few, rows many). */
function fitRidge(X: Float32Array, rows: number, cols: number, y: Float32Array, alpha: number): { weights: Float64Array; intercept: number } {
  const q = cols + 1;
  const A = new Float64Array(q * q);
  const b = new Float64Array(q);
  const xr = new Float64Array(q);
  xr[cols] = 1;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) xr[j] = X[r * cols + j] as number;
    const yr = y[r] as number;
    for (let j = 0; j < q; j++) {
      const xj = xr[j] as number;
      b[j] = (b[j] as number) + xj * yr;
      for (let k = j; k < q; k++) A[j * q + k] = (A[j * q + k] as number) + xj * (xr[k] as number);
    }
  }
  for (let j = 0; j < q; j++) {
    if (j < cols) A[j * q + j] = (A[j * q + j] as number) + alpha;
    for (let k = 0; k < j; k++) A[j * q + k] = A[k * q + j] as number;
  }
  // Gaussian elimination with partial pivoting: tolerant of an unpenalised, collinear design.
  const M = A.slice();
  const v = b.slice();
  for (let c = 0; c < q; c++) {
    let piv = c;
    for (let r = c + 1; r < q; r++) if (Math.abs(M[r * q + c] as number) > Math.abs(M[piv * q + c] as number)) piv = r;
    if (Math.abs(M[piv * q + c] as number) < 1e-12) continue;
    if (piv !== c) {
      for (let k = 0; k < q; k++) {
        const t = M[c * q + k] as number;
        M[c * q + k] = M[piv * q + k] as number;
        M[piv * q + k] = t;
      }
      const t = v[c] as number;
      v[c] = v[piv] as number;
      v[piv] = t;
    }
    for (let r = c + 1; r < q; r++) {
      const f = (M[r * q + c] as number) / (M[c * q + c] as number);
      if (f === 0) continue;
      for (let k = c; k < q; k++) M[r * q + k] = (M[r * q + k] as number) - f * (M[c * q + k] as number);
      v[r] = (v[r] as number) - f * (v[c] as number);
    }
  }
  const beta = new Float64Array(q);
  for (let r = q - 1; r >= 0; r--) {
    const d = M[r * q + r] as number;
    if (Math.abs(d) < 1e-12) continue;
    let s = v[r] as number;
    for (let k = r + 1; k < q; k++) s -= (M[r * q + k] as number) * (beta[k] as number);
    beta[r] = s / d;
  }
  return { weights: beta.slice(0, cols), intercept: beta[cols] as number };
}

/** Runs one (candidate, fold) unit: prepare the fold (cached), fit, score. Pure, so a worker, node or a test can call it. */
export function evaluateCandidate(
  task: { readonly data: SearchData; readonly spec: SearchSpec; readonly unit: WorkUnit },
  cache?: SearchCache,
  now: () => number = () => performance.now(),
): UnitResult {
  const { data, spec, unit } = task;
  const t0 = now();
  const params: Params = { ...spec.base, ...unit.params };
  const usable = cache && cache.data === data ? cache : undefined;
  if (spec.trainer === 'logistic') {
    if (data.task !== 'classifier') throw new Error(`trainer "logistic" needs a classifier task, not "${data.task}"; use trainer "ridge"`);
    const p = preparedFor(data, spec, unit, usable);
    const classWeight = classWeights(p.train.y, choiceParam<'none' | 'balanced'>(params, 'classWeight', ['none', 'balanced'], 'none'));
    const model = fitFastLogistic({
      X: p.train.X,
      rows: p.train.rows,
      cols: p.train.cols,
      y: p.train.y,
      C: numberParam(params, 'C', 1),
      solver: choiceParam<LogisticSolver>(params, 'solver', ['lbfgs', 'newton'], 'lbfgs'),
      classWeight,
      gtol: numberParam(params, 'tol', 1e-4),
      maxIter: numberParam(params, 'maxIter', 100),
    });
    const scores = scoreFold('classifier', p.validY, predictProba(model, p.validX, p.validRows, p.train.cols));
    return { candidate: unit.candidate, fold: unit.fold, params: unit.params, scores, iterations: model.iterations, converged: model.converged, ms: now() - t0 };
  }
  if (spec.trainer === 'ridge') {
    const p = preparedFor(data, spec, unit, usable);
    const alpha = numberParam(params, 'alpha', 1);
    if (!(alpha >= 0)) throw new Error(`parameter "alpha" is ${alpha}; expected a non-negative number`);
    const model = fitRidge(p.train.X, p.train.rows, p.train.cols, p.train.y, alpha);
    const prediction = new Float32Array(p.validRows);
    for (let r = 0; r < p.validRows; r++) {
      let z = model.intercept;
      for (let j = 0; j < p.train.cols; j++) z += (p.validX[r * p.train.cols + j] as number) * (model.weights[j] as number);
      prediction[r] = z;
    }
    const scores = scoreFold('regressor', p.validY, prediction);
    return { candidate: unit.candidate, fold: unit.fold, params: unit.params, scores, iterations: 1, converged: true, ms: now() - t0 };
  }
  if ((spec.trainer === 'gbdt' || spec.trainer === 'rf') && data.task === 'regressor') {
    // the regressor's target is a value, not a class: nothing to weight or resample
    for (const key of ['classWeight', 'resampling'] as const) {
      const v = params[key];
      if (v !== undefined && v !== 'none') throw new Error(`parameter "${key}" is ${JSON.stringify(v)} in a regressor search; leave it out or use "none"`);
    }
    const p = preparedFor(data, spec, unit, usable);
    const model = fitTreeFold(spec.trainer, 'regressor', p.train, { w0: 1, w1: 1 }, treeSettings(spec.trainer, params), spec.seed);
    const scores = scoreFold('regressor', p.validY, model.predict(p.validX, p.validRows));
    return { candidate: unit.candidate, fold: unit.fold, params: unit.params, scores, iterations: model.trees, converged: true, ms: now() - t0 };
  }
  if (spec.trainer === 'gbdt' || spec.trainer === 'rf') {
    const p = preparedFor(data, spec, unit, usable);
    const classWeight = classWeights(p.train.y, choiceParam<'none' | 'balanced'>(params, 'classWeight', ['none', 'balanced'], 'none'));
    const model = fitTreeFold(spec.trainer, 'classifier', p.train, classWeight, treeSettings(spec.trainer, params), spec.seed);
    const scores = scoreFold('classifier', p.validY, model.predict(p.validX, p.validRows));
    return { candidate: unit.candidate, fold: unit.fold, params: unit.params, scores, iterations: model.trees, converged: true, ms: now() - t0 };
  }
  const never: never = spec.trainer;
  throw new Error(`trainer "${String(never)}" is unknown; use "logistic", "gbdt", "rf" or "ridge"`);
}

/** A candidate's tree settings: the searched ones from its params, the rest the defaults (a missing one keeps its default). */
export function treeSettings(trainer: TreeSearchTrainer, params: Params): TreeFoldSettings {
  if (trainer === 'gbdt') {
    const d = DEFAULT_GBDT_PARAMS;
    return {
      gbdt: {
        learningRate: numberParam(params, 'learningRate', d.learningRate), maxLeafNodes: numberParam(params, 'maxLeafNodes', d.maxLeafNodes),
        minSamplesLeaf: numberParam(params, 'minSamplesLeaf', d.minSamplesLeaf), l2: numberParam(params, 'l2', d.l2), maxIter: numberParam(params, 'maxIter', d.maxIter),
      },
    };
  }
  const d = DEFAULT_FOREST_PARAMS;
  return {
    rf: { nTrees: numberParam(params, 'nTrees', d.nTrees), maxDepth: numberParam(params, 'maxDepth', d.maxDepth ?? 15), minSamplesLeaf: numberParam(params, 'minSamplesLeaf', d.minSamplesLeaf) },
  };
}

/** Table rows: one per candidate seen, in candidate order, with mean ± population std over the folds received so far. */
export function summarise(results: readonly UnitResult[]): SummaryRow[] {
  const byCandidate = new Map<number, UnitResult[]>();
  for (const r of results) {
    const list = byCandidate.get(r.candidate);
    if (list) list.push(r);
    else byCandidate.set(r.candidate, [r]);
  }
  return [...byCandidate.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([candidate, list]) => {
      const { mean, std } = aggregateScores(list.map((r) => r.scores));
      return { candidate, params: (list[0] as UnitResult).params, folds: list.length, mean, std, allConverged: list.every((r) => r.converged) };
    });
}

/** The row with the best mean of `metric` (largest for F1/AUC/R², smallest for losses and errors); ties keep the earlier candidate. */
export function bestCandidate(rows: readonly SummaryRow[], metric: MetricName): SummaryRow {
  const higher = higherIsBetter(metric);
  let best: SummaryRow | undefined;
  for (const row of rows) {
    const v = row.mean[metric];
    if (v === undefined || Number.isNaN(v)) continue;
    const b = best?.mean[metric];
    if (best === undefined || b === undefined || (higher ? v > b : v < b)) best = row;
  }
  if (best === undefined) throw new Error(`no candidate has a score for "${metric}"; run the search or pick a metric of this task`);
  return best;
}
