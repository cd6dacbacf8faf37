/** The store's notebook as a `ReportInput`: aggregates only (curves, counts, metrics), data rows only on request. */
import { detectOneHotGroups, featureGroupMap } from '../data/oneHotGroups.ts';
import type { Dataset } from '../data/types.ts';
import { cellValue } from '../data/cellText.ts';
import type { SettingValue } from '../report/reportTypes.ts';
import { buildReportHtml } from '../report/html.ts';
import { evenlySpacedIndices } from '../report/downsample.ts';
import type {
  CalibrationBin, LeakageFinding, ReportClassifier, ReportData, ReportFeatures, ReportInput,
  ReportRegressor, ReportRun, ReportSample, ReportShap, TargetCheck,
} from '../report/reportTypes.ts';
import { SWEEP_STEPS } from '../report/sweepConfusion.ts';
import { calibrationBins, prFromSweep, rocFromSweep } from '../trainers/metrics.ts';
import { classifierTargets, meetsTarget, regressorTargets, type MetricTarget, type MetricThresholds } from '../trainers/targets.ts';
import { sweepAt, sweepGrid } from '../trainers/thresholdSweep.ts';
import type { Analysis } from './analysis.ts';
import { transformsText } from './dataSettings.ts';
import { regressionScoresShown, residualHistogram, sweepOf } from './evaluation.ts';
import { WORKBENCH_VERSION } from './version.ts';
import type { ClassifierRun, RegressorRun, Run, RunsState } from './runs.ts';
import { usedSettings } from './modelSettings.ts';
import { shapUnits } from '../trainers/trees/shapExplain.ts';
import { isTreeBundle } from '../trainers/trees/treeBundle.ts';

/** Most predicted/actual pairs a report carries for the regressor's scatter. */
export const MAX_REGRESSOR_POINTS = 2000;

/** The parts of the store a report reads; a plain object in tests. */
export interface ReportState extends RunsState {
  readonly dataset: Dataset | null;
  readonly analysis: Analysis | null;
  readonly classTarget: string;
  readonly revenueTarget: string;
  /** the regression target is money (shown in dollars); absent: true, as for the bundled file */
  readonly revenueIsMoney?: boolean;
  readonly excluded: readonly string[];
  readonly threshold: number;
  /** the user's targets; absent: the handoff's */
  readonly metricTargets?: MetricThresholds;
  /** the SHAP cells' results by cell id (the store's `shap`) */
  readonly shap?: Readonly<Record<string, ShapResultState>>;
}

/** What a report reads of one SHAP cell's result. */
export interface ShapResultState {
  readonly runId: string | null;
  readonly sample: {
    readonly explanation: { readonly rows: number; readonly expectedValue: number; readonly importance: ReadonlyArray<{ readonly group: string; readonly meanAbs: number }> };
    readonly totalTestRows: number;
    readonly seed: number;
  } | null;
}

/** The SHAP summary of `run` when a SHAP cell explained it (the first such cell), else null. */
export function shapSummaryOf(state: Pick<ReportState, 'shap' | 'revenueTarget' | 'revenueIsMoney'>, run: Run): ReportShap | null {
  const bundle = run.result.bundle;
  if (!isTreeBundle(bundle)) return null;
  for (const entry of Object.values(state.shap ?? {})) {
    const s = entry.sample;
    if (s === null || entry.runId !== run.id) continue;
    return {
      model: run.kind, runName: run.name, treeModel: bundle.model, units: shapUnits(bundle.kind, bundle.model, bundle.preprocessing.logTarget, state.revenueTarget, state.revenueIsMoney ?? false),
      rows: s.explanation.rows, totalRows: s.totalTestRows, seed: s.seed, expectedValue: s.explanation.expectedValue,
      features: s.explanation.importance.map((f) => ({ feature: f.group, meanAbs: f.meanAbs })),
    };
  }
  return null;
}

/** Options of `buildReportInput`. */
export interface ReportOptions {
  /** include the first N data rows; 0 or absent: no data rows at all */
  readonly sampleRows?: number;
  /** the report's timestamp; injected so tests pin it */
  readonly now?: Date;
  readonly title?: string;
}

