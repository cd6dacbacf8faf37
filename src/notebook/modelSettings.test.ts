import { describe, expect, it } from 'vitest';
import { DEFAULT_REGRESSOR_CONFIG } from '../trainers/config.ts';
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
