/** The keyboard shortcuts of the notebook (what each cell's Run does is in its definition, `src/notebook-cells/registry.ts`). */

/** The keyboard shortcuts, for the help popover and the handler. */
export const SHORTCUTS: ReadonlyArray<readonly [keys: string, what: string]> = [
  ['Tab / Shift+Tab', 'move between cells and controls'],
  ['Shift+Enter', 'run the focused cell (training cells train)'],
  ['Ctrl+Shift+Enter', 'run all'],
  ['Alt+↑ / Alt+↓', 'move the focused cell up / down'],
  ['Ctrl+Z', 'undo the last cell deletion (again for the one before)'],
  ['Esc', 'cancel a data load; close a menu or this help'],
  ['?', 'show or hide this help'],
];
