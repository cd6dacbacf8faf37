/** Dataset → float32 model matrix, with every choice (imputation, one-hot levels, left-out columns) said out loud. */
import type { CategoricalColumn, Dataset, ModelMatrix, NumericColumn, NumericValues } from './types.ts';
import type { Allocate } from './datasetCopy.ts';
import { detectOneHotGroups, featureGroupMap } from './oneHotGroups.ts';

/** A per-column change applied before encoding. */
export type ColumnTransform =
  | { readonly kind: 'cap'; readonly max: number }
  | { readonly kind: 'clip'; readonly min: number; readonly max: number }
  | { readonly kind: 'log1p' }
  | { readonly kind: 'onehot' }
  | { readonly kind: 'drop' };

/** What goes into the model matrix and how. */
export interface FeatureSpec {
  /** target columns: never features */
  readonly targets: readonly string[];
  /** columns or one-hot group names to leave out */
  readonly exclude?: readonly string[];
  /** when given, only these columns or group names are features (and they override the id-like rule) */
  readonly include?: readonly string[];
  readonly transforms?: Readonly<Record<string, ColumnTransform>>;
  /** 'workbench' (default): all levels + __null__ + __other__; 'pandas': get_dummies(drop_first=True) */
  readonly encoding?: 'workbench' | 'pandas';
  /** most one-hot columns one categorical may add (default 20) */
  readonly maxLevels?: number;
  /** levels rarer than this share of rows go to __other__ in workbench encoding (default 0.005) */
  readonly minLevelFraction?: number;
  /** names, groups and messages only: the matrix is left empty (a summary needs no tens of MB) */
  readonly planOnly?: boolean;
  /** fill only these rows, in this order; levels, medians and groups still come from every row (a few rows' matrix without the whole one) */
  readonly rows?: Uint32Array;
}

/** The matrix plus what was decided on the way: notes (informational), warnings (act on these), left-out columns. */
export interface ModelMatrixResult {
  readonly matrix: ModelMatrix;
  readonly notes: string[];
  readonly warnings: string[];
  readonly excluded: Array<{ column: string; reason: string }>;
}

/** Default cap on one-hot columns per categorical. */
export const DEFAULT_MAX_LEVELS = 20;
/** Default share of rows below which a level joins __other__. */
export const DEFAULT_MIN_LEVEL_FRACTION = 0.005;
/** Share of distinct values at which a column counts as an id. */
export const ID_UNIQUE_FRACTION = 0.99;
/** Below this many non-null rows, "every value distinct" says nothing about being an id. */
const ID_MIN_ROWS = 50;
/** Level for NULLs of a categorical (workbench encoding). */
export const NULL_LEVEL = '__null__';
/** Level collecting rare levels and those beyond the cap (workbench encoding). */
export const OTHER_LEVEL = '__other__';

/**
 * The transforms as a Map of own entries: a column named "constructor" or "__proto__" must not find
 * Object.prototype's members in a plain record.
 */
export function transformsByColumn(transforms: Readonly<Record<string, ColumnTransform>> | undefined): ReadonlyMap<string, ColumnTransform> {
  return new Map(Object.entries(transforms ?? {}));
}

/** wasm32 address space: parquet-wasm cannot hold more than this. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 2 ** 30;

/** One output column, described by where its values come from. */
type OutputColumn =
  | { readonly name: string; readonly group: string; readonly kind: 'values'; readonly values: NumericValues }
  | { readonly name: string; readonly group: string; readonly kind: 'dummy'; readonly codes: Int32Array; readonly codeToSlot: Int32Array; readonly slot: number };

interface CategoricalSource {
  readonly name: string;
  readonly codes: Int32Array;
  readonly levels: readonly string[];
  readonly nullCount: number;
  /** levels of a numeric column turned categorical sort as numbers, not text */
  readonly numericLevels: boolean;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function isConstant(values: NumericValues): boolean {
  let first = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (v !== v) continue;
    if (first !== first) first = v;
    else if (v !== first) return false;
  }
  return true;
}

