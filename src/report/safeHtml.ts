/** Markup built only through an escaping template tag, so a user's string can never become an element. */

/** `s` with the five HTML-significant characters escaped; safe in text and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      default: return '&#39;';
    }
  });
}

/** Markup that is already safe: produced by `html` or wrapping a trusted constant. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  /** The markup itself, so a SafeHtml can be concatenated into the final document. */
  toString(): string {
    return this.markup;
  }
}

/** What may be interpolated into `html`: strings and numbers are escaped, SafeHtml passes, absent values vanish. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** Template tag that escapes every interpolated string: html`<td>${columnName}</td>`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
