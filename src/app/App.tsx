/** The workbench shell: header, data source bar and the notebook. */
import { useEffect } from 'react';
import { useWorkbench } from './store.ts';
import { BUNDLED_URL } from './dataSlice.ts';
import { SourceBar } from './SourceBar.tsx';
import { Notebook } from './Notebook.tsx';

export function App() {
  const startLoad = useWorkbench((s) => s.startLoad);
  useEffect(() => {
    // the bundled data loads on open, no click needed
    if (useWorkbench.getState().load.status === 'idle') {
      startLoad({ kind: 'url', url: BUNDLED_URL, name: 'training_data.parquet', bundled: true });
    }
  }, [startLoad]);
  return (
    <div className="app">
      <header className="app-header">
        <h1>ML Workbench</h1>
        <span className="subtitle">conversion &amp; revenue models, in your browser</span>
      </header>
      <SourceBar />
      <Notebook />
    </div>
  );
}