/** True when ≥ 99 % of the non-null values are distinct; stops early once that is out of reach. */
function isIdLikeNumeric(col: NumericColumn): boolean {
  // continuous doubles (prices, durations) are naturally all distinct: only integer columns can be ids
  if (col.isBool || !col.isInteger) return false;
  const nonNull = col.values.length - col.nullCount;
  if (nonNull < ID_MIN_ROWS) return false;
  const need = ID_UNIQUE_FRACTION * nonNull;
  const seen = new Set<number>();
  let visited = 0;
  for (let i = 0; i < col.values.length; i++) {
    const v = col.values[i] ?? NaN;
    if (v !== v) continue;
    seen.add(v);
    visited++;
    if (seen.size + (nonNull - visited) < need) return false;
  }
  return seen.size >= need;
}

function levelCounts(codes: Int32Array, levels: number): Float64Array {
  const counts = new Float64Array(levels);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? -1;
    if (c >= 0) counts[c] = (counts[c] ?? 0) + 1;
  }
  return counts;
}

function isIdLikeCategorical(src: CategoricalSource, counts: Float64Array): boolean {
  const nonNull = src.codes.length - src.nullCount;
  if (nonNull < ID_MIN_ROWS) return false;
  let used = 0;
  for (let i = 0; i < counts.length; i++) if ((counts[i] ?? 0) > 0) used++;
  return used >= ID_UNIQUE_FRACTION * nonNull;
}

function median(values: NumericValues): number {
  const present = values.filter((v) => v === v);
  if (present.length === 0) return NaN;
  present.sort();
  const mid = present.length >> 1;
  return present.length % 2 === 1 ? (present[mid] ?? NaN) : ((present[mid - 1] ?? NaN) + (present[mid] ?? NaN)) / 2;
}

/** Applies cap/clip/log1p; returns the new values or an error sentence. */
export function applyNumericTransform(col: NumericColumn, t: ColumnTransform): NumericValues | string {
  const src = col.values;
  const out = new Float64Array(src.length);
  switch (t.kind) {
    case 'cap':
      for (let i = 0; i < src.length; i++) { const v = src[i] ?? NaN; out[i] = v > t.max ? t.max : v; }
      return out;
    case 'clip':
      if (!(t.min <= t.max)) return `clip of column "${col.name}" has min ${t.min} > max ${t.max}; swap them`;
      for (let i = 0; i < src.length; i++) { const v = src[i] ?? NaN; out[i] = v > t.max ? t.max : v < t.min ? t.min : v; }
      return out;
    case 'log1p':
      for (let i = 0; i < src.length; i++) {
        const v = src[i] ?? NaN;
        if (v <= -1) return `column "${col.name}" has value ${v} ≤ -1 where log1p is undefined; clip it first`;
        out[i] = Math.log1p(v);
      }
      return out;
    case 'onehot':
    case 'drop':
      return src;
  }
}

/** A numeric column's distinct values as categorical levels (the `onehot` transform). */
function numericAsCategorical(col: NumericColumn): CategoricalSource {
  const distinct = [...new Set(col.values.filter((v) => v === v))].sort((a, b) => a - b);
  const codeOf = new Map(distinct.map((v, i) => [v, i] as const));
  const codes = new Int32Array(col.values.length);
  for (let i = 0; i < codes.length; i++) codes[i] = codeOf.get(col.values[i] ?? NaN) ?? -1;
  return { name: col.name, codes, levels: distinct.map(String), nullCount: col.nullCount, numericLevels: true };
}

