/** Issue 15 end to end: hostile files and corrupt saved state never blank the page, also after a reload. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { startFixtureServer } from './fixtureServer.ts';
import { openWorkbench } from './helpers.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-hostile-'));

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

/** Rewrites the saved snapshot in IndexedDB with `patch` applied. */
async function corruptSnapshot(page: Page, patch: Record<string, unknown>): Promise<void> {
  await page.evaluate(async (p) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('ml-workbench', 1);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const get = db.transaction('notebooks', 'readonly').objectStore('notebooks').get('current');
    const snap = await new Promise<Record<string, unknown>>((resolve) => { get.onsuccess = () => resolve(get.result as Record<string, unknown>); });
    const tx = db.transaction('notebooks', 'readwrite');
    tx.objectStore('notebooks').put({ ...snap, ...p }, 'current');
    await new Promise<void>((resolve) => { tx.oncomplete = () => resolve(); });
    db.close();
  }, patch);
}

for (const [name, patch] of [
  ['excluded: 5', { excluded: 5 }],
  ['transforms: null', { transforms: null }],
  ['a broken run', { results: { runs: [{ id: 'x', kind: 'regressor' }], activeRun: { classifier: null, regressor: 'x' } } }],
  ['cellIds of numbers', { cellIds: [1, 2, 3] }],
] as const) {
  test(`a saved notebook with ${name} starts a safe mode, never a blank page`, async ({ page }) => {
    await openWorkbench(page);
    await page.waitForTimeout(1500);
    await corruptSnapshot(page, patch);
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await expectNotBlank(page);
    }
  });
}
