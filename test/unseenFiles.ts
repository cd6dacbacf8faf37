/**
 * A family of parquet files a data scientist might bring and the project never saw: other targets, no revenue,
 * nulls inside features, 64-bit ids beyond 2^53, timestamps of every unit with and without a zone, dates,
 * float16 / decimal / uint64 / dictionary columns, tiny tables. Written by the tests (arrow + parquet-wasm), seeded.
 */
import * as arrow from 'apache-arrow';
import { datasetFromParquet, parquetBytes } from './datasetFixture.ts';
import { binaryLabels } from '../src/data/validate.ts';
import type { Dataset } from '../src/data/types.ts';
import { createRng } from '../src/trainers/random.ts';
import { planSplit } from '../src/trainers/splitPlan.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../src/trainers/types.ts';

/** One unseen file: its bytes, the targets to pass the pipeline, and what a user should see. */
export interface UnseenFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** `--target` (class target; null: none) */
  readonly target: string | null;
  /** `--revenue` (regression target; null: none) */
  readonly revenue: string | null;
  /** null: it trains; else a pattern the one error sentence matches (it names the column and what to do) */
  readonly refused: RegExp | null;
}

/** `n` rows of a label that depends on `x` (so a model has something to find), seeded. */
function signal(n: number, seed: number): { x: number[]; z: number[]; y: number[] } {
  const rng = createRng(seed);
  const x = Array.from({ length: n }, () => rng() * 10);
  const z = Array.from({ length: n }, () => rng());
  const y = x.map((v, i) => (rng() < (v > 6 ? 0.7 : 0.15) + 0.1 * z[i]! ? 1 : 0));
  return { x, z, y };
}

const tableOf = (columns: Record<string, arrow.Vector>): arrow.Table => new arrow.Table(columns);

