/** The notebook slice: ordered cells, their typed settings (persisted) and runtime state (not persisted). */
import type { StateCreator } from 'zustand';
import type { WorkbenchState } from './store.ts';

/** Every kind of cell the registry knows. */
export const CELL_KINDS = [
  'data', 'profile', 'leakage', 'features', 'trainClassifier', 'threshold', 'curves', 'calibration',
  'trainRegressor', 'residuals', 'importance', 'runs', 'export', 'report',
  'search', 'imbalance', 'revenueGain',
] as const;
export type CellKind = (typeof CELL_KINDS)[number];

/** A cell id; branded so it is not mixed up with run ids. */
export type CellId = string & { readonly __brand: 'CellId' };

export interface CellEntry {
  readonly id: CellId;
  readonly kind: CellKind;
  readonly collapsed: boolean;
}

/** The default notebook on the bundled data. */
export const DEFAULT_NOTEBOOK: readonly CellKind[] = ['data', 'profile', 'leakage', 'features', 'trainClassifier', 'threshold', 'curves', 'calibration', 'trainRegressor', 'residuals', 'importance', 'runs', 'export', 'report', 'search', 'imbalance', 'revenueGain'];

let counter = 0;
/** A fresh cell id. */
export function newCellId(kind: CellKind): CellId {
  counter += 1;
  return `${kind}-${Date.now().toString(36)}-${counter}` as CellId;
}

export interface NotebookSlice {
  cellIds: CellId[];
  cells: Record<CellId, CellEntry>;
  /** the last deleted cell, for undo */
  deleted: { entry: CellEntry; index: number } | null;
  addCell(kind: CellKind, at?: number): void;
  removeCell(id: CellId): void;
  undoRemove(): void;
  moveCell(id: CellId, delta: -1 | 1): void;
  duplicateCell(id: CellId): void;
  toggleCollapsed(id: CellId): void;
  resetNotebook(): void;
}

function defaultCells(): Pick<NotebookSlice, 'cellIds' | 'cells'> {
  const cells: Record<CellId, CellEntry> = {};
  const cellIds = DEFAULT_NOTEBOOK.map((kind) => {
    const id = `${kind}-default` as CellId;
    cells[id] = { id, kind, collapsed: false };
    return id;
  });
  return { cellIds, cells };
}

export const createNotebookSlice: StateCreator<WorkbenchState, [], [], NotebookSlice> = (set) => ({
  ...defaultCells(),
  deleted: null,
  addCell(kind, at) {
    const id = newCellId(kind);
    set((s) => {
      const ids = [...s.cellIds];
      ids.splice(at ?? ids.length, 0, id);
      return { cellIds: ids, cells: { ...s.cells, [id]: { id, kind, collapsed: false } } };
    });
  },
  removeCell(id) {
    set((s) => {
      const index = s.cellIds.indexOf(id);
      const entry = s.cells[id];
      if (index < 0 || !entry) return {};
      const cells = { ...s.cells };
      delete cells[id];
      return { cellIds: s.cellIds.filter((c) => c !== id), cells, deleted: { entry, index } };
    });
  },
  undoRemove() {
    set((s) => {
      if (!s.deleted) return {};
      const ids = [...s.cellIds];
      ids.splice(s.deleted.index, 0, s.deleted.entry.id);
      return { cellIds: ids, cells: { ...s.cells, [s.deleted.entry.id]: s.deleted.entry }, deleted: null };
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
      const copy: CellEntry = { ...entry, id: newCellId(entry.kind) };
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
  resetNotebook() {
    set({ ...defaultCells(), deleted: null });
  },
});
