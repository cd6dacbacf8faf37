/** Checks a dataset can be trained on before any work starts; every problem is one sentence saying what to do. */
import type { Column, Dataset, NumericColumn } from './types.ts';
import { detectOneHotGroups } from './oneHotGroups.ts';
import { negativeValues, type NegativeValues } from '../trainers/targetTransform.ts';

/** One problem found, tied to the column it concerns. */
export interface ValidationIssue {
  readonly code: ValidationCode;
  readonly column: string;
  readonly message: string;
}

/** Machine-readable kind of a validation problem. */
export type ValidationCode =
  | 'missing-target'
  | 'target-all-null'
  | 'target-has-nulls'
  | 'target-not-binary'
  | 'revenue-not-numeric'
  | 'missing-feature'
  | 'too-few-rows-of-class'
  | 'not-finite'
  | 'out-of-range'
  | 'no-target';

/** Options of `validateDataset`. */
export interface ValidateOptions {
  /** null: none (a regression-only notebook) */
  readonly classTarget: string | null;
  /** null: none (a classification-only notebook) */
  readonly revenueTarget: string | null;
  /** candidate feature columns */
  readonly features: readonly string[];
  /** default 10 */
  readonly minRowsPerClass?: number;
}

/** A binary class column as 0/1 labels (255 = null), with the text of each class. */
export interface BinaryLabels {
  /** 0, 1, or 255 for a null row */
  readonly y: Uint8Array;
  readonly negativeLabel: string;
  readonly positiveLabel: string;
  readonly positives: number;
  readonly negatives: number;
  readonly nulls: number;
}

/** Level texts that name the positive class of a two-level text column. */
const POSITIVE_WORDS = new Set(['1', 'true', 'yes', 'y', 't', 'positive', 'pos']);

/** Distinct non-null values of a column (stops after `limit` + 1), as display strings, sorted. */
function distinctValues(col: Column, limit: number): string[] {
  // at most limit + 1 values are kept, so a short array beats a Set (this runs over every row of a column)
  if (col.kind === 'categorical') {
    const used: number[] = [];
    const codes = col.codes;
    for (let i = 0; i < codes.length && used.length <= limit; i++) {
      const c = codes[i] ?? -1;
      if (c >= 0 && !used.includes(c)) used.push(c);
    }
    return used.map((c) => col.levels[c] ?? '').sort();
  }
  const values = col.values;
  if (values instanceof Uint8Array) {
    // bytes (most flags and small counts): a table of the 256 values beats a search per row
    const present = new Uint8Array(256);
    let found = 0;
    for (let i = 0; i < values.length && found <= limit; i++) {
      const v = values[i] as number;
      if (present[v] === 0) { present[v] = 1; found++; }
    }
    const out: string[] = [];
    for (let v = 0; v < 256; v++) if (present[v] === 1) out.push(String(v));
    return out;
  }
  const seen: number[] = [];
  for (let i = 0; i < values.length && seen.length <= limit; i++) {
    const v = values[i] ?? NaN;
    if (v === v && !seen.includes(v)) seen.push(v);
  }
  return seen.sort((a, b) => a - b).map(String);
}

const timestampTarget = (name: string): string => `column "${name}" is a timestamp; a class target needs two values such as 0/1`;

/**
 * Why the column cannot be a class target (one sentence), or null when it holds exactly two classes (numbers 0/1,
 * or two text levels). One pass over the rows at most, and no per-row array: what choosing targets needs.
 */
export function binaryLabelsProblem(col: Column): string | null {
  const rows = col.kind === 'categorical' ? col.codes.length : col.values.length;
  if (col.kind === 'timestamp') return timestampTarget(col.name);
  if (col.nullCount === rows) return `column "${col.name}" is entirely null; pick a class target that holds 0/1 values`;
  const values = distinctValues(col, 2);
  if (values.length > 2) return manyClasses(col);
  if (col.kind === 'numeric') {
    if (values.length !== 2 || values[0] !== '0' || values[1] !== '1') {
      if (values.length === 1) return `column "${col.name}" holds only the value ${values[0] ?? ''}; a class target needs rows of both 0 and 1`;
      return `column "${col.name}" holds ${values.join(', ')}; expected exactly two classes 0/1, so recode it (1 = the event to predict) or pick another target`;
    }
    return null;
  }
  if (values.length !== 2) return `column "${col.name}" holds only the value "${values[0] ?? ''}"; a class target needs rows of two classes`;
  return null;
}

