/** Saving the notebook to IndexedDB and restoring it: the notebook document (the same as a notebook file) and results up to a size limit. */
import { SNAPSHOT_VERSION, legacyTargetTransform, migrateSnapshot, type NotebookData } from '../notebook/notebookSchema.ts';
import { notebookJsonValue } from '../notebook/serializer.ts';
import type { ModelKind, Run, RunId } from '../notebook/runs.ts';
import type { ClassifierConfig, RegressorConfig } from '../trainers/config.ts';
import type { TargetTransform } from '../trainers/targetTransform.ts';
import type { RegressorResult } from '../trainers/types.ts';
import type { ImportanceEntry } from './importanceSlice.ts';
import { notebookToDoc, rebuildNotebook, validateNotebookValue, type NotebookState, type RebuiltNotebook } from './notebookDoc.ts';
import type { CellEntry, CellId } from './notebookSlice.ts';

export { SNAPSHOT_VERSION };

/** Results (runs with their typed arrays) are saved only while they fit in this many bytes. */
export const RESULTS_LIMIT_BYTES = 50 * 1024 * 1024;

/** Runs and what was computed from them. */
export interface SavedResults {
  readonly runs: readonly Run[];
  readonly activeRun: Readonly<Record<ModelKind, RunId | null>>;
  /** runs that matched the settings when saved: they are fresh again once the same data is back */
  readonly freshRunIds: readonly RunId[];
  readonly importance: Readonly<Record<ModelKind, ImportanceEntry>> | null;
}

/** Everything saved about a notebook. */
export interface NotebookSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly savedAt: string;
  /** the notebook document, exactly as a downloaded notebook file holds it */
  readonly notebook: Readonly<Record<string, unknown>>;
  /** null when there were none or they were over the limit (see `resultsBytes`) */
  readonly results: SavedResults | null;
  readonly resultsBytes: number;
  readonly resultsSaved: boolean;
}

/** The fields of the store a snapshot is made from. */
export interface SnapshotInput extends NotebookState {
  readonly runs: readonly Run[];
  readonly activeRun: Readonly<Record<ModelKind, RunId | null>>;
  readonly importance?: Readonly<Record<ModelKind, ImportanceEntry>>;
}

/** Bytes a value takes when IndexedDB clones it, near enough: typed arrays by their size, strings one byte a character. */
export function estimateBytes(value: unknown, seen: Set<object> = new Set()): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (typeof value !== 'object') return 0;
  if (seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  let total = 0;
  if (Array.isArray(value)) {
    for (const v of value) total += estimateBytes(v, seen);
    return total;
  }
  for (const [k, v] of Object.entries(value)) total += k.length + estimateBytes(v, seen);
  return total;
}

/** A snapshot of the notebook; results go in only while they fit in `limitBytes`. `data` overrides the loaded data (a restore still loading). */
export function buildSnapshot(
  s: SnapshotInput,
  o: { readonly data: NotebookData | null; readonly isFresh: (run: Run) => boolean; readonly limitBytes?: number; readonly now?: () => Date },
): NotebookSnapshot {
  const limit = o.limitBytes ?? RESULTS_LIMIT_BYTES;
  let results: SavedResults | null = null;
  let resultsBytes = 0;
  if (s.runs.length > 0) {
    results = {
      runs: s.runs,
      activeRun: s.activeRun,
      freshRunIds: s.runs.filter((r) => o.isFresh(r)).map((r) => r.id),
      importance: s.importance ?? null,
    };
    resultsBytes = estimateBytes(results);
  }
  const fits = resultsBytes <= limit;
  return {
    version: SNAPSHOT_VERSION,
    savedAt: (o.now?.() ?? new Date()).toISOString(),
    notebook: notebookJsonValue(notebookToDoc(s, o.data)),
    results: fits ? results : null,
    resultsBytes,
    resultsSaved: fits,
  };
}

