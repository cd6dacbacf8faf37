/** The self-contained HTML report: one file, no network, CSP by hash, SVG charts and a working threshold slider. */
import type { ReportTargetNames } from './reportTypes.ts';
import type {
  TargetCheck, ReportClassifier, ReportData, ReportInput, ReportRegressor, ReportRun, ReportShap, SettingValue,
} from './reportTypes.ts';
import { escapeHtml, html } from './safeHtml.ts';
import type { SafeHtml } from './safeHtml.ts';
import { sha256Base64 } from './sha256.ts';
import { CHART_FRAME, paddedDomain, renderChart } from './svgChart.ts';
import type { ChartLayer } from './svgChart.ts';
import { downsampleCurve } from './downsample.ts';
import { confusionFromSweep, SWEEP_STEPS } from './sweepConfusion.ts';
import { formatCount, formatMetric } from './reportFormat.ts';
import { REPORT_CSS } from './reportStyle.ts';
import { REPORT_DATA_ID, REPORT_SCRIPT } from './reportScript.ts';
import { redactUrl } from '../data/urlSecrets.ts';

export { escapeHtml };

/** Most points any one curve or scatter keeps in the report. */
export const MAX_CURVE_POINTS = 2000;
/** Most sample rows a report embeds, even when the user asks for more. */
export const MAX_SAMPLE_ROWS = 1000;

/** The CSP source hashes of the report's inline script and style, as `'sha256-…'` tokens. */
export function reportCspHashes(): { script: string; style: string } {
  cachedHashes ??= { script: `'sha256-${sha256Base64(REPORT_SCRIPT)}'`, style: `'sha256-${sha256Base64(REPORT_CSS)}'` };
  return cachedHashes;
}
let cachedHashes: { script: string; style: string } | undefined;

