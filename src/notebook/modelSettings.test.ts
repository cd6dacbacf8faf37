import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../trainers/config.ts';
import { thresholdPolicy } from './mlflowRun.ts';
import { settingsParams, usedSettings } from './modelSettings.ts';

describe('regressor settings', () => {
  it('name the gbdt regressor\'s init model; boosting from the linear model uses ridge_alpha and the validation slice, from the mean not ridge_alpha', () => {
    const fromLine = { kind: 'regressor' as const, config: { ...DEFAULT_REGRESSOR_CONFIG, model: 'gbdt' as const, l2: 2 } };
    expect(settingsParams(fromLine)).toMatchObject({ model_type: 'gbdt', gbdt_init_model: 'linear', ridge_alpha: 2, validation_fraction: 0.15 });
    expect(usedSettings(fromLine)).toMatchObject({ gbdt_init_model: 'linear', ridge_alpha: 2, validation_fraction: 0.15 });
    const fromMean = { kind: 'regressor' as const, config: { ...fromLine.config, initModel: 'mean' as const } };
    expect(usedSettings(fromMean)).toMatchObject({ gbdt_init_model: 'mean' });
    expect(usedSettings(fromMean)).not.toHaveProperty('ridge_alpha');
    // the linear regressor has no init model
    const line = { kind: 'regressor' as const, config: DEFAULT_REGRESSOR_CONFIG };
    expect(usedSettings(line)).not.toHaveProperty('gbdt_init_model');
    expect(usedSettings(line)).toMatchObject({ ridge_alpha: 0 });
  });
});

describe('classifier settings', () => {
  it('name where a tree classifier\'s threshold is chosen, and the MLflow policy says it', () => {
    // the default: 5 folds, then the final model refitted on every training row
    const folds = { kind: 'classifier' as const, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const } };
    expect(usedSettings(folds)).toMatchObject({ threshold_cv_folds: 5, refit_on_all_training_rows: true });
    expect(usedSettings({ kind: 'classifier', config: { ...folds.config, refit: false } })).toMatchObject({ refit_on_all_training_rows: false });
    expect(thresholdPolicy(folds.config)).toBe('max_f1_on_5fold_out_of_fold_then_slider');
    expect(thresholdPolicy({ ...folds.config, thresholdFolds: 0 })).toBe('max_f1_on_validation_then_slider');
    // logistic regression always chooses on the validation slice
    const logistic = { ...folds.config, model: 'logistic' as const };
    expect(usedSettings({ kind: 'classifier', config: logistic })).not.toHaveProperty('threshold_cv_folds');
    expect(usedSettings({ kind: 'classifier', config: logistic })).not.toHaveProperty('refit_on_all_training_rows');
    expect(thresholdPolicy(logistic)).toBe('max_f1_on_validation_then_slider');
  });
});
