/** Tree models in the search, the imbalance lab, gain importance and calibration: checked against values computed here. */
import { describe, expect, it } from 'vitest';
import { calibrationOf } from '../../notebook/evaluation.ts';
import { makeFolds } from '../crossValidation.ts';
import { runImbalanceLab, imbalanceFitFor } from '../imbalanceLab.ts';
import { rocAuc } from '../metrics.ts';
import { createRng } from '../random.ts';
import { classWeights } from '../resample.ts';
import { applyScaler, fitStandardScaler } from '../scaler.ts';
import { evaluateCandidate, gridCandidates, type SearchData } from '../search.ts';
import { subsetRows, subsetVector } from '../split.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../types.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { outputFromRaw, predictRaw } from './ensemble.ts';
import { featureGainImportance } from './gainImportance.ts';
import { DEFAULT_TREE_SETTINGS, trainTreeClassifier } from './treeClassifier.ts';

/** Signal a linear model cannot see: P(order) is high in a band around 0 of x0 and of x1 (symmetric); x2 is noise; x3/x4 one-hot. */
function bandData(rows: number, seed: number): SearchData {
  const rng = createRng(seed);
  const cols = 5;
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    const b = rng() * 2 - 1;
    const level = rng() < 0.5 ? 1 : 0;
    X.set([a, b, rng(), level, 1 - level], r * cols);
    y[r] = rng() < 0.02 + (Math.abs(a) < 0.35 ? 0.2 : 0) + (Math.abs(b) < 0.35 ? 0.2 : 0) + 0.05 * level ? 1 : 0;
  }
  return { X, rows, cols, y, task: 'classifier' };
}

describe('tree models in the search', () => {
  const d = bandData(3000, 7);
  const folds = makeFolds(d.y, 'classifier', 4, 2);

  it('a gbdt unit scores the fold as a gbdt fitted here on the same (scaled) training fold does', () => {
    const params = { learningRate: 0.2, maxLeafNodes: 7, minSamplesLeaf: 10, l2: 1, maxIter: 30, classWeight: 'balanced' };
    const res = evaluateCandidate({ data: d, spec: { trainer: 'gbdt', k: 4, seed: 2 }, unit: { candidate: 0, fold: 1, params } });
    const f = folds[1]!;
    const trainRaw = subsetRows(d.X, d.cols, f.train);
    const scaler = fitStandardScaler(trainRaw, f.train.length, d.cols);
    const trainX = applyScaler(trainRaw, f.train.length, d.cols, scaler);
    const validX = applyScaler(subsetRows(d.X, d.cols, f.valid), f.valid.length, d.cols, scaler);
    const yTrain = subsetVector(d.y, f.train);
    const { w0, w1 } = classWeights(yTrain, 'balanced');
    const fit = fitGbdt({
      task: 'classifier',
      train: { X: trainX, cols: d.cols, rowIdx: Uint32Array.from(f.train, (_, i) => i), y: yTrain, weight: yTrain.map((v) => (v === 1 ? w1 : w0)) },
      params: { ...DEFAULT_GBDT_PARAMS, learningRate: 0.2, maxLeafNodes: 7, minSamplesLeaf: 10, l2: 1, maxIter: 30, earlyStopping: false, seed: 2 },
    });
    const p = outputFromRaw(fit.ensemble, predictRaw(fit.ensemble, validX));
    expect(res.iterations).toBe(30);
    expect(res.scores.rocAuc).toBeCloseTo(rocAuc(subsetVector(d.y, f.valid), p), 12);
  });

  it('trees find the bands the logistic search cannot see (fold ROC AUC), for gbdt and rf', () => {
    const unit = (trainer: 'gbdt' | 'rf' | 'logistic', params: Record<string, number | string>) =>
      evaluateCandidate({ data: d, spec: { trainer, k: 4, seed: 2 }, unit: { candidate: 0, fold: 0, params } }).scores.rocAuc ?? 0;
    const logistic = unit('logistic', { C: 1 });
    expect(unit('gbdt', { maxIter: 40, maxLeafNodes: 7 })).toBeGreaterThan(logistic + 0.1);
    expect(unit('rf', { nTrees: 30, maxDepth: 6, minSamplesLeaf: 5 })).toBeGreaterThan(logistic + 0.1);
  });

  it('names a bad tree setting, and class weights or resampling in a regressor search', () => {
    expect(() => evaluateCandidate({ data: d, spec: { trainer: 'gbdt', k: 4, seed: 2 }, unit: { candidate: 0, fold: 0, params: { maxLeafNodes: 0 } } })).toThrow(/maxLeafNodes 0 is out of range/);
    expect(() => evaluateCandidate({ data: d, spec: { trainer: 'gbdt', k: 4, seed: 2 }, unit: { candidate: 0, fold: 0, params: { learningRate: -1 } } })).toThrow(/learningRate -1 is out of range/);
    expect(() => evaluateCandidate({ data: { ...d, task: 'regressor' }, spec: { trainer: 'rf', k: 4, seed: 2 }, unit: { candidate: 0, fold: 0, params: { resampling: 'smote' } } })).toThrow(/parameter "resampling" is "smote" in a regressor search/);
    expect(() => evaluateCandidate({ data: { ...d, task: 'regressor' }, spec: { trainer: 'gbdt', k: 4, seed: 2 }, unit: { candidate: 0, fold: 0, params: { classWeight: 'balanced' } } })).toThrow(/parameter "classWeight"/);
  });

  it('a grid over tree settings is every combination', () => {
    expect(gridCandidates({ learningRate: [0.05, 0.1], maxLeafNodes: [15, 31, 63], classWeight: ['balanced'] })).toHaveLength(6);
  });
});

