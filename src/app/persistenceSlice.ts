/** The persistence slice: restores the saved notebook on open, saves it on change, holds the one-writer lock, Run all and New notebook. */
import type { StateCreator } from 'zustand';
import { BUNDLED_DATA, type NotebookData } from '../notebook/notebookSchema.ts';
import { DEFAULT_NOTEBOOK_SETTINGS } from '../notebook/settings.ts';
import { notebookDataOf } from './notebookDoc.ts';
import { BUNDLED_URL } from './dataSlice.ts';
import { IDLE_IMPORTANCE } from './importanceSlice.ts';
import {
  buildSnapshot, checkSnapshot, debounce, indexedDbStore, restorePatch, saveWithFallback, type NotebookSnapshot, type SnapshotStore,
} from './persistence.ts';
import { savedResultsProblem } from './restoreGuard.ts';
import type { WorkbenchState } from './store.ts';
import { jobOf, modelKindOfCell } from './trainingSlice.ts';
import { currentInputsKey, isRunStale, type RunId } from '../notebook/runs.ts';

/** The Web Locks name every tab of the workbench asks for; the holder may save, the others are read-only. */
export const NOTEBOOK_LOCK = 'workbench-notebook';

export interface PersistenceState {
  /** another tab holds the notebook: nothing is edited or saved here */
  readonly readOnly: boolean;
  readonly status: 'starting' | 'saved' | 'saving' | 'error' | 'off';
  readonly savedAt: string | null;
  /** false when the last save left the results out (over the limit or over quota) */
  readonly resultsSaved: boolean;
  readonly resultsBytes: number;
  /** something to tell the user about the restore, e.g. a local file to pick again */
  readonly notice: string | null;
  readonly error: string | null;
  /** true once a saved notebook was applied */
  readonly restored: boolean;
  /** the saved notebook could not be restored: it is kept (key "broken") for download, never applied */
  readonly brokenSnapshot: boolean;
}

export interface PersistenceSlice {
  persistence: PersistenceState;
  /** asks for the lock, restores the saved notebook, loads its data and starts saving; once per page */
  startPersistence(): Promise<void>;
  /** saves now instead of after the debounce */
  saveNow(): Promise<void>;
  /** the default notebook on the bundled data, with default settings and no results */
  newNotebook(): void;
  /** loads data if there is none, trains both models in parallel, then computes importance when the notebook has that cell */
  runAll(): Promise<void>;
  dismissNotice(): void;
}

const SAVE_DEBOUNCE_MS = 400;

/** Fields whose change is worth a save. */
const SAVED_FIELDS = [
  'cellIds', 'cells', 'excluded', 'transforms', 'backendPreference',
  'classTarget', 'revenueTarget', 'threshold', 'dataset', 'runs', 'activeRun', 'importance', 'revenueIsMoney', 'metricTargets',
] as const satisfies ReadonlyArray<keyof WorkbenchState>;

/** Resolves true when this tab got the lock (held until the tab closes), false when another tab has it. */
function acquireNotebookLock(): Promise<boolean> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    locks.request(NOTEBOOK_LOCK, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(false);
        return undefined;
      }
      resolve(true);
      // never settles: the lock is released only when the tab goes away
      return new Promise<void>(() => undefined);
    }).catch(() => resolve(true));
  });
}

