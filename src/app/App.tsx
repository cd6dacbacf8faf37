/** The workbench shell: header, data source bar, notebook toolbar and the notebook. */
import { useEffect } from 'react';
import { useWorkbench } from './store.ts';
import { SourceBar } from './SourceBar.tsx';
import { NotebookLinkBanner } from './NotebookLinkBanner.tsx';
import { Notebook } from './Notebook.tsx';
import { NotebookToolbar } from './NotebookToolbar.tsx';
import { UndoToast } from './UndoToast.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { downloadSavedState } from './cellRecovery.ts';

export function App() {
  const startPersistence = useWorkbench((s) => s.startPersistence);
  useEffect(() => {
    // restores the saved notebook and loads its data (the bundled data when there is none), no click needed
    void startPersistence();
  }, [startPersistence]);
  return (
    <div className="app">
      <header className="app-header">
        <h1>ML Workbench</h1>
        <span className="subtitle">conversion &amp; revenue models, in your browser</span>
      </header>
      {/* whatever throws below, the header and a way out stay on screen */}
      <ErrorBoundary what="the workbench" testId="app-error" actions={[
        { label: 'Start a new notebook', testId: 'app-error-new-notebook', run: () => useWorkbench.getState().newNotebook() },
        { label: 'Download the saved state', testId: 'app-error-download', run: downloadSavedState },
      ]}>
        <SourceBar />
        <NotebookLinkBanner />
        <NotebookToolbar />
        <Notebook />
        <UndoToast />
      </ErrorBoundary>
    </div>
  );
}
