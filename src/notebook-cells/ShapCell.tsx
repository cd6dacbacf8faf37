/** Why this prediction: exact TreeSHAP of a tree model, a summary and a beeswarm of a seeded sample of test rows, and one row's waterfall. */
import { useMemo, useState } from 'react';
import { Plot } from '../app/Plot.tsx';
import { fmt, fmtInt, plotlyText } from '../app/format.ts';
import { cellOfKind, firstCellOf } from '../app/notebookSlice.ts';
import { IDLE_SHAP, isShapOutdated, shapTarget, type ShapEntry, type ShapRow, type ShapSample } from '../app/shapSlice.ts';
import { useWorkbench } from '../app/store.ts';
import { MAX_SHAP_ROWS, ShapCellSchema } from '../notebook/settings.ts';
import { sigmoid } from '../trainers/trees/ensemble.ts';
import { shapWaterfall } from '../trainers/trees/shapSummary.ts';
import { beeswarmPoints, largestAdditivityGap, shapUnits, type ShapExplanation } from '../trainers/trees/shapExplain.ts';
import { defineCell, type CellProps } from './cellDefinition.ts';
import { NumberField, SelectField } from './fields.tsx';

/** Features drawn in the beeswarm (the rest are listed in the table). */
const BEESWARM_FEATURES = 20;

/** What the user reads next to a raw score: P for a boosted classifier's log-odds, the value itself otherwise. */
function describeScore(units: string, raw: number): string {
  return units === 'log-odds' ? `${fmt(raw, 4)} log-odds, P = ${fmt(sigmoid(raw), 4)}` : `${fmt(raw, 4)} (${units})`;
}

function SummaryChart({ ex, units }: { ex: ShapExplanation; units: string }) {
  const { data, layout, height } = useMemo(() => {
    const rows = [...ex.importance].reverse();
    return {
      data: [{
        type: 'bar', orientation: 'h', y: rows.map((f) => plotlyText(f.group)), x: rows.map((f) => f.meanAbs),
        marker: { color: '#4c78a8' }, hovertemplate: '%{y}: %{x:.4f}<extra></extra>',
      }],
      layout: { margin: { l: 170, r: 16, t: 12, b: 44 }, xaxis: { title: { text: `mean |SHAP value| (${units})` } }, yaxis: { automargin: true }, bargap: 0.25 },
      height: Math.max(200, 24 * rows.length + 80),
    };
  }, [ex, units]);
  return <Plot data={data} layout={layout} height={height} testId="shap-summary-chart" label="mean absolute SHAP value per feature" />;
}

function Beeswarm({ ex, units, seed }: { ex: ShapExplanation; units: string; seed: number }) {
  const { data, layout, height } = useMemo(() => {
    const { features: shown, coloured, grey } = beeswarmPoints(ex, seed, BEESWARM_FEATURES);
    const ticks = shown.map((_, pos) => shown.length - 1 - pos);
    return {
      data: [
        {
          type: 'scatter', mode: 'markers', name: 'feature value', x: coloured.x, y: coloured.y, text: coloured.feature.map(plotlyText),
          marker: { size: 4, color: coloured.colour, cmin: 0, cmax: 1, colorscale: [[0, '#1e88e5'], [1, '#ff0d57']], colorbar: { title: { text: 'feature value' }, tickvals: [0, 1], ticktext: ['low', 'high'] } },
          hovertemplate: '%{text}: %{x:.4f}<extra></extra>',
        },
        {
          type: 'scatter', mode: 'markers', name: 'one-hot group or missing', x: grey.x, y: grey.y, text: grey.feature.map(plotlyText),
          marker: { size: 4, color: '#9e9e9e' }, hovertemplate: '%{text}: %{x:.4f}<extra></extra>',
        },
      ],
      layout: {
        margin: { l: 170, r: 16, t: 12, b: 44 }, showlegend: false,
        xaxis: { title: { text: `SHAP value (${units}): impact on the row's score` }, zeroline: true },
        yaxis: { tickvals: ticks, ticktext: shown.map(plotlyText), range: [-0.6, shown.length - 0.4], automargin: true },
      },
      height: Math.max(220, 28 * shown.length + 90),
    };
  }, [ex, units, seed]);
  return <Plot data={data} layout={layout} height={height} testId="shap-beeswarm" label="SHAP value of each explained row per feature, coloured by the feature's value" />;
}

