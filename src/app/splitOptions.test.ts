/** The previewed split (and so the leakage check's training rows) uses the Train cell's fractions and seed, not the defaults. */
import { describe, expect, it } from 'vitest';
import { notebookSplitOptions } from './dataSettingsSlice.ts';
import type { CellEntry, CellId } from './notebookSlice.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../trainers/types.ts';
import { planSplit } from '../trainers/splitPlan.ts';
import { stratifiedSplit } from '../trainers/split.ts';
import type { Dataset } from '../data/types.ts';

const CLF = 'trainClassifier-1' as CellId;
const REG = 'trainRegressor-1' as CellId;
const cells = (clf: object, reg: object): Record<CellId, CellEntry> => ({
  [CLF]: { id: CLF, kind: 'trainClassifier', collapsed: false, config: { ...DEFAULT_CLASSIFIER_CONFIG, ...clf } },
  [REG]: { id: REG, kind: 'trainRegressor', collapsed: false, config: { ...DEFAULT_REGRESSOR_CONFIG, ...reg } },
} as unknown as Record<CellId, CellEntry>);

describe('notebookSplitOptions', () => {
  it('takes the first Train classifier cell\'s fractions and seed; the regressor\'s when the class target is none', () => {
    const c = cells({ seed: 7, testFraction: 0.3 }, { seed: 11, validationFraction: 0.25 });
    expect(notebookSplitOptions({ cellIds: [REG, CLF], cells: c, classTarget: 'y' })).toEqual({ testFraction: 0.3, validationFraction: 0.15, seed: 7 });
    expect(notebookSplitOptions({ cellIds: [REG, CLF], cells: c, classTarget: '' })).toEqual({ testFraction: 0.2, validationFraction: 0.25, seed: 11 });
    expect(notebookSplitOptions({ cellIds: [], cells: {}, classTarget: 'y' })).toMatchObject({ testFraction: 0.2, validationFraction: 0.15, seed: 42 });
  });

  it('the previewed random split holds the test rows the cell trains on (scikit-learn\'s stratified split with its seed)', () => {
    const n = 500;
    const y = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const ds: Dataset = { source: { type: 'file', name: 'x.parquet' }, rows: n, sha256: '', bytes: 0, columns: [] };
    const o = notebookSplitOptions({ cellIds: [CLF], cells: cells({ seed: 7, testFraction: 0.3 }, {}), classTarget: 'y' });
    const plan = planSplit(ds, { kind: 'random' }, y, o);
    const trainer = stratifiedSplit(Float64Array.from(y), 0.3, 7);
    expect([...plan.test].sort((a, b) => a - b)).toEqual([...trainer.test].sort((a, b) => a - b));
    const defaults = planSplit(ds, { kind: 'random' }, y, DEFAULT_CLASSIFIER_CONFIG);
    expect(defaults.test.length).not.toBe(plan.test.length);
  });
});
