// Files a data scientist brings and the project never saw (test/unseenFiles.ts), each run through `npm run pipeline`
// as a scheduler runs it (the prebuilt bundle): it trains with finite metrics that equal an independent computation,
// or it exits 2 with one sentence naming the column and what to do. Nothing assumes the demo's columns.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPipelineBundle } from '../../scripts/pipeline.mjs';
import { datasetFromParquet } from '../../test/datasetFixture.ts';
import { lineRmse, randomTestPart, rankAuc, unseenFiles, type UnseenFile } from '../../test/unseenFiles.ts';
import { buildModelMatrix } from '../data/encode.ts';
import { loadBundle } from '../trainers/bundle.ts';

// inside the repository: the bundle resolves parquet-wasm from node_modules above it
const bundleDir = path.resolve('.cache', `pipeline-unseen-${process.pid}`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unseen-'));
let cli = '';
beforeAll(async () => { cli = await buildPipelineBundle(bundleDir); }, 120_000);
afterAll(() => {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Outcome { code: number | null; stdout: string; stderr: string }
interface Report {
  classifier: { auc_roc: number; f1_score: number; log_loss: number; test_samples: number } | null;
  regressor: { rmse: number; mae: number; mape?: number; target_transform: string; undefined_metrics?: Record<string, string> } | null;
  data: { rows: number; features: string[] };
  leakage: { flagged: string[]; rows_repeated_across_split: { test_rows: number; with_copy_in_training: number } | null };
}

function pipeline(f: UnseenFile, extra: string[] = [], targets = ['--target', f.target ?? 'none', '--revenue', f.revenue ?? 'none']): Promise<Outcome> {
  const file = path.join(dir, f.name);
  fs.writeFileSync(file, f.bytes);
  const args = [cli, '--data', file, ...targets, '--backend', 'cpu', ...extra];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code) => { clearTimeout(killer); resolve({ code, stdout, stderr }); });
  });
}

const files = unseenFiles();
const named = (name: string): UnseenFile => files.find((f) => f.name === name)!;

