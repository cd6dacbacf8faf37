import '../notebook-cells/registry.ts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NotebookDocError, type NotebookDoc } from '../notebook/notebookSchema.ts';
import { fragmentToNotebook, notebookToFragment } from '../notebook/notebookLink.ts';
import { serializeNotebook } from '../notebook/serializer.ts';
import { DEFAULT_NOTEBOOK_SETTINGS } from '../notebook/settings.ts';
import { DEFAULT_METRIC_THRESHOLDS } from '../trainers/targets.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../trainers/types.ts';
import { notebookJson } from './exportSlice.ts';
import { applyNotebookDoc, cellSettingsSchemas, notebookSettings, notebookToDoc, parseNotebookFile, validateNotebookValue } from './notebookDoc.ts';
import { buildSnapshot } from './persistence.ts';
import { cellOfKind, firstCellOf, type CellId } from './notebookSlice.ts';
import { useWorkbench } from './store.ts';

const startLoad = vi.fn();

function resetStore(): void {
  useWorkbench.getState().resetNotebook();
  useWorkbench.setState({
    ...DEFAULT_NOTEBOOK_SETTINGS, sharedNotebook: null, dataset: null, startLoad,
    setTargets: (classTarget: string, revenueTarget: string) => useWorkbench.setState({ classTarget, revenueTarget }),
  });
  startLoad.mockClear();
}

function cellId(kind: 'trainClassifier' | 'trainRegressor'): CellId {
  const cell = firstCellOf(useWorkbench.getState(), kind);
  if (!cell) throw new Error(`no ${kind} cell`);
  return cell.id;
}

/** Changes every kind of setting and the cell layout, as a user would. */
function customise(): void {
  const s = useWorkbench.getState();
  s.setExcluded(['engagement_depth', 'device']);
  s.setTransform('pages_viewed', { kind: 'cap', max: 12 });
  s.setTransform('time_on_site', { kind: 'clip', min: 0, max: 600 });
  s.setTransform('cart_adds', { kind: 'log1p' });
  s.setCellSettings(cellId('trainClassifier'), 'trainClassifier', { model: 'logistic', C: 0.25, epochs: 30, classWeight: { positiveWeight: 4.5 }, resampling: 'smote', hiddenUnits: [32, 16] });
  s.setBackendPreference('wasm');
  s.setCellSettings(cellId('trainRegressor'), 'trainRegressor', { model: 'mlp', strategy: 'two_stage', targetTransform: 'none', hiddenUnits: [8], l2: 0.01 });
  s.duplicateCell(cellId('trainClassifier'));
  s.addCell('threshold', 5);
  s.setThreshold(0.421);
  s.toggleCollapsed(useWorkbench.getState().cellIds[1] as CellId);
  s.addCell('report');
  useWorkbench.setState({ classTarget: 'converted', revenueTarget: 'order_value', revenueIsMoney: false });
  s.setMetricTarget('f1_score', 0.25);
}

