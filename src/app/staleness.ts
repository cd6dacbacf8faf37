/** Which cells are stale: a cell is stale when a model it shows was trained on inputs that differ from the current ones. */
import type { CellKind } from './notebookSlice.ts';
import type { WorkbenchState } from './store.ts';
import { isModelStale, type ModelKind } from '../notebook/runs.ts';

/** The models each cell's output depends on; cells not listed (data, profile, runs…) never go stale. */
export const CELL_MODEL_DEPENDENCIES: Readonly<Partial<Record<CellKind, readonly ModelKind[]>>> = {
  trainClassifier: ['classifier'],
  threshold: ['classifier'],
  curves: ['classifier'],
  calibration: ['classifier'],
  trainRegressor: ['regressor'],
  residuals: ['regressor'],
  importance: ['classifier', 'regressor'],
};

/** The part of the store staleness depends on. */
export type StalenessState = Pick<
  WorkbenchState,
  'dataVersion' | 'featuresVersion' | 'classTarget' | 'revenueTarget' | 'classifierConfig' | 'regressorConfig' | 'runs' | 'activeRun'
>;

/** True when `kind`'s output comes from a model trained on other inputs than the current ones. */
export function isCellStale(s: StalenessState, kind: CellKind): boolean {
  const models = CELL_MODEL_DEPENDENCIES[kind];
  return models !== undefined && models.some((m) => isModelStale(s, m));
}

/** Every stale cell kind: a data change makes everything downstream stale, a feature change both models and their dependants, a hyperparameter only its own model's cells. */
export function staleCells(s: StalenessState): ReadonlySet<CellKind> {
  const stale = new Set<CellKind>();
  const models: Record<ModelKind, boolean> = { classifier: isModelStale(s, 'classifier'), regressor: isModelStale(s, 'regressor') };
  for (const [kind, deps] of Object.entries(CELL_MODEL_DEPENDENCIES) as [CellKind, readonly ModelKind[]][]) {
    if (deps.some((m) => models[m])) stale.add(kind);
  }
  return stale;
}
