import { describe, expect, it } from 'vitest';
import { sharedDataset } from '../../test/datasetFixture.ts';
import { leakageCheck, leakageReport, log10BinomialTail } from './leakage.ts';
import { createRng } from '../trainers/random.ts';
import type { CategoricalColumn, Dataset, NumericColumn } from './types.ts';

function num(name: string, values: ArrayLike<number>): NumericColumn {
  const v = Float64Array.from(values);
  return { kind: 'numeric', name, arrowType: 'Float64', values: v, nullCount: v.filter(Number.isNaN).length, isBool: false, isInteger: false, unsafeInteger: false };
}
function text(name: string, codes: Int32Array, levels: readonly string[]): CategoricalColumn {
  return { kind: 'categorical', name, arrowType: 'Utf8', codes, levels, nullCount: codes.filter((c) => c < 0).length };
}
function table(columns: Dataset['columns']): Dataset {
  const first = columns[0];
  const rows = first === undefined ? 0 : first.kind === 'categorical' ? first.codes.length : first.values.length;
  return { source: { type: 'file', name: 'x.parquet' }, rows, columns, sha256: '', bytes: 0 };
}

describe('leakage check on training_data.parquet', () => {
  const ds = sharedDataset('training_data.parquet');
  const features = ds.columns.map((c) => c.name).filter((n) => n !== 'is_ordered' && n !== 'revenue');

  it('flags engagement_depth and nothing else, saying what was measured', () => {
    const report = leakageReport(ds, { classTarget: 'is_ordered', revenueTarget: 'revenue', features });
    const findings = report.findings;
    expect(findings.filter((f) => f.flagged).map((f) => f.feature)).toEqual(['engagement_depth']);
    const depth = findings[0];
    expect(depth?.auc).toBe(1);
    expect(depth?.aucMethod).toBe('value ranks');
    expect(depth?.reasons[0]).toBe('single-feature AUC 1.000 against is_ordered = 1, from its value ranks (nothing fitted)');
    expect(depth?.reasons[1]).toMatch(/^engagement_depth = 7 holds 32,313 rows \(6\.8 %\), 100\.0 % of them is_ordered = 1 against 6\.8 % overall; one-sided binomial test against that base rate: p = 1e-\d+ < 1e-6 \/ \d+ values tested \(Bonferroni\)$/);
    expect(findings.map((f) => f.feature).sort()).toEqual(
      ['device_type_mobile', 'engagement_depth', 'hour_of_day', 'is_repeat_session', 'is_weekend', 'landing_page', 'utm_source']);
    for (const f of findings.filter((x) => !x.flagged)) {
      expect(f.auc).toBeGreaterThan(0.3);
      expect(f.auc).toBeLessThan(0.7);
      expect(f.r2).toBeLessThan(0.2);
      expect(f.reasons).toEqual([]);
    }
    expect(report.duplicateColumns).toEqual([]);
  });

  it('capped at 4, engagement_depth is no longer flagged (the check measures the transformed column)', () => {
    const findings = leakageCheck(ds, { classTarget: 'is_ordered', revenueTarget: 'revenue', features, transforms: { engagement_depth: { kind: 'cap', max: 4 } } });
    expect(findings.filter((f) => f.flagged)).toEqual([]);
    const depth = findings.find((f) => f.feature === 'engagement_depth');
    // negatives below 4 count fully, those at 4 half: (377,941 + 62,617 / 2) / 440,558
    expect(depth?.auc).toBeCloseTo((377_941 + 62_617 / 2) / 440_558, 12);
  });
});

describe('out-of-fold AUC', () => {
  it('a random high-cardinality string column stays below 0.6 out of fold while in-sample it is far higher', () => {
    const rng = createRng(11);
    const n = 20_000;
    const y = Array.from({ length: n }, () => (rng() < 0.1 ? 1 : 0));
    const levels = Array.from({ length: 5000 }, (_, i) => `user-${i}`);
    const codes = Int32Array.from({ length: n }, () => Math.floor(rng() * levels.length));
    const f = leakageCheck(table([num('y', y), text('user', codes, levels)]), { classTarget: 'y', features: ['user'] })[0];
    expect(f?.aucMethod).toBe('target encoding, held-out folds');
    expect(f?.auc).toBeLessThan(0.6);
    expect(f?.inSampleAuc).toBeGreaterThan(0.85);
    expect(f?.flagged).toBe(false);
  });

  it('a level that is the label is caught out of fold too', () => {
    const y = Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const status = text('status', Int32Array.from(y, (v, i) => (v === 1 ? 2 : i % 2)), ['a', 'b', 'won']);
    const f = leakageCheck(table([num('y', y), status]), { classTarget: 'y', features: ['status'] })[0];
    expect(f?.auc).toBe(1);
    expect(f?.flagged).toBe(true);
    expect(f?.reasons[1]).toMatch(/^status = won holds 40 rows \(10\.0 %\), 100\.0 % of them y = 1 against 10\.0 % overall; one-sided binomial test against that base rate: p = 1e-40 </);
  });
});

