/** Flags features that give the label away: single-feature ROC AUC near 0 or 1, or a common value that fixes the class. */
import type { Column, Dataset, NumericValues } from './types.ts';
import { BASELINE_LEVEL, detectOneHotGroups, groupCodes } from './oneHotGroups.ts';
import { binaryLabels } from './validate.ts';
import { countsByValue } from './profile.ts';

/** One feature's leakage evidence. */
export interface LeakageFinding {
  /** column name, or one-hot group name */
  readonly feature: string;
  readonly columns: readonly string[];
  /** ROC AUC of the feature alone (numbers by value; levels ordered by their positive rate, so ≥ 0.5); NaN when undefined */
  readonly auc: number;
  readonly flagged: boolean;
  /** evidence sentences, e.g. "engagement_depth = 7 holds 6.8 % of rows, 100.0 % of them is_ordered = 1" */
  readonly reasons: string[];
}

/** Options of `leakageCheck`. */
export interface LeakageOptions {
  readonly classTarget: string;
  /** candidate features: column names or one-hot group names */
  readonly features: readonly string[];
  /** other targets (revenue): never checked even if listed as features */
  readonly targets?: readonly string[];
}

/** AUC at or beyond which (or at or below 1 − which) a single feature is flagged. */
export const LEAKAGE_AUC = 0.98;
/** A value holding at least this share of rows… */
export const LEAKAGE_VALUE_MIN_SHARE = 0.01;
/** …with at least this share of the minority class fixes the label. */
export const LEAKAGE_VALUE_PURITY = 0.995;

