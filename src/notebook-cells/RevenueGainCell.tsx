/** Two-stage revenue view: P(order) × E[revenue | order] per test session, revenue-weighted gain beside gain and lift, captured revenue at the threshold. */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { PlotlyStatic } from 'plotly.js-basic-dist-min';
import { Plot } from '../app/Plot.tsx';
import { fmt, fmtAmount, fmtInt, fmtPct } from '../app/format.ts';
import { getDataClient } from '../app/services.ts';
import { useWorkbench } from '../app/store.ts';
import { trainingInputsSpec } from '../app/trainingSlice.ts';
import type { CurvePoints, RevenueView } from '../notebook/revenueView.ts';
import { capturedFromIndex } from '../trainers/revenueGain.ts';
import type { CellProps } from './cellDefinition.ts';
import type { ClassifierRun, RegressorRun } from '../notebook/runs.ts';

function curveTrace(points: CurvePoints, name: string, extra: Record<string, unknown> = {}): object {
  return { type: 'scatter', mode: 'lines', name, ...points, ...extra };
}

/** The threshold's readout: sessions targeted and revenue captured, updating as the slider moves. */
function CapturedAtThreshold({ view, onMarker, sliderId }: { view: RevenueView; onMarker: (share: number, captured: number) => void; sliderId: string }) {
  const threshold = useWorkbench((s) => s.threshold);
  const setThreshold = useWorkbench((s) => s.setThreshold);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const c = useMemo(() => capturedFromIndex(view.captured, threshold), [view, threshold]);
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
        <div><dt>revenue captured</dt><dd data-testid="revenue-captured-usd" data-value={c.revenue}>{fmtAmount(c.revenue, money)}</dd></div>
        <div><dt>share of test revenue</dt><dd data-testid="revenue-captured-share" data-value={c.shareOfRevenue}>{fmtPct(c.shareOfRevenue, 1)}</dd></div>
        <div><dt>of total test revenue</dt><dd>{fmtAmount(view.totalRevenue, money)}</dd></div>
      </dl>
    </div>
  );
}