/** A revenue-like target a line cannot follow: 80 inside a band of x0, 40 outside, plus a step in x1 and noise. */
function bandRevenue(rows: number, seed: number): SearchData {
  const rng = createRng(seed);
  const cols = 3;
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    const b = rng() * 2 - 1;
    X.set([a, b, rng()], r * cols);
    y[r] = (Math.abs(a) < 0.35 ? 80 : 40) + (b > 0.5 ? 10 : 0) + (rng() - 0.5) * 10;
  }
  return { X, rows, cols, y, task: 'regressor' };
}

describe('tree models in the regressor search', () => {
  const d = bandRevenue(2000, 9);
  const folds = makeFolds(d.y, 'regressor', 4, 3);

  it('a gbdt regressor unit scores the fold by RMSE, as a gbdt fitted here on the same training fold does', () => {
    const params = { learningRate: 0.2, maxLeafNodes: 7, minSamplesLeaf: 10, l2: 1, maxIter: 30 };
    const res = evaluateCandidate({ data: d, spec: { trainer: 'gbdt', k: 4, seed: 3 }, unit: { candidate: 0, fold: 2, params } });
    const f = folds[2]!;
    const trainRaw = subsetRows(d.X, d.cols, f.train);
    const scaler = fitStandardScaler(trainRaw, f.train.length, d.cols);
    const trainX = applyScaler(trainRaw, f.train.length, d.cols, scaler);
    const validX = applyScaler(subsetRows(d.X, d.cols, f.valid), f.valid.length, d.cols, scaler);
    const fit = fitGbdt({
      task: 'regressor', train: { X: trainX, cols: d.cols, rowIdx: Uint32Array.from(f.train, (_, i) => i), y: subsetVector(d.y, f.train) },
      params: { ...DEFAULT_GBDT_PARAMS, ...params, earlyStopping: false, seed: 3 },
    });
    const pred = Float32Array.from(predictRaw(fit.ensemble, validX));
    const yValid = subsetVector(d.y, f.valid);
    let sse = 0;
    for (let i = 0; i < yValid.length; i++) sse += ((yValid[i] as number) - (pred[i] as number)) ** 2;
    expect(res.iterations).toBe(30);
    expect(res.scores.rmse).toBeCloseTo(Math.sqrt(sse / yValid.length), 9);
    expect(res.scores.rocAuc).toBeUndefined();
  });

  it('trees follow the band a ridge search cannot (fold RMSE), for gbdt and rf', () => {
    const unit = (trainer: 'gbdt' | 'rf' | 'ridge', params: Record<string, number>) =>
      evaluateCandidate({ data: d, spec: { trainer, k: 4, seed: 3 }, unit: { candidate: 0, fold: 0, params } }).scores.rmse ?? Number.NaN;
    const ridge = unit('ridge', { alpha: 1 });
    // noise alone leaves an RMSE of 10/√12 ≈ 2.9; the band is worth ±20
    expect(ridge).toBeGreaterThan(15);
    expect(unit('gbdt', { maxIter: 60, maxLeafNodes: 7 })).toBeLessThan(5);
    expect(unit('rf', { nTrees: 30, maxDepth: 6, minSamplesLeaf: 5 })).toBeLessThan(5);
  });
});

