/** A Plotly chart; Plotly is loaded lazily so the first paint does not wait for it. */
import { useEffect, useRef } from 'react';
import type { PlotlyStatic } from 'plotly.js-basic-dist-min';

let plotly: Promise<PlotlyStatic> | null = null;
/** The Plotly module, loaded once. */
export function loadPlotly(): Promise<PlotlyStatic> {
  plotly ??= import('plotly.js-basic-dist-min').then((m) => m.default);
  return plotly;
}

const darkQuery = typeof window !== 'undefined' ? window.matchMedia?.('(prefers-color-scheme: dark)') : undefined;

/** Layout defaults that follow the page's light or dark scheme. */
export function themedLayout(layout: Record<string, unknown>): Record<string, unknown> {
  const dark = darkQuery?.matches ?? false;
  const fg = dark ? '#e6e6e6' : '#1f2328';
  return {
    margin: { l: 56, r: 16, t: 36, b: 48 },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, size: 12 },
    xaxis: { gridcolor: dark ? '#333' : '#e5e5e5', ...((layout.xaxis as object) ?? {}) },
    yaxis: { gridcolor: dark ? '#333' : '#e5e5e5', ...((layout.yaxis as object) ?? {}) },
    ...Object.fromEntries(Object.entries(layout).filter(([k]) => k !== 'xaxis' && k !== 'yaxis')),
  };
}

export interface PlotProps {
  readonly data: object[];
  readonly layout: Record<string, unknown>;
  readonly testId: string;
  readonly height?: number;
  /** called once the chart is drawn, with its element (markers are then moved with Plotly.restyle) */
  readonly onReady?: (el: HTMLElement, plotly: PlotlyStatic) => void;
  readonly label: string;
}

/** The chart drawn last, so the next waits for it and for a new task: a results view of a dozen charts is a dozen short tasks, not one long one that freezes the page. */
let drawQueue: Promise<unknown> = Promise.resolve();
function drawInTurn(draw: () => Promise<void>): void {
  const run = drawQueue.then(() => new Promise<void>((resolve) => setTimeout(resolve, 0))).then(draw);
  drawQueue = run.catch(() => undefined);
}

/** Renders data with Plotly.react whenever data or layout change, one chart per task. */
export function Plot({ data, layout, testId, height = 300, onReady, label }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cancelled = false;
    const el = ref.current;
    if (!el) return;
    drawInTurn(async () => {
      const P = await loadPlotly();
      if (cancelled) return;
      const start = performance.now();
      await P.react(el, data, themedLayout({ height, ...layout }), { displaylogo: false, responsive: true });
      // the bench and a trace see which chart a long task drew
      performance.measure(`workbench:chart ${testId}`, { start, detail: { testId } });
      el.dataset.drawn = 'true';
      onReady?.(el, P);
    });
    return () => {
      cancelled = true;
    };
  }, [data, layout, height, onReady, testId]);
  return <div ref={ref} className="plot" data-testid={testId} role="img" aria-label={label} style={{ minHeight: height }} />;
}
