/**
 * What a workbench run carries to MLflow: a pure mapping from the store's runs to `ExportableRun`, shared by the
 * Export cell and the headless pipeline (it imports only types from the store, so it runs in node too).
 */
import { MLFLOW_LIMITS, type MlflowParamValue } from '../mlflow/client.ts';
import type { ExportableRun } from '../mlflow/exportRun.ts';
import { serializeBundle } from '../trainers/bundle.ts';
import { evenlySpacedIndices } from '../report/downsample.ts';
import type { ReportShap } from '../report/reportTypes.ts';
import { calibrationBins, prFromSweep, rocFromSweep } from '../trainers/metrics.ts';
import { sweepAt } from '../trainers/thresholdSweep.ts';
import type { ClassifierConfig, EpochLog } from '../trainers/types.ts';
import { settingsParams } from './modelSettings.ts';
import type { ClassifierRun, RegressorRun, Run } from './runs.ts';
import { transformsText } from './dataSettings.ts';
import { regressionScoresShown, residualHistogram, sweepOf } from './evaluation.ts';
import { WORKBENCH_VERSION } from './version.ts';
import { classifierTargets, regressorTargets, targetTags, type MetricThresholds } from '../trainers/targets.ts';

/** The experiments the user's Python scripts log to; editable in the Export cell. */
export const DEFAULT_EXPERIMENT_NAMES = {
  classifier: 'Conversion_Prediction_Classification',
  regressor: 'Revenue_Prediction_Regression',
} as const;

/** `mlflow.source.name` of every exported run. */
export const MLFLOW_SOURCE_NAME = 'ml-workbench';

/**
 * How `decision_threshold` is chosen: the validation split's best-F1 threshold, then wherever the user moves the
 * slider; precision, recall, f1_score and accuracy are logged at that threshold. A param, so it never changes.
 */
export const THRESHOLD_POLICY = 'max_f1_on_validation_then_slider';

/** The policy of a run: a tree classifier with threshold folds chose on out-of-fold scores of the training rows. */
export function thresholdPolicy(c: ClassifierConfig): string {
  return (c.model === 'gbdt' || c.model === 'rf') && c.thresholdFolds >= 2 ? `max_f1_on_${c.thresholdFolds}fold_out_of_fold_then_slider` : THRESHOLD_POLICY;
}

/** Points kept per exported curve (evenly spaced, both ends kept), so the artifacts stay small whatever the test size. */
export const MAX_CURVE_POINTS = 501;
/** Test rows kept in the predicted-vs-actual artifact. */
const SCATTER_SAMPLE = 2000;

/** Everything about the session a run alone does not know. */
export interface MlflowRunContext {
  /** The MLflow experiment to log into; default per model kind in `DEFAULT_EXPERIMENT_NAMES`. */
  experimentName?: string;
  /** The Threshold slider's current value (classifier only); default the run's validation threshold. */
  threshold?: number;
  /** `navigator.userAgent` in the page, e.g. `node v22 (pipeline)` from the CLI. */
  userAgent: string;
  /** Default `WORKBENCH_VERSION`. */
  workbenchVersion?: string;
  /** The data's URL when it was loaded from one (bundled or a URL); absent for a local file. */
  dataUrl?: string;
  /** negatives / positives over the whole data; default the same ratio on the (stratified) test split. */
  classImbalanceRatio?: number;
  /** The notebook as JSON (`serializeNotebookDoc`), logged as `notebook.json`. */
  notebookJson?: string;
  /** The shareable report, logged as `report.html` when present. */
  reportHtml?: string;
  /** The SHAP cell's summary of this run (a tree model), logged as `shap_summary.json` when present. */
  shapSummary?: ReportShap;
  /** The user's targets, logged as tags `target.<metric>` = `>0.4`; default the handoff's. */
  targets?: Partial<MetricThresholds>;
}

type Params = Record<string, MlflowParamValue>;

/** Fit a param value within MLflow's limit: a long list keeps its head and says how many were left out. */
export function fitParamValue(text: string, limit: number = MLFLOW_LIMITS.paramValueLength): string {
  if (text.length <= limit) return text;
  const note = (n: number) => `… (+${n} more characters, see the artifacts)`;
  const head = text.slice(0, limit - note(text.length).length);
  return `${head}${note(text.length - head.length)}`;
}

function listParam(values: readonly string[]): string {
  return fitParamValue(values.length === 0 ? 'none' : values.join(','));
}

/** One name for the imbalance handling, as the user's scripts log it (e.g. `class_weights+smote`). */
export function imbalanceStrategy(c: ClassifierConfig): string {
  const parts = [
    ...(c.classWeight === 'none' ? [] : ['class_weights']),
    ...(c.resampling === 'none' ? [] : [c.resampling]),
  ];
  return parts.length === 0 ? 'none' : parts.join('+');
}

