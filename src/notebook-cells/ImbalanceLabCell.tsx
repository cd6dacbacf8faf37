/** Imbalance lab: no treatment, class weights, resampling and a moved threshold under the same folds, with the honest conclusion. */
import { useMemo } from 'react';
import { Plot } from '../app/Plot.tsx';
import { fmt, fmtInt, fmtPct } from '../app/format.ts';
import { searchInputsKey } from '../app/searchSlice.ts';
import { useWorkbench } from '../app/store.ts';
import { conclusion, strategyLabel, type ImbalanceModel, type ImbalanceRow, type ImbalanceScores } from '../trainers/imbalanceLab.ts';
import { NumberField, SelectField } from './fields.tsx';

const MODELS: ReadonlyArray<readonly [ImbalanceModel, string]> = [
  ['logistic', 'logistic regression (C = 1)'], ['gbdt', 'gradient boosting (100 trees)'], ['rf', 'random forest (200 trees, depth 15)'],
];
const MODEL_WORDS: Record<ImbalanceModel, string> = {
  logistic: 'L2 logistic regression (C = 1)', gbdt: 'Gradient boosting (the Train cell’s defaults, all 100 trees)', rf: 'A random forest (the Train cell’s defaults: 200 trees of depth 15)',
};

const COLUMNS: ReadonlyArray<readonly [keyof ImbalanceScores, string, string]> = [
  ['prAuc', 'PR AUC', 'higher is better'],
  ['rocAuc', 'ROC AUC', 'higher is better'],
  ['f1Best', 'F1 (best thr.)', 'at each validation fold’s own best threshold: a ceiling'],
  ['f1Operating', 'F1 (deployed)', 'at 0.5, or at the threshold tuned on the training fold for “moved threshold”'],
  ['operatingThreshold', 'threshold', 'the threshold the strategy would deploy'],
  ['brier', 'Brier', 'calibration: lower is better'],
];

const CHART_METRICS: ReadonlyArray<readonly [keyof ImbalanceScores, string]> = [
  ['prAuc', 'PR AUC'], ['rocAuc', 'ROC AUC'], ['f1Best', 'F1 best thr.'], ['f1Operating', 'F1 deployed'], ['brier', 'Brier'],
];

const NAMES: Record<ImbalanceRow['strategy'], string> = {
  none: 'none', classWeights: 'class weights', oversample: 'random oversampling', smote: 'SMOTE-NC', undersample: 'random undersampling', threshold: 'moved threshold only',
};

function barChart(rows: readonly ImbalanceRow[]): { data: object[]; layout: Record<string, unknown> } {
  return {
    data: rows.map((r) => ({
      type: 'bar', name: NAMES[r.strategy],
      x: CHART_METRICS.map(([, label]) => label),
      y: CHART_METRICS.map(([k]) => r.mean[k]),
      error_y: { type: 'data', array: CHART_METRICS.map(([k]) => r.std[k]), visible: true, thickness: 1 },
      hovertemplate: `${NAMES[r.strategy]}: %{y:.3f}<extra></extra>`,
    })),
    layout: {
      barmode: 'group', title: { text: 'Mean over folds (error bars: ± std)', font: { size: 13 } },
      yaxis: { range: [0, 1], title: { text: 'score' } }, legend: { orientation: 'h', y: -0.15 }, margin: { l: 56, r: 16, t: 36, b: 80 },
    },
  };
}

