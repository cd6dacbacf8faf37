/** The frame around a cell: title, status, collapse, move, duplicate, delete. */
import { useWorkbench } from './store.ts';
import type { CellId } from './notebookSlice.ts';
import type { CellRegistry } from '../notebook-cells/registry.ts';

export function CellFrame({ id, index, registry }: { id: CellId; index: number; registry: CellRegistry }) {
  const entry = useWorkbench((s) => s.cells[id]);
  const toggle = useWorkbench((s) => s.toggleCollapsed);
  const move = useWorkbench((s) => s.moveCell);
  const remove = useWorkbench((s) => s.removeCell);
  const duplicate = useWorkbench((s) => s.duplicateCell);
  if (!entry) return null;
  const def = registry[entry.kind];
  if (!def) return null;
  const Body = def.render;
  return (
    <section className="cell" data-testid={`cell-${entry.kind}`} aria-labelledby={`${id}-title`}>
      <header className="cell-header">
        <span className="cell-index">[{index + 1}]</span>
        <h2 id={`${id}-title`}>{def.title}</h2>
        <div className="cell-tools">
          <button type="button" onClick={() => toggle(id)} aria-expanded={!entry.collapsed} aria-label={`${entry.collapsed ? 'expand' : 'collapse'} ${def.title}`}>
            {entry.collapsed ? '▸' : '▾'}
          </button>
          <button type="button" onClick={() => move(id, -1)} aria-label={`move ${def.title} up`}>↑</button>
          <button type="button" onClick={() => move(id, 1)} aria-label={`move ${def.title} down`}>↓</button>
          <button type="button" onClick={() => duplicate(id)} aria-label={`duplicate ${def.title}`}>⧉</button>
          <button type="button" onClick={() => remove(id)} aria-label={`delete ${def.title}`}>✕</button>
        </div>
      </header>
      {!entry.collapsed && (
        <div className="cell-body">
          <Body cellId={id} />
        </div>
      )}
    </section>
  );
}
