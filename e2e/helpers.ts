/** Shared end-to-end helpers. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

/** The shared data folder beside the project (a copy of it sits beside the clone in CI). */
export const SHARED_DATA = path.resolve(process.cwd(), '../shared/data');
export const RAW_FILE = path.join(SHARED_DATA, 'sessions_raw.parquet');
export const ONE_HOT_FILE = path.join(SHARED_DATA, 'training_data.parquet');

/** Opens the workbench and waits for the bundled data. */
export async function openWorkbench(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('data-rows')).toHaveAttribute('data-value', '472871', { timeout: 60_000 });
  // validation, profile and leakage arrive from the data worker after the rows; the Train buttons wait for them
  await expect(page.getByTestId('validation-ok')).toBeVisible({ timeout: 60_000 });
}

/** Reads a numeric data-value attribute. */
export async function dataValue(page: Page, testId: string): Promise<number> {
  const v = await page.getByTestId(testId).first().getAttribute('data-value');
  return Number(v);
}

/** A numeric CSV as header + rows. */
export function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const [head = '', ...lines] = text.trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

/** Clicks a download button and returns the downloaded file's text. */
export async function downloadText(page: Page, testId: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return fs.readFileSync(await download.path(), 'utf8');
}

/** The notebook snapshot the app saved in IndexedDB (undefined before its first save): what a reload restores. */
export interface SavedSnapshot {
  readonly notebook?: Record<string, unknown>;
  readonly results?: { readonly runs?: ReadonlyArray<{ readonly id: string }> };
}

/** Reads the saved snapshot: wait on it (expect.poll) before a reload instead of sleeping through the debounced save. */
export function savedSnapshot(page: Page): Promise<SavedSnapshot | undefined> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('ml-workbench', 1);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      // a page that opens the database first creates its store, as the app does
      req.onupgradeneeded = () => { req.result.createObjectStore('notebooks'); };
    });
    const get = db.transaction('notebooks', 'readonly').objectStore('notebooks').get('current');
    const snap = await new Promise<SavedSnapshot | undefined>((resolve) => { get.onsuccess = () => resolve(get.result as SavedSnapshot | undefined); });
    db.close();
    return snap;
  });
}

/** The ids of the runs in the saved snapshot. */
export async function savedRunIds(page: Page): Promise<string[]> {
  return ((await savedSnapshot(page))?.results?.runs ?? []).map((r) => r.id);
}
