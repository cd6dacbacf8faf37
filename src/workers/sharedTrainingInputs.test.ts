import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { jobWithInputs, resolveTrainJob, type TrainOnDataJob } from './trainProtocol.ts';
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

  it('names a class target that is not two-valued before building anything', () => {
    expect(() => buildTrainingInputs(ds, { ...spec, classTarget: 'device' }, () => { throw new Error('allocated'); })).toThrow(/device/);
    expect(() => buildTrainingInputs(ds, { ...spec, classTarget: 'nope' })).toThrow(/class target "nope" is not a column/);
  });
});