function Waterfall({ row, units, task }: { row: ShapRow; units: string; task: 'classifier' | 'regressor' }) {
  const ex = row.explanation;
  const steps = useMemo(() => shapWaterfall({ groups: ex.groups, rows: 1, values: ex.values, expectedValue: ex.expectedValue }, 0), [ex]);
  const total = steps.at(-1)?.total ?? ex.expectedValue;
  const raw = ex.raw[0] as number;
  const chart = useMemo(() => {
    const rows = [...steps].reverse();
    return {
      data: [{
        type: 'bar', orientation: 'h', y: rows.map((s) => plotlyText(s.group)), x: rows.map((s) => s.contribution), base: rows.map((s) => s.total - s.contribution),
        marker: { color: rows.map((s) => (s.contribution >= 0 ? '#ff0d57' : '#1e88e5')) }, hovertemplate: '%{y}: %{x:+.4f}<extra></extra>',
      }],
      layout: {
        margin: { l: 170, r: 16, t: 12, b: 44 }, xaxis: { title: { text: `score (${units}), from the expected value ${fmt(ex.expectedValue, 3)} to the row's ${fmt(total, 3)}` } },
        yaxis: { automargin: true }, bargap: 0.2,
      },
      height: Math.max(200, 24 * rows.length + 80),
    };
  }, [steps, units, ex.expectedValue, total]);
  return (
    <div data-testid="shap-waterfall" data-test-row={row.testRow}>
      <Plot data={chart.data} layout={chart.layout} height={chart.height} testId="shap-waterfall-chart" label="waterfall of the row's SHAP values" />
      <table className="grid">
        <caption className="muted">
          {row.why !== null && <strong data-testid="shap-row-why">{row.why}: </strong>}
          test row {fmtInt(row.testRow)} (data row {fmtInt(row.dataRow)}, actual <span data-testid="shap-row-actual" data-value={row.actual}>{task === 'classifier' ? (row.actual === 1 ? 'positive (1)' : 'negative (0)') : `$${fmt(row.actual, 2)}`}</span>): the model's own score <span data-testid="shap-row-raw" data-value={raw}>{describeScore(units, raw)}</span>;
          {' '}the run's stored test prediction <span data-testid="shap-row-stored" data-value={row.storedOutput}>{task === 'classifier' ? `P = ${fmt(row.storedOutput, 4)}` : `$${fmt(row.storedOutput, 2)}`}</span>
        </caption>
        <thead><tr><th>step</th><th>the row's value</th><th>contribution ({units})</th><th>running total ({units})</th></tr></thead>
        <tbody>
          <tr><td>expected value (mean over the training rows)</td><td /><td /><td data-testid="shap-waterfall-expected" data-value={ex.expectedValue}>{fmt(ex.expectedValue, 4)}</td></tr>
          {steps.map((s) => (
            <tr key={s.group} data-testid="shap-waterfall-step" data-feature={s.group}>
              <td className="mono">{s.group}</td>
              <td className="mono" data-testid="shap-waterfall-value">{row.featureValues[s.group] ?? ''}</td>
              <td data-value={s.contribution}>{s.contribution >= 0 ? '+' : '−'}{fmt(Math.abs(s.contribution), 4)}</td>
              <td data-value={s.total}>{fmt(s.total, 4)}</td>
            </tr>
          ))}
          <tr>
            <th>the row's score</th><td /><td />
            <td><strong data-testid="shap-waterfall-total" data-value={total}>{describeScore(units, total)}</strong>
              {units === 'log-odds' && <span hidden data-testid="shap-waterfall-probability" data-value={sigmoid(total)} />}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function Results({ cellId, entry }: { cellId: CellProps['cellId']; entry: ShapEntry }) {
  const units = useWorkbench((s) => {
    const t = shapTarget(s, entry.model);
    return 'reason' in t ? null : shapUnits(t.bundle.kind, t.bundle.model, t.bundle.preprocessing.logTarget, s.revenueTarget, s.revenueIsMoney);
  });
  const task = entry.model;
  const sample = entry.sample;
  if (units === null) return null;
  return (
    <>
      {sample && <Summary entry={entry} sample={sample} units={units} />}
      <RowPicker cellId={cellId} entry={entry} />
      {entry.row && <Waterfall row={entry.row} units={units} task={task} />}
    </>
  );
}

function Summary({ entry, sample, units }: { entry: ShapEntry; sample: ShapSample; units: string }) {
  const ex = sample.explanation;
  const gap = useMemo(() => largestAdditivityGap(ex), [ex]);
  return (
    <>
      <p data-testid="shap-rows" data-value={ex.rows} data-total={sample.totalTestRows} data-seed={sample.seed}>
        {fmtInt(ex.rows)} of {fmtInt(sample.totalTestRows)} test rows, seed {sample.seed}
        {entry.ms !== null && (
          <span className="muted" data-testid="shap-ms" data-value={Math.round(entry.ms)} data-workers={entry.workers}>
            {' '}· computed in {fmt(entry.ms / 1000, 2)} s in {entry.workers === 1 ? 'a worker' : `${entry.workers} workers, trees split between them`} (exact TreeSHAP, {fmtInt(entry.total)} trees)
          </span>
        )}
        <span className="muted" data-testid="shap-additivity" data-value={gap}>
          {' '}· every row's expected value + contributions equals its score (largest gap {gap.toExponential(1)})
        </span>
      </p>
      <div className="charts">
        <section aria-label="SHAP summary">
          <h3>Mean |SHAP| per feature (one-hot groups summed as one feature)</h3>
          <SummaryChart ex={ex} units={units} />
          <table className="grid" data-testid="shap-summary-table">
            <thead><tr><th>#</th><th>feature</th><th>mean |SHAP| ({units})</th></tr></thead>
            <tbody>
              {ex.importance.map((f, i) => (
                <tr key={f.group} data-testid="shap-feature" data-feature={f.group}>
                  <td>{i + 1}</td><td className="mono">{f.group}</td><td data-value={f.meanAbs}>{fmt(f.meanAbs, 4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-label="SHAP beeswarm">
          <h3>Each explained row (colour: the feature's value; grey: one-hot group or missing)</h3>
          <Beeswarm ex={ex} units={units} seed={sample.seed} />
        </section>
      </div>
    </>
  );
}

function RowPicker({ cellId, entry }: { cellId: CellProps['cellId']; entry: ShapEntry }) {
  const saved = useWorkbench((s) => cellOfKind(s, cellId, 'shap')?.config.row ?? 0);
  const explain = useWorkbench((s) => s.explainShapRow);
  const [row, setRow] = useState(saved);
  const total = useWorkbench((s) => {
    const t = shapTarget(s, entry.model);
    return 'reason' in t ? 0 : t.run.result.testIndex.length;
  });
  return (
    <div className="toolbar" role="group" aria-label="explain one test row">
      <NumberField label="test row to explain" unit={`0 to ${fmtInt(Math.max(0, total - 1))}`} value={row} min={0} max={Math.max(0, total - 1)} step={1} testId="shap-row" onChange={setRow} />
      <button type="button" data-testid="shap-explain-row" disabled={entry.rowStatus === 'running'} onClick={() => void explain(cellId, row)}>Explain this row</button>
      {entry.rowStatus === 'running' && <span className="muted">explaining…</span>}
      {entry.rowStatus === 'error' && <p className="error" role="alert" data-testid="shap-row-error">{entry.rowError}</p>}
    </div>
  );
}

function ShapCell({ cellId }: CellProps) {
  const config = useWorkbench((s) => cellOfKind(s, cellId, 'shap')?.config);
  const entry = useWorkbench((s) => s.shap[cellId]);
  const reason = useWorkbench((s) => {
    const kind = cellOfKind(s, cellId, 'shap')?.config.model ?? 'classifier';
    const t = shapTarget(s, kind);
    return 'reason' in t ? t.reason : null;
  });
  const outdated = useWorkbench((s) => isShapOutdated(s, cellId));
  const set = useWorkbench((s) => s.setCellSettings);
  const run = useWorkbench((s) => s.runShap);
  const cancel = useWorkbench((s) => s.cancelShap);
  if (!config) return null;
  const running = entry?.status === 'running';
  return (
    <div data-testid="shap-cell" data-status={entry?.status ?? 'idle'}>
      <p className="muted">
        SHAP values split each prediction into one contribution per feature, exactly (TreeSHAP on the trees' own training covers): the expected
        score plus every contribution is the row's score. Computed for gradient-boosted trees and random forests.
      </p>
      <div className="toolbar">
        <SelectField label="model" value={config.model} options={[['classifier', 'classifier'], ['regressor', 'regressor']]} testId="shap-model"
          onChange={(model) => set(cellId, 'shap', { model })} />
        <NumberField label="test rows to explain (seeded sample)" unit="rows" value={config.sampleSize} min={10} max={MAX_SHAP_ROWS} step={100} testId="shap-sample-size"
          onChange={(sampleSize) => set(cellId, 'shap', { sampleSize: Math.round(sampleSize) })} />
        <NumberField label="seed" value={config.seed} min={0} step={1} testId="shap-seed" onChange={(seed) => set(cellId, 'shap', { seed: Math.round(seed) })} />
        <button type="button" className="primary" disabled={reason !== null || running} onClick={() => void run(cellId)} data-testid="shap-run">Explain</button>
        {running && <button type="button" onClick={() => cancel(cellId)} data-testid="shap-cancel">Cancel</button>}
      </div>
      {reason !== null && <p className="muted" data-testid="shap-reason">{reason}</p>}
      {running && entry && (
        <div className="run-status">
          <progress max={Math.max(1, entry.total)} value={entry.done} aria-label="SHAP progress" />
          <span data-testid="shap-progress" data-value={entry.done}>{fmtInt(entry.done)} / {fmtInt(entry.total)} trees</span>
        </div>
      )}
      {entry?.status === 'error' && <p className="error" role="alert" data-testid="shap-error">{entry.error}</p>}
      {entry?.status === 'cancelled' && <p className="muted" data-testid="shap-cancelled">cancelled</p>}
      {outdated && <p><span className="stale-badge">stale</span> the {entry?.model} changed since this was computed; explain again.</p>}
      {reason === null && (
        <div className={outdated ? 'stale' : ''}>
          <Results cellId={cellId} entry={entry ?? { ...IDLE_SHAP, model: config.model }} />
        </div>
      )}
    </div>
  );
}

const QUADRANTS = [
  ['tp', 'true positive', 1, true], ['fn', 'false negative', 1, false], ['fp', 'false positive', 0, true], ['tn', 'true negative', 0, false],
] as const;

/** The next test row after `after` (wrapping) whose actual label is `label` and whose flag at `threshold` is `flagged`, or −1. */
function nextRowIn(yTest: ArrayLike<number>, proba: ArrayLike<number>, threshold: number, label: number, flagged: boolean, after: number): number {
  const n = yTest.length;
  for (let k = 1; k <= n; k++) {
    const i = (after + k) % n;
    if (yTest[i] === label && ((proba[i] as number) >= threshold) === flagged) return i;
  }
  return -1;
}

/** Buttons under the confusion matrix: explain the next test row of one of its four cells in the (first) SHAP cell. */
export function ExplainFromMatrix({ yTest, proba, threshold }: { yTest: ArrayLike<number>; proba: ArrayLike<number>; threshold: number }) {
  const shapId = useWorkbench((s) => firstCellOf(s, 'shap')?.id ?? null);
  const reason = useWorkbench((s) => {
    const t = shapTarget(s, 'classifier');
    return 'reason' in t ? t.reason : null;
  });
  const current = useWorkbench((s) => (shapId === null ? -1 : (s.shap[shapId]?.row?.testRow ?? -1)));
  const explain = useWorkbench((s) => s.explainShapRow);
  const set = useWorkbench((s) => s.setCellSettings);
  const [note, setNote] = useState<string | null>(null);
  if (shapId === null || reason !== null) return null;
  return (
    <div className="toolbar" role="group" aria-label="explain a row of the confusion matrix">
      <span className="muted">Why? Explain the next</span>
      {QUADRANTS.map(([key, label, y, flagged]) => (
        <button key={key} type="button" data-testid={`explain-${key}`} onClick={() => {
          const row = nextRowIn(yTest, proba, threshold, y, flagged, current);
          if (row < 0) { setNote(`no ${label}s at threshold ${fmt(threshold)}`); return; }
          setNote(null);
          set(shapId, 'shap', { model: 'classifier' });
          void explain(shapId, row, `a ${label} at threshold ${fmt(threshold)}`);
          document.querySelector(`[data-cell-id="${shapId}"]`)?.scrollIntoView({ block: 'start' });
        }}>{label}</button>
      ))}
      {note && <span className="muted" data-testid="explain-note">{note}</span>}
    </div>
  );
}

export const shapCell = defineCell({
  kind: 'shap',
  title: 'Why this prediction (SHAP, tree models)',
  settings: ShapCellSchema,
  dependsOn: ['classifier', 'regressor'],
  action: { label: 'Explain', run: (s, id) => void s.runShap(id), busy: (s, id) => s.shap[id]?.status === 'running' },
  outdated: (s, id) => isShapOutdated(s, id),
  render: ShapCell,
});
