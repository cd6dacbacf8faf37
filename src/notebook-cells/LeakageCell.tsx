/** The Leakage cell: each feature's single-feature ROC AUC and any value that fixes the label, with one-click exclusion. */
import { useWorkbench } from '../app/store.ts';
import { fmt } from '../app/format.ts';

export function LeakageCell() {
  const analysis = useWorkbench((s) => s.analysis);
  const excluded = useWorkbench((s) => s.excluded);
  const setExcluded = useWorkbench((s) => s.setExcluded);
  const toggle = useWorkbench((s) => s.toggleExcluded);
  const classTarget = useWorkbench((s) => s.classTarget);
  if (!analysis) return <p className="muted">Load data to check it for leakage.</p>;
  if (!analysis.profile) return <p className="warning">No leakage check: fix the validation problems shown in the Data cell first.</p>;
  const flagged = analysis.leakage.filter((f) => f.flagged);
  const pending = flagged.filter((f) => !excluded.includes(f.feature));
  const sorted = [...analysis.leakage].sort((a, b) => Math.abs(b.auc - 0.5) - Math.abs(a.auc - 0.5));
  return (
    <div>
      {flagged.length === 0 ? (
        <p data-testid="leakage-none">No feature predicts {classTarget} suspiciously well on its own.</p>
      ) : (
        <div className="error" role="alert" data-testid="leakage-warning">
          <strong>Leakage suspected:</strong> {flagged.map((f) => f.feature).join(', ')} {flagged.length === 1 ? 'fixes' : 'fix'} the label on its own.
          {' '}A model given {flagged.length === 1 ? 'it' : 'them'} scores near-perfectly and learns nothing usable.
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
        <thead><tr><th>feature</th><th>single-feature ROC AUC</th><th>flag</th><th>evidence</th><th>use</th></tr></thead>
        <tbody>
          {sorted.map((f) => (
            <tr key={f.feature} data-testid={`leakage-row-${f.feature}`}>
              <td className="mono">{f.feature}</td>
              <td data-value={f.auc}>{fmt(f.auc)}</td>
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
    </div>
  );
}