export function ImbalanceLabCell() {
  const st = useWorkbench((s) => s.imbalanceSettings);
  const set = useWorkbench((s) => s.setImbalanceSettings);
  const run = useWorkbench((s) => s.imbalanceRun);
  const start = useWorkbench((s) => s.runImbalance);
  const cancel = useWorkbench((s) => s.cancelImbalance);
  const ready = useWorkbench((s) => s.analysis !== null && s.analysis.issues.length === 0);
  const datasetRows = useWorkbench((s) => s.dataset?.rows ?? 0);
  const excluded = useWorkbench((s) => s.excluded);
  const stale = useWorkbench((s) => run.status === 'done' && searchInputsKey(s) !== run.inputsKey);
  const rows = run.rows;
  const chart = useMemo(() => (rows ? barChart(rows) : null), [rows]);
  const sentence = useMemo(() => {
    if (!rows) return null;
    try {
      return conclusion(rows);
    } catch (err) {
      return (err as Error).message;
    }
  }, [rows]);
  const running = run.status === 'running';
  const sampleText = st.sampleRows > 0 && st.sampleRows < datasetRows
    ? `a stratified sample of ${fmtInt(st.sampleRows)} of the ${fmtInt(datasetRows)} rows`
    : `all ${fmtInt(datasetRows)} rows`;
  return (
    <div className={stale ? 'stale' : ''} data-testid="imbalance-cell" data-stale={stale}>
      <p className="muted">
        {MODEL_WORDS[run.status === 'idle' ? st.model : run.model]} under six ways of handling the rare “ordered” class, every one on the same stratified folds;
        the scaler and every resampler are fitted on the training folds only. Runs on {sampleText} (set “row sample” to 0 for all; SMOTE’s neighbour search grows with the square of the positives).
      </p>
      <div className="settings">
        <SelectField<ImbalanceModel> label="model" value={st.model} testId="imbalance-model" options={MODELS} onChange={(model) => set({ model })} />
        <NumberField label="folds (k)" value={st.k} min={2} max={20} step={1} testId="imbalance-k" onChange={(k) => set({ k: Math.round(k) })} />
        <NumberField label="row sample (0 = all rows)" value={st.sampleRows} min={0} step={10000} testId="imbalance-sample" onChange={(sampleRows) => set({ sampleRows: Math.round(sampleRows) })} />
        <NumberField label="seed" value={st.seed} step={1} testId="imbalance-seed" onChange={(seed) => set({ seed: Math.round(seed) })} />
      </div>
      <div className="toolbar">
        <button type="button" className="primary" disabled={!ready || running} onClick={() => void start()} data-testid="imbalance-run">Run imbalance lab</button>
        {excluded.length > 0 && <span className="muted">excluded: {excluded.join(', ')}</span>}
        {stale && <span className="stale-badge" data-testid="imbalance-stale">stale: data or features changed, run again</span>}
      </div>
      {run.status !== 'idle' && (
        <div className="run-status" data-testid="imbalance-status" data-status={run.status}>
          {run.sampleRows > 0 && (
            <span className="muted" data-testid="imbalance-rows" data-value={run.sampleRows}>
              {fmtInt(run.sampleRows)} rows ({fmtInt(run.positives)} ordered, {fmtPct(run.positives / run.sampleRows)}), {run.workers} worker{run.workers === 1 ? '' : 's'}
            </span>
          )}
          {run.progress && (
            <>
              <progress max={run.progress.total} value={run.progress.done} aria-label="imbalance lab progress" />
              <span data-testid="imbalance-progress" data-value={run.progress.done}>{run.progress.done} / {run.progress.total} folds</span>
            </>
          )}
          {running && run.progress && <span>about {run.progress.etaMs === null ? 'estimating…' : `${(run.progress.etaMs / 1000).toFixed(1)} s`} left</span>}
          {running && <button type="button" onClick={cancel} data-testid="imbalance-cancel">Cancel</button>}
          {run.status === 'done' && run.wallMs !== null && <span>done in {(run.wallMs / 1000).toFixed(1)} s</span>}
          {run.status === 'cancelled' && <span className="warning" data-testid="imbalance-cancelled">Imbalance lab cancelled.</span>}
        </div>
      )}
      {run.status === 'error' && <div className="error" role="alert" data-testid="imbalance-error">Imbalance lab failed: {run.error}</div>}
      {rows && (
        <>
          {sentence && <p className="conclusion" data-testid="imbalance-conclusion">{sentence}</p>}
          <div>
            <div className="scroll-x">
              <table className="grid nowrap" data-testid="imbalance-table">
                <thead>
                  <tr>
                    <th>strategy</th>
                    {COLUMNS.map(([k, label, title]) => <th key={k} title={title}>{label}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.strategy} data-testid={`imbalance-row-${r.strategy}`} title={strategyLabel(r.strategy)}>
                      <td>{NAMES[r.strategy]}</td>
                      {COLUMNS.map(([k]) => (
                        <td key={k} data-value={r.mean[k]}>
                          {fmt(r.mean[k])}{k !== 'operatingThreshold' || r.strategy === 'threshold' ? <span className="muted"> ± {fmt(r.std[k])}</span> : null}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted">Mean ± population std over {rows[0]?.folds ?? 0} folds. Resampling and weights change the probabilities’ scale (Brier), not much their order (AUC).</p>
              {run.model !== 'logistic' && (
                <p className="muted" data-testid="imbalance-tree-note">
                  The moved threshold is tuned on the training fold’s own predictions; a tree ensemble fits its training rows closely, so that threshold is optimistic for trees.
                </p>
              )}
            </div>
            {chart && <Plot testId="imbalance-chart" label="imbalance strategies compared on each metric" data={chart.data} layout={chart.layout} height={340} />}
          </div>
        </>
      )}
    </div>
  );
}
