/** Issue 6 end to end: the HTML report opens offline and its slider matches the app; hostile names never run; links and files round-trip. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as pq from 'parquet-wasm';
import { tableFromArrays, tableFromIPC, tableToIPC, Type } from 'apache-arrow';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { dataValue, ONE_HOT_FILE, openWorkbench } from './helpers.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-report-'));
const EVIL = '<img src=x onerror=window.__pwned=1>';

/** Picks the fast models: logistic classifier (the default regressor is linear) and drops the leak. */
async function chooseFastModels(page: Page): Promise<void> {
  await page.getByTestId('exclude-leaks').click();
  await page.getByTestId('clf-model').selectOption('logistic');
}

async function trainBoth(page: Page): Promise<void> {
  await page.getByTestId('train-both').click();
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
}

/** Clicks a button that downloads a file and returns the file's text. */
async function downloadText(page: Page, testId: string): Promise<{ text: string; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const file = await download.path();
  return { text: fs.readFileSync(file, 'utf8'), name: download.suggestedFilename() };
}

/** Opens a report from disk in a fresh context where every network request fails; records CSP violations and requests. */
async function openReportOffline(browser: Browser, html: string, name: string) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, context, requests, consoleErrors };
}

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

test('the report opens offline, draws its charts, and its slider gives the app\'s confusion matrix', async ({ page, browser }) => {
  await openWorkbench(page);
  await chooseFastModels(page);
  await trainBoth(page);
  await expect(page.getByTestId('threshold-cell')).toBeVisible();

  const { text: html, name } = await downloadText(page, 'download-report');
  expect(name).toBe('workbench-report.html');
  const size = await dataValue(page, 'report-size');
  expect(size).toBe(Buffer.byteLength(html, 'utf8'));
  expect(size).toBeLessThan(5_000_000);
  console.log(`report of the default notebook on the bundled data: ${size} bytes`);
  expect(html).not.toContain('report-sample'); // no data rows unless asked for

  const report = await openReportOffline(browser, html, 'report.html');
  const rp = report.page;
  try {
    for (const chart of ['report-chart-roc', 'report-chart-pr']) {
      const svg = rp.getByTestId(chart).locator('svg');
      await expect(svg).toBeVisible();
      expect(await svg.locator('path').count()).toBeGreaterThanOrEqual(2);
    }
    expect(await rp.locator('svg.chart').count()).toBeGreaterThanOrEqual(5);

    // Move the report's slider with the keyboard, then put the app's slider on the same threshold.
    const slider = rp.getByTestId('report-slider');
    await slider.focus();
    for (let i = 0; i < 25; i++) await slider.press('ArrowRight');
    const t = Number(await rp.getByTestId('report-threshold').getAttribute('data-value'));
    const start = Number(await page.getByTestId('classifier-threshold').getAttribute('data-value'));
    expect(Math.abs(t - Math.round(start * 1000) / 1000 - 0.025)).toBeLessThan(1e-9);

    await page.getByTestId('threshold-slider').fill(String(t));
    await expect(page.getByTestId('threshold-value')).toHaveAttribute('data-value', String(t));
    for (const cell of ['tp', 'fp', 'tn', 'fn']) {
      const inReport = await rp.getByTestId(`report-${cell}`).getAttribute('data-value');
      await expect(page.getByTestId(`cm-${cell}`)).toHaveAttribute('data-value', inReport ?? 'missing');
    }
    const reportTp = Number(await rp.getByTestId('report-tp').getAttribute('data-value'));
    expect(reportTp).toBeGreaterThan(0);

    expect(await rp.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(report.consoleErrors.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
    expect(report.requests).toEqual([]);
  } finally {
    await report.context.close();
  }
});

/** 20,000 rows of the bundled data with hour_of_day renamed to markup, written as parquet by the test. */
function hostileParquet(): string {
  const source = tableFromIPC(pq.readParquet(fs.readFileSync(ONE_HOT_FILE)).intoIPCStream()).slice(0, 20_000);
  const columns: Record<string, unknown> = {};
  for (const field of source.schema.fields) {
    const values = source.getChild(field.name)?.toArray() as unknown;
    // Bool columns come back as bit-packed arrays; plain booleans write back as Bool.
    const array = field.typeId === Type.Bool ? Array.from(values as ArrayLike<unknown>) : values;
    columns[field.name === 'hour_of_day' ? EVIL : field.name] = array;
  }
  const table = tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]);
  const file = path.join(tmp, `xss ${EVIL}.parquet`);
  fs.writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream'))));
  return file;
}

