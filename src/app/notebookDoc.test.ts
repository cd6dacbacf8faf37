import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NotebookDocError, parseNotebookDoc, serializeNotebookDoc, type NotebookDoc } from '../report/notebookFile.ts';
import { fragmentToNotebook, notebookToFragment } from '../report/notebookLink.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../trainers/types.ts';
import { applyNotebookDoc, notebookSettings, notebookToDoc } from './notebookDoc.ts';
import { CELL_KINDS, type CellId } from './notebookSlice.ts';
import { useWorkbench } from './store.ts';

const startLoad = vi.fn();

function resetStore(): void {
  useWorkbench.getState().resetNotebook();
  useWorkbench.setState({
    excluded: [], transforms: {}, classTarget: 'is_ordered', revenueTarget: 'revenue',
    classifierConfig: DEFAULT_CLASSIFIER_CONFIG, regressorConfig: DEFAULT_REGRESSOR_CONFIG, backendPreference: 'auto', threshold: 0.5,
    sharedNotebook: null, dataset: null, startLoad,
  });
  startLoad.mockClear();
}

/** Changes every kind of setting and the cell layout, as a user would. */
function customise(): void {
  const s = useWorkbench.getState();
  s.setExcluded(['engagement_depth', 'device']);
  s.setTransform('pages_viewed', { kind: 'cap', max: 12 });
  s.setTransform('time_on_site', { kind: 'clip', min: 0, max: 600 });
  s.setTransform('cart_adds', { kind: 'log1p' });
  s.setClassifierConfig({ model: 'logistic', C: 0.25, epochs: 30, classWeight: { positiveWeight: 4.5 }, resampling: 'smote', hiddenUnits: [32, 16] });
  s.setRegressorConfig({ model: 'mlp', strategy: 'two_stage', logTarget: false, hiddenUnits: [8], l2: 0.01 });
  s.setBackendPreference('wasm');
  s.addCell('threshold', 5);
  s.setThreshold(0.421);
  s.toggleCollapsed(useWorkbench.getState().cellIds[1] as CellId);
  s.addCell('report');
  useWorkbench.setState({ classTarget: 'converted', revenueTarget: 'order_value' });
}

describe('notebook ⇄ store', () => {
  beforeEach(resetStore);

  it('store → doc → store gives identical settings and cells', () => {
    customise();
    const before = useWorkbench.getState();
    const settings = notebookSettings(before);
    const doc = notebookToDoc(before);
    expect(doc.cells.find((c) => c.kind === 'trainClassifier')?.config).toMatchObject({ model: 'logistic', C: 0.25, backend: 'wasm' });
    expect(doc.cells.find((c) => c.kind === 'threshold')?.config).toEqual({ threshold: 0.421 });
    const layout = { cellIds: before.cellIds, cells: before.cells };

    resetStore();
    useWorkbench.setState({ setTargets: (classTarget: string, revenueTarget: string) => useWorkbench.setState({ classTarget, revenueTarget }) });
    expect(notebookSettings(useWorkbench.getState())).not.toEqual(settings);
    applyNotebookDoc(doc, 'file');
    const after = useWorkbench.getState();
    expect(notebookSettings(after)).toEqual(settings);
    expect({ cellIds: after.cellIds, cells: after.cells }).toEqual(layout);
    expect(notebookToDoc(after)).toEqual(doc);
  });

  it('JSON and link round trips give an identical notebook', async () => {
    customise();
    const doc = notebookToDoc(useWorkbench.getState());
    expect(parseNotebookDoc(serializeNotebookDoc(doc), CELL_KINDS)).toEqual(doc);
    expect(await fragmentToNotebook(await notebookToFragment(doc), CELL_KINDS)).toEqual(doc);
  });

  it('loads the bundled or URL data the notebook names, and asks for a local file by name', () => {
    const doc = notebookToDoc(useWorkbench.getState());
    applyNotebookDoc({ ...doc, data: { type: 'url', name: 'o.parquet', url: 'https://example.org/o.parquet' } }, 'link');
    expect(startLoad).toHaveBeenCalledWith({ kind: 'url', url: 'https://example.org/o.parquet', name: 'o.parquet', bundled: false });
    expect(useWorkbench.getState().sharedNotebook).toEqual({ from: 'link', name: doc.name, dataFile: null });
    startLoad.mockClear();
    applyNotebookDoc({ ...doc, data: { type: 'file', name: 'my orders.parquet' } }, 'link');
    expect(startLoad).not.toHaveBeenCalled();
    expect(useWorkbench.getState().sharedNotebook?.dataFile).toBe('my orders.parquet');
    applyNotebookDoc(doc, 'file');
    expect(startLoad).toHaveBeenCalledWith(expect.objectContaining({ kind: 'url', bundled: true }));
  });

  it('refuses bad setting types and unknown kinds, changing nothing', () => {
    customise();
    const before = notebookToDoc(useWorkbench.getState());
    const bad = (doc: NotebookDoc): string => {
      try {
        applyNotebookDoc(doc, 'file');
      } catch (e) {
        expect(e).toBeInstanceOf(NotebookDocError);
        return (e as Error).message;
      }
      throw new Error('expected a refusal');
    };
    const withConfig = (kind: string, config: Record<string, unknown>): NotebookDoc => ({
      ...before, cells: before.cells.map((c) => (c.kind === kind ? { ...c, config: { ...c.config, ...config } } : c)),
    });
    expect(bad(withConfig('trainClassifier', { epochs: 'ten' }))).toMatch(/epochs is text "ten"; expected a number/);
    expect(bad(withConfig('trainClassifier', { hiddenUnits: [64, 1e9] }))).toMatch(/hiddenUnits\[1\] is 1000000000; expected at most/);
    expect(bad(withConfig('trainRegressor', { strategy: 'magic' }))).toMatch(/strategy is text "magic"; expected one of/);
    expect(bad(withConfig('features', { transforms: { a: { kind: 'sqrt' } } }))).toMatch(/kind text "sqrt"/);
    expect(bad(withConfig('threshold', { threshold: 2 }))).toMatch(/threshold is 2; expected at most 1/);
    expect(bad(withConfig('threshold', { colour: 'red' }))).toMatch(/unknown setting "colour"/);
    expect(bad({ ...before, cells: [...before.cells, { id: 'x', kind: 'sorcery', collapsed: false, config: {} }] })).toMatch(/unknown kind "sorcery"/);
    expect(() => parseNotebookDoc(serializeNotebookDoc({ ...before, cells: [{ id: 'x', kind: 'sorcery', collapsed: false, config: {} }] }), CELL_KINDS))
      .toThrow(/unknown kind "sorcery"/);
    expect(notebookToDoc(useWorkbench.getState())).toEqual(before);
    expect(startLoad).not.toHaveBeenCalled();
  });
});
