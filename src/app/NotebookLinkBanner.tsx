/**
 * Opens a notebook link (`#nb=…`) on page load: asks before fetching a data URL other than the one in use, keeps the
 * saved notebook it replaces for download, asks for a local data file by name, and offers "Run all".
 */
import { useEffect } from 'react';
import { useWorkbench, type WorkbenchState } from './store.ts';
import { applyNotebookDoc, cellSettingsSchemas } from './notebookDoc.ts';
import { anyTraining } from './trainingSlice.ts';
import { fragmentToNotebook } from '../notebook/notebookLink.ts';
import { redactUrl } from '../data/urlSecrets.ts';
import { indexedDbStore, REPLACED_NOTEBOOK_KEY, type NotebookSnapshot } from './persistence.ts';
import { downloadFile } from './download.ts';

/** Whether a location hash holds a notebook. */
export function isNotebookHash(hash: string): boolean {
  return hash.startsWith('#nb=') || hash.startsWith('#nbj=');
}

let openedHash: string | null = null;

/** Resolves once the saved notebook has been restored, so the link's notebook is not overwritten by it. */
function afterRestore(): Promise<void> {
  const restored = (s: WorkbenchState): boolean => s.persistence.status !== 'starting';
  if (restored(useWorkbench.getState())) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = useWorkbench.subscribe((s) => {
      if (!restored(s)) return;
      unsubscribe();
      resolve();
    });
  });
}

/** Copies the saved notebook to `REPLACED_NOTEBOOK_KEY` before a link replaces it; whether there was one to keep. */
async function keepSavedNotebook(): Promise<boolean> {
  if (typeof indexedDB === 'undefined' || !useWorkbench.getState().persistence.restored) return false;
  try {
    const saved = await indexedDbStore(indexedDB).load();
    if (saved === undefined) return false;
    await indexedDbStore(indexedDB, REPLACED_NOTEBOOK_KEY).save(saved as NotebookSnapshot);
    return true;
  } catch {
    return false;
  }
}

/** Downloads the notebook a link replaced, as a notebook file ("Import notebook" opens it again). */
async function downloadReplacedNotebook(): Promise<void> {
  const saved = await indexedDbStore(indexedDB, REPLACED_NOTEBOOK_KEY).load().catch(() => undefined);
  const notebook = typeof saved === 'object' && saved !== null && 'notebook' in saved ? saved.notebook : saved;
  downloadFile('workbench-notebook-before-link.json', JSON.stringify(notebook ?? null, null, 2), 'application/json');
}

/**
 * Rebuilds the notebook in the page's hash, once per distinct hash (StrictMode runs effects twice), then takes the
 * hash out of the address: a reload shows the saved notebook (edits included) instead of applying the link again.
 */
export async function openNotebookHash(hash: string): Promise<void> {
  if (!isNotebookHash(hash) || hash === openedHash) return;
  openedHash = hash;
  try {
    const doc = await fragmentToNotebook(hash, cellSettingsSchemas());
    await afterRestore();
    const kept = await keepSavedNotebook();
    applyNotebookDoc(useWorkbench, doc, 'link');
    const notice = useWorkbench.getState().sharedNotebook;
    if (kept && notice) useWorkbench.getState().setSharedNotebook({ ...notice, replacedSaved: true });
    if (location.hash === hash) history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  } catch (error) {
    useWorkbench.getState().setSharedNotebook(null, error instanceof Error ? error.message : String(error));
  }
}

export function NotebookLinkBanner() {
  const notice = useWorkbench((s) => s.sharedNotebook);
  const error = useWorkbench((s) => s.sharedNotebookError);
  const setNotice = useWorkbench((s) => s.setSharedNotebook);
  const startLoad = useWorkbench((s) => s.startLoad);
  const trainAll = useWorkbench((s) => s.trainAll);
  const loadedFile = useWorkbench((s) => (s.dataset?.source.type === 'file' ? s.dataset.source.name : null));
  const ready = useWorkbench((s) => s.analysis !== null && s.analysis.issues.length === 0 && s.load.status !== 'loading');
  const running = useWorkbench(anyTraining);

  useEffect(() => {
    const open = () => void openNotebookHash(location.hash);
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);

  if (error) {
    return (
      <div className="error banner" role="alert" data-testid="notebook-link-error">
        This link&apos;s notebook was not opened, nothing changed: {error}
        {' '}<button type="button" onClick={() => setNotice(null)}>Dismiss</button>
      </div>
    );
  }
  if (!notice) return null;
  const needsFile = notice.dataFile !== null && loadedFile !== notice.dataFile;
  const pending = notice.pendingData;
  const loadPending = () => {
    if (pending === null) return;
    startLoad({ kind: 'url', url: pending.url, name: pending.name, bundled: false });
    setNotice({ ...notice, pendingData: null });
  };
  return (
    <div className="note banner" role="status" data-testid="shared-notebook-banner">
      <p>
        Opened the notebook <strong data-testid="shared-notebook-name">{notice.name}</strong> from {notice.from === 'link' ? 'a link' : 'a file'}: its cells and settings are in place.
        {notice.replacedSaved && (
          <>
            {' '}It replaced your saved notebook:{' '}
            <button type="button" onClick={() => void downloadReplacedNotebook()} data-testid="download-replaced-notebook">Download your previous notebook</button>
          </>
        )}
      </p>
      {pending !== null && (
        <p className="warning" data-testid="pending-data">
          This {notice.from === 'link' ? 'link' : 'notebook'} loads data from <strong className="mono" data-testid="pending-data-url">{redactUrl(pending.url)}</strong>. Load it?{' '}
          <button type="button" className="primary" onClick={loadPending} data-testid="load-pending-data">Load</button>{' '}
          <button type="button" onClick={() => setNotice({ ...notice, pendingData: null })} data-testid="keep-current-data">Keep my current data</button>
        </p>
      )}
      {needsFile && (
        <p className="warning" data-testid="supply-file">
          It was made on the local file <strong className="mono">{notice.dataFile}</strong>: supply the file {notice.dataFile} to run it.{' '}
          <label className="file-pick">
            <span>Choose {notice.dataFile}…</span>
            <input type="file" accept=".parquet,application/octet-stream" data-testid="supply-file-input"
              onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) startLoad({ kind: 'file', file: f }); }} />
          </label>
          {loadedFile !== null && <span> (you loaded {loadedFile})</span>}
        </p>
      )}
      <div className="toolbar">
        <button type="button" className="primary" disabled={!ready || running || needsFile || pending !== null} onClick={() => void trainAll()} data-testid="shared-run-all">
          Run all (train both models)
        </button>
        <button type="button" onClick={() => setNotice(null)} data-testid="dismiss-shared-notebook">Dismiss</button>
      </div>
    </div>
  );
}