describe('notebook ⇄ store', () => {
  beforeEach(resetStore);

  it('store → doc → store gives identical settings and cells', () => {
    customise();
    const before = useWorkbench.getState();
    const settings = notebookSettings(before);
    const doc = notebookToDoc(before);
    expect(doc.cells.find((c) => c.kind === 'trainClassifier')?.config).toEqual({
      ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', C: 0.25, epochs: 30, classWeight: { positiveWeight: 4.5 }, resampling: 'smote', hiddenUnits: [32, 16],
    });
    expect(doc.settings).toEqual({ classTarget: 'converted', revenueTarget: 'order_value', excluded: ['engagement_depth', 'device'],
      transforms: { pages_viewed: { kind: 'cap', max: 12 }, time_on_site: { kind: 'clip', min: 0, max: 600 }, cart_adds: { kind: 'log1p' } }, threshold: 0.421, backendPreference: 'wasm',
      revenueIsMoney: false, metricTargets: { ...DEFAULT_METRIC_THRESHOLDS, f1_score: 0.25 } });
    const layout = { cellIds: before.cellIds, cells: before.cells };

    resetStore();
    expect(notebookSettings(useWorkbench.getState())).not.toEqual(settings);
    applyNotebookDoc(useWorkbench, doc, 'file');
    const after = useWorkbench.getState();
    expect(notebookSettings(after)).toEqual(settings);
    expect({ cellIds: after.cellIds, cells: after.cells }).toEqual(layout);
    expect(notebookToDoc(after)).toEqual(doc);
  });

  it('the file, the link, the IndexedDB snapshot and the MLflow artifact are one document', async () => {
    customise();
    const s = useWorkbench.getState();
    const file = serializeNotebook(notebookToDoc(s));
    const fromFile = parseNotebookFile(file);
    const fromLink = await fragmentToNotebook(await notebookToFragment(notebookToDoc(s)), cellSettingsSchemas());
    const snapshot = buildSnapshot(s, { data: null, isFresh: () => true });
    const fromSnapshot = validateNotebookValue(JSON.parse(JSON.stringify(snapshot.notebook)));
    const mlflow = notebookJson(s);
    expect(mlflow).toBe(file);
    expect(fromLink).toEqual(fromFile);
    expect(fromSnapshot).toEqual(fromFile);
    expect(fromFile).toEqual(notebookToDoc(s));
    expect(fromFile.cells).toHaveLength(s.cellIds.length);
  });

  it('a duplicated Train cell owns a copy of the settings: changing one leaves the other', () => {
    const original = cellId('trainClassifier');
    useWorkbench.getState().duplicateCell(original);
    const s = useWorkbench.getState();
    const copy = s.cellIds[s.cellIds.indexOf(original) + 1]!;
    expect(copy).not.toBe(original);
    expect(cellOfKind(s, copy, 'trainClassifier')?.config).toEqual(cellOfKind(s, original, 'trainClassifier')?.config);
    s.setCellSettings(copy, 'trainClassifier', { model: 'logistic', C: 0.5 });
    const after = useWorkbench.getState();
    expect(cellOfKind(after, original, 'trainClassifier')?.config).toEqual(DEFAULT_CLASSIFIER_CONFIG);
    expect(cellOfKind(after, copy, 'trainClassifier')?.config).toMatchObject({ model: 'logistic', C: 0.5 });
  });

  it('undo brings back every deleted cell, the last first, with its settings', () => {
    const s = useWorkbench.getState();
    const clf = cellId('trainClassifier');
    s.setCellSettings(clf, 'trainClassifier', { seed: 7 });
    const before = useWorkbench.getState().cellIds;
    const [a, b] = [before[1]!, clf];
    s.removeCell(a);
    useWorkbench.getState().removeCell(b);
    expect(useWorkbench.getState().cellIds).toEqual(before.filter((id) => id !== a && id !== b));
    useWorkbench.getState().undoRemove();
    expect(useWorkbench.getState().cellIds).toEqual(before.filter((id) => id !== a));
    expect(cellOfKind(useWorkbench.getState(), clf, 'trainClassifier')?.config.seed).toBe(7);
    useWorkbench.getState().undoRemove();
    expect(useWorkbench.getState().cellIds).toEqual(before);
    expect(useWorkbench.getState().deleted).toEqual([]);
  });

  it('a Note cell (one file and one registry line) keeps its text in the notebook file; a bad one is refused', () => {
    useWorkbench.getState().addCell('note');
    const id = useWorkbench.getState().cellIds.at(-1)!;
    useWorkbench.getState().setCellSettings(id, 'note', { text: 'why <b>this</b> split' });
    const json = serializeNotebook(notebookToDoc(useWorkbench.getState()));
    expect(parseNotebookFile(json).cells.at(-1)).toEqual({ id, kind: 'note', collapsed: false, config: { text: 'why <b>this</b> split' } });
    const bad = json.replace('"text": "why <b>this</b> split"', '"text": 5');
    expect(() => parseNotebookFile(bad)).toThrow(/^cell \d+ \(note\) text is number 5; expected string$/);
  });

  it('loads the bundled data, asks before fetching another data URL, and asks for a local file by name', () => {
    const doc = notebookToDoc(useWorkbench.getState());
    const url = 'https://example.org/o.parquet?X-Amz-Signature=abc';
    applyNotebookDoc(useWorkbench, { ...doc, data: { type: 'url', name: 'o.parquet', url } }, 'link');
    expect(startLoad).not.toHaveBeenCalled();
    expect(useWorkbench.getState().sharedNotebook).toEqual({ from: 'link', name: doc.name, dataFile: null, pendingData: { name: 'o.parquet', url }, replacedSaved: false });
    // the URL already in use is not asked about again
    useWorkbench.setState({ load: { ...useWorkbench.getState().load, status: 'loading', url } });
    applyNotebookDoc(useWorkbench, { ...doc, data: { type: 'url', name: 'o.parquet', url } }, 'link');
    expect(useWorkbench.getState().sharedNotebook?.pendingData).toBeNull();
    expect(startLoad).not.toHaveBeenCalled();
    useWorkbench.setState({ load: { ...useWorkbench.getState().load, status: 'idle', url: null } });
    applyNotebookDoc(useWorkbench, { ...doc, data: { type: 'file', name: 'my orders.parquet' } }, 'link');
    expect(startLoad).not.toHaveBeenCalled();
    expect(useWorkbench.getState().sharedNotebook?.dataFile).toBe('my orders.parquet');
    applyNotebookDoc(useWorkbench, doc, 'file');
    expect(startLoad).toHaveBeenCalledWith(expect.objectContaining({ kind: 'url', bundled: true }));
  });

  it('refuses bad settings and unknown kinds naming the field, changing nothing', () => {
    customise();
    const before = notebookToDoc(useWorkbench.getState());
    const stateBefore = useWorkbench.getState();
    const bad = (doc: unknown): string => {
      try {
        applyNotebookDoc(useWorkbench, doc as NotebookDoc, 'file');
      } catch (e) {
        expect(e).toBeInstanceOf(NotebookDocError);
        return (e as Error).message;
      }
      throw new Error('expected a refusal');
    };
    const index = before.cells.findIndex((c) => c.kind === 'trainRegressor');
    const withConfig = (kind: string, config: Record<string, unknown>) => ({
      ...before, cells: before.cells.map((c) => (c.kind === kind ? { ...c, config: { ...c.config, ...config } } : c)),
    });
    expect(bad(withConfig('trainClassifier', { seed: -1 }))).toMatch(/^cell \d+ \(trainClassifier\) seed is number -1; expected >=0$/);
    expect(bad(withConfig('trainClassifier', { hiddenUnits: [64, 1e9] }))).toMatch(/hiddenUnits\[1\] is number 1000000000; expected <=8192/);
    expect(bad(withConfig('trainRegressor', { strategy: 'magic' }))).toBe(`cell ${index + 1} (trainRegressor) strategy is text "magic"; expected ("converting_only" | "direct" | "two_stage")`);
    expect(bad(withConfig('trainRegressor', { testFraction: 1 }))).toMatch(/testFraction is number 1; expected <1/);
    expect(bad({ ...before, settings: { ...before.settings, threshold: 2 } })).toBe('notebook settings.threshold is number 2; expected <=1');
    expect(bad(withConfig('threshold', { colour: 'red' }))).toMatch(/\(threshold\) has unknown setting "colour"; remove it/);
    expect(bad({ ...before, cells: [...before.cells, { id: 'x', kind: 'sorcery', collapsed: false, config: {} }] })).toMatch(/unknown kind "sorcery"/);
    expect(useWorkbench.getState().cells).toBe(stateBefore.cells);
    expect(notebookToDoc(useWorkbench.getState())).toEqual(before);
    expect(startLoad).not.toHaveBeenCalled();
  });
});
