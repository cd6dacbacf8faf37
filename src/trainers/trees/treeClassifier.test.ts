import { describe, expect, it } from 'vitest';
import type { ModelMatrix } from '../../data/types.ts';
import { splitForClassifier } from '../classifier.ts';
import { createRng } from '../random.ts';
import * as v from 'valibot';
import { ClassifierConfigSchema } from '../config.ts';
import { classWeights } from '../resample.ts';
import { stratifiedKFold, stratifiedSplit, subsetRows } from '../split.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { outputFromRaw, predictRaw } from './ensemble.ts';
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
    it(`${model}: by default (5 threshold folds, refit), test probabilities the saved bundle reproduces`, async () => {
      const config = { ...DEFAULT_CLASSIFIER_CONFIG, model, trees: { ...DEFAULT_TREE_SETTINGS, rf: { ...DEFAULT_TREE_SETTINGS.rf, nTrees: 20 } } };
      const r = await trainTreeClassifier({ matrix, y, config });
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

  it('without folds or refit, stops boosting early on the validation slice, and picks the threshold with the best validation F1', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, thresholdFolds: 0, refit: false, trees: { ...DEFAULT_TREE_SETTINGS, gbdt: { ...DEFAULT_TREE_SETTINGS.gbdt, maxIter: 400, learningRate: 0.3 } } };
    const r = await trainTreeClassifier({ matrix, y, config });
    expect(r.epochs).toBeLessThan(400);
    expect(r.converged).toBe(true);
    const { valid } = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
    const validProba = await loadTreeBundle(r.bundle).predict(subsetRows(X, cols, valid), valid.length);
    expect(r.threshold).toBe(bestF1(buildThresholdSweep(Float64Array.from(valid, (i) => y[i] as number), validProba)).threshold);
  });

  it('with threshold folds, picks the threshold with the best F1 on out-of-fold scores of every training row (TunedThresholdClassifierCV\'s protocol); the model is the same', async () => {
    const k = 3;
    const base = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, thresholdFolds: 0, refit: false, trees: DEFAULT_TREE_SETTINGS };
    const onSlice = await trainTreeClassifier({ matrix, y, config: base });
    const r = await trainTreeClassifier({ matrix, y, config: { ...base, thresholdFolds: k } });
    // the same final model and test scores; only the threshold's rows differ
    expect(Array.from(r.testProba)).toEqual(Array.from(onSlice.testProba));
    expect(r.metrics.auc_roc).toBe(onSlice.metrics.auc_roc);
    // the out-of-fold scores, worked out here: k stratified folds of the training rows, each model fitted on the other
    // folds less their own 15 % validation slice (balanced weights, early stopping there), scoring its fold
    const split = splitForClassifier(y, base.testFraction, base.validationFraction, base.seed);
    const train = Uint32Array.from([...split.fit, ...split.valid]).sort();
    const yTrain = Float64Array.from(train, (i) => y[i] as number);
    const oof = new Float64Array(train.length);
    for (const fold of stratifiedKFold(yTrain, k, base.seed)) {
      const part = Uint32Array.from(fold.train, (j) => train[j] as number);
      const inner = stratifiedSplit(Float64Array.from(part, (i) => y[i] as number), 0.15, base.seed + 1);
      const rowsOf = (idx: Uint32Array) => {
        const rowIdx = Uint32Array.from(idx, (j) => part[j] as number).sort();
        // float32 labels, so the class weights are float32 too, as the workbench's labels are
        return { X, cols, rowIdx, y: Float32Array.from(rowIdx, (i) => y[i] as number) };
      };
      const fitRows = rowsOf(inner.train);
      const { w0, w1 } = classWeights(fitRows.y, 'balanced');
      const weigh = (p: ReturnType<typeof rowsOf>) => ({ ...p, weight: p.y.map((v) => (v === 1 ? w1 : w0)) });
      const g = fitGbdt({ task: 'classifier', train: weigh(fitRows), valid: weigh(rowsOf(inner.test)), params: { ...DEFAULT_GBDT_PARAMS, seed: base.seed } });
      const held = Uint32Array.from(fold.valid, (j) => train[j] as number);
      const p = outputFromRaw(g.ensemble, predictRaw(g.ensemble, X, held));
      fold.valid.forEach((j, q) => {
        oof[j] = Math.fround(p[q] as number);
      });
    }
    expect(r.threshold).toBe(bestF1(buildThresholdSweep(yTrain, oof)).threshold);
    expect(r.threshold).not.toBe(onSlice.threshold);
  });

  it('times each tree of the final model only: the fold models that score the threshold rows are in the training time, not per tree', async () => {
    let t = 0;
    const now = () => (t += 1);
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, thresholdFolds: 0, trees: DEFAULT_TREE_SETTINGS };
    const plain = await trainTreeClassifier({ matrix, y, config, now });
    t = 0;
    const folded = await trainTreeClassifier({ matrix, y, config: { ...config, thresholdFolds: 3 }, now });
    expect(folded.epochs).toBe(plain.epochs);
    expect(folded.msPerEpoch).toBe(plain.msPerEpoch);
    expect(folded.trainMs).toBeGreaterThan(plain.trainMs);
  });

  it('by default (5 folds, refit), the final model is boosting on every training row with the early-stopped tree count, the threshold the folds\' (TunedThresholdClassifierCV\'s default)', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, trees: DEFAULT_TREE_SETTINGS };
    expect([config.thresholdFolds, config.refit]).toEqual([5, true]);
    const r = await trainTreeClassifier({ matrix, y, config });
    const kept = await trainTreeClassifier({ matrix, y, config: { ...config, refit: false } });
    // the fit-row model's early stopping sets the count and draws the loss chart; the fold models set the threshold
    expect(r.epochs).toBe(kept.epochs);
    expect(r.history.map((h) => [h.loss, h.valLoss])).toEqual(kept.history.map((h) => [h.loss, h.valLoss]));
    expect(r.threshold).toBe(kept.threshold);
    expect(r.counts).toEqual(kept.counts);
    expect(Object.keys(r.phaseMs ?? {})).toEqual(['fit', 'threshold_folds', 'refit', 'predict']);
    // the refit, worked out here: every training row (fit + validation), balanced weights on them, r.epochs trees, no early stopping
    const split = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
    const rowIdx = Uint32Array.from([...split.fit, ...split.valid]).sort();
    const yTrain = Float32Array.from(rowIdx, (i) => y[i] as number);
    const { w0, w1 } = classWeights(yTrain, 'balanced');
    const g = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx, y: yTrain, weight: yTrain.map((v) => (v === 1 ? w1 : w0)) }, params: { ...DEFAULT_GBDT_PARAMS, maxIter: r.epochs, earlyStopping: false, seed: config.seed } });
    expect(g.ensemble.trees).toHaveLength(r.epochs);
    const expected = outputFromRaw(g.ensemble, predictRaw(g.ensemble, X, split.test));
    r.testProba.forEach((p, i) => expect(Math.abs(p - (expected[i] as number))).toBeLessThan(1e-6));
    expect(Array.from(r.testProba)).not.toEqual(Array.from(kept.testProba));
  });

  it('with refit and no folds, the threshold is chosen on the validation slice as the fit-row model scores it, before the refit sees those rows', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, thresholdFolds: 0, refit: true, trees: DEFAULT_TREE_SETTINGS };
    const r = await trainTreeClassifier({ matrix, y, config });
    const kept = await trainTreeClassifier({ matrix, y, config: { ...config, refit: false } });
    const { valid } = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
    const validProba = await loadTreeBundle(kept.bundle).predict(subsetRows(X, cols, valid), valid.length);
    expect(r.threshold).toBe(bestF1(buildThresholdSweep(Float64Array.from(valid, (i) => y[i] as number), validProba)).threshold);
    expect(r.threshold).toBe(kept.threshold);
  });

  it('refuses one threshold fold, naming the valid choices', () => {
    expect(() => v.parse(ClassifierConfigSchema, { thresholdFolds: 1 })).toThrow('is 1; use 0 (the validation slice) or 2 to 20 folds');
  });

  it('oversamples the fit rows when asked and says how many rows it added', async () => {
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, resampling: 'oversample' as const, trees: DEFAULT_TREE_SETTINGS };
    const r = await trainTreeClassifier({ matrix, y, config });
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
