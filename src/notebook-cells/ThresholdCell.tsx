/** Threshold: a slider answered from the sorted test scores (no model call), a live confusion matrix, metrics beside the targets, profit. */
import { useMemo, useState } from 'react';
import { downloadFile, safeFileName } from '../app/download.ts';
import { useWorkbench } from '../app/store.ts';
import { curvesOf, pointAt, profitOf, sweepOf, testPredictionsCsv } from '../notebook/evaluation.ts';
import { isKindStale } from '../app/staleness.ts';
import { fmt, fmtAmount, fmtInt, fmtPct } from '../app/format.ts';
import { bestF1, bestProfit, thresholdForRecall } from '../trainers/thresholdSweep.ts';
import type { ClassifierResult } from '../trainers/types.ts';
import { NumberField } from './fields.tsx';
import { MetricTable } from './MetricTable.tsx';
import { ExplainFromMatrix } from './ShapCell.tsx';
import type { CellProps } from './cellDefinition.ts';
import { selectActiveClassifier } from '../notebook/runs.ts';

/** The stated cost of contacting a session that would not have ordered (an e-mail or a coupon), in dollars. */
export const DEFAULT_CONTACT_COST = 1;

function downloadCsv(result: ClassifierResult, name: string): void {
  downloadFile(`${safeFileName(name)}-test-predictions.csv`, testPredictionsCsv(result), 'text/csv');
}

function Count({ testId, value, rate, rateLabel }: { testId: string; value: number; rate: number; rateLabel: string }) {
  return (
    <td>
      <strong data-testid={testId} data-value={value}>{fmtInt(value)}</strong>
      <br />
      <small className="muted">{rateLabel} <span data-value={rate}>{fmt(rate)}</span></small>
    </td>
  );
}

