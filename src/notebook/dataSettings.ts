/**
 * The data settings of a notebook (targets, exclusions, transforms, row filters, date parts, split) and what happens to
 * them when another file is opened: reset to what that file supports, carried over only where their columns exist.
 */
import { addDateParts, type DatePart } from '../data/dateParts.ts';
import type { ColumnTransform } from '../data/encode.ts';
import { describeFilter, filterRows, type RowFilter } from '../data/rowFilter.ts';
import { proposeTargets, type TargetFacts, type TargetProposal } from '../data/targetProposal.ts';
import type { Dataset } from '../data/types.ts';
import { binaryLabels, binaryLabelsProblem } from '../data/validate.ts';
import { defaultSplitSpec, describeSplitSpec, formatTime, type SplitPlan, type SplitSpec } from '../trainers/splitPlan.ts';

/** Date parts derived from one timestamp column. */
export interface DatePartsSetting {
  readonly column: string;
  readonly parts: readonly DatePart[];
}

/** Everything about the data a notebook chose. `split` null: the file's default (time when it has a timestamp). */
export interface DataSettings {
  readonly classTarget: string | null;
  readonly revenueTarget: string | null;
  readonly revenueIsMoney: boolean;
  readonly excluded: readonly string[];
  readonly transforms: Readonly<Record<string, ColumnTransform>>;
  readonly filters: readonly RowFilter[];
  readonly dateParts: readonly DatePartsSetting[];
  readonly split: SplitSpec | null;
}

/** The settings of a file nobody has configured. */
export function defaultDataSettings(ds: Dataset, proposal?: TargetProposal): DataSettings {
  const p = proposal ?? proposeTargets(ds);
  return { classTarget: p.classTarget, revenueTarget: p.revenueTarget, revenueIsMoney: p.revenueIsMoney, excluded: [], transforms: {}, filters: [], dateParts: [], split: null };
}

/** Settings for a newly opened file, what was kept from the previous file's and what was dropped, and a notice saying so. */
export function settingsForNewFile(prev: DataSettings | null, ds: Dataset, facts?: TargetFacts): { settings: DataSettings; kept: string[]; dropped: string[]; notice: string | null } {
  // `facts` (from the data worker) spare the page a pass over the rows of every label-like column
  const fresh = defaultDataSettings(ds, facts?.proposal);
  if (prev === null) return { settings: fresh, kept: [], dropped: [], notice: null };
  const byName = new Map(ds.columns.map((c) => [c.name, c] as const));
  const kept: string[] = [];
  const dropped: string[] = [];
  const keep = <T>(ok: boolean, what: string, value: T): T | undefined => {
    (ok ? kept : dropped).push(what);
    return ok ? value : undefined;
  };
  const cls = prev.classTarget === null ? undefined : byName.get(prev.classTarget);
  const classOk = cls !== undefined && (facts === undefined ? binaryLabelsProblem(cls) === null : facts.twoValued.includes(cls.name));
  const classTarget = prev.classTarget === null ? fresh.classTarget : (keep(classOk, `class target ${prev.classTarget}`, prev.classTarget) ?? fresh.classTarget);
  const rev = prev.revenueTarget === null ? undefined : byName.get(prev.revenueTarget);
  const revenueOk = rev?.kind === 'numeric' && !rev.isBool && rev.name !== classTarget;
  const revenueKept = prev.revenueTarget !== null && keep(revenueOk, `regression target ${prev.revenueTarget}`, true) === true;
  const revenueTarget = revenueKept ? prev.revenueTarget : fresh.revenueTarget;
  const exists = (name: string): boolean => byName.has(name) || ds.columns.some((c) => c.name.startsWith(`${name}_`));
  const excluded = prev.excluded.filter((e) => keep(exists(e), `excluded ${e}`, true) === true);
  const transforms: Record<string, ColumnTransform> = {};
  for (const [column, t] of Object.entries(prev.transforms)) {
    if (keep(byName.has(column), `${t.kind} on ${column}`, true) === true) transforms[column] = t;
  }
  const filters = prev.filters.filter((f) => keep(byName.has(f.column), `filter ${describeFilter(f)}`, true) === true);
  const dateParts = prev.dateParts.filter((d) => keep(byName.get(d.column)?.kind === 'timestamp', `date parts of ${d.column}`, true) === true);
  let split: SplitSpec | null = null;
  if (prev.split !== null && prev.split.kind !== 'random') {
    const col = prev.split.kind === 'test-file' ? undefined : byName.get(prev.split.column);
    const ok = prev.split.kind === 'time' ? col?.kind === 'timestamp' : prev.split.kind === 'group' ? col !== undefined : false;
    split = keep(ok, `split ${describeSplitSpec(prev.split)}`, prev.split) ?? null;
  } else if (prev.split?.kind === 'random') {
    split = prev.split;
  }
  const settings: DataSettings = {
    classTarget, revenueTarget, revenueIsMoney: revenueKept ? prev.revenueIsMoney : fresh.revenueIsMoney,
    excluded, transforms, filters, dateParts, split,
  };
  const parts: string[] = [];
  if (kept.length > 0) parts.push(`kept from the previous file: ${kept.join('; ')}`);
  if (dropped.length > 0) parts.push(`not carried over (no such column here): ${dropped.join('; ')}`);
  return { settings, kept, dropped, notice: parts.length === 0 ? null : `${parts.join('. ')}.` };
}

