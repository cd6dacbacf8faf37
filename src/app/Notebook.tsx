/** Renders the ordered cells from the registry, each in a frame with its toolbar; a read-only tab disables every control. */
import { useWorkbench } from './store.ts';
import { CellFrame } from './CellFrame.tsx';

export function Notebook() {
  const cellIds = useWorkbench((s) => s.cellIds);
  const readOnly = useWorkbench((s) => s.persistence.readOnly);
  return (
    <main className="notebook" aria-label="notebook" data-read-only={readOnly}>
      {/* a disabled fieldset disables every button, input and select inside it */}
      <fieldset className="notebook-fieldset" disabled={readOnly}>
        <legend className="visually-hidden">cells</legend>
        {cellIds.map((id, i) => (
          <CellFrame key={id} id={id} index={i} />
        ))}
      </fieldset>
    </main>
  );
}
