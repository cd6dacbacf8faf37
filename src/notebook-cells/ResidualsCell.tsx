/**
 * Residuals: predicted vs actual (with y = x), residuals vs predicted and their histogram, in the target's unit (dollars
 * when it is money), beside the mean baseline. Each scatter is every test row's density (one image) under a small sample
 * of points to hover: drawn in one short main-thread task whatever the number of rows.
 */
import { useMemo } from 'react';
import { Plot } from '../app/Plot.tsx';
import { useWorkbench } from '../app/store.ts';
import { residualsOf, type DensityGrid } from '../notebook/evaluation.ts';
import { DENSITY_COLOURS, densityLayoutImage } from '../app/densityImage.ts';
import { isKindStale } from '../app/staleness.ts';
import { fmtAmount, fmtInt, plotlyText } from '../app/format.ts';
import { MetricTable } from './MetricTable.tsx';
import { selectActiveRegressor } from '../notebook/runs.ts';

const point = { size: 4, opacity: 0.7, color: '#ff7f0e' };

/** An axis range a little wider than the grid's, so a point on its edge is drawn whole. */
const padded = (e: { readonly min: number; readonly max: number }): [number, number] => {
  const pad = (e.max - e.min) * 0.02;
  return [e.min - pad, e.max + pad];
};
/** The legend's entry for the shading (a trace with no points). */
const shadingKey = (rows: number) => ({
  type: 'scatter', mode: 'markers', x: [null], y: [null], name: `all ${fmtInt(rows)} rows, shaded`, hoverinfo: 'skip',
  marker: { symbol: 'square', size: 10, color: `rgb(${DENSITY_COLOURS.most.join(',')})` },
});
const densityAxes = (g: DensityGrid) => ({ images: [densityLayoutImage(g)], x: padded(g.x), y: padded(g.y) });

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
    const pa = densityAxes(res.density.predictedVsActual);
    const rp = densityAxes(res.density.residualVsPredicted);
    const sampleName = `${fmtInt(res.actual.length)} sampled`;
    return {
      scatter: {
        data: [
          shadingKey(res.density.predictedVsActual.points),
          { type: 'scatter', mode: 'markers', x: res.actual, y: res.predicted, name: sampleName, marker: point, hovertemplate: `actual ${cur}%{x:.2f}<br>predicted ${cur}%{y:.2f}<extra></extra>` },
          { type: 'scatter', mode: 'lines', x: [min, max], y: [min, max], name: 'y = x', line: { dash: 'dot', color: '#d62728', width: 1.5 } },
        ],
        layout: {
          title: { text: plotlyText(`Predicted vs actual ${target}`), font: { size: 13 } }, legend: { x: 0.02, y: 0.98, bgcolor: 'rgba(128,128,128,0.08)', font: { size: 11 } }, images: pa.images,
          xaxis: { title: { text: `actual${unit}` }, tickprefix: cur, range: pa.x }, yaxis: { title: { text: `predicted${unit}` }, tickprefix: cur, range: pa.y },
        },
      },
      residuals: {
        data: [
          { type: 'scatter', mode: 'markers', x: res.predicted, y: res.residual, name: sampleName, marker: point, hovertemplate: `predicted ${cur}%{x:.2f}<br>residual ${cur}%{y:.2f}<extra></extra>` },
          { type: 'scatter', mode: 'lines', x: [res.density.residualVsPredicted.x.min, res.density.residualVsPredicted.x.max], y: [0, 0], name: 'zero', line: { dash: 'dot', color: '#d62728', width: 1.5 } },
        ],
        layout: {
          title: { text: 'Residuals (actual − predicted) vs predicted', font: { size: 13 } }, showlegend: false, images: rp.images,
          xaxis: { title: { text: `predicted${unit}` }, tickprefix: cur, range: rp.x }, yaxis: { title: { text: `residual${unit}` }, tickprefix: cur, range: rp.y },
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
  const dense = res.density.predictedVsActual;
  return (
    <div className={stale ? 'stale' : ''} data-testid="residuals-cell" data-stale={stale}>
      {stale && <p><span className="stale-badge" data-testid="residuals-stale">stale: the regressor's inputs changed, train again</span></p>}
      <p className="muted">
        {run.name}, <span data-testid="residuals-test-rows" data-value={res.rows}>{fmtInt(res.rows)}</span> test rows. The scatter plots shade <span data-testid="residuals-shaded-rows" data-value={dense.points}>{fmtInt(dense.points)}</span> of
        them in {fmtInt(dense.nx)} × {fmtInt(dense.ny)} cells (log scale: the darkest holds {fmtInt(dense.max)} rows) and draw
        {' '}<span data-testid="residuals-points-drawn" data-value={res.actual.length}>{fmtInt(res.actual.length)}</span> evenly sampled rows as points to hover; the metrics use every row.
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
