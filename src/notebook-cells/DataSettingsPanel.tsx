/** The Features cell's data settings: how rows are split (with each part's dates and class balance), date parts, row filters. */
import { useState } from 'react';
import { useWorkbench } from '../app/store.ts';
import { fmtInt } from '../app/format.ts';
import { DATE_PARTS, DATE_PART_LABELS, type DatePart } from '../data/dateParts.ts';
import { describeFilter, FILTER_OPS, type FilterOp } from '../data/rowFilter.ts';
import { defaultSplitSpec, describeSplitSpec, formatTime, parseCutoff, type SplitPart } from '../trainers/splitPlan.ts';
import { SelectField } from './fields.tsx';

type SplitChoice = 'default' | 'random' | 'time' | 'group' | 'test-file';

function columnsOf(kind: 'timestamp' | 'other' | 'all'): string[] {
  const raw = useWorkbench.getState().rawDataset;
  if (raw === null) return [];
  return raw.columns.filter((c) => (kind === 'all' ? true : kind === 'timestamp' ? c.kind === 'timestamp' : c.kind !== 'timestamp')).map((c) => c.name);
}

function PartRow({ name, id, part, noClass }: { name: string; id: string; part: SplitPart; noClass: boolean }) {
  const rate = part.rows > 0 && !noClass ? part.positives / part.rows : NaN;
  return (
    <tr data-testid={`split-${id}`}>
      <td>{name}</td>
      <td data-testid={`split-${id}-rows`} data-value={part.rows}>{fmtInt(part.rows)}</td>
      <td data-testid={`split-${id}-rate`} data-value={rate}>{Number.isNaN(rate) ? '—' : `${(100 * rate).toFixed(2)} %`}</td>
      <td data-testid={`split-${id}-from`}>{formatTime(part.from)}</td>
      <td data-testid={`split-${id}-to`}>{formatTime(part.to)}</td>
    </tr>
  );
}

/** The split plan as a table: rows, positive rate and date range of fit, validation and test. */
export function SplitSummary() {
  const plan = useWorkbench((s) => s.splitPlan);
  const classTarget = useWorkbench((s) => s.classTarget);
  if (plan === null) return null;
  return (
    <div data-testid="split-summary">
      <p className="muted" data-testid="split-description">Split {plan.description}.</p>
      <table className="grid" data-testid="split-parts">
        <thead><tr><th>part</th><th>rows</th><th>{classTarget === '' ? 'rate (no class target)' : `${classTarget} rate`}</th><th>from{plan.timeColumn === null ? '' : ` (${plan.timeColumn})`}</th><th>to</th></tr></thead>
        <tbody>
          <PartRow name="fit" id="fit" part={plan.parts.fit} noClass={classTarget === ''} />
          <PartRow name="validation" id="valid" part={plan.parts.valid} noClass={classTarget === ''} />
          <PartRow name="test" id="test" part={plan.parts.test} noClass={classTarget === ''} />
        </tbody>
      </table>
    </div>
  );
}

