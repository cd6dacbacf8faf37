/** A separate test file: its schema checked against the training file, then its rows appended so both encode alike. */
import type { CategoricalColumn, Column, Dataset, NumericValues } from './types.ts';

/** What a column holds, in the user's words, for mismatch messages. */
function kindText(c: Column): string {
  if (c.kind === 'categorical') return 'text';
  if (c.kind === 'timestamp') return 'a timestamp';
  return c.isBool ? 'boolean' : c.isInteger ? 'whole numbers' : 'numbers';
}

/** Whether a test column can stand for a training column: same kind; integers may meet floats, booleans only booleans. */
function compatible(train: Column, test: Column): boolean {
  if (train.kind !== test.kind) return false;
  if (train.kind === 'numeric' && test.kind === 'numeric') return train.isBool === test.isBool;
  return true;
}

/** Every mismatch between the test file and the training file's columns, one sentence each; empty when they agree. */
export function testFileMismatches(train: Dataset, test: Dataset): string[] {
  const problems: string[] = [];
  const testByName = new Map(test.columns.map((c) => [c.name, c] as const));
  for (const c of train.columns) {
    const t = testByName.get(c.name);
    if (t === undefined) problems.push(`test file ${test.source.name} has no column "${c.name}"; load a test file with the training file's columns`);
    else if (!compatible(c, t)) problems.push(`column "${c.name}" is ${kindText(t)} in the test file but ${kindText(c)} in the training file; save both files with the same types`);
  }
  const trainNames = new Set(train.columns.map((c) => c.name));
  const extra = test.columns.filter((c) => !trainNames.has(c.name)).map((c) => `"${c.name}"`);
  if (extra.length > 0) problems.push(`test file ${test.source.name} has columns the training file lacks (${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}); drop them or load matching files`);
  return problems;
}

function concatValues(a: NumericValues, b: NumericValues): NumericValues {
  const wide = a instanceof Float64Array || b instanceof Float64Array ? Float64Array : a instanceof Float32Array || b instanceof Float32Array ? Float32Array : Uint8Array;
  const out = new wide(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function concatCategorical(a: CategoricalColumn, b: CategoricalColumn): CategoricalColumn {
  const levels = [...a.levels];
  const index = new Map(levels.map((l, i) => [l, i] as const));
  const remap = Int32Array.from(b.levels, (l) => {
    let k = index.get(l);
    if (k === undefined) { k = levels.length; levels.push(l); index.set(l, k); }
    return k;
  });
  const codes = new Int32Array(a.codes.length + b.codes.length);
  codes.set(a.codes);
  for (let i = 0; i < b.codes.length; i++) { const k = b.codes[i] ?? -1; codes[a.codes.length + i] = k < 0 ? -1 : (remap[k] ?? -1); }
  return { ...a, codes, levels, nullCount: a.nullCount + b.nullCount };
}

/**
 * The training rows followed by the test rows, in the training file's column order, with text levels merged; throws
 * the first mismatch (all of them, joined) so nothing already loaded is replaced. `trainRows` marks where test begins.
 */
export function appendTestFile(train: Dataset, test: Dataset): { dataset: Dataset; trainRows: number } {
  const problems = testFileMismatches(train, test);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const testByName = new Map(test.columns.map((c) => [c.name, c] as const));
  const columns: Column[] = train.columns.map((c) => {
    const t = testByName.get(c.name) as Column;
    if (c.kind === 'categorical' && t.kind === 'categorical') return concatCategorical(c, t);
    if (c.kind === 'timestamp' && t.kind === 'timestamp') {
      const values = new Float64Array(c.values.length + t.values.length);
      values.set(c.values);
      values.set(t.values, c.values.length);
      return { ...c, values, nullCount: c.nullCount + t.nullCount };
    }
    if (c.kind === 'numeric' && t.kind === 'numeric') {
      const { exact: _dropped, ...rest } = c;
      const merged: Column = {
        ...rest, values: concatValues(c.values, t.values), nullCount: c.nullCount + t.nullCount,
        isInteger: c.isInteger && t.isInteger, unsafeInteger: c.unsafeInteger || t.unsafeInteger,
      };
      if (c.exact === undefined && t.exact === undefined) return merged;
      // ids beyond 2^53 on either side: the other side's values are exact as floats
      const exact = new BigInt64Array(c.values.length + t.values.length);
      const fill = (col: typeof c, at: number): void => {
        for (let i = 0; i < col.values.length; i++) {
          const v = col.values[i] ?? 0;
          exact[at + i] = col.exact !== undefined ? BigInt.asIntN(64, col.exact[i] ?? 0n) : BigInt(v === v ? v : 0);
        }
      };
      fill(c, 0);
      fill(t, c.values.length);
      return { ...merged, exact };
    }
    throw new Error(`column "${c.name}" changed kind between the files; save both with the same types`);
  });
  return {
    dataset: {
      source: train.source, rows: train.rows + test.rows, columns,
      sha256: train.sha256, bytes: train.bytes + test.bytes,
    },
    trainRows: train.rows,
  };
}
