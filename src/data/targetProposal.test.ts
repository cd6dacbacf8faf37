import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { proposeTargets } from './targetProposal.ts';

const n = 40;
const seq = (f: (i: number) => number | string | boolean | null) => Array.from({ length: n }, (_, i) => f(i));

describe('target proposal on five small files the test writes', () => {
  it('the sessions table: is_ordered over the is_ flags, revenue in dollars', () => {
    const ds = datasetFromTable(new arrow.Table({
      is_repeat_session: arrow.vectorFromArray(seq((i) => i % 3 === 0 ? 1 : 0), new arrow.Int32()),
      is_weekend: arrow.vectorFromArray(seq((i) => i % 2 === 0), new arrow.Bool()),
      is_ordered: arrow.vectorFromArray(seq((i) => (i % 5 === 0 ? 1 : 0)), new arrow.Int32()),
      revenue: arrow.vectorFromArray(seq((i) => (i % 5 === 0 ? 49.99 : 0)), new arrow.Float64()),
    }));
    expect(proposeTargets(ds)).toMatchObject({ classTarget: 'is_ordered', revenueTarget: 'revenue', revenueIsMoney: true });
  });

  it('a medical table: boolean has_disease, no amount → regression none', () => {
    const ds = datasetFromTable(new arrow.Table({
      age: arrow.vectorFromArray(seq((i) => 30 + i), new arrow.Int32()),
      smoker: arrow.vectorFromArray(seq((i) => i % 4 === 0), new arrow.Bool()),
      bmi: arrow.vectorFromArray(seq((i) => 20 + (i % 9) * 1.5), new arrow.Float64()),
      has_disease: arrow.vectorFromArray(seq((i) => i % 3 === 0), new arrow.Bool()),
    }));
    const p = proposeTargets(ds);
    expect(p).toMatchObject({ classTarget: 'has_disease', revenueTarget: null, revenueIsMoney: false });
    expect(p.reasons[1]).toMatch(/leave it none/);
  });

  it('a regression table: a two-valued sex is not a label; target is the amount, in plain numbers', () => {
    const ds = datasetFromTable(new arrow.Table({
      age: arrow.vectorFromArray(seq((i) => 0.01 * i), new arrow.Float64()),
      sex: arrow.vectorFromArray(seq((i) => (i % 2 === 0 ? 1 : 2)), new arrow.Int32()),
      bmi: arrow.vectorFromArray(seq((i) => 0.02 * i - 0.3), new arrow.Float64()),
      target: arrow.vectorFromArray(seq((i) => 25 + 7 * i), new arrow.Float64()),
    }));
    expect(proposeTargets(ds)).toMatchObject({ classTarget: null, revenueTarget: 'target', revenueIsMoney: false });
  });

  it('a messy sessions file: a yes/no text column named converted', () => {
    const ds = datasetFromTable(new arrow.Table({
      source: arrow.vectorFromArray(seq((i) => ['gsearch', 'bsearch', null][i % 3] ?? null), new arrow.Utf8()),
      pages: arrow.vectorFromArray(seq((i) => i % 7), new arrow.Int32()),
      converted: arrow.vectorFromArray(seq((i) => (i % 6 === 0 ? 'yes' : 'no')), new arrow.Utf8()),
    }));
    expect(proposeTargets(ds)).toMatchObject({ classTarget: 'converted', revenueTarget: null });
  });

  it('a table with no label and no amount: none for both, with reasons', () => {
    const ds = datasetFromTable(new arrow.Table({
      city: arrow.vectorFromArray(seq((i) => `c${i % 4}`), new arrow.Utf8()),
      temperature: arrow.vectorFromArray(seq((i) => 10 + i / 3), new arrow.Float64()),
      rainy: arrow.vectorFromArray(seq((i) => i % 2 === 0), new arrow.Bool()),
    }));
    const p = proposeTargets(ds);
    expect(p).toMatchObject({ classTarget: null, revenueTarget: null });
    expect(p.reasons[0]).toMatch(/^no two-valued column is named like a label/);
  });

  it('a fraud table: the amount varies on honest rows too, so it stays a feature and regression is none, saying why', () => {
    const ds = datasetFromTable(new arrow.Table({
      amount: arrow.vectorFromArray(seq((i) => 5 + i * 3.5), new arrow.Float64()),
      channel: arrow.vectorFromArray(seq((i) => (i % 3 === 0 ? 'web' : 'pos')), new arrow.Utf8()),
      is_fraud: arrow.vectorFromArray(seq((i) => i % 4 === 0), new arrow.Bool()),
    }));
    const p = proposeTargets(ds);
    expect(p).toMatchObject({ classTarget: 'is_fraud', revenueTarget: null });
    expect(p.reasons[1]).toBe('amount is not zero on the rows where is_fraud is negative, so it stays a feature rather than is_fraud\'s amount; pick it as the regression target to model it');
  });

  it('a renamed order table: basket_value is zero (or null) where purchased is 0, so it is the regression target', () => {
    const ds = datasetFromTable(new arrow.Table({
      minutes: arrow.vectorFromArray(seq((i) => i % 11), new arrow.Float64()),
      purchased: arrow.vectorFromArray(seq((i) => (i % 4 === 0 ? 1 : 0)), new arrow.Int32()),
      basket_value: arrow.vectorFromArray(seq((i) => (i % 4 === 0 ? 10 + i : i % 8 === 1 ? null : 0)), new arrow.Float64()),
    }));
    expect(proposeTargets(ds)).toMatchObject({ classTarget: 'purchased', revenueTarget: 'basket_value', revenueIsMoney: false });
  });

  it('a bank-marketing table: a yes/no column named subscribed is the class target', () => {
    const ds = datasetFromTable(new arrow.Table({
      age: arrow.vectorFromArray(seq((i) => 20 + i), new arrow.Int32()),
      subscribed: arrow.vectorFromArray(seq((i) => (i % 5 === 0 ? 'yes' : 'no')), new arrow.Utf8()),
    }));
    expect(proposeTargets(ds).classTarget).toBe('subscribed');
  });
});
