import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';
import { useWorkbench } from './store.ts';

// the default notebook (a saved or linked one replaces it once read)
useWorkbench.getState().resetNotebook();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
