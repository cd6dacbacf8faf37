import '../notebook-cells/registry.ts';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_METRIC_THRESHOLDS } from '../trainers/targets.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG, type ClassifierResult, type RegressorResult } from '../trainers/types.ts';
import { newCell, type CellEntry, type CellId } from './notebookSlice.ts';
import { notebookDataOf } from './notebookDoc.ts';
import {
  buildSnapshot, checkSnapshot, debounce, estimateBytes, restorePatch, saveWithFallback,
  type CheckedSnapshot, type NotebookSnapshot, type SnapshotInput, type SnapshotStore,
} from './persistence.ts';
import type { ClassifierRun, Run, RunId } from '../notebook/runs.ts';

const ids = ['data-1', 'trainClassifier-1'] as CellId[];
const clf = newCell('trainClassifier', ids[1]!);
const cells: Record<CellId, CellEntry> = {
  [ids[0]!]: { ...newCell('data', ids[0]!), collapsed: true },
  [ids[1]!]: { ...clf, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' } } as CellEntry,
};

function run(id: string, testRows: number, inputsKey: string): ClassifierRun {
  const result = {
    testIndex: new Uint32Array(testRows), yTest: new Float32Array(testRows), testProba: new Float32Array(testRows),
    metrics: { auc_roc: 0.9 }, bundle: { weightData: 'AAAA' }, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' },
  } as unknown as ClassifierResult;
  return {
    id: id as RunId, name: id, createdAt: '2024-01-01T00:00:00.000Z', wallMs: 10, inputsKey, featureNames: ['a'], featureGroups: ['a'],
    excluded: [], transforms: {}, dataSha256: 'abc', dataName: 'training_data.parquet', rows: 100, kind: 'classifier', result,
  };
}

function input(runs: ClassifierRun[]): SnapshotInput {
  return {
    cellIds: ids, cells, dataset: null,
    excluded: ['engagement_depth'], transforms: { pages: { kind: 'log1p' } },
    classTarget: 'is_ordered', revenueTarget: 'revenue', threshold: 0.37, backendPreference: 'wasm',
    revenueIsMoney: true, metricTargets: { ...DEFAULT_METRIC_THRESHOLDS, f1_score: 0.25 },
    runs, activeRun: { classifier: (runs[runs.length - 1]?.id ?? null), regressor: null },
  };
}

const now = () => new Date('2024-05-01T12:00:00Z');

describe('notebook snapshot', () => {
  it('keeps cells, settings, data source and results, and restores them with restored runs stale until their data is back', () => {
    const runs = [run('r1', 1000, 'old'), run('r2', 1000, 'current')];
    const snap = buildSnapshot(input(runs), { data: { type: 'bundled', name: 'training_data.parquet' }, isFresh: (r) => r.inputsKey === 'current', now });
    expect(snap.savedAt).toBe('2024-05-01T12:00:00.000Z');
    expect(snap.notebook['cells']).toEqual([cells[ids[0]!], cells[ids[1]!]]);
    expect(snap.resultsSaved).toBe(true);
    expect(snap.results?.freshRunIds).toEqual(['r2']);
    // 3 arrays of 1,000 4-byte values per run dominate
    expect(snap.resultsBytes).toBeGreaterThan(2 * 12_000);
    expect(snap.resultsBytes).toBeLessThan(2 * 12_000 + 4_000);

    const checked = checkSnapshot(structuredClone(snap));
    expect(typeof checked).not.toBe('string');
    const { patch, freshRunIds, data } = restorePatch(checked as CheckedSnapshot);
    expect(patch.cellIds).toEqual(ids);
    expect(patch.cells).toEqual(cells);
    expect(patch.excluded).toEqual(['engagement_depth']);
    expect(patch.transforms).toEqual({ pages: { kind: 'log1p' } });
    expect(patch.threshold).toBe(0.37);
    expect(patch.backendPreference).toBe('wasm');
    expect(data).toEqual({ type: 'bundled', name: 'training_data.parquet' });
    expect(freshRunIds).toEqual(['r2']);
    expect(patch.runs?.map((r) => r.inputsKey)).toEqual(['restored:old', 'restored:current']);
    expect(patch.runs?.[1]?.kind).toBe('classifier');
    expect((patch.runs?.[1]?.result as ClassifierResult).testProba).toBeInstanceOf(Float32Array);
    expect(patch.activeRun?.classifier).toBe('r2');
    // restoring twice does not stack prefixes
    const again = checkSnapshot({ ...snap, results: { ...snap.results!, runs: patch.runs! } }) as CheckedSnapshot;
    expect(restorePatch(again).patch.runs?.[0]?.inputsKey).toBe('restored:old');
  });

  it('restores a gbdt regressor run saved before init models as boosted from the mean, as it was trained', () => {
    const { initModel: _initModel, ...before } = DEFAULT_REGRESSOR_CONFIG;
    const regressorRun = (id: string, config: object): Run => ({ ...run(id, 10, 'k'), kind: 'regressor', result: { config } } as unknown as Run);
    const runs = [regressorRun('g', { ...before, model: 'gbdt' }), regressorRun('l', { ...before, model: 'linear' }), regressorRun('n', { ...DEFAULT_REGRESSOR_CONFIG, model: 'gbdt' })];
    const snap = buildSnapshot(input(runs as ClassifierRun[]), { data: null, isFresh: () => true, now });
    const { patch } = restorePatch(checkSnapshot(structuredClone(snap)) as CheckedSnapshot);
    expect(patch.runs?.map((r) => (r.result.config as { initModel?: string }).initModel)).toEqual(['mean', undefined, 'linear']);
  });

  it('restores a regressor run saved before target transforms with the transform it applied: logTarget true or absent is log1p, false is none', () => {
    const { targetTransform: _t, ...before } = DEFAULT_REGRESSOR_CONFIG;
    const regressorRun = (id: string, result: object): Run => ({ ...run(id, 10, 'k'), kind: 'regressor', result } as unknown as Run);
    const runs = [
      regressorRun('t', { config: { ...before, logTarget: true } }), regressorRun('f', { config: { ...before, logTarget: false } }),
      regressorRun('a', { config: before }), regressorRun('n', { config: DEFAULT_REGRESSOR_CONFIG, targetTransform: 'none' }),
    ];
    const snap = buildSnapshot(input(runs as ClassifierRun[]), { data: null, isFresh: () => true, now });
    const { patch } = restorePatch(checkSnapshot(structuredClone(snap)) as CheckedSnapshot);
    const restored = (patch.runs ?? []).map((r) => r.result as RegressorResult);
    expect(restored.map((r) => [r.config.targetTransform, r.targetTransform])).toEqual([['log1p', 'log1p'], ['none', 'none'], ['log1p', 'log1p'], ['auto', 'none']]);
    expect(restored.every((r) => !('logTarget' in r.config))).toBe(true);
  });

  it('restores a classifier run saved before threshold folds as chosen on the validation slice, and one before refit as not refitted; a later one keeps both', () => {
    const { thresholdFolds: _folds, refit: _refit, ...before } = DEFAULT_CLASSIFIER_CONFIG;
    const withConfig = (id: string, config: object): ClassifierRun => {
      const r = run(id, 10, 'k');
      return { ...r, result: { ...r.result, config } as ClassifierResult };
    };
    const runs = [withConfig('old', before), withConfig('folds', { ...before, thresholdFolds: 5 }), withConfig('new', DEFAULT_CLASSIFIER_CONFIG)];
    const snap = buildSnapshot(input(runs), { data: null, isFresh: () => true, now });
    const { patch } = restorePatch(checkSnapshot(structuredClone(snap)) as CheckedSnapshot);
    expect(patch.runs?.map((r) => { const c = r.result.config as { thresholdFolds?: number; refit?: boolean }; return [c.thresholdFolds, c.refit]; }))
      .toEqual([[0, false], [5, false], [5, true]]);
  });

  it('restores a run saved without its result as it is (no settings to read), so the cells that show it can say so', () => {
    const broken = [{ ...run('b', 10, 'k'), kind: 'regressor', result: {} }, { ...run('c', 10, 'k'), result: {} }] as unknown as ClassifierRun[];
    const snap = buildSnapshot(input(broken), { data: null, isFresh: () => true, now });
    const { patch } = restorePatch(checkSnapshot(structuredClone(snap)) as CheckedSnapshot);
    expect(patch.runs?.map((r) => [r.id, r.result])).toEqual([['b', {}], ['c', {}]]);
  });

  it('leaves results out beyond the limit and says so', () => {
    const runs = [run('r1', 10_000, 'k')];
    const snap = buildSnapshot(input(runs), { data: null, isFresh: () => true, limitBytes: 100_000, now });
    expect(snap.resultsBytes).toBeGreaterThan(100_000);
    expect(snap.resultsSaved).toBe(false);
    expect(snap.results).toBeNull();
    const { patch } = restorePatch(checkSnapshot(snap) as CheckedSnapshot);
    expect(patch.cells[ids[1]!]?.config).toMatchObject({ model: 'logistic' });
    expect(patch.backendPreference).toBe('wasm');
    expect(patch.runs).toBeUndefined();
  });

  it('with no runs saves no results and counts as saved', () => {
    const snap = buildSnapshot(input([]), { data: { type: 'file', name: 'mine.parquet' }, isFresh: () => true, now });
    expect(snap.results).toBeNull();
    expect(snap.resultsSaved).toBe(true);
    expect(snap.notebook['data']).toEqual({ type: 'file', name: 'mine.parquet' });
  });

  it('rejects what it cannot read, with a reason', () => {
    expect(checkSnapshot(undefined)).toBe('no saved notebook');
    expect(checkSnapshot({ version: 0 })).toMatch(/version number 0/);
    const snap = buildSnapshot(input([]), { data: null, isFresh: () => true, now });
    expect(checkSnapshot({ ...snap, notebook: { ...snap.notebook, cells: [{ id: 'x', kind: 'bogus', collapsed: false }] } })).toMatch(/unknown kind "bogus"/);
    // restored settings are validated like a file's: a bad one is named and nothing is restored
    const badSeed = { ...snap.notebook, cells: [{ id: 'c', kind: 'trainClassifier', collapsed: false, config: { seed: -1 } }] };
    expect(checkSnapshot({ ...snap, notebook: badSeed })).toBe('saved notebook was not restored (cell 1 (trainClassifier) seed is number -1; expected >=0); starting from the default notebook');
  });

  it('restores a version 1 snapshot (settings as loose fields) into cells that own their settings', () => {
    const v1 = {
      version: 1, savedAt: '2024-01-01T00:00:00.000Z', cellIds: ids, cells: [{ id: ids[0], kind: 'data', collapsed: true }, { id: ids[1], kind: 'trainClassifier', collapsed: false }],
      classifierConfig: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' }, regressorConfig: DEFAULT_REGRESSOR_CONFIG, backendPreference: 'wasm',
      excluded: ['engagement_depth'], transforms: { pages: { kind: 'log1p' } }, classTarget: 'is_ordered', revenueTarget: 'revenue', threshold: 0.37,
      source: { type: 'url', url: 'https://h/a.parquet', name: 'a.parquet' }, results: null, resultsBytes: 0, resultsSaved: true,
    };
    const { patch, data } = restorePatch(checkSnapshot(v1) as CheckedSnapshot);
    expect(patch.cells).toEqual(cells);
    expect(patch.cellIds).toEqual(ids);
    expect([patch.excluded, patch.transforms, patch.threshold, patch.backendPreference]).toEqual([['engagement_depth'], { pages: { kind: 'log1p' } }, 0.37, 'wasm']);
    expect(data).toEqual({ type: 'url', url: 'https://h/a.parquet', name: 'a.parquet' });
  });

  it('saves the bundled source by name and a URL by its address', () => {
    expect(notebookDataOf({ type: 'bundled', url: 'http://x/data/training_data.parquet', name: 'training_data.parquet' })).toEqual({ type: 'bundled', name: 'training_data.parquet' });
    expect(notebookDataOf({ type: 'url', url: 'https://h/a.parquet', name: 'a.parquet' })).toEqual({ type: 'url', url: 'https://h/a.parquet', name: 'a.parquet' });
    expect(notebookDataOf(null)).toBeNull();
  });

  it('estimates typed arrays by their size and counts shared buffers once', () => {
    const a = new Float32Array(1000);
    expect(estimateBytes({ a, b: a })).toBe(4000 + 2);
    expect(estimateBytes(['abcd', 1])).toBe(12);
  });

  it('falls back to saving without results when the store refuses the full snapshot', async () => {
    const saved: NotebookSnapshot[] = [];
    const store: SnapshotStore = {
      load: async () => saved[saved.length - 1],
      save: async (s) => {
        if (s.results) throw new Error('QuotaExceededError');
        saved.push(s);
      },
    };
    const snap = buildSnapshot(input([run('r1', 10, 'k')]), { data: null, isFresh: () => true, now });
    const out = await saveWithFallback(store, snap);
    expect(out.resultsSaved).toBe(false);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.results).toBeNull();
  });

  it('debounces saves and flushes a pending one', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      const d = debounce(fn, 100);
      d.call();
      d.call();
      vi.advanceTimersByTime(99);
      expect(fn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(1);
      d.call();
      d.flush();
      expect(fn).toHaveBeenCalledTimes(2);
      d.flush();
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
