/** The Profile cell: class balance, the regression target where the class is positive, the positive rate by each feature's values. */
import { useCallback, useMemo, useRef } from 'react';
import { useWorkbench } from '../app/store.ts';
import { Plot } from '../app/Plot.tsx';
import { fmtAmount, fmtInt, fmtPct, plotlyText } from '../app/format.ts';
import type { FeatureProfile, Profile } from '../data/profile.ts';

// Names and levels come from the user's file: every string handed to Plotly goes through plotlyText.
function featureChart(f: FeatureProfile, overall: number, classTarget: string) {
  const x = f.bins.map((b) => plotlyText(b.label));
  const feature = plotlyText(f.feature);
  return {
    data: [
      {
        type: 'bar', x, y: f.bins.map((b) => b.rate * 100), marker: { color: '#4493f8' },
        text: f.bins.map((b) => `${fmtInt(b.rows)} rows`), hovertemplate: `%{x}: %{y:.2f} % ${plotlyText(classTarget)} positive (%{text})<extra></extra>`,
      },
      { type: 'scatter', mode: 'lines', x, y: x.map(() => overall * 100), line: { dash: 'dot', color: '#9a6700' }, name: 'overall', hoverinfo: 'skip' },
    ],
    layout: {
      title: { text: `${plotlyText(classTarget)} positive by ${feature}`, font: { size: 13 } },
      showlegend: false,
      xaxis: { type: 'category', title: { text: feature } },
      yaxis: { title: { text: `${plotlyText(classTarget)} positive (%)` }, rangemode: 'tozero' },
    },
  };
}

function revenueChart(p: Profile, money: boolean, classTarget: string) {
  const r = p.revenue;
  if (!r) return null;
  const cur = money ? '$' : '';
  const bars = r.valueCounts
    ? { x: r.valueCounts.map((v) => `${cur}${v.value.toFixed(2)}`), y: r.valueCounts.map((v) => v.count) }
    : { x: (r.histogram ?? []).map((h) => `${cur}${h.lo.toFixed(0)}–${h.hi.toFixed(0)}`), y: (r.histogram ?? []).map((h) => h.count) };
  return {
    data: [{ type: 'bar', ...bars, marker: { color: '#1a7f37' }, hovertemplate: '%{x}: %{y} rows<extra></extra>' }],
    layout: {
      title: { text: `${plotlyText(r.column)} where ${plotlyText(classTarget)} is positive (mean ${fmtAmount(r.meanOrderValue, money)})`, font: { size: 13 } },
      xaxis: { type: 'category', title: { text: money ? `${plotlyText(r.column)} (USD)` : plotlyText(r.column) } },
      yaxis: { title: { text: 'rows' } },
    },
  };
}

export function ProfileCell() {
  const analysis = useWorkbench((s) => s.analysis);
  const classTarget = useWorkbench((s) => s.classTarget);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const profile = analysis?.profile ?? null;
  const drawn = useRef(new Set<string>());
  const expected = useMemo(() => (profile ? profile.features.length + 2 : 0), [profile]);
  const onReady = useCallback(
    (el: HTMLElement) => {
      drawn.current.add(el.dataset.testid ?? '');
      if (drawn.current.size >= expected) performance.mark('workbench:profile-drawn');
    },
    [expected],
  );
  const charts = useMemo(() => (profile ? profile.features.map((f) => ({ f, ...featureChart(f, profile.conversionRate, classTarget) })) : []), [profile, classTarget]);
  const balance = useMemo(() => {
    if (!profile) return null;
    const b = profile.classBalance;
    return {
      data: [{
        type: 'bar', x: [plotlyText(`${classTarget} = ${b.negativeLabel}`), plotlyText(`${classTarget} = ${b.positiveLabel}`)], y: [b.negatives, b.positives],
        text: [fmtPct(b.negativeRate, 1), fmtPct(b.positiveRate, 1)], textposition: 'auto', marker: { color: ['#8d96a0', '#4493f8'] },
      }],
      layout: { title: { text: 'Class balance', font: { size: 13 } }, yaxis: { title: { text: 'sessions' } } },
    };
  }, [profile, classTarget]);
  const revenue = useMemo(() => (profile ? revenueChart(profile, money, classTarget) : null), [profile, money, classTarget]);
  if (!analysis) return <p className="muted">Load data to see its profile.</p>;
  if (!profile && classTarget === '') return <p className="muted" data-testid="profile-no-class">No profile: the class target is none, and the profile describes the rows against it (the Leakage cell still checks the regression target).</p>;
  if (!profile) return <p className="warning">No profile: fix the validation problems shown in the Data cell first.</p>;
  const b = profile.classBalance;
  return (
    <div>
      <dl className="facts">
        <div><dt>Rows</dt><dd data-testid="profile-rows" data-value={profile.rows}>{fmtInt(profile.rows)}</dd></div>
        <div><dt>Positive rate ({classTarget})</dt><dd data-testid="profile-conversion" data-value={profile.conversionRate}>{fmtPct(profile.conversionRate)}</dd></div>
        <div><dt>Class balance</dt><dd data-testid="profile-balance">{fmtPct(b.negativeRate, 1)} / {fmtPct(b.positiveRate, 1)}</dd></div>
        {profile.revenue && (
          <>
            <div><dt>Rows where {classTarget} is positive</dt><dd>{fmtInt(profile.revenue.convertingRows)}</dd></div>
            <div><dt>Mean {profile.revenue.column} where {classTarget} is positive</dt><dd data-testid="profile-aov" data-value={profile.revenue.meanOrderValue}>{fmtAmount(profile.revenue.meanOrderValue, money)}</dd></div>
            <div><dt>Total {profile.revenue.column}</dt><dd data-testid="profile-revenue-total" data-value={profile.revenue.total}>{fmtAmount(profile.revenue.total, money)}</dd></div>
          </>
        )}
      </dl>
      <div className="charts">
        {balance && <Plot testId="profile-chart-balance" label="class balance" data={balance.data} layout={balance.layout} height={260} onReady={onReady} />}
        {revenue
          ? <Plot testId="profile-chart-revenue" label={`${profile.revenue?.column ?? 'regression target'} distribution`} data={revenue.data} layout={revenue.layout} height={260} onReady={onReady} />
          : <span data-testid="profile-chart-revenue" ref={(el) => { if (el) onReady(el); }} className="muted">No regression target to profile.</span>}
        {charts.map(({ f, data, layout }) => (
          <Plot key={f.feature} testId={`profile-chart-${f.feature}`} label={`${classTarget} positive by ${f.feature}`} data={data} layout={layout} height={260} onReady={onReady} />
        ))}
      </div>
    </div>
  );
}
