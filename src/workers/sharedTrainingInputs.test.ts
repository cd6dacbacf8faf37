import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import * as tf from '@tensorflow/tfjs';
import { jobRowArrays, jobWithInputs, resolveTrainJob, type TrainOnDataJob } from './trainProtocol.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import { DEFAULT_REGRESSOR_CONFIG } from '../trainers/types.ts';
import { buildTrainingInputs } from '../notebook/trainingInputs.ts';
import { copyDataset } from '../data/datasetCopy.ts';

const n = 50;
const ds = datasetFromTable(new arrow.Table({
  pages: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : (i % 7) + 1)), new arrow.Float64()),
  device: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => ['mobile', 'desktop', 'tablet'][i % 3] ?? ''), new arrow.Utf8()),
  converted: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 'yes' : 'no')), new arrow.Utf8()),
  amount: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? (i % 8 === 0 ? null : 20 + i) : 0)), new arrow.Float64()),
}));
const spec = { classTarget: 'converted', revenueTarget: 'amount', excluded: [], transforms: {} };

describe('training inputs built in shared memory (the data worker, for both training workers)', () => {
  it('hold the same matrix and targets as private ones, in SharedArrayBuffers', () => {
    const own = buildTrainingInputs(ds, spec);
    const shared = buildTrainingInputs(ds, spec, (bytes) => new SharedArrayBuffer(bytes));
    for (const a of [shared.matrix.X, shared.y, shared.revenue]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared.matrix.X)).toEqual(Array.from(own.matrix.X));
    expect(shared.matrix.featureNames).toEqual(own.matrix.featureNames);
    expect(shared.warnings).toEqual(own.warnings);
    // written independently: 'yes' is the positive class, a null amount counts 0
    expect(Array.from(shared.y)).toEqual(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)));
    expect(Array.from(shared.revenue)).toEqual(Array.from({ length: n }, (_, i) => (i % 4 === 0 && i % 8 !== 0 ? 20 + i : 0)));
    expect(own.matrix.featureNames).toContain('pages__missing');
  });

  it('a job given shared inputs is the job the training worker would build from the dataset, warnings included', () => {
    const job: TrainOnDataJob = { kind: 'regressor', dataset: ds, inputs: spec, config: DEFAULT_REGRESSOR_CONFIG, backend: 'cpu', dataSha256: 'abc' };
    const inWorker = resolveTrainJob(job);
    const fromShared = resolveTrainJob(jobWithInputs(job, buildTrainingInputs(ds, spec, (bytes) => new SharedArrayBuffer(bytes))));
    expect(fromShared.warnings).toEqual(inWorker.warnings);
    if (fromShared.job.kind !== 'regressor' || inWorker.job.kind !== 'regressor') throw new Error('expected regressor jobs');
    expect(Array.from(fromShared.job.matrix.X)).toEqual(Array.from(inWorker.job.matrix.X));
    expect(Array.from(fromShared.job.revenue)).toEqual(Array.from(inWorker.job.revenue));
    expect(Array.from(fromShared.job.isOrdered)).toEqual(Array.from(inWorker.job.isOrdered));
  });

  // amounts with cents are float64 (not exact in float32), as money is
  it('a float64 regression target without nulls is read in place when it is in the memory asked for, else copied there', () => {
    const whole = datasetFromTable(new arrow.Table({
      converted: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 'yes' : 'no')), new arrow.Utf8()),
      profit: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 20.1 - i : 0)), new arrow.Float64()),
    }));
    const profitSpec = { ...spec, revenueTarget: 'profit' };
    const column = (d: typeof whole) => { const c = d.columns.find((k) => k.name === 'profit'); if (c?.kind !== 'numeric') throw new Error('no profit'); return c.values; };
    const expected = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 20.1 - i : 0));
    expect(buildTrainingInputs(whole, profitSpec).revenue).toBe(column(whole));
    // a private column asked for in shared memory: a shared copy, not the page's own bytes
    const sharedCopy = buildTrainingInputs(whole, profitSpec, (bytes) => new SharedArrayBuffer(bytes)).revenue;
    expect(sharedCopy).not.toBe(column(whole));
    expect(sharedCopy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(sharedCopy)).toEqual(expected);
    const sharedData = copyDataset(whole, (bytes) => new SharedArrayBuffer(bytes));
    expect(buildTrainingInputs(sharedData, profitSpec, (bytes) => new SharedArrayBuffer(bytes)).revenue).toBe(column(sharedData));
  });

  it('a finished job frees its matrix, targets and fit/validation rows, never the test rows its result returns', async () => {
    const split = { fit: Uint32Array.of(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21, 22, 24, 25, 26, 28, 29, 30), valid: Uint32Array.of(32, 33, 34, 36, 37, 38), test: Uint32Array.of(40, 41, 42, 44, 45, 46, 48, 49) };
    const job: TrainOnDataJob = { kind: 'regressor', dataset: ds, inputs: spec, config: { ...DEFAULT_REGRESSOR_CONFIG, model: 'linear', strategy: 'direct' }, backend: 'cpu', dataSha256: 'abc', split };
    const { job: built } = resolveTrainJob(job);
    if (built.kind !== 'regressor') throw new Error('expected a regressor job');
    const freed = jobRowArrays(built);
    expect(freed).toEqual(expect.arrayContaining([built.matrix.X, built.revenue, built.isOrdered, split.fit, split.valid]));
    await tf.setBackend('cpu');
    const result = await trainRegressor({ tf, matrix: built.matrix, revenue: built.revenue, isOrdered: built.isOrdered, config: built.config, split });
    // strategy direct: the result's test rows are the split's own array
    expect(result.testIndex).toBe(split.test);
    for (const a of [result.testIndex, result.yTest, result.predTest]) expect(freed).not.toContain(a);
  });

  it('names a class target that is not two-valued before building anything', () => {
    expect(() => buildTrainingInputs(ds, { ...spec, classTarget: 'device' }, () => { throw new Error('allocated'); })).toThrow(/device/);
    expect(() => buildTrainingInputs(ds, { ...spec, classTarget: 'nope' })).toThrow(/class target "nope" is not a column/);
  });
});
