/**
 * The model settings, each written once: name, type, accepted range and default live in these schemas, and the
 * types (`ClassifierConfig`, `RegressorConfig`) and defaults derive from them. Adding a setting is one line here.
 */
import * as v from 'valibot';
import { MAX_SPLIT_SEED } from './split.ts';

const finite = () => v.pipe(v.number(), v.finite());
/** A whole number from 1 to a million (epochs, batch size, patience). */
const count = () => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000));
const nonNegative = () => v.pipe(finite(), v.minValue(0));
const positive = () => v.pipe(finite(), v.gtValue(0));
/** A share strictly between 0 and 1: a split that keeps no rows, or all of them, cannot train. */
const openFraction = () => v.pipe(finite(), v.gtValue(0), v.ltValue(1));
/** Layer sizes: 1 to 16 layers of 1 to 8192 units. */
const hiddenUnits = (fallback: readonly number[]) => v.optional(
  v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(8192))), v.minLength(1), v.maxLength(16), v.readonly()),
  () => [...fallback],
);
/** A split seed NumPy's RandomState accepts (scikit-learn's random_state). */
const seed = () => v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_SPLIT_SEED)), 42);

/** A depth limit, or null for none (scikit-learn's None). */
const maxDepth = (fallback: number | null) => v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))), fallback);
/** A share in (0, 1]. */
const share = () => v.pipe(finite(), v.gtValue(0), v.maxValue(1));
const maxBins = () => v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(255)), 255);

/** Gradient boosting (gbdt): scikit-learn's HistGradientBoosting defaults. */
export const GbdtSettingsSchema = v.pipe(v.strictObject({
  learningRate: v.optional(positive(), 0.1),
  maxIter: v.optional(count(), 100),
  maxLeafNodes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(65_536)), 31),
  maxDepth: maxDepth(null),
  minSamplesLeaf: v.optional(count(), 20),
  l2: v.optional(nonNegative(), 0),
  maxBins: maxBins(),
  /** share of rows drawn for each tree */
  subsample: v.optional(share(), 1),
  /** share of features drawn for each split */
  maxFeatures: v.optional(share(), 1),
  earlyStopping: v.optional(v.boolean(), true),
  patience: v.optional(count(), 10),
  seed: seed(),
}), v.readonly());

/** Random forest (rf): the seed notebook's 200 trees of depth 15, min_samples_split 5, √features per split. */
export const ForestSettingsSchema = v.pipe(v.strictObject({
  nTrees: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)), 200),
  maxDepth: maxDepth(15),
  minSamplesSplit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(1_000_000)), 5),
  minSamplesLeaf: v.optional(count(), 1),
  maxFeatures: v.optional(v.union([v.literal('sqrt'), share()]), 'sqrt'),
  bootstrap: v.optional(v.boolean(), true),
  maxBins: maxBins(),
  seed: seed(),
}), v.readonly());

/** Settings of both tree models (the run's seed replaces theirs). */
export const TreeSettingsSchema = v.pipe(v.strictObject({
  gbdt: v.optional(GbdtSettingsSchema, {}),
  rf: v.optional(ForestSettingsSchema, {}),
}), v.readonly());

/** How the positive (ordered) class is weighted in the loss. */
export const ClassWeightSchema = v.union([
  v.picklist(['none', 'balanced']),
  v.pipe(v.strictObject({ positiveWeight: nonNegative() }), v.readonly()),
]);

