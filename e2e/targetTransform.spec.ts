/**
 * The regression target transform the Data cell states is the one training applies, on the rows the row filters keep:
 * a profit with refunds trains on its raw scale; once a filter drops every negative row, both cells say log1p and the
 * trained regressor used log1p.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { openWorkbench } from './helpers.ts';
import { datasetFromParquet } from '../test/datasetFixture.ts';
import { unseenFiles } from '../test/unseenFiles.ts';

test('the Data cell states the target transform training applies, before and after a row filter drops every negative row', async ({ page }) => {
  test.setTimeout(300_000);
  const f = unseenFiles().find((x) => x.name === 'negative_revenue.parquet')!;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wb-transform-')), f.name);
  fs.writeFileSync(file, f.bytes);
  // counted from the file's own values, independently of the app
  const revenue = datasetFromParquet(f.bytes, f.name).columns.find((c) => c.name === 'revenue');
  if (revenue?.kind !== 'numeric') throw new Error('unexpected fixture');
  const values = Array.from(revenue.values);
  const negatives = values.filter((v) => v < 0).length;
  const kept = values.filter((v) => v >= 0).length;
  expect(negatives).toBeGreaterThan(0);

  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('data-source')).toContainText(f.name, { timeout: 60_000 });
  await expect(page.getByTestId('revenue-target')).toHaveValue('revenue');
  const stated = page.getByTestId('data-target-transform');
  const regressor = page.getByTestId('regressor-cell');
  const raw = `auto: fits revenue on its raw scale, since revenue has ${negatives} negative values (lowest -15) and log1p needs values ≥ 0`;
  await expect(stated).toHaveText(`Regression target transform: ${raw}.`, { timeout: 60_000 });
  await expect(stated).toHaveAttribute('data-value', 'none');
  await expect(regressor.getByTestId('reg-target-transform-line')).toHaveText(`Target transform: ${raw}.`);

  // a filter that keeps revenue ≥ 0 drops every refund: the rows training gets have none, so auto means log1p
  await page.getByTestId('filter-column').selectOption('revenue');
  await page.getByTestId('filter-op').selectOption('>=');
  await page.getByTestId('filter-value').fill('0');
  await page.getByTestId('filter-add').click();
  await expect(page.getByTestId('filters-kept')).toHaveAttribute('data-value', String(kept), { timeout: 60_000 });
  const log = 'auto: fits log1p(revenue) with Duan\'s smearing, since every value of revenue is ≥ 0';
  await expect(stated).toHaveText(`Regression target transform on the ${kept.toLocaleString('en-US')} rows the row filters keep: ${log}.`, { timeout: 60_000 });
  await expect(stated).toHaveAttribute('data-value', 'log1p');
  await expect(page.getByTestId('validation-warning')).toHaveCount(0);
  await expect(regressor.getByTestId('reg-target-transform-line')).toHaveText(`Target transform: ${log}.`);

  await regressor.getByTestId('reg-model').selectOption('linear');
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await regressor.getByTestId('train-regressor').click();
  await expect(regressor.getByTestId('regressor-target-transform')).toHaveAttribute('data-value', 'log1p', { timeout: 150_000 });
  await expect(regressor).toHaveAttribute('data-stale', 'false');
  await expect(page.locator('.error-boundary')).toHaveCount(0);
});
