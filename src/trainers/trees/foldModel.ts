/** A tree ensemble fitted on one cross-validation training fold (search, imbalance lab): no validation rows inside the fold, so boosting runs its full maxIter. */
import type { FittedModel, TrainingFold } from '../crossValidation.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt, type GbdtParams } from './boosting.ts';
import { outputFromRaw, predictRaw, type TreeModelKind } from './ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest, type ForestParams } from './forest.ts';

/** Settings that differ from the defaults (scikit-learn's boosting, the seed notebook's forest). */
export interface TreeFoldSettings {
  readonly gbdt?: Partial<GbdtParams>;
  readonly rf?: Partial<ForestParams>;
}

/** A fitted fold model and how many trees it holds. */
export interface TreeFoldModel extends FittedModel {
  readonly trees: number;
}

/** Fits `model` on the fold's rows with per-class weights; predictions are P(positive) for a classifier, values for a regressor. */
export function fitTreeFold(model: TreeModelKind, task: 'classifier' | 'regressor', train: TrainingFold, classWeight: { readonly w0: number; readonly w1: number }, settings: TreeFoldSettings, seed: number): TreeFoldModel {
  const rows = { X: train.X, cols: train.cols, rowIdx: Uint32Array.from({ length: train.rows }, (_, i) => i), y: train.y, weight: train.y.map((v) => (v === 1 ? classWeight.w1 : classWeight.w0)) };
  const fit = model === 'gbdt'
    ? fitGbdt({ task, train: rows, params: { ...DEFAULT_GBDT_PARAMS, ...settings.gbdt, earlyStopping: false, seed } })
    : fitForest({ task, train: rows, params: { ...DEFAULT_FOREST_PARAMS, ...settings.rf, seed } });
  const e = fit.ensemble;
  return { trees: e.trees.length, predict: (X, n) => Float32Array.from(outputFromRaw(e, predictRaw(e, X.subarray(0, n * e.cols)))) };
}