export const createPersistenceSlice: StateCreator<WorkbenchState, [], [], PersistenceSlice> = (set, get, api) => {
  const patch = (p: Partial<PersistenceState>) => set((s) => ({ persistence: { ...s.persistence, ...p } }));
  let store: SnapshotStore | null = null;
  let started = false;
  /** the saved source, kept until data loads so an early save does not forget it */
  let pendingSource: NotebookData | null = null;
  /** restored runs that were fresh when saved; fresh again once the same data is loaded */
  let pendingFresh: readonly RunId[] = [];
  let chain: Promise<void> = Promise.resolve();

  const saveOnce = async (): Promise<void> => {
    const s = get();
    if (!store || s.persistence.readOnly) return;
    const data = notebookDataOf(s.dataset?.source) ?? pendingSource;
    const snap = buildSnapshot(s, { data, isFresh: (r) => !isRunStale(s, r) || pendingFresh.includes(r.id) });
    patch({ status: 'saving' });
    try {
      const saved = await saveWithFallback(store, snap);
      patch({ status: 'saved', savedAt: saved.savedAt, resultsSaved: saved.resultsSaved, resultsBytes: saved.resultsBytes, error: null });
    } catch (err) {
      patch({ status: 'error', error: `could not save the notebook: ${(err as Error).message}` });
    }
  };
  const save = (): Promise<void> => {
    chain = chain.then(saveOnce);
    return chain;
  };
  const saver = debounce(() => void save(), SAVE_DEBOUNCE_MS);

  const onChange = (s: WorkbenchState, prev: WorkbenchState): void => {
    if (s.dataset !== prev.dataset && s.dataset) {
      const ds = s.dataset;
      pendingSource = null;
      if (s.persistence.notice && s.persistence.restored) patch({ notice: null });
      if (pendingFresh.length > 0) {
        const fresh = new Set(pendingFresh);
        pendingFresh = [];
        // same file, same settings as when saved: the restored runs are current again
        set((st) => ({
          runs: st.runs.map((r) => (fresh.has(r.id) && r.dataSha256 === ds.sha256 && r.rows === ds.rows ? { ...r, inputsKey: currentInputsKey(st, r) } : r)),
        }));
      }
    }
    if (!started || s.persistence.readOnly || !store) return;
    if (SAVED_FIELDS.some((k) => s[k] !== prev[k])) saver.call();
  };

  return {
    persistence: { readOnly: false, status: 'starting', savedAt: null, resultsSaved: true, resultsBytes: 0, notice: null, error: null, restored: false, brokenSnapshot: false },
    async startPersistence() {
      if (started) return;
      started = true;
      api.subscribe(onChange);
      // a change made just before the tab closes is written now rather than lost with the debounce
      if (typeof window !== 'undefined') window.addEventListener('pagehide', () => saver.flush());
      const owner = await acquireNotebookLock();
      patch({ readOnly: !owner });
      const idb = typeof indexedDB !== 'undefined' ? indexedDB : undefined;
      store = idb ? indexedDbStore(idb) : null;
      let source: NotebookData | null = null;
      if (store) {
        let raw: unknown;
        // safe mode: the default notebook, a notice, the broken snapshot kept apart for download and never re-applied
        const safeMode = async (sentence: string): Promise<void> => {
          const kept = await indexedDbStore(idb!, 'broken').save(raw as NotebookSnapshot).then(() => true, () => false);
          patch({ brokenSnapshot: kept, notice: `${sentence}${kept ? '. The broken copy is kept: download it here' : ''}` });
        };
        const refused = (why: string): string => `saved notebook was not restored (${why}); starting from the default notebook`;
        try {
          raw = await store.load();
          const snap = checkSnapshot(raw);
          const problem = typeof snap === 'string' ? snap : savedResultsProblem(snap.snapshot.results);
          if (typeof snap === 'string' && raw === undefined) {
            // nothing saved yet: the default notebook, no notice
          } else if (typeof snap === 'string' || problem !== null) {
            await safeMode(typeof snap === 'string' ? snap : refused(problem ?? 'unknown'));
          } else {
            const { patch: fields, freshRunIds, data } = restorePatch(snap);
            pendingFresh = freshRunIds;
            source = data;
            pendingSource = data;
            set((s) => ({ ...fields, featuresVersion: s.featuresVersion + 1, deleted: [] }));
            patch({ restored: true, resultsSaved: snap.snapshot.resultsSaved, resultsBytes: snap.snapshot.resultsBytes, savedAt: snap.snapshot.savedAt });
          }
        } catch (err) {
          if (raw === undefined) patch({ error: `could not read the saved notebook: ${(err as Error).message}` });
          else {
            get().resetNotebook();
            source = null;
            pendingSource = null;
            await safeMode(refused((err as Error).message));
          }
        }
      }
      patch({ status: store ? 'saved' : 'off' });
      if (get().load.status !== 'idle') return;
      if (source?.type === 'file') {
        patch({ notice: `This notebook used the local file "${source.name}". Browsers do not let a page reopen a file by itself: pick it again with "Open parquet file…" (the saved results come back when it is the same file).` });
      } else if (source?.type === 'url') {
        get().startLoad({ kind: 'url', url: source.url, name: source.name, bundled: false });
      } else {
        get().startLoad({ kind: 'url', url: BUNDLED_URL, name: BUNDLED_DATA.name, bundled: true });
      }
    },
    saveNow() {
      saver.cancel();
      return save();
    },
    newNotebook() {
      const s = get();
      if (s.persistence.readOnly) return;
      s.cancelAllTraining();
      s.cancelImportance();
      s.resetNotebook();
      pendingFresh = [];
      set((st) => ({
        excluded: DEFAULT_NOTEBOOK_SETTINGS.excluded,
        transforms: DEFAULT_NOTEBOOK_SETTINGS.transforms,
        featuresVersion: st.featuresVersion + 1,
        threshold: DEFAULT_NOTEBOOK_SETTINGS.threshold,
        backendPreference: DEFAULT_NOTEBOOK_SETTINGS.backendPreference,
        runs: [],
        activeRun: { classifier: null, regressor: null },
        jobs: {},
        importance: { classifier: IDLE_IMPORTANCE, regressor: IDLE_IMPORTANCE },
        persistence: { ...st.persistence, notice: null, resultsSaved: true, resultsBytes: 0 },
      }));
      const { classTarget, revenueTarget } = DEFAULT_NOTEBOOK_SETTINGS;
      if (s.classTarget !== classTarget || s.revenueTarget !== revenueTarget) get().setTargets(classTarget, revenueTarget);
      if (get().dataset?.source.type !== 'bundled') {
        pendingSource = BUNDLED_DATA;
        get().startLoad({ kind: 'url', url: BUNDLED_URL, name: BUNDLED_DATA.name, bundled: true });
      }
      void get().saveNow();
    },
    async runAll() {
      if (get().persistence.readOnly) return;
      if (!get().dataset) {
        if (get().load.status !== 'loading') {
          const src = pendingSource;
          if (src?.type === 'url') get().startLoad({ kind: 'url', url: src.url, name: src.name, bundled: false });
          else get().startLoad({ kind: 'url', url: BUNDLED_URL, name: BUNDLED_DATA.name, bundled: true });
        }
        await new Promise<void>((resolve) => {
          const unsubscribe = api.subscribe((st) => {
            if (st.load.status !== 'loading') {
              unsubscribe();
              resolve();
            }
          });
        });
        if (!get().dataset) return;
      }
      await get().trainAll();
      const st = get();
      const trainCells = st.cellIds.filter((id) => modelKindOfCell(st, id) !== null);
      const models = new Set(trainCells.map((id) => modelKindOfCell(st, id)));
      if (st.cellIds.some((id) => st.cells[id]?.kind === 'importance') && models.size === 2 && trainCells.every((id) => jobOf(st, id).status === 'done')) {
        await st.runImportance();
      }
    },
    dismissNotice() {
      patch({ notice: null });
    },
  };
};
