/** Issue 11: Duplicate gives an independent cell. A copied Train classifier cell with another model trains its own run; both reach the Runs cell; no DOM id repeats. */
import { test, expect, type Locator, type Page } from '@playwright/test';
import { openWorkbench } from './helpers.ts';

/** Ids used by more than one element on the page. */
async function repeatedIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
}

/** Trains one Train classifier cell and waits for its own result. */
async function train(cell: Locator): Promise<void> {
  await cell.getByTestId('train-classifier').click();
  await expect(cell.getByTestId('classifier-result')).toBeVisible({ timeout: 240_000 });
}

test('a duplicated Train classifier cell owns its settings: both cells train their own run, both runs are listed, no id repeats', async ({ page }) => {
  test.setTimeout(600_000);
  await openWorkbench(page);
  await page.getByTestId('exclude-leaks').click();
  const cells = page.getByTestId('cell-trainClassifier');
  await expect(cells).toHaveCount(1);
  const original = cells.nth(0);
  await original.getByTestId('clf-model').selectOption('logistic');

  await page.getByTestId('duplicate-trainClassifier').click();
  await expect(cells).toHaveCount(2);
  const copy = cells.nth(1);
  // the copy starts as a copy of the settings…
  await expect(copy.getByTestId('clf-model')).toHaveValue('logistic');
  expect(await original.getAttribute('data-cell-id')).not.toBe(await copy.getAttribute('data-cell-id'));
  // …and then owns them: another model, another seed, the original is untouched
  await copy.getByTestId('clf-model').selectOption('mlp');
  await copy.getByLabel('hidden units per layer').fill('8');
  await copy.getByTestId('clf-epochs').fill('2');
  await copy.getByTestId('clf-seed').fill('7');
  await expect(original.getByTestId('clf-model')).toHaveValue('logistic');
  await expect(original.getByTestId('clf-seed')).toHaveValue('42');
  await expect(original.getByTestId('clf-C')).toBeVisible();

  await train(original);
  await train(copy);

  // each cell shows the run its own settings made
  await expect(original.getByTestId('classifier-result')).toContainText('logistic regression');
  await expect(copy.getByTestId('classifier-result')).toContainText('MLP 8');
  await expect(copy.getByTestId('classifier-result')).toContainText('seed 7');
  await expect(original.getByTestId('classifier-result')).toContainText('seed 42');
  await expect(original.getByTestId('classifier-stale')).toHaveCount(0);
  await expect(copy.getByTestId('classifier-stale')).toHaveCount(0);

  // both runs reach the Runs cell
  const rows = page.getByTestId('runs-table').locator('[data-testid^="run-row-"]');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'model_type logistic; C 1;' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'model_type mlp; hidden_units 8;' })).toHaveCount(1);

  // changing the copy's settings makes only the copy stale
  await copy.getByTestId('clf-seed').fill('8');
  await expect(copy.getByTestId('classifier-stale')).toBeVisible();
  await expect(original.getByTestId('classifier-stale')).toHaveCount(0);

  expect(await repeatedIds(page)).toEqual([]);
  // a second Threshold cell (its slider has an id) still repeats no id
  await page.getByTestId('duplicate-threshold').click();
  await expect(page.getByTestId('cell-threshold')).toHaveCount(2);
  expect(await repeatedIds(page)).toEqual([]);
});
