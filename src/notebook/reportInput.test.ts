import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Column, Dataset } from '../data/types.ts';
import type { ModelBundle } from '../trainers/bundle.ts';
import { calibrationBins, confusionAt, meanBaseline, prCurve, regressionMetrics, rocCurve } from '../trainers/metrics.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG, type ClassifierResult, type RegressorResult } from '../trainers/types.ts';
import { createRng } from '../trainers/random.ts';
import { analyseDataset } from './analysis.ts';
import { residualHistogram } from './evaluation.ts';
import { buildReportInput, currentReportHtml, MAX_REGRESSOR_POINTS, type ReportState } from './reportInput.ts';
import { WORKBENCH_VERSION } from './version.ts';
import type { ClassifierRun, RegressorRun, RunId } from './runs.ts';

const EVIL = '<img src=x onerror=window.__pwned=1>';
const ROWS = 6000;

function numeric(name: string, values: number[]): Column {
  return {
    kind: 'numeric', name, arrowType: 'Float64', values: Float64Array.from(values), nullCount: 0,
    isBool: false, isInteger: values.every(Number.isInteger), unsafeInteger: false,
  };
}

/** A small data set: a label, revenue, two numeric features (one named with markup) and a categorical one. */
function dataset(): Dataset {
  const random = createRng(3);
  const y: number[] = [];
  const revenue: number[] = [];
  const pages: number[] = [];
  const evil: number[] = [];
  const codes = new Int32Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const p = Math.floor(random() * 10);
    const ordered = random() < 0.05 + p * 0.02 ? 1 : 0;
    y.push(ordered);
    revenue.push(ordered ? Math.round(2000 + random() * 8000) / 100 : 0);
    pages.push(p);
    evil.push(random());
    codes[i] = i % 3;
  }
  const device: Column = { kind: 'categorical', name: 'device', arrowType: 'Utf8', codes, levels: ['mobile', 'desktop', 'secret-level'], nullCount: 0 };
  return {
    source: { type: 'file', name: `orders${EVIL}.parquet` },
    rows: ROWS,
    columns: [numeric('is_ordered', y), numeric('revenue', revenue), numeric('pages', pages), numeric(EVIL, evil), device],
    sha256: 'ab'.repeat(32),
    bytes: 1234,
  };
}

const bundle = {} as ModelBundle;

function classifierRun(n: number): ClassifierRun {
  const random = createRng(11);
  const yTest = new Float32Array(n);
  const testProba = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    yTest[i] = random() < 0.2 ? 1 : 0;
    testProba[i] = Math.min(1, Math.max(0, (yTest[i] === 1 ? 0.45 : 0.25) + (random() - 0.5) * 0.5));
  }
  const result: ClassifierResult = {
    config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' }, backend: 'cpu', tfjsVersion: '4.22.0', seed: 42, epochs: 7, converged: true,
    history: [], threshold: 0.31, testIndex: new Uint32Array(n), yTest, testProba,
    metrics: {
      auc_roc: 0.8, pr_auc: 0.5, f1_score: 0.5, precision: 0.4, recall: 0.6, accuracy: 0.8, log_loss: 0.4, brier: 0.12,
      threshold: 0.31, oracle_f1: 0.52, oracle_threshold: 0.33,
    },
    warnings: [], trainMs: 10, msPerEpoch: 1, bundle, counts: { train: 1, valid: 1, test: n, positivesTrain: 0, positivesValid: 0, positivesTest: 0, resampled: 0 },
  };
  return {
    id: 'run-c' as RunId, name: `logistic ${EVIL}`, createdAt: '2025-01-01T00:00:00Z', wallMs: 10, inputsKey: 'k',
    featureNames: ['pages', EVIL, 'device=mobile', 'device=desktop'], featureGroups: ['pages', EVIL, 'device', 'device'],
    excluded: [], transforms: {}, dataSha256: 'ab'.repeat(32), dataName: 'orders', rows: ROWS, kind: 'classifier', result,
  };
}

