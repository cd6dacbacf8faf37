import { describe, expect, it } from 'vitest';
import type { ModelMatrix } from '../../data/types.ts';
import { splitForClassifier } from '../classifier.ts';
import { createRng } from '../random.ts';
import { subsetRows } from '../split.ts';
import { bestF1, buildThresholdSweep } from '../thresholdSweep.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../types.ts';
import { DEFAULT_TREE_SETTINGS, trainTreeClassifier } from './treeClassifier.ts';
import { loadTreeBundle } from './treeBundle.ts';
import { trainTreeRegressor } from './treeRegressor.ts';

const n = 6000;
const cols = 4;
const rng = createRng(21);
const X = Float32Array.from({ length: n * cols }, (_, k) => (k % cols === 3 ? rng() * 10 : Math.floor(rng() * (k % cols === 0 ? 24 : 2))));
const logit = (i: number): number => -2 + 2.5 * (X[i * cols + 1] as number) + 0.15 * Math.abs((X[i * cols] as number) - 12) - 0.3 * (X[i * cols + 3] as number);
const y = Float64Array.from({ length: n }, (_, i) => (rng() < 1 / (1 + Math.exp(-logit(i))) ? 1 : 0));
const revenue = Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? 30 + 20 * (X[i * cols + 1] as number) + 5 * rng() : 0));
const names = ['hour', 'repeat', 'mobile', 'spend'];
const matrix: ModelMatrix = { rows: n, cols, X, featureNames: names, featureGroups: names };

describe('trainTreeClassifier', () => {
  for (const model of ['gbdt', 'rf'] as const) {
    it(`${model}: threshold from validation, test probabilities the saved bundle reproduces`, async () => {
      const config = { ...DEFAULT_CLASSIFIER_CONFIG, model, trees: { ...DEFAULT_TREE_SETTINGS, rf: { ...DEFAULT_TREE_SETTINGS.rf, nTrees: 20 } } };
      const r = trainTreeClassifier({ matrix, y, config });
      expect(r.metrics.auc_roc).toBeGreaterThan(0.7);
      expect(r.history.length).toBe(r.epochs);
      expect(r.history[0]?.epoch).toBe(1);
      const predictor = loadTreeBundle(JSON.stringify(r.bundle));
      expect(predictor.threshold).toBe(r.threshold);
      const again = await predictor.predict(subsetRows(X, cols, r.testIndex), r.testIndex.length);
      expect(Array.from(again)).toEqual(Array.from(r.testProba));
      expect(r.counts.train + r.counts.valid + r.counts.test).toBe(n);
    });
  }

  it('stops boosting early on the validation slice, and picks the threshold with the best validation F1', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, trees: { ...DEFAULT_TREE_SETTINGS, gbdt: { ...DEFAULT_TREE_SETTINGS.gbdt, maxIter: 400, learningRate: 0.3 } } };
    const r = trainTreeClassifier({ matrix, y, config });
    expect(r.epochs).toBeLessThan(400);
    expect(r.converged).toBe(true);
    const { valid } = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
    const validProba = await loadTreeBundle(r.bundle).predict(subsetRows(X, cols, valid), valid.length);
    expect(r.threshold).toBe(bestF1(buildThresholdSweep(Float64Array.from(valid, (i) => y[i] as number), validProba)).threshold);
  });

  it('oversamples the fit rows when asked and says how many rows it added', () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, resampling: 'oversample' as const, trees: DEFAULT_TREE_SETTINGS };
    const r = trainTreeClassifier({ matrix, y, config });
    expect(r.counts.resampled).toBeGreaterThan(0);
    expect(r.counts.positivesTrain * 2).toBe(r.counts.train);
  });
});

describe('trainTreeRegressor', () => {
  it('predicts revenue of converting rows better than the training mean, through log1p and smearing', () => {
    for (const model of ['gbdt', 'rf'] as const) {
      const r = trainTreeRegressor({ matrix, revenue, isOrdered: y, config: { ...DEFAULT_REGRESSOR_CONFIG, model, trees: { ...DEFAULT_TREE_SETTINGS, rf: { ...DEFAULT_TREE_SETTINGS.rf, nTrees: 30 } } } });
      expect(r.metrics.rmse).toBeLessThan(r.baseline.rmse * 0.6);
      expect(r.smearing).toBeGreaterThan(0.99);
      expect(r.bundle.preprocessing.logTarget).toBe(true);
    }
  });

  it('refuses two_stage without the classifier probabilities', () => {
    expect(() => trainTreeRegressor({ matrix, revenue, isOrdered: y, config: { ...DEFAULT_REGRESSOR_CONFIG, strategy: 'two_stage', model: 'gbdt', trees: DEFAULT_TREE_SETTINGS } })).toThrow(/two_stage/);
  });
});
