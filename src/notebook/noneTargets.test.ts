/** Notebooks with one target none: a regression-only file validates, is checked for leakage against its regression target, and trains a regressor on all rows. */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetFromTable } from '../../test/datasetFixture.ts';
import { createRng } from '../trainers/random.ts';
import { analyseDataset } from './analysis.ts';
import { buildTrainingInputs } from './trainingInputs.ts';
import { validateDataset } from '../data/validate.ts';
import { NotebookSettingsSchema } from './settings.ts';
import * as v from 'valibot';

/** 442 rows like the diabetes table: two numeric features, a regression target, one column that copies it. */
function regressionTable() {
  const rng = createRng(7);
  const n = 442;
  const bmi = Float64Array.from({ length: n }, () => 20 + 15 * rng());
  const bp = Float64Array.from({ length: n }, () => 70 + 40 * rng());
  const progression = Float64Array.from({ length: n }, (_, i) => 3 * (bmi[i] ?? 0) + 50 * rng());
  const copy = Float64Array.from(progression, (p) => p * 2 + 1);
  return datasetFromTable(arrow.tableFromArrays({ bmi, bp, progression_copy: copy, progression }), 'diabetes.parquet');
}

describe('class target none (regression only)', () => {
  it('validates, skips the profile, and checks leakage against the regression target only', () => {
    const ds = regressionTable();
    const a = analyseDataset(ds, '', 'progression');
    expect(a.issues).toEqual([]);
    expect(a.profile).toBeNull();
    expect(a.leakageReport).not.toBeNull();
    const copy = a.leakage.find((f) => f.feature === 'progression_copy');
    expect(copy?.flagged).toBe(true);
    expect(copy?.r2).toBeGreaterThan(0.99);
    expect(a.leakage.find((f) => f.feature === 'bp')?.flagged).toBe(false);
    expect(a.features).toEqual(['bmi', 'bp', 'progression_copy']);
  });

  it('refuses a notebook with both targets none, saying what to do', () => {
    const ds = regressionTable();
    const issues = validateDataset(ds, { classTarget: null, revenueTarget: null, features: ['bmi'] });
    expect(issues.map((i) => i.message)).toEqual(['both targets are none; choose a class target or a regression target in the Features cell']);
  });

  it('gives the regressor every row: the class labels are all 1', () => {
    const ds = regressionTable();
    const inputs = buildTrainingInputs(ds, { classTarget: '', revenueTarget: 'progression', excluded: ['progression_copy'], transforms: {} });
    expect(inputs.y.length).toBe(442);
    expect(inputs.y.every((y) => y === 1)).toBe(true);
    expect(inputs.matrix.featureNames).toEqual(['bmi', 'bp']);
    const target = ds.columns.find((c) => c.name === 'progression');
    expect(target?.kind === 'numeric' ? Array.from(target.values) : []).toEqual(Array.from(inputs.revenue));
  });

  it('the notebook document keeps a none target', () => {
    const parsed = v.parse(NotebookSettingsSchema, { classTarget: '', revenueTarget: 'progression' });
    expect(parsed.classTarget).toBe('');
  });
});
