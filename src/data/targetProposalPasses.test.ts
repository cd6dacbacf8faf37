// Proposing targets reads the class target's labels once, however many amount-named columns are checked against them.
import * as arrow from 'apache-arrow';
import { describe, expect, it, vi } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { proposeTargets } from './targetProposal.ts';
import * as validate from './validate.ts';

vi.mock('./validate.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./validate.ts')>();
  return { ...real, binaryLabels: vi.fn(real.binaryLabels) };
});

describe('target proposal', () => {
  it('three amounts that vary on negative rows: one pass for the labels, and none is taken as the target', () => {
    const n = 60;
    const seq = (f: (i: number) => number) => arrow.vectorFromArray(Array.from({ length: n }, (_, i) => f(i)), new arrow.Float64());
    const ds = datasetFromTable(new arrow.Table({
      amount: seq((i) => 10 + i), total_value: seq((i) => 3 * i + 1), price: seq((i) => 5 + (i % 7)),
      is_fraud: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)), new arrow.Int32()),
    }));
    vi.mocked(validate.binaryLabels).mockClear();
    expect(proposeTargets(ds)).toMatchObject({ classTarget: 'is_fraud', revenueTarget: null });
    expect(vi.mocked(validate.binaryLabels)).toHaveBeenCalledTimes(1);
  });
});
