/**
 * Issue 5 end to end against real MLflow tracking servers (no mock): train in the page, export through the app's
 * /mlflow proxy and directly, read everything back through MLflow's REST API from node.
 */
import * as tf from '@tensorflow/tfjs';
import { chromium, test, expect, type Page } from '@playwright/test';
import { freePort, startMlflowServer, type MlflowServer } from '../scripts/mlflow.mjs';
import { createMlflowClient, mlflowRunId, type MlflowClient } from '../src/mlflow/client.ts';
import { WORKBENCH_RUN_ID_TAG } from '../src/mlflow/exportRun.ts';
import { loadBundle } from '../src/trainers/bundle.ts';
import { dataValue, downloadText, openWorkbench, parseCsv } from './helpers.ts';

/** The server behind the app's /mlflow proxy (scripts/static-server.mjs forwards to 127.0.0.1:5000). */
const PROXIED = (process.env.MLFLOW_TEST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 7)}`;

/** Open the app, drop the leaking column and pick the fast models on the cpu backend (so node can reproduce predictions exactly). */
async function prepare(page: Page): Promise<void> {
  await openWorkbench(page);
  await page.getByTestId('exclude-leaks').click();
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('backend-select').selectOption('cpu');
}

async function trainBoth(page: Page): Promise<void> {
  await page.getByTestId('train-both').click();
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
}

async function setExperiments(page: Page, classifier: string, regressor: string): Promise<void> {
  await page.getByTestId('mlflow-experiment-classifier').fill(classifier);
  await page.getByTestId('mlflow-experiment-regressor').fill(regressor);
}

/** Click Export and wait until it settles; returns the wall time the page measured. */
async function exportNow(page: Page, expectStatus: 'done' | 'error'): Promise<number> {
  await page.getByTestId('mlflow-export').click();
  await expect(page.getByTestId('mlflow-results')).toHaveAttribute('data-status', expectStatus, { timeout: 60_000 });
  return dataValue(page, 'mlflow-export-ms');
}

async function runIdOf(page: Page, kind: 'classifier' | 'regressor') {
  const id = await page.getByTestId(`mlflow-link-${kind}`).getAttribute('data-run-id');
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  return mlflowRunId(id ?? '');
}

async function runsTagged(client: MlflowClient, experimentName: string, workbenchRunId: string) {
  const experiment = await client.getExperimentByName(experimentName);
  if (!experiment) throw new Error(`experiment ${experimentName} is missing`);
  const { runs } = await client.searchRuns({ experimentIds: [experiment.experimentId], filter: `tags.\`${WORKBENCH_RUN_ID_TAG}\` = '${workbenchRunId}'` });
  return runs;
}

/** Rows of a "Download test predictions" CSV: data row, actual, prediction, features. */
const CLASSIFIER_PARAMS = [
  'model_type', 'hidden_units', 'dropout', 'l2', 'C', 'learning_rate', 'batch_size', 'max_epochs', 'patience', 'class_weight', 'resampling',
  'imbalance_strategy', 'test_fraction', 'validation_fraction', 'seed', 'backend', 'tfjs_version', 'total_samples', 'train_samples',
  'test_samples', 'num_features', 'class_imbalance_ratio', 'data_source', 'data_url', 'data_sha256', 'excluded_features', 'threshold_policy',
  'validation_threshold', 'epochs_trained',
];
const REGRESSOR_PARAMS = [
  'model_type', 'strategy', 'target_transform', 'target_transform_setting', 'hidden_units', 'dropout', 'ridge_alpha', 'learning_rate', 'batch_size', 'max_epochs', 'patience',
  'test_fraction', 'validation_fraction', 'seed', 'backend', 'tfjs_version', 'total_samples', 'train_samples', 'test_samples', 'num_features',
  'class_imbalance_ratio', 'data_source', 'data_url', 'data_sha256', 'excluded_features', 'smearing_factor', 'epochs_trained',
];

