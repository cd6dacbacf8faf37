/** Calibration: reliability diagram (predicted vs observed, with the diagonal), rows per bin, Brier score. */
import { useMemo } from 'react';
import { Plot } from '../app/Plot.tsx';
import { useWorkbench } from '../app/store.ts';
import { calibrationOf } from '../notebook/evaluation.ts';
import { isKindStale } from '../app/staleness.ts';
import { fmt, fmtInt } from '../app/format.ts';
import { selectActiveClassifier } from '../notebook/runs.ts';

export function CalibrationCell() {
  const run = useWorkbench(selectActiveClassifier);
  const stale = useWorkbench((s) => isKindStale(s, 'calibration'));
  const result = run?.result ?? null;
  const cal = useMemo(() => (result ? calibrationOf(result) : null), [result]);
  const figures = useMemo(() => {
    if (!cal) return null;
    const filled = cal.bins.filter((b) => b.count > 0);
    return {
      reliability: {
        data: [
          { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], name: 'perfectly calibrated', line: { dash: 'dot', color: '#999', width: 1 } },
          {
            type: 'scatter', mode: 'lines+markers', name: 'model',
            x: filled.map((b) => b.meanPredicted), y: filled.map((b) => b.fractionPositive),
            text: filled.map((b) => `${fmtInt(b.count)} rows`), hovertemplate: 'predicted %{x:.3f}<br>observed %{y:.3f}<br>%{text}<extra></extra>',
            line: { color: '#1f77b4', width: 2 }, marker: { size: 8 },
          },
        ],
        layout: {
          title: { text: 'Reliability diagram (10 uniform bins)', font: { size: 13 } }, legend: { orientation: 'h', y: -0.25 },
          xaxis: { title: { text: 'mean predicted probability' }, range: [0, 1] }, yaxis: { title: { text: 'observed fraction ordered' }, range: [0, 1] },
        },
      },
      counts: {
        data: [{
          type: 'bar', x: cal.bins.map((b) => (b.lo + b.hi) / 2), y: cal.bins.map((b) => b.count), width: cal.bins.map((b) => (b.hi - b.lo) * 0.9),
          marker: { color: '#7f7f7f' }, text: cal.bins.map((b) => fmtInt(b.count)), textposition: 'outside', hovertemplate: '%{y} rows<extra></extra>',
        }],
        layout: {
          title: { text: 'Test rows per bin (log scale)', font: { size: 13 } }, showlegend: false,
          xaxis: { title: { text: 'predicted probability' }, range: [0, 1] }, yaxis: { title: { text: 'rows' }, type: 'log' },
        },
      },
    };
  }, [cal]);
  if (!run || !cal || !figures) {
    return <p className="muted" data-testid="calibration-empty">Train the classifier to see how well its probabilities are calibrated.</p>;
  }
  const weighted = run.result.config.classWeight !== 'none' || run.result.config.resampling !== 'none';
  return (
    <div className={stale ? 'stale' : ''} data-testid="calibration-cell" data-stale={stale}>
      {stale && <p><span className="stale-badge" data-testid="calibration-stale">stale: the classifier's inputs changed, train again</span></p>}
      <dl className="facts">
        <div><dt>Brier score (lower is better)</dt><dd data-testid="calibration-brier" data-value={cal.brier}>{fmt(cal.brier)}</dd></div>
        <div><dt>test rows</dt><dd>{fmtInt(run.result.yTest.length)}</dd></div>
      </dl>
      {weighted && (
        <p className="muted">
          Class weights or resampling shift the probabilities upward on purpose (to rank the rare orders), so points below the diagonal
          are expected; read these scores as a ranking, not as order probabilities.
        </p>
      )}
      <div className="charts">
        <Plot testId="reliability-chart" label={`reliability diagram, Brier score ${fmt(cal.brier)}`} data={figures.reliability.data} layout={figures.reliability.layout} />
        <Plot testId="calibration-counts-chart" label="test rows per probability bin" data={figures.counts.data} layout={figures.counts.layout} />
      </div>
      <table className="grid" data-testid="calibration-bins">
        <thead><tr><th>bin</th>{cal.bins.map((b) => <th key={b.lo}>{fmt(b.lo, 1)}–{fmt(b.hi, 1)}</th>)}</tr></thead>
        <tbody>
          <tr><th>rows</th>{cal.bins.map((b) => <td key={b.lo} data-value={b.count}>{fmtInt(b.count)}</td>)}</tr>
          <tr><th>predicted</th>{cal.bins.map((b) => <td key={b.lo} data-value={b.meanPredicted}>{fmt(b.meanPredicted)}</td>)}</tr>
          <tr><th>observed</th>{cal.bins.map((b) => <td key={b.lo} data-value={b.fractionPositive}>{fmt(b.fractionPositive)}</td>)}</tr>
        </tbody>
      </table>
    </div>
  );
}
