/** Issue 15 end to end: hostile files and corrupt saved state never blank the page, also after a reload. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { startFixtureServer } from './fixtureServer.ts';
import { downloadText, editSavedSnapshot, openWorkbench, savedRunIds, savedSnapshot, type SnapshotEdit } from './helpers.ts';
import { startDataFaultServer } from '../test/dataFaultServer.ts';
import { startMlflowFaultProxy } from '../test/mlflowFaultProxy.ts';
import { footerLength, parseFooter } from '../src/data/parquetFooter.ts';
import { createMlflowClient, mlflowRunId, type MlflowClient, type MlflowRunRef } from '../src/mlflow/client.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-hostile-'));

// no trace in this file: its DOM snapshots are main-thread tasks of their own, and one test here measures those
test.use({ trace: 'off' });

/** 2,000 sessions with three +Infinity values in revenue. */
function infRevenueFile(): string {
  const n = 2000;
  const isOrdered = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const revenue = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 20 + (i % 9) : 0));
  for (const r of [10, 500, 1500]) revenue[r] = Infinity;
  const table = arrow.tableFromArrays({
    is_ordered: isOrdered, revenue,
    pages: Float64Array.from({ length: n }, (_, i) => (i * 7) % 13),
    minutes: Float64Array.from({ length: n }, (_, i) => (i * 3) % 11),
  });
  const file = path.join(tmp, 'inf_revenue.parquet');
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
  return file;
}

/** Trains both models with the fast logistic classifier and waits for both results. */
async function trainBothLogistic(page: Page): Promise<void> {
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-both').click();
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
}

/** The page is not blank: the header and at least one cell (or a boundary with a way out) are on screen. */
async function expectNotBlank(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'ML Workbench' })).toBeVisible();
  await expect(page.locator('section.cell, [data-testid="app-error"]').first()).toBeVisible();
}

test('a file with +Infinity in revenue is named by validation, and the page survives reloads', async ({ page }) => {
  const server = await startFixtureServer({ files: { '/inf_revenue.parquet': infRevenueFile() }, cors: true, exposeHeaders: true });
  try {
    await openWorkbench(page);
    await page.getByTestId('url-input').fill(`${server.origin}/inf_revenue.parquet`);
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '2000');
    await expect(page.getByTestId('validation-issues')).toContainText('revenue column "revenue" has 3 infinite values (rows 10, 500, 1500');
    await expectNotBlank(page);
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await expectNotBlank(page);
    }
  } finally {
    await server.close();
  }
});

/**
 * Rewrites the saved snapshot in IndexedDB with `c` applied, then opens the workbench on it. The app is not running
 * meanwhile (a page of the same origin without it holds the write), so no debounced save can overwrite the change.
 */
async function corruptSnapshot(page: Page, c: SnapshotEdit): Promise<void> {
  await expect.poll(() => savedSnapshot(page).then((snap) => snap !== undefined), { timeout: 30_000 }).toBe(true);
  await page.goto('/e2e-no-app-here.txt');
  await editSavedSnapshot(page, c);
  await page.goto('/');
}

const CORRUPTIONS: ReadonlyArray<readonly [string, SnapshotEdit, string]> = [
  ['cells: 5', { notebook: { cells: 5 } }, '"cells": 5'],
  ['settings: null', { notebook: { settings: null } }, '"settings": null'],
  ['excluded: 5 in the Features cell', { cellConfig: { kind: 'features', config: { excluded: 5, transforms: null } } }, '"excluded": 5'],
  ['a run without its result', { top: { results: { runs: [{ id: 'x', kind: 'regressor' }], activeRun: { classifier: null, regressor: 'x' }, freshRunIds: [], importance: null } } }, '"id": "x"'],
  ['version 99', { top: { version: 99 } }, '"version": 99'],
];

for (const [name, corruption, kept] of CORRUPTIONS) {
  test(`a saved notebook with ${name} starts safe mode: the default notebook, a notice, the broken copy for download`, async ({ page }) => {
    await openWorkbench(page);
    await corruptSnapshot(page, corruption);
    await expectNotBlank(page);
    await expect(page.getByTestId('persistence-notice')).toContainText('not restored');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-broken-snapshot').click()]);
    expect(fs.readFileSync(await download.path(), 'utf8')).toContain(kept);
    await page.reload();
    await expectNotBlank(page);
  });
}

/** A saved regressor run whose result is empty: it passes the restore but no cell can draw it. */
const BROKEN_RUN = { id: 'broken-run', kind: 'regressor', name: 'regressor #1', createdAt: '2026-01-01T00:00:00.000Z', inputsKey: 'k', featureNames: ['pages'], featureGroups: ['pages'], excluded: [], transforms: {}, dataSha256: '', dataName: 'x', rows: 1, wallMs: 1, result: {} };

