/**
 * The gbdt revenue regressor in the page boosts from the linear model: on the bundled data validation keeps no tree, the
 * cell says so, and the downloaded bundle (the line written as trees) gives the page's test RMSE in node.
 */
import * as tf from '@tensorflow/tfjs';
import { test, expect } from '@playwright/test';
import { loadBundle } from '../src/trainers/bundle.ts';
import { isTreeBundle } from '../src/trainers/trees/treeBundle.ts';
import { dataValue, downloadText, openWorkbench, parseCsv } from './helpers.ts';

test('gbdt regressor boosts from the linear model; the page says what validation kept and its bundle gives the page\'s RMSE in node', async ({ page }) => {
  test.setTimeout(300_000);
  await openWorkbench(page);
  await page.getByTestId('exclude-leaks').click();
  await page.getByTestId('reg-model').selectOption('gbdt');
  await expect(page.getByTestId('reg-init-model')).toHaveValue('linear');
  await page.getByTestId('train-regressor').click();
  await expect(page.getByTestId('regressor-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('regressor-init-model')).toHaveAttribute('data-value', 'linear');
  // seed 42: no tree lowers the validation loss below the line's (bench trees: 0 trees kept), and the cell says so
  await expect(page.getByTestId('regressor-cell')).toContainText(/no tree lowered the validation loss below the linear init model's in \d+ iterations: the model is the linear regressor fitted on the [\d,]+ fit rows/);
  const rmse = await dataValue(page, 'reg-rmse');
  expect(rmse).toBeLessThan(await dataValue(page, 'reg-baseline-rmse'));

  const text = await downloadText(page, 'download-regressor-bundle');
  const parsed: unknown = JSON.parse(text);
  if (!isTreeBundle(parsed)) throw new Error('the regressor bundle is not a tree bundle');
  expect((parsed.config as { initModel?: string }).initModel).toBe('linear');
  // one tree per feature that varies on the fit rows, and nothing else
  expect(parsed.treeNodes.length).toBeLessThanOrEqual(parsed.cols);
  await tf.setBackend('cpu');
  const predictor = await loadBundle(tf, text);
  const csv = parseCsv(await downloadText(page, 'download-predictions-regressor'));
  const predicted = await predictor.predict(Float32Array.from(csv.rows.flatMap((r) => r.slice(3))), csv.rows.length);
  predictor.dispose();
  let sse = 0;
  csv.rows.forEach((row, i) => {
    sse += ((predicted[i] ?? Number.NaN) - (row[1] ?? Number.NaN)) ** 2;
  });
  expect(Math.sqrt(sse / csv.rows.length)).toBeCloseTo(rmse, 3);
});
