import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildReportHtml, embedJson, escapeHtml, MAX_CURVE_POINTS } from './html.ts';
import type { ReportInput } from './reportTypes.ts';
import { curvesFromScores, sweepFromScores, syntheticReportInput, syntheticScores } from '../../test/reportFixture.ts';
import { CONFUSION_FROM_SWEEP_JS, confusionFromSweep, SWEEP_STEPS } from './sweepConfusion.ts';
import { formatCount, formatMetric, groupThousands, REPORT_FORMAT_JS } from './reportFormat.ts';
import { REPORT_SCRIPT } from './reportScript.ts';
import { REPORT_CSS } from './reportStyle.ts';
import { downsampleCurve } from './downsample.ts';
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../trainers/metrics.ts';

const HOSTILE_IMG = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_SCRIPT = '</script><script>alert(1)</script>';
const HOSTILE = `${HOSTILE_IMG}${HOSTILE_SCRIPT}<!--`;

const input = syntheticReportInput({ testRows: 20_000 });
const page = buildReportHtml(input);

function jsonBlock(doc: string): string {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(doc);
  if (match?.[1] === undefined) throw new Error('no json block');
  return match[1];
}

describe('escapeHtml', () => {
  it('escapes the five significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('buildReportHtml: CSP and network', () => {
  it('carries a CSP whose hashes match the one inline script and the one style', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; /);
    const inlineScripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    expect(inlineScripts).toEqual([REPORT_SCRIPT]);
    expect(styles).toEqual([REPORT_CSS]);
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(REPORT_SCRIPT)};`);
    expect(csp).toContain(`style-src ${hash(REPORT_CSS)};`);
    expect(csp).toContain('img-src data:');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('loads nothing: no http(s) at all, no url(), no inline handlers, no style attributes', () => {
    expect(page).not.toMatch(/https?:/i);
    expect(page).not.toMatch(/url\(|@import/);
    expect(page).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(page).not.toMatch(/\sstyle="/);
    expect(REPORT_SCRIPT).not.toMatch(/eval\(|new Function|innerHTML|setTimeout\(['"]/);
  });

  it('shows a presigned or token source without its secrets and links nothing to it', () => {
    const signed = 'https://bucket.s3.amazonaws.com/orders.parquet?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=deadbeef';
    const doc = buildReportHtml({ ...input, data: { ...input.data, source: signed } });
    expect(doc).not.toMatch(/AKIA|deadbeef/);
    expect(doc).toContain('https://bucket.s3.amazonaws.com/orders.parquet?X-Amz-Algorithm=AWS4-HMAC-SHA256');
    const token = buildReportHtml({ ...input, data: { ...input.data, source: 'https://u:pw0rd@h.example/o.parquet?token=t0ps3cret' } });
    expect(token).not.toMatch(/pw0rd|t0ps3cret/);
    expect(doc).not.toMatch(/(src|href|action)="https?:/i);
  });
});

describe('buildReportHtml: escaping', () => {
  const hostile = syntheticReportInput({ testRows: 2_000, hostileText: HOSTILE, withSample: true });
  const doc = buildReportHtml(hostile);

  it('shows hostile column, file, run and level names only as text', () => {
    expect(doc).not.toContain('<img');
    expect(doc).not.toContain('<script>alert');
    expect(doc.match(/<script/g)).toHaveLength(2);
    expect(doc.match(/<\/script/gi)).toHaveLength(2);
    expect(doc.match(/<!--/g)).toBeNull();
    expect(doc).toContain(escapeHtml(HOSTILE_IMG));
    expect(doc).toContain(escapeHtml(HOSTILE_SCRIPT));
    // column name, file name, run name, leakage reason, category level in the sample, title
    expect(doc.split(escapeHtml(HOSTILE)).length - 1).toBeGreaterThanOrEqual(6);
  });

  it('embeds JSON that parses back to the original strings', () => {
    const block = jsonBlock(doc);
    expect(block).not.toMatch(/<|>|&/);
    const payload = JSON.parse(block) as { title: string; data: { source: string; columns: Array<{ name: string }> }; runs: Array<{ name: string }> };
    expect(payload.title).toBe(hostile.title);
    expect(payload.data.source).toBe(hostile.data.source);
    expect(payload.data.columns.map((c) => c.name)).toEqual(hostile.data.columns.map((c) => c.name));
    expect(payload.runs.map((r) => r.name)).toEqual(hostile.runs.map((r) => r.name));
  });

  it('escapes line separators that would end a script in old parsers', () => {
    expect(embedJson({ s: '\u2028</script><!--&' })).toBe('{"s":"\\u2028\\u003c/script\\u003e\\u003c!--\\u0026"}');
    expect(JSON.parse(embedJson({ s: '\u2028</script><!--&' }))).toEqual({ s: '\u2028</script><!--&' });
  });
});

describe('buildReportHtml: size and curves', () => {
  it('keeps a realistic report (100,000 test rows, 100,001-point curves) well under 5,000,000 bytes', () => {
    const big = syntheticReportInput({ testRows: 100_000, withSample: true });
    expect(big.classifier?.roc.fpr.length).toBeGreaterThan(50_000);
    const doc = buildReportHtml(big);
    const bytes = Buffer.byteLength(doc, 'utf8');
    expect(bytes).toBeLessThan(5_000_000);
    // about 0.2 MB in practice; a jump past 1 MB means a curve or a table stopped being capped
    expect(bytes).toBeLessThan(1_000_000);
    const rocPath = /data-testid="report-chart-roc"[\s\S]*?<path class="line series-1" d="([^"]+)"/.exec(doc)?.[1] ?? '';
    expect(rocPath.split(/[ML]/).length - 1).toBeLessThanOrEqual(MAX_CURVE_POINTS);
    expect(rocPath.startsWith('M56 252')).toBe(true); // (0, 0) kept
    expect(rocPath.endsWith('L404 14')).toBe(true); // (1, 1) kept
  });

  it('downsamples keeping both endpoints and refuses unequal arrays', () => {
    const xs = Array.from({ length: 10_001 }, (_, i) => i);
    const out = downsampleCurve(xs, xs, 2000);
    expect(out.xs).toHaveLength(2000);
    expect(out.xs[0]).toBe(0);
    expect(out.xs[1999]).toBe(10_000);
    expect(() => downsampleCurve([1, 2], [1], 10, 'roc')).toThrow('roc has 2 x values but 1 y values; pass arrays of equal length');
  });

  it('refuses a sweep off the 1,001-step grid with a clear message', () => {
    const c = input.classifier;
    if (c === undefined) throw new Error('fixture has a classifier');
    const short: ReportInput = { ...input, classifier: { ...c, sweep: { ...c.sweep, tp: c.sweep.tp.slice(0, 500) } } };
    expect(() => buildReportHtml(short)).toThrow('sweep has 500 tp values; expected 1001, one per threshold i/1000');
  });

  it('builds without a classifier, a regressor, runs or leakage', () => {
    const { classifier: _c, regressor: _r, ...rest } = input;
    const doc = buildReportHtml({ ...rest, runs: [], leakage: [] });
    expect(doc).not.toContain('report-slider');
    expect(doc).toContain('No runs were recorded.');
  });
});

describe('threshold slider arithmetic', () => {
  const { labels, scores } = syntheticScores(5_000, 11);
  const sweep = sweepFromScores(labels, scores);

  it('confusionFromSweep equals a direct count at every one of the 1,001 grid thresholds', () => {
    for (let i = 0; i <= SWEEP_STEPS; i++) {
      const t = i / SWEEP_STEPS;
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      for (let r = 0; r < scores.length; r++) {
        const predicted = (scores[r] as number) >= t;
        if (labels[r] === 1) {
          if (predicted) tp++;
          else fn++;
        } else if (predicted) fp++;
        else tn++;
      }
      const m = confusionFromSweep(sweep, t);
      expect({ tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn }).toEqual({ tp, fp, tn, fn });
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = tp / (tp + fn);
      expect(m.precision).toBe(precision);
      expect(m.recall).toBe(recall);
      expect(m.f1).toBe(precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0);
      expect(m.accuracy).toBe((tp + tn) / scores.length);
      expect(m.predictedPositiveRate).toBe((tp + fp) / scores.length);
    }
  });

  it('rounds a slider value to the nearest grid step and clamps outside [0, 1]', () => {
    expect(confusionFromSweep(sweep, 0.4204).threshold).toBe(0.42);
    expect(confusionFromSweep(sweep, 0.4206).threshold).toBe(0.421);
    expect(confusionFromSweep(sweep, -3).threshold).toBe(0);
    expect(confusionFromSweep(sweep, 7).threshold).toBe(1);
    expect(confusionFromSweep(sweep, Number.NaN).threshold).toBe(0);
  });

  it('the inline script computes exactly what confusionFromSweep computes', () => {
    const scriptFn = new Function(`${CONFUSION_FROM_SWEEP_JS}; return confusionFromSweep;`)() as typeof confusionFromSweep;
    for (let i = 0; i <= SWEEP_STEPS; i++) {
      for (const t of [i / SWEEP_STEPS, Number((i / SWEEP_STEPS).toFixed(3)), (i + 0.3) / SWEEP_STEPS]) {
        expect(scriptFn(sweep, t)).toEqual(confusionFromSweep(sweep, t));
      }
    }
  });

  it('the inline script formats numbers exactly as the builder does', () => {
    const js = new Function(`${REPORT_FORMAT_JS}; return { formatCount, formatMetric, groupThousands };`)() as {
      formatCount: typeof formatCount; formatMetric: typeof formatMetric; groupThousands: typeof groupThousands;
    };
    for (const x of [0, 1, -1, 0.0005, -0.0004, 0.12345, 999.9995, 1234.5678, 1e6, -98765.4321, 1e16, Number.NaN, Infinity]) {
      expect(js.formatMetric(x)).toBe(formatMetric(x));
      expect(js.formatCount(x)).toBe(formatCount(x));
    }
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatMetric(0.12345)).toBe('0.123');
    expect(formatMetric(-1234.5)).toBe('-1,234.500');
    expect(groupThousands('12345.67891')).toBe('12,345.67891');
  });
});

describe('inline script in a stand-in document', () => {
  interface FakeElement {
    value: string;
    textContent: string;
    attributes: Record<string, string>;
    listeners: Record<string, Array<() => void>>;
    setAttribute(name: string, value: string): void;
    addEventListener(type: string, listener: () => void): void;
    focus(): void;
  }
  function element(): FakeElement {
    return {
      value: '', textContent: '', attributes: {}, listeners: {},
      setAttribute(name, value) { this.attributes[name] = value; },
      addEventListener(type, listener) { (this.listeners[type] ??= []).push(listener); },
      focus() {},
    };
  }

  it('recomputes every figure when the slider moves and Reset restores the chosen threshold', () => {
    const byId = new Map<string, FakeElement>();
    const byTestId = new Map<string, FakeElement>();
    const get = (map: Map<string, FakeElement>, key: string): FakeElement => {
      const found = map.get(key) ?? element();
      map.set(key, found);
      return found;
    };
    const data = get(byId, 'report-data');
    data.textContent = jsonBlock(page);
    const slider = get(byId, 'threshold-slider');
    slider.value = /id="threshold-slider"[^>]* value="([\d.]+)"/.exec(page)?.[1] ?? '';
    const fakeDocument = {
      getElementById: (id: string) => get(byId, id),
      querySelector: (selector: string) => get(byTestId, /data-testid="([^"]+)"/.exec(selector)?.[1] ?? selector),
    };
    new Function('document', REPORT_SCRIPT)(fakeDocument);
    const sweep = input.classifier?.sweep;
    if (sweep === undefined) throw new Error('fixture has a classifier');
    const check = (t: number): void => {
      const m = confusionFromSweep(sweep, t);
      expect(get(byTestId, 'report-tp').attributes['data-value']).toBe(String(m.tp));
      expect(get(byTestId, 'report-fp').attributes['data-value']).toBe(String(m.fp));
      expect(get(byTestId, 'report-tn').attributes['data-value']).toBe(String(m.tn));
      expect(get(byTestId, 'report-fn').attributes['data-value']).toBe(String(m.fn));
      expect(get(byTestId, 'report-precision').attributes['data-value']).toBe(String(m.precision));
      expect(get(byTestId, 'report-recall').textContent).toBe(formatMetric(m.recall));
      expect(get(byTestId, 'report-f1').textContent).toBe(formatMetric(m.f1));
      expect(get(byTestId, 'report-tn').textContent).toBe(formatCount(m.tn));
    };
    check(0.42);
    // The page renders the same figures before the script runs.
    expect(page).toContain(`data-testid="report-tp" data-value="${confusionFromSweep(sweep, 0.42).tp}"`);
    slider.value = '0.731';
    for (const listener of slider.listeners['input'] ?? []) listener();
    check(0.731);
    expect(get(byId, 'marker-threshold').attributes['x1']).toBe(String(Math.round((56 + 0.731 * 348) * 10) / 10));
    for (const listener of get(byId, 'threshold-reset').listeners['click'] ?? []) listener();
    expect(slider.value).toBe('0.420');
    check(0.42);
  });
});

describe('fixture curves', () => {
  it('are scikit-learn\'s curves and areas (metrics.ts, checked against golden values), computed independently', () => {
    const { labels, scores } = syntheticScores(3_000, 5);
    const { auc, ap, roc, pr } = curvesFromScores(labels, scores);
    const expectedRoc = rocCurve(labels, scores);
    expect(roc.fpr).toHaveLength(expectedRoc.fpr.length);
    roc.fpr.forEach((x, i) => expect(x).toBeCloseTo(expectedRoc.fpr[i] as number, 12));
    roc.tpr.forEach((y, i) => expect(y).toBeCloseTo(expectedRoc.tpr[i] as number, 12));
    // the fixture walks the PR curve from the top threshold down; scikit-learn lists it the other way round
    const expectedPr = prCurve(labels, scores);
    expect(pr.precision).toEqual([...expectedPr.precision].reverse());
    expect(pr.recall).toEqual([...expectedPr.recall].reverse());
    expect(auc).toBeCloseTo(rocAuc(labels, scores), 12);
    expect(ap).toBeCloseTo(averagePrecision(labels, scores), 12);
  });
});

describe('residual histogram in the report', () => {
  it('draws one bar per bin with its count and says how many rows fall outside the central 99 %', () => {
    const r = input.regressor;
    if (r === undefined) throw new Error('fixture has a regressor');
    const residualHistogram = { edges: [-2, -1, 0, 1, 2], counts: [3, 10, 12, 4], below: 2, above: 5 };
    const doc = buildReportHtml({ ...input, regressor: { ...r, residualHistogram } });
    const chart = /data-testid="report-chart-residuals"[\s\S]*?<\/svg>/.exec(doc)?.[0] ?? '';
    expect(chart).toContain('central 99 %; 7 rows outside it are not drawn');
    const titles = [...chart.matchAll(/<title>([^<]*rows)<\/title>/g)].map((m) => m[1]);
    const bin = (lo: number, hi: number, n: number) => `[${formatMetric(lo)}, ${formatMetric(hi)}): ${formatCount(n)} rows`;
    expect(titles).toEqual([bin(-2, -1, 3), bin(-1, 0, 10), bin(0, 1, 12), bin(1, 2, 4)]);
  });
});

describe('buildReportHtml: SHAP summary', () => {
  it('carries the top features by mean |SHAP| with the stated sample, and a hostile feature name only as text', () => {
    const features = Array.from({ length: 20 }, (_, i) => ({ feature: i === 0 ? '<img src=x onerror=alert(1)>' : `f${i}`, meanAbs: 1 / (i + 1) }));
    const input: ReportInput = {
      ...syntheticReportInput(),
      shap: [{ model: 'classifier', runName: 'gbdt #1', treeModel: 'gbdt', units: 'log-odds', rows: 1000, totalRows: 94575, seed: 42, expectedValue: -0.3127, features }],
    };
    const out = buildReportHtml(input);
    expect(out).toContain('<section class="card" id="shap"');
    expect(out).toContain('over 1,000 of 94,575 test rows (seeded sample, seed 42), in log-odds');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).not.toContain('<img src=x');
    // the 15 largest are listed, the other 5 counted
    expect(out).toContain('<td class="mono">f14</td>');
    expect(out).not.toContain('<td class="mono">f15</td>');
    expect(out).toContain('5 more features with smaller values.');
    expect(buildReportHtml(syntheticReportInput())).not.toContain('id="shap"');
  });
});

describe('buildReportHtml: the user\u2019s targets and units', () => {
  const section = (doc: string, id: string): string => {
    const match = new RegExp(`<section class="card" id="${id}"[\\s\\S]*?</section>`).exec(doc);
    if (match === null) throw new Error(`no section ${id}`);
    return match[0];
  };
  it('names the class and regression targets and shows plain numbers when the target is not money', () => {
    const doc = buildReportHtml({ ...input, data: { ...input.data, targetNames: { classTarget: 'has_disease', regressionTarget: 'progression', regressionIsMoney: false } } });
    expect(doc).toContain('Classifier \u2014 has_disease');
    expect(doc).toContain('Regressor \u2014 progression');
    expect(doc).toContain('Rows where has_disease is positive');
    expect(doc).toContain('Mean progression where has_disease is positive');
    expect(doc).not.toMatch(/convert|order value/i);
    const rmseRow = /<tr data-metric="rmse">[\s\S]*?<\/tr>/.exec(section(doc, 'regressor'))?.[0] ?? '';
    expect(rmseRow).toContain(`>${formatMetric(12.4)}<`);
    expect(rmseRow).not.toContain('$');
  });
  it('shows dollars on RMSE, MAE, their baselines and targets only when the regression target is money', () => {
    const doc = buildReportHtml({ ...input, data: { ...input.data, targetNames: { classTarget: 'is_ordered', regressionTarget: 'revenue', regressionIsMoney: true } } });
    const regressor = section(doc, 'regressor');
    const rmseRow = /<tr data-metric="rmse">[\s\S]*?<\/tr>/.exec(regressor)?.[0] ?? '';
    expect(rmseRow).toContain(`>$${formatMetric(12.4)}<`);
    expect(rmseRow).toContain(`>$${formatMetric(23)}<`);
    const r2Row = /<tr data-metric="r2">[\s\S]*?<\/tr>/.exec(regressor)?.[0] ?? '';
    expect(r2Row).not.toContain('$');
  });
  it('leaves out the class facts of a notebook without a class target', () => {
    const { classifier: _unused, ...withoutClassifier } = input;
    const doc = buildReportHtml({ ...withoutClassifier, data: { ...input.data, targetNames: { classTarget: '', regressionTarget: 'progression', regressionIsMoney: false } } });
    expect(_unused).toBeDefined();
    expect(section(doc, 'data')).not.toContain('is positive');
    expect(doc).toContain('Regressor \u2014 progression');
  });
});