test('a Train cell that cannot draw its own saved run: "Reset this cell" gives a fresh cell in its place, which trains', async ({ page }) => {
  await openWorkbench(page);
  // the run belongs to the Train regressor cell and is active for no model: only that cell shows it
  await corruptSnapshot(page, { runOfCell: { kind: 'trainRegressor', run: BROKEN_RUN } });
  await expectNotBlank(page);
  const boundary = page.getByTestId('cell-error-trainRegressor');
  await expect(boundary).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('cell-trainRegressor')).toHaveCount(1);
  const index = await page.locator('[data-cell-id]').evaluateAll((els) => els.findIndex((e) => e.getAttribute('data-testid') === 'cell-trainRegressor'));
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  // Retry draws the same run and fails again; Reset replaces the cell
  await boundary.getByTestId('cell-error-trainRegressor-retry').click();
  await expect(boundary).toBeVisible();
  await boundary.getByTestId('cell-reset-trainRegressor').click();
  await expect(page.getByTestId('cell-error-trainRegressor')).toHaveCount(0);
  const cell = page.getByTestId('cell-trainRegressor');
  await expect(cell).toHaveCount(1);
  expect(await page.locator('[data-cell-id]').evaluateAll((els) => els.findIndex((e) => e.getAttribute('data-testid') === 'cell-trainRegressor'))).toBe(index);
  // the fresh cell has the default settings and works: it trains, and shows its own run
  await expect(cell.getByTestId('reg-model')).toHaveValue('linear');
  await cell.getByTestId('train-regressor').click();
  await expect(cell.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
  const rmse = Number(await cell.getByTestId('reg-rmse').getAttribute('data-value'));
  expect(Number.isFinite(rmse) && rmse > 0).toBe(true);
  await expect(page.getByTestId('app-error')).toHaveCount(0);
});

test('a saved run whose result is empty passes the restore but cannot be drawn: the cells that show it say so, the rest of the page works, and discarding it mends them', async ({ page }) => {
  await openWorkbench(page);
  await corruptSnapshot(page, { top: { results: { runs: [BROKEN_RUN], activeRun: { classifier: null, regressor: 'broken-run' }, freshRunIds: [] } } });
  await expectNotBlank(page);
  // the Train regressor cell cannot draw the run: its boundary names the failure and offers the ways out
  const boundary = page.getByTestId('cell-error-trainRegressor');
  await expect(boundary).toBeVisible({ timeout: 30_000 });
  await expect(boundary).toContainText('the Train regressor');
  await expect(page.getByTestId('app-error')).toHaveCount(0);
  // other cells still work: the Data cell shows the bundled data
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  // every cell that shows the run (Residuals, Runs, Export too) fails the same way; discarding it in one mends them all
  const failed = page.locator('[role="alert"][data-testid^="cell-error-"]');
  await expect.poll(() => failed.count(), { timeout: 30_000 }).toBeGreaterThan(1);
  await boundary.getByTestId('cell-discard-run-trainRegressor').click();
  await expect(failed).toHaveCount(0);
  await expect(page.getByTestId('run-cell-trainRegressor')).toBeVisible();
  // the notebook in IndexedDB no longer holds the run (a save already under way when it was discarded still held it)
  await expect.poll(() => savedRunIds(page), { timeout: 30_000 }).toEqual([]);
  await page.reload();
  await expectNotBlank(page);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  await expect(failed).toHaveCount(0);
});

/** A parquet file written by the test: `columns` of int32, or one text column of large distinct strings. */
function wideFile(): string {
  const cols: Record<string, Int32Array> = {};
  for (let c = 0; c < 3000; c++) cols[`c${c}`] = Int32Array.from({ length: 1000 }, (_, i) => (i * (c + 1)) % 1000);
  const file = path.join(tmp, 'wide_3000.parquet');
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(arrow.tableFromArrays(cols), 'stream'))));
  return file;
}

function largeStringsFile(): string {
  const n = 70;
  const payload = Array.from({ length: n }, (_, i) => `${i}:`.padEnd(1_100_000, String.fromCharCode(97 + (i % 26))));
  const table = arrow.tableFromArrays({ payload, is_ordered: Float64Array.from({ length: n }, (_, i) => i % 2) });
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
  const file = path.join(tmp, 'large_strings.parquet');
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
  return file;
}

async function heapBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
}

const BUDGET_BYTES = 1.5 * 2 ** 30;

