/**
 * The tree classifier's default protocol as separate fits ("units"): the fit-row model, the threshold's k fold models and
 * the refit on every training row. A unit reads only the shared inputs and its own description, so the same code runs in
 * the training worker one unit after another (`inProcessUnitRunner`) or in helper workers, several at once (the workers'
 * runner, `src/workers/treeUnitProtocol.ts`): each unit's result is the same bit for bit wherever it runs.
 */
import { binaryColumns, resampleFitRows } from '../classifier.ts';
import { classWeights } from '../resample.ts';
import { applyScaler, fitStandardScaler } from '../scaler.ts';
import { stratifiedKFold, stratifiedSplit, subsetRows, subsetVector } from '../split.ts';
import type { ClassifierConfig, Clock } from '../types.ts';
import type { TreeSettings } from '../config.ts';
import { fitGbdt } from './boosting.ts';
import { outputFromRaw, predictRaw, type CancelFlag, type TreeEnsemble, type TreeModelKind, type TreeProgress } from './ensemble.ts';
import { fitForest } from './forest.ts';

/** A classifier config whose model is a tree ensemble. */
export type TreeClassifierConfig = Omit<ClassifierConfig, 'model'> & { readonly model: TreeModelKind; readonly trees: TreeSettings };

/** What every unit reads: the matrix, every row's 0/1 label, the split's fit rows, validation slice and their union (sorted). */
export interface TreeProtocolData {
  /** row-major, `cols` per row (shared memory when helper workers read it) */
  readonly X: Float32Array;
  readonly cols: number;
  readonly y: Float32Array;
  readonly fit: Uint32Array;
  readonly valid: Uint32Array;
  readonly training: Uint32Array;
  readonly config: TreeClassifierConfig;
}

/** One fit of the protocol: the fit-row model (early-stopped on the validation slice), fold `fold` (0-based) of the threshold's folds, or the refit. */
export type TreeProtocolUnit =
  | { readonly kind: 'fit' }
  | { readonly kind: 'fold'; readonly fold: number }
  /** `maxIter`: boosting's tree count (the fit-row model's early-stopped count); null for a forest */
  | { readonly kind: 'refit'; readonly maxIter: number | null };

/** A fitted model of the protocol (fit-row model or refit) as plain data that crosses to and from workers. */
export interface TreeModelUnitResult {
  readonly kind: 'fit' | 'refit';
  readonly ensemble: TreeEnsemble;
  readonly history: readonly TreeProgress[];
  /** boosting stopped before max_iter (false for a forest) */
  readonly stoppedEarly: boolean;
  readonly grouped: boolean;
  /** labels of the rows fitted (resampled ones included) */
  readonly fitY: Float32Array;
  readonly resampled: number;
  /** the unit's own time, in the thread that ran it */
  readonly ms: number;
}

/** A fold model's scores of its held-out training rows. */
export interface TreeFoldUnitResult {
  readonly kind: 'fold';
  readonly fold: number;
  /** positions in `training` of the held-out rows */
  readonly positions: Uint32Array;
  /** P(positive) of those rows, float32 as the bundle's predictions round it */
  readonly scores: Float32Array;
  readonly ms: number;
}

export type TreeUnitResult = TreeModelUnitResult | TreeFoldUnitResult;

/** What a runner says while its units run: a unit's tree finished, a unit finished (by its index in the units). */
export interface TreeUnitEvents {
  tree(unit: number, p: TreeProgress): void;
  done(unit: number): void;
}

/** Runs units, in order or several at once; results come back in the order of `units`. */
export interface TreeUnitRunner {
  /** how many units run at once (1: one after another) */
  readonly parallel: number;
  run(data: TreeProtocolData, units: readonly TreeProtocolUnit[], events: TreeUnitEvents, signal?: CancelFlag): Promise<TreeUnitResult[]>;
}

/** Options of one unit besides the data. */
export interface UnitHooks {
  readonly now?: Clock;
  readonly signal?: CancelFlag;
  readonly onTree?: (p: TreeProgress) => void;
}

