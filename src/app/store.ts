/** The one zustand store, combined from typed slices. */
import { create } from 'zustand';
import { createDataSlice, type DataSlice } from './dataSlice.ts';
import { createFeaturesSlice, type FeaturesSlice } from './featuresSlice.ts';
import { createNotebookSlice, type NotebookSlice } from './notebookSlice.ts';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice.ts';

export type WorkbenchState = DataSlice & FeaturesSlice & NotebookSlice & TrainingSlice;

export const useWorkbench = create<WorkbenchState>()((...a) => ({
  ...createDataSlice(...a),
  ...createFeaturesSlice(...a),
  ...createNotebookSlice(...a),
  ...createTrainingSlice(...a),
}));