/** The same snapshot without its results, for when IndexedDB refuses the full one (quota). */
export function withoutResults(snap: NotebookSnapshot): NotebookSnapshot {
  return { ...snap, results: null, resultsSaved: snap.results === null ? snap.resultsSaved : false };
}

/** A stored snapshot this version can restore: its notebook validated like a file, older versions migrated. */
export interface CheckedSnapshot {
  readonly snapshot: Omit<NotebookSnapshot, 'notebook'>;
  readonly notebook: RebuiltNotebook;
}

/** Checks a stored value (any snapshot version) and validates its notebook as a file's; returns why not otherwise. */
export function checkSnapshot(value: unknown): CheckedSnapshot | string {
  if (typeof value !== 'object' || value === null) return 'no saved notebook';
  try {
    const { notebook, rest } = migrateSnapshot(value);
    const rebuilt = rebuildNotebook(validateNotebookValue(notebook));
    const results = (rest['results'] ?? null) as SavedResults | null;
    const snapshot = {
      version: SNAPSHOT_VERSION,
      savedAt: typeof rest['savedAt'] === 'string' ? rest['savedAt'] : new Date(0).toISOString(),
      results,
      resultsBytes: typeof rest['resultsBytes'] === 'number' ? rest['resultsBytes'] : 0,
      resultsSaved: rest['resultsSaved'] !== false,
    } as const;
    return { snapshot, notebook: rebuilt };
  } catch (err) {
    return `saved notebook was not restored (${(err as Error).message}); starting from the default notebook`;
  }
}

/** Store fields a restore sets, typed as the store holds them. */
export interface RestoredFields {
  cellIds: CellId[];
  cells: Record<CellId, CellEntry>;
  excluded: readonly string[];
  transforms: RebuiltNotebook['settings']['transforms'];
  classTarget: string;
  revenueTarget: string;
  threshold: number;
  backendPreference: RebuiltNotebook['settings']['backendPreference'];
  runs?: Run[];
  activeRun?: Record<ModelKind, RunId | null>;
  importance?: Record<ModelKind, ImportanceEntry>;
}

/** A computation saved mid-way did not finish: its result (if any) stays, its progress does not. */
function settled(e: ImportanceEntry): ImportanceEntry {
  return e.status === 'running' ? { ...e, status: e.result ? 'done' : 'idle', done: 0, total: 0 } : e;
}

/**
 * A run saved before a setting existed did what the setting's old meaning says: a gbdt regressor run before init models
 * (notebook schema 6) boosted from the mean; a classifier run before threshold folds chose on the validation slice, and
 * one before refit (schema 8) kept the model fitted on the fit rows.
 */
function withSettingsOfItsTime(run: Run): Run {
  // a run saved without its result's settings is left as it is: the cells that show it say it cannot be drawn
  const config: unknown = (run.result as { readonly config?: unknown } | undefined)?.config;
  if (typeof config !== 'object' || config === null) return run;
  if (run.kind === 'classifier') {
    const saved: Omit<ClassifierConfig, 'thresholdFolds' | 'refit'> & { readonly thresholdFolds?: number; readonly refit?: boolean } = run.result.config;
    if (saved.thresholdFolds !== undefined && saved.refit !== undefined) return run;
    return { ...run, result: { ...run.result, config: { ...saved, thresholdFolds: saved.thresholdFolds ?? 0, refit: saved.refit ?? false } } };
  }
  // typed as saved, where the field may be absent
  const saved: Omit<RegressorConfig, 'initModel'> & { readonly initModel?: RegressorConfig['initModel'] } = run.result.config;
  const result = withTargetTransformOfItsTime(run.result);
  if (saved.model !== 'gbdt' || saved.initModel !== undefined) return result === run.result ? run : { ...run, result };
  return { ...run, result: { ...result, config: { ...result.config, initModel: 'mean' } } };
}

