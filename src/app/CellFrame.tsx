/** The frame around a cell: title, stale badge, Run, collapse, move, duplicate, delete; all from the cell's definition. */
import { useWorkbench } from './store.ts';
import type { CellId } from './notebookSlice.ts';
import { CELL_REGISTRY } from '../notebook-cells/registry.ts';
import { cellTitle, idleReason } from '../notebook-cells/cellDefinition.ts';
import { isCellStale } from './staleness.ts';
import { focusCell } from './NotebookToolbar.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { discardActiveRuns, resetCell } from './cellRecovery.ts';

export function CellFrame({ id, index }: { id: CellId; index: number }) {
  const entry = useWorkbench((s) => s.cells[id]);
  const toggle = useWorkbench((s) => s.toggleCollapsed);
  const move = useWorkbench((s) => s.moveCell);
  const remove = useWorkbench((s) => s.removeCell);
  const duplicate = useWorkbench((s) => s.duplicateCell);
  const def = entry ? CELL_REGISTRY[entry.kind] : null;
  const stale = useWorkbench((s) => (def === null ? false : isCellStale(s, id) || (def.outdated?.(s, id) ?? false)));
  const action = def?.action ?? null;
  const busy = useWorkbench((s) => (action ? action.busy(s, id) : false));
  const title = useWorkbench((s) => (def === null ? '' : cellTitle(def, s)));
  const idle = useWorkbench((s) => (def === null ? null : idleReason(def, s)));
  const runs = useWorkbench((s) => s.runs);
  const activeRun = useWorkbench((s) => s.activeRun);
  if (!entry || !def) return null;
  const Body = def.render;
  const runCell = () => {
    if (action) action.run(useWorkbench.getState(), id);
  };
  return (
    <section className={`cell${stale ? ' stale' : ''}`} data-testid={`cell-${entry.kind}`} data-cell-id={id} data-stale={stale}
      aria-labelledby={`${id}-title`} tabIndex={0}>
      <header className="cell-header">
        <span className="cell-index">[{index + 1}]</span>
        <h2 id={`${id}-title`} data-testid={`title-${entry.kind}`}>{title}</h2>
        {stale && (
          <span className="stale-badge" data-testid={`stale-${entry.kind}`} title="its inputs changed since this output was computed; run it again">
            stale
          </span>
        )}
        <div className="cell-tools">
          {action && (
            <button type="button" className="run-cell" disabled={busy || idle !== null} onClick={runCell} aria-label={`run ${title}`} aria-keyshortcuts="Shift+Enter"
              title="Run this cell (Shift+Enter)" data-testid={`run-cell-${entry.kind}`}>
              ▶ {action.label}
            </button>
          )}
          <button type="button" onClick={() => toggle(id)} aria-expanded={!entry.collapsed} aria-label={`${entry.collapsed ? 'expand' : 'collapse'} ${title}`}
            data-testid={`collapse-${entry.kind}`}>
            {entry.collapsed ? '▸' : '▾'}
          </button>
          <button type="button" onClick={() => { move(id, -1); focusCell(id); }} disabled={index === 0} aria-label={`move ${title} up`} aria-keyshortcuts="Alt+ArrowUp">↑</button>
          <button type="button" onClick={() => { move(id, 1); focusCell(id); }} aria-label={`move ${title} down`} aria-keyshortcuts="Alt+ArrowDown">↓</button>
          <button type="button" onClick={() => duplicate(id)} aria-label={`duplicate ${title}`} title="Duplicate" data-testid={`duplicate-${entry.kind}`}>❐</button>
          <button type="button" onClick={() => remove(id)} aria-label={`delete ${title}`} data-testid={`delete-${entry.kind}`}>✕</button>
        </div>
      </header>
      {!entry.collapsed && (
        <div className="cell-body">
          {/* a cell that throws while rendering shows its error and ways out; the rest of the page stays */}
          <ErrorBoundary what={`the ${title} cell`} testId={`cell-error-${entry.kind}`} resetKeys={[runs, activeRun, entry.config]} actions={[
            { label: 'Reset this cell', testId: `cell-reset-${entry.kind}`, run: () => resetCell(id) },
            { label: 'Discard the runs it shows', testId: `cell-discard-run-${entry.kind}`, run: discardActiveRuns },
          ]}>
            {idle === null ? <Body cellId={id} /> : <p className="muted" data-testid={`idle-${entry.kind}`}>{idle}</p>}
          </ErrorBoundary>
        </div>
      )}
    </section>
  );
}