/** The Content-Security-Policy the report carries: nothing from the network, only its own script and style. */
export function reportCsp(): string {
  const { script, style } = reportCspHashes();
  return `default-src 'none'; script-src ${script}; style-src ${style}; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and line separators escaped as \\u sequences. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The complete report as one HTML document that opens from disk with no network. */
export function buildReportHtml(input: ReportInput): string {
  if (input.classifier !== undefined) checkClassifier(input.classifier);
  if (input.regressor !== undefined) checkRegressor(input.regressor);
  const sections: Array<{ id: string; title: string; body: SafeHtml }> = [
    { id: 'data', title: 'Data', body: dataSection(input.data, input.sample !== undefined) },
    { id: 'leakage', title: 'Leakage checks', body: leakageSection(input) },
    { id: 'features', title: 'Features', body: featuresSection(input) },
  ];
  const names = targetWords(input.data.targetNames);
  if (input.classifier !== undefined) sections.push({ id: 'classifier', title: names.classifierTitle, body: classifierSection(input.classifier, input.data) });
  if (input.regressor !== undefined) sections.push({ id: 'regressor', title: names.regressorTitle, body: regressorSection(input.regressor, names) });
  if (input.shap !== undefined && input.shap.length > 0) sections.push({ id: 'shap', title: 'Why the models predict what they do (SHAP)', body: shapSection(input.shap, names) });
  sections.push({ id: 'runs', title: 'Runs', body: runsSection(input.runs) });
  if (input.sample !== undefined) sections.push({ id: 'sample', title: 'Data sample', body: sampleSection(input.sample) });

  const created = formatDate(input.createdAt);
  const body = html`<header class="top"><div class="inner">
<h1>${input.title}</h1>
<p class="meta">${created} · ML Workbench ${input.workbenchVersion} · ${sourceLabel(input.data.source)}</p>
${targetsSummary(input)}
<nav class="toc" aria-label="Sections">${sections.map((s) => html`<a href="#${s.id}">${s.title}</a>`)}</nav>
</div></header>
<main>
${sections.map((s) => html`<section class="card" id="${s.id}" aria-labelledby="${s.id}-title"><h2 id="${s.id}-title">${s.title}</h2>
${s.body}</section>
`)}</main>
<footer><p>Generated ${created} by ML Workbench ${input.workbenchVersion}. This file is self-contained and loads nothing from the network.
${input.sample === undefined ? 'It holds aggregates only (curves, counts, metrics), no data rows.' : 'It holds aggregates and, at the author\u2019s request, a sample of data rows.'}</p></footer>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportCsp()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="ML Workbench ${escapeHtml(input.workbenchVersion)}">
<link rel="icon" href="data:,">
<title>${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body.markup}
<script type="application/json" id="${REPORT_DATA_ID}">${embedJson(reportPayload(input))}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

// ---- data, leakage, features ----

/**
 * The words the report uses for the user's targets: their column names when known (a report of any file, not only the
 * bundled one), generic words otherwise; dollars only for a regression target marked as money.
 */
interface TargetWords {
  readonly classifierTitle: string;
  readonly regressorTitle: string;
  /** '' when the notebook has no class target */
  readonly classTarget: string;
  /** '' when the notebook has no regression target */
  readonly regressionTarget: string;
  /** a regression amount (RMSE, MAE, a mean of the target) with its unit */
  readonly amount: (x: number) => string;
  readonly money: boolean;
}

function targetWords(t: ReportTargetNames | undefined): TargetWords {
  const classTarget = t?.classTarget ?? 'the class';
  const regressionTarget = t?.regressionTarget ?? 'the regression target';
  const money = t?.regressionIsMoney ?? false;
  return {
    classifierTitle: t === undefined || t.classTarget === '' ? 'Classifier' : `Classifier \u2014 ${t.classTarget}`,
    regressorTitle: t === undefined || t.regressionTarget === '' ? 'Regressor' : `Regressor \u2014 ${t.regressionTarget}`,
    classTarget, regressionTarget, money,
    amount: (x) => (money && Number.isFinite(x) ? `$${formatMetric(x)}` : formatMetric(x)),
  };
}

/** Regression metrics measured in the target's own unit (dollars when it is money). */
const AMOUNT_METRICS = new Set(['rmse', 'mae']);

function dataSection(data: ReportData, hasSample: boolean): SafeHtml {
  const balance = data.classBalance;
  const total = balance.positives + balance.negatives;
  const words = targetWords(data.targetNames);
  const hasClass = words.classTarget !== '';
  const hasRegression = words.regressionTarget !== '';
  return html`<dl class="facts">
${fact('Source', sourceLabel(data.source))}
${fact('Rows', formatCount(data.rows))}
${fact('Columns', formatCount(data.columns.length))}
${hasClass ? fact(`Rows where ${words.classTarget} is positive`, `${formatCount(balance.positives)} of ${formatCount(total)} (${formatPercent(balance.rate)})`) : html``}
${hasClass && hasRegression ? fact(`Mean ${words.regressionTarget} where ${words.classTarget} is positive`, words.amount(data.meanOrderValue)) : html``}
<div class="fact wide"><dt>SHA-256 of the source</dt><dd class="mono">${data.sha256}</dd></div>
</dl>
<p class="note">${hasSample ? 'A sample of rows is included at the end, at the author\u2019s request.' : 'No data rows are included: everything below is aggregated.'}</p>
<h3>Columns</h3>
<div class="table-wrap"><table><thead><tr><th>Column</th><th>Type</th><th class="num">Nulls</th><th class="num">Null share</th></tr></thead><tbody>
${data.columns.map((c) => html`<tr><td>${c.name}</td><td><code>${c.type}</code></td><td class="num">${formatCount(c.nulls)}</td><td class="num">${formatPercent(data.rows > 0 ? c.nulls / data.rows : 0)}</td></tr>`)}
</tbody></table></div>`;
}

function leakageSection(input: ReportInput): SafeHtml {
  if (input.leakage.length === 0) return html`<p class="note">No leakage checks were recorded.</p>`;
  const flagged = input.leakage.filter((l) => l.flagged).length;
  return html`<p class="meta">${flagged === 0 ? 'No feature was flagged.' : `${flagged} of ${input.leakage.length} features flagged as possible leakage.`}</p>
<div class="table-wrap"><table><thead><tr><th>Feature</th><th class="num">Single-feature AUC</th><th>Status</th><th>Reasons</th></tr></thead><tbody>
${input.leakage.map((l) => html`<tr><td>${l.feature}</td><td class="num">${formatMetric(l.auc)}</td><td>${l.flagged ? html`<span class="badge bad">flagged</span>` : html`<span class="badge ok">ok</span>`}</td><td>${l.reasons.join('; ')}</td></tr>`)}
</tbody></table></div>`;
}

function featuresSection(input: ReportInput): SafeHtml {
  const { used, excluded } = input.features;
  return html`<h3>Used (${formatCount(used.length)})</h3>
<div class="chips">${used.map((name) => html`<span class="chip">${name}</span>`)}</div>
<h3>Excluded (${formatCount(excluded.length)})</h3>
${excluded.length === 0 ? html`<p class="note">No column was excluded.</p>` : html`<div class="table-wrap"><table><thead><tr><th>Column</th><th>Reason</th></tr></thead><tbody>
${excluded.map((e) => html`<tr><td>${e.column}</td><td>${e.reason}</td></tr>`)}
</tbody></table></div>`}`;
}

// ---- classifier ----

function classifierSection(c: ReportClassifier, data: ReportData): SafeHtml {
  const start = confusionFromSweep(c.sweep, c.threshold);
  const fpr = c.sweep.negatives > 0 ? start.fp / c.sweep.negatives : 0;
  const roc = downsampleCurve(c.roc.fpr, c.roc.tpr, MAX_CURVE_POINTS, 'roc');
  const pr = downsampleCurve(c.pr.recall, c.pr.precision, MAX_CURVE_POINTS, 'pr');
  const grid = Array.from({ length: SWEEP_STEPS + 1 }, (_, i) => confusionFromSweep(c.sweep, i / SWEEP_STEPS));
  const thresholds = grid.map((m) => m.threshold);
  // Precision is undefined where nothing is predicted positive: leave a gap instead of a drop to 0.
  const precision = grid.map((m) => (m.tp + m.fp > 0 ? m.precision : Number.NaN));
  const total = c.sweep.positives + c.sweep.negatives;
  const positiveRate = total > 0 ? c.sweep.positives / total : data.classBalance.rate;
  const maxCount = Math.max(1, ...c.calibration.map((b) => b.count));
  const binWidth = c.calibration.length > 0 ? 0.8 / c.calibration.length : 0.08;
  const unit = [0, 1] as const;

  const charts = [
    renderChart({
      title: 'ROC curve', testId: 'report-chart-roc', note: `AUC = ${formatMetric(c.metrics['auc_roc'] ?? Number.NaN)}`,
      x: { label: 'False positive rate', domain: unit }, y: { label: 'True positive rate (recall)', domain: unit },
      layers: [
        { kind: 'line', xs: [0, 1], ys: [0, 1], series: 'reference', label: 'Chance' },
        { kind: 'line', xs: roc.xs, ys: roc.ys, series: 'series-1', label: 'Model' },
        { kind: 'marker-point', x: fpr, y: start.recall, id: 'marker-roc', label: 'Slider threshold' },
      ],
    }),
    renderChart({
      title: 'Precision–recall curve', testId: 'report-chart-pr', note: `AP = ${formatMetric(c.metrics['pr_auc'] ?? Number.NaN)}`,
      x: { label: 'Recall', domain: unit }, y: { label: 'Precision', domain: unit },
      layers: [
        { kind: 'line', xs: [0, 1], ys: [positiveRate, positiveRate], series: 'reference', label: `No skill (${formatMetric(positiveRate)})` },
        { kind: 'line', xs: pr.xs, ys: pr.ys, series: 'series-1', label: 'Model' },
        { kind: 'marker-point', x: start.recall, y: start.precision, id: 'marker-pr', label: 'Slider threshold' },
      ],
    }),
    renderChart({
      title: 'Precision, recall and F1 by threshold', testId: 'report-chart-threshold',
      x: { label: 'Decision threshold', domain: unit }, y: { label: 'Score', domain: unit },
      layers: [
        { kind: 'line', xs: thresholds, ys: precision, series: 'series-1', label: 'Precision' },
        { kind: 'line', xs: thresholds, ys: grid.map((m) => m.recall), series: 'series-2', label: 'Recall' },
        { kind: 'line', xs: thresholds, ys: grid.map((m) => m.f1), series: 'series-3', label: 'F1' },
        { kind: 'marker-vline', x: start.threshold, id: 'marker-threshold', label: 'Slider threshold' },
      ],
    }),
    renderChart({
      title: 'Calibration (reliability diagram)', testId: 'report-chart-calibration',
      description: 'observed share of positive rows against mean predicted probability per bin, with rows per bin',
      x: { label: 'Mean predicted probability', domain: unit }, y: { label: 'Observed fraction positive', domain: unit },
      layers: [
        { kind: 'line', xs: [0, 1], ys: [0, 1], series: 'reference', label: 'Perfectly calibrated' },
        {
          kind: 'bars', series: 'reference', label: 'Rows per bin (scaled)',
          lefts: c.calibration.map((b) => b.meanPredicted - binWidth / 2),
          rights: c.calibration.map((b) => b.meanPredicted + binWidth / 2),
          heights: c.calibration.map((b) => (0.25 * b.count) / maxCount),
          titles: c.calibration.map((b) => `${formatCount(b.count)} rows`),
          captions: c.calibration.length <= 20 ? c.calibration.map((b) => formatCompactCount(b.count)) : [],
        },
        { kind: 'line', xs: c.calibration.map((b) => b.meanPredicted), ys: c.calibration.map((b) => b.fractionPositive), series: 'series-1' },
        {
          kind: 'points', series: 'series-1', label: 'Model', radius: 3.5,
          xs: c.calibration.map((b) => b.meanPredicted), ys: c.calibration.map((b) => b.fractionPositive),
          titles: c.calibration.map((b) => `mean predicted ${formatMetric(b.meanPredicted)}, observed ${formatMetric(b.fractionPositive)}, ${formatCount(b.count)} rows`),
        },
      ],
    }),
  ];

  return html`<p class="meta">Backend: <code>${c.backend}</code> · test split: ${formatCount(c.sweep.positives)} positive, ${formatCount(c.sweep.negatives)} negative${data.targetNames !== undefined && data.targetNames.classTarget !== '' ? ` (${data.targetNames.classTarget})` : ''}</p>
<div class="split">
<div><h3>Metrics and targets</h3>${metricsTable(c.metrics, c.targets, null)}</div>
<div><h3>Settings</h3>${settingsTable(c.settings)}</div>
</div>
<h3>Threshold explorer</h3>
<div class="explorer">
<div class="slider-row">
<label for="threshold-slider">Decision threshold</label>
<input type="range" id="threshold-slider" data-testid="report-slider" min="0" max="1" step="0.001" value="${start.threshold.toFixed(3)}" aria-valuetext="threshold ${start.threshold.toFixed(3)}">
<output for="threshold-slider" data-testid="report-threshold" data-value="${start.threshold}">${start.threshold.toFixed(3)}</output>
<button type="button" id="threshold-reset">Reset to ${formatMetric(c.threshold)}</button>
</div>
<p class="note">Recomputed from true and false positive counts at the 1,001 thresholds 0.000, 0.001, …, 1.000 on the test split (exact at those steps; a row counts as predicted positive when its score is at least the threshold). The model\u2019s chosen threshold is ${formatMetric(c.threshold)}.</p>
<div class="split">
<table class="confusion" aria-label="Confusion matrix at the slider threshold"><thead><tr><th></th><th scope="col">Predicted positive</th><th scope="col">Predicted negative</th></tr></thead><tbody>
<tr><th scope="row">Actually positive</th><td class="hit" data-testid="report-tp" data-value="${start.tp}">${formatCount(start.tp)}</td><td class="miss" data-testid="report-fn" data-value="${start.fn}">${formatCount(start.fn)}</td></tr>
<tr><th scope="row">Actually negative</th><td class="miss" data-testid="report-fp" data-value="${start.fp}">${formatCount(start.fp)}</td><td class="hit" data-testid="report-tn" data-value="${start.tn}">${formatCount(start.tn)}</td></tr>
</tbody></table>
<table class="rates" aria-label="Metrics at the slider threshold"><tbody>
${rateRow('Precision', 'report-precision', start.precision)}
${rateRow('Recall', 'report-recall', start.recall)}
${rateRow('F1', 'report-f1', start.f1)}
${rateRow('Accuracy', 'report-accuracy', start.accuracy)}
${rateRow('Predicted-positive rate', 'report-predicted-positive-rate', start.predictedPositiveRate)}
</tbody></table>
</div>
</div>
<div class="charts">${charts}</div>`;
}

function rateRow(label: string, testId: string, value: number): SafeHtml {
  return html`<tr><th scope="row">${label}</th><td class="num" data-testid="${testId}" data-value="${value}">${formatMetric(value)}</td></tr>`;
}

// ---- regressor ----

function regressorSection(r: ReportRegressor, words: TargetWords): SafeHtml {
  const points = downsampleCurve(r.points.actual, r.points.predicted, MAX_CURVE_POINTS, 'regressor points');
  const domain = paddedDomain([...points.xs, ...points.ys]);
  const { edges, counts } = r.residualHistogram;
  const outside = r.residualHistogram.below + r.residualHistogram.above;
  const maxCount = Math.max(1, ...counts);
  const first = edges[0] ?? 0;
  const last = edges[edges.length - 1] ?? 1;
  const residualLayers: ChartLayer[] = [
    {
      kind: 'bars', series: 'series-2', label: 'Rows',
      lefts: edges.slice(0, -1), rights: edges.slice(1), heights: counts,
      titles: counts.map((n, i) => `[${formatMetric(edges[i] ?? Number.NaN)}, ${formatMetric(edges[i + 1] ?? Number.NaN)}): ${formatCount(n)} rows`),
    },
  ];
  if (first <= 0 && last >= 0) residualLayers.push({ kind: 'vline', x: 0, series: 'reference', label: 'Zero error' });
  const charts = [
    renderChart({
      title: 'Predicted vs actual', testId: 'report-chart-predicted-actual',
      description: `${formatCount(points.xs.length)} test predictions`,
      x: { label: `Actual ${words.regressionTarget}${words.money ? ' ($)' : ''}`, domain }, y: { label: `Predicted ${words.regressionTarget}${words.money ? ' ($)' : ''}`, domain },
      layers: [
        { kind: 'points', xs: points.xs, ys: points.ys, series: 'series-1', label: `Test predictions (${formatCount(points.xs.length)} shown)`, radius: 2 },
        { kind: 'line', xs: [domain[0], domain[1]], ys: [domain[0], domain[1]], series: 'reference', label: 'y = x' },
      ],
    }),
    renderChart({
      title: 'Residuals (actual − predicted)', testId: 'report-chart-residuals',
      ...(outside > 0 ? { description: `central 99 %; ${formatCount(outside)} rows outside it are not drawn` } : {}),
      x: { label: `Residual${words.money ? ' ($)' : ''}`, domain: [first, last] }, y: { label: 'Rows', domain: [0, maxCount * 1.08] },
      layers: residualLayers,
    }),
  ];
  return html`<p class="meta">Backend: <code>${r.backend}</code></p>
<div class="split">
<div><h3>Metrics, baseline and targets</h3>${metricsTable(r.metrics, r.targets, r.baseline, words.amount, r.undefinedMetrics)}
<p class="note">Baseline: always predicting the training mean, on the same test split.</p></div>
<div><h3>Settings</h3>${settingsTable(r.settings)}</div>
</div>
<div class="charts">${charts}</div>
<p class="note">The scatter shows at most ${formatCount(MAX_CURVE_POINTS)} (actual, predicted) pairs of the test split: model outputs, not data rows.</p>`;
}

// ---- runs and sample ----

/** Features shown per model; the rest are counted. */
const SHAP_TOP = 15;

function shapSection(summaries: readonly ReportShap[], words: TargetWords): SafeHtml {
  return html`${summaries.map((s) => {
    const top = s.features.slice(0, SHAP_TOP);
    return html`<h3>${s.model === 'classifier' ? words.classifierTitle : words.regressorTitle} (${s.treeModel}, ${s.runName})</h3>
<p data-testid="report-shap-rows-${s.model}" data-value="${String(s.rows)}">Mean |SHAP value| per feature over ${formatCount(s.rows)} of ${formatCount(s.totalRows)} test rows (seeded sample, seed ${String(s.seed)}), in ${s.units}; a one-hot group is summed as one feature. Every explanation starts at the expected value ${s.expectedValue.toFixed(4)}.</p>
<div class="table-wrap"><table data-testid="report-shap-${s.model}"><thead><tr><th>#</th><th>Feature</th><th class="num">Mean |SHAP| (${s.units})</th></tr></thead><tbody>
${top.map((f, i) => html`<tr><td>${String(i + 1)}</td><td class="mono">${f.feature}</td><td class="num" data-value="${String(f.meanAbs)}">${f.meanAbs.toFixed(4)}</td></tr>`)}
</tbody></table></div>${s.features.length > top.length ? html`<p class="note">${String(s.features.length - top.length)} more features with smaller values.</p>` : html``}`;
  })}`;
}

/**
 * One table per model kind (a kind's own metrics only), each run's settings on a full-width line under its metrics, so
 * the metric columns stay readable at 800 px; the best value is bolded among runs of the same data set only.
 */
function runsSection(runs: readonly ReportRun[]): SafeHtml {
  if (runs.length === 0) return html`<p class="note">No runs were recorded.</p>`;
  const kinds = [...new Set(runs.map((run) => run.kind))];
  const dataOf = (run: ReportRun): string => String(run.settings['dataSha256'] ?? run.settings['data'] ?? '');
  return html`${kinds.map((kind) => {
    const ofKind = runs.filter((run) => run.kind === kind);
    const metricNames = orderMetrics(new Set(ofKind.flatMap((run) => [...Object.keys(run.metrics), ...Object.keys(run.undefinedMetrics ?? {})])));
    const best = new Map<string, number>();
    for (const data of new Set(ofKind.map(dataOf))) {
      const same = ofKind.filter((run) => dataOf(run) === data);
      for (const name of metricNames) {
        const values = same.map((run) => run.metrics[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
        if (values.length >= 2) best.set(`${data}\u0000${name}`, LOWER_IS_BETTER.has(name) ? Math.min(...values) : Math.max(...values));
      }
    }
    return html`<h3>${kind === 'classifier' ? 'Classifier runs' : kind === 'regressor' ? 'Regressor runs' : `${kind} runs`}</h3>
<div class="table-wrap runs-wrap"><table class="runs" data-testid="report-runs-${kind}"><thead><tr><th>Run</th>${metricNames.map((m) => html`<th class="num">${metricLabel(m)}</th>`)}</tr></thead><tbody>
${ofKind.map((run) => html`<tr class="run-metrics"><td>${run.name}<br><span class="note mono">${run.id}</span></td>${metricNames.map((m) => {
      const value = run.metrics[m];
      return html`<td class="num${value !== undefined && best.get(`${dataOf(run)}\u0000${m}`) === value ? ' best' : ''}">${value === undefined ? run.undefinedMetrics?.[m] ?? '' : formatMetric(value)}</td>`;
    })}</tr>
<tr class="run-settings"><td colspan="${String(metricNames.length + 1)}" class="mono">${Object.entries({ backend: run.backend, ...run.settings }).map(([k, v]) => `${k}=${settingText(v)}`).join(', ')}</td></tr>`)}
</tbody></table></div>`;
  })}
<p class="note">Best value per metric in bold among runs on the same data (lower is better for log loss, Brier, RMSE, MAE and MAPE); each run's backend, settings and data on the line below its metrics.</p>`;
}

function sampleSection(sample: NonNullable<ReportInput['sample']>): SafeHtml {
  const rows = sample.rows.slice(0, MAX_SAMPLE_ROWS);
  return html`<p class="note">${formatCount(rows.length)} rows included at the author\u2019s request${sample.rows.length > rows.length ? ` (of ${formatCount(sample.rows.length)} offered)` : ''}.</p>
<div class="table-wrap"><table data-testid="report-sample"><thead><tr>${sample.columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>
${rows.map((row) => html`<tr>${row.map((v) => (typeof v === 'number' ? html`<td class="num">${String(v)}</td>` : html`<td>${v ?? ''}</td>`))}</tr>`)}
</tbody></table></div>`;
}

// ---- shared pieces ----

const METRIC_LABELS: Readonly<Record<string, string>> = {
  auc_roc: 'ROC AUC', pr_auc: 'Average precision', f1_score: 'F1', precision: 'Precision', recall: 'Recall',
  accuracy: 'Accuracy', log_loss: 'Log loss', brier: 'Brier score', threshold: 'Threshold',
  oracle_f1: 'Oracle F1 (test-tuned)', oracle_threshold: 'Oracle threshold',
  rmse: 'RMSE', mae: 'MAE', r2: 'R²', mape: 'MAPE',
};
const METRIC_ORDER = Object.keys(METRIC_LABELS);
const LOWER_IS_BETTER = new Set(['log_loss', 'brier', 'rmse', 'mae', 'mape']);

function metricLabel(name: string): string {
  return METRIC_LABELS[name] ?? name;
}

function orderMetrics(names: Iterable<string>): string[] {
  const rank = (n: string): number => (METRIC_ORDER.includes(n) ? METRIC_ORDER.indexOf(n) : METRIC_ORDER.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function metricsTable(
  metrics: Readonly<Record<string, number>>,
  targets: readonly TargetCheck[],
  baseline: Readonly<Record<string, number>> | null,
  amount: (x: number) => string = formatMetric,
  undefinedMetrics: Readonly<Record<string, string>> = {},
): SafeHtml {
  const show = (name: string, x: number): string => (AMOUNT_METRICS.has(name) ? amount(x) : formatMetric(x));
  const names = orderMetrics(new Set([...Object.keys(metrics), ...Object.keys(undefinedMetrics), ...targets.map((t) => t.metric)]));
  return html`<div class="table-wrap"><table data-testid="report-metrics"><thead><tr><th>Metric</th><th class="num">Value</th>${baseline === null ? '' : html`<th class="num">Baseline</th>`}<th>Target</th><th>Status</th></tr></thead><tbody>
${names.map((name) => {
    const own = targets.filter((t) => t.metric === name);
    const value = metrics[name];
    const undefinedAs = undefinedMetrics[name];
    const status = own.length === 0
      ? html`<span class="badge neutral">no target</span>`
      : undefinedAs !== undefined ? html`<span class="badge neutral">cannot be judged</span>`
        : own.every((t) => t.met) ? html`<span class="badge ok">met</span>` : html`<span class="badge bad">not met</span>`;
    return html`<tr data-metric="${name}"><td>${metricLabel(name)}</td><td class="num" data-value="${value ?? ''}">${undefinedAs ?? (value === undefined ? '—' : show(name, value))}</td>${baseline === null ? '' : html`<td class="num">${undefinedAs ?? (baseline[name] === undefined ? '—' : show(name, baseline[name]))}</td>`}<td>${own.length === 0 ? '—' : own.map((t) => `${t.op} ${show(name, t.value)}`).join(' and ')}</td><td>${status}</td></tr>`;
  })}
</tbody></table></div>`;
}

function settingsTable(settings: Readonly<Record<string, SettingValue>>): SafeHtml {
  const entries = Object.entries(settings);
  if (entries.length === 0) return html`<p class="note">No settings recorded.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th>Setting</th><th>Value</th></tr></thead><tbody>
${entries.map(([k, v]) => html`<tr><td>${k}</td><td><code>${settingText(v)}</code></td></tr>`)}
</tbody></table></div>`;
}

function targetsSummary(input: ReportInput): SafeHtml {
  const undefinedMetrics = input.regressor?.undefinedMetrics ?? {};
  const unjudged = (input.regressor?.targets ?? []).filter((t) => undefinedMetrics[t.metric] !== undefined).length;
  const targets = [...(input.classifier?.targets ?? []), ...(input.regressor?.targets ?? []).filter((t) => undefinedMetrics[t.metric] === undefined)];
  if (targets.length === 0 && unjudged === 0) return html``;
  const met = targets.filter((t) => t.met).length;
  return html`<p class="meta" data-testid="report-targets-summary">Targets: <span class="badge ${met === targets.length ? 'ok' : 'bad'}">${met} of ${targets.length} met</span>${unjudged > 0 ? ` (${String(unjudged)} cannot be judged on this test split)` : ''}</p>`;
}

function fact(label: string, value: string): SafeHtml {
  return html`<div class="fact"><dt>${label}</dt><dd>${value}</dd></div>`;
}

function settingText(value: SettingValue): string {
  return String(value);
}

/** 950, 1.2k, 56k, 3.4M: bar captions must fit a 30-pixel bar. */
function formatCompactCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1e6) return `${(n / 1000).toFixed(abs < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(abs < 1e7 ? 1 : 0)}M`;
}

function formatPercent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—';
}

