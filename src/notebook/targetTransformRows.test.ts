/**
 * The regression target transform the Data and Train regressor cells state is the one training applies: both come from
 * `plannedTargetTransform`, the cells on the analysis of the rows the row filters keep, training on those same rows.
 */
import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import type { RowFilter } from '../data/rowFilter.ts';
import { createRng } from '../trainers/random.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import { plannedTargetTransform, targetTransformLine, type TargetTransformSetting } from '../trainers/targetTransform.ts';
import { DEFAULT_REGRESSOR_CONFIG } from '../trainers/types.ts';
import { analyseDataset } from './analysis.ts';
import { preparedDataset } from './dataSettings.ts';
import { buildTrainingInputs } from './trainingInputs.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 600 sessions: pages, an order flag, and revenue on ordered sessions, some of them refunds (negative). */
function sessions() {
  const rng = createRng(5);
  const n = 600;
  const pages = Array.from({ length: n }, () => 1 + Math.floor(rng() * 9));
  const ordered = pages.map((p) => (rng() * 10 < p ? 1 : 0));
  const revenue = ordered.map((o, i) => (o === 1 ? (i % 40 === 7 ? -5 - (i % 11) : 10 + 4 * (pages[i] ?? 0) + rng() * 3) : 0));
  refunds = revenue.filter((v) => v < 0).length;
  return datasetFromTable(new arrow.Table({
    pages: arrow.vectorFromArray(pages, new arrow.Float64()),
    is_ordered: arrow.vectorFromArray(ordered, new arrow.Int32()),
    revenue: arrow.vectorFromArray(revenue, new arrow.Float64()),
  }));
}

/** negative revenue values in `sessions()`, counted from the values written */
let refunds = 0;

/** What the cells state and what training applies, on the rows `filters` keep. */
async function statedAndApplied(filters: RowFilter[], setting: TargetTransformSetting) {
  const { dataset } = preparedDataset(sessions(), { dateParts: [], filters, classTarget: 'is_ordered' });
  const negatives = analyseDataset(dataset, 'is_ordered', 'revenue').targetNegatives;
  if (negatives === null) throw new Error('revenue is a numeric target');
  const inputs = buildTrainingInputs(dataset, { classTarget: 'is_ordered', revenueTarget: 'revenue', excluded: [], transforms: {} });
  const trained = await trainRegressor({
    tf, matrix: inputs.matrix, revenue: inputs.revenue, isOrdered: inputs.y, config: { ...DEFAULT_REGRESSOR_CONFIG, model: 'linear', targetTransform: setting },
  }).then((r) => r.targetTransform, (e: Error) => e.message);
  return { stated: plannedTargetTransform(setting, negatives), line: targetTransformLine(setting, negatives, 'revenue'), trained };
}

describe('the regression target transform the cells state is the one training applies', () => {
  it('auto: the raw scale with refunds among the rows, log1p once a row filter drops every negative row', async () => {
    const all = await statedAndApplied([], 'auto');
    expect(refunds).toBeGreaterThan(0);
    expect(all).toEqual({ stated: 'none', trained: 'none', line: expect.stringContaining(`auto: fits revenue on its raw scale, since revenue has ${refunds} negative values`) });
    const refundsDropped = await statedAndApplied([{ column: 'revenue', op: '>=', value: '0' }], 'auto');
    expect(refundsDropped).toEqual({ stated: 'log1p', trained: 'log1p', line: 'auto: fits log1p(revenue) with Duan\'s smearing, since every value of revenue is ≥ 0' });
  });

  it('log1p: refused where a negative row is kept, and trained once the filter drops them', async () => {
    const all = await statedAndApplied([], 'log1p');
    expect(all.stated).toBeNull();
    expect(all.line).toMatch(new RegExp(`^log1p is refused: revenue has ${refunds} negative values`));
    expect(all.trained).toMatch(new RegExp(`^target transform log1p needs values ≥ 0, but the target has ${refunds} negative values`));
    expect(await statedAndApplied([{ column: 'revenue', op: '>=', value: '0' }], 'log1p')).toMatchObject({ stated: 'log1p', trained: 'log1p' });
  });
});