test('3,000 columns are refused within 2 s naming the limit, then narrowed to 500 on request, under the memory budget', async ({ page }) => {
  const file = wideFile();
  await openWorkbench(page);
  // the data worker first finishes analysing the bundled data; the refusal is timed from the file's arrival
  await expect(page.getByTestId('leakage-warning')).toBeVisible({ timeout: 60_000 });
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('load-error')).toContainText('3,000 columns, over the limit of 500', { timeout: 10_000 });
  // from the page's request to the refusal (the file upload by the test driver is not counted), and end to end
  expect(Number(await page.getByTestId('load-error').getAttribute('data-ms'))).toBeLessThan(2000);
  console.info(`3,000 columns refused in ${await page.getByTestId('load-error').getAttribute('data-ms')} ms in the page, ${Date.now() - t0} ms end to end`);
  expect(await heapBytes(page)).toBeLessThan(BUDGET_BYTES);
  await page.getByTestId('load-narrowed').click();
  await expect(page.getByTestId('data-cols')).toHaveAttribute('data-value', '500', { timeout: 120_000 });
  await expectNotBlank(page);
  expect(await heapBytes(page)).toBeLessThan(BUDGET_BYTES);
});

test('a column of 77 MB of text (a small zstd file) is refused within 2 s, and the rest loads on request', async ({ page }) => {
  const file = largeStringsFile();
  expect(fs.statSync(file).size).toBeLessThan(2_000_000);
  await openWorkbench(page);
  // the data worker first finishes analysing the bundled data; the refusal is timed from the file's arrival
  await expect(page.getByTestId('leakage-warning')).toBeVisible({ timeout: 60_000 });
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('load-error')).toContainText('column "payload" holds 74 MiB of text, over the 64 MiB per-column limit', { timeout: 10_000 });
  expect(Number(await page.getByTestId('load-error').getAttribute('data-ms'))).toBeLessThan(2000);
  console.info(`large strings refused in ${await page.getByTestId('load-error').getAttribute('data-ms')} ms in the page, ${Date.now() - t0} ms end to end`);
  await page.getByTestId('load-narrowed').click();
  await expect(page.getByTestId('data-cols')).toHaveAttribute('data-value', '1');
  expect(await heapBytes(page)).toBeLessThan(BUDGET_BYTES);
});

/** 500 clean sessions as parquet bytes. */
function smallSessions(): Uint8Array {
  const n = 500;
  const table = arrow.tableFromArrays({
    is_ordered: Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)),
    revenue: Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 10 + (i % 7) : 0)),
    pages: Float64Array.from({ length: n }, (_, i) => (i * 7) % 13),
  });
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
}

test('a notebook link with another data URL fetches nothing until Load, and keeps the saved notebook for download', async ({ page }) => {
  const server = await startDataFaultServer({ 'link.parquet': smallSessions() });
  try {
    await openWorkbench(page);
    const saved = JSON.parse(await downloadText(page, 'export-notebook')) as { data: unknown; cells: Array<{ kind: string }> };
    expect(saved.data).toEqual({ type: 'bundled', name: 'training_data.parquet' });
    // the notebook is in IndexedDB (saved 400 ms after the load) before the link replaces it
    await expect.poll(async () => {
      const nb = (await savedSnapshot(page))?.notebook;
      return { data: nb?.data, cells: (nb?.cells as unknown[] | undefined)?.length };
    }, { timeout: 30_000 }).toEqual({ data: saved.data, cells: saved.cells.length });
    const secret = 's3cr3t-link-token';
    const url = `${server.url('ok', 'link.parquet')}?token=${secret}`;
    const doc = { ...saved, data: { type: 'url', name: 'link.parquet', url }, cells: saved.cells.filter((c) => c.kind !== 'note') };
    const link = `/#nbj=${Buffer.from(JSON.stringify(doc)).toString('base64url')}`;
    await page.goto('about:blank');
    await page.goto(link);
    await expect(page.getByTestId('pending-data')).toContainText(`This link loads data from ${server.url('ok', 'link.parquet')}?token=REDACTED. Load it?`);
    await expect(page.getByTestId('pending-data')).not.toContainText(secret);
    // the saved data stays; the link's server has not been asked for anything
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
    await page.waitForTimeout(1000);
    expect(server.requests).toEqual([]);
    expect(new URL(page.url()).hash).toBe('');
    const previous = JSON.parse(await downloadText(page, 'download-replaced-notebook')) as { data: unknown; cells: unknown[] };
    expect(previous.data).toEqual(saved.data);
    expect(previous.cells).toEqual(saved.cells);
    await page.getByTestId('load-pending-data').click();
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '500', { timeout: 30_000 });
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.path === '/ok/link.parquet')).toBe(true);
  } finally {
    await server.close();
  }
});

