/**
 * The data-settings slice: row filters, date parts, the split and the money unit, and the dataset the models see
 * (the loaded file with date parts added and filters applied), its split plan and the analysis that follows.
 * A setting that cannot apply (a filter keeping no row, a cutoff outside the data) is refused with one sentence and
 * the previous setting stays, so nothing already loaded is lost.
 */
import type { StateCreator } from 'zustand';
import type { RowFilter } from '../data/rowFilter.ts';
import type { TargetFacts } from '../data/targetProposal.ts';
import type { Dataset } from '../data/types.ts';
import { effectiveSplit, preparedDataset, settingsForNewFile, splitLabels, type DataSettings, type DatePartsSetting } from '../notebook/dataSettings.ts';
import { planSplit, type SplitOptions, type SplitPlan, type SplitSpec } from '../trainers/splitPlan.ts';
import type { WorkbenchState } from './store.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../trainers/types.ts';
import { requestAnalysis } from './dataSlice.ts';
import { getDataClient } from './services.ts';
import type { LoadSpec } from '../workers/dataProtocol.ts';

/** The row filters, date parts, split and money unit, typed once in `DataSettings` (the split null: the file's default). */
export interface DataSettingsSlice extends Pick<DataSettings, 'filters' | 'dateParts' | 'split' | 'revenueIsMoney'> {
  /** the file as loaded; `dataset` is what the models see */
  rawDataset: Dataset | null;
  splitPlan: SplitPlan | null;
  /** the last setting that was refused, or the split that cannot be made */
  dataSettingsError: string | null;
  /** what was kept from the previous file's settings */
  settingsNotice: string | null;
  rowsKept: number | null;
  /** the separate test file in use (its name), or null */
  testFile: string | null;
  testFileStatus: 'idle' | 'loading';
  /** the training file alone while a test file is appended to `rawDataset` */
  trainingRaw: Dataset | null;
  /** loads a test file: its schema checked against the training file; a mismatch is one sentence and nothing changes */
  loadTestFile(spec: LoadSpec): Promise<void>;
  /** back to the training file alone, split by the file's default */
  dropTestFile(): void;
  /** takes a newly loaded file: settings reset to what it supports, the previous ones kept where their columns exist */
  adoptDataset(raw: Dataset, facts?: TargetFacts): void;
  setFilters(filters: readonly RowFilter[]): void;
  setDateParts(parts: readonly DatePartsSetting[]): void;
  setSplit(split: SplitSpec | null): void;
  setRevenueIsMoney(money: boolean): void;
  /** recomputes the dataset, split and analysis; false (with the error set) when the settings cannot apply */
  rebuildData(): boolean;
}

/** The settings as the pure layer sees them. */
export function currentDataSettings(s: WorkbenchState): DataSettings {
  return {
    classTarget: s.classTarget === '' ? null : s.classTarget, revenueTarget: s.revenueTarget === '' ? null : s.revenueTarget,
    revenueIsMoney: s.revenueIsMoney, excluded: s.excluded, transforms: s.transforms, filters: s.filters, dateParts: s.dateParts, split: s.split,
  };
}

/**
 * The fractions and seed of the split the notebook previews and checks for leakage: the first Train classifier cell's
 * (the first Train regressor's in a regression-only notebook), so the preview shows the rows that cell trains on.
 */
export function notebookSplitOptions(s: Pick<WorkbenchState, 'cellIds' | 'cells' | 'classTarget'>): SplitOptions {
  const kinds = s.classTarget === '' ? ['trainRegressor', 'trainClassifier'] : ['trainClassifier', 'trainRegressor'];
  for (const kind of kinds) {
    const id = s.cellIds.find((i) => s.cells[i]?.kind === kind);
    const config = id === undefined ? undefined : (s.cells[id]?.config as Partial<Record<keyof SplitOptions, unknown>> | undefined);
    if (config === undefined) continue;
    const num = (key: keyof SplitOptions): number => (typeof config[key] === 'number' ? config[key] : DEFAULT_CLASSIFIER_CONFIG[key]);
    return { testFraction: num('testFraction'), validationFraction: num('validationFraction'), seed: num('seed') };
  }
  return { testFraction: DEFAULT_CLASSIFIER_CONFIG.testFraction, validationFraction: DEFAULT_CLASSIFIER_CONFIG.validationFraction, seed: DEFAULT_CLASSIFIER_CONFIG.seed };
}

