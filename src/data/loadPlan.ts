/**
 * What a load may take, decided from the footer and schema before a byte of data is decoded: the column count,
 * the text bytes per column and in total (the footer's uncompressed sizes), the file size (the loader holds the
 * file) and the estimated decoded size, strings included. Beyond a limit the load is refused with the limit named,
 * and a narrower selection (fewer columns, a sample of row groups) is proposed for the user to confirm.
 */
import { estimateDecodedBytes } from './encode.ts';
import { LoadError } from './byteSource.ts';
import type { ParquetFooter } from './parquetFooter.ts';

/** The limits of one load; `DEFAULT_LOAD_LIMITS` is the memory budget the README states. */
export interface LoadLimits {
  readonly maxColumns: number;
  readonly maxFileBytes: number;
  readonly maxStringBytesPerColumn: number;
  readonly maxStringBytesTotal: number;
  /** estimated bytes the decoded columns and the model matrix take */
  readonly memoryBudgetBytes: number;
}

const MIB = 2 ** 20;
/** 500 columns, a 1 GiB file, 64 MiB of text per column and 256 MiB in all, 1.5 GiB decoded. */
export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  maxColumns: 500,
  maxFileBytes: 1024 * MIB,
  maxStringBytesPerColumn: 64 * MIB,
  maxStringBytesTotal: 256 * MIB,
  memoryBudgetBytes: 1536 * MIB,
};

/** Decoded text lives three times over at its peak: in wasm, as JS strings (UTF-16) and as interned bytes. */
const STRING_COPIES = 3;

/** What the user chose to load instead of everything: leaf column names and row-group indices. */
export interface LoadSelection {
  readonly columns?: readonly string[];
  readonly rowGroups?: readonly number[];
}

/** One column's cost, from the footer. */
export interface ColumnCost {
  readonly name: string;
  readonly physicalType: string;
  /** uncompressed bytes of its pages over the selected row groups (text columns; 0 otherwise) */
  readonly stringBytes: number;
}

/** The load to run, or why not and what would fit. */
export type LoadPlan =
  | {
    readonly ok: true;
    readonly columns: readonly string[];
    readonly rowGroups: readonly number[];
    readonly rows: number;
    readonly estimatedBytes: number;
  }
  | {
    readonly ok: false;
    /** one sentence per limit crossed, each naming the limit */
    readonly problems: readonly string[];
    readonly costs: readonly ColumnCost[];
    /** a selection within every limit (null when even one column of one row group is too big) */
    readonly suggestion: LoadSelection | null;
  };

/** What the column chooser offers when a file is over a limit: every column with its estimated decoded size, the row groups, the limits. */
export interface LoadChoices {
  /** every column of the file, in file order, with its decoded size estimated over all row groups (text counted three times) */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly physicalType: string; readonly estimatedBytes: number; readonly textBytes: number }>;
  /** rows of each row group */
  readonly rowGroupRows: readonly number[];
  readonly limits: LoadLimits;
  /** the selection within every limit the plan proposes (null when none) */
  readonly suggestion: LoadSelection | null;
}