/** Fits one unit of the protocol (see `TreeProtocolUnit`); the same in the training worker and in a helper. */
export function runTreeUnit(data: TreeProtocolData, unit: TreeProtocolUnit, hooks: UnitHooks = {}): TreeUnitResult {
  const now = hooks.now ?? (() => performance.now());
  const t0 = now();
  const { config } = data;
  switch (unit.kind) {
    case 'fit': {
      const r = fitOnRows(data, data.fit, data.valid, config, hooks);
      return { kind: 'fit', ...r, ms: now() - t0 };
    }
    case 'refit': {
      const refitConfig: TreeClassifierConfig = unit.maxIter !== null
        ? { ...config, trees: { ...config.trees, gbdt: { ...config.trees.gbdt, maxIter: unit.maxIter, earlyStopping: false } } }
        : config;
      const r = fitOnRows(data, data.training, null, refitConfig, hooks);
      return { kind: 'refit', ...r, ms: now() - t0 };
    }
    case 'fold': {
      const { training, y: yAll } = data;
      const fold = thresholdFolds(data)[unit.fold];
      if (!fold) throw new Error(`fold ${unit.fold} does not exist; the protocol has ${config.thresholdFolds} folds (0 to ${config.thresholdFolds - 1})`);
      // fitted as the final model is (its own validation slice of the same share, resampling, class weights) on the other folds
      const part = Uint32Array.from(fold.train, (j) => training[j] as number);
      const inner = stratifiedSplit(subsetVector(yAll, part), config.validationFraction, config.seed + 1);
      const pick = (idx: Uint32Array): Uint32Array => Uint32Array.from(idx, (j) => part[j] as number).sort();
      const { ensemble } = fitOnRows(data, pick(inner.train), pick(inner.test), config, hooks);
      const held = Uint32Array.from(fold.valid, (j) => training[j] as number);
      const scores = Float32Array.from(outputFromRaw(ensemble, predictRaw(ensemble, data.X, held)));
      return { kind: 'fold', fold: unit.fold, positions: fold.valid, scores, ms: now() - t0 };
    }
  }
}

/** The k stratified folds (positions in `training`) of TunedThresholdClassifierCV(cv=k). */
function thresholdFolds(data: TreeProtocolData): Array<{ train: Uint32Array; valid: Uint32Array }> {
  return stratifiedKFold(subsetVector(data.y, data.training), data.config.thresholdFolds, data.config.seed);
}

/** Resamples and weights `fitRows` as the config says and fits the boosted or forest model, `validRows` (if any) driving early stopping. */
function fitOnRows(data: TreeProtocolData, fitRows: Uint32Array, validRows: Uint32Array | null, config: TreeClassifierConfig, hooks: UnitHooks): Omit<TreeModelUnitResult, 'kind' | 'ms'> {
  const { cols, y: yAll } = data;
  let fitX = data.X;
  let fitIdx = fitRows;
  let fitY = subsetVector(yAll, fitRows);
  let resampled = 0;
  if (config.resampling !== 'none') {
    // resampling works on standardised rows (SMOTE's distances), then the rows go back to their own units for binning
    const fitRaw = subsetRows(data.X, cols, fitRows);
    const scaler = fitStandardScaler(fitRaw, fitRows.length, cols);
    const r = resampleFitRows(applyScaler(fitRaw, fitRows.length, cols, scaler), fitRows.length, cols, fitY, config, binaryColumns(fitRaw, fitRows.length, cols));
    fitX = r.X.map((v, k) => v * (scaler.scale[k % cols] as number) + (scaler.mean[k % cols] as number));
    fitIdx = Uint32Array.from({ length: r.rows }, (_, i) => i);
    fitY = r.y;
    resampled = r.added;
  }
  const { w0, w1 } = classWeights(fitY, config.classWeight);
  const validY = subsetVector(yAll, validRows ?? new Uint32Array(0));
  const train = { X: fitX, cols, rowIdx: fitIdx, y: fitY, weight: fitY.map((v) => (v === 1 ? w1 : w0)) };
  const valid = validRows ? { valid: { X: data.X, cols, rowIdx: validRows, y: validY, weight: validY.map((v) => (v === 1 ? w1 : w0)) } } : {};
  const common = { task: 'classifier' as const, train, ...valid, ...(hooks.now ? { now: hooks.now } : {}), ...(hooks.onTree ? { onTree: hooks.onTree } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) };
  if (config.model === 'gbdt') {
    const g = fitGbdt({ ...common, params: { ...config.trees.gbdt, seed: config.seed } });
    return { ensemble: g.ensemble, history: g.history, stoppedEarly: g.stoppedEarly, grouped: g.grouped, fitY, resampled };
  }
  const f = fitForest({ ...common, params: { ...config.trees.rf, seed: config.seed } });
  return { ensemble: f.ensemble, history: f.history, stoppedEarly: false, grouped: f.grouped, fitY, resampled };
}

