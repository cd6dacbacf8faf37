/**
 * Over a load limit, the user chooses what to load from the footer's schema: columns (a keyboard-accessible checkbox
 * list with each column's estimated decoded size) and an evenly spaced sample of row groups, with the running total
 * against the memory budget; then loads exactly that.
 */
import { useMemo, useState } from 'react';
import { useWorkbench } from './store.ts';
import { fmtBytes, fmtInt } from './format.ts';
import { selectionBytes, type LoadChoices } from '../data/loadPlan.ts';
import { evenlySpacedIndices } from '../report/downsample.ts';

/** Columns listed at once (a thousand checkboxes took one 200 ms task to render); the filter narrows a wider file. */
const SHOWN = 200;

export function ColumnPicker({ choices, idPrefix }: { readonly choices: LoadChoices; readonly idPrefix: string }) {
  const loadSelection = useWorkbench((s) => s.loadSelection);
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(choices.suggestion?.columns ?? []));
  const groups = choices.rowGroupRows.length;
  const [groupCount, setGroupCount] = useState(choices.suggestion?.rowGroups?.length ?? groups);
  const [filter, setFilter] = useState('');
  const rowGroups = useMemo(() => (groupCount <= 1 ? [0] : evenlySpacedIndices(groups, groupCount)), [groups, groupCount]);
  const rows = rowGroups.reduce((sum, g) => sum + (choices.rowGroupRows[g] ?? 0), 0);
  const bytes = selectionBytes(choices, picked, rowGroups);
  const { memoryBudgetBytes: budget, maxColumns } = choices.limits;
  const problem = picked.size === 0 ? 'choose at least one column'
    : picked.size > maxColumns ? `${fmtInt(picked.size)} columns chosen, over the limit of ${maxColumns}`
      : bytes > budget ? `about ${fmtBytes(bytes)}, over the ${fmtBytes(budget)} budget: fewer columns or row groups` : null;
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return choices.columns.filter((c) => needle === '' || c.name.toLowerCase().includes(needle)).slice(0, SHOWN);
  }, [choices.columns, filter]);
  const toggle = (name: string, on: boolean) => setPicked((prev) => {
    const next = new Set(prev);
    if (on) next.add(name);
    else next.delete(name);
    return next;
  });
  return (
    <fieldset className="column-picker" data-testid="column-picker">
      <legend>Choose what to load ({fmtInt(choices.columns.length)} columns, {fmtInt(groups)} row groups in the file)</legend>
      <div className="toolbar">
        <button type="button" data-testid="picker-suggested" onClick={() => setPicked(new Set(choices.suggestion?.columns ?? []))}>The suggested columns</button>
        <button type="button" data-testid="picker-none" onClick={() => setPicked(new Set())}>None</button>
        <button type="button" data-testid="picker-shown" onClick={() => setPicked((prev) => new Set([...prev, ...shown.map((c) => c.name)]))}>Add the columns shown</button>
        <label className="field inline">
          <span>filter</span>
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="picker-filter" aria-controls={`${idPrefix}-columns`} />
        </label>
        <label className="field inline">
          <span>row groups (evenly spaced sample)</span>
          <input type="number" min={1} max={groups} step={1} value={groupCount} data-testid="picker-row-groups"
            onChange={(e) => { const n = Math.round(Number(e.target.value)); if (Number.isFinite(n)) setGroupCount(Math.min(groups, Math.max(1, n))); }} />
          <span className="muted"> of {fmtInt(groups)}</span>
        </label>
      </div>
      <ul id={`${idPrefix}-columns`} className="picker-columns" aria-label="columns to load" data-testid="picker-columns">
        {shown.map((c) => (
          <li key={c.name}>
            <label>
              <input type="checkbox" checked={picked.has(c.name)} onChange={(e) => toggle(c.name, e.target.checked)} data-testid="picker-column" data-name={c.name} />
              {' '}<span className="mono">{c.name}</span> <span className="muted" data-testid="picker-column-bytes" data-value={c.estimatedBytes}>
                {fmtBytes(c.estimatedBytes)}{c.textBytes > 0 ? ` (text ${fmtBytes(c.textBytes)})` : ''}</span>
            </label>
          </li>
        ))}
      </ul>
      {shown.length < choices.columns.length && <p className="muted">{fmtInt(shown.length)} of {fmtInt(choices.columns.length)} columns shown; filter by name to see others.</p>}
      <p role="status" aria-live="polite" data-testid="picker-total" data-value={bytes} data-columns={picked.size} className={problem === null ? 'met' : 'notmet'}>
        {fmtInt(picked.size)} columns × {fmtInt(rows)} rows: about {fmtBytes(bytes)} of the {fmtBytes(budget)} budget{problem === null ? '' : ` (${problem})`}
      </p>
      <button type="button" className="primary" disabled={problem !== null} data-testid="picker-load"
        onClick={() => loadSelection({ columns: choices.columns.filter((c) => picked.has(c.name)).map((c) => c.name), rowGroups })}>
        Load {fmtInt(picked.size)} columns
      </button>
    </fieldset>
  );
}