test('a column named like an <img onerror> goes through profile, training and report as plain text', async ({ page, browser }) => {
  const file = hostileParquet();
  await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '20000');
  await expect(page.getByTestId('data-source')).toContainText(EVIL);

  // Profile: the chart of the hostile column is drawn and its title shows the markup as text.
  const chart = page.locator(`[data-testid="profile-chart-${EVIL}"][data-drawn="true"]`);
  await expect(chart).toBeVisible();
  await expect(chart.locator('.gtitle')).toContainText('<img src=x');
  expect(await chart.locator('img').count()).toBe(0);
  expect(await page.locator('img[src="x"]').count()).toBe(0);

  await chooseFastModels(page);
  await trainBoth(page);
  expect(await pwned(page)).toBeUndefined();

  const { text: html } = await downloadText(page, 'download-report');
  expect(html).not.toContain(EVIL);
  const report = await openReportOffline(browser, html, 'hostile-report.html');
  try {
    await expect(report.page.getByText(EVIL).first()).toBeVisible();
    expect(await report.page.locator('img').count()).toBe(0);
    expect(await pwned(report.page)).toBeUndefined();
  } finally {
    await report.context.close();
  }

  // Every cell of the notebook has rendered the hostile names by now (export included, when present).
  await page.getByTestId('copy-notebook-link').click();
  await expect(page.getByTestId('notebook-link')).toHaveValue(/#nb=/);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await pwned(page)).toBeUndefined();
});

/** The notebook as the app exports it. */
async function exportedNotebook(page: Page): Promise<unknown> {
  return JSON.parse((await downloadText(page, 'export-notebook')).text) as unknown;
}

test('link and JSON round trips give an identical notebook; a file with an unknown cell kind changes nothing', async ({ page, browser }) => {
  await openWorkbench(page);
  await chooseFastModels(page);
  await page.getByTestId('clf-seed').fill('7');
  await page.getByTestId('clf-epochs').fill('55');
  await page.getByTestId('clf-class-weight').selectOption('none');
  await page.getByTestId('reg-strategy').selectOption('two_stage');
  await page.getByTestId('backend-select').selectOption('wasm');
  await page.getByTestId('transform-hour_of_day').selectOption('log1p');
  const original = await exportedNotebook(page);
  const cells = (original as { cells: Array<{ kind: string; config: Record<string, unknown> }> }).cells;
  expect(cells.find((c) => c.kind === 'trainClassifier')?.config).toMatchObject({ model: 'logistic', seed: 7, epochs: 55, classWeight: 'none' });
  expect((original as { settings: Record<string, unknown> }).settings).toMatchObject({ excluded: ['engagement_depth'], transforms: { hour_of_day: { kind: 'log1p' } }, backendPreference: 'wasm' });

  await page.getByTestId('copy-notebook-link').click();
  // the link is written asynchronously (compressed): wait for it before reading it
  await expect(page.getByTestId('notebook-link')).toHaveValue(/#nb=[A-Za-z0-9_-]+$/);
  const link = await page.getByTestId('notebook-link').inputValue();

  // The link in a fresh browser: same notebook, same settings on screen, and Run all on offer.
  const linkContext = await browser.newContext();
  try {
    const fresh = await linkContext.newPage();
    await fresh.goto(link);
    await expect(fresh.getByTestId('shared-notebook-banner')).toBeVisible();
    await expect(fresh.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
    await expect(fresh.getByTestId('clf-model')).toHaveValue('logistic');
    await expect(fresh.getByTestId('clf-seed')).toHaveValue('7');
    await expect(fresh.getByTestId('backend-select')).toHaveValue('wasm');
    await expect(fresh.getByTestId('shared-run-all')).toBeEnabled();
    expect(await exportedNotebook(fresh)).toEqual(original);
  } finally {
    await linkContext.close();
  }

  // The JSON file in a fresh browser.
  const file = path.join(tmp, 'notebook.json');
  fs.writeFileSync(file, JSON.stringify(original));
  const fileContext = await browser.newContext();
  try {
    const fresh = await fileContext.newPage();
    await openWorkbench(fresh);
    const pristine = await exportedNotebook(fresh);
    expect(pristine).not.toEqual(original);

    // Refused first: an unknown cell kind changes nothing.
    const bad = path.join(tmp, 'unknown-kind.json');
    fs.writeFileSync(bad, JSON.stringify({ ...(original as object), cells: [...cells, { id: 'x1', kind: 'sorcery', collapsed: false, config: {} }] }));
    await fresh.getByTestId('import-notebook-input').setInputFiles(bad);
    await expect(fresh.getByTestId('import-error')).toContainText('unknown kind "sorcery"');
    await expect(fresh.getByTestId('import-error')).toContainText('nothing changed');
    expect(await exportedNotebook(fresh)).toEqual(pristine);

    await fresh.getByTestId('import-notebook-input').setInputFiles(file);
    await expect(fresh.getByTestId('import-ok')).toBeVisible();
    await expect(fresh.getByTestId('clf-model')).toHaveValue('logistic');
    expect(await exportedNotebook(fresh)).toEqual(original);

    // A damaged link is refused with a message, and the notebook stays as it was.
    await fresh.goto('/#nb=not-a-notebook');
    await expect(fresh.getByTestId('notebook-link-error')).toBeVisible();
  } finally {
    await fileContext.close();
  }
});
