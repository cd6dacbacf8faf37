/** The notebook slice: ordered cells, each owning its settings by cell id (persisted); runtime state lives elsewhere by id (not persisted). */
import type { StateCreator } from 'zustand';
import * as v from 'valibot';
import type { CELL_REGISTRY, CellKind } from '../notebook-cells/registry.ts';
import type { WorkbenchState } from './store.ts';
import { notebookSplitOptions } from './dataSettingsSlice.ts';

export type { CellKind };

/** The cell registry's type: every kind's definition. */
export type CellRegistry = typeof CELL_REGISTRY;

let registry: CellRegistry | null = null;

/**
 * Called once by `src/notebook-cells/registry.ts` as it loads. The registry imports the cells, which import the
 * store, so the store's slices read it through here instead of importing it.
 */
export function registerCellKinds(cells: CellRegistry): void {
  registry = cells;
}

/** Every cell kind's definition (the registry must have loaded: the app and the tests import it). */
export function cellRegistry(): CellRegistry {
  if (registry === null) throw new Error('the cell registry is not loaded; import src/notebook-cells/registry.ts before using the notebook');
  return registry;
}

/** Every kind of cell, in the registry's order. */
export function cellKinds(): CellKind[] {
  return Object.keys(cellRegistry()) as CellKind[];
}

/** A cell id; branded so it is not mixed up with run ids. */
export type CellId = string & { readonly __brand: 'CellId' };

/** The settings a cell of kind `K` owns. */
export type CellSettings<K extends CellKind> = v.InferOutput<(typeof CELL_REGISTRY)[K]['settings']>;

/** One cell: which kind, whether collapsed, and its own settings. */
export type CellEntry = { [K in CellKind]: { readonly id: CellId; readonly kind: K; readonly collapsed: boolean; readonly config: CellSettings<K> } }[CellKind];

/** A cell of kind `K`. */
export type CellEntryOf<K extends CellKind> = Extract<CellEntry, { kind: K }>;

/** The default notebook on the bundled data. */
export const DEFAULT_NOTEBOOK: readonly CellKind[] = ['data', 'profile', 'leakage', 'features', 'trainClassifier', 'threshold', 'curves', 'calibration', 'trainRegressor', 'residuals', 'importance', 'shap', 'runs', 'export', 'report', 'search', 'imbalance', 'revenueGain'];

/** How many deleted cells Undo can bring back. */
export const UNDO_DEPTH = 50;

let counter = 0;
/** A fresh cell id. */
export function newCellId(kind: CellKind): CellId {
  counter += 1;
  return `${kind}-${Date.now().toString(36)}-${counter}` as CellId;
}

/** A new cell of `kind` with its default settings (the schema's defaults). */
export function newCell(kind: CellKind, id: CellId = newCellId(kind)): CellEntry {
  const config: unknown = v.parse(cellRegistry()[kind].settings, {});
  return { id, kind, collapsed: false, config } as CellEntry;
}

/** The cell `id` when it is of `kind`, else undefined. */
export function cellOfKind<K extends CellKind>(s: Pick<NotebookSlice, 'cells'>, id: CellId, kind: K): CellEntryOf<K> | undefined {
  const cell = s.cells[id];
  return cell?.kind === kind ? (cell as CellEntryOf<K>) : undefined;
}

/** The first cell of `kind` in notebook order (the one a notebook-wide action such as "use best" sets). */
export function firstCellOf<K extends CellKind>(s: Pick<NotebookSlice, 'cells' | 'cellIds'>, kind: K): CellEntryOf<K> | undefined {
  for (const id of s.cellIds) {
    const cell = cellOfKind(s, id, kind);
    if (cell) return cell;
  }
  return undefined;
}

export interface NotebookSlice {
  cellIds: CellId[];
  cells: Record<CellId, CellEntry>;
  /** deleted cells, the last on top, for undo */
  deleted: ReadonlyArray<{ readonly entry: CellEntry; readonly index: number }>;
  addCell(kind: CellKind, at?: number): void;
  removeCell(id: CellId): void;
  undoRemove(): void;
  moveCell(id: CellId, delta: -1 | 1): void;
  /** a copy right below, with a copy of the settings it then owns alone */
  duplicateCell(id: CellId): void;
  toggleCollapsed(id: CellId): void;
  /** changes some of cell `id`'s settings (nothing when it is not of `kind`) */
  setCellSettings<K extends CellKind>(id: CellId, kind: K, patch: Partial<CellSettings<K>>): void;
  resetNotebook(): void;
}

