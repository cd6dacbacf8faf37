/** Curves: ROC, precision-recall and precision / recall / F1 against the threshold, markers following the slider without React. */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { PlotlyStatic } from 'plotly.js-basic-dist-min';
import { Plot } from '../app/Plot.tsx';
import { useWorkbench } from '../app/store.ts';
import { curvesOf, pointAt, selectActiveClassifier, sweepOf } from '../app/evaluation.ts';
import { isCellStale } from '../app/staleness.ts';
import { fmt } from '../app/format.ts';
import type { ThresholdSweep } from '../trainers/thresholdSweep.ts';

type ChartName = 'roc' | 'pr' | 'thr';

const RED = '#d62728';

/**
 * A marker as a layout shape, a circle of fixed pixel size anchored at (x, y): moving a shape redraws only the shapes,
 * whereas restyling a trace's x/y recomputes and redraws the whole chart (tens of ms per chart for 94,575 rows' curves).
 */
function dot(x: number, y: number): Record<string, unknown> {
  return {
    type: 'circle', xref: 'x', yref: 'y', xsizemode: 'pixel', ysizemode: 'pixel', xanchor: x, yanchor: y, x0: -6, x1: 6, y0: -6, y1: 6,
    fillcolor: RED, line: { color: '#fff', width: 1.5 }, layer: 'above',
  };
}

function thresholdLine(t: number): Record<string, unknown> {
  return { type: 'line', xref: 'x', yref: 'paper', x0: t, x1: t, y0: 0, y1: 1, line: { color: RED, width: 1, dash: 'dot' }, layer: 'above' };
}

