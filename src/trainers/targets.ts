/** The user's targets from their Python pipeline, and whether a metric meets them. */

export interface MetricTarget {
  readonly metric: string;
  readonly label: string;
  readonly op: '>' | '<';
  readonly value: number;
  /** how to show the value: plain, percent, or in the regression target's unit (dollars when it is marked as money) */
  readonly unit: 'plain' | 'percent' | 'amount';
}

/** Classifier targets: F1 > 0.40, AUC > 0.75, recall > 0.50, precision > 0.30. */
export const CLASSIFIER_TARGETS: readonly MetricTarget[] = [
  { metric: 'f1_score', label: 'F1', op: '>', value: 0.4, unit: 'plain' },
  { metric: 'auc_roc', label: 'ROC AUC', op: '>', value: 0.75, unit: 'plain' },
  { metric: 'recall', label: 'recall', op: '>', value: 0.5, unit: 'plain' },
  { metric: 'precision', label: 'precision', op: '>', value: 0.3, unit: 'plain' },
];

/** Regressor targets: RMSE < 20, MAE < 15 (in the regression target's unit), R² > 0.50, MAPE < 30 %. */
export const REGRESSOR_TARGETS: readonly MetricTarget[] = [
  { metric: 'rmse', label: 'RMSE', op: '<', value: 20, unit: 'amount' },
  { metric: 'mae', label: 'MAE', op: '<', value: 15, unit: 'amount' },
  { metric: 'r2', label: 'R²', op: '>', value: 0.5, unit: 'plain' },
  { metric: 'mape', label: 'MAPE', op: '<', value: 0.3, unit: 'percent' },
];

/** True when `value` meets the target (NaN never does). */
export function meetsTarget(t: MetricTarget, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  return t.op === '>' ? value > t.value : value < t.value;
}

/** The metrics a user sets a target for. */
export const TARGET_METRICS = ['f1_score', 'auc_roc', 'precision', 'recall', 'rmse', 'mae', 'r2', 'mape'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** The user's threshold per metric (the direction is the metric's own: > for scores, < for errors). */
export type MetricThresholds = Readonly<Record<TargetMetric, number>>;

/** The handoff's targets: F1 > 0.40, AUC > 0.75, precision > 0.30, recall > 0.50, RMSE < 20, MAE < 15, R² > 0.50, MAPE < 30 %. */
export const DEFAULT_METRIC_THRESHOLDS: MetricThresholds = Object.fromEntries(
  [...CLASSIFIER_TARGETS, ...REGRESSOR_TARGETS].map((t) => [t.metric, t.value]),
) as MetricThresholds;

function withThresholds(targets: readonly MetricTarget[], th: Partial<MetricThresholds>): MetricTarget[] {
  return targets.map((t) => ({ ...t, value: th[t.metric as TargetMetric] ?? t.value }));
}

/** The classifier's targets with the user's thresholds. */
export function classifierTargets(th: Partial<MetricThresholds>): MetricTarget[] {
  return withThresholds(CLASSIFIER_TARGETS, th);
}

/** The regressor's targets with the user's thresholds. */
export function regressorTargets(th: Partial<MetricThresholds>): MetricTarget[] {
  return withThresholds(REGRESSOR_TARGETS, th);
}

/** Each target as an MLflow tag: `target.f1_score` = `>0.4`. */
export function targetTags(targets: readonly MetricTarget[]): Record<string, string> {
  return Object.fromEntries(targets.map((t) => [`target.${t.metric}`, `${t.op}${t.value}`]));
}
