/** The Features cell's table and model-matrix summary, computed where the rows are (the data worker), never on the page. */
import { buildModelMatrix } from '../data/encode.ts';
import { detectOneHotGroups } from '../data/oneHotGroups.ts';
import type { Column, Dataset } from '../data/types.ts';
import { featureSpecOf, type TrainingInputsSpec } from './trainingInputs.ts';

/** The Features settings the view is for: the same as a training's, so the summary describes the matrix it will get. */
export type FeaturesViewInput = TrainingInputsSpec;

/** One row of the Features table: a column, or a one-hot group of 0/1 columns. */
export interface FeatureRow {
  readonly name: string;
  readonly kind: Column['kind'] | 'one-hot group';
  readonly members: readonly string[];
}

/** The model matrix the settings give (names and messages only), or why it cannot be built. */
export type MatrixSummary =
  | { readonly cols: number; readonly rows: number; readonly featureNames: readonly string[]; readonly warnings: readonly string[]; readonly notes: readonly string[] }
  | { readonly error: string };

export interface FeaturesView {
  readonly features: readonly FeatureRow[];
  readonly summary: MatrixSummary;
}

/** The table's rows (targets left out, one-hot groups folded) and the matrix summary; both passes over rows run here. */
export function featuresView(ds: Dataset, input: FeaturesViewInput): FeaturesView {
  const { classTarget, revenueTarget } = input;
  const candidates = ds.columns.filter((c) => c.name !== classTarget && c.name !== revenueTarget);
  const groups = detectOneHotGroups(candidates);
  const inGroup = new Set(groups.flatMap((g) => g.columns));
  const features: FeatureRow[] = [
    ...candidates.filter((c) => !inGroup.has(c.name)).map((c) => ({ name: c.name, kind: c.kind, members: [c.name] })),
    ...groups.map((g) => ({ name: g.name, kind: 'one-hot group' as const, members: [...g.columns] })),
  ];
  let summary: MatrixSummary;
  try {
    // the names and messages, not the matrix itself (tens of MB)
    const { matrix, warnings, notes } = buildModelMatrix(ds, { ...featureSpecOf(input), planOnly: true });
    summary = { cols: matrix.cols, rows: matrix.rows, featureNames: matrix.featureNames, warnings, notes };
  } catch (e) {
    summary = { error: (e as Error).message };
  }
  return { features, summary };
}
