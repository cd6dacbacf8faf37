/**
 * How the regressor fits its target: log1p with Duan's smearing (a skewed amount that is never negative) or the raw
 * scale (any numeric target: a profit, a temperature, a delta). 'auto' picks log1p when every value is ≥ 0.
 */

/** The transform a regressor applied. */
export type TargetTransform = 'log1p' | 'none';

/** The setting: a transform, or 'auto' (log1p when every value is ≥ 0, else none). */
export type TargetTransformSetting = 'auto' | TargetTransform;

/** How many values are negative, and the lowest. */
export interface NegativeValues {
  readonly count: number;
  /** the lowest value; 0 when none is negative */
  readonly min: number;
}

/** Negative values of a target (NaN, a null, counts as neither). */
export function negativeValues(values: ArrayLike<number>): NegativeValues {
  let count = 0;
  let min = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < 0) {
      count++;
      if (v < min) min = v;
    }
  }
  return { count, min };
}

/**
 * THE rule: the transform `setting` means for a target with these negative values, or null where it is refused (log1p
 * asked of a target with negatives). Training applies it to the regression target of every row it is given (the rows
 * the row filters keep); the cells word it with `targetTransformLine` from the analysis of those same rows.
 */
export function plannedTargetTransform(setting: TargetTransformSetting, negatives: NegativeValues): TargetTransform | null {
  if (setting === 'none') return 'none';
  if (negatives.count === 0) return 'log1p';
  return setting === 'auto' ? 'none' : null;
}

/** The transform `setting` means for a target with these negative values; log1p asked of a target with negatives is refused. */
export function chooseTargetTransform(setting: TargetTransformSetting, negatives: NegativeValues, target = 'the target'): TargetTransform {
  const planned = plannedTargetTransform(setting, negatives);
  if (planned !== null) return planned;
  throw new Error(`target transform log1p needs values ≥ 0, but ${target} has ${negatives.count.toLocaleString('en-US')} negative values (lowest ${negatives.min}); choose target transform "none" or "auto"`);
}

/** One line saying which transform is used and why, e.g. `auto: fits profit on its raw scale, since profit has 12 negative values…`. */
export function targetTransformLine(setting: TargetTransformSetting, negatives: NegativeValues, target: string): string {
  const n = `${negatives.count.toLocaleString('en-US')} negative values (lowest ${negatives.min})`;
  const planned = plannedTargetTransform(setting, negatives);
  if (planned === null) return `log1p is refused: ${target} has ${n}; choose target transform "none" or "auto"`;
  const what = planned === 'log1p' ? `log1p(${target}) with Duan's smearing` : `${target} on its raw scale`;
  if (setting !== 'auto') return `fits ${what}`;
  return negatives.count === 0 ? `auto: fits ${what}, since every value of ${target} is ≥ 0` : `auto: fits ${what}, since ${target} has ${n} and log1p needs values ≥ 0`;
}

/** Applies the transform to a target value. */
export function toFitScale(transform: TargetTransform, v: number): number {
  return transform === 'log1p' ? Math.log1p(v) : v;
}

/** The transform a regressor applies to its target (every row it was given), and a warning when 'auto' chose the raw scale. */
export function regressorTargetTransform(setting: TargetTransformSetting, target: ArrayLike<number>): { readonly transform: TargetTransform; readonly warning: string | null } {
  const negatives = negativeValues(target);
  const transform = chooseTargetTransform(setting, negatives);
  const warning = setting === 'auto' && transform === 'none'
    ? `the target has ${negatives.count.toLocaleString('en-US')} negative values (lowest ${negatives.min}): target transform auto fits it on its raw scale, since log1p needs values ≥ 0`
    : null;
  return { transform, warning };
}
