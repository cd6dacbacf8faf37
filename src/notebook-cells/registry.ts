/** The cell registry: every cell kind, defined once. Adding a kind is its own file and one line here. */
import { ClassifierCellSchema, DataCellSchema, ExportCellSchema, RegressorCellSchema } from '../notebook/settings.ts';
import { isImportanceOutdated } from '../app/importanceSlice.ts';
import { jobOf } from '../app/trainingSlice.ts';
import { registerCellKinds } from '../app/notebookSlice.ts';
import { defineCell, type CellAction } from './cellDefinition.ts';
import { DataCell } from './DataCell.tsx';
import { ProfileCell } from './ProfileCell.tsx';
import { LeakageCell } from './LeakageCell.tsx';
import { FeaturesCell } from './FeaturesCell.tsx';
import { TrainClassifierCell } from './TrainClassifierCell.tsx';
import { TrainRegressorCell } from './TrainRegressorCell.tsx';
import { ImportanceCell } from './ImportanceCell.tsx';
import { ThresholdCell } from './ThresholdCell.tsx';
import { CurvesCell } from './CurvesCell.tsx';
import { CalibrationCell } from './CalibrationCell.tsx';
import { ResidualsCell } from './ResidualsCell.tsx';
import { RunsCell } from './RunsCell.tsx';
import { ExportCell } from './ExportCell.tsx';
import { ReportCell } from './ReportCell.tsx';
import { SearchCell } from './SearchCell.tsx';
import { ImbalanceLabCell } from './ImbalanceLabCell.tsx';
import { RevenueGainCell } from './RevenueGainCell.tsx';
import { noteCell } from './NoteCell.tsx';
import { shapCell } from './ShapCell.tsx';

export type { CellAction, CellDefinition, CellProps } from './cellDefinition.ts';

/** Train cells train with their own settings; Run trains this cell. */
const TRAIN: CellAction = {
  label: 'Train',
  run: (s, id) => void s.train(id),
  busy: (s, id) => jobOf(s, id).status === 'running',
};

const IMPORTANCE: CellAction = {
  label: 'Run',
  run: (s) => void s.runImportance(),
  busy: (s) => s.importance.classifier.status === 'running' || s.importance.regressor.status === 'running',
};

/** Every cell kind; `CellKind` is its keys, so a kind without a definition cannot exist. */
export const CELL_REGISTRY = {
  data: defineCell({ kind: 'data', title: 'Data', settings: DataCellSchema, render: DataCell }),
  profile: defineCell({ kind: 'profile', title: 'Profile', render: ProfileCell }),
  leakage: defineCell({ kind: 'leakage', title: 'Leakage check', render: LeakageCell }),
  features: defineCell({ kind: 'features', title: 'Features', render: FeaturesCell }),
  trainClassifier: defineCell({
    kind: 'trainClassifier', title: 'Train classifier', targets: ['class'], settings: ClassifierCellSchema, dependsOn: ['classifier'], action: TRAIN, render: TrainClassifierCell,
  }),
  threshold: defineCell({ kind: 'threshold', title: 'Decision threshold', targets: ['class'], dependsOn: ['classifier'], render: ThresholdCell }),
  curves: defineCell({ kind: 'curves', title: 'ROC, precision-recall and F1 curves', targets: ['class'], dependsOn: ['classifier'], render: CurvesCell }),
  calibration: defineCell({ kind: 'calibration', title: 'Calibration', targets: ['class'], dependsOn: ['classifier'], render: CalibrationCell }),
  trainRegressor: defineCell({
    kind: 'trainRegressor', title: 'Train regressor', targets: ['regression'], settings: RegressorCellSchema, dependsOn: ['regressor'], action: TRAIN, render: TrainRegressorCell,
  }),
  residuals: defineCell({ kind: 'residuals', title: 'Residuals', targets: ['regression'], dependsOn: ['regressor'], render: ResidualsCell }),
  importance: defineCell({
    kind: 'importance', title: 'Permutation importance (test split)', dependsOn: ['classifier', 'regressor'], action: IMPORTANCE, render: ImportanceCell,
    outdated: (s) => isImportanceOutdated(s, 'classifier') || isImportanceOutdated(s, 'regressor'),
  }),
  shap: shapCell,
  runs: defineCell({ kind: 'runs', title: 'Runs', render: RunsCell }),
  export: defineCell({ kind: 'export', title: 'Export to MLflow', settings: ExportCellSchema, render: ExportCell }),
  report: defineCell({ kind: 'report', title: 'Report, link and notebook file', render: ReportCell }),
  search: defineCell({ kind: 'search', title: 'Hyperparameter search (k-fold CV, worker pool)', render: SearchCell }),
  imbalance: defineCell({ kind: 'imbalance', title: 'Imbalance lab', targets: ['class'], render: ImbalanceLabCell }),
  revenueGain: defineCell({ kind: 'revenueGain', title: 'Two-stage: expected value and gain', targets: ['class', 'regression'], render: RevenueGainCell }),
  note: noteCell,
} as const;

/** Every kind of cell. */
export type CellKind = keyof typeof CELL_REGISTRY;

/** The registry, as a complete record: each entry's `kind` is its key. */
const CHECKED: { readonly [K in CellKind]: { readonly kind: K } } = CELL_REGISTRY;
void CHECKED;

/** Every kind of cell, in the registry's order. */
export const CELL_KINDS = Object.keys(CELL_REGISTRY) as CellKind[];

registerCellKinds(CELL_REGISTRY);
