/**
 * Issue 13: the MLP's batches shared between the training worker and a helper worker (tfjs's step) give the one-worker
 * model, and so does the fused wasm kernel, the step the page runs on wasm by default.
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { dataValue } from './helpers.ts';

/**
 * Opens the page with `query` (`?mlpWorkers=2&mlpPath=tfjs`…) in a fresh browser context (a fresh notebook: no saved
 * exclusion), trains one MLP epoch on wasm and reads the test AUC, the step the Train cell names and the training
 * worker's runtime.
 */
async function trainMlp(browser: Browser, query: string, errors: string[]): Promise<{ auc: number; path: string | null; info: Record<string, unknown> | null }> {
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

async function trainIn(page: Page, query: string): Promise<{ auc: number; path: string | null; info: Record<string, unknown> | null }> {
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
  return { auc: await dataValue(page, 'clf-auc_roc'), path: await page.getByTestId('classifier-mlp-path').getAttribute('data-value'), info };
}

test('an MLP epoch with each batch shared by two workers, or on the wasm kernel, gives the AUC of one worker; the helper worker answered every batch', async ({ browser }) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  // tfjs's step, forced: the helpers share its batches (the kernel's step runs alone)
  const one = await trainMlp(browser, 'mlpWorkers=1&mlpPath=tfjs', errors);
  expect(one.path).toBe('tfjs');
  expect(one.info).toMatchObject({ mlpWorkers: 1, mlpWorkersChosenBy: 'asked for (mlpWorkers)' });
  expect(one.info?.mlpSlicesFromHelpers).toBe(0);
  const two = await trainMlp(browser, 'mlpWorkers=2&mlpPath=tfjs', errors);
  expect(two.info).toMatchObject({ mlpWorkers: 2, mlpWorkersChosenBy: 'asked for (mlpWorkers)' });
  // every batch sent its second half to the helper: the default split leaves 321,551 fit rows (472,871 less 20 % test,
  // less 15 % of the rest for validation), 78 batches of 4,096 and a last one of 2,063 (two slices of 1,024 or more)
  expect(two.info?.mlpSlicesFromHelpers).toBe(79);
  // the halves' gradients add up to the whole batch's up to float rounding: after 79 steps the test AUC agrees to 1e-3
  expect(Math.abs(two.auc - one.auc), `one worker ${one.auc}, two ${two.auc}`).toBeLessThanOrEqual(1e-3);
  expect(one.auc).toBeGreaterThan(0.6);
  // the page's default on wasm: the fused kernel (plain or relaxed SIMD, whichever this Chromium runs), no helpers
  const kernel = await trainMlp(browser, '', errors);
  expect(kernel.path).toMatch(/^wasm-(relaxed-)?simd kernel$/);
  expect(kernel.info?.mlpSlicesFromHelpers).toBe(0);
  expect(Math.abs(kernel.auc - one.auc), `tfjs ${one.auc}, kernel ${kernel.auc}`).toBeLessThanOrEqual(1e-3);
  expect(errors).toEqual([]);
});
