import '../notebook-cells/registry.ts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../trainers/types.ts';
import { isCellStale, isKindStale, staleCells, type StalenessState } from './staleness.ts';
import { newCell, type CellEntry, type CellId } from './notebookSlice.ts';
import { inputsKey, type Run, type RunId } from '../notebook/runs.ts';

const CLF = 'clf-1' as CellId;
const CLF_COPY = 'clf-2' as CellId;
const REG = 'reg-1' as CellId;

function cells(...entries: CellEntry[]): Record<CellId, CellEntry> {
  return Object.fromEntries(entries.map((e) => [e.id, e]));
}

/** The store after training both models on the current inputs, from their Train cells. */
function trained(): StalenessState {
  const s: StalenessState = {
    dataVersion: 1, featuresVersion: 0, classTarget: 'is_ordered', revenueTarget: 'revenue',
    cells: cells(newCell('trainClassifier', CLF), newCell('trainRegressor', REG), newCell('data', 'data-1' as CellId)),
    runs: [], activeRun: { classifier: null, regressor: null },
  };
  // only the fields staleness reads
  const clf = { id: 'run-c' as RunId, kind: 'classifier', cellId: CLF, inputsKey: inputsKey(s, DEFAULT_CLASSIFIER_CONFIG) } as unknown as Run;
  const reg = { id: 'run-r' as RunId, kind: 'regressor', cellId: REG, inputsKey: inputsKey(s, DEFAULT_REGRESSOR_CONFIG) } as unknown as Run;
  return { ...s, runs: [clf, reg], activeRun: { classifier: clf.id, regressor: reg.id } };
}

/** `s` with some of cell `id`'s settings changed. */
function withSettings(s: StalenessState, id: CellId, patch: Record<string, unknown>): StalenessState {
  const cell = s.cells[id]!;
  return { ...s, cells: { ...s.cells, [id]: { ...cell, config: { ...cell.config, ...patch } } as CellEntry } };
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
    expect([...staleCells(s)].sort()).toEqual([...CLASSIFIER_CELLS, ...REGRESSOR_CELLS, 'importance', 'shap'].sort());
    for (const k of ['data', 'profile', 'leakage', 'features', 'runs'] as const) expect(isKindStale(s, k)).toBe(false);
    expect(isCellStale(s, 'data-1' as CellId)).toBe(false);
    expect(isCellStale(s, CLF)).toBe(true);
  });

  it('excluding a feature makes both trainers and their dependants stale', () => {
    const s = { ...trained(), featuresVersion: 1 };
    expect([...staleCells(s)].sort()).toEqual([...CLASSIFIER_CELLS, ...REGRESSOR_CELLS, 'importance', 'shap'].sort());
  });

  it("a Train classifier cell's setting makes the classifier, threshold, curves and calibration stale but not the regressor cells", () => {
    const s = withSettings(trained(), CLF, { C: 0.1 });
    const stale = staleCells(s);
    for (const k of CLASSIFIER_CELLS) expect(stale.has(k as never), k).toBe(true);
    for (const k of REGRESSOR_CELLS) expect(stale.has(k as never), k).toBe(false);
    expect(stale.has('importance')).toBe(true);
    expect(stale.has('shap')).toBe(true);
    expect([isCellStale(s, CLF), isCellStale(s, REG)]).toEqual([true, false]);
  });

  it('a regressor setting makes only the regressor cells (and importance and SHAP, which show either model) stale', () => {
    const s = withSettings(trained(), REG, { strategy: 'direct' });
    expect([...staleCells(s)].sort()).toEqual([...REGRESSOR_CELLS, 'importance', 'shap'].sort());
  });

  it("a copy of a Train cell owns its settings: changing the copy's leaves the original's run current", () => {
    const base = trained();
    const s = withSettings({ ...base, cells: { ...base.cells, [CLF_COPY]: { ...base.cells[CLF]!, id: CLF_COPY } } }, CLF_COPY, { model: 'logistic', C: 0.5 });
    expect(isCellStale(s, CLF)).toBe(false);
    expect(isCellStale(s, CLF_COPY)).toBe(false); // it trained nothing yet; the active run it would show is current
    expect(isKindStale(s, 'curves')).toBe(false);
  });

  it('changing the test split (a classifier setting) is a classifier change; re-training clears it', () => {
    const changed = withSettings(trained(), CLF, { testFraction: 0.3 });
    expect(isKindStale(changed, 'curves')).toBe(true);
    const key = inputsKey(changed, { ...DEFAULT_CLASSIFIER_CONFIG, testFraction: 0.3 });
    const retrained = { ...changed, runs: [...changed.runs, { id: 'run-c2' as RunId, kind: 'classifier', cellId: CLF, inputsKey: key } as unknown as Run], activeRun: { ...changed.activeRun, classifier: 'run-c2' as RunId } };
    expect(isKindStale(retrained, 'curves')).toBe(false);
    expect(isCellStale(retrained, CLF)).toBe(false);
  });

  it('a run whose cell is gone is compared with its own settings: only data or feature changes make it stale', () => {
    const base = trained();
    const { [CLF]: _gone, ...rest } = base.cells;
    const run = { ...base.runs[0]!, result: { config: DEFAULT_CLASSIFIER_CONFIG } } as unknown as Run;
    const s = { ...base, cells: rest, runs: [run, base.runs[1]!] };
    expect(isKindStale(s, 'curves')).toBe(false);
    expect(isKindStale({ ...s, featuresVersion: 3 }, 'curves')).toBe(true);
  });
});