function regressorRun(n: number): RegressorRun {
  const random = createRng(5);
  const yTest = Float64Array.from({ length: n }, () => 20 + random() * 80);
  const predTest = yTest.map((v) => v + (random() - 0.5) * 30);
  const result: RegressorResult = {
    config: DEFAULT_REGRESSOR_CONFIG, backend: 'cpu', tfjsVersion: '4.22.0', seed: 42, epochs: 1, converged: true, history: [],
    testIndex: new Uint32Array(n), yTest, predTest,
    metrics: { rmse: 9, mae: 7, r2: 0.6, mape: 0.2 }, baseline: { rmse: 23, mae: 20, r2: 0, mape: 0.5 }, smearing: 1.01, targetTransform: 'log1p',
    warnings: [], trainMs: 1, msPerEpoch: 1, bundle, counts: { train: 1, valid: 1, test: n },
  };
  return {
    id: 'run-r' as RunId, name: 'ridge', createdAt: '2025-01-01T00:00:00Z', wallMs: 1, inputsKey: 'k',
    featureNames: ['pages'], featureGroups: ['pages'], excluded: [], transforms: {}, dataSha256: '', dataName: 'orders', rows: ROWS, kind: 'regressor', result,
  };
}

function state(withRuns: boolean, threshold = 0.4): ReportState {
  const ds = dataset();
  const runs = withRuns ? [classifierRun(3000), regressorRun(5000)] : [];
  return {
    dataset: ds,
    analysis: analyseDataset(ds, 'is_ordered', 'revenue'),
    classTarget: 'is_ordered',
    revenueTarget: 'revenue',
    excluded: ['device'],
    runs,
    activeRun: withRuns ? { classifier: 'run-c' as RunId, regressor: 'run-r' as RunId } : { classifier: null, regressor: null },
    threshold,
  };
}

const now = new Date('2025-03-14T09:26:53Z');