/** Builds the report input from the store; throws when no data is loaded. */
export function buildReportInput(state: ReportState, options: ReportOptions = {}): ReportInput {
  const ds = state.dataset;
  if (!ds) throw new Error('no data loaded; load the bundled data or a parquet file before making a report');
  const clfRun = activeRun(state, 'classifier');
  const regRun = activeRun(state, 'regressor');
  const sampleRows = Math.max(0, Math.floor(options.sampleRows ?? 0));
  const shap = [clfRun, regRun].flatMap((run) => (run ? shapSummaryOf(state, run) ?? [] : []));
  return {
    title: options.title ?? `Models of ${[state.classTarget, state.revenueTarget].filter((t) => t !== '').join(' and ')} on ${ds.source.name}`,
    createdAt: (options.now ?? new Date()).toISOString(),
    workbenchVersion: WORKBENCH_VERSION,
    data: reportData(state, ds),
    leakage: (state.analysis?.leakage ?? []).map((f): LeakageFinding => ({
      feature: f.feature, auc: f.auc, flagged: f.flagged, reasons: [...f.reasons],
    })),
    features: reportFeatures(state, ds, clfRun ?? regRun),
    ...(clfRun ? { classifier: reportClassifier(clfRun, state.threshold, state.metricTargets ?? {}) } : {}),
    ...(regRun ? { regressor: reportRegressor(regRun, state.metricTargets ?? {}) } : {}),
    runs: state.runs.map(reportRun),
    ...(shap.length > 0 ? { shap } : {}),
    ...(sampleRows > 0 ? { sample: reportSample(ds, sampleRows) } : {}),
  };
}

/** The report of the store's current notebook as one HTML document; the MLflow exporter uploads it as an artifact. */
export function currentReportHtml(state: ReportState, options: ReportOptions = {}): string {
  return buildReportHtml(buildReportInput(state, options));
}

function activeRun(state: ReportState, kind: 'classifier'): ClassifierRun | undefined;
function activeRun(state: ReportState, kind: 'regressor'): RegressorRun | undefined;
function activeRun(state: ReportState, kind: Run['kind']): Run | undefined {
  const id = state.activeRun[kind];
  return state.runs.find((r) => r.id === id && r.kind === kind);
}

function reportData(state: ReportState, ds: Dataset): ReportData {
  const profile = state.analysis?.profile ?? null;
  const balance = profile?.classBalance;
  return {
    source: ds.source.type === 'url' ? ds.source.url : ds.source.name,
    rows: ds.rows,
    columns: ds.columns.map((c) => ({ name: c.name, type: c.arrowType, nulls: c.nullCount })),
    sha256: ds.sha256,
    classBalance: balance
      ? { negatives: balance.negatives, positives: balance.positives, rate: profile?.conversionRate ?? balance.positiveRate }
      : { negatives: 0, positives: 0, rate: Number.NaN },
    meanOrderValue: profile?.revenue?.meanOrderValue ?? Number.NaN,
    targetNames: { classTarget: state.classTarget, regressionTarget: state.revenueTarget, regressionIsMoney: state.revenueIsMoney ?? true },
  };
}

function reportFeatures(state: ReportState, ds: Dataset, run: Run | undefined): ReportFeatures {
  const flagged = new Set((state.analysis?.leakage ?? []).filter((f) => f.flagged).map((f) => f.feature));
  const excluded: Array<{ column: string; reason: string }> = [
    ...(state.classTarget === '' ? [] : [{ column: state.classTarget, reason: 'class target' }]),
    ...(state.revenueTarget === '' ? [] : [{ column: state.revenueTarget, reason: 'regression target' }]),
    ...state.excluded.map((column) => ({ column, reason: flagged.has(column) ? 'flagged as leaking; excluded' : 'excluded by the user' })),
  ];
  if (!run) {
    const left = new Set(excluded.map((e) => e.column));
    return { used: (state.analysis?.features ?? []).filter((f) => !left.has(f)), excluded };
  }
  // Columns the encoder left out on its own (identifiers, timestamps, constants) are listed with that reason.
  const groupOf = featureGroupMap(ds.columns, detectOneHotGroups(ds.columns, { exclude: [state.classTarget, state.revenueTarget] }));
  const used = new Set(run.featureGroups);
  const listed = new Set(excluded.map((e) => e.column));
  for (const c of ds.columns) {
    const feature = groupOf.get(c.name) ?? c.name;
    if (used.has(feature) || listed.has(c.name) || listed.has(feature)) continue;
    listed.add(feature);
    excluded.push({ column: feature, reason: c.kind === 'timestamp' ? 'timestamp; not a feature' : 'left out by the encoder (identifier, constant or dropped)' });
  }
  return { used: [...run.featureNames], excluded };
}

function targetsWithMet(targets: readonly MetricTarget[], metrics: Readonly<Record<string, number>>): TargetCheck[] {
  return targets.map((t) => ({ metric: t.metric, op: t.op, value: t.value, met: meetsTarget(t, metrics[t.metric] ?? Number.NaN) }));
}

