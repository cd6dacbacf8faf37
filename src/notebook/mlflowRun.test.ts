import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MLFLOW_LIMITS, validateLogBatch } from '../mlflow/client.ts';
import type { ModelMatrix } from '../data/types.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { confusionAt, prCurve, rocCurve } from '../trainers/metrics.ts';
import { createRng } from '../trainers/random.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG, type ClassifierConfig, type RegressorConfig } from '../trainers/types.ts';
import {
  DEFAULT_EXPERIMENT_NAMES, MAX_CURVE_POINTS, THRESHOLD_POLICY, classifierRunToExportable, fitParamValue, regressorRunToExportable,
} from './mlflowRun.ts';
import { residualHistogram } from './evaluation.ts';
import { WORKBENCH_VERSION } from './version.ts';
import type { ClassifierRun, RegressorRun, RunId } from './runs.ts';

/** Sessions with two informative features and a flag; about 1 in 8 converts, converting ones spend ~$60. */
function sessions(n: number, seed: number): { matrix: ModelMatrix; y: Float32Array; revenue: Float64Array } {
  const rng = createRng(seed);
  const cols = 3;
  const X = new Float32Array(n * cols);
  const y = new Float32Array(n);
  const revenue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng() * 2 - 1;
    const b = rng() * 2 - 1;
    const flag = rng() < 0.3 ? 1 : 0;
    X.set([a, b, flag], i * cols);
    const z = -2.5 + 2 * a - 1.5 * b + flag;
    y[i] = rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    revenue[i] = y[i] === 1 ? Math.exp(4 + 0.3 * a + 0.2 * (rng() - 0.5)) : 0;
  }
  return { matrix: { rows: n, cols, X, featureNames: ['pages', 'bounce', 'device=mobile'], featureGroups: ['pages', 'bounce', 'device'] }, y, revenue };
}

const base = {
  createdAt: '2026-01-01T00:00:00.000Z', wallMs: 1, inputsKey: 'k', excluded: ['engagement_depth'], transforms: {},
  dataSha256: 'ab'.repeat(32), dataName: 'training_data.parquet',
} as const;

let classifier: ClassifierRun;
let regressor: RegressorRun;
const clfConfig: ClassifierConfig = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', epochs: 20, resampling: 'oversample' };
const regConfig: RegressorConfig = { ...DEFAULT_REGRESSOR_CONFIG, epochs: 20 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const { matrix, y, revenue } = sessions(3000, 7);
  const clf = await trainClassifier({ tf, matrix, y, config: clfConfig, dataSha256: base.dataSha256 });
  const reg = await trainRegressor({ tf, matrix, revenue, isOrdered: y, config: regConfig, dataSha256: base.dataSha256 });
  const shared = { ...base, featureNames: matrix.featureNames, featureGroups: matrix.featureGroups, rows: matrix.rows };
  classifier = { ...shared, id: 'run-test-1' as RunId, name: 'classifier #1', kind: 'classifier', result: clf };
  regressor = { ...shared, id: 'run-test-2' as RunId, name: 'regressor #2', kind: 'regressor', result: reg };
});

/** Indices of `k` evenly spaced rows of `n`, both ends kept, computed here rather than with the exporter's helper. */
function pick(n: number, k: number): number[] {
  return k >= n ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: k }, (_, j) => Math.round((j * (n - 1)) / (k - 1)));
}

const ctx = { userAgent: 'vitest', dataUrl: 'http://127.0.0.1/data/training_data.parquet', notebookJson: '{"cells":[]}' };

