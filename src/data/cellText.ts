/** One value of a column as shown to people: ids beyond 2^53 exactly (decimal strings), nulls as null, times in ISO 8601. */
import type { Column } from './types.ts';

/** The value at `row` for tables and report samples: a number, a string (text, time, or an exact 64-bit id), or null. */
export function cellValue(c: Column, row: number): string | number | null {
  switch (c.kind) {
    case 'numeric': {
      const v = c.values[row] ?? NaN;
      if (Number.isNaN(v)) return null;
      // a float64 rounds ids beyond 2^53 (…185524 reads …185540): show the integer as stored in the file
      return c.exact === undefined ? v : (c.exact[row] ?? 0n).toString();
    }
    case 'categorical': {
      const code = c.codes[row] ?? -1;
      return code < 0 ? null : (c.levels[code] ?? null);
    }
    case 'timestamp': {
      const v = c.values[row] ?? NaN;
      return Number.isNaN(v) ? null : new Date(v).toISOString();
    }
  }
}

/** The value at `row` as preview text: `null`, true/false for booleans, numbers to 6 decimals, exact ids. */
export function cellText(c: Column, row: number): string {
  const v = cellValue(c, row);
  if (v === null) return 'null';
  if (c.kind === 'numeric' && typeof v === 'number') {
    if (c.isBool) return v ? 'true' : 'false';
    return c.isInteger ? String(v) : String(Math.round(v * 1e6) / 1e6);
  }
  return c.kind === 'timestamp' ? String(v).replace('.000Z', 'Z') : String(v);
}
