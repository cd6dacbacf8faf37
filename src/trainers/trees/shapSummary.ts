/** What the SHAP cell shows: mean |SHAP| per user-facing feature (a one-hot group summed as one), and one row's waterfall. */
import type { ShapValues } from './treeShap.ts';

/** Per-row contributions of each feature group: columns of the same group (one-hot levels) summed first. */
export interface GroupedShap {
  readonly groups: readonly string[];
  readonly rows: number;
  /** row-major rows × groups */
  readonly values: Float64Array;
  readonly expectedValue: number;
}

/** Sums the columns of each group; `featureGroups[c]` names column c's group (its own name when not one-hot). */
export function groupShap(shap: ShapValues, featureGroups: readonly string[]): GroupedShap {
  if (featureGroups.length !== shap.cols) throw new Error(`${featureGroups.length} feature groups for ${shap.cols} SHAP columns; pass the model's featureGroups`);
  const groups = [...new Set(featureGroups)];
  const slot = featureGroups.map((g) => groups.indexOf(g));
  const values = new Float64Array(shap.rows * groups.length);
  for (let r = 0; r < shap.rows; r++) {
    for (let c = 0; c < shap.cols; c++) {
      const k = r * groups.length + (slot[c] as number);
      values[k] = (values[k] as number) + (shap.values[r * shap.cols + c] as number);
    }
  }
  return { groups, rows: shap.rows, values, expectedValue: shap.expectedValue };
}

/** Mean |SHAP| of each group over the rows, largest first. */
export function shapImportance(g: GroupedShap): Array<{ group: string; meanAbs: number }> {
  const k = g.groups.length;
  return g.groups
    .map((group, j) => {
      let s = 0;
      for (let r = 0; r < g.rows; r++) s += Math.abs(g.values[r * k + j] as number);
      return { group, meanAbs: g.rows > 0 ? s / g.rows : 0 };
    })
    .sort((a, b) => b.meanAbs - a.meanAbs);
}

/** One row's path from the expected value to its raw score: groups by |contribution|, each with the running total after it. */
export function shapWaterfall(g: GroupedShap, row: number): Array<{ group: string; contribution: number; total: number }> {
  if (!(row >= 0 && row < g.rows)) throw new Error(`row ${row} is outside the ${g.rows} explained rows; pick one of them`);
  const k = g.groups.length;
  const steps = g.groups.map((group, j) => ({ group, contribution: g.values[row * k + j] as number })).sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  let total = g.expectedValue;
  return steps.map((s) => {
    total += s.contribution;
    return { ...s, total };
  });
}
