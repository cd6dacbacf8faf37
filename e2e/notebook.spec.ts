/** Issue 4 end to end, from the keyboard: the threshold slider's confusion matrix and ROC marker equal an independent count; a leak's removal makes the evaluation stale and honest. */
import fs from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { dataValue, openWorkbench } from './helpers.ts';

/**
 * Presses Enter on a focused control: the keyboard path a user without a mouse takes. Like a user, it waits until the
 * control is enabled (a disabled button cannot take focus, and the key would go to whatever still has it).
 */
async function press(page: Page, testId: string, key = 'Enter'): Promise<void> {
  const control = page.getByTestId(testId);
  await expect(control).toBeEnabled({ timeout: 60_000 });
  await control.focus();
  await expect(control).toBeFocused();
  await page.keyboard.press(key);
}

/** Downloads the Threshold cell's test predictions and counts the confusion matrix at `t` independently of the app. */
async function independentConfusion(page: Page, t: number): Promise<{ tp: number; fp: number; tn: number; fn: number; rows: number }> {
  const [download] = await Promise.all([page.waitForEvent('download'), press(page, 'download-scores')]);
  const file = await download.path();
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('y_true,score');
  const c = { tp: 0, fp: 0, tn: 0, fn: 0, rows: lines.length - 1 };
  for (let i = 1; i < lines.length; i++) {
    const [y, p] = (lines[i] as string).split(',').map(Number) as [number, number];
    const flagged = p >= t;
    if (y === 1) {
      if (flagged) c.tp++;
      else c.fn++;
    } else if (flagged) c.fp++;
    else c.tn++;
  }
  return c;
}

async function trainLogistic(page: Page): Promise<void> {
  const before = await page.locator('[data-testid^="run-row-"]').count();
  await press(page, 'train-classifier');
  await expect(page.locator('[data-testid^="run-row-"]')).toHaveCount(before + 1, { timeout: 150_000 });
  await expect(page.getByTestId('cm-tp')).toBeVisible();
}

test('threshold slider from the keyboard: matrix and ROC marker equal an independent count; excluding the leak makes the cells stale and honest', async ({ page }) => {
  test.setTimeout(420_000);
  await openWorkbench(page);
  await page.getByTestId('clf-model').focus();
  await page.getByTestId('clf-model').selectOption('logistic');

  // 1. With engagement_depth included the model sees the leak: AUC ≈ 1, the targets are met.
  await trainLogistic(page);
  expect(await dataValue(page, 'thr-auc_roc')).toBeGreaterThan(0.99);
  await expect(page.getByTestId('thr-auc_roc-status')).toHaveText('met');
  await expect(page.getByTestId('thr-f1_score-status')).toHaveText('met');
  await expect(page.getByTestId('threshold-stale')).toHaveCount(0);

  // 2. Exclude the leak: every cell downstream of the classifier goes stale, visibly.
  await press(page, 'exclude-leaks');
  await expect(page.getByTestId('leaks-excluded')).toBeVisible();
  for (const id of ['classifier-stale', 'threshold-stale', 'curves-stale', 'calibration-stale']) await expect(page.getByTestId(id)).toBeVisible();

  // 3. Re-train: nothing stale, and the honest AUC misses its target.
  await trainLogistic(page);
  for (const id of ['classifier-stale', 'threshold-stale', 'curves-stale', 'calibration-stale']) await expect(page.getByTestId(id)).toHaveCount(0);
  const auc = await dataValue(page, 'thr-auc_roc');
  expect(auc).toBeLessThan(0.75);
  expect(await dataValue(page, 'curves-auc')).toBeCloseTo(auc, 12);
  await expect(page.getByTestId('thr-auc_roc-status')).toHaveText('not met');
  await expect(page.getByTestId('clf-auc_roc-status')).toHaveText('not met');

  // 4. Move the slider with the keyboard only: to 0, up a few pages, then step by step.
  const slider = page.getByTestId('threshold-slider');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect.poll(() => dataValue(page, 'threshold-value')).toBe(0);
  for (let i = 0; i < 3; i++) await page.keyboard.press('PageUp');
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => dataValue(page, 'threshold-value')).toBeGreaterThan(0.007);
  const t = await dataValue(page, 'threshold-value');

  // 5. The matrix on screen equals the one counted from the downloaded labels and scores.
  const mine = await independentConfusion(page, t);
  expect(mine.rows).toBe(94_575);
  for (const k of ['tp', 'fp', 'tn', 'fn'] as const) expect(await dataValue(page, `cm-${k}`), k).toBe(mine[k]);
  // and the ROC marker sits at (FPR, TPR) of that threshold, moved by the same keypress
  const marker = page.getByTestId('roc-marker');
  await expect(marker).toHaveAttribute('data-threshold', String(t));
  await expect(marker).toHaveAttribute('data-drawn', 'true');
  expect(Number(await marker.getAttribute('data-fpr'))).toBeCloseTo(mine.fp / (mine.fp + mine.tn), 12);
  expect(Number(await marker.getAttribute('data-tpr'))).toBeCloseTo(mine.tp / (mine.tp + mine.fn), 12);
  await expect(page.getByTestId('roc-chart')).toHaveAttribute('data-drawn', 'true');

  // 6. The Runs cell lists both runs; ticking both overlays their curves and compares them side by side.
  await expect(page.locator('[data-testid^="run-row-"]')).toHaveCount(2);
  for (const box of await page.locator('[data-testid^="run-select-"]').all()) {
    await box.focus();
    await page.keyboard.press('Space');
  }
  await expect(page.getByTestId('runs-compare-clf-table')).toBeVisible();
  await expect(page.getByTestId('runs-roc-overlay')).toHaveAttribute('data-drawn', 'true');
  await press(page, 'runs-sort-auc');
  await expect(page.locator('[data-testid^="run-row-"]').first()).toContainText('#2');

  // 7. The regressor's residuals: the same metrics as its training cell, beside the mean baseline, in dollars.
  await press(page, 'train-regressor');
  await expect(page.getByTestId('res-metrics')).toBeVisible({ timeout: 150_000 });
  expect(await dataValue(page, 'res-rmse')).toBe(await dataValue(page, 'reg-rmse'));
  expect(await dataValue(page, 'res-baseline-rmse')).toBe(await dataValue(page, 'reg-baseline-rmse'));
  await expect(page.getByTestId('residuals-histogram')).toHaveAttribute('data-drawn', 'true');
  await expect(page.getByTestId('residuals-stale')).toHaveCount(0);
  // each scatter shades every test row (one image) and draws as many points as the cell says, fewer than the rows
  const testRows = await dataValue(page, 'residuals-test-rows');
  expect(await dataValue(page, 'residuals-shaded-rows')).toBe(testRows);
  const drawn = await dataValue(page, 'residuals-points-drawn');
  expect(drawn).toBeLessThan(testRows);
  for (const chart of ['residuals-pred-actual', 'residuals-vs-predicted']) {
    await expect(page.getByTestId(chart)).toHaveAttribute('data-drawn', 'true');
    await expect(page.getByTestId(chart).locator('svg image')).toHaveCount(1);
    await expect(page.getByTestId(chart).locator('g.trace.scatter path.point')).toHaveCount(drawn);
  }

  const shots = process.env.E2E_SHOTS;
  if (shots) {
    for (const k of ['threshold', 'curves', 'calibration', 'residuals', 'runs']) await page.getByTestId(`cell-${k}`).screenshot({ path: `${shots}/${k}.png` });
  }
});
