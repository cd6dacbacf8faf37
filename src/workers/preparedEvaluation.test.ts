import { describe, expect, it } from 'vitest';
import { buildThresholdSweep } from '../trainers/thresholdSweep.ts';
import { brierScore, calibrationBins } from '../trainers/metrics.ts';
import type { ClassifierResult, RegressorResult } from '../trainers/types.ts';
import { doneTransferables, withEvaluation, type TrainDone } from './trainProtocol.ts';
import { calibrationOf, curvesOf, primeEvaluation, primeSweepOf, residualsOf, sweepOf } from '../notebook/evaluation.ts';

const yTest = Float32Array.of(1, 0, 0, 1, 0, 1, 0, 0);
const testProba = Float32Array.of(0.9, 0.2, 0.6, 0.6, 0.1, 0.4, 0.3, 0.2);
const result = (): ClassifierResult => ({ yTest, testProba } as unknown as ClassifierResult);
const regressor = (): RegressorResult => ({ yTest: Float32Array.of(0, 10, 49.99, 0, 20), predTest: Float32Array.of(1, 12, 40, 0.5, 25) } as unknown as RegressorResult);

describe('the evaluation prepared in the training worker', () => {
  it('a classifier\'s sweep, curves and calibration equal what the page would work out, and the page reads them without passing over the rows', () => {
    const done = withEvaluation({ outcome: { kind: 'classifier', result: result() }, backend: 'cpu', numTensors: 0 } as TrainDone);
    const e = done.evaluation;
    if (e?.kind !== 'classifier') throw new Error('expected a classifier evaluation');
    expect(e.sweep).toEqual(buildThresholdSweep(yTest, testProba));
    expect(e.calibration).toEqual({ bins: calibrationBins(yTest, testProba, 10), brier: brierScore(yTest, testProba) });
    const fresh = result();
    expect(e.curves).toEqual(curvesOf(fresh));
    // the sweep's buffers travel, not copied
    expect(doneTransferables(done)).toEqual(expect.arrayContaining([e.sweep.thresholds.buffer, e.sweep.tps.buffer, e.sweep.fps.buffer]));
    const r = result();
    primeEvaluation(r, e);
    expect(sweepOf(r)).toBe(e.sweep);
    expect(curvesOf(r)).toBe(e.curves);
    expect(calibrationOf(r)).toBe(e.calibration);
  });

  it('a regressor\'s residuals equal the page\'s own', () => {
    const done = withEvaluation({ outcome: { kind: 'regressor', result: regressor() }, backend: 'cpu', numTensors: 0 } as TrainDone);
    const e = done.evaluation;
    if (e?.kind !== 'regressor') throw new Error('expected a regressor evaluation');
    expect(e.residuals).toEqual(residualsOf(regressor()));
    const r = regressor();
    primeEvaluation(r, e);
    expect(residualsOf(r)).toBe(e.residuals);
  });

  it('refuses an evaluation of other rows', () => {
    expect(() => primeSweepOf(result(), buildThresholdSweep(yTest.subarray(0, 4), testProba.subarray(0, 4)))).toThrow(/covers 4 rows, not the run's 8/);
    const short = { yTest: Float32Array.of(1, 2), predTest: Float32Array.of(1, 3) } as unknown as RegressorResult;
    const e = withEvaluation({ outcome: { kind: 'regressor', result: short }, backend: 'cpu', numTensors: 0 } as TrainDone).evaluation;
    expect(() => primeEvaluation(regressor(), e!)).toThrow(/residuals cover 2 rows, not the run's 5/);
  });
});
