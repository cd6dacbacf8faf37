/** The model matrix and targets a training needs, built from a dataset and the Features settings: in the training worker, off the page. */
import { buildModelMatrix, type ColumnTransform, type FeatureSpec } from '../data/encode.ts';
import type { Allocate } from '../data/datasetCopy.ts';
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

/**
 * Builds the training inputs; throws with what to do when a target is missing or not binary. `allocate` gives the
 * bytes of the matrix and both targets (a SharedArrayBuffer in the data worker, so both training workers read one copy).
 */
export function buildTrainingInputs(ds: Dataset, spec: TrainingInputsSpec, allocate: Allocate = (n) => new ArrayBuffer(n)): TrainingInputs {
  const cls = spec.classTarget === '' ? null : ds.columns.find((c) => c.name === spec.classTarget);
  if (cls === undefined) throw new Error(`class target "${spec.classTarget}" is not a column; choose one in the Features cell`);
  const labels = cls === null ? null : binaryLabels(cls);
  if (typeof labels === 'string') throw new Error(labels);
  const built = buildModelMatrix(ds, featureSpecOf(spec), allocate);
  const revenue = revenueOf(ds, spec.revenueTarget, allocate);
  const y = new Float32Array(allocate(ds.rows * Float32Array.BYTES_PER_ELEMENT));
  // no class target (a regression-only notebook): every row counts as positive, so the regressor uses all of them
  if (labels === null) y.fill(1);
  else for (let i = 0; i < y.length; i++) y[i] = labels.y[i] === 1 ? 1 : 0;
  return { matrix: built.matrix, y, revenue, warnings: built.warnings };
}

/**
 * The regression target, nulls as 0: the column itself when it is float64 without nulls and in the kind of memory
 * `allocate` gives (shared or not), since nothing writes to it (with ten times the data a copy is 36 MiB), else a copy.
 */
function revenueOf(ds: Dataset, name: string, allocate: Allocate): Float64Array {
  const rev = ds.columns.find((c) => c.name === name);
  if (rev?.kind === 'numeric' && rev.values instanceof Float64Array && rev.nullCount === 0 && rev.values.buffer.constructor === allocate(0).constructor) return rev.values;
  const out = new Float64Array(allocate(ds.rows * Float64Array.BYTES_PER_ELEMENT));
  if (rev?.kind !== 'numeric') return out;
  const v = rev.values;
  for (let i = 0; i < out.length; i++) {
    const x = v[i] as number;
    out[i] = x === x ? x : 0;
  }
  return out;
}