test('Keep my current data leaves the loaded data and never asks the link\'s server', async ({ page }) => {
  const server = await startDataFaultServer({ 'link.parquet': smallSessions() });
  try {
    await openWorkbench(page);
    const saved = JSON.parse(await downloadText(page, 'export-notebook')) as Record<string, unknown>;
    await page.goto('about:blank');
    await page.goto(`/#nbj=${Buffer.from(JSON.stringify({ ...saved, data: { type: 'url', name: 'link.parquet', url: server.url('ok', 'link.parquet') } })).toString('base64url')}`);
    await page.getByTestId('keep-current-data').click();
    await expect(page.getByTestId('pending-data')).toHaveCount(0);
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
    // the choice is saved before the reload (a reload during the debounce would restore the link's notebook)
    await expect.poll(async () => (await savedSnapshot(page))?.notebook?.data, { timeout: 30_000 }).toEqual({ type: 'bundled', name: 'training_data.parquet' });
    await page.reload();
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
    await expect(page.getByTestId('pending-data')).toHaveCount(0);
    expect(server.requests).toEqual([]);
  } finally {
    await server.close();
  }
});

/** Every artifact of an MLflow run as text (the binary model weights as latin1, which still shows an ASCII secret). */
async function artifactTexts(client: MlflowClient, run: MlflowRunRef, dir?: string): Promise<string[]> {
  const out: string[] = [];
  for (const file of await client.listArtifacts(run, dir)) {
    if (file.isDir) out.push(...await artifactTexts(client, run, file.path));
    else out.push(`${file.path}\n${Buffer.from(await client.downloadArtifact(run, file.path)).toString('latin1')}`);
  }
  return out;
}

test('with the secrets choice left at "no", a presigned URL\'s secrets appear nowhere: MLflow params, tags, artifacts, link, report, notebook file, page', async ({ page }) => {
  test.setTimeout(240_000);
  const mlflowUrl = (process.env.MLFLOW_TEST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
  const server = await startDataFaultServer({ 'signed.parquet': smallSessions() });
  const signature = 'f00dfacesignature0123456789';
  const token = 'tok-s3cr3t-42';
  const url = `${server.url('ok', 'signed.parquet')}?X-Amz-Expires=600&X-Amz-Signature=${signature}&token=${token}`;
  const secrets = [signature, token];
  const expectClean = (what: string, text: string): void => {
    for (const secret of secrets) expect(text.includes(secret), `${what} holds the secret ${secret}`).toBe(false);
  };
  try {
    await openWorkbench(page);
    await page.getByTestId('url-input').fill(url);
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '500', { timeout: 30_000 });
    // the notebook (with its new data URL) is saved to IndexedDB 400 ms after the dataset changes: wait for that save
    // itself before reloading (a save of the bundled data still landing would have changed the save time too)
    await expect.poll(async () => ((await savedSnapshot(page))?.notebook?.data as { type?: string } | undefined)?.type, { timeout: 30_000 }).toBe('url');
    // one choice, shown in both cells that export, remembered for the tab's session (a reload keeps it)
    const reportChoice = page.getByTestId('report-cell').getByTestId('keep-signature');
    const exportChoice = page.getByTestId('export-cell').getByTestId('keep-signature');
    await expect(reportChoice).not.toBeChecked();
    await reportChoice.check();
    await expect(exportChoice).toBeChecked();
    await page.reload();
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '500', { timeout: 30_000 });
    await expect(exportChoice).toBeChecked();
    await exportChoice.uncheck();
    await expect(reportChoice).not.toBeChecked();

    await trainBothLogistic(page);
    const suffix = `${process.pid}_${Date.now()}`;
    await page.getByTestId('mlflow-experiment-classifier').fill(`secrets_clf_${suffix}`);
    await page.getByTestId('mlflow-experiment-regressor').fill(`secrets_reg_${suffix}`);
    await page.getByTestId('mlflow-export').click();
    await expect(page.getByTestId('mlflow-results')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });

    const client = createMlflowClient({ baseUrl: mlflowUrl });
    for (const kind of ['classifier', 'regressor'] as const) {
      const run = await client.getRun(mlflowRunId((await page.getByTestId(`mlflow-link-${kind}`).getAttribute('data-run-id')) ?? ''));
      expect(run.params.data_url).toContain('X-Amz-Signature=REDACTED');
      expectClean(`${kind} params`, JSON.stringify(run.params));
      expectClean(`${kind} tags`, JSON.stringify(run.tags));
      const artifacts = await artifactTexts(client, run.info);
      expect(artifacts.some((a) => a.startsWith('notebook.json\n') && a.includes('token=REDACTED'))).toBe(true);
      for (const text of artifacts) expectClean(`${kind} artifact ${text.split('\n')[0]}`, text);
    }
    await page.getByTestId('copy-notebook-link').click();
    // the link is written asynchronously (compressed): wait for it, or the check would read an empty field
    await expect(page.getByTestId('notebook-link')).toHaveValue(/#nbj?=/);
    expectClean('the link', await page.getByTestId('notebook-link').inputValue());
    expectClean('the report', await downloadText(page, 'download-report'));
    expectClean('the notebook file', await downloadText(page, 'export-notebook'));
    expectClean('the page', await page.locator('body').innerText());
  } finally {
    await server.close();
  }
});

