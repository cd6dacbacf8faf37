/** The Report cell: a self-contained HTML report, a notebook link, and notebook files (export and import). */
import { useState, type ChangeEvent } from 'react';
import { downloadFile } from '../app/download.ts';
import { useWorkbench } from '../app/store.ts';
import { fmtBytes } from '../app/format.ts';
import { currentReportHtml } from '../notebook/reportInput.ts';
import { applyNotebookDoc, notebookToDoc, parseNotebookFile } from '../app/notebookDoc.ts';
import { NOTEBOOK_LIMITS } from '../notebook/notebookSchema.ts';
import { serializeNotebook } from '../notebook/serializer.ts';
import { notebookForSharing, notebookToFragment } from '../notebook/notebookLink.ts';
import { SecretsChoice, useSecretDataUrl } from '../app/SecretsChoice.tsx';
import { NumberField } from './fields.tsx';
import { TargetsEditor } from './TargetsEditor.tsx';

/** File name of the downloaded report. */
export const REPORT_FILE_NAME = 'workbench-report.html';
/** File name of an exported notebook. */
export const NOTEBOOK_FILE_NAME = 'workbench-notebook.json';

function download(blob: Blob, name: string): void {
  downloadFile(name, blob);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function ReportCell() {
  const hasData = useWorkbench((s) => s.dataset !== null);
  const [includeSample, setIncludeSample] = useState(false);
  const [sampleRows, setSampleRows] = useState(100);
  const [reportBytes, setReportBytes] = useState<number | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const keepSignature = useWorkbench((s) => s.shareSecrets);
  const [link, setLink] = useState('');
  const [linkNote, setLinkNote] = useState<string | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [imported, setImported] = useState<string | null>(null);
  const signed = useSecretDataUrl() !== null;

  const downloadReport = () => {
    setReportError(null);
    try {
      const html = currentReportHtml(useWorkbench.getState(), includeSample ? { sampleRows } : {});
      const blob = new Blob([html], { type: 'text/html;charset=utf-8' });
      setReportBytes(blob.size);
      download(blob, REPORT_FILE_NAME);
    } catch (error) {
      setReportError(message(error));
    }
  };

  const copyLink = async () => {
    setLinkNote(null);
    try {
      const doc = notebookToDoc(useWorkbench.getState());
      const fragment = await notebookToFragment(doc, { keepSignature: signed && keepSignature });
      const url = `${location.origin}${location.pathname}${location.search}#${fragment}`;
      setLink(url);
      try {
        await navigator.clipboard.writeText(url);
        setLinkNote('Copied to the clipboard.');
      } catch {
        setLinkNote('Copy the link from the field (the clipboard is not available here).');
      }
    } catch (error) {
      setLinkNote(`Could not make a link: ${message(error)}`);
    }
  };

  const exportNotebook = () => {
    const json = serializeNotebook(notebookForSharing(notebookToDoc(useWorkbench.getState()), signed && keepSignature));
    download(new Blob([json], { type: 'application/json' }), NOTEBOOK_FILE_NAME);
  };

  const importNotebook = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setImportError(null);
    setImported(null);
    try {
      if (file.size > NOTEBOOK_LIMITS.maxJsonBytes) {
        throw new Error(`"${file.name}" is ${fmtBytes(file.size)}; a notebook file is at most ${fmtBytes(NOTEBOOK_LIMITS.maxJsonBytes)}`);
      }
      const doc = parseNotebookFile(await file.text());
      applyNotebookDoc(useWorkbench, doc, 'file');
      setImported(`Imported "${doc.name}" from ${file.name}: ${doc.cells.length} cells.`);
    } catch (error) {
      setImportError(`${file.name} was not imported, nothing changed: ${message(error)}`);
    }
  };

  return (
    <div data-testid="report-cell">
      <TargetsEditor />
      <h3>HTML report</h3>
      <p className="muted">One file that opens from disk with no network: data summary, leakage, features, both models against your targets, charts, runs, and a working threshold slider. Aggregates only.</p>
      <div className="toolbar">
        <label className="field inline">
          <input type="checkbox" checked={includeSample} onChange={(e) => setIncludeSample(e.target.checked)} data-testid="report-include-sample" />
          {' '}include a sample of N data rows
        </label>
        {includeSample && <NumberField label="N" value={sampleRows} min={1} max={1000} step={1} testId="report-sample-rows" onChange={setSampleRows} />}
        <button type="button" className="primary" disabled={!hasData} onClick={downloadReport} data-testid="download-report">Download HTML report</button>
        {reportBytes !== null && (
          <span data-testid="report-size" data-value={reportBytes}>{reportBytes.toLocaleString('en-US')} bytes ({fmtBytes(reportBytes)})</span>
        )}
      </div>
      {reportError && <p className="error" role="alert" data-testid="report-error">Could not make the report: {reportError}</p>}

      <h3>Notebook link</h3>
      <p className="muted">The cells and settings travel in the link itself (after <code>#</code>, never sent to a server), with the data URL when the data came from one; a local file is named and the reader supplies it.</p>
      <SecretsChoice where="the link and the notebook file" />
      <div className="toolbar">
        <button type="button" onClick={() => void copyLink()} data-testid="copy-notebook-link">Copy notebook link</button>
        <input type="text" readOnly value={link} aria-label="notebook link" data-testid="notebook-link" className="mono grow"
          onFocus={(e) => e.target.select()} placeholder="the link appears here" />
      </div>
      {linkNote && <p className="muted" role="status" data-testid="notebook-link-note">{linkNote}</p>}

      <h3>Notebook file</h3>
      <div className="toolbar">
        <button type="button" onClick={exportNotebook} data-testid="export-notebook">Export notebook (JSON)</button>
        <label className="file-pick">
          <span>Import notebook (JSON)…</span>
          <input type="file" accept=".json,application/json" onChange={(e) => void importNotebook(e)} data-testid="import-notebook-input" />
        </label>
      </div>
      {importError && <p className="error" role="alert" data-testid="import-error">{importError}</p>}
      {imported && <p className="met" role="status" data-testid="import-ok">{imported}</p>}
    </div>
  );
}