/** Every file of the family, each with a few hundred rows unless its point is size. */
export function unseenFiles(): UnseenFile[] {
  const n = 400;
  const { x, z, y } = signal(n, 7);
  const files: UnseenFile[] = [];
  const add = (name: string, columns: Record<string, arrow.Vector>, target: string | null, revenue: string | null, refused: RegExp | null = null, rowGroupRows?: number): void => {
    files.push({ name, bytes: parquetBytes(tableOf(columns), rowGroupRows), target, revenue, refused });
  };
  const f64 = (v: ReadonlyArray<number | null>): arrow.Vector => arrow.vectorFromArray(v, new arrow.Float64());
  const i32 = (v: ReadonlyArray<number | null>): arrow.Vector => arrow.vectorFromArray(v, new arrow.Int32());
  const str = (v: ReadonlyArray<string | null>): arrow.Vector => arrow.vectorFromArray(v, new arrow.Utf8());
  const device = x.map((v, i) => (i % 3 === 0 ? 'mobile' : v > 5 ? 'desktop' : 'tablet'));

  add('nulls_in_features.parquet', {
    churned: i32(y),
    tenure: f64(x.map((v, i) => (i % 7 === 3 ? null : v))),
    plan: str(device.map((d, i) => (i % 11 === 5 ? null : d))),
    mostly_null: f64(z.map((v, i) => (i % 100 === 0 ? v : null))),
  }, 'churned', null);

  add('int64_ids.parquet', {
    customer_id: arrow.vectorFromArray(x.map((_, i) => 9_007_199_254_740_993n + BigInt(i) * 7n), new arrow.Int64()),
    label: i32(y), score: f64(x),
  }, 'label', null);

  const t0 = Date.UTC(2021, 2, 27, 22);
  const hours = (i: number): number => t0 + i * 3_600_000 * 5;
  add('timestamps.parquet', {
    ts_ms: arrow.vectorFromArray(x.map((_, i) => hours(i)), new arrow.TimestampMillisecond()),
    ts_us_tz: arrow.vectorFromArray(x.map((_, i) => hours(i)), new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'Europe/Berlin')),
    ts_ns_utc: arrow.vectorFromArray(x.map((_, i) => hours(i)), new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'UTC')),
    day: arrow.vectorFromArray(x.map((_, i) => new Date(hours(i))), new arrow.DateDay()),
    converted: i32(y), pages: f64(x),
  }, 'converted', null);

  add('bool_target.parquet', { is_fraud: arrow.vectorFromArray(y.map((v) => v === 1), new arrow.Bool()), amount: f64(x), channel: str(device) }, 'is_fraud', null);
  add('yes_no_target.parquet', { subscribed: str(y.map((v) => (v ? 'yes' : 'no'))), age: f64(x), job: str(device) }, 'subscribed', null);
  add('target_with_nulls.parquet', { outcome: i32(y.map((v, i) => (i % 50 === 7 ? null : v))), dose: f64(x) }, 'outcome', null, /outcome.*null|null.*outcome/i);
  const small = signal(40, 3);
  add('forty_rows.parquet', { bought: i32(small.y.map((v, i) => (i < 8 ? 1 : i < 16 ? 0 : v))), visits: f64(small.x), score: f64(small.z) }, 'bought', null);
  add('five_rows.parquet', { bought: i32([1, 0, 1, 0, 0]), visits: f64([1, 2, 3, 4, 5]) }, 'bought', null, /5 rows|too few/i);
  add('single_feature.parquet', { label: i32(y), only: f64(x) }, 'label', null);
  add('string_features_only.parquet', { label: i32(y), colour: str(device), size: str(x.map((v) => (v > 3 ? 'L' : 'S'))) }, 'label', null);
  add('renamed_targets.parquet', {
    purchased: i32(y), basket_value: f64(y.map((v, i) => (v ? 10 + x[i]! * 3 : 0))), minutes: f64(x), region: str(device),
  }, 'purchased', 'basket_value');
  add('negative_revenue.parquet', {
    is_ordered: i32(y), revenue: f64(y.map((v, i) => (v ? (i % 9 === 0 ? -15 : 20 + x[i]!) : 0))), pages: f64(x),
  }, 'is_ordered', 'revenue');
  // a regression-only table whose target is a signed change (a temperature delta): no class target, most rows below 0
  add('temperature_delta.parquet', {
    delta_c: f64(x.map((v, i) => 1.5 * (v - 6) + 2 * z[i]! - 1)), hour: i32(x.map((_, i) => i % 24)), humidity: f64(z),
  }, null, 'delta_c');
  add('odd_types.parquet', {
    label: i32(y),
    half: arrow.vectorFromArray(x.map((v) => Math.round(v * 4) / 4), new arrow.Float16()),
    big_unsigned: arrow.vectorFromArray(x.map((v) => 18_000_000_000_000_000_000n + BigInt(Math.round(v * 1000))), new arrow.Uint64()),
    price: decimalVector(x.map((v) => Math.round(v * 100)), 10, 2),
    city: arrow.vectorFromArray(device, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    tags: arrow.vectorFromArray(device.map((d) => [d, 'x']), new arrow.List(new arrow.Field('item', new arrow.Utf8(), true))),
  }, 'label', null);

  // targets of other shapes: more than two classes (refused, never a silent binary), 0/1 as float or bytes, one class, 0.5 %
  add('three_class_target.parquet', { segment: str(x.map((v) => (v < 3 ? 'bronze' : v < 7 ? 'silver' : 'gold'))), spend_rate: f64(z), visits: f64(x) }, 'segment', null,
    /^error: column "segment" holds 3 values \("bronze", "gold", "silver"\) and the models here are two-class: .*derive a 0\/1 column/);
  add('ten_class_target.parquet', { digit: i32(x.map((v) => Math.floor(v))), a: f64(z) }, 'digit', null, /^error: column "digit" holds 10 values \(0, 1, 2, 3, 4, 5, …\)/);
  add('float_01_target.parquet', { clicked: f64(y), pages: f64(x) }, 'clicked', null);
  add('int8_target.parquet', { clicked: arrow.vectorFromArray(y, new arrow.Int8()), pages: f64(x) }, 'clicked', null);
  add('uint8_target.parquet', { clicked: arrow.vectorFromArray(y, new arrow.Uint8()), pages: f64(x) }, 'clicked', null);
  add('one_class_target.parquet', { label: i32(y.map(() => 0)), pages: f64(x) }, 'label', null, /^error: column "label" holds only the value 0; a class target needs rows of both 0 and 1/);
  {
    // 30 positives in 6,000 rows (0.5 %), each with a higher amount on average
    const m = 6000;
    const rng = createRng(21);
    const fraud = Array.from({ length: m }, (_, i) => (i % 200 === 17 ? 1 : 0));
    add('imbalanced_half_percent.parquet', { fraud: i32(fraud), amount: f64(fraud.map((f) => rng() * 10 + f * 4)) }, 'fraud', null);
  }
  // features nobody cleaned: empty, constant, a copy of the target, rows repeated, NaN and ±Infinity
  add('all_null_feature.parquet', { label: i32(y), pages: f64(x), empty: f64(x.map(() => null)), empty_text: str(x.map(() => null)) }, 'label', null);
  add('constant_columns.parquet', { label: i32(y), pages: f64(x), version: f64(x.map(() => 3)), site: str(x.map(() => 'eu')) }, 'label', null);
  add('target_copy.parquet', { label: i32(y), label_copy: i32(y), pages: f64(x) }, 'label', null);
  add('repeated_rows.parquet', { label: i32([...y, ...y]), pages: f64([...x, ...x]), pages_again: f64([...x, ...x]), z: f64([...z, ...z]) }, 'label', null);
  add('nan_in_feature.parquet', { label: i32(y), pages: f64(x.map((v, i) => (i % 50 === 1 ? NaN : v))) }, 'label', null);
  add('infinity_in_feature.parquet', { label: i32(y), pages: f64(x.map((v, i) => (i === 7 ? Infinity : i === 9 ? -Infinity : v))), z: f64(z) }, 'label', null,
    /^error: feature "pages" has 2 infinite values \(rows 7, 9, counting from 0\); replace them or drop those rows before training$/);
  add('regression_target_nan.parquet', { price: f64(x.map((v, i) => (i % 40 === 3 ? NaN : 3 * v + z[i]!))), rooms: f64(x) }, null, 'price',
    /^error: regression target "price" is null on 10 rows \(rows 3, 43, 83, …, counting from 0\); drop those rows .* or fill them before training$/);
  // dates of every width and zones written as a name and as an offset; a struct column; names nobody types
  const d0 = Date.UTC(2021, 0, 1);
  add('dates_and_zones.parquet', {
    label: i32(y), pages: f64(x),
    d32: arrow.vectorFromArray(x.map((_, i) => new Date(d0 + i * 86_400_000)), new arrow.DateDay()),
    d64: arrow.vectorFromArray(x.map((_, i) => new Date(d0 + i * 86_400_000)), new arrow.DateMillisecond()),
    ts_new_york: arrow.vectorFromArray(x.map((_, i) => d0 + i * 3_600_000 * 7), new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, 'America/New_York')),
    ts_offset: arrow.vectorFromArray(x.map((_, i) => d0 + i * 3_600_000 * 7), new arrow.Timestamp(arrow.TimeUnit.SECOND, '+05:30')),
  }, 'label', null);
  add('struct_column.parquet', {
    label: i32(y), pages: f64(x),
    meta: arrow.vectorFromArray(x.map((v) => ({ a: v, b: 'q' })), new arrow.Struct([new arrow.Field('a', new arrow.Float64()), new arrow.Field('b', new arrow.Utf8())])),
  }, 'label', null);
  add('unicode_names.parquet', {
    'achat effectué': i32(y), 'pages vues': f64(x), 'user.age': f64(z), 'ville ☀': str(device), '値段 (€)': f64(y.map((v, i) => (v ? 10 + x[i]! * 2 : 0))),
  }, 'achat effectué', '値段 (€)');
  // sizes: 100,000 rows in 200 row groups with a 100,000-level string id, 300 numeric columns, no rows at all
  {
    const big = signal(100_000, 5);
    add('many_row_groups.parquet', {
      label: i32(big.y), session_id: str(big.x.map((_, i) => `s-${(i * 7919) % 100_000}-${i}`)), pages: f64(big.x),
    }, 'label', null, null, 500);
  }
  {
    const rng = createRng(9);
    const wide: Record<string, arrow.Vector> = { label: i32(y) };
    for (let c = 0; c < 300; c++) wide[`f${c}`] = f64(c === 0 ? x : x.map(() => rng()));
    add('wide_300_columns.parquet', wide, 'label', null);
  }
  add('zero_rows.parquet', { label: i32([]), pages: f64([]) }, 'label', null, /^error: "zero_rows.parquet" holds no rows; pick a file with data$/);
  return files;
}