/** The split the notebook uses on `ds`: the chosen one, or the file's default. */
export function effectiveSplit(ds: Dataset, s: Pick<DataSettings, 'split'>): SplitSpec {
  return s.split ?? defaultSplitSpec(ds);
}

/** 0/1 labels of the class target for stratifying a split, or null when it is not a usable binary column. */
export function splitLabels(ds: Dataset, classTarget: string): Uint8Array | null {
  const col = ds.columns.find((c) => c.name === classTarget);
  if (col === undefined) return null;
  const l = binaryLabels(col);
  return typeof l === 'string' ? null : Uint8Array.from(l.y, (v) => (v === 1 ? 1 : 0));
}

/** The dataset the models see: date parts added, then the rows the filters keep. Throws one sentence on a bad setting. */
export function preparedDataset(raw: Dataset, s: Pick<DataSettings, 'dateParts' | 'filters' | 'classTarget'>): { dataset: Dataset; kept: number } {
  let ds = raw;
  for (const d of s.dateParts) ds = addDateParts(ds, d.column, d.parts);
  const filtered = filterRows(ds, s.filters, { classTarget: s.classTarget });
  return { dataset: filtered.dataset, kept: filtered.kept };
}

/**
 * What a run records about its data beyond its own `dataSha256`, `rows`, `excluded` and `transforms` (`RunBase` holds
 * those, the one copy): for the Runs cell, the report's per-run settings and MLflow params.
 */
export interface RunDataRecord {
  readonly source: string;
  readonly split: string;
  /** the split's kind, column and cutoff (the test part's first date for a time split), for MLflow params; absent in runs saved before it */
  readonly splitDetail?: { readonly kind: SplitSpec['kind']; readonly column: string | null; readonly cutoff: string | null };
  readonly filters: readonly string[];
  readonly dateParts: readonly string[];
  /** the columns it predicted (null: none); absent in runs saved before it */
  readonly targets?: { readonly classTarget: string | null; readonly regressionTarget: string | null };
}

function transformText(column: string, t: ColumnTransform): string {
  switch (t.kind) {
    case 'cap': return `${column} capped at ${t.max}`;
    case 'clip': return `${column} clipped to [${t.min}, ${t.max}]`;
    case 'log1p': return `log1p(${column})`;
    case 'onehot': return `${column} one-hot`;
    case 'drop': return `${column} dropped`;
  }
}

/** A run's column transforms in words: `engagement_depth capped at 4`. */
export function transformsText(transforms: Readonly<Record<string, ColumnTransform>>): string[] {
  return Object.entries(transforms).map(([c, t]) => transformText(c, t));
}

/** The data record of a run trained now on `raw` (the file as loaded). */
export function runDataRecord(raw: Dataset, s: DataSettings, split: SplitSpec, plan: SplitPlan | null = null): RunDataRecord {
  const testFrom = plan?.parts.test.from ?? NaN;
  const cutoff = split.kind !== 'time' ? null : split.cutoff !== undefined ? formatTime(split.cutoff) : Number.isFinite(testFrom) ? formatTime(testFrom) : null;
  return {
    source: raw.source.type === 'file' ? raw.source.name : `${raw.source.name} (${raw.source.type === 'bundled' ? 'bundled' : 'URL'})`,
    split: describeSplitSpec(split),
    splitDetail: { kind: split.kind, column: split.kind === 'time' || split.kind === 'group' ? split.column : null, cutoff },
    filters: s.filters.map(describeFilter),
    dateParts: s.dateParts.map((d) => `${d.column}: ${d.parts.join(', ')}`),
    targets: { classTarget: s.classTarget, regressionTarget: s.revenueTarget },
  };
}

/** Runs grouped by the data set they were trained on (its SHA-256, else its name), in order of first appearance. */
export function groupRunsByData<T extends { readonly dataSha256: string; readonly dataName: string }>(runs: readonly T[]): Array<{ readonly key: string; readonly label: string; readonly runs: T[] }> {
  const groups = new Map<string, { key: string; label: string; runs: T[] }>();
  for (const r of runs) {
    const key = r.dataSha256 !== '' ? r.dataSha256 : `name:${r.dataName}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, label: r.dataSha256 !== '' ? `${r.dataName} (sha256 ${r.dataSha256.slice(0, 12)}…)` : r.dataName, runs: [] };
      groups.set(key, g);
    }
    g.runs.push(r);
  }
  return [...groups.values()];
}
