/**
 * Issue 13: the fused wasm kernel, the step the page runs on wasm by default, gives tfjs's model; and its batches shared
 * by a team of two threads over one shared memory (the page is cross-origin isolated) give the one-thread model.
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { dataValue } from './helpers.ts';

/**
 * Opens the page with `query` (`?mlpWorkers=2&mlpPath=tfjs`…) in a fresh browser context (a fresh notebook: no saved
 * exclusion), trains one MLP epoch on wasm and reads the test AUC, the step the Train cell names and the training
 * worker's runtime.
 */
async function trainMlp(browser: Browser, query: string, errors: string[]): Promise<{ auc: number; path: string | null; threads: string | null; isolated: boolean; info: Record<string, unknown> | null }> {
  const baseURL = test.info().project.use.baseURL;
  const context = await browser.newContext(baseURL === undefined ? {} : { baseURL });
  try {
    const page = await context.newPage();
    page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); }));
    page.on('pageerror', (e) => errors.push(e.message));
    return await trainIn(page, query);
  } finally {
    await context.close();
  }
}

async function trainIn(page: Page, query: string): Promise<{ auc: number; path: string | null; threads: string | null; isolated: boolean; info: Record<string, unknown> | null }> {
  await page.goto(`/?${query}`);
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('exclude-leaks').click({ timeout: 60_000 });
  await page.getByTestId('backend-select').selectOption('wasm');
  await page.getByTestId('clf-model').selectOption('mlp');
  await page.getByTestId('clf-epochs').fill('1');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-status')).toHaveAttribute('data-status', 'done', { timeout: 280_000 });
  expect(await page.getByTestId('classifier-backend').getAttribute('data-value')).toBe('wasm');
  let info: Record<string, unknown> | null = null;
  for (const w of page.workers().filter((x) => x.url().includes('train.worker'))) {
    const i = await w.evaluate(async () => (globalThis as unknown as { __tfjsInfo?: () => Promise<Record<string, unknown>> }).__tfjsInfo?.());
    if (i?.backend === 'wasm') info = i;
  }
  const path = await page.getByTestId('classifier-mlp-path').getAttribute('data-value');
  // the Train cell says how many threads shared each batch when more than one did
  const threads = await page.getByTestId('classifier-mlp-path-threads').getAttribute('data-value', { timeout: 1000 }).catch(() => null);
  return { auc: await dataValue(page, 'clf-auc_roc'), path, threads, isolated: await page.evaluate(() => crossOriginIsolated), info };
}

test('an MLP epoch on the wasm kernel gives the AUC of tfjs’s step, and with each batch shared by two kernel threads the AUC of one thread; the second thread served every batch', async ({ browser }) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  const tfjs = await trainMlp(browser, 'mlpWorkers=1&mlpPath=tfjs', errors);
  expect(tfjs.path).toBe('tfjs');
  expect(tfjs.auc).toBeGreaterThan(0.6);
  // the page's default step on wasm: the fused kernel (plain or relaxed SIMD, whichever this Chromium runs), one thread
  const one = await trainMlp(browser, 'mlpWorkers=1', errors);
  expect(one.path).toMatch(/^wasm-(relaxed-)?simd kernel$/);
  expect(one.isolated).toBe(true);
  expect(one.threads).toBeNull();
  expect(one.info).toMatchObject({ crossOriginIsolated: true, mlpWorkers: 1, mlpWorkersChosenBy: 'asked for (mlpWorkers)', mlpTeamSlices: 0 });
  expect(Math.abs(one.auc - tfjs.auc), `tfjs ${tfjs.auc}, kernel ${one.auc}`).toBeLessThanOrEqual(1e-3);
  const two = await trainMlp(browser, 'mlpWorkers=2', errors);
  expect(two.path).toBe(one.path);
  expect(two.threads).toBe('2');
  expect(two.info).toMatchObject({ crossOriginIsolated: true, mlpWorkers: 2, mlpWorkersChosenBy: 'asked for (mlpWorkers)' });
  // the follower thread differentiated its slice of every batch: the default split leaves 321,551 fit rows (472,871 less
  // 20 % test, less 15 % of the rest for validation), 78 batches of 4,096 and a last one of 2,063
  expect(two.info?.mlpTeamSlices).toBe(79);
  // the threads' gradients add up to the whole batch's up to float rounding: after 79 steps the test AUC agrees to 1e-4
  expect(Math.abs(two.auc - one.auc), `one thread ${one.auc}, two ${two.auc}`).toBeLessThanOrEqual(1e-4);
  expect(errors).toEqual([]);
});
