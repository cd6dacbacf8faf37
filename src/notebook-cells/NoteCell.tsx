/** Note: a few lines of text kept with the notebook (in its file, link and saved copy), one note per cell. */
import * as v from 'valibot';
import { useWorkbench } from '../app/store.ts';
import { cellOfKind } from '../app/notebookSlice.ts';
import { text } from '../notebook/settings.ts';
import { defineCell, type CellProps } from './cellDefinition.ts';

function NoteCell({ cellId }: CellProps) {
  const note = useWorkbench((s) => cellOfKind(s, cellId, 'note')?.config.text ?? '');
  const setCellSettings = useWorkbench((s) => s.setCellSettings);
  return (
    <textarea id={`${cellId}-text`} aria-label="note" rows={3} value={note} data-testid="note-text"
      onChange={(e) => setCellSettings(cellId, 'note', { text: e.target.value })} />
  );
}

export const noteCell = defineCell({ kind: 'note', title: 'Note', settings: v.strictObject({ text: v.optional(text(), '') }), render: NoteCell });
