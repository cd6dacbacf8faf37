/** The user's targets (F1 > 0.40 …): notebook settings, editable in the Report cell, checked wherever a metric is shown. */
import type { StateCreator } from 'zustand';
import { DEFAULT_METRIC_THRESHOLDS, type MetricThresholds, type TargetMetric } from '../trainers/targets.ts';
import type { WorkbenchState } from './store.ts';

export interface TargetsSlice {
  metricTargets: MetricThresholds;
  setMetricTarget(metric: TargetMetric, value: number): void;
}

export const createTargetsSlice: StateCreator<WorkbenchState, [], [], TargetsSlice> = (set) => ({
  metricTargets: DEFAULT_METRIC_THRESHOLDS,
  setMetricTarget(metric, value) {
    if (!Number.isFinite(value)) return;
    set((s) => ({ metricTargets: { ...s.metricTargets, [metric]: value } }));
  },
});
