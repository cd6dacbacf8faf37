/** Number formatting for the page: 3 decimals on screen, the exact value kept for tests in data-value. */

/** A figure with 3 decimals (or an integer with thousands separators). */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return v.toFixed(digits);
}

/** An integer count with thousands separators. */
export function fmtInt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** A fraction as a percentage. */
export function fmtPct(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)} %` : '–';
}

/** Dollars with cents. */
export function fmtUsd(v: number): string {
  return Number.isFinite(v) ? `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : '–';
}

/** A value of the regression target: dollars when the user marked it as money, else a plain number with 2 decimals. */
export function fmtAmount(v: number, money: boolean): string {
  if (money) return fmtUsd(v);
  return Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '–';
}

/** Bytes in human units. */
export function fmtBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * A user-provided string (column name, level, file name) for Plotly text: Plotly reads some HTML-like tags in titles,
 * labels and hover text (`<b>`, `<br>`, `<a href>`), so `&`, `<` and `>` are escaped; Plotly shows the entities as text.
 */
export function plotlyText(s: string): string {
  return s.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}