test('every order of the same value: R² is n/a on screen and in the report, and left out of MLflow with a tag saying why', async ({ page }) => {
  test.setTimeout(240_000);
  const mlflowUrl = (process.env.MLFLOW_TEST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
  const n = 500;
  const table = arrow.tableFromArrays({
    is_ordered: Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)),
    revenue: Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 25 : 0)),
    pages: Float64Array.from({ length: n }, (_, i) => (i * 7) % 13),
  });
  const file = path.join(tmp, 'constant_revenue.parquet');
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
  const undefinedR2 = 'n/a — the test target is constant';
  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', String(n), { timeout: 30_000 });
  await trainBothLogistic(page);
  await expect(page.getByTestId('reg-r2')).toHaveText(undefinedR2);
  await expect(page.getByTestId('reg-baseline-r2')).toHaveText(undefinedR2);
  await expect(page.getByTestId('reg-r2-status')).toHaveText('cannot be judged');

  const report = await downloadText(page, 'download-report');
  const row = /<tr data-metric="r2">(.*?)<\/tr>/s.exec(report)?.[1] ?? '';
  expect(row).toContain(`>${undefinedR2}</td><td class="num">${undefinedR2}</td>`);
  expect(row).toContain('cannot be judged');

  const suffix = `${process.pid}_${Date.now()}`;
  await page.getByTestId('mlflow-experiment-classifier').fill(`constant_clf_${suffix}`);
  await page.getByTestId('mlflow-experiment-regressor').fill(`constant_reg_${suffix}`);
  await page.getByTestId('mlflow-export').click();
  await expect(page.getByTestId('mlflow-results')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const client = createMlflowClient({ baseUrl: mlflowUrl });
  const run = await client.getRun(mlflowRunId((await page.getByTestId('mlflow-link-regressor').getAttribute('data-run-id')) ?? ''));
  expect(Object.keys(run.metrics)).toEqual(expect.arrayContaining(['rmse', 'mae', 'baseline_rmse']));
  expect(run.metrics).not.toHaveProperty('r2');
  expect(run.metrics).not.toHaveProperty('baseline_r2');
  expect(run.tags['workbench.undefined_metric.r2']).toBe(undefinedR2);
});

test('a URL with user:password@ fails with a message that names the URL without the password, and the loaded data stays', async ({ page }) => {
  const server = await startDataFaultServer({ 'auth.parquet': smallSessions() });
  const password = 'pa55-w0rd-in-url';
  try {
    await openWorkbench(page);
    await page.getByTestId('url-input').fill(server.url('ok', 'auth.parquet').replace('://', `://alice:${password}@`));
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('load-error')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('load-error')).toContainText('REDACTED@');
    expect(await page.getByTestId('load-error').innerText()).not.toContain(password);
    expect(await page.locator('body').innerText()).not.toContain(password);
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
  } finally {
    await server.close();
  }
});