/** Params every run shares: data provenance, shapes, software. */
function commonParams(run: Run, ctx: MlflowRunContext, imbalanceRatio: number): Params {
  const result = run.result;
  return {
    backend: result.backend,
    tfjs_version: result.tfjsVersion,
    total_samples: run.rows,
    train_samples: result.counts.train,
    validation_samples: result.counts.valid,
    test_samples: result.counts.test,
    num_features: run.featureNames.length,
    num_feature_groups: new Set(run.featureGroups).size,
    class_imbalance_ratio: roundForParam(imbalanceRatio),
    data_source: fitParamValue(run.dataName),
    data_url: fitParamValue(ctx.dataUrl ?? 'none (local file)'),
    data_sha256: run.dataSha256 === '' ? 'unknown' : run.dataSha256,
    excluded_features: listParam(run.excluded),
    feature_transforms: fitParamValue(Object.keys(run.transforms).length === 0 ? 'none' : JSON.stringify(run.transforms)),
    ...dataParams(run),
    epochs_trained: result.epochs,
    converged: result.converged,
  };
}

/** What the run was trained on beyond the file: the split (kind, column, cutoff), row filters, transforms and date parts in words. */
function dataParams(run: Run): Params {
  const d = run.data;
  if (d === undefined) return {};
  const list = (xs: readonly string[]): string => fitParamValue(xs.length === 0 ? 'none' : xs.join('; '));
  return {
    data_split: fitParamValue(d.split),
    split_kind: d.splitDetail?.kind ?? 'random',
    split_column: d.splitDetail?.column ?? 'none',
    split_cutoff: d.splitDetail?.cutoff ?? 'none',
    data_rows_used: run.rows,
    row_filters: list(d.filters),
    data_transforms: list(transformsText(run.transforms)),
    date_parts: list(d.dateParts),
    // which columns were predicted: a run on another file's `churned` must not read as the bundled `is_ordered`
    ...(d.targets === undefined ? {} : { class_target: fitParamValue(d.targets.classTarget ?? 'none'), regression_target: fitParamValue(d.targets.regressionTarget ?? 'none') }),
  };
}

// A param is text that never changes; 6 significant digits keep it readable and stable across exports.
function roundForParam(v: number): number | string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : String(v);
}

function commonTags(run: Run, ctx: MlflowRunContext, runName: string): Record<string, string> {
  return {
    'mlflow.runName': runName,
    'mlflow.source.name': MLFLOW_SOURCE_NAME,
    'mlflow.source.type': 'LOCAL',
    'workbench.version': ctx.workbenchVersion ?? WORKBENCH_VERSION,
    'workbench.browser': ctx.userAgent.slice(0, MLFLOW_LIMITS.tagValueLength),
    'workbench.backend': run.result.backend,
    ...(run.result.mlpPath ? { 'workbench.mlp_path': run.result.mlpPath } : {}),
    'workbench.model_kind': run.kind,
    'workbench.run_name': run.name,
    'workbench.created_at': run.createdAt,
    ...targetTags(run.kind === 'classifier' ? classifierTargets(ctx.targets ?? {}) : regressorTargets(ctx.targets ?? {})),
  };
}

/** One point per epoch (or Newton iteration): `train_loss`, `val_loss`, and the validation score when logged. */
function epochSeries(history: readonly EpochLog[]): Record<string, number[]> {
  const series: Record<string, number[]> = {
    train_loss: history.map((e) => e.loss),
    val_loss: history.map((e) => e.valLoss),
  };
  if (history.length > 0 && history.every((e) => e.valAuc !== undefined)) series.val_auc = history.map((e) => e.valAuc ?? NaN);
  if (history.length > 0 && history.every((e) => e.valRmse !== undefined)) series.val_rmse = history.map((e) => e.valRmse ?? NaN);
  return series;
}