/**
 * The refusal of a column with more than two classes: how many and which, and what to do. The models are binary;
 * taking one class against the rest (or two of them) is the user's choice, never made silently.
 */
function manyClasses(col: Column): string {
  const shown = 6;
  const values = distinctValues(col, 50);
  const count = values.length > 50 ? 'more than 50 values' : `${values.length} values`;
  const list = values.slice(0, shown).map((v) => (col.kind === 'categorical' ? `"${v}"` : v)).join(', ') + (values.length > shown ? ', …' : '');
  return `column "${col.name}" holds ${count} (${list}) and the models here are two-class: to predict one class against the rest, `
    + 'derive a 0/1 column before loading (1 = that class); to compare two classes, keep their rows with row filters; or pick another target';
}

/**
 * The class column as 0/1, or an error sentence. Numbers must be 0/1 (bools are); a two-level text column
 * takes "1"/"true"/"yes" as positive when present, else its rarer level (the event a model looks for).
 */
export function binaryLabels(col: Column): BinaryLabels | string {
  const problem = binaryLabelsProblem(col);
  // a timestamp always has a problem; the kind check narrows the type
  if (problem !== null || col.kind === 'timestamp') return problem ?? timestampTarget(col.name);
  const rows = col.kind === 'categorical' ? col.codes.length : col.values.length;
  const y = new Uint8Array(rows);
  let positives = 0;
  let nulls = 0;
  if (col.kind === 'numeric') {
    const v = col.values;
    for (let i = 0; i < rows; i++) {
      const x = v[i] ?? NaN;
      if (x !== x) { y[i] = 255; nulls++; } else if (x === 1) { y[i] = 1; positives++; }
    }
    return { y, negativeLabel: '0', positiveLabel: '1', positives, negatives: rows - positives - nulls, nulls };
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const c = col.codes[i] ?? -1;
    if (c >= 0) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const [a, b] = [...counts.keys()].sort((p, q) => ((col.levels[p] ?? '') < (col.levels[q] ?? '') ? -1 : 1));
  const la = col.levels[a ?? 0] ?? '';
  const lb = col.levels[b ?? 0] ?? '';
  let positiveCode: number;
  if (POSITIVE_WORDS.has(lb.toLowerCase())) positiveCode = b ?? 0;
  else if (POSITIVE_WORDS.has(la.toLowerCase())) positiveCode = a ?? 0;
  else positiveCode = (counts.get(a ?? 0) ?? 0) < (counts.get(b ?? 0) ?? 0) ? (a ?? 0) : (b ?? 0);
  for (let i = 0; i < rows; i++) {
    const c = col.codes[i] ?? -1;
    if (c < 0) { y[i] = 255; nulls++; } else if (c === positiveCode) { y[i] = 1; positives++; }
  }
  const positiveLabel = col.levels[positiveCode] ?? '';
  return { y, negativeLabel: positiveLabel === la ? lb : la, positiveLabel, positives, negatives: rows - positives - nulls, nulls };
}

/** Why `name` is not among the dataset's columns: the decoder's own note when it skipped it for its type, else that it is absent. */
function notAColumn(ds: Dataset, what: string, name: string, fix: string): string {
  const skipped = ds.skipped?.find((c) => c.name === name);
  return skipped ? `${what} "${name}" cannot be used: ${skipped.note}` : `${what} "${name}" is not a column of this file; ${fix}`;
}

function columnList(ds: Dataset): string {
  const names = ds.columns.map((c) => `"${c.name}"`);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The largest magnitude the models hold: the model matrix and the networks compute in float32, where a larger value is Infinity. */
export const LARGEST_MODEL_VALUE = 3.4028234663852886e38;

/** Where a numeric column's values are ±Infinity or beyond ±`LARGEST_MODEL_VALUE`: counts and the first rows (from 0) of each, in one pass. */
function outOfModelRange(values: ArrayLike<number>, show = 3): { infinite: { count: number; rows: number[] }; huge: { count: number; rows: number[] } } {
  const infinite = { count: 0, rows: [] as number[] };
  const huge = { count: 0, rows: [] as number[] };
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Math.abs(v) > LARGEST_MODEL_VALUE)) continue; // NaN (a null) and every value float32 holds
    const found = v === Infinity || v === -Infinity ? infinite : huge;
    found.count++;
    if (found.rows.length < show) found.rows.push(i);
  }
  return { infinite, huge };
}

