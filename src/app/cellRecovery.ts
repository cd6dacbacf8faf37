/** The ways out an error boundary offers: discard the runs a cell shows, reset a cell, save the broken state. */
import { useWorkbench } from './store.ts';
import type { CellId } from './notebookSlice.ts';
import { indexedDbStore } from './persistence.ts';
import { downloadFile } from './download.ts';

/** Removes the active runs (the ones the cells show) and shows the latest remaining run of each model instead. */
export function discardActiveRuns(): void {
  useWorkbench.setState((s) => {
    const active = new Set(Object.values(s.activeRun).filter((id) => id !== null));
    const runs = s.runs.filter((r) => !active.has(r.id));
    const latest = (kind: 'classifier' | 'regressor') => runs.findLast((r) => r.kind === kind)?.id ?? null;
    return { runs, activeRun: { classifier: latest('classifier'), regressor: latest('regressor') } };
  });
  // a way out is saved at once, not after the debounce: a reload right after it must not bring the run back
  void useWorkbench.getState().saveNow();
}

/** Replaces a cell by a fresh one of the same kind at the same place (the removal can be undone). */
export function resetCell(id: CellId): void {
  const s = useWorkbench.getState();
  const index = s.cellIds.indexOf(id);
  const kind = s.cells[id]?.kind;
  if (kind === undefined || index < 0) return;
  s.removeCell(id);
  useWorkbench.getState().addCell(kind, index);
}

/** Downloads the saved notebook as it is in IndexedDB (the broken copy kept by safe mode when there is one). */
export async function downloadSavedState(): Promise<void> {
  const read = (key: string): Promise<unknown> => indexedDbStore(indexedDB, key).load().catch((e: unknown) => ({ unreadable: String(e) }));
  const broken = typeof indexedDB === 'undefined' ? undefined : await read('broken');
  const raw = broken ?? (typeof indexedDB === 'undefined' ? null : await read('current'));
  downloadFile('workbench-broken-state.json', JSON.stringify(raw, null, 2), 'application/json');
}
