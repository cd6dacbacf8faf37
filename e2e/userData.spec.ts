/** The user's own data: a time split on the full session table equals scikit-learn's AUC; a new file does not inherit the last one's settings. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { expect, test } from '@playwright/test';
import { SHARED_DATA, dataValue, openWorkbench } from './helpers.ts';

const golden = JSON.parse(fs.readFileSync(path.resolve('e2e/golden/sessions-time-split.json'), 'utf8')) as {
  auc: number; excluded: string[]; rows: Record<'fit' | 'valid' | 'test', number>; ranges: Record<'fit' | 'valid' | 'test', [string, string]>;
};

test('sessions_full: time split at 2015-01-01, month and weekday from created_at, AUC equals scikit-learn\'s on the same rows', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(path.join(SHARED_DATA, 'sessions_full.parquet'));
  await expect(page.getByTestId('data-source')).toContainText('sessions_full.parquet', { timeout: 120_000 });
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
  // a timestamp column: the default split is by time
  await expect(page.getByTestId('split-description').first()).toContainText('by time on created_at', { timeout: 60_000 });
  await page.getByTestId('split-kind').selectOption('time');
  await page.getByTestId('split-cutoff').fill('2015-01-01');
  await page.getByTestId('split-apply').click();
  await expect(page.getByTestId('split-test-from').first()).toHaveText(golden.ranges.test[0], { timeout: 60_000 });
  await page.getByTestId('datepart-created_at-month').check();
  await expect(page.getByTestId('datepart-created_at-month')).toBeChecked({ timeout: 60_000 });
  await page.getByTestId('datepart-created_at-weekday').check();
  await expect(page.getByTestId('feature-row-created_at_weekday')).toBeVisible({ timeout: 60_000 });
  // the leakage check flags what the golden script leaves out, nothing else
  await expect(page.getByTestId('exclude-leaks')).toHaveText(`Exclude ${golden.excluded.join(', ')} from the features`, { timeout: 60_000 });
  await page.getByTestId('exclude-leaks').click();
  for (const part of ['fit', 'valid', 'test'] as const) {
    await expect(page.getByTestId(`split-${part}-rows`).first()).toHaveAttribute('data-value', String(golden.rows[part]));
    await expect(page.getByTestId(`split-${part}-from`).first()).toHaveText(golden.ranges[part][0]);
    await expect(page.getByTestId(`split-${part}-to`).first()).toHaveText(golden.ranges[part][1]);
  }
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('clf-auc_roc')).toBeVisible({ timeout: 240_000 });
  // the Train cell shows both date ranges of the split it trained on
  const cell = page.getByTestId('classifier-cell');
  await expect(cell.getByTestId('split-fit-from')).toHaveText(golden.ranges.fit[0]);
  await expect(cell.getByTestId('split-test-from')).toHaveText(golden.ranges.test[0]);
  expect(Math.abs(await dataValue(page, 'clf-auc_roc') - golden.auc)).toBeLessThan(1e-4);
});

/** A small classification-only medical table the test writes. */
function medicalFile(): string {
  const n = 400;
  const age = Array.from({ length: n }, (_, i) => 20 + (i * 7) % 60);
  const smoker = Array.from({ length: n }, (_, i) => i % 3 === 0);
  const disease = age.map((a, i) => (a > 55 || (smoker[i] && i % 2 === 0)));
  const table = new arrow.Table({
    age: arrow.vectorFromArray(age, new arrow.Int32()),
    smoker: arrow.vectorFromArray(smoker, new arrow.Bool()),
    has_disease: arrow.vectorFromArray(disease, new arrow.Bool()),
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'medical-')), 'medical.parquet');
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
  return file;
}

