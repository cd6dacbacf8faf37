import { describe, expect, it } from 'vitest';
import { buildThresholdSweep } from '../trainers/thresholdSweep.ts';
import type { ClassifierResult } from '../trainers/types.ts';
import { withTestSweep, type TrainDone } from './trainProtocol.ts';
import { primeSweepOf, sweepOf } from '../notebook/evaluation.ts';

const yTest = Float32Array.of(1, 0, 0, 1, 0, 1, 0, 0);
const testProba = Float32Array.of(0.9, 0.2, 0.6, 0.6, 0.1, 0.4, 0.3, 0.2);
const result = (): ClassifierResult => ({ yTest, testProba } as unknown as ClassifierResult);

describe('the test sweep built in the training worker', () => {
  it('equals the one the page would build, and sweepOf returns it without sorting again', () => {
    const done = withTestSweep({ outcome: { kind: 'classifier', result: result() }, backend: 'cpu', numTensors: 0 } as TrainDone);
    expect(done.testSweep).toEqual(buildThresholdSweep(yTest, testProba));
    const r = result();
    primeSweepOf(r, done.testSweep!);
    expect(sweepOf(r)).toBe(done.testSweep);
    expect(sweepOf(result())).toEqual(done.testSweep); // an unprimed run still gets its own
  });

  it('refuses a sweep of other rows', () => {
    expect(() => primeSweepOf(result(), buildThresholdSweep(yTest.subarray(0, 4), testProba.subarray(0, 4)))).toThrow(/covers 4 rows, not the run's 8/);
  });
});