describe('a value that fixes the label needs statistical support', () => {
  it('a 6-row (and an 11-row) pure value in a 442-row table is not flagged', () => {
    const rng = createRng(3);
    const n = 442;
    const y = Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0));
    // rows 0..5 share bmi 40.1 and rows 6..16 share age 77, all positive; the rest vary
    for (let i = 0; i < 17; i++) y[i] = 1;
    const bmi = Array.from({ length: n }, (_, i) => (i < 6 ? 40.1 : 18 + Math.round(rng() * 200) / 10));
    const age = Array.from({ length: n }, (_, i) => (i >= 6 && i < 17 ? 77 : 20 + Math.floor(rng() * 50)));
    const report = leakageReport(table([num('y', y), num('bmi', bmi), num('age', age)]), { classTarget: 'y', features: ['bmi', 'age'] });
    expect(report.findings.filter((f) => f.flagged)).toEqual([]);
  });

  it('a 3,818-row pure value in 472,871 rows is flagged, with the test named', () => {
    const n = 472_871;
    const rng = createRng(5);
    // 32,313 converting rows (6.83 %); level "b_ad_1" holds 3,818 of them and nothing else
    const y = new Uint8Array(n);
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i < 32_313 ? 1 : 0;
      codes[i] = i < 3_818 ? 0 : 1 + Math.floor(rng() * 5);
    }
    const content = text('utm_content', codes, ['b_ad_1', 'g_ad_1', 'g_ad_2', 'social_ad_1', 'social_ad_2', 'b_ad_2']);
    const f = leakageCheck(table([num('is_ordered', y), content]), { classTarget: 'is_ordered', features: ['utm_content'] })[0];
    expect(f?.flagged).toBe(true);
    expect(f?.auc).toBeLessThan(0.98);
    expect(f?.reasons).toEqual([expect.stringMatching(/^utm_content = b_ad_1 holds 3,818 rows \(0\.8 %\), 100\.0 % of them is_ordered = 1 against 6\.8 % overall; one-sided binomial test against that base rate: p = 1e-4\d{3} < 1e-6 \/ 6 values tested \(Bonferroni\)$/)]);
  });

  it('the binomial tail matches closed forms', () => {
    expect(log10BinomialTail(6, 6, 0.4)).toBeCloseTo(6 * Math.log10(0.4), 12);
    // P(X ≥ 9 | 10, 0.5) = 11 / 1024
    expect(log10BinomialTail(10, 9, 0.5)).toBeCloseTo(Math.log10(11 / 1024), 12);
    expect(log10BinomialTail(10, 0, 0.5)).toBe(0);
  });
});