/** A decimal(precision, scale) vector of the unscaled integers `unscaled` (value = unscaled / 10^scale). */
function decimalVector(unscaled: number[], precision: number, scale: number): arrow.Vector {
  const words = new Uint32Array(unscaled.length * 4);
  unscaled.forEach((v, i) => {
    const big = BigInt.asUintN(128, BigInt(v));
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((big >> BigInt(32 * w)) & 0xffffffffn);
  });
  const type = new arrow.Decimal(scale, precision, 128);
  return arrow.makeVector(arrow.makeData({ type, length: unscaled.length, data: words }));
}

/** ROC AUC as the Mann–Whitney statistic (ties count half), written here so it owes nothing to src/trainers/metrics. */
export function rankAuc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  let pairs = 0;
  let wins = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      const a = scores[i] ?? NaN;
      const b = scores[j] ?? NaN;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/**
 * RMSE on `test` of the least-squares line of `y` on `x` fitted on `train` (closed form, float64), written here so it
 * owes nothing to src/trainers: what a one-feature linear regressor on the raw scale must score.
 */
export function lineRmse(x: ArrayLike<number>, y: ArrayLike<number>, train: Iterable<number>, test: Iterable<number>): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const i of train) {
    const a = x[i]!;
    const b = y[i]!;
    n++; sx += a; sy += b; sxx += a * a; sxy += a * b;
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const intercept = (sy - slope * sx) / n;
  let sse = 0;
  let m = 0;
  for (const i of test) {
    sse += (y[i]! - (intercept + slope * x[i]!)) ** 2;
    m++;
  }
  return Math.sqrt(sse / m);
}

/** The file decoded, and the test rows of the default random split (scikit-learn's stratified rows, seed 42) with their labels. */
export function randomTestPart(f: UnseenFile): { ds: Dataset; rows: Uint32Array; y: Uint8Array } {
  const ds = datasetFromParquet(f.bytes, f.name);
  const target = ds.columns.find((c) => c.name === f.target);
  const labels = target === undefined ? `no column ${String(f.target)}` : binaryLabels(target);
  if (typeof labels === 'string') throw new Error(labels);
  const plan = planSplit(ds, { kind: 'random' }, labels.y, { ...DEFAULT_CLASSIFIER_CONFIG, seed: 42 });
  return { ds, rows: plan.test, y: Uint8Array.from(plan.test, (r) => labels.y[r]!) };
}
