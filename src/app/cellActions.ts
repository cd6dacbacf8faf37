/** What "Run" means for each cell kind that has an action (train, compute); view cells recompute by themselves. */
import type { CellKind } from './notebookSlice.ts';
import type { WorkbenchState } from './store.ts';

export interface CellAction {
  /** the button's text */
  readonly label: string;
  run(s: WorkbenchState): void;
  busy(s: WorkbenchState): boolean;
}

/** The cells with an action: Shift+Enter or the frame's Run button runs it. */
export const CELL_ACTIONS: Readonly<Partial<Record<CellKind, CellAction>>> = {
  trainClassifier: {
    label: 'Train',
    run: (s) => void s.train('classifier'),
    busy: (s) => s.jobs.classifier.status === 'running',
  },
  trainRegressor: {
    label: 'Train',
    run: (s) => void s.train('regressor'),
    busy: (s) => s.jobs.regressor.status === 'running',
  },
  importance: {
    label: 'Run',
    run: (s) => void s.runImportance(),
    busy: (s) => s.importance.classifier.status === 'running' || s.importance.regressor.status === 'running',
  },
};

/** The keyboard shortcuts, for the help popover and the handler. */
export const SHORTCUTS: ReadonlyArray<readonly [keys: string, what: string]> = [
  ['Tab / Shift+Tab', 'move between cells and controls'],
  ['Shift+Enter', 'run the focused cell (training cells train)'],
  ['Ctrl+Shift+Enter', 'run all'],
  ['Alt+↑ / Alt+↓', 'move the focused cell up / down'],
  ['Ctrl+Z', 'undo the last cell deletion'],
  ['Esc', 'cancel a data load; close a menu or this help'],
  ['?', 'show or hide this help'],
];