/** A presigned source URL would put a credential in a file that gets mailed around: show it with its secrets replaced. */
function sourceLabel(source: string): string {
  return redactUrl(source);
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What the inline script reads, plus a machine-readable summary for tools that parse the report. */
function reportPayload(input: ReportInput): unknown {
  const c = input.classifier;
  const r = input.regressor;
  return {
    format: 'ml-workbench-report/1',
    title: input.title,
    createdAt: input.createdAt,
    workbenchVersion: input.workbenchVersion,
    data: {
      source: sourceLabel(input.data.source), rows: input.data.rows, sha256: input.data.sha256,
      columns: input.data.columns, classBalance: input.data.classBalance, meanOrderValue: input.data.meanOrderValue,
    },
    features: input.features,
    classifier: c === undefined ? null : {
      metrics: c.metrics, targets: c.targets, threshold: c.threshold,
      sweep: { tp: c.sweep.tp, fp: c.sweep.fp, positives: c.sweep.positives, negatives: c.sweep.negatives },
      frame: { left: CHART_FRAME.left, right: CHART_FRAME.right, top: CHART_FRAME.top, bottom: CHART_FRAME.bottom },
    },
    regressor: r === undefined ? null : { metrics: r.metrics, baseline: r.baseline, targets: r.targets, undefinedMetrics: r.undefinedMetrics ?? {} },
    runs: input.runs.map((run) => ({ id: run.id, name: run.name, kind: run.kind, backend: run.backend, metrics: run.metrics, undefinedMetrics: run.undefinedMetrics ?? {} })),
  };
}

function checkClassifier(c: ReportClassifier): void {
  const { thresholds, tp, fp } = c.sweep;
  for (const [name, values] of [['thresholds', thresholds], ['tp', tp], ['fp', fp]] as const) {
    if (values.length !== SWEEP_STEPS + 1) {
      throw new Error(`sweep has ${values.length} ${name} values; expected ${SWEEP_STEPS + 1}, one per threshold i/${SWEEP_STEPS}`);
    }
  }
  thresholds.forEach((t, i) => {
    if (Math.abs(t - i / SWEEP_STEPS) > 1e-9) {
      throw new Error(`sweep threshold ${i} is ${t}; expected ${i}/${SWEEP_STEPS}, build the sweep on the i/${SWEEP_STEPS} grid`);
    }
  });
  if (c.roc.fpr.length !== c.roc.tpr.length) throw new Error(`roc has ${c.roc.fpr.length} fpr but ${c.roc.tpr.length} tpr values; pass equal lengths`);
  if (c.pr.recall.length !== c.pr.precision.length) {
    throw new Error(`pr has ${c.pr.recall.length} recall but ${c.pr.precision.length} precision values; pass equal lengths`);
  }
}

function checkRegressor(r: ReportRegressor): void {
  const { edges, counts } = r.residualHistogram;
  if (counts.length > 0 && edges.length !== counts.length + 1) {
    throw new Error(`residual histogram has ${edges.length} edges for ${counts.length} counts; expected ${counts.length + 1}`);
  }
  if (r.points.actual.length !== r.points.predicted.length) {
    throw new Error(`regressor points have ${r.points.actual.length} actual but ${r.points.predicted.length} predicted values; pass equal lengths`);
  }
}
