/** Two-stage revenue view: P(order) × E[revenue | order] per test session, revenue-weighted gain beside gain and lift, captured revenue at the threshold. */
import { useEffect, useMemo, useRef } from 'react';
import type { PlotlyStatic } from 'plotly.js-basic-dist-min';
import { Plot } from '../app/Plot.tsx';
import { fmt, fmtInt, fmtPct, fmtUsd } from '../app/format.ts';
import { useWorkbench, type WorkbenchState } from '../app/store.ts';
import { prepareInputs } from '../app/trainingSlice.ts';
import { predictBundle } from '../trainers/bundleForward.ts';
import { capturedFromIndex, capturedRevenueIndex, expectedRevenue, gainCurve, liftCurve, revenueGainCurve, type GainCurve } from '../trainers/revenueGain.ts';
import { subsetRows } from '../trainers/split.ts';
import type { CellProps } from './cellDefinition.ts';
import type { ClassifierRun, RegressorRun } from '../notebook/runs.ts';

/** Everything the charts need, computed once per (classifier run, regressor run). */
interface RevenueView {
  readonly pOrder: Float32Array;
  readonly yTest: Float32Array;
  readonly revenue: Float64Array;
  readonly expected: Float32Array;
  /** how E[revenue | order] was obtained, in words */
  readonly source: string;
  readonly meanConditional: number;
  readonly totalRevenue: number;
}

/** At most `n` points of a curve, evenly spaced in share of sessions (the end points kept), for a light chart. */
function thin(share: Float64Array, value: Float64Array, n = 400): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  let next = 0;
  for (let i = 0; i < share.length; i++) {
    const s = share[i] as number;
    if (s >= next || i === share.length - 1) {
      x.push(s);
      y.push(value[i] as number);
      next = s + 1 / n;
    }
  }
  return { x, y };
}

function curveTrace(c: GainCurve, name: string, extra: Record<string, unknown> = {}): object {
  return { type: 'scatter', mode: 'lines', name, ...thin(c.share, c.captured), ...extra };
}

function revenueView(s: WorkbenchState, clf: ClassifierRun, reg: RegressorRun | null): RevenueView {
  const { testIndex, testProba, yTest } = clf.result;
  const ds = s.dataset;
  if (!ds) throw new Error('no data loaded; load the bundled data first');
  const col = ds.columns.find((c) => c.name === s.revenueTarget);
  if (!col || col.kind !== 'numeric') throw new Error(`revenue target "${s.revenueTarget}" is not a numeric column; choose it in the Features cell`);
  const revAll = col.values;
  const revenue = Float64Array.from(testIndex, (i) => {
    const v = revAll[i] as number;
    return Number.isNaN(v) ? 0 : v;
  });
  // Mean order value over the classifier's training rows: the fallback E[revenue | order], never peeking at test revenue.
  const isTest = new Uint8Array(ds.rows);
  for (const i of testIndex) isTest[i] = 1;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < ds.rows; i++) {
    const v = revAll[i] as number;
    if (!isTest[i] && v > 0) {
      sum += v;
      n++;
    }
  }
  const meanOrder = n > 0 ? sum / n : 0;
  let conditional: Float32Array = new Float32Array(testIndex.length).fill(meanOrder);
  let source = `the mean order value on the training rows (${fmtUsd(meanOrder)}), so both rankings below coincide; train a regressor for a per-session estimate`;
  let direct = false;
  if (reg) {
    try {
      const { matrix } = prepareInputs(s);
      const names = reg.result.bundle.preprocessing.featureNames;
      if (names.length !== matrix.featureNames.length || names.some((f, i) => f !== matrix.featureNames[i])) {
        throw new Error('the regressor was trained on other features; train it again');
      }
      conditional = predictBundle(reg.result.bundle, subsetRows(matrix.X, matrix.cols, testIndex), testIndex.length);
      direct = reg.result.config.strategy === 'direct';
      source = direct
        ? `${reg.name} (strategy “direct”: it predicts revenue per session itself, so P(order) is not multiplied in)`
        : `${reg.name} (${{ linear: 'linear', mlp: 'MLP', gbdt: 'boosted trees', rf: 'random forest' }[reg.result.config.model]}, E[revenue | order])`;
    } catch (err) {
      source += ` — the active regressor could not be used: ${(err as Error).message}`;
    }
  }
  const expected = direct ? Float32Array.from(conditional) : expectedRevenue(testProba, conditional);
  let mc = 0;
  for (const v of conditional) mc += v;
  let total = 0;
  for (const v of revenue) total += v;
  if (!(total > 0)) throw new Error(`the ${fmtInt(revenue.length)} test sessions have no revenue in "${s.revenueTarget}"; choose the revenue column in the Features cell`);
  return { pOrder: testProba, yTest, revenue, expected, source, meanConditional: mc / Math.max(1, conditional.length), totalRevenue: total };
}

