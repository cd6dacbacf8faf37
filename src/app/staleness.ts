/** Which cells are stale: a cell is stale when a run it shows or trained was made on inputs that differ from the current ones. */
import { isModelStale, isRunStale } from '../notebook/runs.ts';
import { cellKinds, cellRegistry, type CellId, type CellKind } from './notebookSlice.ts';
import type { WorkbenchState } from './store.ts';

/** The part of the store staleness depends on. */
export type StalenessState = Pick<WorkbenchState, 'dataVersion' | 'featuresVersion' | 'classTarget' | 'revenueTarget' | 'cells' | 'runs' | 'activeRun'>;

/** True when a cell of `kind` shows an active run (of a model its definition depends on) that is stale. */
export function isKindStale(s: StalenessState, kind: CellKind): boolean {
  return cellRegistry()[kind].dependsOn.some((m) => isModelStale(s, m));
}

/** True when cell `id` is stale: a Train cell when its own last run is, any other when the active run it shows is. */
export function isCellStale(s: StalenessState, id: CellId): boolean {
  const cell = s.cells[id];
  if (!cell) return false;
  const own = s.runs.findLast((r) => r.cellId === id);
  return own !== undefined ? isRunStale(s, own) : isKindStale(s, cell.kind);
}

/** Every stale cell kind: a data change makes everything downstream stale, a feature change both models and their dependants, a setting only its own model's cells. */
export function staleCells(s: StalenessState): ReadonlySet<CellKind> {
  return new Set(cellKinds().filter((kind) => isKindStale(s, kind)));
}
