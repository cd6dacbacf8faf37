/** Where the data comes from: the bundled file, a file picked or dropped, or a URL; with progress and cancel. */
import { ColumnPicker } from './ColumnPicker.tsx';
import { useCallback, useEffect, useState, type DragEvent, type FormEvent } from 'react';
import { useWorkbench } from './store.ts';
import { BUNDLED_URL } from './dataSlice.ts';
import { fmtBytes, fmtInt } from './format.ts';

export function SourceBar() {
  const startLoad = useWorkbench((s) => s.startLoad);
  const cancelLoad = useWorkbench((s) => s.cancelLoad);
  const loadNarrowed = useWorkbench((s) => s.loadNarrowed);
  const load = useWorkbench((s) => s.load);
  const [url, setUrl] = useState('');
  const [dragging, setDragging] = useState(false);

  const loadBundled = useCallback(
    () => startLoad({ kind: 'url', url: BUNDLED_URL, name: 'training_data.parquet', bundled: true }),
    [startLoad],
  );
  const onFile = (file: File | undefined) => {
    if (file) startLoad({ kind: 'file', file });
  };
  const onUrl = (e: FormEvent) => {
    e.preventDefault();
    const u = url.trim();
    if (!u) return;
    const name = decodeURIComponent(new URL(u, location.href).pathname.split('/').pop() || u);
    startLoad({ kind: 'url', url: u, name, bundled: false });
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    onFile(e.dataTransfer.files[0]);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && useWorkbench.getState().load.status === 'loading') cancelLoad();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cancelLoad]);

  const p = load.progress;
  const frac = p && p.totalRows > 0 ? p.rows / p.totalRows : 0;
  return (
    <section
      className={`source-bar${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      aria-label="data source"
    >
      <div className="source-controls">
        <button type="button" onClick={loadBundled} data-testid="load-bundled">Bundled data</button>
        <label className="file-pick">
          <span>Open parquet file…</span>
          <input type="file" accept=".parquet,application/octet-stream" data-testid="file-input"
            onChange={(e) => { onFile(e.target.files?.[0]); e.target.value = ''; }} />
        </label>
        <form onSubmit={onUrl} className="url-form">
          <input type="url" placeholder="https://… or presigned S3/MinIO link to a .parquet file" value={url}
            onChange={(e) => setUrl(e.target.value)} aria-label="parquet URL" data-testid="url-input" />
          <button type="submit" data-testid="load-url">Load URL</button>
        </form>
        <span className="hint">or drop a .parquet file here</span>
      </div>
      {load.status === 'loading' && (
        <div className="progress" data-testid="load-progress">
          <progress max={1} value={frac} aria-label="loading progress" />
          <span data-testid="load-progress-text">
            {load.label}: {p ? `${fmtInt(p.rows)} / ${fmtInt(p.totalRows)} rows · ${fmtBytes(p.bytes)} / ${fmtBytes(p.totalBytes)} · row group ${p.rowGroup}/${p.rowGroups}` : 'reading footer…'}
          </span>
          <span className="muted" data-testid="load-progress-count" data-value={load.progressEvents}>{load.progressEvents} updates</span>
          <button type="button" onClick={cancelLoad} data-testid="cancel-load">Cancel (Esc)</button>
        </div>
      )}
      {load.status === 'error' && (
        <div className="error" role="alert" data-testid="load-error" data-ms={load.decodeMs ?? undefined}>
          Could not load {load.label}: {load.error}
          {load.overLimit && (
            <>
              {' '}<button type="button" onClick={loadNarrowed} data-testid="load-narrowed">Load the columns and rows that fit</button>
            </>
          )}
        </div>
      )}
      {load.status === 'error' && load.choices !== null && <ColumnPicker key={`${load.label}:${load.decodeMs}`} choices={load.choices} idPrefix="source" />}
      {load.status === 'cancelled' && (
        <div className="note" role="status" data-testid="load-cancelled">
          Loading {load.label} was cancelled; the previously loaded data is kept.
        </div>
      )}
    </section>
  );
}