function fromCategorical(col: CategoricalColumn): CategoricalSource {
  return { name: col.name, codes: col.codes, levels: col.levels, nullCount: col.nullCount, numericLevels: false };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One-hot columns for a categorical. Workbench: frequent levels (most common first), `__null__`, `__other__`.
 * Pandas: levels sorted, first dropped, NULL all zeros, no grouping. Returns a note, or a warning when left out.
 */
function encodeCategorical(
  src: CategoricalSource, counts: Float64Array, group: string, mode: 'workbench' | 'pandas', maxLevels: number, minLevelFraction: number, rows: number,
): { outputs: OutputColumn[]; note: string } | { warning: string } {
  const present = [...counts.keys()].filter((k) => (counts[k] ?? 0) > 0);
  const byValue = (a: number, b: number): number => src.numericLevels ? Number(src.levels[a]) - Number(src.levels[b]) : compareText(src.levels[a] ?? '', src.levels[b] ?? '');
  const codeToSlot = new Int32Array(src.levels.length + 1).fill(-1);
  const outputs: OutputColumn[] = [];
  // slot index 0..; the null code -1 is looked up at index levels.length
  const nullIndex = src.levels.length;
  const slotNames: string[] = [];

  if (mode === 'pandas') {
    if (present.length - 1 > maxLevels) {
      return { warning: `column "${src.name}" has ${fmt(present.length)} levels; pandas encoding would add ${fmt(present.length - 1)} columns, so it is left out: raise maxLevels, use workbench encoding or exclude it` };
    }
    const sorted = present.sort(byValue);
    sorted.slice(1).forEach((code, slot) => { codeToSlot[code] = slot; slotNames.push(src.levels[code] ?? ''); });
    const dropped = src.levels[sorted[0] ?? 0] ?? '';
    for (let s = 0; s < slotNames.length; s++) {
      outputs.push({ name: `${src.name}_${slotNames[s] ?? ''}`, group, kind: 'dummy', codes: src.codes, codeToSlot, slot: s });
    }
    const nulls = src.nullCount > 0 ? `; ${fmt(src.nullCount)} NULLs are all zeros` : '';
    return { outputs, note: `column "${src.name}": ${slotNames.length} dummy columns (pandas drop_first: level "${dropped}" dropped${nulls})` };
  }

  const minCount = minLevelFraction * rows;
  const frequentFirst = present.sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || byValue(a, b));
  let kept = frequentFirst.filter((code) => (counts[code] ?? 0) >= minCount);
  const hasNull = src.nullCount > 0;
  const budget = maxLevels - (hasNull ? 1 : 0);
  const needsOther = kept.length < frequentFirst.length;
  if (kept.length + (needsOther ? 1 : 0) > budget) {
    // the cap counts __null__ and __other__ too
    kept = kept.slice(0, Math.max(0, budget - 1));
  }
  if (src.numericLevels) kept.sort(byValue);
  const other = frequentFirst.filter((code) => !kept.includes(code));
  kept.forEach((code, slot) => { codeToSlot[code] = slot; slotNames.push(src.levels[code] ?? ''); });
  if (hasNull) { codeToSlot[nullIndex] = slotNames.length; slotNames.push(NULL_LEVEL); }
  if (other.length > 0) {
    const slot = slotNames.length;
    for (const code of other) codeToSlot[code] = slot;
    slotNames.push(OTHER_LEVEL);
  }
  for (let s = 0; s < slotNames.length; s++) {
    outputs.push({ name: `${src.name}_${slotNames[s] ?? ''}`, group, kind: 'dummy', codes: src.codes, codeToSlot, slot: s });
  }
  const shown = kept.slice(0, 8).map((c) => src.levels[c] ?? '').join(', ') + (kept.length > 8 ? ', …' : '');
  const parts = [`column "${src.name}": one-hot over ${kept.length} levels (${shown})`];
  if (hasNull) parts.push(`${NULL_LEVEL} for ${fmt(src.nullCount)} NULLs`);
  if (other.length > 0) {
    let otherRows = 0;
    for (const code of other) otherRows += counts[code] ?? 0;
    parts.push(`${fmt(other.length)} rare levels (${pct(otherRows / Math.max(1, rows))} of rows) grouped into ${OTHER_LEVEL}`);
  }
  return { outputs, note: parts.join('; ') };
}

/**
 * Builds the float32 model matrix for `spec`, listing each decision; targets are never features. `allocate` gives the
 * matrix's bytes (a SharedArrayBuffer when one matrix serves several workers).
 */
