import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../trainers/types.ts';
import { isCellStale, staleCells, type StalenessState } from './staleness.ts';
import { inputsKey, type Run, type RunId } from '../notebook/runs.ts';

/** The store after training both models on the current inputs. */
function trained(): StalenessState {
  const s: StalenessState = {
    dataVersion: 1, featuresVersion: 0, classTarget: 'is_ordered', revenueTarget: 'revenue',
    classifierConfig: DEFAULT_CLASSIFIER_CONFIG, regressorConfig: DEFAULT_REGRESSOR_CONFIG,
    runs: [], activeRun: { classifier: null, regressor: null },
  };
  // only the fields staleness reads
  const clf = { id: 'run-c' as RunId, kind: 'classifier', inputsKey: inputsKey(s, 'classifier') } as unknown as Run;
  const reg = { id: 'run-r' as RunId, kind: 'regressor', inputsKey: inputsKey(s, 'regressor') } as unknown as Run;
  return { ...s, runs: [clf, reg], activeRun: { classifier: clf.id, regressor: reg.id } };
}

const CLASSIFIER_CELLS = ['trainClassifier', 'threshold', 'curves', 'calibration'];
const REGRESSOR_CELLS = ['trainRegressor', 'residuals'];

describe('staleness rules', () => {
  it('nothing is stale right after training, nor before any run', () => {
    expect([...staleCells(trained())]).toEqual([]);
    expect([...staleCells({ ...trained(), runs: [], activeRun: { classifier: null, regressor: null } })]).toEqual([]);
  });

  it('a data change makes every model-dependent cell stale, never the data cells or the run list', () => {
    const s = { ...trained(), dataVersion: 2 };
    expect([...staleCells(s)].sort()).toEqual([...CLASSIFIER_CELLS, ...REGRESSOR_CELLS, 'importance'].sort());
    for (const k of ['data', 'profile', 'leakage', 'features', 'runs'] as const) expect(isCellStale(s, k)).toBe(false);
  });

  it('excluding a feature makes both trainers and their dependants stale', () => {
    const s = { ...trained(), featuresVersion: 1 };
    expect([...staleCells(s)].sort()).toEqual([...CLASSIFIER_CELLS, ...REGRESSOR_CELLS, 'importance'].sort());
  });

  it('a classifier hyperparameter makes the classifier, threshold, curves and calibration stale but not the regressor cells', () => {
    const s = { ...trained(), classifierConfig: { ...DEFAULT_CLASSIFIER_CONFIG, C: 0.1 } };
    const stale = staleCells(s);
    for (const k of CLASSIFIER_CELLS) expect(stale.has(k as never), k).toBe(true);
    for (const k of REGRESSOR_CELLS) expect(stale.has(k as never), k).toBe(false);
    expect(stale.has('importance')).toBe(true);
  });

  it('a regressor setting makes only the regressor cells (and importance) stale', () => {
    const s = { ...trained(), regressorConfig: { ...DEFAULT_REGRESSOR_CONFIG, strategy: 'direct' as const } };
    expect([...staleCells(s)].sort()).toEqual([...REGRESSOR_CELLS, 'importance'].sort());
  });

  it('changing the test split (a classifier setting) is a classifier change; re-training clears it', () => {
    const changed = { ...trained(), classifierConfig: { ...DEFAULT_CLASSIFIER_CONFIG, testFraction: 0.3 } };
    expect(isCellStale(changed, 'curves')).toBe(true);
    const retrained = { ...changed, runs: [...changed.runs, { id: 'run-c2' as RunId, kind: 'classifier', inputsKey: inputsKey(changed, 'classifier') } as unknown as Run], activeRun: { ...changed.activeRun, classifier: 'run-c2' as RunId } };
    expect(isCellStale(retrained, 'curves')).toBe(false);
  });
});
