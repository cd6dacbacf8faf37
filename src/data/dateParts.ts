/** Date parts derived from a timestamp column (hour, weekday, month, day of year, weekend) as new numeric columns. */
import type { Dataset, NumericColumn } from './types.ts';

/** A part of a date a model can use as a number. */
export type DatePart = 'hour' | 'weekday' | 'month' | 'dayofyear' | 'weekend';

/** Every part, in the order the Features cell offers them. */
export const DATE_PARTS: readonly DatePart[] = ['hour', 'weekday', 'month', 'dayofyear', 'weekend'];

/** What each part holds, for labels and notes (pandas' conventions: Monday = 0, January = 1). */
export const DATE_PART_LABELS: Readonly<Record<DatePart, string>> = {
  hour: 'hour (0–23)', weekday: 'weekday (Monday = 0)', month: 'month (1–12)', dayofyear: 'day of year (1–366)', weekend: 'weekend (Saturday or Sunday = 1)',
};

/** Name of the derived column: `created_at_month`. */
export function datePartColumn(column: string, part: DatePart): string {
  return `${column}_${part}`;
}

const DAY_MS = 86_400_000;

/** The part of one instant (epoch ms, read as UTC like a pandas naive timestamp; a zoned column passes its wall-clock time). */
export function datePartOf(ms: number, part: DatePart): number {
  const d = new Date(ms);
  switch (part) {
    case 'hour': return d.getUTCHours();
    case 'weekday': return (d.getUTCDay() + 6) % 7;
    case 'month': return d.getUTCMonth() + 1;
    case 'dayofyear': return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
    case 'weekend': return d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 1 : 0;
  }
}

/**
 * Instant (epoch ms) → the same wall-clock time in `timeZone`, as epoch ms read in UTC; null when the zone is UTC or
 * absent (naive). pandas' `.dt.hour` of a zoned column is the hour there. A named zone's offset comes from Intl
 * once per hour of the data (twice where the hour holds a change of offset, then per row), not once per row.
 */
export function wallClockReader(timeZone: string | undefined, column: string): ((ms: number) => number) | null {
  if (timeZone === undefined || /^(UTC|Etc\/UTC|GMT|Z|[+-]00:?00)$/i.test(timeZone)) return null;
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(timeZone);
  if (fixed !== null) {
    const offset = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
    return (ms) => ms + offset;
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw new Error(`date parts: column "${column}" names the time zone "${timeZone}", which is unknown here; save the column in UTC or with a zone name such as Europe/Berlin`);
  }
  const offsetAt = (ms: number): number => {
    const part: Record<string, number> = {};
    for (const p of format.formatToParts(ms)) if (p.type !== 'literal') part[p.type] = Number(p.value);
    const whole = Math.floor(ms / 1000) * 1000;
    return Date.UTC(part.year ?? 1970, (part.month ?? 1) - 1, part.day ?? 1, part.hour ?? 0, part.minute ?? 0, part.second ?? 0) - whole;
  };
  const HOUR = 3_600_000;
  // per hour of the data: its offset, or NaN when the offset changes within it
  const byHour = new Map<number, number>();
  return (ms) => {
    const hour = Math.floor(ms / HOUR);
    let offset = byHour.get(hour);
    if (offset === undefined) {
      const start = offsetAt(hour * HOUR);
      offset = start === offsetAt(hour * HOUR + HOUR - 1000) ? start : NaN;
      byHour.set(hour, offset);
    }
    return ms + (Number.isNaN(offset) ? offsetAt(ms) : offset);
  };
}

/**
 * `ds` with one numeric column per requested part of the timestamp column `column`, appended after the existing
 * columns (nulls stay null). Throws a sentence naming the column when it is not a time or a name is taken.
 */
export function addDateParts(ds: Dataset, column: string, parts: readonly DatePart[]): Dataset {
  if (parts.length === 0) return ds;
  const col = ds.columns.find((c) => c.name === column);
  if (col === undefined) throw new Error(`date parts: column "${column}" is not in this file; pick a timestamp column`);
  if (col.kind !== 'timestamp') {
    throw new Error(`date parts: column "${column}" is ${col.kind === 'categorical' ? 'text' : 'a number'}, not a timestamp or date; pick a time column`);
  }
  const wallClock = wallClockReader(col.timeZone, column);
  const names = new Set(ds.columns.map((c) => c.name));
  const added: NumericColumn[] = [];
  for (const part of [...new Set(parts)]) {
    const name = datePartColumn(column, part);
    if (names.has(name)) throw new Error(`date part column "${name}" already exists in this file; rename that column or leave out the ${part} part`);
    // bytes when every value fits (day of year needs 9 bits) and no null needs NaN
    const values = col.nullCount > 0 || part === 'dayofyear' ? new Float32Array(ds.rows) : new Uint8Array(ds.rows);
    for (let i = 0; i < ds.rows; i++) {
      const t = col.values[i] ?? NaN;
      values[i] = Number.isNaN(t) ? NaN : datePartOf(wallClock === null ? t : wallClock(t), part);
    }
    added.push({ kind: 'numeric', name, arrowType: 'Int32', values, nullCount: col.nullCount, isBool: false, isInteger: true, unsafeInteger: false });
  }
  return { ...ds, columns: [...ds.columns, ...added] };
}