/**
 * The issues of a column holding ±Infinity, or finite values beyond float32 (which the matrix turns into Infinity),
 * or none: training would turn them into NaN scores and metrics, or a solver failing on "NaN" the file does not hold.
 */
function notFinite(col: Column, role: string): ValidationIssue[] {
  if (col.kind !== 'numeric' || col.values instanceof Uint8Array) return [];
  const where = ({ count, rows }: { count: number; rows: number[] }): string =>
    `row${rows.length === 1 ? '' : 's'} ${rows.join(', ')}${count > rows.length ? ', …' : ''}, counting from 0`;
  const issues: ValidationIssue[] = [];
  const { infinite, huge } = outOfModelRange(col.values);
  if (infinite.count > 0) {
    issues.push({
      code: 'not-finite', column: col.name,
      message: `${role} "${col.name}" has ${fmt(infinite.count)} infinite value${infinite.count === 1 ? '' : 's'} (${where(infinite)}); replace them or drop those rows before training`,
    });
  }
  if (huge.count > 0) {
    issues.push({
      code: 'out-of-range', column: col.name,
      message: `${role} "${col.name}" has ${fmt(huge.count)} value${huge.count === 1 ? '' : 's'} beyond ±3.4e38, more than the models hold (${where(huge)}); rescale the column or drop those rows before training`,
    });
  }
  return issues;
}

/** Everything that would stop training on `ds` with these targets and candidate features; empty when fine. */
export function validateDataset(ds: Dataset, opts: ValidateOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const byName = new Map(ds.columns.map((c) => [c.name, c] as const));
  const minRows = opts.minRowsPerClass ?? 10;

  if (opts.classTarget === null && opts.revenueTarget === null) {
    issues.push({ code: 'no-target', column: '', message: 'both targets are none; choose a class target or a regression target in the Features cell' });
  }
  const cls = opts.classTarget === null ? null : byName.get(opts.classTarget);
  // the class's 0/1 labels when it has two classes: which rows the regressor fits (the positive ones)
  let classLabels: BinaryLabels | null = null;
  if (cls === null) {
    // no class target: nothing to check
  } else if (cls === undefined) {
    issues.push({ code: 'missing-target', column: opts.classTarget ?? '', message: notAColumn(ds, 'class target', opts.classTarget ?? '', `choose one of ${columnList(ds)} or none`) });
  } else {
    const labels = binaryLabels(cls);
    if (typeof labels === 'string') {
      const allNull = cls.nullCount === ds.rows;
      issues.push({ code: allNull ? 'target-all-null' : 'target-not-binary', column: cls.name, message: labels });
    } else {
      classLabels = labels;
      if (labels.nulls > 0) {
        issues.push({ code: 'target-has-nulls', column: cls.name, message: `column "${cls.name}" has ${fmt(labels.nulls)} null rows; drop or fill them before training` });
      }
      if (labels.negatives < minRows && labels.positives < minRows) {
        // a tiny file: one sentence about the file, not one per class
        issues.push({
          code: 'too-few-rows-of-class', column: cls.name,
          message: `${fmt(ds.rows)} rows are too few to train and test a classifier: ${cls.name} = ${labels.negativeLabel} on ${fmt(labels.negatives)} and = ${labels.positiveLabel} on ${fmt(labels.positives)} rows, and at least ${minRows} of each are needed; load a larger file`,
        });
      } else {
        for (const [label, count] of [[labels.negativeLabel, labels.negatives], [labels.positiveLabel, labels.positives]] as const) {
          if (count < minRows) {
            issues.push({ code: 'too-few-rows-of-class', column: cls.name, message: `class ${cls.name} = ${label} has only ${fmt(count)} rows; at least ${minRows} are needed, so load more data or pick another target` });
          }
        }
      }
    }
  }

  if (opts.revenueTarget !== null) {
    const rev = byName.get(opts.revenueTarget);
    if (rev === undefined) {
      issues.push({ code: 'missing-target', column: opts.revenueTarget, message: notAColumn(ds, 'revenue target', opts.revenueTarget, `choose one of ${columnList(ds)} or none`) });
    } else if (rev.kind !== 'numeric' || rev.isBool) {
      const kind = rev.kind === 'categorical' ? 'string' : rev.kind === 'timestamp' ? 'a timestamp' : 'boolean';
      issues.push({ code: 'revenue-not-numeric', column: rev.name, message: `column "${rev.name}" is ${kind}; expected a number` });
    } else if (rev.nullCount === ds.rows) {
      issues.push({ code: 'target-all-null', column: rev.name, message: `column "${rev.name}" is entirely null; pick a revenue column that holds amounts` });
    } else {
      // negative values are a warning (`negativeTargetWarning`): the regressor then fits the raw scale
      issues.push(...notFinite(rev, 'revenue column'));
      // with a class target that is not usable, its own issue says what to do first
      const nulls = cls === null ? regressionTargetNulls(rev, null)
        : cls !== undefined && classLabels !== null ? regressionTargetNulls(rev, { name: cls.name, labels: classLabels }) : null;
      if (nulls !== null) issues.push({ code: 'target-has-nulls', column: rev.name, message: nulls });
    }
  }

  const targets = new Set([opts.classTarget, opts.revenueTarget]);
  let groupNames: Set<string> | null = null;
  for (const f of opts.features) {
    if (targets.has(f)) continue;
    const col = byName.get(f);
    if (col === undefined) {
      // a one-hot group name ("utm_source") is a valid feature too
      groupNames ??= new Set(detectOneHotGroups(ds.columns, { exclude: [...targets].filter((t): t is string => t !== null) }).map((g) => g.name));
      if (groupNames.has(f)) continue;
      issues.push({ code: 'missing-feature', column: f, message: notAColumn(ds, 'feature', f, 'remove it from the feature list') });
    } else if (col.nullCount === ds.rows) {
      // it holds nothing to learn from: the encoder leaves it out and says so (a warning beside the model matrix)
    } else {
      issues.push(...notFinite(col, 'feature'));
    }
  }
  return issues;
}

