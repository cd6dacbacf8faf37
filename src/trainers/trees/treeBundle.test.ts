import { describe, expect, it } from 'vitest';
import { createRng } from '../random.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from './boosting.ts';
import { outputFromRaw, predictRaw, type TreeEnsemble } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from './forest.ts';
import { leafOfRow } from './tree.ts';
import { buildTreeBundle, createTreeModelCache, ensembleFromBundle, loadTreeBundle } from './treeBundle.ts';

const cols = 3;
const n = 2000;
const rng = createRng(11);
// a continuous column (quantile bins), a small integer column, a column with missing values
const X = Float32Array.from({ length: n * cols }, (_, k) => (k % cols === 0 ? rng() * 100 - 50 : k % cols === 1 ? Math.floor(rng() * 9) : rng() < 0.2 ? Number.NaN : rng()));
const y = Float64Array.from({ length: n }, (_, i) => (rng() < 0.1 + ((X[i * cols] as number) > 10 ? 0.3 : 0) + (Number.isNaN(X[i * cols + 2] as number) ? 0.3 : 0) ? 1 : 0));
const rows = Uint32Array.from({ length: n }, (_, i) => i);
const preprocessing = { featureNames: ['a', 'b', 'c'], featureGroups: ['a', 'b', 'c'], mean: [], scale: [], logTarget: false, smearing: 1, threshold: 0.4, conditionalOnOrder: false };

function roundTrip(e: TreeEnsemble): void {
  const text = JSON.stringify(buildTreeBundle(e, { preprocessing, dataSha256: 'abc', seed: 42, config: { model: e.model } }));
  const loaded = ensembleFromBundle(text);
  expect(Array.from(predictRaw(loaded, X))).toEqual(Array.from(predictRaw(e, X)));
}

describe('tree bundles', () => {
  const gbdt = fitGbdt({ task: 'classifier', train: { X, cols, rowIdx: rows, y }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, maxIter: 40 } }).ensemble;
  const rf = fitForest({ task: 'classifier', train: { X, cols, rowIdx: rows, y }, params: { ...DEFAULT_FOREST_PARAMS, nTrees: 20 } }).ensemble;

  it('predict from a saved bundle exactly as the in-memory model does', async () => {
    roundTrip(gbdt);
    roundTrip(rf);
    const predictor = loadTreeBundle(JSON.stringify(buildTreeBundle(gbdt, { preprocessing, dataSha256: '', seed: 42, config: {} })));
    expect(predictor.threshold).toBe(0.4);
    const p = await predictor.predict(X, n);
    expect(Array.from(p)).toEqual(Array.from(Float32Array.from(outputFromRaw(gbdt, predictRaw(gbdt, X)))));
  });

  it('walks raw values (thresholds, missing sides) to the same leaves as bins', () => {
    // predictRaw walks bins; summing the raw-value walk must give the same scores
    for (const e of [gbdt, rf]) {
      const viaBins = predictRaw(e, X);
      for (let r = 0; r < n; r += 7) {
        let sum = 0;
        for (const t of e.trees) sum += t.value[leafOfRow(t, X, cols, r)] as number;
        expect(e.baseScore + e.treeScale * sum).toBeCloseTo(viaBins[r] as number, 12);
      }
    }
  });

  it('refuses a file that is not a tree bundle, or has a damaged node array', () => {
    expect(() => loadTreeBundle('{"format":"ml-workbench-bundle/1"}')).toThrow(/bundle format is not "ml-workbench-trees\/1"/);
    const b = buildTreeBundle(gbdt, { preprocessing, dataSha256: '', seed: 42, config: {} });
    expect(() => ensembleFromBundle({ ...b, nodes: { ...b.nodes, value: 'AAAA' } })).toThrow(/nodes\.value holds 3 bytes/);
  });

  it('decodes a model once under its key, and again for another key; a key never sent is refused', () => {
    const model = createTreeModelCache();
    const meta = { preprocessing, dataSha256: '', seed: 42, config: {} };
    const first = model('a', structuredClone(buildTreeBundle(rf, meta)));
    // later jobs name the model without sending it
    expect(model('a', null)).toBe(first);
    expect(model('a', structuredClone(buildTreeBundle(rf, meta)))).toBe(first);
    const other = model('b', structuredClone(buildTreeBundle(gbdt, meta)));
    expect(other).not.toBe(first);
    expect(Array.from(predictRaw(other, X))).toEqual(Array.from(predictRaw(gbdt, X)));
    expect(Array.from(predictRaw(first, X))).toEqual(Array.from(predictRaw(rf, X)));
    expect(() => model('a', null)).toThrow('tree model "a" was not sent to this worker; run SHAP again');
  });
});
