/** Small static SVG charts for the report: axes with nice ticks, lines, points, bars and movable markers. */
import { html } from './safeHtml.ts';
import type { SafeHtml } from './safeHtml.ts';
import { groupThousands } from './reportFormat.ts';

/** Pixel geometry shared by every chart; the inline script uses it to move markers on [0, 1] × [0, 1] charts. */
export const CHART_FRAME = { width: 420, height: 300, left: 56, right: 404, top: 14, bottom: 252 } as const;

/** Colour slots defined in the report's style sheet (light and dark variants). */
export type SeriesClass = 'series-1' | 'series-2' | 'series-3' | 'series-4' | 'reference';

/** One axis: label and the data range mapped onto the plot box. */
export interface ChartAxis {
  readonly label: string;
  readonly domain: readonly [number, number];
}

/** A drawable layer; coordinates are data units, non-finite values break lines and drop points. */
export type ChartLayer =
  | { readonly kind: 'line'; readonly xs: readonly number[]; readonly ys: readonly number[]; readonly series: SeriesClass; readonly label?: string }
  | { readonly kind: 'points'; readonly xs: readonly number[]; readonly ys: readonly number[]; readonly series: SeriesClass; readonly label?: string; readonly radius?: number; readonly titles?: readonly string[] }
  | { readonly kind: 'bars'; readonly lefts: readonly number[]; readonly rights: readonly number[]; readonly heights: readonly number[]; readonly series: SeriesClass; readonly label?: string; readonly titles?: readonly string[]; readonly captions?: readonly string[] }
  | { readonly kind: 'vline'; readonly x: number; readonly series: SeriesClass; readonly label?: string }
  | { readonly kind: 'marker-vline'; readonly x: number; readonly id: string; readonly label?: string }
  | { readonly kind: 'marker-point'; readonly x: number; readonly y: number; readonly id: string; readonly label?: string };

/** Everything one chart shows. */
export interface ChartSpec {
  readonly title: string;
  readonly x: ChartAxis;
  readonly y: ChartAxis;
  readonly layers: readonly ChartLayer[];
  readonly testId: string;
  /** a short figure of merit printed in the plot corner, e.g. "AUC = 0.912" */
  readonly note?: string;
  readonly description?: string;
}

/** A figure with caption, inline SVG and an HTML legend. */
export function renderChart(spec: ChartSpec): SafeHtml {
  const f = CHART_FRAME;
  const sx = scale(spec.x.domain, f.left, f.right);
  const sy = scale(spec.y.domain, f.bottom, f.top);
  const xTicks = niceTicks(spec.x.domain);
  const yTicks = niceTicks(spec.y.domain);
  const grid = [
    ...xTicks.map((t) => html`<line class="grid-line" x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${f.top}" y2="${f.bottom}"/><text x="${px(sx(t))}" y="${f.bottom + 16}" text-anchor="middle">${formatTick(t, xTicks)}</text>`),
    ...yTicks.map((t) => html`<line class="grid-line" x1="${f.left}" x2="${f.right}" y1="${px(sy(t))}" y2="${px(sy(t))}"/><text x="${f.left - 6}" y="${px(sy(t)) + 4}" text-anchor="end">${formatTick(t, yTicks)}</text>`),
  ];
  const layers = spec.layers.map((layer) => renderLayer(layer, sx, sy));
  const legend = spec.layers.filter((layer) => layer.label !== undefined).map((layer) => {
    const series = 'series' in layer ? layer.series : 'marker';
    const shape = layer.kind === 'points' || layer.kind === 'marker-point' ? 'dot' : layer.kind === 'bars' ? 'block' : 'line';
    return html`<span><span class="swatch ${shape} ${series}"></span>${layer.label}</span>`;
  });
  const midX = (f.left + f.right) / 2;
  const midY = (f.top + f.bottom) / 2;
  return html`<figure data-testid="${spec.testId}"><figcaption>${spec.title}</figcaption>
<svg class="chart" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${spec.title}${spec.description === undefined ? '' : `: ${spec.description}`}">
<g class="grid">${grid}</g>
<rect class="plot-box" x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}"/>
${layers}
${spec.note === undefined ? '' : html`<text class="note-text" x="${f.right - 8}" y="${f.bottom - 10}" text-anchor="end">${spec.note}</text>`}
<text class="axis-label" x="${midX}" y="${f.height - 8}" text-anchor="middle">${spec.x.label}</text>
<text class="axis-label" transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle">${spec.y.label}</text>
</svg>
${legend.length > 0 ? html`<div class="legend">${legend}</div>` : ''}</figure>`;
}

