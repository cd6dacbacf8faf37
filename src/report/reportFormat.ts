/** Number formatting shared by the report builder and, as a JavaScript mirror, by its inline script. */

/** `text` (a plain decimal number) with commas between thousands in the integer part only. */
export function groupThousands(text: string): string {
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  return whole.replace(/\B(?=(\d{3})+$)/g, ',') + (dot < 0 ? '' : text.slice(dot));
}

/** A count as the report prints it: 12,345; non-finite values print as an em dash. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? groupThousands(String(Math.round(n))) : '—';
}

/** A metric or rate with exactly three decimals: 0.912, 1,234.500; non-finite values print as an em dash. */
export function formatMetric(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 1e15) return x.toExponential(3);
  return groupThousands(x.toFixed(3) === '-0.000' ? '0.000' : x.toFixed(3));
}

/** The same three functions as plain JavaScript for the report's inline script (checked by a unit test). */
export const REPORT_FORMAT_JS = `function groupThousands(text) {
  var dot = text.indexOf('.');
  var whole = dot < 0 ? text : text.slice(0, dot);
  return whole.replace(/\\B(?=(\\d{3})+$)/g, ',') + (dot < 0 ? '' : text.slice(dot));
}
function formatCount(n) {
  return isFinite(n) ? groupThousands(String(Math.round(n))) : '\\u2014';
}
function formatMetric(x) {
  if (!isFinite(x)) return '\\u2014';
  if (Math.abs(x) >= 1e15) return x.toExponential(3);
  return groupThousands(x.toFixed(3) === '-0.000' ? '0.000' : x.toFixed(3));
}`;
