import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pq from 'parquet-wasm';
import * as arrow from 'apache-arrow';
import { decodeTable } from './decode.ts';
import { leakageCheck } from './leakage.ts';
import type { CategoricalColumn, Dataset, NumericColumn } from './types.ts';

function load(file: string): Dataset {
  const bytes = readFileSync(path.resolve(process.cwd(), '../shared/data', file));
  const table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  return { source: { type: 'file', name: file }, rows: table.numRows, columns: decodeTable(table).columns, sha256: '', bytes: bytes.length };
}

function num(name: string, values: number[]): NumericColumn {
  return { kind: 'numeric', name, arrowType: 'Float64', values: Float64Array.from(values), nullCount: values.filter(Number.isNaN).length, isBool: false, isInteger: false, unsafeInteger: false };
}

describe('leakageCheck on training_data.parquet', () => {
  const ds = load('training_data.parquet');
  const features = ds.columns.map((c) => c.name).filter((n) => n !== 'is_ordered');
  const findings = leakageCheck(ds, { classTarget: 'is_ordered', features, targets: ['revenue'] });

  it('flags engagement_depth only, with evidence', () => {
    expect(findings.filter((f) => f.flagged).map((f) => f.feature)).toEqual(['engagement_depth']);
    const depth = findings[0];
    expect(depth?.auc).toBe(1);
    expect(depth?.reasons).toEqual([
      'single-feature AUC 1.000: engagement_depth alone separates is_ordered = 1 from 0',
      'engagement_depth = 7 holds 6.8 % of rows, 100.0 % of them is_ordered = 1',
    ]);
  });

  it('checks one-hot groups as one feature and never the revenue target', () => {
    expect(findings.map((f) => f.feature).sort()).toEqual(
      ['device_type_mobile', 'engagement_depth', 'hour_of_day', 'is_repeat_session', 'is_weekend', 'landing_page', 'utm_source']);
    for (const f of findings.filter((x) => !x.flagged)) {
      expect(f.auc).toBeGreaterThan(0.3);
      expect(f.auc).toBeLessThan(0.7);
      expect(f.reasons).toEqual([]);
    }
  });
});

describe('leakageCheck on small tables', () => {
  const y = Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? 1 : 0));

  it('an inverse perfect separator has AUC ≤ 0.02; a text level that fixes the label is named', () => {
    const levels = ['a', 'b', 'won'];
    const status: CategoricalColumn = {
      kind: 'categorical', name: 'status', arrowType: 'Utf8', levels, nullCount: 0,
      codes: Int32Array.from(y, (v, i) => (v === 1 ? 2 : i % 2)),
    };
    const ds: Dataset = {
      source: { type: 'file', name: 'x' }, rows: 400, sha256: '', bytes: 0,
      columns: [num('y', y), num('minutes_left', y.map((v, i) => (v === 1 ? 0 : 5 + (i % 7)))), status, num('noise', y.map((_, i) => (i * 37) % 11))],
    };
    const f = leakageCheck(ds, { classTarget: 'y', features: ['minutes_left', 'status', 'noise'] });
    const byName = new Map(f.map((x) => [x.feature, x]));
    expect(byName.get('minutes_left')?.auc).toBe(0);
    expect(byName.get('minutes_left')?.flagged).toBe(true);
    expect(byName.get('status')?.reasons).toContain('status = won holds 10.0 % of rows, 100.0 % of them y = 1');
    expect(byName.get('noise')?.flagged).toBe(false);
  });

  it('ties count one half', () => {
    const ds: Dataset = { source: { type: 'file', name: 'x' }, rows: 4, sha256: '', bytes: 0, columns: [num('y', [0, 1, 0, 1]), num('x', [1, 1, 2, 3])] };
    // pairs (pos, neg): (1,1) tie .5, (1,2) 0, (3,1) 1, (3,2) 1 → 2.5 / 4
    expect(leakageCheck(ds, { classTarget: 'y', features: ['x'] })[0]?.auc).toBe(0.625);
  });
});
