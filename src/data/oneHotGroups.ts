/** Finds the one-hot groups a `get_dummies` step left behind, so profile, exclusion and importance treat them as one feature. */
import type { Column, NumericColumn } from './types.ts';

/** A set of mutually exclusive 0/1 columns `<name>_<level>` that together encode one categorical feature. */
export interface OneHotGroup {
  /** the user-facing feature, e.g. "utm_source" */
  readonly name: string;
  /** member columns in table order, e.g. ["utm_source_gsearch", "utm_source_socialbook"] */
  readonly columns: readonly string[];
  /** level of each member, parallel to `columns`, e.g. ["gsearch", "socialbook"] */
  readonly levels: readonly string[];
  /** rows where every member is 0 (the level dropped by drop_first, or a NULL) */
  readonly baselineRows: number;
}

/** Label of the all-zero rows of a group (pandas' dropped first level or NULL: the columns cannot tell which). */
export const BASELINE_LEVEL = '(none)';

/**
 * Prefixes that start boolean flags rather than categorical names: `is_weekend` and `is_mobile` may
 * happen never to be 1 together in a small file, yet they are two features, not a group "is".
 */
const FLAG_PREFIXES = new Set(['is', 'has', 'was', 'did', 'can', 'should', 'use', 'uses', 'with', 'no', 'not', 'flag', 'in', 'on', 'any']);

/** Passes over rows already made, by column: the Features cell asks again on every change of target or exclusion. */
const zeroOneOf = new WeakMap<Column, boolean>();
const baselineOf = new WeakMap<Column, Map<string, number>>();

function isZeroOne(col: Column): col is NumericColumn {
  if (col.kind !== 'numeric' || col.nullCount > 0) return false;
  if (col.isBool) return true;
  const known = zeroOneOf.get(col);
  if (known !== undefined) return known;
  const v = col.values;
  let zeroOne = true;
  for (let i = 0; i < v.length && zeroOne; i++) {
    const x = v[i];
    if (x !== 0 && x !== 1) zeroOne = false;
  }
  zeroOneOf.set(col, zeroOne);
  return zeroOne;
}

/** Rows where all members are 0, or -1 when two members are 1 in the same row (not a one-hot group). */
function exclusiveBaselineRows(members: readonly NumericColumn[], rows: number): number {
  const first = members[0];
  if (first === undefined) return rows;
  const key = `${rows}:${members.map((m) => m.name).join('\u0000')}`;
  const byMembers = baselineOf.get(first) ?? new Map<string, number>();
  baselineOf.set(first, byMembers);
  const known = byMembers.get(key);
  if (known !== undefined) return known;
  const counted = countBaselineRows(members, rows);
  byMembers.set(key, counted);
  return counted;
}

function countBaselineRows(members: readonly NumericColumn[], rows: number): number {
  const sum = new Uint8Array(rows);
  for (const m of members) {
    const v = m.values;
    for (let i = 0; i < rows; i++) {
      if (v[i] === 1) {
        if (sum[i] === 1) return -1;
        sum[i] = 1;
      }
    }
  }
  let baseline = 0;
  for (let i = 0; i < rows; i++) if (sum[i] === 0) baseline++;
  return baseline;
}

/**
 * Groups 0/1 columns sharing a `prefix_` whose members are never 1 together. Needs at least two members:
 * a lone `device_type_mobile` is indistinguishable from a flag like `is_weekend`, so it stays its own feature.
 * Larger groups win over smaller ones; among equals the longer prefix (`landing_page` over `landing`).
 * `exclude` (targets) never joins a group.
 */
export function detectOneHotGroups(columns: readonly Column[], opts: { exclude?: readonly string[] } = {}): OneHotGroup[] {
  const excluded = new Set(opts.exclude ?? []);
  const candidates = columns.filter((c) => !excluded.has(c.name) && isZeroOne(c)) as NumericColumn[];
  const byPrefix = new Map<string, NumericColumn[]>();
  for (const col of candidates) {
    for (let i = col.name.indexOf('_'); i > 0 && i < col.name.length - 1; i = col.name.indexOf('_', i + 1)) {
      const prefix = col.name.slice(0, i);
      if (FLAG_PREFIXES.has(prefix.toLowerCase())) continue;
      const list = byPrefix.get(prefix);
      if (list === undefined) byPrefix.set(prefix, [col]);
      else list.push(col);
    }
  }
  const ranked = [...byPrefix.entries()]
    .filter(([, members]) => members.length >= 2)
    .sort((a, b) => b[1].length - a[1].length || b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1));
  const taken = new Set<string>();
  const columnNames = new Set(columns.map((c) => c.name));
  const groups: OneHotGroup[] = [];
  const rows = columns[0]?.kind === 'categorical' ? columns[0].codes.length : (columns[0]?.values.length ?? 0);
  for (const [prefix, members] of ranked) {
    if (members.some((m) => taken.has(m.name))) continue;
    // a real column of that name would make the group name ambiguous in exclusion lists
    if (columnNames.has(prefix)) continue;
    const baselineRows = exclusiveBaselineRows(members, rows);
    if (baselineRows < 0) continue;
    for (const m of members) taken.add(m.name);
    groups.push({
      name: prefix,
      columns: members.map((m) => m.name),
      levels: members.map((m) => m.name.slice(prefix.length + 1)),
      baselineRows,
    });
  }
  const order = new Map(columns.map((c, i) => [c.name, i] as const));
  return groups.sort((a, b) => (order.get(a.columns[0] ?? '') ?? 0) - (order.get(b.columns[0] ?? '') ?? 0));
}

/** Column name → user-facing feature name: its one-hot group, or the column itself. */
export function featureGroupMap(columns: readonly Column[], groups: readonly OneHotGroup[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const c of columns) map.set(c.name, c.name);
  for (const g of groups) for (const c of g.columns) map.set(c, g.name);
  return map;
}

/** The user-facing feature a column belongs to (its one-hot group name, or the column name). */
export function featureGroupOf(column: string, groups: readonly OneHotGroup[]): string {
  for (const g of groups) if (g.columns.includes(column)) return g.name;
  return column;
}

/** Per row, the index of the member that is 1, or -1 for the baseline: the group as one categorical code column. */
export function groupCodes(group: OneHotGroup, columns: readonly Column[], rows: number): Int32Array {
  const codes = new Int32Array(rows).fill(-1);
  group.columns.forEach((name, k) => {
    const col = columns.find((c) => c.name === name);
    if (col === undefined || col.kind !== 'numeric') throw new Error(`one-hot column "${name}" not found; re-detect groups on this dataset`);
    const v = col.values;
    for (let i = 0; i < rows; i++) if (v[i] === 1) codes[i] = k;
  });
  return codes;
}
