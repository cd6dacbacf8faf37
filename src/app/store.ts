/** The one zustand store, combined from typed slices. */
import { create } from 'zustand';
import { createDataSlice, type DataSlice } from './dataSlice.ts';
import { createFeaturesSlice, type FeaturesSlice } from './featuresSlice.ts';
import { createNotebookSlice, type NotebookSlice } from './notebookSlice.ts';

export type WorkbenchState = DataSlice & FeaturesSlice & NotebookSlice;

export const useWorkbench = create<WorkbenchState>()((...a) => ({
  ...createDataSlice(...a),
  ...createFeaturesSlice(...a),
  ...createNotebookSlice(...a),
}));
