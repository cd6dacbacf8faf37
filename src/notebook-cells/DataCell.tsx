/** The Data cell: source, rows, columns with types and null counts, and a 20-row preview. */
import { useWorkbench } from '../app/store.ts';
import { useDatasetView } from '../app/useDatasetView.ts';
import { fmtBytes, fmtInt } from '../app/format.ts';
import type { Dataset } from '../data/types.ts';
import { cellText } from '../data/cellText.ts';
import { redactUrl } from '../data/urlSecrets.ts';
import { negativeTargetWarning } from '../data/validate.ts';
import { plannedTargetTransform, targetTransformLine } from '../trainers/targetTransform.ts';
import type { CellProps } from './cellDefinition.ts';
import { NumberField } from './fields.tsx';
import { cellOfKind, firstCellOf } from '../app/notebookSlice.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../notebook/settings.ts';

const PREVIEW_ROWS = 20;


function sourceText(ds: Dataset): string {
  switch (ds.source.type) {
    case 'bundled': return `bundled demo data (${ds.source.name})`;
    case 'url': return redactUrl(ds.source.url);
    case 'file': return `local file ${ds.source.name}`;
    default: return '';
  }
}

/** What the cell shows of a dataset: facts, column types and the first rows as text (not the columns). */
function dataSummary(ds: Dataset) {
  return {
    source: sourceText(ds),
    rows: ds.rows,
    bytes: ds.bytes,
    sha256: ds.sha256,
    columns: ds.columns.map((c) => ({
      name: c.name,
      arrowType: c.arrowType,
      kind: c.kind === 'categorical' ? `categorical (${c.levels.length} levels)` : c.kind,
      nullCount: c.nullCount,
    })),
    preview: Array.from({ length: Math.min(PREVIEW_ROWS, ds.rows) }, (_, r) => ds.columns.map((c) => cellText(c, r))),
  };
}

/** The timeout of each data request, the cell's own setting (used by the next load). */
function FetchTimeoutField({ cellId }: CellProps) {
  const seconds = useWorkbench((s) => cellOfKind(s, cellId, 'data')?.config.fetchTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const setCellSettings = useWorkbench((s) => s.setCellSettings);
  return (
    <div className="settings">
      <NumberField label={`timeout per data request (default ${DEFAULT_TIMEOUT_SECONDS}, then up to 3 retries)`} unit="s" value={seconds} min={1} max={600} step={1}
        testId="fetch-timeout" onChange={(v) => setCellSettings(cellId, 'data', { fetchTimeoutSeconds: v })} />
    </div>
  );
}

/**
 * What the regressor will apply to its target, decided as training decides it (`plannedTargetTransform`) from the
 * analysis of the rows it will get: those the row filters keep. The Train regressor cell's setting (the first one).
 */
function TargetTransformLine() {
  const revenueTarget = useWorkbench((s) => s.revenueTarget);
  const negatives = useWorkbench((s) => s.analysis?.targetNegatives ?? null);
  const setting = useWorkbench((s) => firstCellOf(s, 'trainRegressor')?.config.targetTransform ?? null);
  const kept = useWorkbench((s) => (s.filters.length > 0 ? s.rowsKept : null));
  if (revenueTarget === '' || negatives === null || setting === null) return null;
  const planned = plannedTargetTransform(setting, negatives);
  return (
    <p className={planned === null ? 'error' : 'muted'} data-testid="data-target-transform" data-value={planned ?? 'refused'}>
      Regression target transform{kept === null ? '' : ` on the ${fmtInt(kept)} rows the row filters keep`}: {targetTransformLine(setting, negatives, revenueTarget)}.
    </p>
  );
}

export function DataCell({ cellId }: CellProps) {
  const data = useDatasetView(dataSummary);
  const notes = useWorkbench((s) => s.notes);
  const load = useWorkbench((s) => s.load);
  const analysis = useWorkbench((s) => s.analysis);
  const classTarget = useWorkbench((s) => s.classTarget);
  const revenueTarget = useWorkbench((s) => s.revenueTarget);
  if (!data) {
    return (
      <div>
        <FetchTimeoutField cellId={cellId} />
        <p className="muted">{load.status === 'loading' ? 'Loading…' : 'No data loaded yet: pick the bundled data, a file or a URL above.'}</p>
      </div>
    );
  }
  return (
    <div>
      <FetchTimeoutField cellId={cellId} />
      <dl className="facts">
        <div><dt>Source</dt><dd data-testid="data-source">{data.source}</dd></div>
        <div><dt>Rows</dt><dd data-testid="data-rows" data-value={data.rows}>{fmtInt(data.rows)}</dd></div>
        <div><dt>Columns</dt><dd data-testid="data-cols" data-value={data.columns.length}>{data.columns.length}</dd></div>
        <div><dt>File size</dt><dd>{fmtBytes(data.bytes)}</dd></div>
        <div><dt>Loaded in</dt><dd data-testid="data-load-ms" data-value={load.decodeMs ?? ''}>{load.decodeMs !== null ? `${Math.round(load.decodeMs)} ms` : '–'} ({load.requests} requests, <span data-testid="data-progress-events" data-value={load.progressEvents}>{load.progressEvents} progress updates</span>)</dd></div>
        <div><dt>SHA-256</dt><dd className="mono" data-testid="data-sha">{data.sha256.slice(0, 16)}…</dd></div>
      </dl>
      {analysis && analysis.issues.length > 0 ? (
        <div className="error" role="alert" data-testid="validation-issues">
          <strong>Not ready to train:</strong>
          <ul>{analysis.issues.map((i) => <li key={i.code + i.column}>{i.message}</li>)}</ul>
        </div>
      ) : analysis ? (
        <p className="met" data-testid="validation-ok">Validation passed: {[
          classTarget === '' ? null : `class target ${classTarget} has two values with enough rows of each`,
          revenueTarget === '' ? null : `regression target ${revenueTarget} is numeric and finite`,
        ].filter((t) => t !== null).join('; ')}.</p>
      ) : null}
      {analysis && revenueTarget !== '' && negativeTargetWarning(revenueTarget, analysis.targetNegatives) !== null && (
        <p className="warning" data-testid="validation-warning" data-value={analysis.targetNegatives?.count}>{negativeTargetWarning(revenueTarget, analysis.targetNegatives)}</p>
      )}
      <TargetTransformLine />
      {notes.length > 0 && (
        <ul className="notes" data-testid="data-notes">{notes.map((n) => <li key={n}>{n}</li>)}</ul>
      )}
      <h3>Columns</h3>
      <table className="grid" data-testid="data-columns">
        <thead><tr><th>column</th><th>type</th><th>kind</th><th>nulls</th></tr></thead>
        <tbody>
          {data.columns.map((c) => (
            <tr key={c.name}>
              <td className="mono">{c.name}</td>
              <td>{c.arrowType}</td>
              <td>{c.kind}</td>
              <td data-value={c.nullCount}>{fmtInt(c.nullCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>First {data.preview.length} rows</h3>
      <div className="scroll-x">
        <table className="grid preview" data-testid="data-preview">
          <thead><tr>{data.columns.map((c) => <th key={c.name} className="mono">{c.name}</th>)}</tr></thead>
          <tbody>
            {data.preview.map((row, r) => <tr key={r}>{row.map((v, i) => <td key={i}>{v}</td>)}</tr>)}
          </tbody>
        </table>
      </div>
    </div>
  );
}
