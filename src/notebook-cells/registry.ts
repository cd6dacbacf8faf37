/** The cell registry: adding a cell kind touches its own file and one line here. */
import type { ComponentType } from 'react';
import type { CellId, CellKind } from '../app/notebookSlice.ts';
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

export interface CellProps {
  readonly cellId: CellId;
}

export interface CellDefinition {
  readonly kind: CellKind;
  readonly title: string;
  readonly render: ComponentType<CellProps>;
}

export type CellRegistry = Readonly<Partial<Record<CellKind, CellDefinition>>> & Readonly<Record<'data' | 'profile' | 'leakage', CellDefinition>>;

export const CELL_REGISTRY: CellRegistry = {
  data: { kind: 'data', title: 'Data', render: DataCell },
  profile: { kind: 'profile', title: 'Profile', render: ProfileCell },
  leakage: { kind: 'leakage', title: 'Leakage check', render: LeakageCell },
  features: { kind: 'features', title: 'Features', render: FeaturesCell },
  trainClassifier: { kind: 'trainClassifier', title: 'Train classifier (is_ordered)', render: TrainClassifierCell },
  trainRegressor: { kind: 'trainRegressor', title: 'Train regressor (revenue)', render: TrainRegressorCell },
  threshold: { kind: 'threshold', title: 'Decision threshold', render: ThresholdCell },
  curves: { kind: 'curves', title: 'ROC, precision-recall and F1 curves', render: CurvesCell },
  calibration: { kind: 'calibration', title: 'Calibration', render: CalibrationCell },
  residuals: { kind: 'residuals', title: 'Residuals (revenue, dollars)', render: ResidualsCell },
  importance: { kind: 'importance', title: 'Permutation importance (test split)', render: ImportanceCell },
  runs: { kind: 'runs', title: 'Runs', render: RunsCell },
  export: { kind: 'export', title: 'Export to MLflow', render: ExportCell },
  report: { kind: 'report', title: 'Report, link and notebook file', render: ReportCell },
  search: { kind: 'search', title: 'Hyperparameter search (k-fold CV, worker pool)', render: SearchCell },
  imbalance: { kind: 'imbalance', title: 'Imbalance lab', render: ImbalanceLabCell },
  revenueGain: { kind: 'revenueGain', title: 'Two-stage revenue: expected revenue and gain', render: RevenueGainCell },
};
