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
  /** why the encoder leaves it out although it is not excluded (an id, a constant, all null, a time…); null: used */
  readonly leftOut: string | null;
}

/** The model matrix the settings give (names and messages only), or why it cannot be built. */
export type MatrixSummary =
  | { readonly cols: number; readonly rows: number; readonly featureNames: readonly string[]; readonly warnings: readonly string[]; readonly notes: readonly string[] }
  | { readonly error: string };

export interface FeaturesView {
  readonly features: readonly FeatureRow[];
  readonly summary: MatrixSummary;
}

/** Reasons the encoder gives for columns the user left out (or made targets): the table's checkbox already says so. */
const CHOSEN_BY_USER = new Set(['target', 'excluded by you', 'dropped by a transform', 'not in the include list']);

/** The table's rows (targets left out, one-hot groups folded) and the matrix summary; both passes over rows run here. */
export function featuresView(ds: Dataset, input: FeaturesViewInput): FeaturesView {
  const { classTarget, revenueTarget } = input;
  const candidates = ds.columns.filter((c) => c.name !== classTarget && c.name !== revenueTarget);
  const groups = detectOneHotGroups(candidates);
  const inGroup = new Set(groups.flatMap((g) => g.columns));
  let summary: MatrixSummary;
  // a ticked "use" box must not hide that the encoder leaves the column out: its reason goes on the row
  const leftOut = new Map<string, string>();
  try {
    // the names and messages, not the matrix itself (tens of MB)
    const { matrix, warnings, notes, excluded } = buildModelMatrix(ds, { ...featureSpecOf(input), planOnly: true });
    for (const e of excluded) if (!CHOSEN_BY_USER.has(e.reason)) leftOut.set(e.column, e.reason);
    summary = { cols: matrix.cols, rows: matrix.rows, featureNames: matrix.featureNames, warnings, notes };
  } catch (e) {
    summary = { error: (e as Error).message };
  }
  const features: FeatureRow[] = [
    ...candidates.filter((c) => !inGroup.has(c.name)).map((c) => ({ name: c.name, kind: c.kind, members: [c.name], leftOut: leftOut.get(c.name) ?? null })),
    ...groups.map((g) => ({ name: g.name, kind: 'one-hot group' as const, members: [...g.columns], leftOut: null })),
  ];
  return { features, summary };
}
