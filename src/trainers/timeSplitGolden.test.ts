import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDataset } from '../../test/datasetFixture.ts';
import { addDateParts } from '../data/dateParts.ts';
import { buildModelMatrix } from '../data/encode.ts';
import { binaryLabels } from '../data/validate.ts';
import { trainClassifier } from './classifier.ts';
import { formatTime, parseCutoff, planSplit } from './splitPlan.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from './types.ts';

interface Golden {
  auc: number; cutoff: string; excluded: string[]; features: string[];
  rows: Record<'fit' | 'valid' | 'test', number>; positives: Record<'fit' | 'valid' | 'test', number>;
  ranges: Record<'fit' | 'valid' | 'test', [string, string]>;
}
const golden = JSON.parse(readFileSync(path.resolve(process.cwd(), 'e2e/golden/sessions-time-split.json'), 'utf8')) as Golden;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('time split on sessions_full.parquet against scikit-learn (scripts/golden-time-split.py)', () => {
  it('same rows, same features, and the logistic AUC on the test part equals scikit-learn\'s', async () => {
    const ds = addDateParts(sharedDataset('sessions_full.parquet'), 'created_at', ['month', 'weekday']);
    const cutoff = parseCutoff(golden.cutoff);
    if (typeof cutoff === 'string') throw new Error(cutoff);
    const cls = ds.columns.find((c) => c.name === 'is_ordered');
    if (cls === undefined) throw new Error('is_ordered');
    const labels = binaryLabels(cls);
    if (typeof labels === 'string') throw new Error(labels);
    const y = Float32Array.from(labels.y);
    const config = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' as const };
    const plan = planSplit(ds, { kind: 'time', column: 'created_at', cutoff }, y, config);
    for (const part of ['fit', 'valid', 'test'] as const) {
      expect(plan.parts[part].rows).toBe(golden.rows[part]);
      expect(plan.parts[part].positives).toBe(golden.positives[part]);
      expect([formatTime(plan.parts[part].from), formatTime(plan.parts[part].to)]).toEqual(golden.ranges[part]);
    }
    const built = buildModelMatrix(ds, { targets: ['is_ordered', 'revenue'], exclude: golden.excluded });
    expect([...built.matrix.featureNames].sort()).toEqual([...golden.features].sort());
    const result = await trainClassifier({ tf, matrix: built.matrix, y, config, split: plan });
    expect(result.metrics.auc_roc).toBeCloseTo(golden.auc, 4);
  });
});
