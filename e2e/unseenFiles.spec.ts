/**
 * A few of the files a data scientist brings (test/unseenFiles.ts, the family the pipeline test runs in full), opened
 * one after the other in the built app: each trains or says in one sentence what to do, and the page stays usable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { dataValue, downloadText, openWorkbench } from './helpers.ts';
import { lineRmse, randomTestPart, rankAuc, unseenFiles, type UnseenFile } from '../test/unseenFiles.ts';
import { datasetFromParquet } from '../test/datasetFixture.ts';
import { filterRows } from '../src/data/rowFilter.ts';
import { planSplit } from '../src/trainers/splitPlan.ts';
import { DEFAULT_REGRESSOR_CONFIG } from '../src/trainers/types.ts';
import { createMlflowClient, mlflowRunId } from '../src/mlflow/client.ts';

const PROXIED = (process.env.MLFLOW_TEST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-unseen-'));
const files = unseenFiles();
const file = (name: string): { path: string; f: UnseenFile } => {
  const f = files.find((x) => x.name === name)!;
  const p = path.join(dir, name);
  fs.writeFileSync(p, f.bytes);
  return { path: p, f };
};

test('unseen files in a row: too few rows is one sentence; a null target is filtered out; a yes/no target, one feature, decimal and float16 columns train; the page stays usable', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);

  // 5 rows: one sentence naming the target and what to do; nothing to train
  await page.getByTestId('file-input').setInputFiles(file('five_rows.parquet').path);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '5', { timeout: 60_000 });
  await expect(page.getByTestId('validation-issues')).toContainText(
    '5 rows are too few to train and test a classifier: bought = 0 on 3 and = 1 on 2 rows, and at least 10 of each are needed; load a larger file', { timeout: 60_000 });
  await expect(page.getByTestId('train-classifier')).toBeDisabled();

  // a target with nulls: one sentence naming it; a row filter "outcome not null" drops those rows and it trains
  await page.getByTestId('file-input').setInputFiles(file('target_with_nulls.parquet').path);
  await expect(page.getByTestId('data-source')).toContainText('target_with_nulls.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('validation-issues')).toContainText('column "outcome" has 8 null rows; drop or fill them before training', { timeout: 60_000 });
  await page.getByTestId('filter-column').selectOption('outcome');
  await page.getByTestId('filter-op').selectOption('not null');
  await page.getByTestId('filter-add').click();
  await expect(page.getByTestId('filters-kept')).toHaveAttribute('data-value', '392');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('train-classifier')).toBeEnabled();

  // a yes/no target named subscribed is proposed; no revenue column: regression none; the classifier trains
  await page.getByTestId('file-input').setInputFiles(file('yes_no_target.parquet').path);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '400', { timeout: 60_000 });
  await expect(page.getByTestId('class-target')).toHaveValue('subscribed');
  await expect(page.getByTestId('revenue-target')).toHaveValue('');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  const auc = await dataValue(page, 'clf-auc_roc');
  expect(auc).toBeGreaterThan(0.6);
  expect(auc).toBeLessThanOrEqual(1);

  // one feature and logistic regression: the AUC on screen is the feature's own AUC on the test rows
  const single = file('single_feature.parquet');
  await page.getByTestId('file-input').setInputFiles(single.path);
  await expect(page.getByTestId('data-source')).toContainText('single_feature.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('class-target')).toHaveValue('label');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  // the previous file's run is shown as stale until this file's run arrives
  await expect(page.getByTestId('classifier-cell')).toHaveAttribute('data-stale', 'false', { timeout: 150_000 });
  await expect(page.getByTestId('classifier-result')).toContainText('iterations', { timeout: 150_000 });
  const { ds, rows, y } = randomTestPart(single.f);
  const only = ds.columns.find((c) => c.name === 'only')!;
  if (only.kind !== 'numeric') throw new Error('unexpected fixture');
  const expected = rankAuc(Float64Array.from(rows, (r) => only.values[r]!), y);
  await expect.poll(() => dataValue(page, 'clf-auc_roc'), { timeout: 30_000 }).toBeCloseTo(expected, 9);

  // decimal (price) and float16 (half) columns are features; a list column is named as skipped
  await page.getByTestId('file-input').setInputFiles(file('odd_types.parquet').path);
  await expect(page.getByTestId('data-source')).toContainText('odd_types.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('data-notes')).toContainText('column "tags" is List<');
  await expect(page.getByTestId('features-table')).toContainText('price');
  await expect(page.getByTestId('features-table')).toContainText('half');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-cell')).toHaveAttribute('data-stale', 'false', { timeout: 150_000 });
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  expect(await dataValue(page, 'clf-auc_roc')).toBeGreaterThan(0.6);
  await expect(page.locator('.error-boundary')).toHaveCount(0);
});

test('a regression target with negative values: a warning (not a refusal) names the count, auto fits the raw scale, the RMSE is the least-squares line\'s and MAPE is n/a', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);
  const negative = file('negative_revenue.parquet');
  const { ds, rows: testRows } = randomTestPart(negative.f);
  const column = (name: string): ArrayLike<number> => {
    const c = ds.columns.find((k) => k.name === name);
    if (c?.kind !== 'numeric') throw new Error(`no numeric column ${name}`);
    return c.values;
  };
  const revenue = column('revenue');
  const negatives = Array.from(revenue).filter((v) => v < 0).length;

  await page.getByTestId('file-input').setInputFiles(negative.path);
  await expect(page.getByTestId('data-source')).toContainText('negative_revenue.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('class-target')).toHaveValue('is_ordered');
  await expect(page.getByTestId('revenue-target')).toHaveValue('revenue');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('validation-warning')).toHaveText(`column "revenue" has ${negatives} negative values (lowest -15): MAPE is n/a where the test target crosses 0`);
  const regressor = page.getByTestId('regressor-cell');
  await expect(regressor.getByTestId('reg-target-transform-line')).toHaveText(
    `Target transform: auto: fits revenue on its raw scale, since revenue has ${negatives} negative values (lowest -15) and log1p needs values ≥ 0.`);

  await regressor.getByTestId('reg-model').selectOption('linear');
  await regressor.getByTestId('train-regressor').click();
  await expect(regressor).toHaveAttribute('data-stale', 'false', { timeout: 150_000 });
  await expect(regressor.getByTestId('regressor-target-transform')).toHaveAttribute('data-value', 'none', { timeout: 150_000 });
  await expect(regressor.getByTestId('regressor-target-transform')).toHaveText('raw revenue (auto)');
  // converting_only: the line of revenue on pages over the ordered training rows, scored on the ordered test rows
  const ordered = column('is_ordered');
  const isTest = new Set(testRows);
  const rows = Array.from({ length: ds.rows }, (_, i) => i).filter((i) => ordered[i] === 1);
  const expected = lineRmse(column('pages'), revenue, rows.filter((i) => !isTest.has(i)), rows.filter((i) => isTest.has(i)));
  expect(Math.abs(await dataValue(page, 'reg-rmse') - expected) / expected).toBeLessThan(1e-5);
  await expect(regressor.getByTestId('reg-mape')).toHaveText('n/a — the test target crosses 0, where percentage errors have no bound');
  await expect(regressor.getByTestId('reg-mape-status')).toHaveText('cannot be judged');

  // log1p asked of it: the cell says why it is refused, and training says so in one sentence
  await regressor.getByTestId('reg-target-transform').selectOption('log1p');
  await expect(regressor.getByTestId('reg-target-transform-line')).toContainText(`log1p is refused: revenue has ${negatives} negative values (lowest -15)`);
  await regressor.getByTestId('train-regressor').click();
  await expect(regressor).toContainText(`target transform log1p needs values ≥ 0, but the target has ${negatives} negative values (lowest -15)`, { timeout: 150_000 });
  await expect(page.locator('.error-boundary')).toHaveCount(0);
});

test('a 3-class target is refused naming its classes; a regression target with nulls trains once its null rows are filtered out, with the least-squares line\'s RMSE; an empty column is left out; the bundled data opens after', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);

  // three classes: no class target is proposed (never a silent binary); picking it says how many, which, and what to do
  await page.getByTestId('file-input').setInputFiles(file('three_class_target.parquet').path);
  await expect(page.getByTestId('data-source')).toContainText('three_class_target.parquet', { timeout: 60_000 });
  await page.getByTestId('class-target').selectOption('segment');
  await expect(page.getByTestId('validation-issues')).toContainText(
    'column "segment" holds 3 values ("bronze", "gold", "silver") and the models here are two-class: to predict one class against the rest, derive a 0/1 column before loading (1 = that class)',
    { timeout: 60_000 });
  await expect(page.getByTestId('train-classifier')).toBeDisabled();

  // a regression target with 10 nulls: refused naming the rows and the filter; with the filter it trains on 390 rows
  const nan = file('regression_target_nan.parquet');
  await page.getByTestId('file-input').setInputFiles(nan.path);
  await expect(page.getByTestId('data-source')).toContainText('regression_target_nan.parquet', { timeout: 60_000 });
  await page.getByTestId('class-target').selectOption('');
  await expect(page.getByTestId('revenue-target')).toHaveValue('price');
  await expect(page.getByTestId('validation-issues')).toContainText(
    'regression target "price" is null on 10 rows (rows 3, 43, 83, …, counting from 0); drop those rows (row filter "price not null" in the Features cell) or fill them before training',
    { timeout: 60_000 });
  await page.getByTestId('filter-column').selectOption('price');
  await page.getByTestId('filter-op').selectOption('not null');
  await page.getByTestId('filter-add').click();
  await expect(page.getByTestId('filters-kept')).toHaveAttribute('data-value', '390');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  const regressor = page.getByTestId('regressor-cell');
  await regressor.getByTestId('reg-model').selectOption('linear');
  await regressor.getByTestId('reg-target-transform').selectOption('none');
  await regressor.getByTestId('train-regressor').click();
  await expect(regressor).toHaveAttribute('data-stale', 'false', { timeout: 150_000 });
  await expect(regressor.getByTestId('reg-rmse')).toBeVisible({ timeout: 150_000 });
  // the kept rows, split as a regression-only notebook splits them (no classes), and the line of price on rooms
  const { dataset: kept } = filterRows(datasetFromParquet(nan.f.bytes, nan.f.name), [{ column: 'price', op: 'not null', value: '' }], { classTarget: null });
  const plan = planSplit(kept, { kind: 'random' }, null, DEFAULT_REGRESSOR_CONFIG);
  const column = (name: string): ArrayLike<number> => {
    const c = kept.columns.find((k) => k.name === name);
    if (c?.kind !== 'numeric') throw new Error(`no numeric column ${name}`);
    return c.values;
  };
  const isTest = new Set(plan.test);
  const all = Array.from({ length: kept.rows }, (_, i) => i);
  const expected = lineRmse(column('rooms'), column('price'), all.filter((i) => !isTest.has(i)), plan.test);
  expect(Math.abs(await dataValue(page, 'reg-rmse') - expected) / expected).toBeLessThan(1e-5);

  // an all-null column no longer blocks: it is left out and named beside the model matrix
  await page.getByTestId('file-input').setInputFiles(file('all_null_feature.parquet').path);
  await expect(page.getByTestId('data-source')).toContainText('all_null_feature.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('class-target')).toHaveValue('label');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('features-summary')).toContainText('column "empty" is entirely null; left out', { timeout: 60_000 });
  await expect(page.getByTestId('features-summary')).toContainText('column "empty_text" is entirely null; left out');
  // its row in the table says so too, beside the ticked "use" box
  await expect(page.getByTestId('feature-left-out-empty')).toHaveText('(left out: all null)');
  await expect(page.getByTestId('train-classifier')).toBeEnabled();

  // a file with no rows: one sentence, and the file already loaded stays
  await page.getByTestId('file-input').setInputFiles(file('zero_rows.parquet').path);
  await expect(page.getByTestId('load-error')).toContainText('"zero_rows.parquet" holds no rows; pick a file with data', { timeout: 60_000 });
  await expect(page.getByTestId('data-source')).toContainText('all_null_feature.parquet');
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '400');

  // after the refusals the app is whole: the bundled data opens and validates
  await page.getByTestId('load-bundled').click();
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  await expect(page.locator('.error-boundary')).toHaveCount(0);
});

test('column names with spaces, dots, accents and symbols: both models, SHAP, the report and an MLflow export keep every name', async ({ page }) => {
  test.setTimeout(400_000);
  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(file('unicode_names.parquet').path);
  await expect(page.getByTestId('data-source')).toContainText('unicode_names.parquet', { timeout: 60_000 });
  await page.getByTestId('class-target').selectOption('achat effectué');
  await page.getByTestId('revenue-target').selectOption('値段 (€)');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('features-table')).toContainText('ville ☀');
  await expect(page.getByTestId('features-table')).toContainText('user.age');

  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-cell')).toHaveAttribute('data-stale', 'false', { timeout: 150_000 });
  await expect(page.getByTestId('clf-auc_roc')).toBeVisible({ timeout: 150_000 });
  const regressor = page.getByTestId('regressor-cell');
  await regressor.getByTestId('train-regressor').click();
  await expect(regressor).toHaveAttribute('data-stale', 'false', { timeout: 150_000 });
  await expect(regressor.getByTestId('reg-rmse')).toBeVisible({ timeout: 150_000 });
  const auc = await dataValue(page, 'clf-auc_roc');
  const rmse = await dataValue(page, 'reg-rmse');
  expect(Number.isFinite(rmse)).toBe(true);

  // SHAP of the tree classifier: every feature by its own name (one-hot levels summed under "ville ☀"), additive
  const shap = page.getByTestId('shap-cell');
  await shap.getByTestId('shap-run').click();
  await expect(shap).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  const features = await shap.getByTestId('shap-feature').evaluateAll((els) => els.map((e) => e.getAttribute('data-feature') ?? ''));
  expect([...features].sort()).toEqual(['pages vues', 'user.age', 'ville ☀']);
  expect(Number(await shap.getByTestId('shap-additivity').getAttribute('data-value'))).toBeLessThan(1e-6);

  // the report names the targets and each run's targets in its settings line
  const html = await downloadText(page, 'download-report');
  expect(html).toContain('Models of achat effectué and 値段 (€) on unicode_names.parquet');
  expect(html).toContain('classTarget=achat effectué');
  expect(html).toContain('ville ☀');

  // MLflow: both runs say what they predicted, and the AUC logged is the one on screen
  const experiment = `Unicode_e2e_${process.pid}_${Date.now().toString(36)}`;
  await page.getByTestId('mlflow-experiment-classifier').fill(`${experiment}_clf`);
  await page.getByTestId('mlflow-experiment-regressor').fill(`${experiment}_reg`);
  await page.getByTestId('mlflow-export').click();
  await expect(page.getByTestId('mlflow-results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const client = createMlflowClient({ baseUrl: PROXIED });
  const clf = await client.getRun(mlflowRunId(await page.getByTestId('mlflow-link-classifier').getAttribute('data-run-id') ?? ''));
  const reg = await client.getRun(mlflowRunId(await page.getByTestId('mlflow-link-regressor').getAttribute('data-run-id') ?? ''));
  for (const run of [clf, reg]) {
    expect(run.info.status).toBe('FINISHED');
    expect(run.params).toMatchObject({ class_target: 'achat effectué', regression_target: '値段 (€)', data_source: 'unicode_names.parquet' });
  }
  expect(clf.metrics['auc_roc']).toBeCloseTo(auc, 9);
  expect(reg.metrics['rmse']).toBeCloseTo(rmse, 6);
  await expect(page.locator('.error-boundary')).toHaveCount(0);
});
