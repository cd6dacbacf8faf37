/**
 * Issue 12, "why this prediction": the SHAP cell on the bundled data. A linear model is refused with a one-line reason;
 * gbdt trained without the leak is explained on a seeded sample of test rows (the count stated), with the file's own
 * column names and a one-hot group as one feature, and a picked row's waterfall ends at the score the run stored.
 */
import { test, expect, type Locator } from '@playwright/test';
import { downloadText, openWorkbench } from './helpers.ts';

async function valueOf(l: Locator): Promise<number> {
  return Number(await l.getAttribute('data-value'));
}

test('SHAP cell explains gbdt with real feature names, a stated sample and a waterfall that ends at the row\'s score', async ({ page }) => {
  test.setTimeout(240_000);
  await openWorkbench(page);
  const shap = page.getByTestId('shap-cell');
  await expect(shap.getByTestId('shap-reason')).toHaveText(/no classifier trained yet/);

  await page.getByTestId('exclude-leaks').click();
  await page.getByTestId('clf-model').selectOption('logistic');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(shap.getByTestId('shap-reason')).toHaveText('SHAP is computed for tree models; train gbdt or rf (the classifier is logistic)');
  await expect(shap.getByTestId('shap-run')).toBeDisabled();

  await page.getByTestId('clf-model').selectOption('gbdt');
  await page.getByTestId('train-classifier').click();
  await expect(page.getByTestId('classifier-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(shap.getByTestId('shap-reason')).toHaveCount(0);
  await expect(shap.getByTestId('shap-sample-size')).toHaveValue('1000');
  await shap.getByTestId('shap-run').click();
  await expect(shap).toHaveAttribute('data-status', 'done', { timeout: 60_000 });

  // the sample is stated: 1,000 of the test rows, seed 42 (the test split is 20 % of the file's rows)
  const rows = shap.getByTestId('shap-rows');
  await expect(rows).toHaveAttribute('data-value', '1000');
  const total = Number(await rows.getAttribute('data-total'));
  expect(total).toBeGreaterThan(90_000);
  await expect(rows).toContainText(`1,000 of ${total.toLocaleString('en-US')} test rows, seed 42`);

  // the file's own columns, a one-hot group as one feature named by its column, never the excluded leak
  const features = await shap.getByTestId('shap-feature').evaluateAll((els) => els.map((e) => e.getAttribute('data-feature') ?? ''));
  expect(features).toContain('hour_of_day');
  expect(features).toContain('landing_page');
  expect(features.some((f) => f.startsWith('landing_page_'))).toBe(false);
  expect(features).not.toContain('engagement_depth');
  const means = await shap.getByTestId('shap-feature').evaluateAll((els) => els.map((e) => Number(e.querySelector('[data-value]')?.getAttribute('data-value'))));
  expect(means.every((m) => m >= 0)).toBe(true);
  expect([...means].sort((a, b) => b - a)).toEqual(means);
  await expect(shap.getByTestId('shap-summary-chart')).toHaveAttribute('data-drawn', 'true');
  await expect(shap.getByTestId('shap-beeswarm')).toHaveAttribute('data-drawn', 'true');
  // both cores: the trees were split between two workers (their sum equals one run: unit-tested)
  await expect(shap.getByTestId('shap-ms')).toHaveAttribute('data-workers', '2');
  await expect(shap.getByTestId('shap-ms')).toContainText('in 2 workers, trees split between them');
  // the two blocks of trees add up: every sampled row's values sum to its own score (a missing or doubled block would not)
  expect(Number(await shap.getByTestId('shap-additivity').getAttribute('data-value'))).toBeLessThan(1e-6);

  // test row 0's waterfall: expected value + contributions = the model's log-odds, whose sigmoid is the stored P
  const check = async (row: number): Promise<void> => {
    const w = shap.getByTestId('shap-waterfall');
    await expect(w).toHaveAttribute('data-test-row', String(row));
    await expect(w).toContainText(`test row ${row.toLocaleString('en-US')} (`);
    const expected = await valueOf(w.getByTestId('shap-waterfall-expected'));
    const steps = await w.getByTestId('shap-waterfall-step').evaluateAll((els) => els.map((e) => Number(e.querySelector('[data-value]')?.getAttribute('data-value'))));
    expect(steps).toHaveLength(features.length);
    const end = await valueOf(w.getByTestId('shap-waterfall-total'));
    expect(Math.abs(expected + steps.reduce((a, b) => a + b, 0) - end)).toBeLessThan(1e-9);
    expect(Math.abs(end - (await valueOf(w.getByTestId('shap-row-raw'))))).toBeLessThan(1e-6);
    expect(Math.abs((await valueOf(w.getByTestId('shap-waterfall-probability'))) - (await valueOf(w.getByTestId('shap-row-stored'))))).toBeLessThan(1e-6);
  };
  await check(0);
  await shap.getByTestId('shap-row').fill('4321');
  await shap.getByTestId('shap-row').press('Tab');
  await shap.getByTestId('shap-explain-row').press('Enter');
  await check(4321);

  // the row's own values: a one-hot group shows its level, a column its number
  const values = await shap.getByTestId('shap-waterfall-step').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-feature'), e.querySelector('[data-testid="shap-waterfall-value"]')?.textContent])));
  expect(values.landing_page).toMatch(/^\/lander-\d$|^none of its levels$/);
  expect(Number(values.hour_of_day)).toBeGreaterThanOrEqual(0);
  expect(Number(values.hour_of_day)).toBeLessThan(24);

  // from the confusion matrix: the next false negative is a positive row the model scored under the threshold
  const threshold = Number(await page.getByTestId('threshold-value').getAttribute('data-value'));
  await page.getByTestId('explain-fn').click();
  const w = shap.getByTestId('shap-waterfall');
  await expect(w.getByTestId('shap-row-why')).toHaveText(/^a false negative at threshold /);
  const fnRow = Number(await w.getAttribute('data-test-row'));
  expect(fnRow).toBeGreaterThan(4321);
  await check(fnRow);
  expect(await valueOf(w.getByTestId('shap-row-actual'))).toBe(1);
  expect(await valueOf(w.getByTestId('shap-row-stored'))).toBeLessThan(threshold);
  await page.getByTestId('explain-fp').click();
  await expect(w.getByTestId('shap-row-why')).toHaveText(/^a false positive at threshold /);
  await check(Number(await w.getAttribute('data-test-row')));
  expect(await valueOf(w.getByTestId('shap-row-actual'))).toBe(0);
  expect(await valueOf(w.getByTestId('shap-row-stored'))).toBeGreaterThanOrEqual(threshold);

  // the report carries the summary with its row count
  const report = await downloadText(page, 'download-report');
  expect(report).toContain('<section class="card" id="shap"');
  expect(report).toContain(`over 1,000 of ${total.toLocaleString('en-US')} test rows (seeded sample, seed 42), in log-odds`);
  expect(report).toContain(`<td class="mono">${features[0]}</td>`);

  // a row outside the test split is named with the valid range
  await shap.getByTestId('shap-row').fill(String(total + 5));
  await expect(shap.getByTestId('shap-row')).toHaveAttribute('aria-invalid', 'true');
});
