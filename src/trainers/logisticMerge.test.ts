// The logistic classifier decides once whether identical fit rows are merged: when the merge of the raw fit rows does
// not pay (all rows distinct), the solver is told not to try it again on the scaled rows.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as fast from './fastLogistic.ts';
import { trainClassifier } from './classifier.ts';
import { createRng } from './random.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from './types.ts';

vi.mock('./fastLogistic.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./fastLogistic.ts')>();
  return { ...real, fitFastLogistic: vi.fn(real.fitFastLogistic), groupIdenticalRows: vi.fn(real.groupIdenticalRows) };
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `n` rows of `cols` features; `distinct`: continuous values (no two rows alike), else a handful of levels. */
function rowsOf(n: number, distinct: boolean): { matrix: { rows: number; cols: number; X: Float32Array; featureNames: string[]; featureGroups: string[] }; y: Float32Array } {
  const rng = createRng(4);
  const X = Float32Array.from({ length: n * 2 }, () => (distinct ? rng() : Math.floor(rng() * 3)));
  const y = Float32Array.from({ length: n }, (_, i) => (rng() < 0.3 + 0.2 * (X[i * 2] as number) ? 1 : 0));
  return { matrix: { rows: n, cols: 2, X, featureNames: ['a', 'b'], featureGroups: ['a', 'b'] }, y };
}

describe('logistic row merge', () => {
  it('all rows distinct: the merge is tried once, and the solver is told not to group', async () => {
    vi.mocked(fast.fitFastLogistic).mockClear();
    vi.mocked(fast.groupIdenticalRows).mockClear();
    await trainClassifier({ tf, ...rowsOf(2000, true), config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' } });
    // the fit rows' merge (read from the matrix at the fit rows' indices); the validation rows are merged on their own
    const mock = vi.mocked(fast.groupIdenticalRows).mock;
    expect(mock.calls.flatMap((args, i) => (args[4] === undefined ? [] : [mock.results[i]?.value]))).toEqual([null]);
    expect(vi.mocked(fast.fitFastLogistic).mock.calls.map(([o]) => [o.groupRows, o.count])).toEqual([[false, undefined]]);
  });

  it('repeated rows: merged once before scaling, and the solver gets the counts', async () => {
    vi.mocked(fast.fitFastLogistic).mockClear();
    await trainClassifier({ tf, ...rowsOf(2000, false), config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' } });
    const [options] = vi.mocked(fast.fitFastLogistic).mock.calls[0]!;
    expect(options.rows).toBeLessThanOrEqual(18);
    expect(options.count?.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });

  it('with resampling the merge was not tried: the solver may group the resampled rows', async () => {
    vi.mocked(fast.fitFastLogistic).mockClear();
    await trainClassifier({ tf, ...rowsOf(2000, true), config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', resampling: 'oversample' } });
    expect(vi.mocked(fast.fitFastLogistic).mock.calls.map(([o]) => o.groupRows)).toEqual([true]);
  });
});