describe('regression target, duplicates', () => {
  const rng = createRng(9);
  const n = 2000;
  const revenue = Array.from({ length: n }, () => (rng() < 0.3 ? 30 + Math.round(rng() * 80) : 0));
  const y = revenue.map((r) => (r > 0 ? 1 : 0));
  const noise = Array.from({ length: n }, () => rng());
  const ds = table([
    num('y', y), num('revenue', revenue),
    num('order_total', revenue.map((r) => r * 1.0 + (rng() - 0.5) * 2)),
    num('pages', noise.map((v) => Math.floor(v * 5))),
    num('pages_copy', noise.map((v) => Math.floor(v * 5))),
    text('pages_text', Int32Array.from(noise, (v) => Math.floor(v * 5)), ['one', 'two', 'three', 'four', 'five']),
  ]);

  it('a feature that copies the regression target is flagged by its out-of-fold R², against both targets', () => {
    const f = leakageReport(ds, { classTarget: 'y', revenueTarget: 'revenue', features: ['order_total', 'pages', 'pages_copy', 'pages_text'] });
    const total = f.findings.find((x) => x.feature === 'order_total');
    expect(total?.r2).toBeGreaterThan(0.99);
    expect(total?.reasons.some((s) => /^R² (0\.99\d|1\.000) against revenue on held-out folds \(5-fold straight-line fit of order_total alone\)$/.test(s))).toBe(true);
    // with no class target, only R² is measured
    const regressionOnly = leakageReport(ds, { classTarget: null, revenueTarget: 'revenue', features: ['order_total', 'y'] });
    expect(regressionOnly.findings.find((x) => x.feature === 'order_total')?.flagged).toBe(true);
    expect(Number.isNaN(regressionOnly.findings[0]?.auc)).toBe(true);
  });

  it('reports identical and one-to-one columns with counts', () => {
    const f = leakageReport(ds, { classTarget: 'y', features: ['pages', 'pages_copy', 'pages_text'] });
    expect(f.duplicateColumns.map((d) => d.message)).toEqual([
      'pages and pages_copy are identical in all 2,000 rows; keep one of them',
      'pages and pages_text map one-to-one (5 values each): the same information under other labels; keep one of them',
      'pages_copy and pages_text map one-to-one (5 values each): the same information under other labels; keep one of them',
    ]);
  });

  it('two columns of all-distinct values (two measurements, an id and a score) are not called one-to-one; identical ones still are', () => {
    const rng = createRng(11);
    const score = Float64Array.from({ length: 400 }, () => rng());
    const id = Float64Array.from({ length: 400 }, (_, i) => 1_000_000 + i);
    const t = table([num('score', score), num('id', id), num('minutes', Float64Array.from(score, (v) => v * 60)), num('score_copy', score), num('y', Float64Array.from(score, (v) => (v > 0.7 ? 1 : 0)))]);
    const f = leakageReport(t, { classTarget: 'y', features: ['score', 'id', 'minutes', 'score_copy'] });
    expect(f.duplicateColumns.map((d) => d.message)).toEqual(['score and score_copy are identical in all 400 rows; keep one of them']);
    // the same file with every row twice: each value now repeats, but only with its own row, so still no relabelling
    const twice = table(t.columns.map((c) => (c.kind === 'numeric' ? num(c.name, [...c.values, ...c.values]) : c)));
    const doubled = leakageReport(twice, { classTarget: 'y', features: ['score', 'id', 'minutes', 'score_copy'] });
    expect(doubled.duplicateColumns.map((d) => d.message)).toEqual(['score and score_copy are identical in all 800 rows; keep one of them']);
    // a real relabelling in a file with repeated rows is still found: 5 levels over 400 distinct rows
    const level = Float64Array.from(score, (v) => Math.floor(v * 5));
    const withLevels = table([...twice.columns, num('level', [...level, ...level]), num('level_x10', [...level, ...level].map((v) => v * 10 + 3))]);
    expect(leakageReport(withLevels, { classTarget: 'y', features: ['score', 'level', 'level_x10'] }).duplicateColumns.map((d) => d.message))
      .toEqual(['level and level_x10 map one-to-one (5 values each): the same information under other labels; keep one of them']);
  });

  it('counts test rows that repeat a training row: a file repeated twice has every test row in training', () => {
    const twice = table(ds.columns.map((c) => (c.kind === 'numeric' ? num(c.name, [...c.values, ...c.values]) : c.kind === 'categorical' ? text(c.name, Int32Array.from([...c.codes, ...c.codes]), c.levels) : c)));
    const test = Uint32Array.from({ length: 400 }, (_, i) => n + i * 5);
    const train = Uint32Array.from({ length: n }, (_, i) => i);
    const d = leakageReport(twice, { classTarget: 'y', features: ['pages'], split: { train, test } }).crossSplitDuplicates;
    expect(d?.withCopyInTraining).toBe(400);
    expect(d?.message).toMatch(/^400 of 400 test rows \(100\.0 %\) equal a training row in all 6 columns/);
    const own = leakageReport(ds, { classTarget: 'y', features: ['pages'], split: { train: Uint32Array.from({ length: 1600 }, (_, i) => i), test: Uint32Array.from({ length: 400 }, (_, i) => 1600 + i) } });
    expect(own.crossSplitDuplicates?.withCopyInTraining).toBe(0);
  });
});
