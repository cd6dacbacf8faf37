import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { buildBundle } from '../trainers/bundle.ts';
import { initLayers } from '../trainers/mlp.ts';
import { createRng } from '../trainers/random.ts';
import { capturedFromIndex, capturedRevenueAt } from '../trainers/revenueGain.ts';
import { revenueView, type RevenueViewInput } from './revenueView.ts';
import { buildTrainingInputs } from './trainingInputs.ts';

/** 400 sessions: two numeric features, an order flag and revenue on ordered sessions; every fourth row is a test row. */
function sessions() {
  const rng = createRng(11);
  const n = 400;
  const a = Float64Array.from({ length: n }, () => rng() * 4);
  const b = Float64Array.from({ length: n }, () => rng() * 2 - 1);
  const ordered = Int32Array.from(a, (v, i) => (v + (b[i] ?? 0) + rng() > 3 ? 1 : 0));
  const revenue = Float64Array.from(ordered, (o, i) => (o === 1 ? Math.round(20 + 30 * (a[i] ?? 0) + 10 * rng()) : 0));
  const ds = datasetFromTable(new arrow.Table({
    a: arrow.vectorFromArray([...a], new arrow.Float64()), b: arrow.vectorFromArray([...b], new arrow.Float64()),
    is_ordered: arrow.vectorFromArray([...ordered], new arrow.Int32()), revenue: arrow.vectorFromArray([...revenue], new arrow.Float64()),
  }));
  const testIndex = Uint32Array.from({ length: n / 4 }, (_, k) => k * 4 + 1);
  const testProba = Float32Array.from(testIndex, (i) => Math.min(1, ((a[i] ?? 0) + (b[i] ?? 0)) / 5 + 0.1));
  const yTest = Float32Array.from(testIndex, (i) => ordered[i] ?? 0);
  return { ds, a, b, revenue, testIndex, testProba, yTest };
}

const inputs = { classTarget: 'is_ordered', revenueTarget: 'revenue', excluded: [], transforms: {} };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('revenueView', () => {
  it('without a regressor: the mean order value of the non-test rows, and the slider index answers as a full scan does', () => {
    const f = sessions();
    const v = revenueView(f.ds, { inputs, classifier: f, regressor: null });
    const testRevenue = Array.from(f.testIndex, (i) => f.revenue[i] ?? 0);
    const isTest = new Set(f.testIndex);
    const trainOrders = Array.from(f.revenue).filter((r, i) => !isTest.has(i) && r > 0);
    expect(v.conditional).toBe('mean-order');
    expect(v.testSessions).toBe(100);
    expect(v.meanOrder).toBeCloseTo(trainOrders.reduce((s, r) => s + r, 0) / trainOrders.length, 9);
    expect(v.totalRevenue).toBeCloseTo(testRevenue.reduce((s, r) => s + r, 0), 9);
    for (const t of [0, 0.2, 0.35, 0.5, 0.8, 1]) {
      const direct = capturedRevenueAt(f.testProba, testRevenue, t);
      const fromIndex = capturedFromIndex(v.captured, t);
      expect(fromIndex.sessions).toBe(direct.sessions);
      expect(fromIndex.revenue).toBeCloseTo(direct.revenue, 6);
    }
    // with one E[revenue | order] for all, ranking by expected revenue is ranking by P(order)
    expect(v.curves.byExpected).toEqual(v.curves.byProba);
    // the revenue curves end at every session targeted, all revenue captured; the top decile is read off them
    expect(v.curves.byProba.x.at(-1)).toBe(1);
    expect(v.curves.byProba.y.at(-1)).toBe(1);
    const top10 = [...f.testIndex].map((i, k) => ({ p: f.testProba[k] ?? 0, r: f.revenue[i] ?? 0 })).sort((x, y) => y.p - x.p).slice(0, 10);
    expect(v.topDecile.proba).toBeCloseTo(top10.reduce((s, x) => s + x.r, 0) / v.totalRevenue, 9);
  });

  it('with a regressor bundle: E[revenue | order] is its prediction on the test rows; other features are refused in words', async () => {
    const f = sessions();
    const layers = initLayers(2, [], 'linear', 3);
    const pre = { featureNames: ['a', 'b'], featureGroups: ['a', 'b'], mean: [0, 0], scale: [1, 1], logTarget: false, smearing: 1, threshold: null, conditionalOnOrder: true };
    const bundle = await buildBundle(tf, layers, { kind: 'regressor', preprocessing: pre, dataSha256: '', seed: 1, backend: 'cpu', tfjsVersion: tf.version.tfjs, config: {} });
    const input: RevenueViewInput = { inputs, classifier: f, regressor: { bundle, strategy: 'two_stage' } };
    const v = revenueView(f.ds, input);
    expect(v.conditional).toBe('regressor');
    const [l] = layers;
    const predicted = Array.from(f.testIndex, (i) => (l?.bias[0] ?? 0) + (f.a[i] ?? 0) * (l?.kernel[0] ?? 0) + (f.b[i] ?? 0) * (l?.kernel[1] ?? 0));
    expect(v.meanConditional).toBeCloseTo(predicted.reduce((s, p) => s + p, 0) / predicted.length, 4);

    // scored from the matrix of every row the data worker holds (its shared training inputs): the same view
    const built = buildTrainingInputs(f.ds, inputs).matrix;
    const fromBuilt = revenueView(f.ds, input, built);
    expect(fromBuilt.meanConditional).toBe(v.meanConditional);
    expect(fromBuilt.curves).toEqual(v.curves);

    const other = await buildBundle(tf, initLayers(1, [], 'linear', 3), { kind: 'regressor', preprocessing: { ...pre, featureNames: ['a'], featureGroups: ['a'], mean: [0], scale: [1] }, dataSha256: '', seed: 1, backend: 'cpu', tfjsVersion: tf.version.tfjs, config: {} });
    const refused = revenueView(f.ds, { ...input, regressor: { bundle: other, strategy: 'two_stage' } });
    expect(refused.conditional).toBe('mean-order');
    expect(refused.regressorError).toBe('the regressor was trained on other features; train it again');
  });

  it('names a revenue target that is not a numeric column', () => {
    const f = sessions();
    expect(() => revenueView(f.ds, { inputs: { ...inputs, revenueTarget: 'price' }, classifier: f, regressor: null }))
      .toThrow('revenue target "price" is not a numeric column; choose it in the Features cell');
  });
});
