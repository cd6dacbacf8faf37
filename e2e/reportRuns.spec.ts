/** The report's runs tables are readable at 800 px wide: every metric header is inside its table's own box, nothing overflows the page. */
import { expect, test } from '@playwright/test';
import { buildReportHtml } from '../src/report/html.ts';
import { syntheticReportInput } from '../test/reportFixture.ts';

/** Runs as the workbench records them: both kinds, all their metrics, and the long data settings (SHA-256, split, transforms). */
function reportWithRealisticRuns(): string {
  const input = syntheticReportInput({ testRows: 2000 });
  const sha = 'a3f5c2e9b1d4'.repeat(5).slice(0, 64);
  const data = (i: number) => ({
    data: i < 4 ? 'sessions_full.parquet (URL)' : 'training_data.parquet (bundled)', dataSha256: i < 4 ? sha : sha.split('').reverse().join(''), rows: 472871,
    split: 'by time on created_at: test from 2015-01-01, validation from 2014-10-17, fit before', filters: 'device_type = mobile; pages > 2',
    excluded: 'engagement_depth; session_id', transforms: 'engagement_depth capped at 4, log1p(pages)', dateParts: 'created_at: month, weekday, hour',
  });
  const runs = Array.from({ length: 8 }, (_, i) => i % 2 === 0
    ? {
      id: `run-m4x2k9-${i}`, name: `classifier #${i + 1}`, kind: 'classifier', backend: 'wasm',
      metrics: { auc_roc: 0.68 + i / 100, pr_auc: 0.17, f1_score: 0.18, precision: 0.12, recall: 0.41, log_loss: 0.61, brier: 0.21, threshold: 0.52 },
      settings: { model: 'gbdt', learningRate: 0.1, maxLeafNodes: 31, minSamplesLeaf: 20, classWeight: 'balanced', resampling: 'none', seed: 42, ...data(i) },
    }
    : {
      id: `run-m4x2k9-${i}`, name: `regressor #${i + 1}`, kind: 'regressor', backend: 'cpu',
      metrics: { rmse: 21.7 - i / 10, mae: 16.02, r2: 0.031, mape: 0.402 },
      settings: { model: 'linear', strategy: 'converting_only', target_transform: 'log1p', l2: 1, seed: 42, ...data(i) },
    });
  return buildReportHtml({ ...input, runs });
}

test('runs tables at 800 px: metric headers inside their container, the page does not scroll sideways', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 900 });
  await page.setContent(reportWithRealisticRuns());
  for (const kind of ['classifier', 'regressor']) {
    const table = page.getByTestId(`report-runs-${kind}`);
    await table.scrollIntoViewIfNeeded();
    const layout = await table.evaluate((t) => {
      /** how many lines an element's text takes */
      const lines = (el: Element): number => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
      };
      const wrap = t.parentElement as HTMLElement;
      const box = wrap.getBoundingClientRect();
      const style = getComputedStyle(wrap);
      return {
        wrapLeft: box.left, wrapRight: box.right, scrolls: wrap.scrollWidth > wrap.clientWidth, overflowX: style.overflowX,
        headers: [...t.querySelectorAll('thead th')].map((th) => {
          const r = th.getBoundingClientRect();
          return { text: th.textContent ?? '', left: r.left, right: r.right, clipped: th.scrollWidth > th.clientWidth + 1, lines: lines(th) };
        }),
        // the run's name, its kind's metrics: whole words, not a letter per line
        cells: [...t.querySelectorAll('tr.run-metrics td')].map((td) => ({ text: td.textContent ?? '', clipped: td.scrollWidth > td.clientWidth + 1, lines: lines(td) })),
      };
    });
    expect(layout.wrapRight).toBeLessThanOrEqual(800);
    // fits: every header (Run and each metric) lies inside the table's own box, none of its text cut off
    expect(layout.scrolls).toBe(false);
    for (const h of layout.headers) {
      expect(h.left, h.text).toBeGreaterThanOrEqual(layout.wrapLeft - 0.5);
      expect(h.right, h.text).toBeLessThanOrEqual(layout.wrapRight + 0.5);
      expect(h.clipped, h.text).toBe(false);
      expect(h.lines, h.text).toBeLessThanOrEqual(2);
    }
    for (const c of layout.cells) {
      expect(c.clipped, c.text).toBe(false);
      // the name cell holds the name and the run id: two lines
      expect(c.lines, c.text).toBeLessThanOrEqual(2);
    }
    expect(layout.headers.map((h) => h.text)).toEqual(kind === 'classifier'
      ? ['Run', 'ROC AUC', 'Average precision', 'F1', 'Precision', 'Recall', 'Log loss', 'Brier score', 'Threshold']
      : ['Run', 'RMSE', 'MAE', 'R²', 'MAPE']);
  }
  // the page itself never scrolls sideways
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
  // the best value is bolded among runs of the same data only: two data sets, so two bold AUCs
  const boldAuc = await page.getByTestId('report-runs-classifier').locator('tr.run-metrics').evaluateAll((rows) => rows.map((r) => r.children[1]?.classList.contains('best') ?? false));
  // runs 1 and 3 on one file, 5 and 7 on another: the better AUC of each pair (AUC grows with the run number)
  expect(boldAuc).toEqual([false, true, false, true]);
});