export function buildModelMatrix(ds: Dataset, spec: FeatureSpec, allocate: Allocate = (n) => new ArrayBuffer(n)): ModelMatrixResult {
  const mode = spec.encoding ?? 'workbench';
  const maxLevels = Math.max(1, spec.maxLevels ?? DEFAULT_MAX_LEVELS);
  const minLevelFraction = spec.minLevelFraction ?? DEFAULT_MIN_LEVEL_FRACTION;
  const transforms = transformsByColumn(spec.transforms);
  const rows = ds.rows;
  const notes: string[] = [];
  const warnings: string[] = [];
  const excluded: Array<{ column: string; reason: string }> = [];
  const targets = new Set(spec.targets);
  const names = new Set(ds.columns.map((c) => c.name));

  for (const t of spec.targets) {
    if (!names.has(t)) warnings.push(`target "${t}" is not a column of this file; pick one of its columns as the target`);
  }
  const groups = detectOneHotGroups(ds.columns, { exclude: spec.targets });
  const groupOf = featureGroupMap(ds.columns, groups);
  const groupNames = new Set(groups.map((g) => g.name));
  const known = (n: string): boolean => names.has(n) || groupNames.has(n);
  for (const [label, list] of [['exclude', spec.exclude ?? []], ['include', spec.include ?? []], ['transforms', [...transforms.keys()]]] as const) {
    for (const n of list) {
      if (!known(n)) warnings.push(`${label} names "${n}", which is neither a column nor a one-hot group of this file; check the spelling`);
    }
  }
  const excludeSet = new Set(spec.exclude ?? []);
  const includeSet = spec.include !== undefined && spec.include.length > 0 ? new Set(spec.include) : null;
  const isDropped = (col: string): boolean => transforms.get(col)?.kind === 'drop' || transforms.get(groupOf.get(col) ?? col)?.kind === 'drop';

  const main: OutputColumn[] = [];
  const dummies: OutputColumn[] = [];

  for (const col of ds.columns) {
    const name = col.name;
    const group = groupOf.get(name) ?? name;
    if (targets.has(name)) { excluded.push({ column: name, reason: 'target' }); continue; }
    if (includeSet !== null && !includeSet.has(name) && !includeSet.has(group)) { excluded.push({ column: name, reason: 'not in the include list' }); continue; }
    if (excludeSet.has(name) || excludeSet.has(group)) { excluded.push({ column: name, reason: 'excluded by you' }); continue; }
    if (isDropped(name)) { excluded.push({ column: name, reason: 'dropped by a transform' }); continue; }
    const explicitlyIncluded = includeSet !== null;

    if (col.kind === 'timestamp') {
      excluded.push({ column: name, reason: 'timestamp' });
      notes.push(`column "${name}" is a timestamp; left out (derive hour or weekday columns to use it)`);
      continue;
    }
    if (col.nullCount === rows) {
      excluded.push({ column: name, reason: 'all null' });
      warnings.push(`column "${name}" is entirely null; left out`);
      continue;
    }
    const transform = transforms.get(name);

    if (col.kind === 'numeric' && transform?.kind !== 'onehot') {
      if (col.unsafeInteger) {
        excluded.push({ column: name, reason: 'integers beyond ±2^53' });
        warnings.push(`column "${name}" holds integers beyond ±2^53 that a float cannot represent (an id?); left out: drop it or cast it to a string`);
        continue;
      }
      // a transform the user chose for it says it is a measurement (whole dollars, seconds), not a key
      if (!explicitlyIncluded && transform === undefined && isIdLikeNumeric(col)) {
        excluded.push({ column: name, reason: 'id-like (≥ 99 % unique)' });
        notes.push(`column "${name}" is ≥ 99 % unique integers, like an id; left out (if it is a measurement, give it a transform such as log1p or clip to use it)`);
        continue;
      }
      if (mode === 'workbench' && isConstant(col.values) && col.nullCount === 0) {
        excluded.push({ column: name, reason: 'constant' });
        notes.push(`column "${name}" has a single value; left out`);
        continue;
      }
      let values = col.values;
      if (transform !== undefined) {
        const result = applyNumericTransform(col, transform);
        if (typeof result === 'string') { warnings.push(result); } else {
          values = result;
          notes.push(`column "${name}": ${describeTransform(transform)}`);
        }
      }
      if (col.nullCount > 0) {
        const m = median(values);
        const imputed = new Float64Array(values.length);
        const missing = new Float64Array(values.length);
        for (let i = 0; i < values.length; i++) {
          const v = values[i] ?? NaN;
          if (v === v) imputed[i] = v;
          else { imputed[i] = m; missing[i] = 1; }
        }
        main.push({ name, group, kind: 'values', values: imputed });
        main.push({ name: `${name}__missing`, group, kind: 'values', values: missing });
        notes.push(`column "${name}": ${fmt(col.nullCount)} nulls (${pct(col.nullCount / rows)}) filled with the median ${m}; indicator ${name}__missing added`);
      } else {
        main.push({ name, group, kind: 'values', values });
      }
      continue;
    }

    if (transform !== undefined && transform.kind !== 'onehot' && col.kind === 'categorical') {
      warnings.push(`transform ${transform.kind} does not apply to text column "${name}"; ignored`);
    }
    const src = col.kind === 'categorical' ? fromCategorical(col) : numericAsCategorical(col);
    const counts = levelCounts(src.codes, src.levels.length);
    if (!explicitlyIncluded && !src.numericLevels && isIdLikeCategorical(src, counts)) {
      excluded.push({ column: name, reason: 'id-like (≥ 99 % unique)' });
      notes.push(`column "${name}" is ≥ 99 % unique text, like an id; left out (a different value on almost every row holds no pattern a model can reuse)`);
      continue;
    }
    if (mode === 'workbench' && src.nullCount === 0 && counts.filter((c) => c > 0).length <= 1) {
      excluded.push({ column: name, reason: 'constant' });
      notes.push(`column "${name}" has a single value; left out`);
      continue;
    }
    const encoded = encodeCategorical(src, counts, group, mode, maxLevels, minLevelFraction, rows);
    if ('warning' in encoded) {
      excluded.push({ column: name, reason: 'too many levels' });
      warnings.push(encoded.warning);
      continue;
    }
    notes.push(encoded.note);
    // pandas puts every dummy after the untouched columns; the workbench keeps table order
    (mode === 'pandas' ? dummies : main).push(...encoded.outputs);
  }

  const outputs = [...main, ...dummies];
  const seen = new Set<string>();
  const featureNames = outputs.map((o) => {
    let n = o.name;
    for (let k = 2; seen.has(n); k++) n = `${o.name}#${k}`;
    if (n !== o.name) warnings.push(`model column "${o.name}" exists twice; the second is named "${n}" (rename a column to avoid this)`);
    seen.add(n);
    return n;
  });
  const cols = outputs.length;
  if (cols === 0) warnings.push('no feature columns are left; include at least one non-target column');
  const pick = spec.rows;
  for (const i of pick ?? []) {
    if (i >= rows) throw new Error(`row ${i} is beyond the data's ${rows} rows; pass rows of this dataset`);
  }
  const outRows = pick?.length ?? rows;
  const X = new Float32Array(allocate(spec.planOnly === true ? 0 : outRows * cols * Float32Array.BYTES_PER_ELEMENT));
  if (spec.planOnly !== true) outputs.forEach((o, j) => {
    if (o.kind === 'values') {
      const v = o.values;
      if (pick === undefined) for (let r = 0, p = j; r < rows; r++, p += cols) X[p] = v[r] ?? 0;
      else for (let r = 0, p = j; r < outRows; r++, p += cols) X[p] = v[pick[r] as number] ?? 0;
    } else {
      const { codes, codeToSlot, slot } = o;
      const nullIndex = codeToSlot.length - 1;
      for (let r = 0, p = j; r < outRows; r++, p += cols) {
        const c = codes[pick === undefined ? r : (pick[r] as number)] ?? -1;
        if (codeToSlot[c < 0 ? nullIndex : c] === slot) X[p] = 1;
      }
    }
  });
  return {
    matrix: { rows: outRows, cols, X, featureNames, featureGroups: outputs.map((o) => o.group) },
    notes, warnings, excluded,
  };
}

