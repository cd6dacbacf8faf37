import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetBytes } from '../../test/datasetFixture.ts';
import { createRng } from '../trainers/random.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-split-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 3,000 sessions over 2014, one an hour-ish; pages and device drive conversion; the file the test writes. */
function writeSessions(file: string, rows = 3000, renamePages = false): string {
  const rng = createRng(4);
  const start = Date.UTC(2014, 0, 1);
  const created = Array.from({ length: rows }, (_, i) => start + i * 3_600_000 * 2.9);
  const pages = Array.from({ length: rows }, () => 1 + Math.floor(rng() * 6));
  const device = Array.from({ length: rows }, () => (rng() < 0.4 ? 'mobile' : 'desktop'));
  const y = pages.map((p, i) => (rng() < (p >= 5 ? 0.35 : 0.05) * (device[i] === 'mobile' ? 0.6 : 1) ? 1 : 0));
  const table = new arrow.Table({
    created_at: arrow.vectorFromArray(created, new arrow.TimestampMicrosecond()),
    device_type: arrow.vectorFromArray(device, new arrow.Utf8()),
    [renamePages ? 'page_count' : 'pages']: arrow.vectorFromArray(pages, new arrow.Int32()),
    is_ordered: arrow.vectorFromArray(y, new arrow.Int32()),
    revenue: arrow.vectorFromArray(y.map((v) => (v ? 30 + Math.round(rng() * 50) : 0)), new arrow.Float64()),
  });
  const p = path.join(dir, file);
  fs.writeFileSync(p, parquetBytes(table));
  return p;
}

interface Part { rows: number; positives: number; from: string; to: string }
interface Output {
  split: { kind: string; cutoff?: string; fit: Part; validation: Part; test: Part };
  classifier: { test_samples: number };
  leakage: { rows_measured: number; method: string; findings: Array<{ feature: string }>; rows_repeated_across_split: { with_copy_in_training: number } };
}

function pipeline(args: string[]): { status: number | null; json: Output; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/pipeline/cli.ts', '--classifier', 'logistic', '--backend', 'cpu', ...args], { encoding: 'utf8' });
  return { status: r.status, json: (r.status === 0 ? JSON.parse(r.stdout) : {}) as Output, stderr: r.stderr };
}

describe('pipeline --split and --test-data', () => {
  const train = writeSessions('train.parquet');

  it('a time split writes the split section (date ranges, class balance) and a leakage section', () => {
    const r = pipeline(['--data', train, '--split', 'time:created_at:2014-10-01']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const split = r.json.split;
    expect(split.kind).toBe('time');
    expect(split.cutoff).toBe('2014-10-01');
    expect(split.test.from >= '2014-10-01').toBe(true);
    expect(split.validation.to < '2014-10-01').toBe(true);
    expect(split.fit.to < split.validation.from).toBe(true);
    expect(split.fit.rows + split.validation.rows + split.test.rows).toBe(3000);
    expect(r.json.classifier.test_samples).toBe(split.test.rows);
    const leakage = r.json.leakage;
    expect(leakage.rows_measured).toBe(split.fit.rows + split.validation.rows);
    expect(leakage.findings.map((f) => f.feature).sort()).toEqual(['device_type', 'pages']);
    expect(leakage.method).toMatch(/one-sided binomial test/);
  }, 120_000);

  it('a separate test file is the test part; a repeated file shows every test row in training', () => {
    const r = pipeline(['--data', train, '--test-data', train]);
    expect(r.status).toBe(0);
    expect(r.json.split.kind).toBe('test-file');
    expect(r.json.split.test.rows).toBe(3000);
    expect(r.json.leakage.rows_repeated_across_split.with_copy_in_training).toBe(3000);
  }, 120_000);

  it('bad input exits 2 with one sentence: a test file with other columns, a cutoff outside the data, a split that is not one', () => {
    const other = writeSessions('other.parquet', 50, true);
    const mismatch = pipeline(['--data', train, '--test-data', other]);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toContain('test file other.parquet has no column "pages"; load a test file with the training file\'s columns');
    const late = pipeline(['--data', train, '--split', 'time:created_at:2020-01-01']);
    expect(late.status).toBe(2);
    expect(late.stderr).toMatch(/cutoff 2020-01-01 is after the last created_at \(2014-01-01 – 2014-12-\d\d.*\): no rows would be tested; pick a date inside that range/);
    const text = pipeline(['--data', train, '--split', 'time:device_type']);
    expect(text.stderr).toContain('column "device_type" is text, not a timestamp or date; pick a time column or a random split');
    expect(pipeline(['--data', train, '--split', 'kfold']).stderr).toMatch(/--split "kfold" is not random/);
  }, 120_000);
});

describe('pipeline --target none / --revenue none', () => {
  const file = writeSessions('targets.parquet', 1500);

  it('--target none trains only the regressor, on every row (strategy direct), split without classes', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/pipeline/cli.ts', '--data', file, '--target', 'none', '--split', 'random', '--backend', 'cpu'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { classifier: unknown; regressor: { strategy: string; test_samples: number; r2: number }; split: { test: Part; fit: Part; validation: Part } };
    expect(json.classifier).toBeNull();
    expect(json.regressor.strategy).toBe('direct');
    // every test row is scored, converting or not
    expect(json.regressor.test_samples).toBe(json.split.test.rows);
    expect(json.split.fit.rows + json.split.validation.rows + json.split.test.rows).toBe(1500);
    expect(Number.isFinite(json.regressor.r2)).toBe(true);
  });

  it('--revenue none trains only the classifier; both none is refused with one sentence', () => {
    const r = pipeline(['--data', file, '--revenue', 'none']);
    expect(r.status).toBe(0);
    const json = r.json as unknown as { regressor: unknown; classifier: { test_samples: number } };
    expect(json.regressor).toBeNull();
    expect(json.classifier.test_samples).toBeGreaterThan(0);
    const both = pipeline(['--data', file, '--revenue', 'none', '--target', 'none']);
    expect(both.status).toBe(2);
    expect(both.stderr.trim()).toMatch(/both targets are none; choose a class target or a regression target/);
  });
});
