/** The one zustand store, combined from typed slices. */
import { create } from 'zustand';
import { createDataSlice, type DataSlice } from './dataSlice.ts';
import { createFeaturesSlice, type FeaturesSlice } from './featuresSlice.ts';
import { createNotebookSlice, type NotebookSlice } from './notebookSlice.ts';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice.ts';
import { createSearchSlice, type SearchSlice } from './searchSlice.ts';
import { createShareSlice, type ShareSlice } from './shareSlice.ts';
import { createImportanceSlice, type ImportanceSlice } from './importanceSlice.ts';
import { createPersistenceSlice, type PersistenceSlice } from './persistenceSlice.ts';
import { createExportSlice, type ExportSlice } from './exportSlice.ts';
import { createDataSettingsSlice, type DataSettingsSlice } from './dataSettingsSlice.ts';
import { createShapSlice, type ShapSlice } from './shapSlice.ts';
import { createTargetsSlice, type TargetsSlice } from './targetsSlice.ts';

export type WorkbenchState = DataSlice & FeaturesSlice & NotebookSlice & TrainingSlice & SearchSlice & ShareSlice & ImportanceSlice & PersistenceSlice & ExportSlice & DataSettingsSlice & ShapSlice & TargetsSlice;

export const useWorkbench = create<WorkbenchState>()((...a) => ({
  ...createDataSlice(...a),
  ...createFeaturesSlice(...a),
  ...createNotebookSlice(...a),
  ...createTrainingSlice(...a),
  ...createSearchSlice(...a),
  ...createShareSlice(...a),
  ...createImportanceSlice(...a),
  ...createPersistenceSlice(...a),
  ...createExportSlice(...a),
  ...createDataSettingsSlice(...a),
  ...createShapSlice(...a),
  ...createTargetsSlice(...a),
}));