function renderLayer(layer: ChartLayer, sx: (v: number) => number, sy: (v: number) => number): SafeHtml {
  const f = CHART_FRAME;
  switch (layer.kind) {
    case 'line':
      return html`<path class="line ${layer.series}" d="${linePath(layer.xs, layer.ys, sx, sy)}"/>`;
    case 'points': {
      const r = layer.radius ?? 2.5;
      const dots: SafeHtml[] = [];
      for (let i = 0; i < layer.xs.length; i++) {
        const x = layer.xs[i] ?? Number.NaN;
        const y = layer.ys[i] ?? Number.NaN;
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const title = layer.titles?.[i];
        dots.push(title === undefined
          ? html`<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="${r}"/>`
          : html`<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="${r}"><title>${title}</title></circle>`);
      }
      return html`<g class="points ${layer.series}">${dots}</g>`;
    }
    case 'bars': {
      const bars: SafeHtml[] = [];
      for (let i = 0; i < layer.heights.length; i++) {
        const left = layer.lefts[i] ?? Number.NaN;
        const right = layer.rights[i] ?? Number.NaN;
        const height = layer.heights[i] ?? Number.NaN;
        if (!Number.isFinite(left) || !Number.isFinite(right) || !Number.isFinite(height)) continue;
        const x0 = sx(left);
        const x1 = sx(right);
        const y = sy(height);
        const y0 = sy(0);
        const title = layer.titles?.[i];
        const caption = layer.captions?.[i];
        bars.push(html`<rect x="${px(Math.min(x0, x1) + 0.5)}" y="${px(Math.min(y, y0))}" width="${px(Math.max(0.5, Math.abs(x1 - x0) - 1))}" height="${px(Math.abs(y0 - y))}">${title === undefined ? '' : html`<title>${title}</title>`}</rect>${caption === undefined ? '' : html`<text class="bar-caption" x="${px((x0 + x1) / 2)}" y="${px(Math.min(y, y0) - 3)}" text-anchor="middle">${caption}</text>`}`);
      }
      return html`<g class="bars ${layer.series}">${bars}</g>`;
    }
    case 'vline':
      return html`<line class="line ${layer.series}" x1="${px(sx(layer.x))}" x2="${px(sx(layer.x))}" y1="${f.top}" y2="${f.bottom}"/>`;
    case 'marker-vline':
      return html`<line class="marker" id="${layer.id}" x1="${px(sx(layer.x))}" x2="${px(sx(layer.x))}" y1="${f.top}" y2="${f.bottom}"/>`;
    case 'marker-point':
      return html`<circle class="marker-dot" id="${layer.id}" cx="${px(sx(layer.x))}" cy="${px(sy(layer.y))}" r="5"/>`;
  }
}

/** An SVG path through the finite points, starting a new segment after any gap. */
function linePath(xs: readonly number[], ys: readonly number[], sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  let pen = 'M';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? Number.NaN;
    const y = ys[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = 'M';
      continue;
    }
    d += `${pen}${px(sx(x))} ${px(sy(y))}`;
    pen = 'L';
  }
  return d;
}

function scale(domain: readonly [number, number], from: number, to: number): (v: number) => number {
  const [d0, d1] = domain;
  const span = d1 - d0 === 0 ? 1 : d1 - d0;
  return (v) => from + ((v - d0) / span) * (to - from);
}

/** Round to 0.1 px: plenty for a 420-px chart and a third of the bytes of full precision. */
function px(v: number): number {
  return Math.round(v * 10) / 10;
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) inside `domain`. */
export function niceTicks(domain: readonly [number, number], count = 5): number[] {
  const [lo, hi] = domain[0] <= domain[1] ? domain : [domain[1], domain[0]];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const rough = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const step = (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k * step);
  return ticks;
}

function formatTick(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs((ticks[1] as number) - (ticks[0] as number)) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const abs = Math.abs(value);
  if (abs >= 1e6) return value.toExponential(1);
  return groupThousands((Object.is(value, -0) ? 0 : value).toFixed(decimals));
}

/** A data range with 4% padding on both sides, for charts whose axes follow the data. */
export function paddedDomain(values: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}
