/** Renders the ordered cells from the registry, each in a frame with its toolbar. */
import { useWorkbench } from './store.ts';
import { CELL_REGISTRY } from '../notebook-cells/registry.ts';
import { CellFrame } from './CellFrame.tsx';

export function Notebook() {
  const cellIds = useWorkbench((s) => s.cellIds);
  return (
    <main className="notebook" aria-label="notebook">
      {cellIds.map((id, i) => (
        <CellFrame key={id} id={id} index={i} registry={CELL_REGISTRY} />
      ))}
    </main>
  );
}