/** The threshold's readout: sessions targeted and revenue captured, updating as the slider moves. */
function CapturedAtThreshold({ view, onMarker, sliderId }: { view: RevenueView; onMarker: (share: number, captured: number) => void; sliderId: string }) {
  const threshold = useWorkbench((s) => s.threshold);
  const setThreshold = useWorkbench((s) => s.setThreshold);
  const index = useMemo(() => capturedRevenueIndex(view.pOrder, view.revenue), [view]);
  const c = useMemo(() => capturedFromIndex(index, threshold), [index, threshold]);
  useEffect(() => onMarker(c.shareOfSessions, c.shareOfRevenue), [c, onMarker]);
  return (
    <div>
      <div className="slider-row">
        <label htmlFor={sliderId}>decision threshold on P(order)</label>
        <input id={sliderId} type="range" min={0} max={1} step={0.005} value={threshold} data-testid="revenue-threshold"
          onChange={(e) => setThreshold(Number(e.target.value))} />
        <strong data-testid="revenue-threshold-value" data-value={threshold}>{fmt(threshold)}</strong>
      </div>
      <dl className="facts" data-testid="revenue-captured">
        <div><dt>sessions targeted</dt><dd data-testid="revenue-sessions" data-value={c.sessions}>{fmtInt(c.sessions)} <span className="muted">({fmtPct(c.shareOfSessions, 1)})</span></dd></div>
        <div><dt>revenue captured</dt><dd data-testid="revenue-captured-usd" data-value={c.revenue}>{fmtUsd(c.revenue)}</dd></div>
        <div><dt>share of test revenue</dt><dd data-testid="revenue-captured-share" data-value={c.shareOfRevenue}>{fmtPct(c.shareOfRevenue, 1)}</dd></div>
        <div><dt>of total test revenue</dt><dd>{fmtUsd(view.totalRevenue)}</dd></div>
      </dl>
    </div>
  );
}

