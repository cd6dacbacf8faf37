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

/** A change to the saved snapshot (`editSavedSnapshot`), applied in the page: its typed arrays never leave it. */
export interface SnapshotEdit {
  /** fields replaced at the top of the snapshot */
  readonly top?: Record<string, unknown>;
  /** fields replaced in its notebook document */
  readonly notebook?: Record<string, unknown>;
  /** a config given to every cell of this kind */
  readonly cellConfig?: { readonly kind: string; readonly config: unknown };
  /** the only saved run, owned by the first cell of `kind` and active for no model */
  readonly runOfCell?: { readonly kind: string; readonly run: Record<string, unknown> };
}

/** The one place e2e opens the app's IndexedDB: reads the saved snapshot, or (with `edit`) rewrites it and reads nothing. */
function notebookStore(page: Page, edit: SnapshotEdit | null): Promise<SavedSnapshot | undefined> {
  return page.evaluate(async (e) => {
    const done = <T>(req: IDBRequest<T>): Promise<T> => new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('indexeddb request failed'));
    });
    const open = indexedDB.open('ml-workbench', 1);
    // a page that opens the database first creates its store, as the app does
    open.onupgradeneeded = () => { open.result.createObjectStore('notebooks'); };
    const db = await done(open);
    try {
      const tx = db.transaction('notebooks', e === null ? 'readonly' : 'readwrite');
      const snap = await done(tx.objectStore('notebooks').get('current')) as Record<string, unknown> | undefined;
      if (e === null) return snap as SavedSnapshot | undefined;
      if (snap === undefined) throw new Error('no saved snapshot to edit; wait for the app to save first');
      const notebook = { ...(snap.notebook as Record<string, unknown>), ...(e.notebook ?? {}) };
      const cells = (): Array<Record<string, unknown>> => notebook.cells as Array<Record<string, unknown>>;
      if (e.cellConfig) {
        const { kind, config } = e.cellConfig;
        notebook.cells = cells().map((cell) => (cell.kind === kind ? { ...cell, config } : cell));
      }
      const top = { ...(e.top ?? {}) };
      if (e.runOfCell) {
        const { kind, run } = e.runOfCell;
        const cellId = cells().find((cell) => cell.kind === kind)?.id;
        top.results = { runs: [{ ...run, cellId }], activeRun: { classifier: null, regressor: null }, freshRunIds: [] };
      }
      await done(tx.objectStore('notebooks').put({ ...snap, notebook, ...top }, 'current'));
      await new Promise<void>((resolve, reject) => { tx.oncomplete = () => resolve(); tx.onerror = () => reject(tx.error ?? new Error('indexeddb write failed')); });
      return undefined;
    } finally {
      db.close();
    }
  }, edit);
}

/** Reads the saved snapshot: wait on it (expect.poll) before a reload instead of sleeping through the debounced save. */
export function savedSnapshot(page: Page): Promise<SavedSnapshot | undefined> {
  return notebookStore(page, null);
}

/** Rewrites the saved snapshot with `edit` applied (on a page where the app is not running, so no save overwrites it). */
export async function editSavedSnapshot(page: Page, edit: SnapshotEdit): Promise<void> {
  await notebookStore(page, edit);
}

/** The ids of the runs in the saved snapshot. */
export async function savedRunIds(page: Page): Promise<string[]> {
  return ((await savedSnapshot(page))?.results?.runs ?? []).map((r) => r.id);
}
