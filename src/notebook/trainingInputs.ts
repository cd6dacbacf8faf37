/** The model matrix and targets a training needs, built from a dataset and the Features settings: in the training worker, off the page. */
import { buildModelMatrix, type ColumnTransform, type FeatureSpec } from '../data/encode.ts';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import { binaryLabels } from '../data/validate.ts';

/** Which columns are targets, which are left out, and how the others are transformed. */
export interface TrainingInputsSpec {
  readonly classTarget: string;
  readonly revenueTarget: string;
  readonly excluded: readonly string[];
  readonly transforms: Readonly<Record<string, ColumnTransform>>;
}

/** The float32 model matrix, the 0/1 class target (all 1 when it is none), the regression target with nulls as 0, and the encoder's warnings. */
export interface TrainingInputs {
  readonly matrix: ModelMatrix;
  readonly y: Float32Array;
  readonly revenue: Float64Array;
  readonly warnings: string[];
}

/** The encoder's spec for the Features settings: both targets left out, exclusions and transforms applied. */
export function featureSpecOf(spec: TrainingInputsSpec): FeatureSpec {
  return { targets: [spec.classTarget, spec.revenueTarget].filter((t) => t !== ''), exclude: spec.excluded, transforms: spec.transforms };
}

/** Builds the training inputs; throws with what to do when a target is missing or not binary. */
export function buildTrainingInputs(ds: Dataset, spec: TrainingInputsSpec): TrainingInputs {
  const built = buildModelMatrix(ds, featureSpecOf(spec));
  const revenue = revenueOf(ds, spec.revenueTarget);
  // no class target (a regression-only notebook): every row counts as positive, so the regressor uses all of them
  if (spec.classTarget === '') return { matrix: built.matrix, y: new Float32Array(ds.rows).fill(1), revenue, warnings: built.warnings };
  const cls = ds.columns.find((c) => c.name === spec.classTarget);
  if (!cls) throw new Error(`class target "${spec.classTarget}" is not a column; choose one in the Features cell`);
  const labels = binaryLabels(cls);
  if (typeof labels === 'string') throw new Error(labels);
  const y = Float32Array.from(labels.y, (v) => (v === 1 ? 1 : 0));
  return { matrix: built.matrix, y, revenue, warnings: built.warnings };
}

function revenueOf(ds: Dataset, name: string): Float64Array {
  const rev = ds.columns.find((c) => c.name === name);
  return rev && rev.kind === 'numeric' ? Float64Array.from(rev.values, (v) => (Number.isNaN(v) ? 0 : v)) : new Float64Array(ds.rows);
}