test('an MLflow log-batch that never answers: Cancel stops the export at once, Export is usable again, and the runs it started end FAILED', async ({ page }) => {
  test.setTimeout(240_000);
  const mlflowUrl = (process.env.MLFLOW_TEST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
  const proxy = await startMlflowFaultProxy(mlflowUrl, [{ endpoint: 'runs/log-batch', fault: 'stall', times: 99 }], { cors: true });
  const small = path.join(tmp, 'export_cancel.parquet');
  fs.writeFileSync(small, smallSessions());
  try {
    await openWorkbench(page);
    await page.getByTestId('file-input').setInputFiles(small);
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '500', { timeout: 30_000 });
    await trainBothLogistic(page);
    const suffix = `${process.pid}_${Date.now()}`;
    const experiments = [`cancel_clf_${suffix}`, `cancel_reg_${suffix}`];
    await page.getByTestId('mlflow-tracking-uri').fill(proxy.url);
    await page.getByTestId('mlflow-experiment-classifier').fill(experiments[0]!);
    await page.getByTestId('mlflow-experiment-regressor').fill(experiments[1]!);
    await page.getByTestId('mlflow-export').click();
    await expect(page.getByTestId('mlflow-progress')).toContainText('exporting 0 of 2 runs');
    await expect.poll(() => proxy.log.some((l) => l.path.endsWith('runs/log-batch')), { timeout: 30_000 }).toBe(true);
    const t0 = Date.now();
    await page.getByTestId('mlflow-export-cancel').click();
    // "at once" on a loaded 2-core machine: seconds, where the export hung forever before
    await expect(page.getByTestId('mlflow-progress')).toHaveCount(0, { timeout: 10_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(page.getByTestId('export-cell')).toContainText('export cancelled');
    await expect(page.getByTestId('mlflow-export')).toBeEnabled();
    // every run the export created is ended, none left RUNNING (the app ends them after it shows the cancel: wait for
    // MLflow to say so rather than reading it once at once)
    const client = createMlflowClient({ baseUrl: mlflowUrl });
    const statuses = async (): Promise<string[]> => {
      const created: string[] = [];
      for (const name of experiments) {
        const experiment = await client.getExperimentByName(name);
        if (experiment === null) continue;
        const { runs } = await client.searchRuns({ experimentIds: [experiment.experimentId] });
        created.push(...runs.map((r) => r.info.status));
      }
      return created;
    };
    await expect.poll(async () => {
      const created = await statuses();
      return created.length > 0 && created.every((status) => status === 'FAILED');
    }, { timeout: 30_000 }).toBe(true);
  } finally {
    await proxy.close();
  }
});

test('damaged files in the browser: duplicate names, a page failing its CRC, garbage in a compressed page are each one sentence; the loaded data stays and the next file loads', async ({ page }) => {
  const write = (name: string, bytes: Uint8Array): string => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  const chunkOf = (bytes: Uint8Array, rowGroup: number) => {
    const len = footerLength(bytes.subarray(bytes.length - 8), 'f');
    return parseFooter(bytes.subarray(bytes.length - 8 - len, bytes.length - 8)).rowGroups[rowGroup]!.chunks[0]!;
  };
  // two columns called "spend", built field by field (tableFromArrays would merge them)
  const spend = (sign: number) => arrow.makeVector(Float64Array.from({ length: 50 }, (_, i) => sign * i));
  const vectors = [spend(1), spend(-1)];
  const schema = new arrow.Schema(vectors.map((v) => new arrow.Field('spend', v.type)));
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: 50, children: vectors.map((v) => v.data[0]!) });
  const duplicate = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(schema, new arrow.RecordBatch(schema, data)), 'stream')));
  // a file whose pages carry CRCs, one bit flipped in a PLAIN double of row group 1
  const crc = new Uint8Array(fs.readFileSync(path.resolve(process.cwd(), 'test/fixtures/crc.parquet')));
  const flipped = crc.slice();
  flipped[chunkOf(crc, 1).end - 3]! ^= 0x10;
  // garbage over the end of a snappy-compressed page (this trapped the wasm decoder: "data worker crashed: unreachable")
  const plain = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(arrow.tableFromArrays({
    a: Float64Array.from({ length: 2000 }, (_, i) => i), b: Int32Array.from({ length: 2000 }, (_, i) => i % 3),
  }), 'stream')), new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).build());
  const garbage = plain.slice();
  const chunk = chunkOf(plain, 0);
  for (let i = chunk.end - 200; i < chunk.end - 10; i++) garbage[i] = (i * 37) & 0xff;

  await openWorkbench(page);
  const cases: Array<[string, RegExp]> = [
    [write('duplicate.parquet', duplicate), /"duplicate\.parquet" has a column name used twice \("spend"\)/],
    [write('flipped.parquet', flipped), /column "x", row group 1: page \d+ fails its CRC check/],
    [write('garbage.parquet', garbage), /garbage\.parquet.*(could not be decoded|damaged)/],
  ];
  for (const [file, message] of cases) {
    await page.getByTestId('file-input').setInputFiles(file);
    await expect(page.getByTestId('load-error')).toContainText(message, { timeout: 30_000 });
    await expect(page.getByTestId('load-error')).not.toContainText('unreachable');
    await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871');
    await expectNotBlank(page);
  }
  // the decoder still works: the undamaged file loads
  await page.getByTestId('file-input').setInputFiles(write('plain.parquet', plain));
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '2000', { timeout: 30_000 });
});

test("the Data cell's timeout bounds each data request: a stalled URL fails naming it, well before the default's 30 s", async ({ page }) => {
  const server = await startDataFaultServer({ 'stall.parquet': smallSessions() });
  try {
    await openWorkbench(page);
    await expect(page.getByTestId('fetch-timeout')).toHaveValue('30');
    await page.getByTestId('fetch-timeout').fill('1');
    const t0 = Date.now();
    await page.getByTestId('url-input').fill(server.url('stall', 'stall.parquet'));
    await page.getByTestId('load-url').click();
    await expect(page.getByTestId('load-error')).toContainText(`${server.url('stall', 'stall.parquet')} sent no complete answer within 1 s`, { timeout: 30_000 });
    // four attempts of 1 s and the back-offs between them (0.5, 1, 2 s): 7.5 s, with room for a loaded machine; the
    // default's 30 s would take over two minutes
    expect(Date.now() - t0).toBeLessThan(25_000);
    expect(server.requests.filter((r) => r.path === '/stall/stall.parquet' && r.status === 0).length).toBe(4);
  } finally {
    await server.close();
  }
});

