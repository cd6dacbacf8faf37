import '../notebook-cells/registry.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { TREE_SEARCH_PARAMS, type UnitResult } from '../trainers/search.ts';
import { DEFAULT_SEARCH_SETTINGS, searchCandidates } from './searchSlice.ts';
import { firstCellOf } from './notebookSlice.ts';
import { useWorkbench } from './store.ts';

beforeEach(() => {
  useWorkbench.getState().resetNotebook();
});

describe('search candidates over tree settings', () => {
  it('the default gbdt grid: learning rate × max leaves × min samples per leaf × L2 × trees, with weights and resampling', () => {
    const c = searchCandidates({ ...DEFAULT_SEARCH_SETTINGS, trainer: 'gbdt' });
    expect(c).toHaveLength(3 * 3);
    expect(Object.keys(c[0]!).sort()).toEqual(['classWeight', 'l2', 'learningRate', 'maxIter', 'maxLeafNodes', 'minSamplesLeaf', 'resampling']);
    expect(new Set(c.map((p) => `${p.learningRate}/${p.maxLeafNodes}`)).size).toBe(9);
  });

  it('random forest draws stay inside their ranges, whole numbers where the setting is a count', () => {
    const s = { ...DEFAULT_SEARCH_SETTINGS, trainer: 'rf' as const, mode: 'random' as const, nRandom: 25 };
    const c = searchCandidates(s);
    expect(c).toHaveLength(25);
    for (const p of TREE_SEARCH_PARAMS.rf) {
      for (const cand of c) {
        const v = cand[p.key] as number;
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(p.low);
        expect(v).toBeLessThanOrEqual(p.high);
      }
    }
    expect(searchCandidates(s)).toEqual(c);
  });
});

describe('a search of the regressor with trees', () => {
  it('switching to the regressor keeps a tree trainer, swaps logistic for ridge, and scores by RMSE', () => {
    const { setSearchSettings } = useWorkbench.getState();
    setSearchSettings({ trainer: 'gbdt' });
    setSearchSettings({ task: 'regressor' });
    expect(useWorkbench.getState().searchSettings).toMatchObject({ task: 'regressor', trainer: 'gbdt', scoring: 'rmse' });
    setSearchSettings({ task: 'classifier', trainer: 'logistic' });
    setSearchSettings({ task: 'regressor' });
    expect(useWorkbench.getState().searchSettings).toMatchObject({ task: 'regressor', trainer: 'ridge', scoring: 'rmse' });
    setSearchSettings({ trainer: 'logistic' });
    expect(useWorkbench.getState().searchSettings).toMatchObject({ task: 'classifier', trainer: 'logistic', scoring: 'f1' });
  });

  it('the gbdt regressor grid varies the tree settings only: a value target has no class weights or resampling', () => {
    const c = searchCandidates({ ...DEFAULT_SEARCH_SETTINGS, task: 'regressor', trainer: 'gbdt', scoring: 'rmse' });
    expect(c).toHaveLength(3 * 3);
    expect(Object.keys(c[0]!).sort()).toEqual(['l2', 'learningRate', 'maxIter', 'maxLeafNodes', 'minSamplesLeaf']);
  });

  it('use best sends the winner (lowest RMSE) to the Train regressor cell, early stopping off as in the search', () => {
    const result = (candidate: number, params: Record<string, number>, rmse: number): UnitResult => ({ candidate, fold: 0, params, scores: { rmse }, iterations: 100, converged: true, ms: 1 });
    const worse = { learningRate: 0.05, maxLeafNodes: 15, minSamplesLeaf: 20, l2: 0, maxIter: 100 };
    const better = { learningRate: 0.1, maxLeafNodes: 7, minSamplesLeaf: 80, l2: 1, maxIter: 60 };
    useWorkbench.setState((s) => ({ searchRun: { ...s.searchRun, status: 'done', task: 'regressor', trainer: 'gbdt', scoring: 'rmse', candidates: [worse, better], results: [result(0, worse, 0.52), result(1, better, 0.5)], k: 1 } }));
    useWorkbench.getState().useBestCandidate();
    const reg = firstCellOf(useWorkbench.getState(), 'trainRegressor');
    expect(reg?.config.model).toBe('gbdt');
    expect(reg?.config.trees.gbdt).toMatchObject({ ...better, earlyStopping: false });
    // the folds boosted from the mean, so the Train cell does too
    expect(reg?.config.initModel).toBe('mean');
    // the classifier is left as it was
    expect(firstCellOf(useWorkbench.getState(), 'trainClassifier')?.config.model).toBe('gbdt');
    expect(firstCellOf(useWorkbench.getState(), 'trainClassifier')?.config.trees.gbdt.maxLeafNodes).toBe(31);
    expect(useWorkbench.getState().searchRun.applied).toMatch(/^Train regressor now uses gradient boosting \(from the mean, early stopping off, as in the search\) .*minSamplesLeaf = 80/);
  });
});

describe('use best with a tree search', () => {
  const result = (candidate: number, params: Record<string, number | string>, rocAuc: number): UnitResult => ({
    candidate, fold: 0, params, scores: { rocAuc }, iterations: 100, converged: true, ms: 1,
  });

  it('sends the winning gbdt settings to the Train classifier cell, early stopping off as in the search', () => {
    const worse = { learningRate: 0.05, maxLeafNodes: 15, minSamplesLeaf: 20, l2: 0, maxIter: 100, classWeight: 'balanced', resampling: 'none' };
    const better = { learningRate: 0.2, maxLeafNodes: 63, minSamplesLeaf: 50, l2: 1, maxIter: 150, classWeight: 'none', resampling: 'undersample' };
    useWorkbench.setState((s) => ({ searchRun: { ...s.searchRun, status: 'done', task: 'classifier', trainer: 'gbdt', scoring: 'rocAuc', candidates: [worse, better], results: [result(0, worse, 0.66), result(1, better, 0.68)], k: 1 } }));
    useWorkbench.getState().useBestCandidate();
    const cell = firstCellOf(useWorkbench.getState(), 'trainClassifier');
    expect(cell?.config).toMatchObject({ model: 'gbdt', classWeight: 'none', resampling: 'undersample' });
    expect(cell?.config.trees.gbdt).toMatchObject({ learningRate: 0.2, maxLeafNodes: 63, minSamplesLeaf: 50, l2: 1, maxIter: 150, earlyStopping: false });
    expect(useWorkbench.getState().searchRun.applied).toMatch(/gradient boosting .*learningRate = 0\.2/);
  });

  it('sends the winning forest settings, leaving the others as they were', () => {
    const best = { nTrees: 120, maxDepth: 9, minSamplesLeaf: 4, classWeight: 'balanced', resampling: 'none' };
    useWorkbench.setState((s) => ({ searchRun: { ...s.searchRun, status: 'done', task: 'classifier', trainer: 'rf', scoring: 'rocAuc', candidates: [best], results: [result(0, best, 0.67)], k: 1 } }));
    useWorkbench.getState().useBestCandidate();
    const cell = firstCellOf(useWorkbench.getState(), 'trainClassifier');
    expect(cell?.config.model).toBe('rf');
    expect(cell?.config.trees.rf).toMatchObject({ nTrees: 120, maxDepth: 9, minSamplesLeaf: 4, minSamplesSplit: 5, bootstrap: true });
  });
});