/** A regressor run saved before target transforms (notebook schema 7) had `logTarget`: true (or absent) fitted log1p. */
function withTargetTransformOfItsTime(result: RegressorResult): RegressorResult {
  const saved: Omit<RegressorResult, 'targetTransform'> & { readonly targetTransform?: TargetTransform; readonly config: { readonly logTarget?: unknown } } = result;
  if (!('logTarget' in saved.config) && saved.targetTransform !== undefined) return result;
  const { logTarget, ...config } = saved.config;
  const applied = saved.targetTransform ?? (legacyTargetTransform(logTarget) === 'none' ? 'none' : 'log1p');
  return { ...result, config: { ...config, targetTransform: 'targetTransform' in config ? config.targetTransform : applied }, targetTransform: applied };
}

/** The store fields a snapshot restores (results only when saved), plus which runs become fresh once their data is back. */
export function restorePatch(checked: CheckedSnapshot): { patch: RestoredFields; freshRunIds: readonly RunId[]; data: NotebookData } {
  const { notebook, snapshot } = checked;
  const base: RestoredFields = { cellIds: notebook.cellIds, cells: notebook.cells, ...notebook.settings };
  const r = snapshot.results;
  if (!r) return { patch: base, freshRunIds: [], data: notebook.data };
  // a saved run is stale until its data is loaded again; this key never equals a live one
  const runs = r.runs.map((run): Run => ({ ...withSettingsOfItsTime(run), inputsKey: run.inputsKey.startsWith('restored:') ? run.inputsKey : `restored:${run.inputsKey}` }));
  return {
    patch: { ...base, runs, activeRun: { ...r.activeRun }, ...(r.importance ? { importance: { classifier: settled(r.importance.classifier), regressor: settled(r.importance.regressor) } } : {}) },
    freshRunIds: r.freshRunIds,
    data: notebook.data,
  };
}

/** Where snapshots are kept; IndexedDB in the page, a map in tests. */
export interface SnapshotStore {
  load(): Promise<unknown>;
  save(snap: NotebookSnapshot): Promise<void>;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexeddb request failed'));
  });
}

/** The IndexedDB key of the saved notebook a link or file replaced, kept for download. */
export const REPLACED_NOTEBOOK_KEY = 'before-link';

/** The notebook in IndexedDB: database `ml-workbench`, object store `notebooks`, one record under `key`. */
export function indexedDbStore(idb: IDBFactory, key = 'current', dbName = 'ml-workbench'): SnapshotStore {
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    db ??= new Promise((resolve, reject) => {
      const req = idb.open(dbName, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains('notebooks')) req.result.createObjectStore('notebooks');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error(`could not open IndexedDB "${dbName}"`));
      req.onblocked = () => reject(new Error(`IndexedDB "${dbName}" is blocked by another tab; close it and reload`));
    });
    return db;
  };
  return {
    async load() {
      const d = await open();
      return request(d.transaction('notebooks', 'readonly').objectStore('notebooks').get(key));
    },
    async save(snap) {
      const d = await open();
      const tx = d.transaction('notebooks', 'readwrite');
      tx.objectStore('notebooks').put(snap, key);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('indexeddb write failed'));
        tx.onabort = () => reject(tx.error ?? new Error('indexeddb write aborted (quota?)'));
      });
    },
  };
}

/** Saves `snap`; if the store refuses it with results (quota), saves it without and says so. */
export async function saveWithFallback(store: SnapshotStore, snap: NotebookSnapshot): Promise<NotebookSnapshot> {
  try {
    await store.save(snap);
    return snap;
  } catch (err) {
    if (snap.results === null) throw err;
    const lean = withoutResults(snap);
    await store.save(lean);
    return lean;
  }
}

/** Calls `fn` once `ms` after the last call; `flush` runs a pending call now. */
export function debounce(fn: () => void, ms: number): { call(): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    call() {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => { timer = null; fn(); }, ms);
    },
    flush() {
      if (timer === null) return;
      clearTimeout(timer);
      timer = null;
      fn();
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
