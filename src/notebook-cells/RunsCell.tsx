/** Runs: every training run of the session, sortable; select runs to overlay their curves and compare metrics side by side. */
import { undefinedRegressionMetrics } from '../notebook/evaluation.ts';
import { useMemo, useState } from 'react';
import { Plot } from '../app/Plot.tsx';
import { useWorkbench } from '../app/store.ts';
import { curvesOf } from '../notebook/evaluation.ts';
import { fmt, fmtPct, plotlyText } from '../app/format.ts';
import { meetsTarget, type MetricTarget } from '../trainers/targets.ts';
import { useTargets } from './MetricTable.tsx';
import type { ModelKind } from '../notebook/runs.ts';
import { settingsLine } from '../notebook/modelSettings.ts';
import type { ClassifierRun, RegressorRun, Run, RunId } from '../notebook/runs.ts';
import { groupRunsByData, transformsText } from '../notebook/dataSettings.ts';

/** A one-line summary of what a run was trained with. */
export function settingsSummary(run: Run): string {
  const excluded = run.excluded.length > 0 ? `; without ${run.excluded.join(', ')}` : '';
  const data = run.data === undefined ? '' : `; split ${run.data.split}${run.data.filters.length > 0 ? `; rows where ${run.data.filters.join(' and ')}` : ''}${Object.keys(run.transforms).length > 0 ? `; ${transformsText(run.transforms).join(', ')}` : ''}`;
  const settings = run.kind === 'classifier' ? settingsLine({ kind: 'classifier', config: run.result.config }) : settingsLine({ kind: 'regressor', config: run.result.config, targetTransform: run.result.targetTransform });
  return `${settings}${excluded}${data}`;
}

type SortKey = 'created' | 'name' | 'kind' | 'settings' | 'backend' | 'auc' | 'f1' | 'rmse' | 'r2' | 'time';

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly value: (r: Run) => number | string;
}

const clf = (r: Run): ClassifierRun | null => (r.kind === 'classifier' ? r : null);
const reg = (r: Run): RegressorRun | null => (r.kind === 'regressor' ? r : null);

const COLUMNS: readonly Column[] = [
  { key: 'name', label: 'run', value: (r) => r.createdAt },
  { key: 'kind', label: 'kind', value: (r) => r.kind },
  { key: 'settings', label: 'settings', value: (r) => settingsSummary(r) },
  { key: 'backend', label: 'backend', value: (r) => r.result.backend },
  { key: 'auc', label: 'ROC AUC', value: (r) => clf(r)?.result.metrics.auc_roc ?? NaN },
  { key: 'f1', label: 'F1', value: (r) => clf(r)?.result.metrics.f1_score ?? NaN },
  { key: 'rmse', label: 'RMSE', value: (r) => reg(r)?.result.metrics.rmse ?? NaN },
  // an R² without a meaning (a constant test target) sorts last, with the runs that have none
  { key: 'r2', label: 'R²', value: (r) => { const g = reg(r); return g === null || undefinedRegressionMetrics(g.result.yTest)['r2'] !== undefined ? NaN : g.result.metrics.r2; } },
  { key: 'time', label: 'train time (s)', value: (r) => r.wallMs / 1000 },
];

/** Ascending order with NaN (a metric the run's kind lacks) always last. */
function compare(a: number | string, b: number | string, dir: 1 | -1): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return (a - b) * dir;
  }
  return String(a).localeCompare(String(b)) * dir;
}

function Metric({ v, text }: { v: number; text?: string | undefined }) {
  return <td data-value={v}>{text ?? (Number.isNaN(v) ? '' : fmt(v))}</td>;
}

function showTarget(t: MetricTarget, v: number): string {
  return t.unit === 'percent' ? fmtPct(v, 1) : fmt(v);
}

function Comparison({ runs, model, testId }: { runs: readonly Run[]; model: ModelKind; testId: string }) {
  const targets = useTargets(model);
  return (
    <table className="grid" data-testid={testId}>
      <thead><tr><th>metric (target)</th>{runs.map((r) => <th key={r.id}>{r.name}</th>)}</tr></thead>
      <tbody>
        {targets.map((t) => (
          <tr key={t.metric}>
            <th scope="row">{t.label} ({t.op} {showTarget(t, t.value)})</th>
            {runs.map((r) => {
              const v = (r.result.metrics as unknown as Record<string, number>)[t.metric] ?? NaN;
              return <td key={r.id} data-value={v} className={meetsTarget(t, v) ? 'met' : 'notmet'}>{showTarget(t, v)}</td>;
            })}
          </tr>
        ))}
        <tr><th scope="row">train time (s)</th>{runs.map((r) => <td key={r.id} data-value={r.wallMs / 1000}>{fmt(r.wallMs / 1000)}</td>)}</tr>
      </tbody>
    </table>
  );
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function Overlays({ runs }: { runs: readonly ClassifierRun[] }) {
  const figures = useMemo(() => {
    const curves = runs.map((r) => ({ run: r, c: curvesOf(r.result) }));
    const diag = { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], name: 'chance', line: { dash: 'dot', color: '#999', width: 1 }, showlegend: false };
    return {
      roc: {
        data: [diag, ...curves.map(({ run, c }, i) => ({
          type: 'scatter', mode: 'lines', x: c.roc.fpr, y: c.roc.tpr, name: plotlyText(`${run.name} (AUC ${fmt(c.auc)})`), line: { color: PALETTE[i % PALETTE.length], width: 2 },
        }))],
        layout: { title: { text: 'ROC, selected runs', font: { size: 13 } }, legend: { orientation: 'h', y: -0.3 }, xaxis: { title: { text: 'false positive rate' } }, yaxis: { title: { text: 'true positive rate' } } },
      },
      pr: {
        data: curves.map(({ run, c }, i) => ({
          type: 'scatter', mode: 'lines', x: c.pr.recall, y: c.pr.precision, name: plotlyText(`${run.name} (AP ${fmt(c.averagePrecision)})`), line: { color: PALETTE[i % PALETTE.length], width: 2, shape: 'hv' },
        })),
        layout: { title: { text: 'Precision-recall, selected runs', font: { size: 13 } }, legend: { orientation: 'h', y: -0.3 }, xaxis: { title: { text: 'recall' } }, yaxis: { title: { text: 'precision' }, range: [0, 1.01] } },
      },
    };
  }, [runs]);
  return (
    <div className="charts">
      <Plot testId="runs-roc-overlay" label="ROC curves of the selected runs" data={figures.roc.data} layout={figures.roc.layout} height={340} />
      <Plot testId="runs-pr-overlay" label="precision-recall curves of the selected runs" data={figures.pr.data} layout={figures.pr.layout} height={340} />
    </div>
  );
}