/** Records every long task (over 50 ms) of the page's main thread, from before the app's first script. */
async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: Array<{ start: number; duration: number }> };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The longest main-thread task (ms, 0 when none over 50 ms) between `action` and `done`, and the page heap after it. */
async function longestTaskDuring(page: Page, action: () => Promise<void>, done: () => Promise<void>): Promise<{ longestMs: number; heap: number }> {
  const t0 = await page.evaluate(() => performance.now());
  await action();
  await done();
  await page.waitForTimeout(500); // work that follows the visible result (a render, an analysis answer)
  const tasks = await page.evaluate((from) => (window as unknown as { __longTasks: Array<{ start: number; duration: number }> }).__longTasks
    .filter((t) => t.start + t.duration >= from), t0);
  return { longestMs: Math.max(0, ...tasks.map((t) => t.duration)), heap: await heapBytes(page) };
}

test('loads keep the main thread free: no task over 200 ms while 3,000 columns and 77 MB of text are refused, the longest while the bundled file loads measured', async ({ page }) => {
  test.setTimeout(180_000);
  const small = path.join(tmp, 'small.parquet');
  fs.writeFileSync(small, smallSessions());
  const wide = wideFile();
  const strings = largeStringsFile();
  await observeLongTasks(page);
  await openWorkbench(page);
  await expect(page.getByTestId('leakage-warning')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('file-input').setInputFiles(small);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '500', { timeout: 30_000 });
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 30_000 });

  // waits poll the DOM cheaply: an expect() that retries snapshots the page's accessibility tree, a long task of its own
  const attr = (testId: string, value: string) => page.waitForFunction(({ t, v }) => document.querySelector(`[data-testid="${t}"]`)?.getAttribute('data-value') === v, { t: testId, v: value }, { polling: 100, timeout: 60_000 });
  const shown = (testId: string, text: string) => page.waitForFunction(({ t, x }) => document.querySelector(`[data-testid="${t}"]`)?.textContent?.includes(x) === true, { t: testId, x: text }, { polling: 100, timeout: 10_000 });
  const bundled = await longestTaskDuring(page, () => page.getByTestId('load-bundled').click(), async () => {
    await attr('data-rows', '472871');
    await page.waitForFunction(() => document.querySelector('[data-testid="leakage-warning"]') !== null, undefined, { polling: 100, timeout: 60_000 });
  });
  const refusedWide = await longestTaskDuring(page, () => page.getByTestId('file-input').setInputFiles(wide), () => shown('load-error', '3,000 columns').then(() => undefined));
  const refusedText = await longestTaskDuring(page, () => page.getByTestId('file-input').setInputFiles(strings), () => shown('load-error', 'column "payload" holds 74 MiB of text').then(() => undefined));
  console.info(`longest main-thread task: bundled load ${bundled.longestMs} ms, 3,000 columns refused ${refusedWide.longestMs} ms (${Number(await page.getByTestId('load-error').getAttribute('data-ms'))} ms to the refusal), `
    + `large strings refused ${refusedText.longestMs} ms; heap after each ${[bundled, refusedWide, refusedText].map((m) => `${(m.heap / 2 ** 20).toFixed(0)} MiB`).join(', ')}`);
  // the refusals are decided from the footer in the data worker. Idle, their longest task is 0-90 ms (the error's and
  // the column chooser's render); on this shared 2-core machine under load one took 112 ms. The 100 ms goal is a bench
  // figure (scale.x10.longest_task_ms); this bound catches the old behaviour (12.6 s to 6 min frozen) without flaking
  for (const m of [refusedWide, refusedText]) expect(m.longestMs).toBeLessThanOrEqual(200);
  // NOT yet reliably within 100 ms: after the bundled file arrives, React's commit of the cells and a chart's draw
  // still take one task of 110-250 ms on the shared 2-core machine (461 ms when charts were drawn in one task);
  // this bound catches a return of the old behaviour
  expect(bundled.longestMs).toBeLessThanOrEqual(350);
  for (const m of [bundled, refusedWide, refusedText]) expect(m.heap).toBeLessThan(BUDGET_BYTES);
});

