import { describe, expect, it } from 'vitest';
import golden from './golden/sklearn-trees.json' with { type: 'json' };
import { rocAuc } from '../metrics.ts';
import { classWeights } from '../resample.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { outputFromRaw, predictRaw } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from './forest.ts';

// scripts/golden-trees.py writes the rows and scikit-learn 1.9's AUCs on them
describe.each(golden.datasets)('against scikit-learn on the "$name" data set', (d) => {
  const n = d.y.length;
  const cols = d.cols;
  const X = Float32Array.from(d.X.flat(), (v) => (v === null ? Number.NaN : v));
  const y = Float64Array.from(d.y);
  const train = Uint32Array.from({ length: d.train_rows }, (_, i) => i);
  const test = Uint32Array.from({ length: n - d.train_rows }, (_, i) => d.train_rows + i);
  const yTrain = y.subarray(0, d.train_rows);
  const yTest = y.subarray(d.train_rows);
  const { w0, w1 } = classWeights(yTrain, 'balanced');
  const weight = yTrain.map((v) => (v === 1 ? w1 : w0));

  it('gradient boosting reaches HistGradientBoostingClassifier(class_weight="balanced")\'s test AUC within 0.01', () => {
    const fit = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: train, y: yTrain, weight }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false } });
    const auc = rocAuc(yTest, outputFromRaw(fit.ensemble, predictRaw(fit.ensemble, X, test)));
    expect(Math.abs(auc - d.hgb_auc)).toBeLessThan(0.01);
  });

  it('the random forest reaches RandomForestClassifier(200, max_depth=15, min_samples_split=5)\'s test AUC within 0.01', () => {
    // the golden forest saw missing values as −1
    const Xf = X.map((v) => (Number.isNaN(v) ? -1 : v));
    const fit = fitForest({ task: 'classifier', train: { X: Xf, cols, rowIdx: train, y: yTrain, weight }, params: DEFAULT_FOREST_PARAMS });
    const auc = rocAuc(yTest, outputFromRaw(fit.ensemble, predictRaw(fit.ensemble, Xf, test)));
    expect(Math.abs(auc - d.rf_auc)).toBeLessThan(0.01);
  });
});
