/** The data slice: which file is loaded, load progress, and the analyses that follow from it. */
import type { StateCreator } from 'zustand';
import type { LoadProgress } from '../data/load.ts';
import type { Dataset } from '../data/types.ts';
import type { LoadSpec } from '../workers/dataProtocol.ts';
import type { LoadChoices, LoadSelection } from '../data/loadPlan.ts';
import type { ErrorWithDetails } from '../workers/workerErrors.ts';
import type { Analysis } from '../notebook/analysis.ts';
import type { SplitOptions } from '../trainers/splitPlan.ts';
import { getDataClient } from './services.ts';
import type { WorkbenchState } from './store.ts';
import { firstCellOf } from './notebookSlice.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../notebook/settings.ts';

export const BUNDLED_URL = 'data/training_data.parquet';

export interface LoadState {
  readonly status: 'idle' | 'loading' | 'ready' | 'error' | 'cancelled';
  readonly progress: LoadProgress | null;
  readonly error: string | null;
  /** the failed load was over a limit: it can be retried narrowed to what fits (`loadNarrowed`) */
  readonly overLimit: boolean;
  /** over a limit: the file's columns and row groups for the column chooser */
  readonly choices: LoadChoices | null;
  /** what is being loaded now (the loaded dataset keeps its own source) */
  readonly label: string;
  /** the URL being loaded (absolute), null for a local file */
  readonly url: string | null;
  /** ms from the request to the typed arrays on the main thread */
  readonly decodeMs: number | null;
  readonly requests: number;
  /** progress events received during the last load (one after the footer, one per row group) */
  readonly progressEvents: number;
}

export interface DataSlice {
  dataset: Dataset | null;
  notes: readonly string[];
  load: LoadState;
  classTarget: string;
  revenueTarget: string;
  analysis: Analysis | null;
  /** increments whenever the dataset changes, so dependent cells go stale */
  dataVersion: number;
  startLoad(spec: LoadSpec): void;
  /** loads the last refused file again, narrowed to the columns and row groups within the limits */
  loadNarrowed(): void;
  /** loads the last refused file again with the columns and row groups the user chose */
  loadSelection(selection: LoadSelection): void;
  cancelLoad(): void;
  setTargets(classTarget: string, revenueTarget: string): void;
}

let cancelCurrent: (() => void) | null = null;
/** The last load asked for, so a refused one can be retried narrowed. */
let lastSpec: LoadSpec | null = null;
/** Bumped per analysis request: an answer that is not the latest (targets or data changed since) is dropped. */
let analysisTicket = 0;

type Get = () => WorkbenchState;
type Set = (partial: Partial<WorkbenchState>) => void;

/**
 * Asks the data worker to analyse its dataset for the current targets, date parts, filters, transforms and split;
 * the page's main thread makes no pass over rows for it.
 */
/** `planRandomSplit`: the fractions and seed of a random split the worker plans with the analysis; null when the page planned the split. */
export function requestAnalysis(get: Get, set: Set, planRandomSplit: SplitOptions | null = null): void {
  const ticket = ++analysisTicket;
  const { classTarget, revenueTarget, transforms, dateParts, filters, splitPlan } = get();
  const options = { transforms, ...(splitPlan === null ? {} : { split: { fit: splitPlan.fit, valid: splitPlan.valid, test: splitPlan.test } }) };
  getDataClient().request('analyse', { classTarget, revenueTarget, options, prepare: { dateParts, filters }, planRandomSplit }).result.then(
    ({ analysis, splitPlan: planned, splitError }) => {
      if (ticket !== analysisTicket) return;
      set({ analysis, ...(planned === undefined ? {} : { splitPlan: planned }), ...(splitError === undefined ? {} : { dataSettingsError: splitError }) });
    },
    (err: Error) => {
      if (ticket === analysisTicket) set({ load: { ...get().load, status: 'error', error: `analysing the data failed: ${err.message}` } });
    },
  );
}

function label(spec: LoadSpec): string {
  return spec.kind === 'file' ? spec.file.name : spec.name;
}

export const createDataSlice: StateCreator<WorkbenchState, [], [], DataSlice> = (set, get) => ({
  dataset: null,
  notes: [],
  load: { status: 'idle', progress: null, error: null, overLimit: false, choices: null, label: '', url: null, decodeMs: null, requests: 0, progressEvents: 0 },
  classTarget: 'is_ordered',
  revenueTarget: 'revenue',
  analysis: null,
  dataVersion: 0,
  startLoad(requested) {
    cancelCurrent?.();
    // workers resolve relative URLs against their own script, so resolve against the page here
    const timeoutMs = (firstCellOf(get(), 'data')?.config.fetchTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const spec: LoadSpec = requested.kind === 'url' ? { ...requested, url: new URL(requested.url, document.baseURI).href, timeoutMs } : requested;
    const t0 = performance.now();
    const handle = getDataClient().request('load', spec, {
      onProgress: (progress) => set((s) => ({ load: { ...s.load, progress, requests: progress.requests, progressEvents: s.load.progressEvents + 1 } })),
    });
    cancelCurrent = handle.cancel;
    lastSpec = spec;
    set({ load: { status: 'loading', progress: null, error: null, overLimit: false, choices: null, label: label(spec), url: spec.kind === 'url' ? spec.url : null, decodeMs: null, requests: 0, progressEvents: 0 } });
    handle.result.then(
      (payload) => {
        if (cancelCurrent !== handle.cancel) return;
        cancelCurrent = null;
        const decodeMs = performance.now() - t0;
        set((s) => ({
          notes: payload.notes,
          analysis: null,
          load: { ...s.load, status: 'ready', error: null, decodeMs, requests: payload.requests },
        }));
        // targets, exclusions, transforms, filters and split reset to what this file supports; it then asks for the analysis
        get().adoptDataset(payload.dataset, payload.targetFacts);
        performance.mark('workbench:data-ready');
      },
      (err: Error) => {
        if (cancelCurrent !== handle.cancel) return;
        cancelCurrent = null;
        const cancelled = err.name === 'AbortError';
        set((s) => ({
          load: { ...s.load, status: cancelled ? 'cancelled' : 'error', error: cancelled ? null : err.message, overLimit: err.name === 'LoadLimitError', choices: err.name === 'LoadLimitError' ? ((err as ErrorWithDetails).details as LoadChoices | undefined) ?? null : null, decodeMs: performance.now() - t0 },
        }));
      },
    );
  },
  cancelLoad() {
    cancelCurrent?.();
  },
  loadNarrowed() {
    if (lastSpec !== null) get().startLoad({ ...lastSpec, narrowToFit: true });
  },
  loadSelection(selection) {
    if (lastSpec !== null) get().startLoad({ ...lastSpec, narrowToFit: false, selection });
  },
  setTargets(classTarget, revenueTarget) {
    set((s) => ({ classTarget, revenueTarget, analysis: null, dataVersion: s.dataVersion + 1 }));
    // the split is stratified by the class target; rebuilding asks for the analysis
    if (get().rawDataset !== null) get().rebuildData();
    else if (get().dataset) requestAnalysis(get, set);
  },
});