describe('unseen files through npm run pipeline', () => {
  for (const f of files) {
    it(`${f.name}: ${f.refused === null ? 'trains with finite metrics' : 'is refused in one sentence naming the column'}`, async () => {
      const o = await pipeline(f);
      if (f.refused !== null) {
        expect(o.code, o.stderr).toBe(2);
        const lines = o.stderr.split('\n').filter((l) => l.startsWith('error:'));
        expect(lines, o.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(f.refused);
        expect(lines[0]).not.toMatch(/;.*;.*;/); // one sentence, not a list of them
        expect(o.stdout).toBe('');
        return;
      }
      expect(o.code, o.stderr).toBe(0);
      const r = JSON.parse(o.stdout) as Report;
      expect(r.data.rows).toBe(datasetFromParquet(f.bytes, f.name).rows);
      for (const v of [r.classifier?.auc_roc, r.classifier?.f1_score, r.classifier?.log_loss, r.regressor?.rmse, r.regressor?.mae]) {
        if (v !== undefined) expect(Number.isFinite(v)).toBe(true);
      }
      expect(r.classifier === null).toBe(f.target === null);
      expect(r.regressor === null).toBe(f.revenue === null);
    }, 120_000);
  }

  it('nulls inside features become missing indicators and a null level; a 99 %-null column is kept with its indicator', async () => {
    const o = await pipeline(named('nulls_in_features.parquet'));
    expect((JSON.parse(o.stdout) as Report).data.features).toEqual(['tenure', 'tenure__missing', 'plan_desktop', 'plan_mobile', 'plan_tablet', 'plan___null__', 'mostly_null', 'mostly_null__missing']);
  }, 120_000);

  it('ids beyond 2^53 are left out with a warning naming the column; decimal, float16 and dictionary columns are features', async () => {
    const ids = await pipeline(named('int64_ids.parquet'));
    expect(ids.stderr).toMatch(/warning: column "customer_id" holds integers beyond ±2\^53 .*drop it or cast it to a string/);
    // an id and a score, each all distinct, are not "one-to-one relabellings" of each other
    expect(ids.stderr).not.toMatch(/one-to-one/);
    const odd = await pipeline(named('odd_types.parquet'));
    expect(odd.stderr).toMatch(/warning: column "big_unsigned" holds integers beyond ±2\^53/);
    expect((JSON.parse(odd.stdout) as Report).data.features).toEqual(['half', 'price', 'city_desktop', 'city_mobile', 'city_tablet']);
    // a column the models cannot use is named on stderr, never dropped silently
    expect(odd.stderr).toMatch(/note: column "tags" is List<.*>; skipped/);
  }, 120_000);

  it('without --target and --revenue (the bundled file\'s names), the missing columns are named with the option that sets them', async () => {
    const o = await pipeline(named('nulls_in_features.parquet'), [], []);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('error: class target "is_ordered" is not a column of this file; choose one of "churned", "tenure", "plan", "mostly_null" or none with --target; '
      + 'revenue target "revenue" is not a column of this file; choose one of "churned", "tenure", "plan", "mostly_null" or none with --revenue');
  }, 120_000);

  it('timestamp and date columns are not features (a time is not a number); the label columns of other names are targets', async () => {
    const o = await pipeline(named('timestamps.parquet'));
    expect((JSON.parse(o.stdout) as Report).data.features).toEqual(['pages']);
  }, 120_000);

  it('a single feature with logistic regression: the test AUC is the AUC of the feature itself on the test rows', async () => {
    const f = named('single_feature.parquet');
    const o = await pipeline(f, ['--classifier', 'logistic']);
    expect(o.code, o.stderr).toBe(0);
    const { rows, y, ds } = randomTestPart(f);
    const only = ds.columns.find((c) => c.name === 'only')!;
    if (only.kind !== 'numeric') throw new Error('only is not numeric');
    // a fitted logistic model is monotone in its one feature (increasing here: the label rises with it)
    const auc = rankAuc(Float64Array.from(rows, (r) => only.values[r]!), y);
    expect((JSON.parse(o.stdout) as Report).classifier!.auc_roc).toBeCloseTo(auc, 6);
  }, 120_000);

  it('a regression target with negative values trains on its raw scale: a warning names the count, MAPE is n/a, the RMSE is the least-squares line\'s; log1p asked of it exits 2', async () => {
    const f = named('negative_revenue.parquet');
    const o = await pipeline(f, ['--regressor', 'linear']);
    expect(o.code, o.stderr).toBe(0);
    const { ds, rows: test } = randomTestPart(f);
    const column = (name: string): ArrayLike<number> => {
      const c = ds.columns.find((k) => k.name === name);
      if (c?.kind !== 'numeric') throw new Error(`no numeric column ${name}`);
      return c.values;
    };
    const revenue = column('revenue');
    const ordered = column('is_ordered');
    const negatives = Array.from(revenue).filter((v) => v < 0).length;
    expect(negatives).toBeGreaterThan(0);
    expect(o.stderr).toContain(`warning: column "revenue" has ${negatives} negative values (lowest -15): MAPE is n/a where the test target crosses 0`);
    expect(o.stderr).toContain(`target transform: auto: fits revenue on its raw scale, since revenue has ${negatives} negative values (lowest -15) and log1p needs values ≥ 0`);
    const r = (JSON.parse(o.stdout) as Report).regressor!;
    expect(r.target_transform).toBe('none');
    expect(r.mape).toBeUndefined();
    expect(r.undefined_metrics).toEqual({ mape: 'n/a — the test target crosses 0, where percentage errors have no bound' });
    // converting_only: the line of revenue on pages over the ordered training rows, scored on the ordered test rows
    const isTest = new Set(test);
    const all = Array.from({ length: ds.rows }, (_, i) => i).filter((i) => ordered[i] === 1);
    expect(r.rmse).toBeCloseTo(lineRmse(column('pages'), revenue, all.filter((i) => !isTest.has(i)), all.filter((i) => isTest.has(i))), 4);

    const refused = await pipeline(f, ['--target-transform', 'log1p']);
    expect(refused.code, refused.stderr).toBe(2);
    const lines = refused.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(lines).toEqual([`error: target transform log1p needs values ≥ 0, but column "revenue" has ${negatives} negative values (lowest -15); choose target transform "none" or "auto" with --target-transform`]);
  }, 240_000);

  it('0/1 targets stored as float64, int8 and uint8, a 0.5 % minority and 100,000 rows in 200 row groups: logistic\'s test AUC is the one feature\'s own AUC', async () => {
    for (const [name, feature] of [['float_01_target.parquet', 'pages'], ['int8_target.parquet', 'pages'], ['uint8_target.parquet', 'pages'],
      ['imbalanced_half_percent.parquet', 'amount'], ['many_row_groups.parquet', 'pages']] as const) {
      const f = named(name);
      const o = await pipeline(f, ['--classifier', 'logistic']);
      expect(o.code, o.stderr).toBe(0);
      const r = JSON.parse(o.stdout) as Report;
      expect(r.data.features, name).toEqual([feature]);
      const { rows, y, ds } = randomTestPart(f);
      const col = ds.columns.find((c) => c.name === feature);
      if (col?.kind !== 'numeric') throw new Error(`${feature} is not numeric`);
      expect(r.classifier!.test_samples).toBe(rows.length);
      expect(r.classifier!.auc_roc, name).toBeCloseTo(rankAuc(Float64Array.from(rows, (i) => col.values[i]!), y), 6);
    }
    // the 0.5 % file: 6 positives among its 1,200 test rows, as stratified; the 100,000-level id is named, not used
    expect(randomTestPart(named('imbalanced_half_percent.parquet')).y.reduce((a, b) => a + b, 0)).toBe(6);
    const big = await pipeline(named('many_row_groups.parquet'));
    expect(big.stderr).toContain('note: column "session_id" is ≥ 99 % unique text, like an id; left out');
  }, 240_000);

  it('an empty column and constant columns are left out and named; a copy of the target is flagged; repeated rows are counted, not called relabellings', async () => {
    const empty = await pipeline(named('all_null_feature.parquet'));
    expect(empty.code, empty.stderr).toBe(0);
    expect((JSON.parse(empty.stdout) as Report).data.features).toEqual(['pages']);
    expect(empty.stderr).toContain('warning: column "empty" is entirely null; left out');
    expect(empty.stderr).toContain('warning: column "empty_text" is entirely null; left out');
    const constant = await pipeline(named('constant_columns.parquet'));
    expect((JSON.parse(constant.stdout) as Report).data.features).toEqual(['pages']);
    expect(constant.stderr).toContain('note: column "version" has a single value; left out');
    expect(constant.stderr).toContain('note: column "site" has a single value; left out');
    const copy = await pipeline(named('target_copy.parquet'));
    expect((JSON.parse(copy.stdout) as Report).leakage.flagged).toEqual(['label_copy']);
    expect(copy.stderr).toMatch(/warning: label_copy may leak a target \(single-feature AUC 1\.000 against label = 1.*pass --exclude label_copy for an honest model/);

    const f = named('repeated_rows.parquet');
    const repeated = await pipeline(f);
    expect(repeated.code, repeated.stderr).toBe(0);
    expect(repeated.stderr).toContain('note: pages and pages_again are identical in all 800 rows; keep one of them');
    expect(repeated.stderr).not.toMatch(/one-to-one/);
    // row r and row r ± 400 are the same row: a test row has a copy in training unless its twin is a test row too
    const { rows } = randomTestPart(f);
    const isTest = new Set(rows);
    const withTwinInTraining = Array.from(rows).filter((r) => !isTest.has((r + 400) % 800)).length;
    expect((JSON.parse(repeated.stdout) as Report).leakage.rows_repeated_across_split).toMatchObject({ test_rows: rows.length, with_copy_in_training: withTwinInTraining });
  }, 240_000);

  it('NaN in a float feature is a missing value (logistic regression trains); dates of every width and zone, and a struct column, are named and left out; 300 columns are 300 features', async () => {
    // logistic regression got the NaN as a value ("not positive definite"); now it is a missing value with its indicator
    const nan = await pipeline(named('nan_in_feature.parquet'), ['--classifier', 'logistic']);
    expect(nan.code, nan.stderr).toBe(0);
    expect((JSON.parse(nan.stdout) as Report).data.features).toEqual(['pages', 'pages__missing']);
    expect(nan.stderr).toMatch(/note: column "pages": 8 nulls \(2\.0 %\) filled with the median/);
    const dates = await pipeline(named('dates_and_zones.parquet'));
    expect(dates.code, dates.stderr).toBe(0);
    expect((JSON.parse(dates.stdout) as Report).data.features).toEqual(['pages']);
    for (const c of ['d32', 'd64', 'ts_new_york', 'ts_offset']) expect(dates.stderr).toContain(`note: column "${c}" is a timestamp; left out`);
    const struct = await pipeline(named('struct_column.parquet'));
    expect(struct.stderr).toMatch(/note: column "meta" is Struct<.*>; skipped/);
    const wide = await pipeline(named('wide_300_columns.parquet'));
    expect((JSON.parse(wide.stdout) as Report).data.features).toHaveLength(300);
  }, 240_000);

  for (const name of ['nulls_in_features.parquet', 'odd_types.parquet', 'unicode_names.parquet']) {
    it(`${name}: the model bundle the pipeline wrote scores its test rows with the AUC it reported`, async () => {
      const f = named(name);
      const out = path.join(dir, `out-${name}`);
      const o = await pipeline(f, ['--out', out]);
      expect(o.code, o.stderr).toBe(0);
      const { rows, y, ds } = randomTestPart(f);
      const { matrix } = buildModelMatrix(ds, { targets: [f.target, f.revenue].filter((t): t is string => t !== null), exclude: [] });
      const X = new Float32Array(rows.length * matrix.cols);
      rows.forEach((r, i) => X.set(matrix.X.subarray(r * matrix.cols, (r + 1) * matrix.cols), i * matrix.cols));
      await tf.setBackend('cpu');
      const predictor = await loadBundle(tf, fs.readFileSync(path.join(out, 'classifier.bundle.json'), 'utf8'));
      const scores = await predictor.predict(X, rows.length);
      predictor.dispose();
      expect((JSON.parse(o.stdout) as Report).classifier!.auc_roc).toBeCloseTo(rankAuc(scores, y), 5);
    }, 120_000);
  }
});