export function RevenueGainCell({ cellId }: CellProps) {
  const clf = useWorkbench((s) => s.runs.find((r): r is ClassifierRun => r.id === s.activeRun.classifier && r.kind === 'classifier') ?? null);
  const reg = useWorkbench((s) => s.runs.find((r): r is RegressorRun => r.id === s.activeRun.regressor && r.kind === 'regressor') ?? null);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const classTarget = useWorkbench((s) => s.classTarget);
  const target = useWorkbench((s) => s.revenueTarget);
  // the regressor's matrix and the sorts of every test row run in the data worker; the page draws what comes back
  const [view, setView] = useState<{ ok: RevenueView | null; error: string | null; clf: ClassifierRun | null; reg: RegressorRun | null }>({ ok: null, error: null, clf: null, reg: null });
  useEffect(() => {
    if (!clf) return;
    const s = useWorkbench.getState();
    let current = true;
    const { testIndex, testProba, yTest } = clf.result;
    getDataClient().request('revenueView', {
      prepare: { dateParts: s.dateParts, filters: s.filters }, inputs: trainingInputsSpec(s),
      classifier: { testIndex, testProba, yTest },
      regressor: reg ? { bundle: reg.result.bundle, strategy: reg.result.config.strategy } : null,
    }).result.then(
      (ok) => { if (current) setView({ ok, error: null, clf, reg }); },
      (err: Error) => { if (current) setView({ ok: null, error: err.message, clf, reg }); },
    );
    // a stale answer is dropped, not cancelled: the data worker keeps the dataset and must not be terminated
    return () => { current = false; };
  }, [clf, reg]);
  const plotRef = useRef<{ el: HTMLElement; P: PlotlyStatic } | null>(null);
  const marker = useRef<[number, number]>([0, 0]);

  const charts = useMemo(() => {
    const v = view.ok;
    if (!v) return null;
    const diagonal = { type: 'scatter', mode: 'lines', name: 'random targeting', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: 'gray', width: 1 } };
    const { byExpected, byProba, perfect, gain, lift } = v.curves;
    // the marker starts where the threshold is now, so drawing the chart needs no second pass to move it
    const at = capturedFromIndex(v.captured, useWorkbench.getState().threshold);
    const axes = (y: string) => ({ xaxis: { title: { text: 'share of sessions targeted' }, range: [0, 1], tickformat: '.0%' }, yaxis: { title: { text: y }, tickformat: y === 'lift' ? undefined : '.0%' }, legend: { x: 0.98, xanchor: 'right', y: 0.03, yanchor: 'bottom', bgcolor: 'rgba(128,128,128,0.08)', font: { size: 11 } }, margin: { l: 56, r: 16, t: 36, b: 48 } });
    return {
      revenue: {
        data: [
          curveTrace(byExpected, 'ranked by expected revenue'),
          curveTrace(byProba, 'ranked by P(order) only', { line: { dash: 'dash' } }),
          curveTrace(perfect, 'perfect (actual revenue)', { line: { color: 'rgba(128,128,128,0.6)', width: 1 } }),
          diagonal,
          { type: 'scatter', mode: 'markers', name: 'current threshold', x: [at.shareOfSessions], y: [at.shareOfRevenue], marker: { size: 11, color: '#d1242f', symbol: 'diamond' } },
        ],
        layout: { title: { text: 'Revenue-weighted gain', font: { size: 13 } }, ...axes('share of revenue captured') },
      },
      gain: {
        data: [curveTrace(gain, 'ranked by P(order)'), diagonal],
        layout: { title: { text: 'Gain (orders)', font: { size: 13 } }, ...axes('share of orders captured') },
      },
      lift: {
        data: [{ type: 'scatter', mode: 'lines', name: 'lift', ...lift }, { type: 'scatter', mode: 'lines', name: 'random', x: [0, 1], y: [1, 1], line: { dash: 'dot', color: 'gray', width: 1 } }],
        layout: { title: { text: 'Lift (orders)', font: { size: 13 } }, ...axes('lift') },
      },
    };
  }, [view]);

  // The marker moves with Plotly.restyle: dragging the slider redraws no chart.
  // a restyle redraws the chart (tens of ms): only when the marker drawn is not where the slider is
  const moveMarker = useMemo(() => (): void => {
    const p = plotRef.current;
    if (!p) return;
    const drawn = (p.el as unknown as { data?: readonly { x?: readonly number[]; y?: readonly number[] }[] }).data?.[4];
    if (drawn?.x?.[0] === marker.current[0] && drawn.y?.[0] === marker.current[1]) return;
    void p.P.restyle(p.el, { x: [[marker.current[0]]], y: [[marker.current[1]]] }, [4]);
  }, []);
  const onReady = useMemo(() => (el: HTMLElement, P: PlotlyStatic) => {
    plotRef.current = { el, P };
    // not in the draw's own task: that would make one long task of two draws
    setTimeout(moveMarker, 0);
  }, [moveMarker]);
  // restyle redraws the chart: trail the slider instead of paying it on every move
  const pendingMarker = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onMarker = useMemo(() => (share: number, captured: number) => {
    marker.current = [share, captured];
    if (pendingMarker.current !== null) return;
    pendingMarker.current = setTimeout(() => {
      pendingMarker.current = null;
      moveMarker();
    }, 150);
  }, [moveMarker]);

  if (!clf) {
    return <p className="muted" data-testid="revenue-empty">Train a classifier (and optionally a regressor) first: this view scores the classifier’s test sessions.</p>;
  }
  if (view.clf !== clf || view.reg !== reg) return <p className="muted" data-testid="revenue-pending">Scoring the test sessions…</p>;
  if (!view.ok) return <div className="error" role="alert" data-testid="revenue-error">{view.error}</div>;
  const v = view.ok;
  const model = reg ? { linear: 'linear', mlp: 'MLP', gbdt: 'boosted trees', rf: 'random forest' }[reg.result.config.model] : '';
  const meanOrder = `the mean order value on the training rows (${fmtAmount(v.meanOrder, money)}), so both rankings below coincide; train a regressor for a per-session estimate`;
  const source = v.conditional === 'direct'
    ? `${reg?.name ?? 'the regressor'} (strategy “direct”: it predicts revenue per session itself, so P(order) is not multiplied in)`
    : v.conditional === 'regressor' ? `${reg?.name ?? 'the regressor'} (${model}, E[${target} | positive])`
      : `${meanOrder}${v.regressorError === null ? '' : ` — the active regressor could not be used: ${v.regressorError}`}`;
  return (
    <div data-testid="revenue-cell">
      <p>
        Expected {target} per row = P({classTarget}) from <strong>{clf.name}</strong> × E[{target} | positive] from <span data-testid="revenue-source">{source}</span>.
        {' '}{fmtInt(v.testSessions)} test rows; mean E[{target} | positive] <span data-value={v.meanConditional}>{fmtAmount(v.meanConditional, money)}</span>.
      </p>
      {charts && (
        <p className="muted" data-testid="revenue-top-decile" data-value={v.topDecile.expected}>
          Targeting the top 10 % of sessions captures {fmtPct(v.topDecile.expected, 1)} of test revenue when ranked by expected revenue,
          {' '}{fmtPct(v.topDecile.proba, 1)} when ranked by P(order) alone.
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
