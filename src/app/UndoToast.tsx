/** After a cell is deleted: a toast with Undo (Ctrl+Z does the same), gone after a while or when dismissed. */
import { useEffect, useState } from 'react';
import { useWorkbench } from './store.ts';
import { focusCell } from './NotebookToolbar.tsx';
import { CELL_REGISTRY } from '../notebook-cells/registry.ts';

const VISIBLE_MS = 12_000;

export function UndoToast() {
  const deleted = useWorkbench((s) => s.deleted[s.deleted.length - 1]);
  const undo = useWorkbench((s) => s.undoRemove);
  const readOnly = useWorkbench((s) => s.persistence.readOnly);
  const [hidden, setHidden] = useState<string | null>(null);
  const id = deleted?.entry.id ?? null;
  useEffect(() => {
    if (!id) return;
    const t = setTimeout(() => setHidden(id), VISIBLE_MS);
    return () => clearTimeout(t);
  }, [id]);
  if (!deleted || readOnly || hidden === deleted.entry.id) return null;
  const title = CELL_REGISTRY[deleted.entry.kind].title;
  return (
    <div className="toast" role="status" aria-live="polite" data-testid="undo-toast">
      <span>Deleted cell “{title}”.</span>
      <button type="button" className="primary" onClick={() => { const back = deleted.entry.id; undo(); focusCell(back); }} data-testid="undo-delete" aria-keyshortcuts="Control+Z">
        Undo
      </button>
      <span className="muted">Ctrl+Z</span>
      <button type="button" onClick={() => setHidden(deleted.entry.id)} aria-label="dismiss">✕</button>
    </div>
  );
}
