/** Issue 2 end to end: the bundled data opens, streams, validates, profiles and flags the leak; bad input is explained. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { startFixtureServer } from './fixtureServer.ts';
import { dataValue, openWorkbench, ONE_HOT_FILE, RAW_FILE } from './helpers.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-e2e-'));

test('opens on the bundled data: 472,871 rows, 6.83 % conversion, engagement_depth flagged', async ({ page }) => {
  await openWorkbench(page);
  await expect(page.getByTestId('data-source')).toContainText('bundled');
  const rate = await dataValue(page, 'profile-conversion');
  expect(rate).toBeCloseTo(32313 / 472871, 6);
  await expect(page.getByTestId('profile-conversion')).toHaveText('6.83 %');
  await expect(page.getByTestId('profile-aov')).toHaveText('$59.99');
  const warning = page.getByTestId('leakage-warning');
  await expect(warning).toContainText('engagement_depth');
  // nothing else is flagged
  await expect(page.locator('[data-testid^="leakage-row-"] .flag')).toHaveCount(1);
  await expect(page.getByTestId('leakage-row-engagement_depth')).toContainText('leak');
  await expect(page.getByTestId('data-preview').locator('tbody tr')).toHaveCount(20);
  // the random split, planned in the data worker: scikit-learn's train_test_split sizes (ceil of 20 % test, then of 15 %
  // of the rest for validation), every row in one part, and every one of the 32,313 orders in exactly one part
  const test = Math.ceil(0.2 * 472871);
  const valid = Math.ceil(0.15 * (472871 - test));
  const expected = { fit: 472871 - test - valid, valid, test };
  let orders = 0;
  for (const [part, rows] of Object.entries(expected)) {
    await expect(page.getByTestId(`split-${part}-rows`).first()).toHaveAttribute('data-value', String(rows), { timeout: 60_000 });
    orders += rows * await dataValue(page, `split-${part}-rate`);
  }
  expect(orders).toBeCloseTo(32313, 6);
  await page.getByTestId('exclude-leaks').click();
  await expect(page.getByTestId('leaks-excluded')).toBeVisible();
});

test('loads sessions_raw.parquet through the file input', async ({ page }) => {
  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(RAW_FILE);
  await expect(page.getByTestId('data-source')).toContainText('sessions_raw.parquet');
  await expect(page.getByTestId('data-cols')).toHaveAttribute('data-value', '9');
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
  await expect(page.getByTestId('data-columns')).toContainText('categorical');
  await expect(page.getByTestId('profile-conversion')).toHaveText('6.83 %');
  await expect(page.getByTestId('leakage-warning')).toContainText('engagement_depth');
});

test('streams sessions_raw.parquet by URL with range requests, and a cancel keeps the loaded data', async ({ page }) => {
  const server = await startFixtureServer({ files: { '/sessions_raw.parquet': RAW_FILE }, cors: true, exposeHeaders: true });
  try {
    await openWorkbench(page);
    await page.getByTestId('url-input').fill(`${server.origin}/sessions_raw.parquet`);
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('data-source')).toContainText(`${server.origin}/sessions_raw.parquet`);
    await expect(page.getByTestId('data-cols')).toHaveAttribute('data-value', '9');
    const ranged = server.requests.filter((r) => r.range !== null && r.status === 206);
    expect(ranged.length).toBeGreaterThanOrEqual(9);
    expect(await dataValue(page, 'data-progress-events')).toBeGreaterThanOrEqual(8);
  } finally {
    await server.close();
  }

  // a slow server, so the cancel lands after the first row group
  const slow = await startFixtureServer({ files: { '/slow.parquet': RAW_FILE }, cors: true, exposeHeaders: true, delayMs: 400 });
  try {
    await page.getByTestId('url-input').fill(`${slow.origin}/slow.parquet`);
    await page.getByTestId('load-url').click();
    await expect.poll(async () => Number(await page.getByTestId('load-progress-count').getAttribute('data-value'))).toBeGreaterThanOrEqual(2);
    await page.getByTestId('cancel-load').click();
    await expect(page.getByTestId('load-cancelled')).toBeVisible();
    // the previous data is intact
    await expect(page.getByTestId('data-source')).toContainText('/sessions_raw.parquet');
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
    await expect(page.getByTestId('profile-conversion')).toHaveText('6.83 %');
  } finally {
    await slow.close();
  }
});

test('a server that hides Content-Range gets an error naming Access-Control-Expose-Headers', async ({ page }) => {
  const server = await startFixtureServer({ files: { '/data.parquet': ONE_HOT_FILE }, cors: true, exposeHeaders: false });
  try {
    await openWorkbench(page);
    await page.getByTestId('url-input').fill(`${server.origin}/data.parquet`);
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('load-error')).toContainText('Access-Control-Expose-Headers');
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
  } finally {
    await server.close();
  }
});

test('bad input gets a clear error and the app stays usable', async ({ page }) => {
  const whole = fs.readFileSync(ONE_HOT_FILE);
  const truncated = path.join(tmp, 'truncated.parquet');
  fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  const csv = path.join(tmp, 'sessions.parquet');
  fs.writeFileSync(csv, 'is_ordered,revenue\n0,0\n1,59.99\n');
  const empty = path.join(tmp, 'empty.parquet');
  fs.writeFileSync(empty, '');

  await openWorkbench(page);
  const cases: Array<[string, RegExp]> = [
    [truncated, /truncated\.parquet.*(truncated|not a parquet file)/],
    [csv, /sessions\.parquet.*not a parquet file/],
    [empty, /empty/],
  ];
  for (const [file, message] of cases) {
    await page.getByTestId('file-input').setInputFiles(file);
    await expect(page.getByTestId('load-error')).toContainText(message);
    // the previous data is still there
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
  }

  const server = await startFixtureServer({ files: {}, cors: true, exposeHeaders: true });
  try {
    await page.getByTestId('url-input').fill(`${server.origin}/missing.parquet`);
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('load-error')).toContainText('404');
  } finally {
    await server.close();
  }

  // a file without the target column: loads, validation names the column, the profile waits
  const noTarget = path.join(tmp, 'no_target.parquet');
  fs.copyFileSync(path.resolve(process.cwd(), 'e2e/fixtures/no_target.parquet'), noTarget);
  await page.getByTestId('file-input').setInputFiles(noTarget);
  await expect(page.getByTestId('validation-issues')).toContainText('is_ordered');
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '3');

  // still usable: the bundled data loads again
  await page.getByTestId('load-bundled').click();
  await expect(page.getByTestId('data-source')).toContainText('bundled');
  await expect(page.getByTestId('profile-conversion')).toHaveText('6.83 %');
});