test('a second file does not inherit the first file\'s cap; its target is proposed, revenue none, the classifier trains; a notice says what was kept', async ({ page }) => {
  test.setTimeout(180_000);
  await openWorkbench(page);
  await page.getByTestId('transform-engagement_depth').selectOption('cap');
  await expect(page.getByTestId('leakage-none')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('clf-auc_roc')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('file-input').setInputFiles(medicalFile());
  await expect(page.getByTestId('data-source')).toContainText('medical.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '400');
  await expect(page.getByTestId('class-target')).toHaveValue('has_disease');
  await expect(page.getByTestId('settings-notice')).toContainText('not carried over (no such column here): class target is_ordered; regression target revenue; cap on engagement_depth');
  await expect(page.getByTestId('features-table')).not.toContainText('engagement_depth');
  // classification only: revenue is none, the classifier trains, the regressor says why it is idle
  await expect(page.getByTestId('revenue-target')).toHaveValue('');
  await expect(page.getByTestId('validation-ok')).toBeVisible();
  await expect(page.getByTestId('title-trainClassifier')).toHaveText('Train classifier — has_disease');
  await expect(page.getByTestId('idle-trainRegressor')).toHaveText(/^Idle: the regression target is none/);
  await page.getByTestId('train-classifier').click();
  // the Runs cell keeps the two files' runs apart: one data set at a time
  await expect(page.locator('[data-testid="runs-dataset"] option')).toHaveCount(2, { timeout: 120_000 });
  expect(await dataValue(page, 'clf-auc_roc')).toBeGreaterThan(0.5);
  await expect(page.locator('[data-testid^="run-row-"]')).toHaveCount(1);
  await expect(page.getByTestId('runs-table')).toContainText('split random stratified');
  // a filter that keeps no rows is refused with one sentence; the data stays
  await page.getByTestId('filter-column').selectOption('age');
  await page.getByTestId('filter-op').selectOption('>');
  await page.getByTestId('filter-value').fill('500');
  await page.getByTestId('filter-add').click();
  await expect(page.getByTestId('data-settings-error')).toHaveText('the filters keep no rows ("age > 500" matches no row); loosen or remove a filter');
  await expect(page.getByTestId('filters-kept')).toHaveAttribute('data-value', '400');
});

/** A 442-row regression table the test writes: no label-like column, a target that is not money. */
function regressionFile(): string {
  const n = 442;
  const bmi = Array.from({ length: n }, (_, i) => 18 + ((i * 37) % 200) / 10);
  const bp = Array.from({ length: n }, (_, i) => 70 + ((i * 53) % 400) / 10);
  const progression = bmi.map((b, i) => 4 * b + 0.5 * (bp[i] ?? 0) + ((i * 97) % 60));
  const table = new arrow.Table({
    bmi: arrow.vectorFromArray(bmi, new arrow.Float64()),
    bp: arrow.vectorFromArray(bp, new arrow.Float64()),
    progression: arrow.vectorFromArray(progression, new arrow.Float64()),
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'regression-')), 'diabetes.parquet');
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
  return file;
}

test('class target none: the classifier cells are idle and say why, the regressor trains on every row; plain numbers until the target is marked as money', async ({ page }) => {
  test.setTimeout(180_000);
  await openWorkbench(page);
  // the bundled file: titles name its targets and revenue is money
  await expect(page.getByTestId('title-trainClassifier')).toHaveText('Train classifier — is_ordered');
  await expect(page.getByTestId('title-trainRegressor')).toHaveText('Train regressor — revenue');
  await expect(page.getByTestId('revenue-money')).toBeChecked();
  await page.getByTestId('file-input').setInputFiles(regressionFile());
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '442', { timeout: 60_000 });
  await expect(page.getByTestId('revenue-target')).toHaveValue('progression');
  await expect(page.getByTestId('revenue-money')).not.toBeChecked();
  await page.getByTestId('class-target').selectOption('');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  for (const kind of ['trainClassifier', 'threshold', 'curves', 'calibration', 'imbalance', 'revenueGain']) {
    await expect(page.getByTestId(`idle-${kind}`)).toHaveText(/^Idle: the class target is none, so this notebook has no classifier/);
  }
  await expect(page.getByTestId('title-trainRegressor')).toHaveText('Train regressor — progression');
  await expect(page.getByTestId('reg-strategy')).toHaveValue('direct');
  await page.getByTestId('reg-model').selectOption('linear');
  await page.getByTestId('train-regressor').click();
  await expect(page.getByTestId('reg-rmse')).toBeVisible({ timeout: 120_000 });
  const rmse = await dataValue(page, 'reg-rmse');
  expect(rmse).toBeGreaterThan(0);
  // every test row is scored (strategy direct): the split's test part
  await expect(page.getByTestId('regressor-cell')).toContainText(`${await dataValue(page, 'split-test-rows')} test rows`);
  await expect(page.getByTestId('reg-rmse')).toHaveText(rmse.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  await page.getByTestId('revenue-money').check();
  await expect(page.getByTestId('reg-rmse')).toHaveText(`$${rmse.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
});

/** A medical table the test writes: `ageType` lets a test file hold the age as text, which must be refused. */
function medicalRows(n: number, seed: number, ageAsText = false): string {
  const age = Array.from({ length: n }, (_, i) => 20 + ((i + seed) * 7) % 60);
  const smoker = Array.from({ length: n }, (_, i) => (i + seed) % 3 === 0);
  const disease = age.map((a, i) => (a > 55 || (smoker[i] === true && i % 2 === 0)));
  const table = new arrow.Table({
    age: ageAsText ? arrow.vectorFromArray(age.map(String), new arrow.Utf8()) : arrow.vectorFromArray(age, new arrow.Int32()),
    smoker: arrow.vectorFromArray(smoker, new arrow.Bool()),
    has_disease: arrow.vectorFromArray(disease, new arrow.Bool()),
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'medical-')), `medical-${n}-${ageAsText ? 'text' : 'int'}.parquet`);
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
  return file;
}

test('a separate test file: a mismatched one is refused in one sentence and nothing is lost; a matching one is the test part the classifier is scored on', async ({ page }) => {
  test.setTimeout(180_000);
  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(medicalRows(400, 0));
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '400', { timeout: 60_000 });
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('test-file-input').setInputFiles(medicalRows(100, 5, true));
  await expect(page.getByTestId('data-settings-error')).toHaveText('column "age" is text in the test file but whole numbers in the training file; save both files with the same types', { timeout: 60_000 });
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '400');
  await expect(page.getByTestId('split-description').first()).toContainText('random stratified');
  await page.getByTestId('test-file-input').setInputFiles(medicalRows(100, 5));
  await expect(page.getByTestId('test-file-name')).toHaveText('medical-100-int.parquet', { timeout: 60_000 });
  await expect(page.getByTestId('split-kind')).toHaveValue('test-file');
  await expect(page.getByTestId('split-description').first()).toContainText('test file medical-100-int.parquet (100 rows)');
  await expect(page.getByTestId('split-test-rows').first()).toHaveAttribute('data-value', '100');
  expect(await dataValue(page, 'split-fit-rows') + await dataValue(page, 'split-valid-rows')).toBe(400);
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('clf-auc_roc')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('classifier-result')).toContainText('/ 100 test rows');
});
