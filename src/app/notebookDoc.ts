/**
 * The store's notebook ⇄ the one notebook document (`src/notebook/notebookSchema.ts`): the downloaded file, the
 * share link, the IndexedDB snapshot and the MLflow `notebook.json` are all `notebookToDoc(state)`.
 */
import type { DataSource } from '../data/types.ts';
import {
  BUNDLED_DATA, NOTEBOOK_NAME, NOTEBOOK_SCHEMA_VERSION, NotebookDocError, type NotebookData, type NotebookDoc,
} from '../notebook/notebookSchema.ts';
import { parseNotebook, validateNotebook, type CellSettingsSchemas } from '../notebook/serializer.ts';
import { NotebookSettingsSchema, type NotebookSettings } from '../notebook/settings.ts';
import { BUNDLED_URL } from './dataSlice.ts';
import { cellKinds, cellRegistry, type CellEntry, type CellId, type CellKind } from './notebookSlice.ts';
import type { WorkbenchState } from './store.ts';

export { NOTEBOOK_NAME };

/** Every cell kind's settings schema, for the serializer. */
export function cellSettingsSchemas(): CellSettingsSchemas {
  const registry = cellRegistry();
  return Object.fromEntries(cellKinds().map((kind) => [kind, registry[kind].settings]));
}

/** The notebook-wide settings' keys, in the schema's order; the store holds each under the same name. */
const SETTING_KEYS = Object.keys(NotebookSettingsSchema.entries) as (keyof NotebookSettings)[];

/** The parts of the store a notebook reads. */
export type NotebookState = Pick<WorkbenchState, 'cellIds' | 'cells' | 'dataset' | keyof NotebookSettings>;

/** A notebook rebuilt from a doc, ready to put in the store. */
export interface RebuiltNotebook {
  readonly cellIds: CellId[];
  readonly cells: Record<CellId, CellEntry>;
  readonly settings: NotebookSettings;
  readonly data: NotebookData;
}

/** The notebook-wide settings as they stand in the store. */
export function notebookSettings(s: Pick<WorkbenchState, keyof NotebookSettings>): NotebookSettings {
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, s[key]])) as unknown as NotebookSettings;
}

/** Where the data came from, as a notebook names it; null before any data loaded. */
export function notebookDataOf(source: DataSource | null | undefined): NotebookData | null {
  if (!source) return null;
  switch (source.type) {
    case 'bundled': return { type: 'bundled', name: source.name };
    case 'url': return { type: 'url', name: source.name, url: source.url };
    case 'file': return { type: 'file', name: source.name };
    default: {
      const never: never = source;
      return never;
    }
  }
}

/** The store's notebook as the one document; `data` defaults to the loaded data (else the bundled file). */
export function notebookToDoc(s: NotebookState, data: NotebookData | null = null): NotebookDoc {
  const cells = s.cellIds.flatMap((id) => {
    const entry = s.cells[id];
    return entry ? [{ id: entry.id, kind: entry.kind, collapsed: entry.collapsed, config: { ...entry.config } as Record<string, unknown> }] : [];
  });
  return {
    schemaVersion: NOTEBOOK_SCHEMA_VERSION,
    name: NOTEBOOK_NAME,
    data: data ?? notebookDataOf(s.dataset?.source) ?? BUNDLED_DATA,
    settings: notebookSettings(s),
    cells,
  };
}

/** Parses and validates notebook JSON (a file, an MLflow artifact) against this workbench's cell kinds. */
export function parseNotebookFile(json: string): NotebookDoc {
  return parseNotebook(json, cellSettingsSchemas());
}

/** Validates an already-parsed notebook (a link's payload, a snapshot's notebook) against this workbench's cell kinds. */
export function validateNotebookValue(value: unknown): NotebookDoc {
  return validateNotebook(value, cellSettingsSchemas());
}

/** Cells and settings from a validated doc; throws `NotebookDocError` (and so changes nothing) on a kind this workbench lacks. */
export function rebuildNotebook(doc: NotebookDoc): RebuiltNotebook {
  const cellIds: CellId[] = [];
  const cells: Record<CellId, CellEntry> = {};
  doc.cells.forEach((cell, index) => {
    const kinds = cellKinds();
    const kind = kinds.find((k): k is CellKind => k === cell.kind);
    if (kind === undefined) throw new NotebookDocError(`cell ${index + 1} has unknown kind "${cell.kind.slice(0, 40)}"; this workbench knows ${kinds.join(', ')}`);
    const id = cell.id as CellId;
    cellIds.push(id);
    // the config was checked against this kind's schema by `validateNotebook`
    cells[id] = { id, kind, collapsed: cell.collapsed, config: cell.config } as CellEntry;
  });
  return { cellIds, cells, settings: doc.settings, data: doc.data };
}

/** The store's setters `applyNotebookDoc` needs (the store's slices import this module, so it does not import the store). */
export interface NotebookStore {
  getState(): WorkbenchState;
  setState(partial: Partial<WorkbenchState>): void;
}

/**
 * Puts a notebook into the store: cells, settings and the data source. Bundled data starts loading (unless it is
 * loaded or loading); a data URL other than the one in use is NOT fetched: it waits in `sharedNotebook.pendingData`
 * for the user's Load (a link or a file must not make the page fetch by itself); a local file is named in
 * `sharedNotebook.dataFile` for the reader to supply. Validates first, so a refused notebook changes nothing.
 */
export function applyNotebookDoc(store: NotebookStore, doc: NotebookDoc, from: 'link' | 'file' = 'file'): RebuiltNotebook {
  const rebuilt = rebuildNotebook(validateNotebookValue(doc));
  const s = store.getState();
  const { classTarget, revenueTarget, ...rest } = rebuilt.settings;
  store.setState({
    cellIds: rebuilt.cellIds,
    cells: rebuilt.cells,
    deleted: [],
    ...rest,
    featuresVersion: s.featuresVersion + 1,
  });
  if (classTarget !== s.classTarget || revenueTarget !== s.revenueTarget) s.setTargets(classTarget, revenueTarget);
  let dataFile: string | null = null;
  let pendingData: { name: string; url: string } | null = null;
  const data = rebuilt.data;
  const loaded = s.dataset?.source;
  const loading = s.load.status === 'loading' ? s.load : null;
  if (data.type === 'bundled') {
    if (loaded?.type !== 'bundled' && loading?.label !== data.name) {
      s.startLoad({ kind: 'url', url: BUNDLED_URL, name: data.name, bundled: true });
    }
  } else if (data.type === 'url') {
    if (!(loaded?.type === 'url' && loaded.url === data.url) && loading?.url !== data.url) pendingData = { name: data.name, url: data.url };
  } else if (!(loaded?.type === 'file' && loaded.name === data.name)) {
    dataFile = data.name;
  }
  s.setSharedNotebook({ from, name: doc.name, dataFile, pendingData, replacedSaved: false });
  return rebuilt;
}