export function RunsCell() {
  const runs = useWorkbench((s) => s.runs);
  const activeClassifier = useWorkbench((s) => s.activeRun.classifier);
  const activeRegressor = useWorkbench((s) => s.activeRun.regressor);
  const setActiveRun = useWorkbench((s) => s.setActiveRun);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'created', dir: 1 });
  const [selected, setSelected] = useState<ReadonlySet<RunId>>(new Set());
  // runs of different files are never ranked together: the table shows one data set at a time (the latest by default)
  const groups = useMemo(() => groupRunsByData(runs), [runs]);
  const [dataKey, setDataKey] = useState<string | null>(null);
  const group = groups.find((g) => g.key === dataKey) ?? groups[groups.length - 1];
  const sorted = useMemo(() => {
    const shown = group?.runs ?? [];
    const col = COLUMNS.find((c) => c.key === sort.key);
    if (!col) return shown;
    return [...shown].sort((a, b) => compare(col.value(a), col.value(b), sort.dir));
  }, [group, sort]);
  const chosen = runs.filter((r) => selected.has(r.id));
  const chosenClassifiers = useMemo(() => runs.filter((r): r is ClassifierRun => r.kind === 'classifier' && selected.has(r.id)), [runs, selected]);
  const chosenRegressors = chosen.filter((r): r is RegressorRun => r.kind === 'regressor');
  if (runs.length === 0) return <p className="muted" data-testid="runs-empty">No runs yet: every model you train in this session is listed here.</p>;
  const toggle = (id: RunId) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const header = (c: Column) => {
    const active = sort.key === c.key;
    return (
      <th key={c.key} aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="sort" data-testid={`runs-sort-${c.key}`}
          onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key ? (s.dir === 1 ? -1 : 1) : 1 }))}>
          {c.label}{active ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
        </button>
      </th>
    );
  };
  return (
    <div data-testid="runs-cell">
      {groups.length > 1 && (
        <label className="field">
          <span>data set (runs of different files are not compared)</span>
          <select data-testid="runs-dataset" value={group?.key ?? ''} onChange={(e) => { setDataKey(e.target.value); setSelected(new Set()); }}>
            {groups.map((g) => <option key={g.key} value={g.key}>{g.label}: {g.runs.length} run{g.runs.length === 1 ? '' : 's'}</option>)}
          </select>
        </label>
      )}
      <div className="scroll-x">
        <table className="grid" data-testid="runs-table">
          <thead>
            <tr><th>compare</th>{COLUMNS.map(header)}<th>shown in cells</th></tr>
          </thead>
          <tbody>
            {sorted.map((r) => {
              const active = r.id === (r.kind === 'classifier' ? activeClassifier : activeRegressor);
              const c = clf(r);
              const g = reg(r);
              return (
                <tr key={r.id} data-testid={`run-row-${r.id}`} aria-selected={selected.has(r.id)}>
                  <td><input type="checkbox" checked={selected.has(r.id)} onChange={() => toggle(r.id)} aria-label={`compare ${r.name}`} data-testid={`run-select-${r.name}`} /></td>
                  <td>{r.name}<br /><small className="muted">{new Date(r.createdAt).toLocaleTimeString()}</small></td>
                  <td>{r.kind}</td>
                  <td><small>{settingsSummary(r)}</small></td>
                  <td>{r.result.backend}</td>
                  <Metric v={c?.result.metrics.auc_roc ?? NaN} />
                  <Metric v={c?.result.metrics.f1_score ?? NaN} />
                  <Metric v={g?.result.metrics.rmse ?? NaN} />
                  <Metric v={g?.result.metrics.r2 ?? NaN} text={g ? undefinedRegressionMetrics(g.result.yTest)['r2'] : undefined} />
                  <td data-value={r.wallMs / 1000}>{fmt(r.wallMs / 1000)}</td>
                  <td>
                    {active ? <span className="badge" data-testid={`run-active-${r.name}`}>active</span> : (
                      <button type="button" data-testid={`run-activate-${r.name}`} onClick={() => setActiveRun(r.kind, r.id)}>show this run</button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted">Tick two or more runs to overlay their curves and compare their test metrics; "show this run" makes the other cells show it.</p>
      {chosenClassifiers.length >= 2 && (
        <div data-testid="runs-compare-classifiers">
          <Comparison runs={chosenClassifiers} model="classifier" testId="runs-compare-clf-table" />
          <Overlays runs={chosenClassifiers} />
        </div>
      )}
      {chosenRegressors.length >= 2 && <Comparison runs={chosenRegressors} model="regressor" testId="runs-compare-reg-table" />}
    </div>
  );
}
