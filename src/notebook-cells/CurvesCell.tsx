/** Curves: ROC, precision-recall and precision / recall / F1 against the threshold, markers following the slider without React. */
import { useCallback, useEffect, useMemo, useRef, type CSSProperties } from 'react';
import type { PlotlyStatic } from 'plotly.js-basic-dist-min';
import { Plot } from '../app/Plot.tsx';
import { useWorkbench } from '../app/store.ts';
import { curvesOf, pointAt, sweepOf } from '../notebook/evaluation.ts';
import { isKindStale } from '../app/staleness.ts';
import { fmt } from '../app/format.ts';
import type { ThresholdSweep } from '../trainers/thresholdSweep.ts';
import { selectActiveClassifier } from '../notebook/runs.ts';

type ChartName = 'roc' | 'pr' | 'thr';

const RED = '#d62728';

/** Fixed axis ranges, so a value's pixel position follows from the plot area alone. */
const UNIT_RANGE: readonly [number, number] = [-0.01, 1.01];
const AXES: Record<ChartName, { x: readonly [number, number]; y: readonly [number, number] }> = {
  roc: { x: UNIT_RANGE, y: UNIT_RANGE },
  pr: { x: UNIT_RANGE, y: UNIT_RANGE },
  thr: { x: [0, 1], y: UNIT_RANGE },
};

/** The plot area Plotly computed (margins grown by legends and titles included). */
interface PlotArea { readonly l: number; readonly t: number; readonly w: number; readonly h: number }

function plotArea(el: HTMLElement): PlotArea | null {
  return (el as unknown as { _fullLayout?: { _size?: PlotArea } })._fullLayout?._size ?? null;
}

/**
 * Places an overlay marker at data (x, y) with a compositor-only transform. Moving a Plotly trace (restyle) or shape
 * (relayout) replots the whole chart, tens of ms per chart on this machine; the overlay keeps a slider move within a frame.
 */
function place(dot: HTMLElement | null | undefined, area: PlotArea | null, axes: (typeof AXES)[ChartName], x: number, y: number): void {
  if (!dot) return;
  if (!area || !Number.isFinite(x) || !Number.isFinite(y)) {
    dot.style.visibility = 'hidden';
    return;
  }
  const px = area.l + ((x - axes.x[0]) / (axes.x[1] - axes.x[0])) * area.w;
  const py = area.t + (1 - (y - axes.y[0]) / (axes.y[1] - axes.y[0])) * area.h;
  dot.style.visibility = 'visible';
  dot.style.transform = `translate(${px}px, ${py}px)`;
}

const dotStyle = {
  position: 'absolute', left: -6, top: -6, width: 12, height: 12, borderRadius: '50%', background: RED,
  border: '1.5px solid #fff', boxSizing: 'border-box', pointerEvents: 'none', visibility: 'hidden', willChange: 'transform',
} as const;

function lineStyle(area: PlotArea | null): CSSProperties {
  return {
    position: 'absolute', left: 0, top: area?.t ?? 0, width: 0, height: area?.h ?? 0, borderLeft: `1px dashed ${RED}`,
    pointerEvents: 'none', visibility: 'hidden', willChange: 'transform',
  };
}

