/** The notebook's toolbar: Run all, Add cell, New notebook, save status, keyboard help; and the keyboard shortcuts themselves. */
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useWorkbench } from './store.ts';
import { SHORTCUTS } from './cellActions.ts';
import { fmtBytes } from './format.ts';
import type { CellId, CellKind } from './notebookSlice.ts';
import { RESULTS_LIMIT_BYTES } from './persistence.ts';
import { anyTraining } from './trainingSlice.ts';
import { downloadSavedState } from './cellRecovery.ts';
import { CELL_REGISTRY } from '../notebook-cells/registry.ts';

/** True when keys typed here belong to a text field, not to the notebook. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'range', 'file', 'submit'].includes(target.type);
}

/** The cell that holds the keyboard focus, if any. */
function focusedCellId(): CellId | null {
  const el = document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('[data-cell-id]') : null;
  return (el?.dataset.cellId ?? null) as CellId | null;
}

/** Puts the focus back on a cell's frame after it moved or came back. */
export function focusCell(id: CellId): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(`[data-cell-id="${CSS.escape(id)}"]`);
    el?.focus();
    el?.scrollIntoView({ block: 'nearest' });
  });
}

/** Global keys: Shift+Enter, Ctrl+Shift+Enter, Alt+↑/↓, Ctrl+Z, ?. */
function useNotebookShortcuts(toggleHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = useWorkbench.getState();
      if (s.persistence.readOnly) return;
      if (e.key === 'Enter' && e.shiftKey && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void s.runAll();
        return;
      }
      if (e.key === 'Enter' && e.shiftKey) {
        const id = focusedCellId();
        const kind = id ? s.cells[id]?.kind : undefined;
        const action = kind ? CELL_REGISTRY[kind].action : null;
        if (id && action) {
          e.preventDefault();
          if (!action.busy(s, id)) action.run(s, id);
        }
        return;
      }
      if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        const id = focusedCellId();
        if (!id) return;
        e.preventDefault();
        s.moveCell(id, e.key === 'ArrowUp' ? -1 : 1);
        focusCell(id);
        return;
      }
      if (typingIn(e.target)) return;
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && s.deleted.length > 0) {
        e.preventDefault();
        const id = s.deleted[s.deleted.length - 1]!.entry.id;
        s.undoRemove();
        focusCell(id);
        return;
      }
      if (e.key === '?' && !e.ctrlKey && !e.altKey && !e.metaKey) {
        e.preventDefault();
        toggleHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleHelp]);
}

function SaveStatus() {
  const p = useWorkbench((s) => s.persistence);
  if (p.readOnly) return <span className="badge" data-testid="save-status" data-status="read-only">read-only</span>;
  const text = p.status === 'saving' ? 'saving…' : p.status === 'saved' ? (p.savedAt ? 'saved' : 'not saved yet') : p.status === 'off' ? 'saving unavailable' : p.status === 'error' ? 'save failed' : 'opening…';
  return (
    <>
      <span className={`badge save-${p.status}`} data-testid="save-status" data-status={p.status} data-saved-at={p.savedAt ?? ''}
        title={p.error ?? (p.savedAt ? `saved in this browser (IndexedDB) at ${new Date(p.savedAt).toLocaleTimeString()}` : 'changes are saved in this browser (IndexedDB)')}>
        {text}
      </span>
      {!p.resultsSaved && (
        <span className="badge warn-badge" data-testid="results-not-saved"
          title={`results take ${fmtBytes(p.resultsBytes)}, over the ${fmtBytes(RESULTS_LIMIT_BYTES)} limit (or the browser's quota): the notebook and its settings are saved, its results are not`}>
          results not saved ({fmtBytes(p.resultsBytes)})
        </span>
      )}
    </>
  );
}

function AddCellMenu({ disabled }: { disabled: boolean }) {
  const addCell = useWorkbench((s) => s.addCell);
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);
  const kinds = Object.keys(CELL_REGISTRY) as CellKind[];
  const add = (kind: CellKind) => {
    addCell(kind);
    setOpen(false);
    const ids = useWorkbench.getState().cellIds;
    const id = ids[ids.length - 1];
    if (id) focusCell(id);
  };
  const onMenuKey = (e: ReactKeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
      button.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    }
  };
  return (
    <div className="menu-anchor">
      <button ref={button} type="button" disabled={disabled} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="add-cell">
        + Add cell
      </button>
      {open && (
        <div ref={menu} className="menu" role="menu" aria-label="cell kinds" onKeyDown={onMenuKey}
          onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null) && e.relatedTarget !== button.current) setOpen(false); }}>
          {kinds.map((k) => (
            <button key={k} type="button" role="menuitem" onClick={() => add(k)} data-testid={`add-cell-${k}`}>{CELL_REGISTRY[k].title}</button>
          ))}
        </div>
      )}
    </div>
  );
}

