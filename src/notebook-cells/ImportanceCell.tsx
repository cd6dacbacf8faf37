/** Importance: permutation importance of both models on the test split, with the spread over seeded repeats. */
import { useMemo } from 'react';
import { useWorkbench } from '../app/store.ts';
import { Plot } from '../app/Plot.tsx';
import { fmt, fmtAmount, plotlyText } from '../app/format.ts';
import { isImportanceOutdated, type ImportanceEntry } from '../app/importanceSlice.ts';
import type { PermutationImportanceResult } from '../trainers/permutationImportance.ts';
import { featureGainImportance, type FeatureGain } from '../trainers/trees/gainImportance.ts';
import { ensembleFromBundle, isTreeBundle } from '../trainers/trees/treeBundle.ts';
import { NumberField } from './fields.tsx';
import type { ModelKind } from '../notebook/runs.ts';

const SHORT: Record<ModelKind, string> = { classifier: 'clf', regressor: 'reg' };

/** The section's heading, naming the model's target. */
function sectionTitle(kind: ModelKind, target: string): string {
  return kind === 'classifier' ? `Classifier (${target}): drop in ROC AUC` : `Regressor (${target}): increase in RMSE`;
}

function ImportanceChart({ kind, result }: { kind: ModelKind; result: PermutationImportanceResult }) {
  const money = useWorkbench((s) => s.revenueIsMoney);
  const { data, layout, height } = useMemo(() => {
    // Plotly draws the first horizontal bar at the bottom: reverse so the most important feature is on top
    const rows = [...result.features].reverse();
    return {
      data: [{
        type: 'bar',
        orientation: 'h',
        y: rows.map((f) => plotlyText(f.feature)),
        x: rows.map((f) => f.mean),
        error_x: { type: 'data', array: rows.map((f) => f.std), visible: true, thickness: 1.2 },
        marker: { color: kind === 'classifier' ? '#4c78a8' : '#f58518' },
        hovertemplate: '%{y}: %{x:.4f}<extra></extra>',
      }],
      layout: {
        margin: { l: 170, r: 16, t: 12, b: 44 },
        xaxis: { title: { text: kind === 'classifier' ? 'AUC drop (mean ± std over repeats)' : `RMSE increase${money ? ', $' : ''} (mean ± std)` }, zeroline: true },
        yaxis: { automargin: true },
        bargap: 0.25,
      },
      height: Math.max(220, 26 * rows.length + 90),
    };
  }, [kind, result, money]);
  return <Plot data={data} layout={layout} height={height} testId={`importance-${SHORT[kind]}-chart`} label={`permutation importance of the ${kind}`} />;
}