export function CurvesCell() {
  const run = useWorkbench(selectActiveClassifier);
  const stale = useWorkbench((s) => isKindStale(s, 'curves'));
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
  const dots = useRef<Partial<Record<'roc' | 'pr' | 'thrP' | 'thrR' | 'thrF' | 'thrLine', HTMLDivElement | null>>>({});

  /** Moves every drawn marker to `t` (overlay transforms, no Plotly call) and mirrors the coordinates into the labels. */
  const moveMarkers = useCallback((t: number) => {
    const s = sweepRef.current;
    if (!s) return;
    const p = pointAt(s, t);
    const c = p.confusion;
    const { roc, pr, thr } = charts.current;
    const d = dots.current;
    const rocArea = roc ? plotArea(roc) : null;
    const prArea = pr ? plotArea(pr) : null;
    const thrArea = thr ? plotArea(thr) : null;
    place(d.roc, rocArea, AXES.roc, p.fpr, p.tpr);
    place(d.pr, prArea, AXES.pr, c.recall, c.precision);
    place(d.thrP, thrArea, AXES.thr, t, c.precision);
    place(d.thrR, thrArea, AXES.thr, t, c.recall);
    place(d.thrF, thrArea, AXES.thr, t, c.f1);
    if (d.thrLine && thrArea) {
      d.thrLine.style.top = `${thrArea.t}px`;
      d.thrLine.style.height = `${thrArea.h}px`;
      d.thrLine.style.visibility = 'visible';
      d.thrLine.style.transform = `translateX(${thrArea.l + t * thrArea.w}px)`;
    }
    const P = plotly.current;
    // data-plotted names the threshold every chart's marker has been moved to (the benchmark's end condition)
    if (rocArea && prArea && thrArea && rocLabel.current) rocLabel.current.dataset.plotted = String(t);
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
    const unsubscribe = useWorkbench.subscribe((s) => {
      if (s.threshold === last) return;
      last = s.threshold;
      moveMarkers(last);
    });
    // Plotly resizes responsive charts after a window resize; the overlay follows once it has
    const onResize = () => requestAnimationFrame(() => moveMarkers(useWorkbench.getState().threshold));
    window.addEventListener('resize', onResize);
    return () => {
      unsubscribe();
      window.removeEventListener('resize', onResize);
    };
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
    const base = sweep.positives / Math.max(1, sweep.positives + sweep.negatives);
    return {
      roc: {
        data: [
          { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], name: 'chance', line: { dash: 'dot', color: '#999', width: 1 }, hoverinfo: 'skip' },
          { type: 'scatter', mode: 'lines', x: curves.roc.fpr, y: curves.roc.tpr, name: 'ROC', line: { color: '#1f77b4', width: 2 } },
        ],
        layout: {
          title: { text: `ROC (AUC ${fmt(curves.auc)})`, font: { size: 13 } }, showlegend: false,
          xaxis: { title: { text: 'false positive rate' }, range: UNIT_RANGE, fixedrange: true }, yaxis: { title: { text: 'true positive rate' }, range: UNIT_RANGE, fixedrange: true },
        },
      },
      pr: {
        data: [
          { type: 'scatter', mode: 'lines', x: curves.pr.recall, y: curves.pr.precision, name: 'PR', line: { color: '#2ca02c', width: 2, shape: 'hv' } },
        ],
        layout: {
          title: { text: `Precision-recall (AP ${fmt(curves.averagePrecision)}, base rate ${fmt(base)})`, font: { size: 13 } }, showlegend: false,
          xaxis: { title: { text: 'recall' }, range: UNIT_RANGE, fixedrange: true }, yaxis: { title: { text: 'precision' }, range: UNIT_RANGE, fixedrange: true },
        },
      },
      thr: {
        data: [
          { type: 'scatter', mode: 'lines', x: curves.byThreshold.threshold, y: curves.byThreshold.precision, name: 'precision', line: { color: '#2ca02c' } },
          { type: 'scatter', mode: 'lines', x: curves.byThreshold.threshold, y: curves.byThreshold.recall, name: 'recall', line: { color: '#ff7f0e' } },
          { type: 'scatter', mode: 'lines', x: curves.byThreshold.threshold, y: curves.byThreshold.f1, name: 'F1', line: { color: '#9467bd', width: 2.5 } },
        ],
        layout: {
          title: { text: 'Precision, recall and F1 by threshold', font: { size: 13 } },
          legend: { orientation: 'h', y: -0.25 },
          xaxis: { title: { text: 'threshold' }, range: AXES.thr.x, fixedrange: true }, yaxis: { range: UNIT_RANGE, fixedrange: true },
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
          <div style={{ position: 'relative' }}>
            <Plot testId="roc-chart" label={`ROC curve, AUC ${fmt(curves.auc)}`} data={figures.roc.data} layout={figures.roc.layout} onReady={onRoc} />
            <div style={dotStyle} ref={(el) => { dots.current.roc = el; }} />
          </div>
          <span className="muted mono" data-testid="roc-marker" ref={rocLabel} />
        </div>
        <div>
          <div style={{ position: 'relative' }}>
            <Plot testId="pr-chart" label={`precision-recall curve, average precision ${fmt(curves.averagePrecision)}`} data={figures.pr.data} layout={figures.pr.layout} onReady={onPr} />
            <div style={dotStyle} ref={(el) => { dots.current.pr = el; }} />
          </div>
          <span className="muted mono" data-testid="pr-marker" ref={prLabel} />
        </div>
        <div>
          <div style={{ position: 'relative' }}>
            <Plot testId="threshold-chart" label="precision, recall and F1 against the threshold" data={figures.thr.data} layout={figures.thr.layout} onReady={onThr} />
            <div style={lineStyle(null)} ref={(el) => { dots.current.thrLine = el; }} />
            <div style={dotStyle} ref={(el) => { dots.current.thrP = el; }} />
            <div style={dotStyle} ref={(el) => { dots.current.thrR = el; }} />
            <div style={dotStyle} ref={(el) => { dots.current.thrF = el; }} />
          </div>
          <span className="muted mono" data-testid="thr-marker" ref={thrLabel} />
        </div>
      </div>
    </div>
  );
}