function defaultCells(): Pick<NotebookSlice, 'cellIds' | 'cells'> {
  const cells: Record<CellId, CellEntry> = {};
  const cellIds = DEFAULT_NOTEBOOK.map((kind) => {
    const id = `${kind}-default` as CellId;
    cells[id] = newCell(kind, id);
    return id;
  });
  return { cellIds, cells };
}

/**
 * The store starts with no cells and `resetNotebook()` (main.tsx, before the first render) puts the default
 * notebook in: new cells take their settings from the registry, which is not loaded while the store is made.
 */
export const createNotebookSlice: StateCreator<WorkbenchState, [], [], NotebookSlice> = (set, get) => ({
  cellIds: [],
  cells: {},
  deleted: [],
  addCell(kind, at) {
    const cell = newCell(kind);
    set((s) => {
      const ids = [...s.cellIds];
      ids.splice(at ?? ids.length, 0, cell.id);
      return { cellIds: ids, cells: { ...s.cells, [cell.id]: cell } };
    });
  },
  removeCell(id) {
    set((s) => {
      const index = s.cellIds.indexOf(id);
      const entry = s.cells[id];
      if (index < 0 || !entry) return {};
      const cells = { ...s.cells };
      delete cells[id];
      return { cellIds: s.cellIds.filter((c) => c !== id), cells, deleted: [...s.deleted, { entry, index }].slice(-UNDO_DEPTH) };
    });
  },
  undoRemove() {
    set((s) => {
      const last = s.deleted[s.deleted.length - 1];
      if (!last) return {};
      const ids = [...s.cellIds];
      ids.splice(Math.min(last.index, ids.length), 0, last.entry.id);
      return { cellIds: ids, cells: { ...s.cells, [last.entry.id]: last.entry }, deleted: s.deleted.slice(0, -1) };
    });
  },
  moveCell(id, delta) {
    set((s) => {
      const i = s.cellIds.indexOf(id);
      const j = i + delta;
      if (i < 0 || j < 0 || j >= s.cellIds.length) return {};
      const ids = [...s.cellIds];
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      return { cellIds: ids };
    });
  },
  duplicateCell(id) {
    set((s) => {
      const entry = s.cells[id];
      if (!entry) return {};
      // settings are plain JSON (schema-checked), so a deep copy is a JSON round trip
      const copy = { ...entry, id: newCellId(entry.kind), config: JSON.parse(JSON.stringify(entry.config)) as unknown } as CellEntry;
      const ids = [...s.cellIds];
      ids.splice(ids.indexOf(id) + 1, 0, copy.id);
      return { cellIds: ids, cells: { ...s.cells, [copy.id]: copy } };
    });
  },
  toggleCollapsed(id) {
    set((s) => {
      const entry = s.cells[id];
      return entry ? { cells: { ...s.cells, [id]: { ...entry, collapsed: !entry.collapsed } } } : {};
    });
  },
  setCellSettings(id, kind, patch) {
    const splitBefore = notebookSplitOptions(get());
    set((s) => {
      const entry = cellOfKind(s, id, kind);
      if (!entry) return {};
      return { cells: { ...s.cells, [id]: { ...entry, config: { ...entry.config, ...patch } } } };
    });
    // the Train cell whose fractions and seed the previewed split follows (the first one): the preview and the leakage
    // check follow it; another cell's settings (a duplicate's seed) change neither, nor make other cells' runs stale
    const splitAfter = notebookSplitOptions(get());
    if (splitAfter.testFraction !== splitBefore.testFraction || splitAfter.validationFraction !== splitBefore.validationFraction || splitAfter.seed !== splitBefore.seed) get().rebuildData();
  },
  resetNotebook() {
    set({ ...defaultCells(), deleted: [] });
  },
});