export const createDataSettingsSlice: StateCreator<WorkbenchState, [], [], DataSettingsSlice> = (set, get) => {
  /** Applies a change, rebuilds, and restores the previous values when the rebuild refuses it. */
  const attempt = (patch: Partial<WorkbenchState>): void => {
    const s = get();
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, s[k as keyof WorkbenchState]])) as Partial<WorkbenchState>;
    set(patch);
    if (!get().rebuildData()) {
      const error = get().dataSettingsError;
      set({ ...before, dataSettingsError: error });
      get().rebuildData();
      set({ dataSettingsError: error });
    }
  };
  return {
    rawDataset: null,
    filters: [],
    dateParts: [],
    split: null,
    revenueIsMoney: true,
    splitPlan: null,
    dataSettingsError: null,
    settingsNotice: null,
    rowsKept: null,
    testFile: null,
    testFileStatus: 'idle',
    trainingRaw: null,
    async loadTestFile(requested) {
      const s = get();
      if (s.rawDataset === null) { set({ dataSettingsError: 'load the training file first, then its test file' }); return; }
      const spec: LoadSpec = requested.kind === 'url' ? { ...requested, url: new URL(requested.url, document.baseURI).href } : requested;
      const name = spec.kind === 'file' ? spec.file.name : spec.name;
      set({ testFileStatus: 'loading', dataSettingsError: null });
      try {
        const { dataset, trainRows } = await getDataClient().request('loadTestFile', spec).result;
        const training = get().trainingRaw ?? get().rawDataset;
        set({ trainingRaw: training, rawDataset: dataset, testFile: name, testFileStatus: 'idle' });
        attempt({ split: { kind: 'test-file', name, trainRows } });
      } catch (e) {
        set({ testFileStatus: 'idle', dataSettingsError: (e as Error).message });
      }
    },
    dropTestFile() {
      const training = get().trainingRaw;
      if (training === null) return;
      void getDataClient().request('dropTestFile', null).result.catch(() => undefined);
      set({ rawDataset: training, trainingRaw: null, testFile: null, split: null });
      get().rebuildData();
    },
    adoptDataset(raw, facts) {
      const s = get();
      const hadFile = s.rawDataset !== null;
      const { settings, notice } = settingsForNewFile(currentDataSettings(s), raw, facts);
      set({
        rawDataset: raw, trainingRaw: null, testFile: null,
        // no label-like column: the old name stays, so validation asks the user to pick one of this file's columns
        classTarget: settings.classTarget ?? s.classTarget, revenueTarget: settings.revenueTarget ?? '', revenueIsMoney: settings.revenueIsMoney,
        excluded: settings.excluded, transforms: settings.transforms, filters: settings.filters, dateParts: settings.dateParts, split: settings.split,
        settingsNotice: hadFile ? notice : null, dataSettingsError: null, featuresVersion: s.featuresVersion + 1,
      });
      if (!get().rebuildData()) {
        // a carried-over filter or split that does not fit this file: start from the file's own defaults
        const error = get().dataSettingsError;
        set({ filters: [], dateParts: [], split: null });
        get().rebuildData();
        set({ dataSettingsError: error });
      }
    },
    setFilters(filters) { attempt({ filters: [...filters] }); },
    setDateParts(dateParts) { attempt({ dateParts: [...dateParts] }); },
    setSplit(split) {
      // another split than the test file's: the test rows leave with it
      if (get().testFile !== null && split?.kind !== 'test-file') get().dropTestFile();
      attempt({ split });
    },
    setRevenueIsMoney(revenueIsMoney) { set({ revenueIsMoney }); },
    rebuildData() {
      const s = get();
      const raw = s.rawDataset;
      if (raw === null) return true;
      let prepared: { dataset: Dataset; kept: number };
      try {
        prepared = preparedDataset(raw, { dateParts: s.dateParts, filters: s.filters, classTarget: s.classTarget === '' ? null : s.classTarget });
      } catch (e) {
        set({ dataSettingsError: (e as Error).message });
        return false;
      }
      const ds = prepared.dataset;
      let plan: SplitPlan | null = null;
      let splitError: string | null = null;
      // the random split (a seeded shuffle of every row) is planned in the data worker with the analysis; a time, group
      // or test-file split is planned here, so a split that cannot be made is refused before anything changes
      let planInWorker = effectiveSplit(ds, s).kind === 'random';
      const splitOptions = notebookSplitOptions(s);
      if (!planInWorker) {
        const y = splitLabels(ds, s.classTarget);
        try {
          plan = planSplit(ds, effectiveSplit(ds, s), y, splitOptions);
        } catch (e) {
          // a split the user chose that cannot be made is refused; when the file's default cannot, the random split stands in
          if (s.split !== null) { set({ dataSettingsError: (e as Error).message }); return false; }
          splitError = `${(e as Error).message} (using a random split instead)`;
          planInWorker = true;
        }
      }
      set((st) => ({ dataset: ds, splitPlan: plan, analysis: null, rowsKept: prepared.kept, dataSettingsError: splitError, dataVersion: st.dataVersion + 1 }));
      // validation, profile and leakage (and the random split's rows) come from the data worker, on the same prepared rows
      requestAnalysis(get, set, planInWorker ? splitOptions : null);
      return true;
    },
  };
};