describe('tree models in the imbalance lab', () => {
  it('compares the strategies with gbdt on the same folds: its ranking beats logistic on bands', () => {
    const d = bandData(2000, 11);
    const lab = (model: 'gbdt' | 'logistic') => runImbalanceLab({ ...d, k: 3, seed: 4, strategies: ['none', 'classWeights', 'threshold'], fit: imbalanceFitFor(model, 4) });
    const trees = Object.fromEntries(lab('gbdt').map((r) => [r.strategy, r]));
    const linear = Object.fromEntries(lab('logistic').map((r) => [r.strategy, r]));
    expect(trees.none!.mean.rocAuc).toBeGreaterThan(linear.none!.mean.rocAuc + 0.1);
    // the moved threshold reuses the unweighted model: same ranking, another operating point
    expect(trees.threshold!.mean.rocAuc).toBe(trees.none!.mean.rocAuc);
    expect(trees.classWeights!.folds).toBe(3);
  });
});

describe('gain importance of a tree model', () => {
  const d = bandData(4000, 3);
  const rows = Uint32Array.from({ length: d.rows }, (_, i) => i);
  const groups = ['x0', 'x1', 'noise', 'channel', 'channel'];

  it('one split: the feature it splits on holds all the gain', () => {
    const fit = fitGbdt({ task: 'classifier', train: { X: d.X, cols: d.cols, rowIdx: rows, y: d.y }, params: { ...DEFAULT_GBDT_PARAMS, maxIter: 1, maxLeafNodes: 2, earlyStopping: false } });
    const tree = fit.ensemble.trees[0]!;
    const gains = featureGainImportance(fit.ensemble, groups);
    expect(gains[0]).toMatchObject({ feature: groups[tree.feature[0]!], share: 1 });
    expect(gains.slice(1).every((g) => g.share === 0)).toBe(true);
  });

  it('shares sum to 1, a one-hot group is one feature with its columns summed, real names', () => {
    const fit = fitGbdt({ task: 'classifier', train: { X: d.X, cols: d.cols, rowIdx: rows, y: d.y }, params: { ...DEFAULT_GBDT_PARAMS, maxIter: 20, earlyStopping: false } });
    const gains = featureGainImportance(fit.ensemble, groups);
    expect(gains.map((g) => g.feature).sort()).toEqual(['channel', 'noise', 'x0', 'x1']);
    expect(gains.reduce((s, g) => s + g.share, 0)).toBeCloseTo(1, 12);
    // the gain of the group, summed here from the nodes
    let group = 0;
    let total = 0;
    for (const t of fit.ensemble.trees) {
      for (let i = 0; i < t.nodes; i++) {
        const f = t.feature[i]!;
        if (f < 0) continue;
        total += t.gain[i]!;
        if (f === 3 || f === 4) group += t.gain[i]!;
      }
    }
    expect(gains.find((g) => g.feature === 'channel')?.share).toBeCloseTo(group / total, 12);
    expect(gains.find((g) => g.feature === 'channel')?.columns).toEqual([3, 4]);
    // the interaction carries the signal: x0 and x1 lead
    expect(new Set(gains.slice(0, 2).map((g) => g.feature))).toEqual(new Set(['x0', 'x1']));
  });

  it('refuses feature names that do not match the model', () => {
    const fit = fitGbdt({ task: 'classifier', train: { X: d.X, cols: d.cols, rowIdx: rows, y: d.y }, params: { ...DEFAULT_GBDT_PARAMS, maxIter: 1, earlyStopping: false } });
    expect(() => featureGainImportance(fit.ensemble, ['a'])).toThrow(/1 feature groups for a model of 5 columns/);
  });
});

describe('calibration of a tree classifier', () => {
  it('bins the forest’s own test probabilities', async () => {
    const d = bandData(3000, 5);
    const names = ['x0', 'x1', 'noise', 'channel=a', 'channel=b'];
    const r = await trainTreeClassifier({
      matrix: { rows: d.rows, cols: d.cols, X: d.X, featureNames: names, featureGroups: ['x0', 'x1', 'noise', 'channel', 'channel'] },
      y: d.y, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'rf', trees: { ...DEFAULT_TREE_SETTINGS, rf: { ...DEFAULT_TREE_SETTINGS.rf, nTrees: 20, maxDepth: 5 } } },
    });
    const cal = calibrationOf(r);
    const direct = outputFromRaw(r.ensemble, predictRaw(r.ensemble, d.X, r.testIndex));
    expect(Array.from(r.testProba)).toEqual(Array.from(direct, (v) => Math.fround(v)));
    for (const bin of cal.bins) {
      const inBin = Array.from(r.testProba).filter((p) => p >= bin.lo && (p < bin.hi || (bin.hi === 1 && p <= 1)));
      expect(bin.count).toBe(inBin.length);
      if (inBin.length > 0) expect(bin.meanPredicted).toBeCloseTo(inBin.reduce((s, p) => s + p, 0) / inBin.length, 6);
    }
  });
});