/** The chooser's choices for a file, from its footer. */
export function loadChoices(footer: ParquetFooter, suggestion: LoadSelection | null, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadChoices {
  const all = footer.rowGroups.map((_, i) => i);
  const rows = rowsOf(footer, all);
  return {
    columns: costsOf(footer, all).map((c) => ({ name: c.name, physicalType: c.physicalType, estimatedBytes: estimate(rows, [c]), textBytes: c.stringBytes })),
    rowGroupRows: footer.rowGroups.map((g) => g.rows),
    limits,
    suggestion,
  };
}

/** Estimated decoded bytes of a selection, as the chooser totals it: each column's estimate scaled by the share of rows chosen. */
export function selectionBytes(choices: LoadChoices, columns: ReadonlySet<string>, rowGroups: readonly number[]): number {
  const total = choices.rowGroupRows.reduce((a, b) => a + b, 0);
  const chosen = rowGroups.reduce((sum, g) => sum + (choices.rowGroupRows[g] ?? 0), 0);
  const share = total === 0 ? 0 : chosen / total;
  let bytes = 0;
  for (const c of choices.columns) if (columns.has(c.name)) bytes += c.estimatedBytes * share;
  return bytes;
}

/** Raised when a load is over a limit; carries the plan, and `details` (plain data) the chooser's choices for the page. */
export class LoadLimitError extends LoadError {
  override name = 'LoadLimitError';
  readonly details: LoadChoices | undefined;
  constructor(readonly plan: Extract<LoadPlan, { ok: false }>, choices?: LoadChoices) {
    super(plan.problems.join('; '));
    this.details = choices;
  }
}

const isText = (physicalType: string): boolean => physicalType === 'BYTE_ARRAY' || physicalType === 'FIXED_LEN_BYTE_ARRAY';
/** Sizes in messages, rounded up so a size over a limit never reads as the limit (a small file is not "1 MiB"). */
const size = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
  : bytes >= MIB ? `${Math.ceil(bytes / MIB)} MiB` : bytes >= 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${bytes} B`);

function costsOf(footer: ParquetFooter, rowGroups: readonly number[]): ColumnCost[] {
  return footer.columns.map((c, i) => ({
    name: c.name,
    physicalType: c.physicalType,
    stringBytes: isText(c.physicalType)
      ? rowGroups.reduce((sum, g) => sum + (footer.rowGroups[g]?.chunks[i]?.uncompressedBytes ?? 0), 0)
      : 0,
  }));
}

function estimate(rows: number, costs: readonly ColumnCost[]): number {
  return estimateDecodedBytes(rows, costs) + STRING_COPIES * costs.reduce((sum, c) => sum + c.stringBytes, 0);
}

function rowsOf(footer: ParquetFooter, rowGroups: readonly number[]): number {
  return rowGroups.reduce((sum, g) => sum + (footer.rowGroups[g]?.rows ?? 0), 0);
}

function problemsOf(fileBytes: number, rows: number, costs: readonly ColumnCost[], limits: LoadLimits): string[] {
  const problems: string[] = [];
  const fileProblem = fileSizeProblem(fileBytes, limits);
  if (fileProblem !== null) problems.push(fileProblem);
  if (costs.length > limits.maxColumns) {
    problems.push(`the file has ${costs.length.toLocaleString('en-US')} columns, over the limit of ${limits.maxColumns}; choose the columns to load`);
  }
  for (const c of costs) {
    if (c.stringBytes > limits.maxStringBytesPerColumn) {
      problems.push(`column "${c.name}" holds ${size(c.stringBytes)} of text, over the ${size(limits.maxStringBytesPerColumn)} per-column limit; leave it out`);
    }
  }
  const text = costs.reduce((sum, c) => sum + c.stringBytes, 0);
  if (text > limits.maxStringBytesTotal) {
    problems.push(`the text columns hold ${size(text)}, over the ${size(limits.maxStringBytesTotal)} limit; leave some out`);
  }
  const need = estimate(rows, costs);
  if (need > limits.memoryBudgetBytes) {
    problems.push(`decoding needs about ${size(need)} (${rows.toLocaleString('en-US')} rows × ${costs.length} columns), over the ${size(limits.memoryBudgetBytes)} memory budget; choose fewer columns or a sample of row groups`);
  }
  return problems;
}

/** A selection within the limits: columns in file order while they fit, then the leading row groups that fit. */
function suggest(footer: ParquetFooter, fileBytes: number, limits: LoadLimits, wanted: readonly string[], rowGroups: readonly number[]): LoadSelection | null {
  if (fileBytes > limits.maxFileBytes) return null;
  const all = costsOf(footer, rowGroups);
  const byName = new Map(all.map((c) => [c.name, c] as const));
  const columns: ColumnCost[] = [];
  let text = 0;
  for (const name of wanted) {
    const c = byName.get(name);
    if (c === undefined || columns.length >= limits.maxColumns || c.stringBytes > limits.maxStringBytesPerColumn) continue;
    if (text + c.stringBytes > limits.maxStringBytesTotal) continue;
    text += c.stringBytes;
    columns.push(c);
  }
  if (columns.length === 0) return null;
  // row groups one by one, counting their cost incrementally (files may have thousands)
  const chosen = columns.map((c) => footer.columns.findIndex((f) => f.name === c.name));
  const groups: number[] = [];
  let rows = 0;
  let groupText = 0;
  for (const g of rowGroups) {
    const rg = footer.rowGroups[g];
    if (rg === undefined) continue;
    const addText = chosen.reduce((sum, i) => sum + (isText(footer.columns[i]?.physicalType ?? '') ? rg.chunks[i]?.uncompressedBytes ?? 0 : 0), 0);
    if (estimateDecodedBytes(rows + rg.rows, columns) + STRING_COPIES * (groupText + addText) > limits.memoryBudgetBytes) break;
    rows += rg.rows;
    groupText += addText;
    groups.push(g);
  }
  if (groups.length === 0) return null;
  return { columns: columns.map((c) => c.name), rowGroups: groups };
}

/** The refusal of a file too big to hold, before anything is allocated for it; null when it fits. */
export function fileSizeProblem(fileBytes: number, limits: LoadLimits = DEFAULT_LOAD_LIMITS): string | null {
  return fileBytes > limits.maxFileBytes
    ? `the file is ${size(fileBytes)} (${fileBytes.toLocaleString('en-US')} bytes), over the ${size(limits.maxFileBytes)} file limit; load a smaller extract`
    : null;
}

/** Decides, from the footer alone, whether `selection` (default: everything) may be loaded. */
export function planLoad(footer: ParquetFooter, fileBytes: number, selection: LoadSelection = {}, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadPlan {
  const known = new Set(footer.columns.map((c) => c.name));
  for (const name of selection.columns ?? []) {
    if (!known.has(name)) throw new LoadError(`column "${name}" is not in this file; choose among its ${known.size} columns`);
  }
  for (const g of selection.rowGroups ?? []) {
    if (!Number.isInteger(g) || g < 0 || g >= footer.rowGroups.length) {
      throw new LoadError(`row group ${g} is not in this file; it has ${footer.rowGroups.length} (0–${footer.rowGroups.length - 1})`);
    }
  }
  const columns = selection.columns ? [...selection.columns] : footer.columns.map((c) => c.name);
  const rowGroups = selection.rowGroups ? [...new Set(selection.rowGroups)].sort((a, b) => a - b) : footer.rowGroups.map((_, i) => i);
  const wanted = new Set(columns);
  const costs = costsOf(footer, rowGroups).filter((c) => wanted.has(c.name));
  const rows = rowsOf(footer, rowGroups);
  const problems = problemsOf(fileBytes, rows, costs, limits);
  if (problems.length > 0) {
    return { ok: false, problems, costs, suggestion: suggest(footer, fileBytes, limits, columns, rowGroups) };
  }
  return { ok: true, columns, rowGroups, rows, estimatedBytes: estimate(rows, costs) };
}