test('over the column limit, the user picks columns from the footer\'s schema by keyboard, with each column\'s size and the running total against the budget', async ({ page }) => {
  const file = wideFile();
  await openWorkbench(page);
  await expect(page.getByTestId('leakage-warning')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('load-error')).toContainText('3,000 columns, over the limit of 500', { timeout: 10_000 });
  const picker = page.getByTestId('column-picker');
  const total = picker.getByTestId('picker-total');
  // the suggested selection is ticked to start with
  await expect(total).toHaveAttribute('data-columns', '500');
  await expect(total).toContainText('500 columns × 1,000 rows');
  // an int32 column of 1,000 rows: 8 bytes a row decoded and 4 in the model matrix
  await expect(picker.getByTestId('picker-column-bytes').first()).toHaveAttribute('data-value', '12000');
  await picker.getByTestId('picker-none').click();
  await expect(total).toHaveAttribute('data-columns', '0');
  await expect(picker.getByTestId('picker-load')).toBeDisabled();
  // c29, c290–c299 and c2900–c2999
  await picker.getByTestId('picker-filter').fill('c29');
  await expect(picker.getByTestId('picker-column')).toHaveCount(111);
  await picker.getByTestId('picker-shown').click();
  await expect(total).toHaveAttribute('data-columns', '111');
  // by keyboard: Tab to the list, Space unticks c29
  await picker.getByTestId('picker-column').first().focus();
  await page.keyboard.press('Space');
  await expect(picker.getByTestId('picker-column').first()).not.toBeChecked();
  await expect(total).toHaveAttribute('data-columns', '110');
  await expect(total).toHaveAttribute('data-value', String(110 * 12000));
  await expect(total).toContainText('of the 1.50 GiB budget');
  await picker.getByTestId('picker-load').click();
  await expect(page.getByTestId('data-cols')).toHaveAttribute('data-value', '110', { timeout: 60_000 });
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '1000');
  await expect(page.getByTestId('column-picker')).toHaveCount(0);
});

test('the column picker\'s row-group sample loads exactly those groups\' rows and says how many rows of how many', async ({ page }) => {
  // 520 columns (over the limit of 500) in five row groups of 200 rows; revenue is the row's number on the
  // converting rows, so the profile's total says which rows were loaded
  const groups = 5;
  const per = 200;
  const n = groups * per;
  const cols: Record<string, Float64Array | Int32Array> = {
    is_ordered: Float64Array.from({ length: n }, (_, i) => (i % (3 + Math.floor(i / per)) === 0 ? 1 : 0)),
  };
  cols.revenue = Float64Array.from({ length: n }, (_, i) => (cols.is_ordered![i] === 1 ? i : 0));
  for (let c = 0; c < 518; c++) cols[`x${c}`] = Int32Array.from({ length: n }, (_, i) => (i * (c + 1)) % 97);
  const file = path.join(tmp, 'row_groups.parquet');
  const props = new pq.WriterPropertiesBuilder().setMaxRowGroupSize(per).build();
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(arrow.tableFromArrays(cols), 'stream')), props));
  // the picker's evenly spaced 2 of 5 row groups are the first and the last: rows 0–199 and 800–999
  const chosen = Array.from({ length: n }, (_, i) => i).filter((i) => i < per || i >= 4 * per);
  const positives = chosen.filter((i) => cols.is_ordered![i] === 1);
  const revenueTotal = positives.reduce((a, i) => a + i, 0);

  await openWorkbench(page);
  await expect(page.getByTestId('leakage-warning')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('load-error')).toContainText('520 columns, over the limit of 500', { timeout: 10_000 });
  const picker = page.getByTestId('column-picker');
  await expect(picker).toContainText('520 columns, 5 row groups in the file');
  await picker.getByTestId('picker-none').click();
  for (const name of ['is_ordered', 'revenue', 'x7']) {
    await picker.getByTestId('picker-filter').fill(name);
    await picker.locator(`[data-testid="picker-column"][data-name="${name}"]`).check();
  }
  await picker.getByTestId('picker-row-groups').fill('2');
  await expect(picker.getByTestId('picker-total')).toContainText('3 columns × 400 rows');
  await picker.getByTestId('picker-load').click();
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '400', { timeout: 60_000 });
  await expect(page.getByTestId('data-cols')).toHaveAttribute('data-value', '3');
  await expect(page.getByTestId('data-notes')).toContainText('loaded 3 of 520 columns and 2 of 5 row groups (400 of 1,000 rows), as chosen');
  await expect(page.getByTestId('profile-rows')).toHaveAttribute('data-value', '400', { timeout: 30_000 });
  expect(await page.getByTestId('profile-conversion').getAttribute('data-value')).toBe(String(positives.length / chosen.length));
  expect(Number(await page.getByTestId('profile-revenue-total').getAttribute('data-value'))).toBe(revenueTotal);
});
