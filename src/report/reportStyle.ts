/** The report's one inline style sheet; constant, so its CSP hash is stable. Light and dark follow the reader's OS. */

/** CSS of the self-contained report. No url(), no @import: the report loads nothing. */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f4f6f8; --panel: #ffffff; --fg: #17202b; --muted: #5a6676; --border: #dbe1e8; --grid: #edf0f4;
  --accent: #2563eb; --c1: #2563eb; --c2: #d97706; --c3: #059669; --c4: #7c3aed;
  --ok-bg: #dcfce7; --ok-fg: #166534; --bad-bg: #fee2e2; --bad-fg: #991b1b; --neutral-bg: #eef1f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --panel: #161b22; --fg: #e6edf3; --muted: #9aa6b5; --border: #2d3540; --grid: #212833;
    --accent: #60a5fa; --c1: #60a5fa; --c2: #fbbf24; --c3: #34d399; --c4: #c4b5fd;
    --ok-bg: #0f3320; --ok-fg: #86efac; --bad-bg: #3d1418; --bad-fg: #fca5a5; --neutral-bg: #222a35;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: var(--panel); border-bottom: 1px solid var(--border); }
header.top .inner, main, footer { max-width: 1180px; margin: 0 auto; padding-left: 28px; padding-right: 28px; }
header.top .inner { padding-top: 22px; padding-bottom: 14px; }
h1 { font-size: 22px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 17px; margin: 0 0 14px; }
h3 { font-size: 12px; margin: 18px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.meta { color: var(--muted); margin: 0; }
nav.toc { display: flex; flex-wrap: wrap; gap: 4px 18px; margin-top: 12px; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover, nav.toc a:focus-visible { text-decoration: underline; }
main { padding-top: 22px; padding-bottom: 24px; }
section.card { background: var(--panel); border: 1px solid var(--border); border-radius: 10px;
  padding: 20px 24px; margin-bottom: 20px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 0; }
.fact { border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; }
.fact dt { color: var(--muted); font-size: 12px; }
.fact dd { margin: 2px 0 0; font-size: 16px; font-weight: 600; overflow-wrap: anywhere; }
.fact dd.mono { font-size: 12px; font-weight: 500; }
.fact.wide { grid-column: span 2; }
.table-wrap { overflow: auto; max-height: 440px; border: 1px solid var(--border); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--border); vertical-align: top;
  overflow-wrap: anywhere; }
tr:last-child td, tr:last-child th { border-bottom: none; }
thead th { position: sticky; top: 0; background: var(--panel); font-weight: 600; color: var(--muted); font-size: 12px;
  text-transform: uppercase; letter-spacing: 0.03em; }
.num { text-align: right; white-space: nowrap; }
td.best { font-weight: 700; }
table.runs th, table.runs td { padding: 6px 6px; }
table.runs th, table.runs tr.run-metrics td { overflow-wrap: normal; }
table.runs th.num { white-space: normal; }
table.runs thead th { text-transform: none; letter-spacing: 0; }
table.runs tr.run-metrics td:first-child { white-space: nowrap; }
table.runs tr.run-metrics td { border-bottom: none; }
table.runs tr.run-settings td { color: var(--muted); font-size: 11px; overflow-wrap: anywhere; word-break: break-all; padding-top: 0; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600;
  white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge.bad { background: var(--bad-bg); color: var(--bad-fg); }
.badge.neutral { background: var(--neutral-bg); color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; }
.chip { border: 1px solid var(--border); border-radius: 999px; padding: 1px 10px; font-size: 12px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.split { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 20px; align-items: start; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 16px; margin-top: 16px; }
figure { margin: 0; border: 1px solid var(--border); border-radius: 8px; padding: 12px 12px 10px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; display: block; overflow: visible; }
svg.chart text { fill: var(--muted); font-size: 11px; font-family: inherit; }
svg.chart text.axis-label { fill: var(--fg); font-size: 12px; }
svg.chart text.note-text { fill: var(--fg); font-size: 13px; font-weight: 600; }
svg.chart text.bar-caption { font-size: 10px; }
.plot-box { fill: none; stroke: var(--border); }
.grid-line { stroke: var(--grid); }
path.line, line.line { fill: none; stroke-width: 2; stroke-linejoin: round; }
.series-1 { stroke: var(--c1); fill: var(--c1); }
.series-2 { stroke: var(--c2); fill: var(--c2); }
.series-3 { stroke: var(--c3); fill: var(--c3); }
.series-4 { stroke: var(--c4); fill: var(--c4); }
path.line.series-1, path.line.series-2, path.line.series-3, path.line.series-4 { fill: none; }
.reference { stroke: var(--muted); fill: none; }
path.line.reference, line.line.reference { stroke-width: 1; stroke-dasharray: 4 4; }
g.points { stroke: none; fill-opacity: 0.45; }
g.bars { stroke: none; fill-opacity: 0.75; }
g.bars.reference { fill: var(--muted); fill-opacity: 0.3; }
line.marker { stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 2 3; }
circle.marker-dot { fill: var(--panel); stroke: var(--fg); stroke-width: 2; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin-top: 4px; }
.swatch { display: inline-block; vertical-align: middle; margin-right: 5px; border: none; }
.swatch.line { width: 14px; height: 3px; background: currentColor; }
.swatch.dot { width: 8px; height: 8px; border-radius: 50%; }
.swatch.block { width: 10px; height: 10px; border-radius: 2px; }
.swatch.series-1 { background: var(--c1); } .swatch.series-2 { background: var(--c2); }
.swatch.series-3 { background: var(--c3); } .swatch.series-4 { background: var(--c4); }
.swatch.reference { background: var(--muted); }
.swatch.marker { background: var(--fg); }
.explorer { border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; }
.slider-row { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.slider-row label { font-weight: 600; }
.slider-row input[type=range] { flex: 1 1 220px; accent-color: var(--accent); }
.slider-row output { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 16px;
  font-weight: 600; min-width: 4.5em; }
button { font: inherit; font-size: 12px; color: var(--fg); background: var(--neutral-bg); border: 1px solid var(--border);
  border-radius: 6px; padding: 3px 10px; cursor: pointer; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table.confusion { width: auto; margin-top: 12px; }
table.confusion th, table.confusion td { text-align: center; padding: 8px 14px; }
table.confusion td { font-size: 18px; font-weight: 600; min-width: 7em; }
table.confusion td.hit { background: var(--ok-bg); color: var(--ok-fg); }
table.confusion td.miss { background: var(--bad-bg); color: var(--bad-fg); }
table.rates { width: auto; margin-top: 12px; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 32px; }
@media print {
  body { background: #fff; }
  section.card, figure { break-inside: avoid; }
  nav.toc, button { display: none; }
  .table-wrap { max-height: none; }
}
`;