export function RevenueGainCell({ cellId }: CellProps) {
  const clf = useWorkbench((s) => s.runs.find((r): r is ClassifierRun => r.id === s.activeRun.classifier && r.kind === 'classifier') ?? null);
  const reg = useWorkbench((s) => s.runs.find((r): r is RegressorRun => r.id === s.activeRun.regressor && r.kind === 'regressor') ?? null);
  const view = useMemo(() => {
    if (!clf) return null;
    try {
      return { ok: revenueView(useWorkbench.getState(), clf, reg), error: null };
    } catch (err) {
      return { ok: null, error: (err as Error).message };
    }
  }, [clf, reg]);
  const plotRef = useRef<{ el: HTMLElement; P: PlotlyStatic } | null>(null);
  const marker = useRef<[number, number]>([0, 0]);

  const charts = useMemo(() => {
    const v = view?.ok;
    if (!v) return null;
    const diagonal = { type: 'scatter', mode: 'lines', name: 'random targeting', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: 'gray', width: 1 } };
    const byExpected = revenueGainCurve(v.expected, v.revenue);
    const byProba = revenueGainCurve(v.pOrder, v.revenue);
    const perfect = revenueGainCurve(v.revenue, v.revenue);
    const gain = gainCurve(v.pOrder, v.yTest);
    const lift = liftCurve(v.pOrder, v.yTest);
    const liftThin = thin(lift.share, lift.lift);
    const axes = (y: string) => ({ xaxis: { title: { text: 'share of sessions targeted' }, range: [0, 1], tickformat: '.0%' }, yaxis: { title: { text: y }, tickformat: y === 'lift' ? undefined : '.0%' }, legend: { x: 0.98, xanchor: 'right', y: 0.03, yanchor: 'bottom', bgcolor: 'rgba(128,128,128,0.08)', font: { size: 11 } }, margin: { l: 56, r: 16, t: 36, b: 48 } });
    return {
      revenue: {
        data: [
          curveTrace(byExpected, 'ranked by expected revenue'),
          curveTrace(byProba, 'ranked by P(order) only', { line: { dash: 'dash' } }),
          curveTrace(perfect, 'perfect (actual revenue)', { line: { color: 'rgba(128,128,128,0.6)', width: 1 } }),
          diagonal,
          { type: 'scatter', mode: 'markers', name: 'current threshold', x: [marker.current[0]], y: [marker.current[1]], marker: { size: 11, color: '#d1242f', symbol: 'diamond' } },
        ],
        layout: { title: { text: 'Revenue-weighted gain', font: { size: 13 } }, ...axes('share of revenue captured') },
      },
      gain: {
        data: [curveTrace(gain, 'ranked by P(order)'), diagonal],
        layout: { title: { text: 'Gain (orders)', font: { size: 13 } }, ...axes('share of orders captured') },
      },
      lift: {
        data: [{ type: 'scatter', mode: 'lines', name: 'lift', ...liftThin }, { type: 'scatter', mode: 'lines', name: 'random', x: [0, 1], y: [1, 1], line: { dash: 'dot', color: 'gray', width: 1 } }],
        layout: { title: { text: 'Lift (orders)', font: { size: 13 } }, ...axes('lift') },
      },
      topDecile: { expected: capturedShare(byExpected, 0.1), proba: capturedShare(byProba, 0.1) },
    };
  }, [view]);

  // The marker moves with Plotly.restyle: dragging the slider redraws no chart.
  const onReady = useMemo(() => (el: HTMLElement, P: PlotlyStatic) => {
    plotRef.current = { el, P };
    void P.restyle(el, { x: [[marker.current[0]]], y: [[marker.current[1]]] }, [4]);
  }, []);
  // restyle redraws the chart: trail the slider instead of paying it on every move
  const pendingMarker = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onMarker = useMemo(() => (share: number, captured: number) => {
    marker.current = [share, captured];
    if (pendingMarker.current !== null) return;
    pendingMarker.current = setTimeout(() => {
      pendingMarker.current = null;
      const p = plotRef.current;
      if (p) void p.P.restyle(p.el, { x: [[marker.current[0]]], y: [[marker.current[1]]] }, [4]);
    }, 150);
  }, []);

  if (!clf) {
    return <p className="muted" data-testid="revenue-empty">Train a classifier (and optionally a regressor) first: this view scores the classifier’s test sessions.</p>;
  }
  if (!view?.ok) return <div className="error" role="alert" data-testid="revenue-error">{view?.error}</div>;
  const v = view.ok;
  return (
    <div data-testid="revenue-cell">
      <p>
        Expected revenue per session = P(order) from <strong>{clf.name}</strong> × E[revenue | order] from <span data-testid="revenue-source">{v.source}</span>.
        {' '}{fmtInt(v.pOrder.length)} test sessions; mean E[revenue | order] <span data-value={v.meanConditional}>{fmtUsd(v.meanConditional)}</span>.
      </p>
      {charts && (
        <p className="muted" data-testid="revenue-top-decile" data-value={charts.topDecile.expected}>
          Targeting the top 10 % of sessions captures {fmtPct(charts.topDecile.expected, 1)} of test revenue when ranked by expected revenue,
          {' '}{fmtPct(charts.topDecile.proba, 1)} when ranked by P(order) alone.
        </p>
      )}
      <CapturedAtThreshold view={v} onMarker={onMarker} sliderId={`${cellId}-revenue-threshold`} />
      {charts && (
        <div className="charts">
          <Plot testId="revenue-gain-chart" label="revenue-weighted gain chart" data={charts.revenue.data} layout={charts.revenue.layout} height={340} onReady={onReady} />
          <Plot testId="revenue-plain-gain-chart" label="gain chart of orders" data={charts.gain.data} layout={charts.gain.layout} height={340} />
          <Plot testId="revenue-lift-chart" label="lift chart" data={charts.lift.data} layout={charts.lift.layout} height={340} />
        </div>
      )}
    </div>
  );
}

/** Captured share at a targeted share, read off the curve's steps. */
function capturedShare(c: GainCurve, share: number): number {
  let out = 0;
  for (let i = 0; i < c.share.length; i++) {
    if ((c.share[i] as number) > share) break;
    out = c.captured[i] as number;
  }
  return out;
}
