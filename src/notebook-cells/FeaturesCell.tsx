/** Features: choose the targets, which columns are features, and per-column transforms (cap, clip, log1p, one-hot, drop). */
import { useEffect, useMemo, useState } from 'react';
import { useWorkbench } from '../app/store.ts';
import { useDatasetView } from '../app/useDatasetView.ts';
import { getDataClient } from '../app/services.ts';
import type { ColumnTransform } from '../data/encode.ts';
import type { FeaturesView } from '../notebook/featuresView.ts';
import type { Dataset } from '../data/types.ts';
import { NumberField, SelectField } from './fields.tsx';
import { DataSettingsPanel } from './DataSettingsPanel.tsx';

type TransformKind = 'none' | ColumnTransform['kind'];

const columnNames = (ds: Dataset): string[] => ds.columns.map((c) => c.name);

export function FeaturesCell() {
  const classTarget = useWorkbench((s) => s.classTarget);
  const revenueTarget = useWorkbench((s) => s.revenueTarget);
  const setTargets = useWorkbench((s) => s.setTargets);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const setMoney = useWorkbench((s) => s.setRevenueIsMoney);
  const excluded = useWorkbench((s) => s.excluded);
  const toggle = useWorkbench((s) => s.toggleExcluded);
  const transforms = useWorkbench((s) => s.transforms);
  const setTransform = useWorkbench((s) => s.setTransform);
  const leakage = useWorkbench((s) => s.analysis?.leakage);
  const leaks = useMemo(() => (leakage ?? []).filter((f) => f.flagged).map((f) => f.feature), [leakage]);
  const setExcluded = useWorkbench((s) => s.setExcluded);

  // the one-hot groups and the matrix summary are passes over every row: the data worker computes them
  const dataVersion = useWorkbench((s) => s.dataVersion);
  const [view, setView] = useState<{ version: number; view: FeaturesView } | null>(null);
  useEffect(() => {
    const s = useWorkbench.getState();
    if (s.dataset === null) return;
    let current = true;
    getDataClient().request('featuresView', { prepare: { dateParts: s.dateParts, filters: s.filters }, classTarget, revenueTarget, excluded, transforms }).result.then(
      (v) => { if (current) setView({ version: dataVersion, view: v }); },
      (e: Error) => { if (current) setView({ version: dataVersion, view: { features: [], summary: { error: e.message } } }); },
    );
    return () => { current = false; };
  }, [dataVersion, classTarget, revenueTarget, excluded, transforms]);
  // an answer for this data stays on screen while the next settings' answer is computed (no flicker), never one for other data
  const features = view?.version === dataVersion ? view.view.features : null;
  const summary = view?.version === dataVersion ? view.view.summary : null;
  const names = useDatasetView(columnNames);

  if (!names) return <p className="muted">Load data to choose features.</p>;
  const pendingLeaks = leaks.filter((l) => !excluded.includes(l));
  return (
    <div>
      <div className="settings">
        <SelectField label="class target" value={classTarget} testId="class-target"
          options={[['', 'none (regression only)'] as const, ...names.filter((n) => n !== revenueTarget).map((n) => [n, n] as const)]} onChange={(v) => setTargets(v, revenueTarget)} />
        <SelectField label="regression target" value={revenueTarget} testId="revenue-target" options={[['', 'none (classification only)'] as const, ...names.filter((n) => n !== classTarget).map((n) => [n, n] as const)]} onChange={(v) => setTargets(classTarget, v)} />
        {revenueTarget !== '' && (
          <label className="field checkbox-field" title="show the regression target's values, errors and gains in dollars">
            <input type="checkbox" checked={money} onChange={(e) => setMoney(e.target.checked)} data-testid="revenue-money" />
            <span>money ($)</span>
          </label>
        )}
      </div>
      <DataSettingsPanel />
      {pendingLeaks.length > 0 && (
        <p className="error">
          Flagged as leaking: {pendingLeaks.join(', ')}.{' '}
          <button type="button" data-testid="features-exclude-leaks" onClick={() => setExcluded([...excluded, ...pendingLeaks])}>Exclude flagged leaks</button>
        </p>
      )}
      {features === null ? <p className="muted" data-testid="features-pending">Checking the columns…</p> : (
      <table className="grid" data-testid="features-table">
        <thead><tr><th>use</th><th>feature</th><th>kind</th><th>transform</th></tr></thead>
        <tbody>
          {features.map((f) => {
            const t = transforms[f.name];
            const kind: TransformKind = t?.kind ?? 'none';
            return (
              <tr key={f.name} data-testid={`feature-row-${f.name}`}>
                <td>
                  <input type="checkbox" aria-label={`use ${f.name}`} checked={!excluded.includes(f.name)} onChange={() => toggle(f.name)} data-testid={`feature-use-${f.name}`} />
                </td>
                <td className="mono">{f.name}{f.members.length > 1 ? ` (${f.members.length} columns)` : ''}{leaks.includes(f.name) ? <span className="flag"> leak</span> : null}
                  {f.leftOut !== null && !excluded.includes(f.name) && <span className="muted" data-testid={`feature-left-out-${f.name}`}> (left out: {f.leftOut})</span>}</td>
                <td>{f.kind}</td>
                <td>
                  {f.kind === 'numeric' ? (
                    <div className="toolbar">
                      <SelectField<TransformKind> label="" value={kind} testId={`transform-${f.name}`}
                        options={[['none', 'none'], ['cap', 'cap at'], ['clip', 'clip to'], ['log1p', 'log1p'], ['onehot', 'one-hot'], ['drop', 'drop']]}
                        onChange={(k) => setTransform(f.name, k === 'none' ? null : k === 'cap' ? { kind: 'cap', max: 4 } : k === 'clip' ? { kind: 'clip', min: 0, max: 10 } : { kind: k })} />
                      {t?.kind === 'cap' && <NumberField label="max" value={t.max} testId={`cap-${f.name}`} onChange={(max) => setTransform(f.name, { kind: 'cap', max })} />}
                      {t?.kind === 'clip' && (
                        <>
                          <NumberField label="min" value={t.min} onChange={(min) => setTransform(f.name, { ...t, min })} />
                          <NumberField label="max" value={t.max} onChange={(max) => setTransform(f.name, { ...t, max })} />
                        </>
                      )}
                    </div>
                  ) : <span className="muted">one-hot</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      )}
      {summary && 'error' in summary ? <p className="error">{summary.error}</p> : summary && (
        <div data-testid="features-summary">
          <p>Model matrix: <strong data-testid="features-count" data-value={summary.cols}>{summary.cols}</strong> columns × {summary.rows.toLocaleString('en-US')} rows ({summary.featureNames.join(', ')}).</p>
          {summary.warnings.length > 0 && <ul className="notes warning">{summary.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
          {summary.notes.length > 0 && <ul className="notes">{summary.notes.map((w) => <li key={w}>{w}</li>)}</ul>}
        </div>
      )}
      {names.includes('engagement_depth') && <p className="muted">Tip: capping engagement_depth at 4 asks “will a session that reached the cart buy?” — an honest question the leak-free data can answer.</p>}
    </div>
  );
}
