/** Gain importance as the Importance cell shows it: each user-facing feature's share of the ensemble's split gain. */
import { featureColumns } from '../permutationImportance.ts';
import { gainImportance, type TreeEnsemble } from './ensemble.ts';

/** One feature's share of the total split gain (its columns summed: a one-hot group counts as one feature). */
export interface FeatureGain {
  readonly feature: string;
  readonly columns: readonly number[];
  /** share of the total loss reduction of every split in every tree, in [0, 1] */
  readonly share: number;
}

/** Gain per feature summed over all trees, one-hot groups summed, named by `featureGroups` (the run's); largest first. */
export function featureGainImportance(e: TreeEnsemble, featureGroups: readonly string[]): FeatureGain[] {
  if (featureGroups.length !== e.cols) throw new Error(`${featureGroups.length} feature groups for a model of ${e.cols} columns; pass the run's featureGroups`);
  const perColumn = gainImportance(e);
  return featureColumns(featureGroups)
    .map(({ feature, columns }) => ({ feature, columns, share: columns.reduce((s, c) => s + (perColumn[c] as number), 0) }))
    .sort((a, b) => b.share - a.share);
}