function NewNotebookButton({ disabled }: { disabled: boolean }) {
  const newNotebook = useWorkbench((s) => s.newNotebook);
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => dialog.current?.showModal()} data-testid="new-notebook">New notebook</button>
      <dialog ref={dialog} className="confirm" aria-labelledby="new-notebook-title" data-testid="new-notebook-dialog">
        <h2 id="new-notebook-title">Start a new notebook?</h2>
        <p>The cells, settings and results of this notebook are replaced by the default notebook on the bundled data. This cannot be undone.</p>
        <form method="dialog" className="toolbar">
          <button type="submit" autoFocus data-testid="new-notebook-cancel">Cancel</button>
          <button type="button" className="danger" onClick={() => { newNotebook(); dialog.current?.close(); }} data-testid="new-notebook-confirm">Start new notebook</button>
        </form>
      </dialog>
    </>
  );
}

function HelpPopover({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    ref.current?.focus();
    // Esc closes it wherever the focus went meanwhile
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, onClose]);
  if (!open) return null;
  return (
    <div ref={ref} className="popover help" role="dialog" aria-label="keyboard shortcuts" tabIndex={-1} data-testid="shortcut-help">
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}><th scope="row"><kbd>{keys}</kbd></th><td>{what}</td></tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose}>Close</button>
    </div>
  );
}

export function NotebookToolbar() {
  const readOnly = useWorkbench((s) => s.persistence.readOnly);
  const notice = useWorkbench((s) => s.persistence.notice);
  const brokenSnapshot = useWorkbench((s) => s.persistence.brokenSnapshot);
  const error = useWorkbench((s) => s.persistence.error);
  const dismissNotice = useWorkbench((s) => s.dismissNotice);
  const runAll = useWorkbench((s) => s.runAll);
  const busy = useWorkbench((s) => s.load.status === 'loading' || anyTraining(s)
    || s.importance.classifier.status === 'running' || s.importance.regressor.status === 'running');
  const [help, setHelp] = useState(false);
  const helpButton = useRef<HTMLButtonElement>(null);
  const toggleHelp = useRef(() => setHelp((h) => !h)).current;
  const closeHelp = useRef(() => { setHelp(false); helpButton.current?.focus(); }).current;
  useNotebookShortcuts(toggleHelp);
  return (
    <>
      {readOnly && (
        <div className="banner readonly-banner" role="status" data-testid="read-only-banner">
          <span><strong>Read-only:</strong> this notebook is open in another tab, which saves it. Here you can look but not edit; close the other tab and reload to edit here.</span>
        </div>
      )}
      {notice && (
        <div className="banner notice-banner" role="status" data-testid="persistence-notice">
          <span>{notice}</span>
          {brokenSnapshot && (
            <button type="button" onClick={() => void downloadSavedState()} data-testid="download-broken-snapshot">Download the broken notebook</button>
          )}
          <button type="button" onClick={dismissNotice} aria-label="dismiss notice">✕</button>
        </div>
      )}
      {error && <div className="error" role="alert" data-testid="persistence-error">{error}</div>}
      <nav className="notebook-toolbar" aria-label="notebook">
        <button type="button" className="primary" disabled={readOnly || busy} onClick={() => void runAll()} data-testid="run-all"
          aria-keyshortcuts="Control+Shift+Enter" title="Load the data if needed, train both models, compute importance (Ctrl+Shift+Enter)">
          ▶ Run all
        </button>
        <AddCellMenu disabled={readOnly} />
        <NewNotebookButton disabled={readOnly} />
        <span className="spacer" />
        <SaveStatus />
        <div className="menu-anchor">
          <button ref={helpButton} type="button" aria-expanded={help} aria-label="keyboard shortcuts" aria-keyshortcuts="?" onClick={() => setHelp((h) => !h)} data-testid="help-button">?</button>
          <HelpPopover open={help} onClose={closeHelp} />
        </div>
      </nav>
    </>
  );
}