describe('buildReportInput', () => {
  it('summarises the data and lists features without any model', () => {
    const input = buildReportInput(state(false), { now });
    expect(input.createdAt).toBe('2025-03-14T09:26:53.000Z');
    expect(input.data.rows).toBe(ROWS);
    expect(input.data.columns.map((c) => c.name)).toEqual(['is_ordered', 'revenue', 'pages', EVIL, 'device']);
    const label = dataset().columns[0]!;
    const positives = label.kind === 'numeric' ? Array.from(label.values).reduce((a, b) => a + b, 0) : Number.NaN;
    expect(input.data.classBalance.positives).toBe(positives);
    expect(input.data.classBalance.negatives).toBe(ROWS - positives);
    expect(input.classifier).toBeUndefined();
    expect(input.regressor).toBeUndefined();
    expect(input.features.used).toEqual(['pages', EVIL]);
    expect(input.features.excluded).toContainEqual({ column: 'device', reason: 'excluded by the user' });
    expect(input.leakage.map((l) => l.feature).sort()).toEqual(['device', 'pages', EVIL].sort());
    expect(input.sample).toBeUndefined();
  });

  it('reports the classifier at the current slider threshold, with the exact 1,001-step sweep', () => {
    const s = state(true, 0.37);
    const input = buildReportInput(s, { now });
    const c = input.classifier!;
    const run = s.runs[0] as ClassifierRun;
    const { yTest, testProba } = run.result;
    expect(c.threshold).toBe(0.37);
    const at = confusionAt(yTest, testProba, 0.37);
    expect(c.metrics['f1_score']).toBe(at.f1);
    expect(c.metrics['precision']).toBe(at.precision);
    expect(c.metrics['recall']).toBe(at.recall);
    expect(c.metrics['auc_roc']).toBe(0.8);
    expect(c.targets.find((t) => t.metric === 'f1_score')?.met).toBe(at.f1 > 0.4);
    expect(c.targets.find((t) => t.metric === 'auc_roc')?.met).toBe(true);
    expect(c.sweep.thresholds).toHaveLength(1001);
    for (const i of [0, 1, 250, 370, 371, 999, 1000]) {
      const t = i / 1000;
      let tp = 0;
      let fp = 0;
      for (let r = 0; r < yTest.length; r++) {
        if ((testProba[r] as number) >= t) {
          if (yTest[r] === 1) tp++;
          else fp++;
        }
      }
      expect(c.sweep.tp[i]).toBe(tp);
      expect(c.sweep.fp[i]).toBe(fp);
    }
    // every distinct score, exactly scikit-learn's roc_curve and precision_recall_curve
    const roc = rocCurve(yTest, testProba);
    expect(c.roc).toEqual({ fpr: roc.fpr, tpr: roc.tpr });
    const pr = prCurve(yTest, testProba);
    expect(c.pr).toEqual({ precision: pr.precision, recall: pr.recall });
    expect(c.calibration).toEqual(calibrationBins(yTest, testProba, 10).filter((b) => b.count > 0)
      .map((b) => ({ meanPredicted: b.meanPredicted, fractionPositive: b.fractionPositive, count: b.count })));
    expect(c.calibration.reduce((a, b) => a + b.count, 0)).toBe(3000);
    expect(input.features.used).toEqual(['pages', EVIL, 'device=mobile', 'device=desktop']);
  });

  it('caps the regressor scatter at 2,000 points and bins every residual', () => {
    const input = buildReportInput(state(true), { now });
    const r = input.regressor!;
    const run = state(true).runs[1] as RegressorRun;
    const { yTest, predTest } = run.result;
    expect(r.points.actual).toHaveLength(MAX_REGRESSOR_POINTS);
    for (const k of [0, 1, 1000, MAX_REGRESSOR_POINTS - 1]) {
      const row = Math.round((k * (yTest.length - 1)) / (MAX_REGRESSOR_POINTS - 1));
      expect([r.points.actual[k], r.points.predicted[k]]).toEqual([yTest[row], predTest[row]]);
    }
    // the same histogram as the Residuals cell and the MLflow artifact
    expect(r.residualHistogram).toEqual(residualHistogram(yTest, predTest));
    const h = r.residualHistogram;
    expect(h.counts.reduce((a, b) => a + b, 0) + h.below + h.above).toBe(5000);
    expect(r.metrics).toEqual({ rmse: 9, mae: 7, r2: 0.6, mape: 0.2 });
    expect(r.targets.map((t) => t.met)).toEqual([true, true, true, true]);
    expect(input.runs.map((x) => x.name)).toEqual([`logistic ${EVIL}`, 'ridge']);
  });

  it('holds no data rows unless a sample is asked for', () => {
    const without = JSON.stringify(buildReportInput(state(true), { now }));
    expect(without).not.toContain('secret-level');
    const input = buildReportInput(state(true), { now, sampleRows: 3 });
    expect(input.sample?.rows).toHaveLength(3);
    expect(input.sample?.rows[0]).toHaveLength(5);
    expect(input.sample?.rows[2]?.[4]).toBe('secret-level');
  });

  it('renders hostile names as text in the HTML', () => {
    const html = currentReportHtml(state(true), { now });
    expect(html).not.toContain(EVIL);
    expect(html).toContain('&lt;img src=x onerror=window.__pwned=1&gt;');
  });

  it('shows R² of a constant test target as n/a, in the metrics, the baseline, the targets and the runs table', () => {
    const constant = regressorRun(800);
    const yTest = new Float64Array(800).fill(40);
    const predTest = constant.result.predTest;
    const result = { ...constant.result, yTest, metrics: regressionMetrics(yTest, predTest), baseline: meanBaseline([39, 41], yTest) };
    const st = state(true);
    const runs = [st.runs[0]!, { ...constant, result }];
    const input = buildReportInput({ ...st, runs }, { now });
    expect(input.regressor?.metrics).not.toHaveProperty('r2');
    expect(input.regressor?.baseline).not.toHaveProperty('r2');
    expect(input.regressor?.undefinedMetrics).toEqual({ r2: 'n/a — the test target is constant' });
    const html = currentReportHtml({ ...st, runs }, { now });
    const row = /<tr data-metric="r2">(.*?)<\/tr>/s.exec(html)?.[1] ?? '';
    expect(row).toContain('<td class="num" data-value="">n/a — the test target is constant</td><td class="num">n/a — the test target is constant</td>');
    expect(row).toContain('cannot be judged');
    // the classifier's four targets and the regressor's three others are judged; R²'s is not counted as missed
    expect(html).toMatch(/\d of 7 met<\/span> \(1 cannot be judged on this test split\)/);
    const runsTable = /<table class="runs" data-testid="report-runs-regressor">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    expect(runsTable).toContain('n/a — the test target is constant');
    // the machine-readable summary has no R² value at all
    expect(html).not.toMatch(/"r2":0[,}]/);
  });

  it('carries the workbench version from package.json', () => {
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { version: string };
    expect(buildReportInput(state(false), { now }).workbenchVersion).toBe(pkg.version);
    expect(WORKBENCH_VERSION).toBe(pkg.version);
  });
});