/** The classifier at the slider's threshold: rates recomputed there, threshold-free metrics from the run. */
function reportClassifier(run: ClassifierRun, threshold: number, targets: Partial<MetricThresholds>): ReportClassifier {
  const r = run.result;
  const sweep = sweepOf(r);
  const at = sweepAt(sweep, threshold);
  const roc = rocFromSweep(sweep);
  const pr = prFromSweep(sweep);
  const metrics: Record<string, number> = {
    auc_roc: r.metrics.auc_roc,
    pr_auc: r.metrics.pr_auc,
    f1_score: at.f1,
    precision: at.precision,
    recall: at.recall,
    accuracy: at.accuracy,
    log_loss: r.metrics.log_loss,
    brier: r.metrics.brier,
    threshold,
  };
  const calibration: CalibrationBin[] = calibrationBins(r.yTest, r.testProba, 10)
    .filter((b) => b.count > 0)
    .map((b) => ({ meanPredicted: b.meanPredicted, fractionPositive: b.fractionPositive, count: b.count }));
  return {
    settings: usedSettings({ kind: 'classifier', config: r.config }),
    backend: r.backend,
    metrics,
    targets: targetsWithMet(classifierTargets(targets), metrics),
    roc: { fpr: roc.fpr, tpr: roc.tpr },
    pr: { precision: pr.precision, recall: pr.recall },
    sweep: sweepGrid(sweep, SWEEP_STEPS + 1),
    calibration,
    threshold,
  };
}

function reportRegressor(run: RegressorRun, targets: Partial<MetricThresholds>): ReportRegressor {
  const r = run.result;
  // Evenly spaced test rows: deterministic, and spread over the whole split rather than its head.
  const rows = evenlySpacedIndices(r.yTest.length, MAX_REGRESSOR_POINTS);
  const actual = rows.map((i) => r.yTest[i] as number);
  const predicted = rows.map((i) => r.predTest[i] as number);
  const { metrics, baseline, undefinedMetrics } = regressionScoresShown(r);
  return {
    settings: usedSettings({ kind: 'regressor', config: r.config, targetTransform: r.targetTransform }),
    backend: r.backend,
    metrics,
    baseline,
    undefinedMetrics,
    targets: targetsWithMet(regressorTargets(targets), metrics),
    points: { actual, predicted },
    residualHistogram: residualHistogram(r.yTest, r.predTest),
  };
}

function reportRun(run: Run): ReportRun {
  if (run.kind === 'classifier') {
    const m = run.result.metrics;
    return {
      id: run.id, name: run.name, kind: run.kind, backend: run.result.backend,
      metrics: { auc_roc: m.auc_roc, pr_auc: m.pr_auc, f1_score: m.f1_score, precision: m.precision, recall: m.recall, log_loss: m.log_loss, brier: m.brier, threshold: m.threshold },
      settings: { ...usedSettings({ kind: 'classifier', config: run.result.config }), ...runDataSettings(run) },
    };
  }
  const { metrics, undefinedMetrics } = regressionScoresShown(run.result);
  return {
    id: run.id, name: run.name, kind: run.kind, backend: run.result.backend, metrics, undefinedMetrics,
    settings: { ...usedSettings({ kind: 'regressor', config: run.result.config, targetTransform: run.result.targetTransform }), ...runDataSettings(run) },
  };
}

/** What a run was trained on, as report settings: source, SHA-256, targets, split, filters, exclusions, transforms, date parts. */
export function runDataSettings(run: Run): Record<string, SettingValue> {
  const d = run.data;
  const list = (xs: readonly string[]): string => (xs.length === 0 ? 'none' : xs.join('; '));
  return {
    data: d?.source ?? run.dataName, dataSha256: run.dataSha256 === '' ? 'unknown' : run.dataSha256, rows: run.rows,
    ...(d?.targets === undefined ? {} : { classTarget: d.targets.classTarget ?? 'none', regressionTarget: d.targets.regressionTarget ?? 'none' }),
    split: d?.split ?? 'random stratified', filters: list(d?.filters ?? []), excluded: list(run.excluded),
    transforms: list(transformsText(run.transforms)), dateParts: list(d?.dateParts ?? []),
  };
}

/** The first `n` rows, all columns: only when the user ticked "include a sample". */
function reportSample(ds: Dataset, n: number): ReportSample {
  const rows = Math.min(n, ds.rows);
  return {
    columns: ds.columns.map((c) => c.name),
    rows: Array.from({ length: rows }, (_, r) => ds.columns.map((c) => cellValue(c, r))),
  };
}
