/** The cell registry: adding a cell kind touches its own file and one line here. */
import type { ComponentType } from 'react';
import type { CellId, CellKind } from '../app/notebookSlice.ts';
import { DataCell } from './DataCell.tsx';
import { ProfileCell } from './ProfileCell.tsx';
import { LeakageCell } from './LeakageCell.tsx';
import { FeaturesCell } from './FeaturesCell.tsx';
import { TrainClassifierCell } from './TrainClassifierCell.tsx';
import { TrainRegressorCell } from './TrainRegressorCell.tsx';

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
};