function SplitSettings() {
  const split = useWorkbench((s) => s.split);
  const setSplit = useWorkbench((s) => s.setSplit);
  const version = useWorkbench((s) => s.dataVersion);
  const raw = useWorkbench((s) => (s.rawDataset === null ? null : s.rawDataset.source.name));
  const [cutoff, setCutoff] = useState(split?.kind === 'time' && split.cutoff !== undefined ? formatTime(split.cutoff) : '');
  const [cutoffError, setCutoffError] = useState<string | null>(null);
  if (raw === null) return null;
  void version;
  const times = columnsOf('timestamp');
  const others = columnsOf('other');
  const ds = useWorkbench.getState().dataset;
  const fallback = ds === null ? 'random stratified' : describeSplitSpec(defaultSplitSpec(ds));
  const choice: SplitChoice = split === null ? 'default' : split.kind;
  const choose = (c: SplitChoice): void => {
    if (c === 'test-file') return; // attached below; the select only says it is in use
    if (c === 'default') setSplit(null);
    else if (c === 'random') setSplit({ kind: 'random' });
    else if (c === 'time') { if (times[0] !== undefined) setSplit({ kind: 'time', column: times[0] }); }
    else if (others[0] !== undefined) setSplit({ kind: 'group', column: others[0] });
  };
  const applyCutoff = (): void => {
    if (split?.kind !== 'time') return;
    if (cutoff.trim() === '') { setCutoffError(null); setSplit({ kind: 'time', column: split.column }); return; }
    const ms = parseCutoff(cutoff);
    if (typeof ms === 'string') { setCutoffError(ms); return; }
    setCutoffError(null);
    setSplit({ kind: 'time', column: split.column, cutoff: ms });
  };
  const options: Array<readonly [SplitChoice, string]> = [['default', `default (${fallback})`], ['random', 'random stratified']];
  if (times.length > 0) options.push(['time', 'by time (train on the past)']);
  options.push(['group', 'by group (no id on both sides)']);
  if (split?.kind === 'test-file') options.push(['test-file', 'separate test file (below)']);
  return (
    <div className="settings" data-testid="split-settings">
      <SelectField<SplitChoice> label="split" value={choice} testId="split-kind" options={options} onChange={choose} />
      {split?.kind === 'time' && (
        <>
          <SelectField label="time column" value={split.column} testId="split-column" options={times.map((t) => [t, t] as const)} onChange={(column) => setSplit({ ...split, column })} />
          <label className="field">
            <span>test from (YYYY-MM-DD; empty: latest 20 %)</span>
            <input type="text" value={cutoff} data-testid="split-cutoff" onChange={(e) => setCutoff(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') applyCutoff(); }} />
          </label>
          <button type="button" data-testid="split-apply" onClick={applyCutoff}>apply</button>
          {cutoffError !== null && <small className="error" data-testid="split-cutoff-error">{cutoffError}</small>}
        </>
      )}
      {split?.kind === 'group' && (
        <SelectField label="group column" value={split.column} testId="split-column" options={others.map((t) => [t, t] as const)} onChange={(column) => setSplit({ kind: 'group', column })} />
      )}
      <TestFileSettings />
    </div>
  );
}

/** A separate test file, by file pick or URL: its rows are the test part; its columns must match the training file's. */
function TestFileSettings() {
  const testFile = useWorkbench((s) => s.testFile);
  const status = useWorkbench((s) => s.testFileStatus);
  const load = useWorkbench((s) => s.loadTestFile);
  const drop = useWorkbench((s) => s.dropTestFile);
  const [url, setUrl] = useState('');
  if (testFile !== null) {
    return (
      <div className="field" data-testid="test-file">
        <span>test file</span>
        <span><strong data-testid="test-file-name">{testFile}</strong> <button type="button" data-testid="test-file-remove" onClick={drop}>remove</button></span>
      </div>
    );
  }
  const fromUrl = (): void => {
    const trimmed = url.trim();
    if (trimmed === '') return;
    const name = trimmed.split(/[?#]/)[0]?.split('/').pop() || trimmed;
    void load({ kind: 'url', url: trimmed, name, bundled: false });
  };
  return (
    <>
      <label className="field">
        <span>or a separate test file{status === 'loading' ? ' (loading…)' : ''}</span>
        <input type="file" accept=".parquet" data-testid="test-file-input" disabled={status === 'loading'}
          onChange={(e) => { const f = e.target.files?.[0]; if (f) void load({ kind: 'file', file: f }); e.target.value = ''; }} />
      </label>
      <label className="field">
        <span>test file URL</span>
        <input type="url" value={url} data-testid="test-file-url" onChange={(e) => setUrl(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') fromUrl(); }} />
      </label>
      <button type="button" data-testid="test-file-load" disabled={status === 'loading' || url.trim() === ''} onClick={fromUrl}>load test file</button>
    </>
  );
}

function DatePartsSettings() {
  const dateParts = useWorkbench((s) => s.dateParts);
  const setDateParts = useWorkbench((s) => s.setDateParts);
  useWorkbench((s) => s.dataVersion);
  const times = columnsOf('timestamp');
  if (times.length === 0) return null;
  const toggle = (column: string, part: DatePart): void => {
    const current = dateParts.find((d) => d.column === column)?.parts ?? [];
    const parts = current.includes(part) ? current.filter((p) => p !== part) : DATE_PARTS.filter((p) => p === part || current.includes(p));
    const rest = dateParts.filter((d) => d.column !== column);
    setDateParts(parts.length === 0 ? rest : [...rest, { column, parts }]);
  };
  return (
    <div data-testid="date-parts">
      {times.map((column) => (
        <p key={column} className="toolbar">
          <span>date parts of <span className="mono">{column}</span>:</span>
          {DATE_PARTS.map((part) => (
            <label key={part} title={DATE_PART_LABELS[part]}>
              <input type="checkbox" data-testid={`datepart-${column}-${part}`}
                checked={dateParts.some((d) => d.column === column && d.parts.includes(part))} onChange={() => toggle(column, part)} />
              {' '}{part}
            </label>
          ))}
        </p>
      ))}
    </div>
  );
}

function FilterSettings() {
  const filters = useWorkbench((s) => s.filters);
  const setFilters = useWorkbench((s) => s.setFilters);
  const kept = useWorkbench((s) => s.rowsKept);
  const total = useWorkbench((s) => s.rawDataset?.rows ?? null);
  useWorkbench((s) => s.dataVersion);
  const columns = [...columnsOf('all'), ...useWorkbench.getState().dateParts.flatMap((d) => d.parts.map((p) => `${d.column}_${p}`))];
  const [column, setColumn] = useState('');
  const [op, setOp] = useState<FilterOp>('=');
  const [value, setValue] = useState('');
  const col = columns.includes(column) ? column : (columns[0] ?? '');
  return (
    <div data-testid="filters">
      <div className="settings">
        <SelectField label="filter rows where" value={col} testId="filter-column" options={columns.map((c) => [c, c] as const)} onChange={setColumn} />
        <SelectField<FilterOp> label="is" value={op} testId="filter-op" options={FILTER_OPS.map((o) => [o, o] as const)} onChange={setOp} />
        {op !== 'is null' && op !== 'not null' && (
          <label className="field"><span>value</span><input type="text" value={value} data-testid="filter-value" onChange={(e) => setValue(e.target.value)} /></label>
        )}
        <button type="button" data-testid="filter-add" onClick={() => setFilters([...filters, { column: col, op, value }])}>add filter</button>
      </div>
      {filters.length > 0 && (
        <ul className="notes" data-testid="filter-list">
          {filters.map((f, i) => (
            <li key={`${describeFilter(f)}-${i}`}>
              <span className="mono">{describeFilter(f)}</span>{' '}
              <button type="button" data-testid={`filter-remove-${i}`} onClick={() => setFilters(filters.filter((_, j) => j !== i))}>remove</button>
            </li>
          ))}
        </ul>
      )}
      {kept !== null && total !== null && (
        <p className="muted">Rows kept: <strong data-testid="filters-kept" data-value={kept}>{fmtInt(kept)}</strong> of {fmtInt(total)}{filters.length > 1 ? ' (filters ANDed)' : ''}.</p>
      )}
    </div>
  );
}

/** Split, date parts and filters, with the refusal of the last bad setting and what was kept from the previous file. */
export function DataSettingsPanel() {
  const error = useWorkbench((s) => s.dataSettingsError);
  const notice = useWorkbench((s) => s.settingsNotice);
  const loaded = useWorkbench((s) => s.rawDataset !== null);
  if (!loaded) return null;
  return (
    <section data-testid="data-settings">
      {notice !== null && <p className="muted" data-testid="settings-notice">{notice}</p>}
      <SplitSettings />
      <SplitSummary />
      <DatePartsSettings />
      <FilterSettings />
      {error !== null && <p className="error" role="alert" data-testid="data-settings-error">{error}</p>}
    </section>
  );
}