/**
 * Why null regression targets stop training, or null when none matter. A null is counted as 0 only where the class
 * target is negative (no order, no revenue); on a positive row, or on any row of a regression-only notebook, the
 * regressor would learn a 0 the file never held.
 */
function regressionTargetNulls(rev: NumericColumn, cls: { readonly name: string; readonly labels: BinaryLabels } | null, show = 3): string | null {
  const values = rev.values;
  let count = 0;
  const rows: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v || (cls !== null && cls.labels.y[i] !== 1)) continue;
    count++;
    if (rows.length < show) rows.push(i);
  }
  if (count === 0) return null;
  const where = `row${rows.length === 1 ? '' : 's'} ${rows.join(', ')}${count > rows.length ? ', …' : ''}, counting from 0`;
  const on = cls === null ? '' : ` where ${cls.name} = ${cls.labels.positiveLabel}`;
  return `regression target "${rev.name}" is null on ${fmt(count)} row${count === 1 ? '' : 's'}${on} (${where}); drop those rows (row filter "${rev.name} not null" in the Features cell) or fill them before training`;
}

/** Negative values of the regression target, or null when it is none or not a numeric column (validation names that). */
export function regressionTargetNegatives(ds: Dataset, revenueTarget: string | null): NegativeValues | null {
  const rev = revenueTarget === null ? undefined : ds.columns.find((c) => c.name === revenueTarget);
  return rev?.kind === 'numeric' && !rev.isBool ? negativeValues(rev.values) : null;
}

/**
 * The warning (not a refusal) for a regression target with negative values, or null when it has none. It states the
 * data only: which transform the regressor applies is `chooseTargetTransform`'s answer, worded by `targetTransformLine`
 * beside it (the one rule, so the two lines cannot disagree).
 */
export function negativeTargetWarning(column: string, negatives: NegativeValues | null): string | null {
  if (negatives === null || negatives.count === 0) return null;
  return `column "${column}" has ${fmt(negatives.count)} negative values (lowest ${negatives.min}): MAPE is n/a where the test target crosses 0`;
}
