import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pq from 'parquet-wasm';
import * as arrow from 'apache-arrow';
import { decodeTable } from './decode.ts';
import { profileDataset } from './profile.ts';
import type { Dataset } from './types.ts';

function load(file: string): Dataset {
  const bytes = readFileSync(path.resolve(process.cwd(), '../shared/data', file));
  const table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  return { source: { type: 'file', name: file }, rows: table.numRows, columns: decodeTable(table).columns, sha256: '', bytes: bytes.length };
}

describe('profileDataset on training_data.parquet', () => {
  const p = profileDataset(load('training_data.parquet'), { classTarget: 'is_ordered', revenueTarget: 'revenue' });

  it('class balance: 472,871 rows, 93.2 % / 6.8 %, conversion 6.83 %', () => {
    expect(p.rows).toBe(472_871);
    expect(p.classBalance.positives).toBe(32_313);
    expect(p.classBalance.negatives).toBe(440_558);
    expect(p.classBalance.negativeRate).toBeCloseTo(0.932, 3);
    expect((100 * p.conversionRate).toFixed(2)).toBe('6.83');
  });

  it('revenue of converting sessions: mean order value $59.99, a handful of prices', () => {
    const r = p.revenue;
    if (r === null) throw new Error('no revenue');
    expect(r.convertingRows).toBe(32_313);
    expect(r.meanOrderValue.toFixed(2)).toBe('59.99');
    expect(r.total).toBeCloseTo(1_938_509.75, 2);
    expect([r.min, r.max]).toEqual([29.99, 109.98]);
    expect(r.valueCounts?.length).toBe(10);
    expect(r.valueCounts?.reduce((s, v) => s + v.count, 0)).toBe(32_313);
    expect(r.nonConvertingWithRevenue).toBe(0);
  });

  it('conversion by value, by level and by one-hot group level; targets are not features', () => {
    const byFeature = new Map(p.features.map((f) => [f.feature, f]));
    expect([...byFeature.keys()]).toEqual(['is_repeat_session', 'hour_of_day', 'is_weekend', 'engagement_depth', 'utm_source', 'device_type_mobile', 'landing_page']);
    const hour = byFeature.get('hour_of_day');
    expect(hour?.binning).toBe('values');
    expect(hour?.bins.map((b) => b.label)).toEqual(Array.from({ length: 24 }, (_, h) => String(h)));
    const depth = byFeature.get('engagement_depth');
    expect(depth?.bins.at(-1)).toMatchObject({ label: '7', rows: 32_313, positives: 32_313, rate: 1 });
    const utm = byFeature.get('utm_source');
    expect(utm?.binning).toBe('group');
    expect(utm?.bins.map((b) => b.label)).toEqual(['gsearch', 'socialbook', '(none)']);
    expect(utm?.bins.reduce((s, b) => s + b.rows, 0)).toBe(472_871);
    expect(byFeature.get('is_weekend')?.bins.map((b) => b.label)).toEqual(['false', 'true']);
  });
});

describe('profileDataset on sessions_full.parquet', () => {
  it('text columns by level with (null); wide numbers by quantile bins; timestamps skipped', () => {
    const p = profileDataset(load('sessions_full.parquet'), { classTarget: 'is_ordered', revenueTarget: 'revenue' });
    const byFeature = new Map(p.features.map((f) => [f.feature, f]));
    expect(byFeature.has('created_at')).toBe(false);
    const utm = byFeature.get('utm_source');
    expect(utm?.binning).toBe('levels');
    expect(utm?.bins.find((b) => b.label === '(null)')?.rows).toBe(83_294);
    const ids = byFeature.get('website_session_id');
    expect(ids?.binning).toBe('quantiles');
    expect(ids?.bins.length).toBe(10);
    expect(ids?.bins.reduce((s, b) => s + b.rows, 0)).toBe(472_871);
  });
});

describe('profileDataset with a feature list', () => {
  it('takes one-hot group names and column names', () => {
    const p = profileDataset(load('training_data.parquet'), { classTarget: 'is_ordered', revenueTarget: null, features: ['landing_page', 'hour_of_day'] });
    expect(p.features.map((f) => f.feature)).toEqual(['hour_of_day', 'landing_page']);
    expect(p.revenue).toBeNull();
  });
});