test('train both models, export through the /mlflow proxy, read every number back from MLflow; a second export updates the same runs', async ({ page }) => {
  const client = createMlflowClient({ baseUrl: PROXIED });
  const clfExperiment = `Conversion_Prediction_Classification_e2e_${suffix}`;
  const regExperiment = `Revenue_Prediction_Regression_e2e_${suffix}`;
  await prepare(page);
  // defaults: the same-origin proxy, the MLflow UI at its own address, the team's experiment names
  const origin = new URL(page.url()).origin;
  await expect(page.getByTestId('mlflow-tracking-uri')).toHaveValue(`${origin}/mlflow`);
  await expect(page.getByTestId('mlflow-ui-base')).toHaveValue('http://127.0.0.1:5000');
  await expect(page.getByTestId('mlflow-experiment-classifier')).toHaveValue('Conversion_Prediction_Classification');
  await expect(page.getByTestId('mlflow-experiment-regressor')).toHaveValue('Revenue_Prediction_Regression');
  await setExperiments(page, clfExperiment, regExperiment);
  await page.getByTestId('mlflow-test').click();
  await expect(page.getByTestId('mlflow-version')).toHaveText(/^\d+\.\d+\.\d+/);
  console.log('mlflow_version', await page.getByTestId('mlflow-version').textContent());

  await trainBoth(page);
  // both active runs are ticked by default
  await expect(page.locator('[data-testid^="mlflow-select-"]:checked')).toHaveCount(2);

  const clicked = Date.now();
  const pageMs = await exportNow(page, 'done');
  console.log('export_ms', Math.round(pageMs), 'click_to_done_ms', Date.now() - clicked);
  const clfRunId = await runIdOf(page, 'classifier');
  const regRunId = await runIdOf(page, 'regressor');
  const link = await page.getByTestId('mlflow-link-classifier').getAttribute('href');
  expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:5000/#/experiments/\\d+/runs/${clfRunId}$`));

  // classifier: the numbers on screen are the numbers in MLflow
  const clf = await client.getRun(clfRunId);
  expect(clf.info.status).toBe('FINISHED');
  expect(clf.metrics.f1_score).toBe(await dataValue(page, 'clf-f1_score'));
  expect(clf.metrics.f1_score).toBe(await dataValue(page, 'mlflow-preview-f1_score'));
  expect(clf.metrics.precision).toBe(await dataValue(page, 'clf-precision'));
  expect(clf.metrics.recall).toBe(await dataValue(page, 'clf-recall'));
  expect(clf.metrics.auc_roc).toBe(await dataValue(page, 'clf-auc_roc'));
  expect(clf.metrics.pr_auc).toBe(await dataValue(page, 'clf-pr_auc'));
  expect(clf.metrics.log_loss).toBe(await dataValue(page, 'clf-log_loss'));
  expect(clf.metrics.decision_threshold).toBe(await dataValue(page, 'classifier-threshold'));
  expect(clf.metrics.decision_threshold).toBe(await dataValue(page, 'mlflow-preview-threshold'));
  for (const key of ['accuracy', 'brier']) expect(Number.isFinite(clf.metrics[key])).toBe(true);
  for (const key of CLASSIFIER_PARAMS) expect(clf.params, `param ${key}`).toHaveProperty(key);
  expect(clf.params).toMatchObject({ model_type: 'logistic', backend: 'cpu', total_samples: '472871', excluded_features: 'engagement_depth', imbalance_strategy: 'class_weights' });
  expect(clf.params.data_sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(Number(clf.params.class_imbalance_ratio)).toBeCloseTo((472871 - 32313) / 32313, 3);
  expect(clf.tags).toMatchObject({ 'mlflow.source.name': 'ml-workbench', 'workbench.backend': 'cpu', 'mlflow.runName': clf.info.runName });
  expect(clf.tags['workbench.browser']).toMatch(/Chrome/);
  expect(clf.tags['workbench.version']).toMatch(/^\d+\.\d+\.\d+/);
  const epochs = Number(clf.params.epochs_trained);
  expect(epochs).toBeGreaterThan(0);
  for (const key of ['train_loss', 'val_loss']) {
    const history = await client.getMetricHistory(clfRunId, key);
    expect(history.map((p) => p.step)).toEqual(Array.from({ length: epochs }, (_, i) => i));
  }
  const clfFiles = (await client.listArtifacts(clf.info)).map((f) => f.path);
  expect(clfFiles).toEqual(expect.arrayContaining(['model', 'curves', 'notebook.json', 'features.json']));
  const curves = (await client.listArtifacts(clf.info, 'curves')).map((f) => f.path);
  expect(curves).toEqual(expect.arrayContaining(['curves/roc.json', 'curves/pr.json', 'curves/calibration.json']));
  const notebook = JSON.parse(new TextDecoder().decode(await client.downloadArtifact(clf.info, 'notebook.json'))) as { cells: Array<{ kind: string }> };
  expect(notebook.cells.map((c) => c.kind)).toContain('export');

  // regressor
  const reg = await client.getRun(regRunId);
  expect(reg.info.status).toBe('FINISHED');
  for (const key of ['rmse', 'mae', 'r2', 'mape']) {
    expect(reg.metrics[key], key).toBe(await dataValue(page, `reg-${key}`));
    expect(reg.metrics[`baseline_${key}`], `baseline_${key}`).toBe(await dataValue(page, `reg-baseline-${key}`));
  }
  for (const key of REGRESSOR_PARAMS) expect(reg.params, `param ${key}`).toHaveProperty(key);
  // the bundled revenue is never negative: auto fitted log1p, and MLflow says both
  expect([reg.params.target_transform, reg.params.target_transform_setting]).toEqual(['log1p', 'auto']);
  const regEpochs = Number(reg.params.epochs_trained);
  const regHistory = await client.getMetricHistory(regRunId, 'train_loss');
  expect(regHistory).toHaveLength(regEpochs);

  // the model bundles download from MLflow and predict in node as they did in the page
  await tf.setBackend('cpu');
  for (const [kind, runId] of [['classifier', clfRunId], ['regressor', regRunId]] as const) {
    const bundleText = new TextDecoder().decode(await client.downloadArtifact(runId, 'model/bundle.json'));
    const predictor = await loadBundle(tf, bundleText);
    const csv = parseCsv(await downloadText(page, `download-predictions-${kind}`));
    const sample = csv.rows.slice(0, 25);
    const cols = csv.header.length - 3;
    const X = Float32Array.from(sample.flatMap((r) => r.slice(3)));
    const predicted = await predictor.predict(X, sample.length);
    predictor.dispose();
    expect(cols).toBe(Number((kind === 'classifier' ? clf : reg).params.num_features));
    sample.forEach((row, i) => expect(predicted[i], `${kind} row ${row[0]}`).toBeCloseTo(row[2] ?? NaN, kind === 'classifier' ? 6 : 3));
  }

  // exporting again updates both runs instead of adding new ones
  const secondMs = await exportNow(page, 'done');
  console.log('export_again_ms', Math.round(secondMs));
  await expect(page.getByTestId('mlflow-result-classifier')).toContainText('updated the run exported before');
  expect(await runIdOf(page, 'classifier')).toBe(clfRunId);
  expect(await runIdOf(page, 'regressor')).toBe(regRunId);
  const workbenchRunId = clf.tags[WORKBENCH_RUN_ID_TAG] ?? '';
  expect(await runsTagged(client, clfExperiment, workbenchRunId)).toHaveLength(1);
  expect(await runsTagged(client, regExperiment, reg.tags[WORKBENCH_RUN_ID_TAG] ?? '')).toHaveLength(1);
  const history = await client.getMetricHistory(clfRunId, 'train_loss');
  expect(history).toHaveLength(epochs);
});

test('a stopped server gives a clear error, the app stays usable, and the export succeeds once the server is back', async ({ page }) => {
  const port = await freePort();
  let server: MlflowServer | null = null;
  try {
    await prepare(page);
    const origin = new URL(page.url()).origin;
    server = await startMlflowServer({ port, corsAllowedOrigins: origin, fresh: true });
    await page.getByTestId('mlflow-tracking-uri').fill(server.url);
    await expect(page.getByTestId('mlflow-ui-base')).toHaveValue(server.url);
    await setExperiments(page, `Conversion_restart_${suffix}`, `Revenue_restart_${suffix}`);
    await page.getByTestId('mlflow-test').click();
    await expect(page.getByTestId('mlflow-connection-ok')).toBeVisible();

    await page.getByTestId('train-regressor').click();
    await expect(page.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
    await server.stop();
    server = null;

    await exportNow(page, 'error');
    const error = page.getByTestId('mlflow-error-regressor');
    await expect(error).toHaveAttribute('data-kind', 'unreachable');
    await expect(error).toContainText('unreachable');
    await expect(error).toContainText('mlflow server');
    await expect(error).not.toContainText('CORS');
    // the app is still usable: the settings answer and training still works
    await expect(page.getByTestId('mlflow-export')).toBeEnabled();
    await page.getByTestId('mlflow-test').click();
    await expect(page.getByTestId('mlflow-connection-error')).toHaveAttribute('data-kind', 'unreachable');

    server = await startMlflowServer({ port, corsAllowedOrigins: origin });
    await exportNow(page, 'done');
    const runId = await runIdOf(page, 'regressor');
    expect(await page.getByTestId('mlflow-link-regressor').getAttribute('href')).toContain(`${server.url}/#/experiments/`);
    const run = await createMlflowClient({ baseUrl: server.url }).getRun(runId);
    expect(run.info.status).toBe('FINISHED');
    expect(run.metrics.rmse).toBe(await dataValue(page, 'reg-rmse'));
  } finally {
    await server?.stop();
  }
});

test('a direct export to a server that does not allow this origin says CORS, not "server down"', async ({ baseURL }) => {
  // MLflow always allows localhost and 127.0.0.1 origins, so the page is opened under a non-local name for the app server
  const appPort = new URL(baseURL ?? 'http://127.0.0.1:4319/').port;
  const appOrigin = `http://workbench.test:${appPort}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--host-resolver-rules=MAP workbench.test 127.0.0.1', `--unsafely-treat-insecure-origin-as-secure=${appOrigin}`],
  });
  const server = await startMlflowServer({ port: await freePort(), corsAllowedOrigins: 'http://example.invalid', fresh: true });
  try {
    const page = await (await browser.newContext({ baseURL: `${appOrigin}/` })).newPage();
    await prepare(page);
    await expect(page.getByTestId('mlflow-tracking-uri')).toHaveValue(`${appOrigin}/mlflow`);
    await page.getByTestId('mlflow-tracking-uri').fill(server.url);
    await page.getByTestId('mlflow-test').click();
    const connection = page.getByTestId('mlflow-connection-error');
    await expect(connection).toHaveAttribute('data-kind', 'cors');
    await expect(connection).toContainText(`--cors-allowed-origins ${appOrigin}`);

    await page.getByTestId('train-regressor').click();
    await expect(page.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
    await exportNow(page, 'error');
    const error = page.getByTestId('mlflow-error-regressor');
    await expect(error).toHaveAttribute('data-kind', 'cors');
    await expect(error).toContainText('CORS');
    await expect(error).not.toContainText('unreachable');
    // the proxy is the fix the message names, and it works
    await page.getByTestId('mlflow-use-proxy').click();
    await setExperiments(page, `Conversion_cors_${suffix}`, `Revenue_cors_${suffix}`);
    await exportNow(page, 'done');
    const run = await createMlflowClient({ baseUrl: PROXIED }).getRun(await runIdOf(page, 'regressor'));
    expect(run.info.status).toBe('FINISHED');
  } finally {
    await server.stop();
    await browser.close();
  }
});
