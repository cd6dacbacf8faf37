/** The user's targets are theirs: editing one changes the check on screen, in the report and in MLflow's tags (a real server). */
import { expect, test } from '@playwright/test';
import { createMlflowClient, mlflowRunId } from '../src/mlflow/client.ts';
import { dataValue, downloadText, openWorkbench } from './helpers.ts';

const PROXIED = (process.env.MLFLOW_TEST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');

test('edit the F1 target: the Train cell, the report and the MLflow tags all check the new value', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);
  await page.getByTestId('exclude-leaks').click();
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('clf-f1_score')).toBeVisible({ timeout: 200_000 });
  const f1 = await dataValue(page, 'clf-f1_score');
  // the handoff's target, F1 > 0.40, is not met without the leak
  await expect(page.getByTestId('target-f1_score')).toHaveValue('0.4');
  await expect(page.getByTestId('clf-f1_score-status')).toHaveText('not met');
  const target = Math.floor(f1 * 100) / 100;
  await page.getByTestId('target-f1_score').fill(String(target));
  await expect(page.getByTestId('clf-f1_score-status')).toHaveText('met');
  await expect(page.getByTestId('clf-metrics')).toContainText(`> ${target.toFixed(3)}`);

  // the report checks the same target
  const html = await downloadText(page, 'download-report');
  const row = /<tr data-metric="f1_score">(.*?)<\/tr>/s.exec(html)?.[1] ?? '';
  expect(row).toContain(`&gt; ${target.toFixed(3)}`);
  expect(row).toContain('badge ok">met');

  // MLflow carries every target as a tag, the edited one with its new value
  const experiment = `Targets_e2e_${process.pid}_${Date.now().toString(36)}`;
  await page.getByTestId('mlflow-experiment-classifier').fill(experiment);
  await page.getByTestId('mlflow-export').click();
  await expect(page.getByTestId('mlflow-results')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  const id = await page.getByTestId('mlflow-link-classifier').getAttribute('data-run-id');
  const run = await createMlflowClient({ baseUrl: PROXIED }).getRun(mlflowRunId(id ?? ''));
  expect(run.tags['target.f1_score']).toBe(`>${target}`);
  expect(run.tags['target.auc_roc']).toBe('>0.75');
  expect(run.tags['target.precision']).toBe('>0.3');
  expect(run.tags['target.recall']).toBe('>0.5');
  // what the run was trained on travels as params too
  expect(run.params).toMatchObject({ split_kind: 'random', split_column: 'none', row_filters: 'none', date_parts: 'none', data_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
});
