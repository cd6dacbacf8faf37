/**
 * The one flattener of model settings: MLflow params, the report's settings tables and the Runs cell's summary
 * all read `flatModelSettings`. Each table is a `Record` over the config's keys, so a new setting cannot be left out.
 */
import type { TreeSettings } from '../trainers/config.ts';
import type { TargetTransform } from '../trainers/targetTransform.ts';
import type { ClassifierConfig, ClassWeightOption, RegressorConfig } from '../trainers/types.ts';

/** One setting, flat: its name (as MLflow logs it), its value, and whether the chosen model uses it. */
export interface FlatSetting {
  readonly name: string;
  readonly value: string | number | boolean;
  readonly used: boolean;
}

/** A model's settings, as a run records them; a regressor run adds the target transform it applied (its setting may be 'auto'). */
export type ModelSettings = { readonly kind: 'classifier'; readonly config: ClassifierConfig }
  | { readonly kind: 'regressor'; readonly config: RegressorConfig; readonly targetTransform?: TargetTransform };

function flat(name: string, value: string | number | boolean, used: boolean): FlatSetting {
  return { name, value, used };
}

/** The class weight as one value: `balanced`, `none` or `positive_weight=3.5`. */
export function classWeightText(w: ClassWeightOption): string {
  return typeof w === 'string' ? w : `positive_weight=${w.positiveWeight}`;
}

function classifierSettings(c: ClassifierConfig): FlatSetting[] {
  const mlp = c.model === 'mlp';
  const byKey: Record<keyof ClassifierConfig, FlatSetting> = {
    model: flat('model_type', c.model, true),
    hiddenUnits: flat('hidden_units', mlp ? c.hiddenUnits.join(',') : 'none', mlp),
    dropout: flat('dropout', c.dropout, mlp),
    l2: flat('l2', c.l2, mlp),
    C: flat('C', c.C, c.model === 'logistic'),
    learningRate: flat('learning_rate', c.learningRate, mlp),
    batchSize: flat('batch_size', c.batchSize, mlp),
    epochs: flat('max_epochs', c.epochs, c.model === 'logistic' || mlp),
    patience: flat('patience', c.patience, mlp),
    classWeight: flat('class_weight', classWeightText(c.classWeight), true),
    resampling: flat('resampling', c.resampling, true),
    testFraction: flat('test_fraction', c.testFraction, true),
    validationFraction: flat('validation_fraction', c.validationFraction, true),
    seed: flat('seed', c.seed, true),
    trees: flat('tree_model', isTree(c.model) ? c.model : 'none', isTree(c.model)),
    thresholdFolds: flat('threshold_cv_folds', c.thresholdFolds, isTree(c.model)),
    // scikit-learn's TunedThresholdClassifierCV(refit=True): the final model is fitted on fit + validation rows
    refit: flat('refit_on_all_training_rows', c.refit, isTree(c.model)),
  };
  return [...Object.values(byKey), ...treeSettings(c.model, c.trees)];
}

function isTree(model: string): model is 'gbdt' | 'rf' {
  return model === 'gbdt' || model === 'rf';
}

/** The tree settings by scikit-learn's names, prefixed by the model; used only by that model. */
function treeSettings(model: string, t: TreeSettings): FlatSetting[] {
  const g = t.gbdt;
  const r = t.rf;
  const gb = model === 'gbdt';
  const rf = model === 'rf';
  return [
    flat('gbdt_learning_rate', g.learningRate, gb), flat('gbdt_max_iter', g.maxIter, gb), flat('gbdt_max_leaf_nodes', g.maxLeafNodes, gb),
    flat('gbdt_max_depth', g.maxDepth ?? 'none', gb), flat('gbdt_min_samples_leaf', g.minSamplesLeaf, gb), flat('gbdt_l2_regularization', g.l2, gb),
    flat('gbdt_max_bins', g.maxBins, gb), flat('gbdt_subsample', g.subsample, gb), flat('gbdt_max_features', g.maxFeatures, gb),
    flat('gbdt_early_stopping', g.earlyStopping, gb), flat('gbdt_n_iter_no_change', g.patience, gb),
    flat('rf_n_estimators', r.nTrees, rf), flat('rf_max_depth', r.maxDepth ?? 'none', rf), flat('rf_min_samples_split', r.minSamplesSplit, rf),
    flat('rf_min_samples_leaf', r.minSamplesLeaf, rf), flat('rf_max_features', r.maxFeatures, rf), flat('rf_bootstrap', r.bootstrap, rf), flat('rf_max_bins', r.maxBins, rf),
  ];
}

function regressorSettings(c: RegressorConfig, applied: TargetTransform | undefined): FlatSetting[] {
  const mlp = c.model === 'mlp';
  const linearInit = c.model === 'gbdt' && c.initModel === 'linear';
  const byKey: Record<keyof RegressorConfig, FlatSetting> = {
    model: flat('model_type', c.model, true),
    strategy: flat('strategy', c.strategy, true),
    // what was applied (log1p or none), and the setting beside it when that was auto
    targetTransform: flat('target_transform', applied ?? c.targetTransform, true),
    hiddenUnits: flat('hidden_units', mlp ? c.hiddenUnits.join(',') : 'none', mlp),
    dropout: flat('dropout', c.dropout, mlp),
    // the gbdt's linear init model is ridge with this alpha
    l2: flat(mlp ? 'l2' : 'ridge_alpha', c.l2, !isTree(c.model) || linearInit),
    learningRate: flat('learning_rate', c.learningRate, mlp),
    batchSize: flat('batch_size', c.batchSize, mlp),
    epochs: flat('max_epochs', c.epochs, mlp),
    patience: flat('patience', c.patience, mlp),
    testFraction: flat('test_fraction', c.testFraction, true),
    validationFraction: flat('validation_fraction', c.validationFraction, mlp || isTree(c.model)),
    seed: flat('seed', c.seed, true),
    trees: flat('tree_model', isTree(c.model) ? c.model : 'none', isTree(c.model)),
    initModel: flat('gbdt_init_model', c.initModel, c.model === 'gbdt'),
  };
  return [...Object.values(byKey), flat('target_transform_setting', c.targetTransform, c.targetTransform === 'auto'), ...treeSettings(c.model, c.trees)];
}

/** Every setting of a model, flat, in a fixed order. */
export function flatModelSettings(m: ModelSettings): FlatSetting[] {
  return m.kind === 'classifier' ? classifierSettings(m.config) : regressorSettings(m.config, m.targetTransform);
}

/** Every setting by name: what MLflow logs. */
export function settingsParams(m: ModelSettings): Record<string, string | number | boolean> {
  return Object.fromEntries(flatModelSettings(m).map((s) => [s.name, s.value]));
}

/** The settings the chosen model uses, by name: what the report shows. */
export function usedSettings(m: ModelSettings): Record<string, string | number | boolean> {
  return Object.fromEntries(flatModelSettings(m).filter((s) => s.used).map((s) => [s.name, s.value]));
}

/** The settings the model uses on one line, for a table cell: `model_type logistic; C 1; max_epochs 100; …`. */
export function settingsLine(m: ModelSettings): string {
  return flatModelSettings(m).filter((s) => s.used).map((s) => `${s.name} ${String(s.value)}`).join('; ');
}