/** Rows and positives per value of a feature, in the order the AUC ranks them. */
interface ValueCounts {
  readonly labels: string[];
  readonly rows: Float64Array;
  readonly positives: Float64Array;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** Mann–Whitney AUC from grouped counts in rank order; ties within a group count one half. */
function aucFromCounts(rows: Float64Array, positives: Float64Array): number {
  let P = 0;
  let N = 0;
  for (let k = 0; k < rows.length; k++) { P += positives[k] ?? 0; N += (rows[k] ?? 0) - (positives[k] ?? 0); }
  if (P === 0 || N === 0) return NaN;
  let negBelow = 0;
  let u = 0;
  for (let k = 0; k < rows.length; k++) {
    const p = positives[k] ?? 0;
    const n = (rows[k] ?? 0) - p;
    u += p * (negBelow + 0.5 * n);
    negBelow += n;
  }
  return u / (P * N);
}

function valueLabel(v: number): string {
  return String(Number.isInteger(v) ? v : Number(v.toPrecision(6)));
}

/** Distinct values of a numeric column in ascending order with their counts (sorting each class once); nulls apart. */
function numericCounts(values: NumericValues, y: Uint8Array): { counts: ValueCounts; nullRows: number; nullPositives: number } {
  let np = 0;
  let nn = 0;
  let nullRows = 0;
  let nullPositives = 0;
  for (let i = 0; i < values.length; i++) {
    const label = y[i];
    if (label === 255) continue;
    const v = values[i] ?? NaN;
    if (v !== v) { nullRows++; if (label === 1) nullPositives++; continue; }
    if (label === 1) np++; else nn++;
  }
  // Few distinct values (the common case): one pass with a map beats sorting every row.
  const small = countsByValue(values, y, 4096);
  if (small !== null) {
    const keys = [...small.keys()].sort((a, b) => a - b);
    return {
      counts: {
        labels: keys.map(valueLabel),
        rows: Float64Array.from(keys, (k) => small.get(k)?.rows ?? 0),
        positives: Float64Array.from(keys, (k) => small.get(k)?.positives ?? 0),
      },
      nullRows, nullPositives,
    };
  }
  const pos = new Float64Array(np);
  const neg = new Float64Array(nn);
  for (let i = 0, a = 0, b = 0; i < values.length; i++) {
    const label = y[i];
    const v = values[i] ?? NaN;
    if (label === 255 || v !== v) continue;
    if (label === 1) pos[a++] = v; else neg[b++] = v;
  }
  pos.sort();
  neg.sort();
  const labels: string[] = [];
  const rows: number[] = [];
  const positives: number[] = [];
  let i = 0;
  let j = 0;
  while (i < np || j < nn) {
    const v = Math.min(pos[i] ?? Infinity, neg[j] ?? Infinity);
    let p = 0;
    let n = 0;
    while (i < np && pos[i] === v) { p++; i++; }
    while (j < nn && neg[j] === v) { n++; j++; }
    labels.push(valueLabel(v));
    rows.push(p + n);
    positives.push(p);
  }
  return { counts: { labels, rows: Float64Array.from(rows), positives: Float64Array.from(positives) }, nullRows, nullPositives };
}

/** Per level (code -1 → `nullLabel`), ordered by positive rate so that the AUC is that of the best level ranking. */
function codeCounts(codes: Int32Array, levels: readonly string[], nullLabel: string, y: Uint8Array): ValueCounts {
  const rows = new Float64Array(levels.length + 1);
  const positives = new Float64Array(levels.length + 1);
  for (let i = 0; i < codes.length; i++) {
    const label = y[i];
    if (label === 255) continue;
    const c = codes[i] ?? -1;
    const k = c < 0 ? levels.length : c;
    rows[k] = (rows[k] ?? 0) + 1;
    if (label === 1) positives[k] = (positives[k] ?? 0) + 1;
  }
  const order = [...rows.keys()].filter((k) => (rows[k] ?? 0) > 0)
    .sort((a, b) => (positives[a] ?? 0) / (rows[a] ?? 1) - (positives[b] ?? 0) / (rows[b] ?? 1));
  return {
    labels: order.map((k) => (k === levels.length ? nullLabel : (levels[k] ?? ''))),
    rows: Float64Array.from(order, (k) => rows[k] ?? 0),
    positives: Float64Array.from(order, (k) => positives[k] ?? 0),
  };
}

/** Single-feature AUC and label-fixing values for every candidate feature, most separating first; targets never count. */
export function leakageCheck(ds: Dataset, opts: LeakageOptions): LeakageFinding[] {
  const byName = new Map(ds.columns.map((c) => [c.name, c] as const));
  const cls = byName.get(opts.classTarget);
  if (cls === undefined) throw new Error(`class target "${opts.classTarget}" is not a column of this file; pick one of its columns`);
  const labels = binaryLabels(cls);
  if (typeof labels === 'string') throw new Error(labels);
  const y = labels.y;
  const targets = new Set([opts.classTarget, ...(opts.targets ?? [])]);
  const labelled = labels.positives + labels.negatives;
  const minorityIsPositive = labels.positives <= labels.negatives;
  const minorityLabel = minorityIsPositive ? labels.positiveLabel : labels.negativeLabel;

  const allGroups = detectOneHotGroups(ds.columns, { exclude: [...targets] });
  const requested = new Set(opts.features.filter((f) => !targets.has(f)));
  // a group is one feature when any member (or the group name) is a candidate
  const groups = allGroups.filter((g) => requested.has(g.name) || g.columns.some((c) => requested.has(c)));
  const grouped = new Set(groups.flatMap((g) => g.columns));
  const findings: LeakageFinding[] = [];

  const judge = (feature: string, columns: readonly string[], counts: ValueCounts, auc: number, note: string): void => {
    const reasons: string[] = [];
    let flagged = false;
    if (auc >= LEAKAGE_AUC || auc <= 1 - LEAKAGE_AUC) {
      flagged = true;
      reasons.push(`single-feature AUC ${auc.toFixed(3)}: ${feature} alone separates ${opts.classTarget} = ${labels.positiveLabel} from ${labels.negativeLabel}${note}`);
    }
    for (let k = 0; k < counts.labels.length; k++) {
      const rows = counts.rows[k] ?? 0;
      const pos = counts.positives[k] ?? 0;
      const minority = minorityIsPositive ? pos : rows - pos;
      if (rows >= LEAKAGE_VALUE_MIN_SHARE * labelled && minority >= LEAKAGE_VALUE_PURITY * rows) {
        flagged = true;
        reasons.push(`${feature} = ${counts.labels[k] ?? ''} holds ${pct(rows / labelled)} of rows, ${pct(minority / rows)} of them ${opts.classTarget} = ${minorityLabel}`);
      }
    }
    findings.push({ feature, columns, auc, flagged, reasons });
  };

  for (const g of groups) {
    const counts = codeCounts(groupCodes(g, ds.columns, ds.rows), g.levels, BASELINE_LEVEL, y);
    judge(g.name, g.columns, counts, aucFromCounts(counts.rows, counts.positives), '');
  }
  for (const name of requested) {
    if (grouped.has(name) || groups.some((g) => g.name === name)) continue;
    const col: Column | undefined = byName.get(name);
    if (col === undefined) throw new Error(`feature "${name}" is not a column of this file; remove it from the features`);
    if (col.kind === 'categorical') {
      const counts = codeCounts(col.codes, col.levels, '(null)', y);
      const manyLevels = counts.labels.length > 1000 || counts.labels.length > 0.5 * labelled;
      const note = manyLevels ? ` (its ${counts.labels.length.toLocaleString('en-US')} levels work like an id a model can memorise)` : '';
      judge(name, [name], counts, aucFromCounts(counts.rows, counts.positives), note);
    } else {
      const { counts, nullRows, nullPositives } = numericCounts(col.values, y);
      const auc = aucFromCounts(counts.rows, counts.positives);
      // nulls have no rank, but a null that fixes the label is still evidence
      const withNull: ValueCounts = nullRows === 0 ? counts : {
        labels: [...counts.labels, '(null)'],
        rows: Float64Array.from([...counts.rows, nullRows]),
        positives: Float64Array.from([...counts.positives, nullPositives]),
      };
      judge(name, [name], withNull, auc, '');
    }
  }
  const strength = (f: LeakageFinding): number => (f.auc === f.auc ? Math.abs(f.auc - 0.5) : -1);
  return findings.sort((a, b) => Number(b.flagged) - Number(a.flagged) || strength(b) - strength(a));
}
