/** Issue 4, the notebook model: saved in IndexedDB and restored on reload (results included), one writer tab, undo delete, New notebook; permutation importance. */
import { test, expect, type Page } from '@playwright/test';
import { dataValue, openWorkbench, savedRunIds, savedSnapshot } from './helpers.ts';

/** Waits until the notebook was saved after the last change (the debounce has run and IndexedDB answered). */
async function waitSaved(page: Page, after = ''): Promise<string> {
  const status = page.getByTestId('save-status');
  await expect(status).toHaveAttribute('data-status', 'saved');
  await expect.poll(async () => (await status.getAttribute('data-saved-at')) ?? '').not.toBe(after);
  await expect(status).toHaveAttribute('data-status', 'saved');
  return (await status.getAttribute('data-saved-at')) ?? '';
}

async function trainLogistic(page: Page): Promise<number> {
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  return dataValue(page, 'clf-auc_roc');
}

test('the notebook, its settings and its results come back after a reload; a second tab is read-only', async ({ page, context }) => {
  await openWorkbench(page);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.getByTestId('exclude-leaks').click();
  await expect(page.getByTestId('leaks-excluded')).toBeVisible();
  await page.getByTestId('collapse-profile').click();
  await expect(page.getByTestId('cell-profile').locator('.cell-body')).toHaveCount(0);
  const auc = await trainLogistic(page);
  expect(auc).toBeGreaterThan(0.5);
  expect(auc).toBeLessThan(0.9); // engagement_depth left out
  const cellsBefore = await page.locator('[data-cell-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  // the run is in IndexedDB (saved 400 ms after it arrived) before anything reloads
  await expect.poll(() => savedRunIds(page), { timeout: 30_000 }).toHaveLength(1);
  await waitSaved(page);
  await expect(page.getByTestId('results-not-saved')).toHaveCount(0);

  // a second tab of the same notebook: read-only, nothing editable
  const second = await context.newPage();
  await second.goto('/');
  await expect(second.getByTestId('read-only-banner')).toBeVisible();
  await expect(second.getByTestId('save-status')).toHaveAttribute('data-status', 'read-only');
  await expect(second.getByTestId('run-all')).toBeDisabled();
  await expect(second.getByTestId('new-notebook')).toBeDisabled();
  await expect(second.getByTestId('clf-model')).toBeDisabled();
  await expect(second.getByTestId('clf-model')).toHaveValue('logistic');
  await second.screenshot({ path: `${process.env.E2E_OUT ?? 'test-results'}/read-only.png` });
  await second.close();

  await page.reload();
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  await expect(page.getByTestId('read-only-banner')).toHaveCount(0);
  const cellsAfter = await page.locator('[data-cell-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  expect(cellsAfter).toEqual(cellsBefore);
  await expect(page.getByTestId('cell-profile').locator('.cell-body')).toHaveCount(0);
  await expect(page.getByTestId('clf-model')).toHaveValue('logistic');
  await expect(page.getByTestId('leaks-excluded')).toBeVisible();
  // the result is back, and current (same data, same settings): not stale
  await expect(page.getByTestId('classifier-result')).toBeVisible();
  expect(await dataValue(page, 'clf-auc_roc')).toBe(auc);
  await expect(page.getByTestId('cell-trainClassifier')).toHaveAttribute('data-stale', 'false');
  await expect(page.getByTestId('stale-trainClassifier')).toHaveCount(0);
  // a changed hyperparameter makes it stale, visibly
  await page.getByTestId('clf-C').fill('0.5');
  await expect(page.getByTestId('stale-trainClassifier')).toBeVisible();
  await expect(page.getByTestId('cell-trainClassifier')).toHaveClass(/stale/);
});

test('a deleted cell comes back with Undo and with Ctrl+Z; New notebook resets; keyboard help', async ({ page }) => {
  await openWorkbench(page);
  const count = await page.locator('[data-cell-id]').count();
  await page.getByTestId('delete-leakage').click();
  await expect(page.getByTestId('cell-leakage')).toHaveCount(0);
  await expect(page.getByTestId('undo-toast')).toContainText('Leakage');
  await page.getByTestId('undo-delete').click();
  await expect(page.getByTestId('cell-leakage')).toHaveCount(1);
  await expect(page.locator('[data-cell-id]').nth(2)).toHaveAttribute('data-testid', 'cell-leakage');

  await page.getByTestId('delete-profile').click();
  await expect(page.getByTestId('cell-profile')).toHaveCount(0);
  await page.locator('body').press('Control+z');
  await expect(page.getByTestId('cell-profile')).toHaveCount(1);

  // move a cell with the keyboard
  await page.getByTestId('cell-profile').focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.locator('[data-cell-id]').nth(2)).toHaveAttribute('data-testid', 'cell-profile');
  await expect(page.getByTestId('cell-profile')).toBeFocused();

  // help popover with ?
  await page.getByTestId('help-button').focus();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcut-help')).toContainText('Shift+Enter');
  await page.screenshot({ path: `${process.env.E2E_OUT ?? 'test-results'}/help.png` });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcut-help')).toHaveCount(0);

  // change things, then New notebook (confirmed) brings back the default
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('add-cell').click();
  await page.getByTestId('add-cell-runs').click();
  await expect(page.locator('[data-cell-id]')).toHaveCount(count + 1);
  await page.getByTestId('new-notebook').click();
  await page.getByTestId('new-notebook-cancel').click();
  await expect(page.locator('[data-cell-id]')).toHaveCount(count + 1);
  await page.getByTestId('new-notebook').click();
  await page.getByTestId('new-notebook-confirm').click();
  await expect(page.locator('[data-cell-id]')).toHaveCount(count);
  await expect(page.locator('[data-cell-id]').nth(1)).toHaveAttribute('data-testid', 'cell-profile');
  await expect(page.getByTestId('clf-model')).toHaveValue('gbdt');
  const saved = await waitSaved(page);
  // the fresh notebook itself is saved (a save still under way from before could have been the one seen above)
  await expect.poll(async () => {
    const cells = (await savedSnapshot(page))?.notebook?.cells as Array<{ kind: string; config: { model?: string } }> | undefined;
    return [cells?.length, cells?.find((c) => c.kind === 'trainClassifier')?.config.model];
  }, { timeout: 30_000 }).toEqual([count, 'gbdt']);
  await page.reload();
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  await expect(page.locator('[data-cell-id]')).toHaveCount(count);
  await expect(page.getByTestId('clf-model')).toHaveValue('gbdt');
  expect(saved).not.toBe('');
});

test('permutation importance of both models: real feature names on top, bars with error bars', async ({ page }) => {
  await openWorkbench(page);
  await page.getByTestId('exclude-leaks').click();
  await page.getByTestId('clf-model').selectOption('logistic');
  await expect(page.getByTestId('reg-model')).toHaveValue('linear');
  // Run all: both models train in parallel, then importance runs because the notebook has that cell
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('classifier-result')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('regressor-result')).toBeVisible({ timeout: 150_000 });
  const featureNames = await page.evaluate(() => {
    // the leakage table lists every candidate feature of the data
    return [...document.querySelectorAll('[data-testid^="leakage-row-"]')].map((e) => (e.getAttribute('data-testid') ?? '').replace('leakage-row-', ''));
  });
  expect(featureNames.length).toBeGreaterThan(3);
  await expect(page.getByTestId('importance-clf-table')).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('importance-reg-table')).toBeVisible({ timeout: 150_000 });
  const top = (await page.getByTestId('importance-clf-top').textContent())?.trim() ?? '';
  expect(featureNames).toContain(top);
  expect(top).not.toBe('engagement_depth');
  const topDrop = Number(await page.getByTestId('importance-clf-row').first().locator('td').nth(3).getAttribute('data-value'));
  expect(topDrop).toBeGreaterThan(0.01);
  const rows = await page.getByTestId('importance-clf-row').count();
  expect(rows).toBeGreaterThan(2);
  await expect(page.getByTestId('importance-clf-chart')).toHaveAttribute('data-drawn', 'true');
  await expect(page.getByTestId('importance-reg-chart')).toHaveAttribute('data-drawn', 'true');
  // one bar per feature, drawn by Plotly
  await expect(page.getByTestId('importance-clf-chart').locator('.bars .point')).toHaveCount(rows);
  await expect(page.getByTestId('importance-clf-chart').locator('.errorbar')).toHaveCount(rows);
  await expect(page.getByTestId('cell-importance')).toHaveAttribute('data-stale', 'false');
  // Shift+Enter on the focused cell runs it again, here with 3 repeats
  await page.getByTestId('importance-repeats').fill('3');
  await page.getByTestId('cell-importance').focus();
  await page.keyboard.press('Shift+Enter');
  await expect(page.getByTestId('importance-clf-table').locator('caption')).toContainText('3 repeats', { timeout: 150_000 });
  await expect(page.getByTestId('importance-reg-table').locator('caption')).toContainText('3 repeats', { timeout: 150_000 });
  await page.screenshot({ path: `${process.env.E2E_OUT ?? 'test-results'}/importance.png`, fullPage: false });
  await page.getByTestId('cell-importance').scrollIntoViewIfNeeded();
  await page.getByTestId('cell-importance').screenshot({ path: `${process.env.E2E_OUT ?? 'test-results'}/importance-cell.png` });
});