const json = (value: unknown) => `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;

function sharedArtifacts(run: Run, ctx: MlflowRunContext): ExportableRun['artifacts'] {
  return [
    { path: 'model/bundle.json', body: serializeBundle(run.result.bundle), contentType: 'application/json' },
    {
      path: 'features.json',
      body: json({ featureNames: run.featureNames, featureGroups: run.featureGroups, excluded: run.excluded, transforms: run.transforms }),
      contentType: 'application/json',
    },
    ...(ctx.notebookJson === undefined ? [] : [{ path: 'notebook.json', body: ctx.notebookJson, contentType: 'application/json' }]),
    ...(ctx.reportHtml === undefined ? [] : [{ path: 'report.html', body: ctx.reportHtml, contentType: 'text/html; charset=utf-8' }]),
    ...(ctx.shapSummary === undefined ? [] : [{ path: 'shap_summary.json', body: json(ctx.shapSummary), contentType: 'application/json' }]),
  ];
}

/** Map a classifier run to what MLflow gets; the threshold metrics are those at the slider's current threshold. */
export function classifierRunToExportable(run: ClassifierRun, ctx: MlflowRunContext): ExportableRun {
  const r = run.result;
  const c = r.config;
  const threshold = ctx.threshold ?? r.threshold;
  const sweep = sweepOf(r);
  const at = sweepAt(sweep, threshold);
  const testRatio = r.counts.positivesTest > 0 ? (r.counts.test - r.counts.positivesTest) / r.counts.positivesTest : NaN;
  const runName = `${c.model} ${run.name}`;

  // scikit-learn's roc_curve and precision_recall_curve of the test split, thinned to evenly spaced points.
  const rocAll = rocFromSweep(sweep);
  const rocKeep = evenlySpacedIndices(rocAll.fpr.length, MAX_CURVE_POINTS);
  const roc = {
    thresholds: rocKeep.map((i) => rocAll.thresholds[i] as number),
    fpr: rocKeep.map((i) => rocAll.fpr[i] as number),
    tpr: rocKeep.map((i) => rocAll.tpr[i] as number),
    auc_roc: r.metrics.auc_roc,
  };
  const prAll = prFromSweep(sweep);
  const prKeep = evenlySpacedIndices(prAll.precision.length, MAX_CURVE_POINTS);
  const pr = {
    // the last point (recall 0, precision 1) has no threshold, as in scikit-learn: null there
    thresholds: prKeep.map((i) => prAll.thresholds[i] ?? null),
    precision: prKeep.map((i) => prAll.precision[i] as number),
    recall: prKeep.map((i) => prAll.recall[i] as number),
    pr_auc: r.metrics.pr_auc,
  };
  const calibration = { bins: calibrationBins(r.yTest, r.testProba, 10), brier: r.metrics.brier };

  return {
    workbenchRunId: run.id,
    experimentName: ctx.experimentName ?? DEFAULT_EXPERIMENT_NAMES.classifier,
    runName,
    params: {
      ...settingsParams({ kind: 'classifier', config: c }),
      imbalance_strategy: imbalanceStrategy(c),
      ...commonParams(run, ctx, ctx.classImbalanceRatio ?? testRatio),
      positives_train: r.counts.positivesTrain,
      resampled_rows: r.counts.resampled,
      threshold_policy: thresholdPolicy(c),
      validation_threshold: r.threshold,
    },
    metrics: {
      f1_score: at.f1,
      precision: at.precision,
      recall: at.recall,
      accuracy: at.accuracy,
      decision_threshold: threshold,
      auc_roc: r.metrics.auc_roc,
      pr_auc: r.metrics.pr_auc,
      log_loss: r.metrics.log_loss,
      brier: r.metrics.brier,
      oracle_f1: r.metrics.oracle_f1,
      train_ms: r.trainMs,
    },
    stepMetrics: epochSeries(r.history),
    tags: { ...commonTags(run, ctx, runName), 'workbench.threshold_source': threshold === r.threshold ? 'validation' : 'slider' },
    artifacts: [
      ...sharedArtifacts(run, ctx),
      { path: 'curves/roc.json', body: json(roc), contentType: 'application/json' },
      { path: 'curves/pr.json', body: json(pr), contentType: 'application/json' },
      { path: 'curves/calibration.json', body: json(calibration), contentType: 'application/json' },
    ],
  };
}

/** Map a regressor run to what MLflow gets: dollar metrics beside the mean baseline's. */
export function regressorRunToExportable(run: RegressorRun, ctx: MlflowRunContext): ExportableRun {
  const r = run.result;
  const c = r.config;
  const runName = `${c.model} ${run.name}`;
  const shown = regressionScoresShown(r);
  const sample = evenlySpacedIndices(r.yTest.length, SCATTER_SAMPLE);
  const scatter = {
    note: `${sample.length} of ${r.yTest.length} test rows, evenly spaced`,
    testRow: sample,
    actual: sample.map((i) => r.yTest[i] ?? NaN),
    predicted: sample.map((i) => r.predTest[i] ?? NaN),
  };
  return {
    workbenchRunId: run.id,
    experimentName: ctx.experimentName ?? DEFAULT_EXPERIMENT_NAMES.regressor,
    runName,
    params: {
      ...settingsParams({ kind: 'regressor', config: c, targetTransform: r.targetTransform }),
      ...commonParams(run, ctx, ctx.classImbalanceRatio ?? NaN),
      smearing_factor: r.smearing,
    },
    // a metric without a meaning here (R² of a constant target) is left out, not logged as 0 or NaN; a tag says why
    metrics: {
      ...shown.metrics,
      ...Object.fromEntries(Object.entries(shown.baseline).map(([k, v]) => [`baseline_${k}`, v])),
      train_ms: r.trainMs,
    },
    stepMetrics: epochSeries(r.history),
    tags: {
      ...commonTags(run, ctx, runName),
      ...Object.fromEntries(Object.entries(shown.undefinedMetrics).map(([k, why]) => [`workbench.undefined_metric.${k}`, why])),
    },
    artifacts: [
      ...sharedArtifacts(run, ctx),
      { path: 'curves/predicted_vs_actual.json', body: json(scatter), contentType: 'application/json' },
      { path: 'curves/residual_histogram.json', body: json(residualHistogram(r.yTest, r.predTest)), contentType: 'application/json' },
    ],
  };
}

/** Either mapping, by the run's kind. */
export function runToExportable(run: Run, ctx: MlflowRunContext): ExportableRun {
  return run.kind === 'classifier' ? classifierRunToExportable(run, ctx) : regressorRunToExportable(run, ctx);
}
