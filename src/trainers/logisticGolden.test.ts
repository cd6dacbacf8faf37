/** The Train classifier cell's logistic path against scikit-learn on the bundled data (golden file from scripts/golden-logistic.py). */
import * as tf from '@tensorflow/tfjs';
import * as arrow from 'apache-arrow';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pq from 'parquet-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTable } from '../data/decode.ts';
import { buildModelMatrix, type FeatureSpec } from '../data/encode.ts';
import type { Dataset } from '../data/types.ts';
import { splitForClassifier, trainClassifier } from './classifier.ts';
import { classWeights } from './resample.ts';
import { applyScaler, fitStandardScaler } from './scaler.ts';
import { subsetRows, subsetVector } from './split.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from './types.ts';

interface GoldenCase { name: string; features: string[]; coef: number[]; intercept: number; objective: number; test_auc: number }
const golden = JSON.parse(readFileSync(path.resolve(__dirname, 'golden/sklearn-logistic.json'), 'utf8')) as { fit_rows: number; cases: GoldenCase[] };

let dataset: Dataset;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const bytes = readFileSync(path.resolve(process.cwd(), '../shared/data/training_data.parquet'));
  const table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  dataset = { source: { type: 'file', name: 'training_data.parquet' }, rows: table.numRows, columns: decodeTable(table).columns, sha256: '', bytes: bytes.length };
});

/** scikit-learn's objective C·Σ wᵢ·lossᵢ + ½‖coef‖², in float64, written out here independently of the trainer. */
function objective(X: Float32Array, y: Float32Array, cols: number, coef: ArrayLike<number>, intercept: number, w0: number, w1: number): number {
  let loss = 0;
  for (let r = 0; r < y.length; r++) {
    let z = intercept;
    for (let c = 0; c < cols; c++) z += (X[r * cols + c] as number) * (coef[c] as number);
    const label = y[r] as number;
    loss += (label === 1 ? w1 : w0) * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - label * z);
  }
  let squares = 0;
  for (let c = 0; c < cols; c++) squares += (coef[c] as number) ** 2;
  return loss + 0.5 * squares;
}

const specs: Record<string, FeatureSpec> = {
  leak_free: { targets: ['is_ordered', 'revenue'], exclude: ['engagement_depth'] },
  depth_capped_4: { targets: ['is_ordered', 'revenue'], transforms: { engagement_depth: { kind: 'cap', max: 4 } } },
};

describe('logistic training path equals scikit-learn on the bundled data', () => {
  for (const g of golden.cases) {
    it(`${g.name}: same optimum (objective within 1e-6 relative), coefficients and test AUC`, async () => {
      const spec = specs[g.name];
      if (spec === undefined) throw new Error(`golden case ${g.name} has no feature spec here; add it`);
      const { matrix } = buildModelMatrix(dataset, spec);
      expect(matrix.featureNames).toEqual(g.features);
      const target = dataset.columns.find((c) => c.name === 'is_ordered');
      if (target?.kind !== 'numeric') throw new Error('is_ordered is not numeric');
      const y = Float32Array.from(target.values);
      const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' as const };
      const result = await trainClassifier({ tf, matrix, y, config });
      expect(result.converged).toBe(true);
      expect(result.counts.train).toBe(golden.fit_rows);
      // the coefficients the bundle ships (on standardised inputs): kernel then bias, little-endian float32
      const bundle = result.bundle;
      if (!('weightData' in bundle)) throw new Error('the logistic classifier shipped a tree bundle');
      const weights = new Float32Array(Uint8Array.from(Buffer.from(bundle.weightData, 'base64')).buffer);
      const coef = weights.subarray(0, matrix.cols);
      const intercept = weights[matrix.cols] as number;

      // the objective of both coefficient vectors on the rows the trainer fitted
      const split = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
      const raw = subsetRows(matrix.X, matrix.cols, split.fit);
      const X = applyScaler(raw, split.fit.length, matrix.cols, fitStandardScaler(raw, split.fit.length, matrix.cols));
      const yFit = subsetVector(y, split.fit);
      const { w0, w1 } = classWeights(yFit, 'balanced');
      const ours = objective(X, yFit, matrix.cols, coef, intercept, w0, w1);
      const theirs = objective(X, yFit, matrix.cols, g.coef, g.intercept, w0, w1);
      expect(Math.abs(theirs - g.objective) / g.objective).toBeLessThan(1e-9);
      expect(Math.abs(ours - theirs) / theirs).toBeLessThan(1e-6);
      for (let c = 0; c < matrix.cols; c++) expect(coef[c]).toBeCloseTo(g.coef[c] as number, 5);
      expect(intercept).toBeCloseTo(g.intercept, 5);
      expect(Math.abs(result.metrics.auc_roc - g.test_auc)).toBeLessThan(1e-6);
    });
  }
});
