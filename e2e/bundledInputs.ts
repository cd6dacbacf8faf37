/**
 * The page's inputs recomputed in node for checks against the screen: the bundled file decoded and encoded with the same
 * pure modules the workers use, and the fold fits and scores written out here (not the search or lab code under test).
 */
import { readFileSync } from 'node:fs';
import { buildTrainingInputs, type TrainingInputs } from '../src/notebook/trainingInputs.ts';
import { makeFolds, type CvTask } from '../src/trainers/crossValidation.ts';
import { applyScaler, fitStandardScaler } from '../src/trainers/scaler.ts';
import { subsetRows, subsetVector } from '../src/trainers/split.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt, type GbdtParams } from '../src/trainers/trees/boosting.ts';
import { predictRaw, sigmoid } from '../src/trainers/trees/ensemble.ts';
import { datasetFromParquet } from '../test/datasetFixture.ts';
import { ONE_HOT_FILE } from './helpers.ts';

/** The bundled file's model matrix and targets with `excluded` left out (the Features cell's defaults otherwise). */
export function bundledInputs(excluded: readonly string[]): TrainingInputs {
  const ds = datasetFromParquet(readFileSync(ONE_HOT_FILE), 'training_data.parquet');
  return buildTrainingInputs(ds, { classTarget: 'is_ordered', revenueTarget: 'revenue', excluded, transforms: {} });
}

/** Per-fold predictions of gradient boosting fitted on each standardised training fold (all `maxIter` trees), in fold order. */
export function gbdtFoldPredictions(
  X: Float32Array, cols: number, y: Float32Array, task: CvTask, k: number, seed: number,
  params: Partial<GbdtParams>, weightOf: (yTrain: Float32Array) => Float64Array | null,
): Array<{ readonly y: Float32Array; readonly p: Float64Array }> {
  return makeFolds(y, task, k, seed).map((f) => {
    const trainRaw = subsetRows(X, cols, f.train);
    const scaler = fitStandardScaler(trainRaw, f.train.length, cols);
    const yTrain = subsetVector(y, f.train);
    const weight = weightOf(yTrain);
    const fit = fitGbdt({
      task, train: { X: applyScaler(trainRaw, f.train.length, cols, scaler), cols, rowIdx: Uint32Array.from(f.train, (_, i) => i), y: yTrain, ...(weight ? { weight } : {}) },
      params: { ...DEFAULT_GBDT_PARAMS, ...params, earlyStopping: false, seed },
    });
    const raw = predictRaw(fit.ensemble, applyScaler(subsetRows(X, cols, f.valid), f.valid.length, cols, scaler));
    return { y: subsetVector(y, f.valid), p: task === 'classifier' ? raw.map(sigmoid) : raw };
  });
}

/** Mean of a per-fold score. */
export function meanOver<T>(folds: readonly T[], score: (f: T) => number): number {
  return folds.reduce((s, f) => s + score(f), 0) / folds.length;
}

/** √(mean squared error), as float32 predictions give it (the search scores float32 predictions). */
export function rmse(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += ((y[i] as number) - Math.fround(p[i] as number)) ** 2;
  return Math.sqrt(s / y.length);
}

/** Mean squared difference of probability and 0/1 label. */
export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (Math.fround(p[i] as number) - (y[i] as number)) ** 2;
  return s / y.length;
}

/** ROC AUC as the Mann–Whitney statistic: the share of (positive, negative) pairs ranked right, ties counting half. */
export function rankAuc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => Math.fround(p[a] as number) - Math.fround(p[b] as number));
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && Math.fround(p[idx[j + 1] as number] as number) === Math.fround(p[idx[i] as number] as number)) j++;
    const midRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (y[idx[t] as number] === 1) { rankSumPos += midRank; pos++; }
    i = j + 1;
  }
  const neg = y.length - pos;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