export function CurvesCell() {
  const run = useWorkbench(selectActiveClassifier);
  const stale = useWorkbench((s) => isCellStale(s, 'curves'));
  const result = run?.result ?? null;
  const curves = useMemo(() => (result ? curvesOf(result) : null), [result]);
  const sweep = result ? sweepOf(result) : null;
  const charts = useRef<Partial<Record<ChartName, HTMLElement>>>({});
  const plotly = useRef<PlotlyStatic | null>(null);
  const sweepRef = useRef<ThresholdSweep | null>(sweep);
  sweepRef.current = sweep;
  const rocLabel = useRef<HTMLSpanElement>(null);
  const prLabel = useRef<HTMLSpanElement>(null);
  const thrLabel = useRef<HTMLSpanElement>(null);

  /** Moves every drawn marker to `t` (Plotly.relayout of the marker shapes) and mirrors the coordinates into the labels. */
  const moveMarkers = useCallback((t: number) => {
    const s = sweepRef.current;
    const P = plotly.current;
    if (!s) return;
    const p = pointAt(s, t);
    const c = p.confusion;
    const { roc, pr, thr } = charts.current;
    const updates: Promise<unknown>[] = [];
    if (P && roc) updates.push(P.relayout(roc, { 'shapes[0].xanchor': p.fpr, 'shapes[0].yanchor': p.tpr }));
    if (P && pr) updates.push(P.relayout(pr, { 'shapes[0].xanchor': c.recall, 'shapes[0].yanchor': c.precision }));
    if (P && thr) {
      updates.push(P.relayout(thr, {
        'shapes[0].x0': t, 'shapes[0].x1': t,
        'shapes[1].xanchor': t, 'shapes[1].yanchor': c.precision,
        'shapes[2].xanchor': t, 'shapes[2].yanchor': c.recall,
        'shapes[3].xanchor': t, 'shapes[3].yanchor': c.f1,
      }));
    }
    // data-plotted names the threshold every drawn chart has finished moving to (the benchmark's end condition)
    if (updates.length === 3) {
      void Promise.all(updates).then(() => {
        if (rocLabel.current) rocLabel.current.dataset.plotted = String(t);
      });
    }
    const r = rocLabel.current;
    if (r) {
      r.dataset.threshold = String(t);
      r.dataset.fpr = String(p.fpr);
      r.dataset.tpr = String(p.tpr);
      r.dataset.drawn = String(Boolean(P && roc));
      r.textContent = `FPR ${fmt(p.fpr)} · TPR ${fmt(p.tpr)}`;
    }
    const q = prLabel.current;
    if (q) {
      q.dataset.threshold = String(t);
      q.dataset.recall = String(c.recall);
      q.dataset.precision = String(c.precision);
      q.dataset.drawn = String(Boolean(P && pr));
      q.textContent = `recall ${fmt(c.recall)} · precision ${fmt(c.precision)}`;
    }
    const h = thrLabel.current;
    if (h) {
      h.dataset.threshold = String(t);
      h.dataset.f1 = String(c.f1);
      h.dataset.drawn = String(Boolean(P && thr));
      h.textContent = `threshold ${fmt(t)} · F1 ${fmt(c.f1)}`;
    }
  }, []);

  // The slider's threshold reaches the charts through a store subscription, never through a React render.
  useEffect(() => {
    if (!sweep) {
      charts.current = {};
      return;
    }
    let last = useWorkbench.getState().threshold;
    moveMarkers(last);
    return useWorkbench.subscribe((s) => {
      if (s.threshold === last) return;
      last = s.threshold;
      moveMarkers(last);
    });
  }, [sweep, moveMarkers]);

  const ready = useCallback((name: ChartName) => (el: HTMLElement, P: PlotlyStatic) => {
    charts.current[name] = el;
    plotly.current = P;
    moveMarkers(useWorkbench.getState().threshold);
  }, [moveMarkers]);
  const onRoc = useMemo(() => ready('roc'), [ready]);
  const onPr = useMemo(() => ready('pr'), [ready]);
  const onThr = useMemo(() => ready('thr'), [ready]);

  const figures = useMemo(() => {
    if (!curves || !sweep) return null;
    // Markers start where the slider is now; later moves go through restyle.
    const p = pointAt(sweep, useWorkbench.getState().threshold);
    const t = p.threshold;
    const base = sweep.positives / Math.max(1, sweep.positives + sweep.negatives);
    return {
      roc: {
        data: [
          { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], name: 'chance', line: { dash: 'dot', color: '#999', width: 1 }, hoverinfo: 'skip' },
          { type: 'scatter', mode: 'lines', x: curves.roc.fpr, y: curves.roc.tpr, name: 'ROC', line: { color: '#1f77b4', width: 2 } },
        ],
        layout: {
          shapes: [dot(p.fpr, p.tpr)],
          title: { text: `ROC (AUC ${fmt(curves.auc)})`, font: { size: 13 } }, showlegend: false,
          xaxis: { title: { text: 'false positive rate' }, range: [-0.01, 1.01] }, yaxis: { title: { text: 'true positive rate' }, range: [-0.01, 1.01] },
        },
      },
      pr: {
        data: [
          { type: 'scatter', mode: 'lines', x: curves.pr.recall, y: curves.pr.precision, name: 'PR', line: { color: '#2ca02c', width: 2, shape: 'hv' } },
        ],
        layout: {
          shapes: [dot(p.confusion.recall, p.confusion.precision)],
          title: { text: `Precision-recall (AP ${fmt(curves.averagePrecision)}, base rate ${fmt(base)})`, font: { size: 13 } }, showlegend: false,
          xaxis: { title: { text: 'recall' }, range: [-0.01, 1.01] }, yaxis: { title: { text: 'precision' }, range: [-0.01, 1.01] },
        },
      },
      thr: {
        data: [
          { type: 'scatter', mode: 'lines', x: curves.byThreshold.threshold, y: curves.byThreshold.precision, name: 'precision', line: { color: '#2ca02c' } },
          { type: 'scatter', mode: 'lines', x: curves.byThreshold.threshold, y: curves.byThreshold.recall, name: 'recall', line: { color: '#ff7f0e' } },
          { type: 'scatter', mode: 'lines', x: curves.byThreshold.threshold, y: curves.byThreshold.f1, name: 'F1', line: { color: '#9467bd', width: 2.5 } },
        ],
        layout: {
          shapes: [thresholdLine(t), dot(t, p.confusion.precision), dot(t, p.confusion.recall), dot(t, p.confusion.f1)],
          title: { text: 'Precision, recall and F1 by threshold', font: { size: 13 } },
          legend: { orientation: 'h', y: -0.25 },
          xaxis: { title: { text: 'threshold' }, range: [0, 1] }, yaxis: { range: [-0.01, 1.01] },
        },
      },
    };
  }, [curves, sweep]);

  if (!run || !curves || !figures) {
    return <p className="muted" data-testid="curves-empty">Train the classifier to see its ROC and precision-recall curves.</p>;
  }
  return (
    <div className={stale ? 'stale' : ''} data-testid="curves-cell" data-stale={stale}>
      {stale && <p><span className="stale-badge" data-testid="curves-stale">stale: the classifier's inputs changed, train again</span></p>}
      <p className="muted">
        {run.name} on the test split: ROC AUC <strong data-testid="curves-auc" data-value={curves.auc}>{fmt(curves.auc)}</strong>,
        average precision <strong data-testid="curves-ap" data-value={curves.averagePrecision}>{fmt(curves.averagePrecision)}</strong>.
        The red markers follow the threshold slider.
      </p>
      <div className="charts">
        <div>
          <Plot testId="roc-chart" label={`ROC curve, AUC ${fmt(curves.auc)}`} data={figures.roc.data} layout={figures.roc.layout} onReady={onRoc} />
          <span className="muted mono" data-testid="roc-marker" ref={rocLabel} />
        </div>
        <div>
          <Plot testId="pr-chart" label={`precision-recall curve, average precision ${fmt(curves.averagePrecision)}`} data={figures.pr.data} layout={figures.pr.layout} onReady={onPr} />
          <span className="muted mono" data-testid="pr-marker" ref={prLabel} />
        </div>
        <div>
          <Plot testId="threshold-chart" label="precision, recall and F1 against the threshold" data={figures.thr.data} layout={figures.thr.layout} onReady={onThr} />
          <span className="muted mono" data-testid="thr-marker" ref={thrLabel} />
        </div>
      </div>
    </div>
  );
}