function describeTransform(t: ColumnTransform): string {
  switch (t.kind) {
    case 'cap': return `capped at ${t.max}`;
    case 'clip': return `clipped to [${t.min}, ${t.max}]`;
    case 'log1p': return 'log1p applied';
    case 'onehot': return 'one-hot encoded';
    case 'drop': return 'dropped';
  }
}

function isTextType(physicalType: string): boolean {
  return /byte_array|utf8|string|binary|dictionary/i.test(physicalType);
}

/**
 * Bytes needed to decode `rows` rows and build the model matrix, from the footer alone: 8 bytes per value
 * decoded plus 4 per model-matrix cell, counting a text column as up to DEFAULT_MAX_LEVELS one-hot columns.
 */
export function estimateDecodedBytes(rows: number, columns: ReadonlyArray<{ name: string; physicalType: string }>): number {
  let features = 0;
  for (const c of columns) features += isTextType(c.physicalType) ? DEFAULT_MAX_LEVELS : 1;
  return rows * (8 * columns.length + 4 * features);
}

/** An error sentence when decoding would not fit in `limitBytes` (default: the wasm 4 GiB), else null. */
export function checkFitsInMemory(
  rows: number, columns: ReadonlyArray<{ name: string; physicalType: string }>, limitBytes: number = WASM_MEMORY_LIMIT_BYTES,
): string | null {
  const need = estimateDecodedBytes(rows, columns);
  if (need <= limitBytes) return null;
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
  return `this file needs about ${gib(need)} to decode (${fmt(rows)} rows × ${columns.length} columns), over the ${gib(limitBytes)} limit; select fewer columns or load a sample of rows`;
}