export function ThresholdCell({ cellId }: CellProps) {
  const sliderId = `${cellId}-threshold-slider`;
  const run = useWorkbench(selectActiveClassifier);
  const stale = useWorkbench((s) => isKindStale(s, 'threshold'));
  const threshold = useWorkbench((s) => s.threshold);
  const setThreshold = useWorkbench((s) => s.setThreshold);
  const meanOrderValue = useWorkbench((s) => s.analysis?.profile?.revenue?.meanOrderValue ?? NaN);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const [tpValueInput, setTpValue] = useState<number | null>(null);
  const [fpCost, setFpCost] = useState(DEFAULT_CONTACT_COST);
  const [minRecall, setMinRecall] = useState(0.8);
  const [note, setNote] = useState<string | null>(null);
  const tpValue = tpValueInput ?? (Number.isFinite(meanOrderValue) ? Math.round(meanOrderValue * 100) / 100 : 50);
  const result = run?.result ?? null;
  const sweep = result ? sweepOf(result) : null;
  const auc = useMemo(() => (result ? curvesOf(result).auc : NaN), [result]);
  const optimum = useMemo(() => (sweep ? bestProfit(sweep, { tpValue, fpCost }) : null), [sweep, tpValue, fpCost]);
  if (!run || !result || !sweep) {
    return <p className="muted" data-testid="threshold-empty">Train the classifier to tune its decision threshold.</p>;
  }
  const p = pointAt(sweep, threshold);
  const c = p.confusion;
  const n = sweep.positives + sweep.negatives;
  const profit = profitOf(c, { tpValue, fpCost });
  const values = { f1_score: c.f1, precision: c.precision, recall: c.recall, auc_roc: auc };
  return (
    <div className={stale ? 'stale' : ''} data-testid="threshold-cell" data-stale={stale}>
      {stale && <p><span className="stale-badge" data-testid="threshold-stale">stale: the classifier's inputs changed, train again</span></p>}
      <div className="slider-row">
        <label htmlFor={sliderId}>decision threshold</label>
        <input id={sliderId} type="range" min={0} max={1} step={0.001} value={threshold} data-testid="threshold-slider"
          aria-valuetext={fmt(threshold)} onChange={(e) => { setNote(null); setThreshold(Number(e.target.value)); }} />
        <strong data-testid="threshold-value" data-value={threshold}>{fmt(threshold)}</strong>
        <span className="muted">a session is flagged when its predicted probability ≥ the threshold; {fmtInt(n)} test rows of {run.name}</span>
      </div>
      <div className="toolbar">
        <button type="button" data-testid="threshold-validation" onClick={() => { setNote(null); setThreshold(result.threshold); }}>
          validation threshold ({fmt(result.threshold)})
        </button>
        <button type="button" data-testid="threshold-best-f1" onClick={() => { setNote('best F1 is chosen on the test split itself (oracle): it flatters the model'); setThreshold(bestF1(sweep).threshold); }}>
          best F1 (test oracle)
        </button>
        <button type="button" data-testid="threshold-best-profit" onClick={() => {
          if (!optimum || !Number.isFinite(optimum.threshold)) { setNote('no threshold makes a profit at these values: flag nobody'); setThreshold(1); return; }
          setNote('best profit is chosen on the test split itself (oracle)');
          setThreshold(optimum.threshold);
        }}>
          best profit (test oracle)
        </button>
        <span className="toolbar">
          <button type="button" data-testid="threshold-recall" onClick={() => {
            const r = thresholdForRecall(sweep, minRecall);
            setNote(r ? `highest threshold with recall ≥ ${fmt(minRecall)} on the test split` : 'no positive rows in the test split');
            if (r) setThreshold(r.threshold);
          }}>
            recall ≥ x
          </button>
          <NumberField label="x (minimum recall)" value={minRecall} min={0} max={1} step={0.05} testId="threshold-min-recall" onChange={setMinRecall} />
        </span>
        <button type="button" data-testid="download-scores" onClick={() => downloadCsv(result, run.name)}>Download test predictions (CSV)</button>
      </div>
      {note && <p className="muted" data-testid="threshold-note">{note}</p>}
      <div className="charts">
        <div>
          <table className="confusion" data-testid="confusion-matrix" aria-label="confusion matrix on the test split">
            <thead>
              <tr><th /><th scope="col">predicted order</th><th scope="col">predicted no order</th></tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">ordered ({fmtInt(sweep.positives)})</th>
                <Count testId="cm-tp" value={c.tp} rate={c.recall} rateLabel="TPR" />
                <Count testId="cm-fn" value={c.fn} rate={sweep.positives > 0 ? c.fn / sweep.positives : 0} rateLabel="FNR" />
              </tr>
              <tr>
                <th scope="row">no order ({fmtInt(sweep.negatives)})</th>
                <Count testId="cm-fp" value={c.fp} rate={p.fpr} rateLabel="FPR" />
                <Count testId="cm-tn" value={c.tn} rate={sweep.negatives > 0 ? c.tn / sweep.negatives : 0} rateLabel="TNR" />
              </tr>
            </tbody>
          </table>
          <dl className="facts">
            <div><dt>accuracy</dt><dd data-testid="thr-accuracy" data-value={c.accuracy}>{fmt(c.accuracy)}</dd></div>
            <div><dt>predicted-positive rate</dt><dd data-testid="thr-ppr" data-value={c.predictedPositiveRate}>{fmt(c.predictedPositiveRate)} <small className="muted">({fmtPct(c.predictedPositiveRate, 1)})</small></dd></div>
          </dl>
          <ExplainFromMatrix yTest={result.yTest} proba={result.testProba} threshold={threshold} />
        </div>
        <MetricTable model="classifier" values={values} testPrefix="thr" />
      </div>
      <div className="settings">
        <NumberField label="value of a true positive" unit={money ? '$ per order' : 'per positive'} value={tpValue} min={0} step={0.01} testId="profit-tp-value" onChange={setTpValue} />
        <NumberField label="cost of a false positive" unit={money ? '$ per contact' : 'per contact'} value={fpCost} min={0} step={0.01} testId="profit-fp-cost" onChange={setFpCost} />
      </div>
      <p>
        Expected profit at {fmt(threshold)} on the test split: <strong data-testid="thr-profit" data-value={profit}>{fmtAmount(profit, money)}</strong>
        {' '}= {fmtInt(c.tp)} × {fmtAmount(tpValue, money)} − {fmtInt(c.fp)} × {fmtAmount(fpCost, money)}
        {' '}<span className="muted">({fmtAmount(n > 0 ? profit / n : NaN, money)} per session; default value: the mean order value {fmtAmount(meanOrderValue, money)}, cost: a stated contact cost of {fmtAmount(DEFAULT_CONTACT_COST, money)})</span>
        {optimum && Number.isFinite(optimum.threshold) && (
          <span className="muted"> · most profitable threshold on test: {fmt(optimum.threshold)} ({fmtAmount(optimum.profit, money)})</span>
        )}
      </p>
    </div>
  );
}
