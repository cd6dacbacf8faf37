/** Metrics beside the user's targets, each saying met / not met; exact values in data-value. */
import { fmt, fmtPct, fmtUsd } from '../app/format.ts';
import { meetsTarget, type MetricTarget } from '../trainers/targets.ts';

function show(t: MetricTarget, v: number): string {
  if (t.unit === 'usd') return fmtUsd(v);
  if (t.unit === 'percent') return fmtPct(v, 1);
  return fmt(v);
}

export function MetricTable({ targets, values, baseline, testPrefix }: {
  targets: readonly MetricTarget[];
  values: Readonly<Record<string, number>>;
  baseline?: Readonly<Record<string, number>>;
  testPrefix: string;
}) {
  return (
    <table className="grid" data-testid={`${testPrefix}-metrics`}>
      <thead>
        <tr><th>metric</th><th>value</th>{baseline && <th>mean baseline</th>}<th>target</th><th>status</th></tr>
      </thead>
      <tbody>
        {targets.map((t) => {
          const v = values[t.metric] ?? NaN;
          const met = meetsTarget(t, v);
          return (
            <tr key={t.metric}>
              <td>{t.label}</td>
              <td data-testid={`${testPrefix}-${t.metric}`} data-value={v}>{show(t, v)}</td>
              {baseline && <td data-testid={`${testPrefix}-baseline-${t.metric}`} data-value={baseline[t.metric] ?? NaN}>{show(t, baseline[t.metric] ?? NaN)}</td>}
              <td>{t.op} {show(t, t.value)}</td>
              <td data-testid={`${testPrefix}-${t.metric}-status`} className={met ? 'met' : 'notmet'}>{met ? 'met' : 'not met'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