/** Runs the units one after another in this thread, each checking the signal before every tree. */
export function inProcessUnitRunner(now?: Clock): TreeUnitRunner {
  return {
    parallel: 1,
    run: (data, units, events, signal) => {
      const hooks = { ...(now ? { now } : {}), ...(signal ? { signal } : {}) };
      return Promise.resolve(units.map((unit, i) => {
        const r = runTreeUnit(data, unit, { ...hooks, onTree: (p) => events.tree(i, p) });
        events.done(i);
        return r;
      }));
    },
  };
}

/** How far the protocol is, as the Train cell shows it. */
export interface TreeProtocolProgress {
  /** share of the protocol's work done (rows × trees of each part), 0 to 1 */
  readonly fraction: number;
  /** the parts running now, in the user's words: "fold 3 of 5: 40 / 100 trees" */
  readonly running: readonly string[];
  readonly partsDone: number;
  readonly parts: number;
}

/** A part's name as the Train cell shows it. */
export function unitLabel(unit: TreeProtocolUnit, data: Pick<TreeProtocolData, 'fit' | 'training' | 'config'>): string {
  const rows = (n: number): string => n.toLocaleString('en-US');
  switch (unit.kind) {
    case 'fit':
      return `fit on the ${rows(data.fit.length)} fit rows`;
    case 'fold':
      return `fold ${unit.fold + 1} of ${data.config.thresholdFolds}`;
    case 'refit':
      return `refit on all ${rows(data.training.length)} training rows`;
  }
}

/**
 * Follows the protocol's units as their trees finish: each part weighs its rows times its planned trees (boosting's
 * max_iter until early stopping ends it; the refit's count once the fit-row model has set it), so the fraction only grows.
 */
export function protocolTracker(data: Pick<TreeProtocolData, 'fit' | 'training' | 'config'>, units: readonly TreeProtocolUnit[]) {
  const { config } = data;
  const planned = (u: TreeProtocolUnit): number => (config.model === 'gbdt' ? (u.kind === 'refit' && u.maxIter !== null ? u.maxIter : config.trees.gbdt.maxIter) : config.trees.rf.nTrees);
  const foldRows = Math.round(data.training.length * (1 - 1 / Math.max(2, config.thresholdFolds)) * (1 - config.validationFraction));
  const rowsOf = (u: TreeProtocolUnit): number => (u.kind === 'fit' ? data.fit.length : u.kind === 'refit' ? data.training.length : foldRows);
  const parts = units.map((u) => ({ unit: u, label: unitLabel(u, data), weight: rowsOf(u) * planned(u), trees: 0, planned: planned(u), done: false, started: false }));
  const snapshot = (): TreeProtocolProgress => {
    let total = 0;
    let done = 0;
    for (const p of parts) {
      total += p.weight;
      done += p.done ? p.weight : p.weight * Math.min(1, p.trees / p.planned);
    }
    return {
      fraction: total > 0 ? done / total : 0,
      running: parts.filter((p) => p.started && !p.done).map((p) => `${p.label}: ${p.trees} / ${p.planned} trees`),
      partsDone: parts.filter((p) => p.done).length,
      parts: parts.length,
    };
  };
  return {
    /** a unit's tree finished */
    tree(i: number, p: TreeProgress): TreeProtocolProgress {
      const part = parts[i];
      if (part) {
        part.started = true;
        part.trees = p.tree;
      }
      return snapshot();
    },
    /** a unit finished (boosting may have stopped early) */
    finished(i: number): TreeProtocolProgress {
      const part = parts[i];
      if (part) part.done = true;
      return snapshot();
    },
    /** the refit's tree count, once the fit-row model has set it */
    plan(i: number, unit: TreeProtocolUnit): void {
      const part = parts[i];
      if (!part) return;
      part.unit = unit;
      part.planned = planned(unit);
      part.weight = rowsOf(unit) * part.planned;
    },
    snapshot,
  };
}

/** Passes on a protocol report when `everyMs` have passed since the last one, or a part started or finished (the page re-renders on each). */
export function throttledProtocol(emit: (p: TreeProtocolProgress) => void, everyMs: number, now: Clock = () => performance.now()): (p: TreeProtocolProgress) => void {
  let last = Number.NEGATIVE_INFINITY;
  let shape = '';
  return (p) => {
    const t = now();
    const parts = `${p.partsDone}/${p.running.map((r) => r.replace(/:.*/, '')).join(',')}`;
    if (t - last < everyMs && parts === shape && p.fraction < 1) return;
    last = t;
    shape = parts;
    emit(p);
  };
}