/** Settings of the conversion classifier; the defaults are the bench configuration that meets the quality goals. */
export const CLASSIFIER_CONFIG_ENTRIES = {
  /** gradient boosting by default: on the bundled data it matches the MLP's AUC in well under a second (bench `trees`) */
  model: v.optional(v.picklist(['logistic', 'mlp', 'gbdt', 'rf']), 'gbdt'),
  hiddenUnits: hiddenUnits([64, 64]),
  dropout: v.optional(v.pipe(finite(), v.minValue(0), v.ltValue(1)), 0),
  /** Keras-style kernel penalty l2·Σw² for the MLP */
  l2: v.optional(nonNegative(), 1e-5),
  /** logistic only: scikit-learn's inverse regularisation strength */
  C: v.optional(positive(), 1),
  learningRate: v.optional(positive(), 4e-3),
  batchSize: v.optional(count(), 4096),
  /** maximum epochs (MLP) or Newton iterations (logistic) */
  epochs: v.optional(count(), 15),
  patience: v.optional(count(), 3),
  classWeight: v.optional(ClassWeightSchema, 'balanced'),
  /** resampling applied to the training rows only */
  resampling: v.optional(v.picklist(['none', 'oversample', 'smote', 'undersample']), 'none'),
  testFraction: v.optional(openFraction(), 0.2),
  /** share of the training split held out for early stopping and the threshold */
  validationFraction: v.optional(openFraction(), 0.15),
  seed: seed(),
  /** gbdt and rf settings */
  trees: v.optional(TreeSettingsSchema, {}),
  /**
   * gbdt and rf only: where the F1-maximising decision threshold is chosen. 0: on the validation slice; k from 2 to 20:
   * on out-of-fold scores of every training row from k fold models (scikit-learn's TunedThresholdClassifierCV(cv=k)),
   * k more fits. 5 by default: with `refit` it is TunedThresholdClassifierCV's default protocol, and on the bundled data
   * the F1 at the chosen threshold is higher than the validation slice's at the median of seeds 42-44 (bench `trees`).
   */
  thresholdFolds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20), v.check((k) => k !== 1, 'is 1; use 0 (the validation slice) or 2 to 20 folds')), 5),
  /**
   * gbdt and rf only: once the validation slice has early-stopped boosting (and, with 0 threshold folds, chosen the
   * threshold), the final model is fitted again on every training row (fit + validation) with that many trees
   * (TunedThresholdClassifierCV's refit=True); false keeps the model fitted on the fit rows.
   */
  refit: v.optional(v.boolean(), true),
};
/** The classifier settings as one object. */
export const ClassifierConfigSchema = v.pipe(v.strictObject(CLASSIFIER_CONFIG_ENTRIES), v.readonly());

/** Settings of the revenue regressor; the defaults are the user's recommended regression (converting sessions, log1p when the target is never negative, linear). */
export const REGRESSOR_CONFIG_ENTRIES = {
  model: v.optional(v.picklist(['linear', 'mlp', 'gbdt', 'rf']), 'linear'),
  strategy: v.optional(v.picklist(['converting_only', 'direct', 'two_stage']), 'converting_only'),
  /**
   * log1p: fit log1p(target) and back-transform with Duan's smearing (needs values ≥ 0); none: the raw scale;
   * auto: log1p when every value of the target is ≥ 0, else none (`src/trainers/targetTransform.ts`)
   */
  targetTransform: v.optional(v.picklist(['auto', 'log1p', 'none']), 'auto'),
  hiddenUnits: hiddenUnits([32]),
  dropout: v.optional(v.pipe(finite(), v.minValue(0), v.ltValue(1)), 0),
  /** ridge alpha (linear) or Keras-style kernel penalty (MLP) */
  l2: v.optional(nonNegative(), 0),
  learningRate: v.optional(positive(), 1e-3),
  batchSize: v.optional(count(), 512),
  epochs: v.optional(count(), 60),
  patience: v.optional(count(), 5),
  testFraction: v.optional(openFraction(), 0.2),
  validationFraction: v.optional(openFraction(), 0.15),
  seed: seed(),
  /** gbdt and rf settings */
  trees: v.optional(TreeSettingsSchema, {}),
  /**
   * gbdt only: what boosting starts from. 'linear': the linear regressor (ridge, ridge_alpha = l2) fitted on the fit rows
   * (LightGBM's init_score), keeping trees only up to the lowest validation loss, so trees are added only where they
   * improve on the line; 'mean': the mean, every iteration kept (scikit-learn's HistGradientBoostingRegressor).
   */
  initModel: v.optional(v.picklist(['linear', 'mean']), 'linear'),
};
/** The regressor settings as one object. */
export const RegressorConfigSchema = v.pipe(v.strictObject(REGRESSOR_CONFIG_ENTRIES), v.readonly());

/** Settings of the tree models. */
export type TreeSettings = v.InferOutput<typeof TreeSettingsSchema>;
/** How the positive (ordered) class is weighted in the loss. */
export type ClassWeightOption = v.InferOutput<typeof ClassWeightSchema>;
/** Settings of the conversion classifier. */
export type ClassifierConfig = v.InferOutput<typeof ClassifierConfigSchema>;
/** Resampling applied to the training rows only. */
export type ResamplingOption = ClassifierConfig['resampling'];
/** Settings of the revenue regressor. */
export type RegressorConfig = v.InferOutput<typeof RegressorConfigSchema>;

/** The classifier's defaults: every setting at its schema default. */
export const DEFAULT_CLASSIFIER_CONFIG: ClassifierConfig = v.parse(ClassifierConfigSchema, {});
/** The regressor's defaults: every setting at its schema default. */
export const DEFAULT_REGRESSOR_CONFIG: RegressorConfig = v.parse(RegressorConfigSchema, {});
