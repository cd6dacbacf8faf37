/** The Leakage cell: what each feature alone says about the targets (measured out of fold), values that fix the label, duplicates; one-click exclusion. */
import { useWorkbench } from '../app/store.ts';
import { fmt } from '../app/format.ts';

export function LeakageCell() {
  const analysis = useWorkbench((s) => s.analysis);
  const excluded = useWorkbench((s) => s.excluded);
  const setExcluded = useWorkbench((s) => s.setExcluded);
  const toggle = useWorkbench((s) => s.toggleExcluded);
  const classTarget = useWorkbench((s) => s.classTarget);
  const revenueTarget = useWorkbench((s) => s.revenueTarget);
  if (!analysis) return <p className="muted">Load data to check it for leakage.</p>;
  if (!analysis.leakageReport) return <p className="warning">No leakage check: fix the validation problems shown in the Data cell first.</p>;
  const report = analysis.leakageReport;
  const flagged = analysis.leakage.filter((f) => f.flagged);
  const pending = flagged.filter((f) => !excluded.includes(f.feature));
  const showR2 = analysis.leakage.some((f) => Number.isFinite(f.r2));
  const showAuc = classTarget !== '';
  const targetNames = [classTarget, showR2 ? revenueTarget : ''].filter((t) => t !== '').join(' or ');
  return (
    <div>
      {flagged.length === 0 ? (
        <p data-testid="leakage-none">No feature alone predicts {targetNames} suspiciously well.</p>
      ) : (
        <div className="error" role="alert" data-testid="leakage-warning">
          <strong>Leakage suspected:</strong> {flagged.map((f) => f.feature).join(', ')}. What was measured:
          <ul>
            {flagged.flatMap((f) => f.reasons.map((r) => <li key={f.feature + r}>{r}</li>))}
          </ul>
          {pending.length > 0 ? (
            <button type="button" className="primary" data-testid="exclude-leaks"
              onClick={() => setExcluded([...excluded, ...pending.map((f) => f.feature)])}>
              Exclude {pending.map((f) => f.feature).join(', ')} from the features
            </button>
          ) : (
            <span className="met" data-testid="leaks-excluded">Excluded from the features.</span>
          )}
        </div>
      )}
      <table className="grid" data-testid="leakage-table">
        <thead><tr><th>feature</th>{showAuc && <th>single-feature ROC AUC (held out)</th>}{showR2 && <th>R² vs {revenueTarget} (held out)</th>}<th>flag</th><th>evidence</th><th>use</th></tr></thead>
        <tbody>
          {analysis.leakage.map((f) => (
            <tr key={f.feature} data-testid={`leakage-row-${f.feature}`}>
              <td className="mono">{f.feature}</td>
              {showAuc && <td data-value={f.auc} title={f.aucMethod}>{fmt(f.auc)}{f.aucMethod === 'target encoding, held-out folds' && Math.abs(f.inSampleAuc - f.auc) > 0.02 ? ` (in-sample ${fmt(f.inSampleAuc)})` : ''}</td>}
              {showR2 && <td data-value={f.r2}>{fmt(f.r2)}</td>}
              <td>{f.flagged ? <span className="flag">leak</span> : 'ok'}</td>
              <td>{f.reasons.join('; ')}</td>
              <td>
                <label>
                  <input type="checkbox" checked={!excluded.includes(f.feature)} onChange={() => toggle(f.feature)} />
                  {' '}feature
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report !== null && (report.duplicateColumns.length > 0 || (report.crossSplitDuplicates?.withCopyInTraining ?? 0) > 0) && (
        <ul className="notes" data-testid="leakage-duplicates">
          {report.duplicateColumns.map((d) => <li key={d.message}>{d.message}</li>)}
          {report.crossSplitDuplicates !== null && report.crossSplitDuplicates.withCopyInTraining > 0 && (
            <li data-testid="leakage-cross-split">{report.crossSplitDuplicates.message}</li>
          )}
        </ul>
      )}
      {report !== null && (
        <p className="muted" data-testid="leakage-method">
          Measured on {report.rowsMeasured.toLocaleString('en-US')} training rows: {report.method}.
        </p>
      )}
    </div>
  );
}
