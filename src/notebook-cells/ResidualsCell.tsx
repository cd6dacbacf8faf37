/** Residuals: predicted vs actual (with y = x), residuals vs predicted and their histogram, in the target's unit (dollars when it is money), beside the mean baseline. */
import { useMemo } from 'react';
import { Plot } from '../app/Plot.tsx';
import { useWorkbench } from '../app/store.ts';
import { MAX_SCATTER_POINTS, residualsOf } from '../notebook/evaluation.ts';
import { isKindStale } from '../app/staleness.ts';
import { fmtAmount, fmtInt, plotlyText } from '../app/format.ts';
import { MetricTable } from './MetricTable.tsx';
import { selectActiveRegressor } from '../notebook/runs.ts';

const point = { size: 4, opacity: 0.35, color: '#1f77b4' };

export function ResidualsCell() {
  const run = useWorkbench(selectActiveRegressor);
  const stale = useWorkbench((s) => isKindStale(s, 'residuals'));
  const result = run?.result ?? null;
  const res = useMemo(() => (result ? residualsOf(result) : null), [result]);
  const target = useWorkbench((s) => s.revenueTarget);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const figures = useMemo(() => {
    if (!res) return null;
    const cur = money ? '$' : '';
    const unit = money ? ' ($)' : '';
    const { min, max } = res.range;
    const h = res.histogram;
    return {
      scatter: {
        data: [
          { type: 'scatter', mode: 'markers', x: res.actual, y: res.predicted, name: 'test rows', marker: point, hovertemplate: `actual ${cur}%{x:.2f}<br>predicted ${cur}%{y:.2f}<extra></extra>` },
          { type: 'scatter', mode: 'lines', x: [min, max], y: [min, max], name: 'y = x', line: { dash: 'dot', color: '#d62728', width: 1.5 } },
        ],
        layout: {
          title: { text: plotlyText(`Predicted vs actual ${target}`), font: { size: 13 } }, legend: { orientation: 'h', y: -0.25 },
          xaxis: { title: { text: `actual${unit}` }, tickprefix: cur }, yaxis: { title: { text: `predicted${unit}` }, tickprefix: cur },
        },
      },
      residuals: {
        data: [
          { type: 'scatter', mode: 'markers', x: res.predicted, y: res.residual, name: 'test rows', marker: point, hovertemplate: `predicted ${cur}%{x:.2f}<br>residual ${cur}%{y:.2f}<extra></extra>` },
          { type: 'scatter', mode: 'lines', x: [Math.min(...res.predicted), Math.max(...res.predicted)], y: [0, 0], name: 'zero', line: { dash: 'dot', color: '#d62728', width: 1.5 } },
        ],
        layout: {
          title: { text: 'Residuals (actual − predicted) vs predicted', font: { size: 13 } }, showlegend: false,
          xaxis: { title: { text: `predicted${unit}` }, tickprefix: cur }, yaxis: { title: { text: `residual${unit}` }, tickprefix: cur },
        },
      },
      histogram: {
        data: [{
          type: 'bar', x: h.counts.map((_, i) => ((h.edges[i] as number) + (h.edges[i + 1] as number)) / 2), y: [...h.counts], width: h.counts.map((_, i) => ((h.edges[i + 1] as number) - (h.edges[i] as number)) * 0.95),
          marker: { color: '#7f7f7f' }, hovertemplate: `residual ≈ ${cur}%{x:.2f}<br>%{y} rows<extra></extra>`,
        }],
        layout: {
          title: { text: 'Residual histogram (central 99 %)', font: { size: 13 } }, showlegend: false, bargap: 0,
          xaxis: { title: { text: `residual${unit}` }, tickprefix: cur }, yaxis: { title: { text: 'rows' } },
        },
      },
    };
  }, [res, target, money]);
  if (!run || !res || !figures) {
    return <p className="muted" data-testid="residuals-empty">Train the regressor to see its residuals.</p>;
  }
  const sampled = res.rows > MAX_SCATTER_POINTS;
  return (
    <div className={stale ? 'stale' : ''} data-testid="residuals-cell" data-stale={stale}>
      {stale && <p><span className="stale-badge" data-testid="residuals-stale">stale: the regressor's inputs changed, train again</span></p>}
      <p className="muted">
        {run.name}, {fmtInt(res.rows)} test rows{sampled ? `; the scatter plots draw ${fmtInt(MAX_SCATTER_POINTS)} evenly sampled rows, the metrics use all of them` : ''}.
        {' '}{res.histogram.below + res.histogram.above > 0 && `${fmtInt(res.histogram.below + res.histogram.above)} rows with residuals outside ${fmtAmount(res.histogram.edges[0] ?? NaN, money)} … ${fmtAmount(res.histogram.edges.at(-1) ?? NaN, money)} are left out of the histogram.`}
      </p>
      <MetricTable model="regressor" values={run.result.metrics as unknown as Record<string, number>} baseline={run.result.baseline as unknown as Record<string, number>} testPrefix="res" />
      <div className="charts">
        <Plot testId="residuals-pred-actual" label={`predicted against actual ${target}`} data={figures.scatter.data} layout={figures.scatter.layout} />
        <Plot testId="residuals-vs-predicted" label={`residuals against predicted ${target}`} data={figures.residuals.data} layout={figures.residuals.layout} />
        <Plot testId="residuals-histogram" label="histogram of residuals" data={figures.histogram.data} layout={figures.histogram.layout} />
      </div>
    </div>
  );
}