describe('classifierRunToExportable', () => {
  it('names the experiment and run, and carries every hyperparameter, the data and the imbalance handling', () => {
    const out = classifierRunToExportable(classifier, ctx);
    expect(out.experimentName).toBe(DEFAULT_EXPERIMENT_NAMES.classifier);
    expect(classifierRunToExportable(classifier, { ...ctx, experimentName: 'Mine' }).experimentName).toBe('Mine');
    expect(out.workbenchRunId).toBe('run-test-1');
    expect(out.runName).toBe('logistic classifier #1');
    expect(out.params).toMatchObject({
      model_type: 'logistic', hidden_units: 'none', dropout: clfConfig.dropout, l2: clfConfig.l2, C: 1, learning_rate: clfConfig.learningRate,
      batch_size: clfConfig.batchSize, max_epochs: 20, patience: clfConfig.patience, class_weight: 'balanced', resampling: 'oversample',
      imbalance_strategy: 'class_weights+oversample', test_fraction: 0.2, validation_fraction: 0.15, seed: 42,
      backend: 'cpu', tfjs_version: tf.version.tfjs, total_samples: 3000,
      train_samples: classifier.result.counts.train, test_samples: classifier.result.counts.test, num_features: 3,
      data_source: 'training_data.parquet', data_url: ctx.dataUrl, data_sha256: base.dataSha256, excluded_features: 'engagement_depth',
      threshold_policy: THRESHOLD_POLICY, validation_threshold: classifier.result.threshold,
    });
    // negatives per positive on the (stratified) test split, counted here from its labels, to 6 significant digits
    const positives = classifier.result.yTest.reduce((a, b) => a + b, 0);
    const ratio = (classifier.result.yTest.length - positives) / positives;
    expect(positives).toBeGreaterThan(0);
    expect(out.params.class_imbalance_ratio).toBe(Number(ratio.toPrecision(6)));
    expect(classifierRunToExportable(classifier, { ...ctx, classImbalanceRatio: 13.634 }).params.class_imbalance_ratio).toBe(13.634);
    expect(out.tags).toMatchObject({
      'mlflow.runName': 'logistic classifier #1', 'mlflow.source.name': 'ml-workbench', 'workbench.version': WORKBENCH_VERSION,
      'workbench.browser': 'vitest', 'workbench.backend': 'cpu', 'workbench.threshold_source': 'validation',
    });
    expect(WORKBENCH_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(() => validateLogBatch({ params: out.params, tags: out.tags })).not.toThrow();
  });

  it('logs the metrics at the current slider threshold, and one point per epoch', () => {
    const r = classifier.result;
    const atValidation = classifierRunToExportable(classifier, ctx);
    expect(atValidation.metrics.decision_threshold).toBe(r.threshold);
    expect(atValidation.metrics.f1_score).toBe(r.metrics.f1_score);
    expect(atValidation.metrics.precision).toBe(r.metrics.precision);
    expect(atValidation.metrics.recall).toBe(r.metrics.recall);
    expect(atValidation.metrics.accuracy).toBe(r.metrics.accuracy);
    for (const key of ['auc_roc', 'pr_auc', 'log_loss', 'brier'] as const) expect(atValidation.metrics[key]).toBe(r.metrics[key]);

    const moved = classifierRunToExportable(classifier, { ...ctx, threshold: 0.7 });
    const expected = confusionAt(r.yTest, r.testProba, 0.7);
    expect(moved.metrics).toMatchObject({ decision_threshold: 0.7, f1_score: expected.f1, precision: expected.precision, recall: expected.recall });
    expect(moved.tags['workbench.threshold_source']).toBe('slider');
    // the threshold is a metric, so moving the slider leaves the params (and so the MLflow run) unchanged
    expect(moved.params).toEqual(atValidation.params);

    expect(r.history.length).toBeGreaterThan(1);
    expect(atValidation.stepMetrics.train_loss).toEqual(r.history.map((e) => e.loss));
    expect(atValidation.stepMetrics.val_loss).toEqual(r.history.map((e) => e.valLoss));
    for (const series of Object.values(atValidation.stepMetrics)) expect(series).toHaveLength(r.epochs);
  });

  it('uploads the model bundle, the curves and the notebook, and the report only when there is one', () => {
    const out = classifierRunToExportable(classifier, ctx);
    expect(out.artifacts.map((a) => a.path)).toEqual([
      'model/bundle.json', 'features.json', 'notebook.json', 'curves/roc.json', 'curves/pr.json', 'curves/calibration.json',
    ]);
    const bundle = JSON.parse(String(out.artifacts[0]?.body)) as { format: string; kind: string };
    expect(bundle).toMatchObject({ format: 'ml-workbench-bundle/1', kind: 'classifier' });
    const artifact = <T>(path: string) => JSON.parse(String(out.artifacts.find((a) => a.path === path)?.body)) as T;
    // the curves are scikit-learn's roc_curve / precision_recall_curve of the test split, at evenly spaced points
    const { yTest, testProba } = classifier.result;
    const roc = artifact<{ fpr: number[]; tpr: number[]; thresholds: number[]; auc_roc: number }>('curves/roc.json');
    const expectedRoc = rocCurve(yTest, testProba);
    expect(roc.fpr).toHaveLength(Math.min(expectedRoc.fpr.length, MAX_CURVE_POINTS));
    expect(expectedRoc.fpr.length).toBeGreaterThan(MAX_CURVE_POINTS);
    const rocRows = pick(expectedRoc.fpr.length, roc.fpr.length);
    expect(roc.fpr).toEqual(rocRows.map((i) => expectedRoc.fpr[i]));
    expect(roc.tpr).toEqual(rocRows.map((i) => expectedRoc.tpr[i]));
    expect(roc.thresholds).toEqual(rocRows.map((i) => expectedRoc.thresholds[i]));
    expect([roc.fpr[0], roc.tpr[0], roc.fpr.at(-1), roc.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    expect(roc.auc_roc).toBe(classifier.result.metrics.auc_roc);
    const pr = artifact<{ precision: number[]; recall: number[]; thresholds: Array<number | null> }>('curves/pr.json');
    const expectedPr = prCurve(yTest, testProba);
    const prRows = pick(expectedPr.precision.length, pr.precision.length);
    expect(pr.precision).toEqual(prRows.map((i) => expectedPr.precision[i]));
    expect(pr.recall).toEqual(prRows.map((i) => expectedPr.recall[i]));
    expect(pr.thresholds).toEqual(prRows.map((i) => expectedPr.thresholds[i] ?? null));
    expect([pr.recall.at(-1), pr.precision.at(-1)]).toEqual([0, 1]);
    const withReport = classifierRunToExportable(classifier, { ...ctx, reportHtml: '<!doctype html><p>report</p>' });
    expect(withReport.artifacts.find((a) => a.path === 'report.html')?.contentType).toMatch(/^text\/html/);
  });

  it('keeps every param within MLflow\'s length limit, even with thousands of excluded columns', () => {
    const many = { ...classifier, excluded: Array.from({ length: 3000 }, (_, i) => `column_number_${i}`) };
    const out = classifierRunToExportable(many, ctx);
    for (const value of Object.values(out.params)) expect(String(value).length).toBeLessThanOrEqual(MLFLOW_LIMITS.paramValueLength);
    expect(String(out.params.excluded_features)).toMatch(/more characters, see the artifacts\)$/);
    expect(fitParamValue('short')).toBe('short');
    expect(() => validateLogBatch({ params: out.params })).not.toThrow();
  });
});

describe('regressorRunToExportable', () => {
  it('carries the dollar metrics beside the baseline, every hyperparameter and one point per epoch', () => {
    const r = regressor.result;
    const out = regressorRunToExportable(regressor, ctx);
    expect(out.experimentName).toBe(DEFAULT_EXPERIMENT_NAMES.regressor);
    expect(out.runName).toBe('linear regressor #2');
    expect(out.metrics).toMatchObject({
      rmse: r.metrics.rmse, mae: r.metrics.mae, r2: r.metrics.r2, mape: r.metrics.mape,
      baseline_rmse: r.baseline.rmse, baseline_mae: r.baseline.mae, baseline_r2: r.baseline.r2, baseline_mape: r.baseline.mape,
    });
    expect(out.params).toMatchObject({
      model_type: 'linear', strategy: 'converting_only', target_transform: 'log1p', target_transform_setting: 'auto', hidden_units: 'none', ridge_alpha: 0, learning_rate: regConfig.learningRate,
      batch_size: regConfig.batchSize, max_epochs: 20, patience: regConfig.patience, test_fraction: 0.2, validation_fraction: 0.15, seed: 42,
      total_samples: 3000, train_samples: r.counts.train, test_samples: r.counts.test, num_features: 3, smearing_factor: r.smearing,
      data_sha256: base.dataSha256, tfjs_version: tf.version.tfjs, backend: 'cpu',
    });
    expect(Object.keys(out.params)).toContain('class_imbalance_ratio');
    for (const series of Object.values(out.stepMetrics)) expect(series).toHaveLength(r.history.length);
    expect(out.stepMetrics.train_loss).toHaveLength(r.epochs);
    expect(out.artifacts.map((a) => a.path)).toEqual([
      'model/bundle.json', 'features.json', 'notebook.json', 'curves/predicted_vs_actual.json', 'curves/residual_histogram.json',
    ]);
    const hist = JSON.parse(String(out.artifacts.at(-1)?.body)) as { edges: number[]; counts: number[]; below: number; above: number };
    // the same histogram as the Residuals cell and the report, every test row accounted for
    expect(hist).toEqual(JSON.parse(JSON.stringify(residualHistogram(r.yTest, r.predTest))));
    expect(hist.counts.reduce((a, b) => a + b, 0) + hist.below + hist.above).toBe(r.yTest.length);
    const scatter = JSON.parse(String(out.artifacts.at(-2)?.body)) as { testRow: number[]; actual: number[]; predicted: number[] };
    expect(scatter.actual).toEqual(scatter.testRow.map((i) => r.yTest[i]));
    expect(scatter.predicted).toEqual(scatter.testRow.map((i) => r.predTest[i]));
    expect(scatter.testRow).toEqual(pick(r.yTest.length, Math.min(2000, r.yTest.length)));
    expect(() => validateLogBatch({ params: out.params, tags: out.tags })).not.toThrow();
  });
});

describe('a constant regression target', () => {
  it('leaves R² and its baseline out of MLflow (not 0, not NaN) and tags why', async () => {
    const { matrix, y, revenue } = sessions(2000, 9);
    const constant = revenue.map((v) => (v > 0 ? 50 : 0));
    const result = await trainRegressor({ tf, matrix, revenue: constant, isOrdered: y, config: regConfig, dataSha256: base.dataSha256 });
    expect(new Set(result.yTest)).toEqual(new Set([50]));
    const run: RegressorRun = { ...regressor, result };
    const out = regressorRunToExportable(run, ctx);
    expect(Object.keys(out.metrics)).not.toContain('r2');
    expect(Object.keys(out.metrics)).not.toContain('baseline_r2');
    expect(out.metrics).toMatchObject({ rmse: result.metrics.rmse, mae: result.metrics.mae, baseline_rmse: result.baseline.rmse });
    expect(out.tags['workbench.undefined_metric.r2']).toBe('n/a — the test target is constant');
    expect(() => validateLogBatch({ params: out.params, tags: out.tags })).not.toThrow();
    // a varied target keeps R² and has no such tag
    expect(regressorRunToExportable(regressor, ctx).tags).not.toHaveProperty('workbench.undefined_metric.r2');
  });
});
