/** The share slice: what a notebook link or an imported notebook file asks of the user (supply a file, run all). */
import type { StateCreator } from 'zustand';
import type { WorkbenchState } from './store.ts';

/** A notebook rebuilt from a link or a file, and what is left for the user to do. */
export interface SharedNotebookNotice {
  readonly from: 'link' | 'file';
  readonly name: string;
  /** the local file the notebook was made on, which the reader must supply; null when the data loads by itself */
  readonly dataFile: string | null;
  /** the notebook's data URL, not fetched until the user says Load: it differs from the data in use (a link must not fetch by itself) */
  readonly pendingData: { readonly name: string; readonly url: string } | null;
  /** the saved notebook this one replaced is kept in IndexedDB (`REPLACED_NOTEBOOK_KEY`) for download */
  readonly replacedSaved: boolean;
}

export interface ShareSlice {
  sharedNotebook: SharedNotebookNotice | null;
  /** a link that could not be opened, for the banner */
  sharedNotebookError: string | null;
  setSharedNotebook(notice: SharedNotebookNotice | null, error?: string | null): void;
  /** the user's one answer, for this tab's session, to "include the data URL's secrets in what leaves the page?" (default no) */
  shareSecrets: boolean;
  setShareSecrets(keep: boolean): void;
}

const SHARE_SECRETS_KEY = 'ml-workbench.share-secrets';

function storedShareSecrets(): boolean {
  try {
    return typeof sessionStorage !== 'undefined' && sessionStorage.getItem(SHARE_SECRETS_KEY) === 'yes';
  } catch {
    return false; // storage blocked: ask again
  }
}

export const createShareSlice: StateCreator<WorkbenchState, [], [], ShareSlice> = (set) => ({
  sharedNotebook: null,
  sharedNotebookError: null,
  setSharedNotebook(notice, error = null) {
    set({ sharedNotebook: notice, sharedNotebookError: error });
  },
  shareSecrets: storedShareSecrets(),
  setShareSecrets(keep) {
    try {
      if (keep) sessionStorage.setItem(SHARE_SECRETS_KEY, 'yes');
      else sessionStorage.removeItem(SHARE_SECRETS_KEY);
    } catch {
      // storage blocked: the choice lasts until the page closes
    }
    set({ shareSecrets: keep });
  },
});
