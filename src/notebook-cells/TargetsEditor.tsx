/** The user's targets (F1 > 0.40 …), editable: every metric table, the report and MLflow's `target.*` tags follow them. */
import { useWorkbench } from '../app/store.ts';
import { CLASSIFIER_TARGETS, REGRESSOR_TARGETS, type MetricTarget, type TargetMetric } from '../trainers/targets.ts';
import { NumberField } from './fields.tsx';

function TargetField({ target }: { target: MetricTarget }) {
  const metric = target.metric as TargetMetric;
  const value = useWorkbench((s) => s.metricTargets[metric]);
  const set = useWorkbench((s) => s.setMetricTarget);
  const percent = target.unit === 'percent';
  // scores lie in [0, 1], R² at most 1 (it may be negative), errors at least 0; MAPE is edited in percent
  const range = metric === 'r2' ? { max: 1 } : target.unit === 'amount' ? { min: 0 } : { min: 0, max: percent ? 100 : 1 };
  return (
    <NumberField label={`${target.label} ${target.op}`} {...(percent ? { unit: '%' } : {})} testId={`target-${metric}`}
      value={percent ? Math.round(value * 1e6) / 1e4 : value} step="any" {...range}
      onChange={(v) => set(metric, percent ? v / 100 : v)} />
  );
}

export function TargetsEditor() {
  return (
    <fieldset className="targets-editor" data-testid="targets-editor">
      <legend>Targets (saved with the notebook; the metric tables, the report and MLflow tags check these)</legend>
      <div className="settings">
        {[...CLASSIFIER_TARGETS, ...REGRESSOR_TARGETS].map((t) => <TargetField key={t.metric} target={t} />)}
      </div>
    </fieldset>
  );
}