function ImportanceTable({ kind, result }: { kind: ModelKind; result: PermutationImportanceResult }) {
  const money = useWorkbench((s) => s.revenueIsMoney);
  // a drop of −$0.001 reads as no change, not as "$-0.00"
  const show = (v: number) => (kind === 'regressor' ? (v <= -0.005 ? `−${fmtAmount(-v, money)}` : fmtAmount(Math.max(0, v), money)) : fmt(v, 4));
  return (
    <table className="grid" data-testid={`importance-${SHORT[kind]}-table`}>
      <caption className="muted">
        baseline {kind === 'classifier' ? 'ROC AUC' : 'RMSE'} <span data-testid={`importance-${SHORT[kind]}-baseline`} data-value={result.baseline}>{kind === 'classifier' ? fmt(result.baseline) : fmtAmount(result.baseline, money)}</span>
        {' '}on {result.rows < result.totalRows ? `a seeded sample of ${result.rows.toLocaleString('en-US')} of the ${result.totalRows.toLocaleString('en-US')}` : result.rows.toLocaleString('en-US')} test rows, {result.repeats} repeats (seed {result.seed})
      </caption>
      <thead>
        <tr><th>#</th><th>feature</th><th>columns</th><th>mean {kind === 'classifier' ? 'AUC drop' : 'RMSE increase'}</th><th>std</th></tr>
      </thead>
      <tbody>
        {result.features.map((f, i) => (
          <tr key={f.feature} data-testid={`importance-${SHORT[kind]}-row`} data-feature={f.feature}>
            <td>{i + 1}</td>
            <td className="mono" data-testid={i === 0 ? `importance-${SHORT[kind]}-top` : undefined}>{f.feature}</td>
            <td>{f.columns.length}</td>
            <td data-value={f.mean}>{show(f.mean)}</td>
            <td data-value={f.std}>{show(f.std)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Gain importance of a tree model: each feature's share of the split gain over all trees (no shuffling, so it is there as soon as the model is). */
function GainImportance({ kind, gains }: { kind: ModelKind; gains: readonly FeatureGain[] }) {
  const { data, layout, height } = useMemo(() => {
    const rows = [...gains].reverse();
    return {
      data: [{
        type: 'bar', orientation: 'h', y: rows.map((g) => plotlyText(g.feature)), x: rows.map((g) => g.share),
        marker: { color: kind === 'classifier' ? '#72b7b2' : '#e45756' }, hovertemplate: '%{y}: %{x:.1%}<extra></extra>',
      }],
      layout: { margin: { l: 170, r: 16, t: 12, b: 44 }, xaxis: { title: { text: 'share of the total split gain' }, tickformat: '.0%' }, yaxis: { automargin: true }, bargap: 0.25 },
      height: Math.max(200, 24 * rows.length + 80),
    };
  }, [kind, gains]);
  return (
    <div data-testid={`importance-${SHORT[kind]}-gain`}>
      <h4>Gain importance (the trees’ own)</h4>
      <Plot data={data} layout={layout} height={height} testId={`importance-${SHORT[kind]}-gain-chart`} label={`gain importance of the ${kind}`} />
      <table className="grid" data-testid={`importance-${SHORT[kind]}-gain-table`}>
        <caption className="muted">loss reduction of every split on the feature, summed over all trees (a one-hot group’s columns summed), as a share of the total; it says what the trees split on, not what the test score depends on</caption>
        <thead><tr><th>#</th><th>feature</th><th>columns</th><th>share of gain</th></tr></thead>
        <tbody>
          {gains.map((g, i) => (
            <tr key={g.feature} data-testid={`importance-${SHORT[kind]}-gain-row`} data-feature={g.feature} data-value={g.share}>
              <td>{i + 1}</td><td className="mono">{g.feature}</td><td>{g.columns.length}</td><td>{fmt(100 * g.share, 1)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ModelImportance({ kind, entry }: { kind: ModelKind; entry: ImportanceEntry }) {
  const hasRun = useWorkbench((s) => s.activeRun[kind] !== null);
  const activeRun = useWorkbench((s) => s.runs.find((r) => r.id === s.activeRun[kind]) ?? null);
  const gains = useMemo(() => {
    const bundle = activeRun?.result.bundle;
    return activeRun && isTreeBundle(bundle) ? featureGainImportance(ensembleFromBundle(bundle), activeRun.featureGroups) : null;
  }, [activeRun]);
  const outdated = useWorkbench((s) => isImportanceOutdated(s, kind));
  const target = useWorkbench((s) => (kind === 'classifier' ? s.classTarget : s.revenueTarget));
  if (target === '') {
    return (
      <section className="importance-model" data-testid={`importance-${SHORT[kind]}`} data-status="idle" aria-label={`${kind} importance`}>
        <p className="muted" data-testid={`importance-${SHORT[kind]}-idle`}>No {kind}: the {kind === 'classifier' ? 'class' : 'regression'} target is none.</p>
      </section>
    );
  }
  return (
    <section className="importance-model" data-testid={`importance-${SHORT[kind]}`} data-status={entry.status} aria-label={`${kind} importance`}>
      <h3>{sectionTitle(kind, target)}</h3>
      {entry.status === 'running' && (
        <div className="run-status">
          <progress max={Math.max(1, entry.total)} value={entry.done} aria-label={`${kind} importance progress`} />
          <span data-testid={`importance-${SHORT[kind]}-progress`} data-value={entry.done}>{entry.done} / {entry.total} shuffles</span>
        </div>
      )}
      {entry.status === 'error' && <p className="error" role="alert" data-testid={`importance-${SHORT[kind]}-error`}>{entry.error}</p>}
      {entry.status === 'cancelled' && <p className="muted">cancelled</p>}
      {outdated && <p><span className="stale-badge">stale</span> the {kind} changed since this was computed; run importance again.</p>}
      {!entry.result && entry.status === 'idle' && (
        <p className="muted">{hasRun ? 'Press Run to compute it.' : `Train the ${kind} first (Run all trains both).`}</p>
      )}
      {entry.result && (
        <div className={outdated ? 'stale' : ''}>
          <ImportanceChart kind={kind} result={entry.result} />
          <ImportanceTable kind={kind} result={entry.result} />
          {entry.ms !== null && <p className="muted">computed in {fmt(entry.ms / 1000, 1)} s ({entry.backend}, in a worker)</p>}
        </div>
      )}
      {gains && <GainImportance kind={kind} gains={gains} />}
    </section>
  );
}

export function ImportanceCell() {
  const importance = useWorkbench((s) => s.importance);
  const repeats = useWorkbench((s) => s.importanceRepeats);
  const setRepeats = useWorkbench((s) => s.setImportanceRepeats);
  const maxRows = useWorkbench((s) => s.importanceMaxRows);
  const setMaxRows = useWorkbench((s) => s.setImportanceMaxRows);
  const run = useWorkbench((s) => s.runImportance);
  const cancel = useWorkbench((s) => s.cancelImportance);
  const canRun = useWorkbench((s) => s.activeRun.classifier !== null || s.activeRun.regressor !== null);
  const running = importance.classifier.status === 'running' || importance.regressor.status === 'running';
  return (
    <div data-testid="importance-cell">
      <p className="muted">
        Each feature is shuffled across the test rows in turn, and the model scored again: the bigger the drop, the more the model relies on it.
        A one-hot group (e.g. all columns of a category) is shuffled as one feature. Correlated features share credit, so a low score does not prove a feature useless.
      </p>
      <div className="toolbar">
        <NumberField label="repeats per feature" value={repeats} min={1} max={50} step={1} testId="importance-repeats" onChange={setRepeats} />
        <NumberField label="test rows scored (at most)" value={maxRows} min={100} step={1000} testId="importance-max-rows" onChange={setMaxRows} />
        <button type="button" className="primary" disabled={!canRun || running} onClick={() => void run()} data-testid="importance-run">
          Run importance
        </button>
        {running && <button type="button" onClick={cancel} data-testid="importance-cancel">Cancel</button>}
      </div>
      <div className="charts">
        <ModelImportance kind="classifier" entry={importance.classifier} />
        <ModelImportance kind="regressor" entry={importance.regressor} />
      </div>
    </div>
  );
}
