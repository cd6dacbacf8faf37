/** Metrics beside the user's targets, each saying met / not met; exact values in data-value. */
import { fmt, fmtAmount, fmtPct } from '../app/format.ts';
import { useWorkbench } from '../app/store.ts';
import { useMemo } from 'react';
import { classifierTargets, meetsTarget, regressorTargets, type MetricTarget } from '../trainers/targets.ts';
import type { ModelKind } from '../notebook/runs.ts';

function show(t: MetricTarget, v: number, money: boolean): string {
  if (t.unit === 'amount') return fmtAmount(v, money);
  if (t.unit === 'percent') return fmtPct(v, 1);
  return fmt(v);
}

/** The user's targets for a model (the notebook's, editable in the Report cell). */
export function useTargets(model: ModelKind): readonly MetricTarget[] {
  const th = useWorkbench((s) => s.metricTargets);
  return useMemo(() => (model === 'classifier' ? classifierTargets(th) : regressorTargets(th)), [model, th]);
}

export function MetricTable({ model, values, baseline, testPrefix, undefinedMetrics = {} }: {
  /** whose targets the metrics are checked against */
  model: ModelKind;
  values: Readonly<Record<string, number>>;
  baseline?: Readonly<Record<string, number>>;
  testPrefix: string;
  /** metrics without a meaning here (R² of a constant target), with what to show instead of a number */
  undefinedMetrics?: Readonly<Record<string, string>>;
}) {
  const money = useWorkbench((s) => s.revenueIsMoney);
  const targets = useTargets(model);
  return (
    <table className="grid" data-testid={`${testPrefix}-metrics`}>
      <thead>
        <tr><th>metric</th><th>value</th>{baseline && <th>mean baseline</th>}<th>target</th><th>status</th></tr>
      </thead>
      <tbody>
        {targets.map((t) => {
          const v = values[t.metric] ?? NaN;
          const undefinedAs = undefinedMetrics[t.metric];
          const met = undefinedAs === undefined && meetsTarget(t, v);
          return (
            <tr key={t.metric}>
              <td>{t.label}</td>
              <td data-testid={`${testPrefix}-${t.metric}`} data-value={v}>{undefinedAs ?? show(t, v, money)}</td>
              {baseline && <td data-testid={`${testPrefix}-baseline-${t.metric}`} data-value={baseline[t.metric] ?? NaN}>{undefinedAs ?? show(t, baseline[t.metric] ?? NaN, money)}</td>}
              <td>{t.op} {show(t, t.value, money)}</td>
              <td data-testid={`${testPrefix}-${t.metric}-status`} className={met ? 'met' : 'notmet'}>{undefinedAs !== undefined ? 'cannot be judged' : met ? 'met' : 'not met'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
