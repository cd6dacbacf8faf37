/** Test-only: seeded, realistic fixtures (a ReportInput from synthetic scores, a sample notebook) for the unit tests. */
import type { ReportInput } from '../src/report/reportTypes.ts';
import type { ThresholdGrid } from '../src/trainers/thresholdSweep.ts';
import { SWEEP_STEPS } from '../src/report/sweepConfusion.ts';
import { NOTEBOOK_SCHEMA_VERSION, type NotebookDoc } from '../src/notebook/notebookSchema.ts';
import type { CellSettingsSchemas } from '../src/notebook/serializer.ts';
import { ClassifierCellSchema, DEFAULT_NOTEBOOK_SETTINGS, NoSettingsSchema } from '../src/notebook/settings.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../src/trainers/config.ts';
import { createRng } from '../src/trainers/random.ts';

/** Options for `syntheticReportInput`. */
export interface SyntheticReportOptions {
  /** test rows behind the curves; the ROC and PR curves get about one point per distinct score */
  readonly testRows?: number;
  readonly seed?: number;
  /** put hostile markup in every user-controlled string (column, file, run and level names) */
  readonly hostileText?: string;
  readonly withSample?: boolean;
}

/** Labels (about 12% positive) and scores of a decent but imperfect classifier. */
export function syntheticScores(n: number, seed: number): { labels: Uint8Array; scores: Float64Array } {
  const random = createRng(seed);
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const positive = random() < 0.12;
    labels[i] = positive ? 1 : 0;
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const logit = (positive ? 0.4 : -2.6) + 1.2 * gaussian;
    scores[i] = 1 / (1 + Math.exp(-logit));
  }
  return { labels, scores };
}

/** True and false positives (score ≥ i/1000) at the 1,001 grid thresholds, counted directly. */
export function sweepFromScores(labels: Uint8Array, scores: Float64Array): ThresholdGrid {
  const tpAt = new Array<number>(SWEEP_STEPS + 2).fill(0);
  const fpAt = new Array<number>(SWEEP_STEPS + 2).fill(0);
  let positives = 0;
  for (let r = 0; r < scores.length; r++) {
    const s = scores[r] as number;
    // The largest grid index i with i/1000 ≤ s, using the same division as the thresholds themselves.
    let i = Math.min(SWEEP_STEPS, Math.floor(s * SWEEP_STEPS));
    while (i < SWEEP_STEPS && (i + 1) / SWEEP_STEPS <= s) i++;
    while (i >= 0 && i / SWEEP_STEPS > s) i--;
    if (labels[r] === 1) {
      positives++;
      if (i >= 0) tpAt[i] = (tpAt[i] as number) + 1;
    } else if (i >= 0) {
      fpAt[i] = (fpAt[i] as number) + 1;
    }
  }
  const tp = new Array<number>(SWEEP_STEPS + 1);
  const fp = new Array<number>(SWEEP_STEPS + 1);
  let tpRun = 0;
  let fpRun = 0;
  for (let i = SWEEP_STEPS; i >= 0; i--) {
    tpRun += tpAt[i] as number;
    fpRun += fpAt[i] as number;
    tp[i] = tpRun;
    fp[i] = fpRun;
  }
  return {
    thresholds: Array.from({ length: SWEEP_STEPS + 1 }, (_, i) => i / SWEEP_STEPS),
    tp, fp, positives, negatives: scores.length - positives,
  };
}

/** ROC and PR curves at every distinct score, with ROC AUC (trapezoids) and average precision (step sum). */
export function curvesFromScores(labels: Uint8Array, scores: Float64Array): {
  roc: { fpr: number[]; tpr: number[] }; pr: { precision: number[]; recall: number[] }; auc: number; ap: number;
} {
  const order = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let positives = 0;
  for (const l of labels) positives += l;
  const negatives = labels.length - positives;
  const fpr = [0];
  const tpr = [0];
  const precision = [1];
  const recall = [0];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let ap = 0;
  for (let k = 0; k < order.length; k++) {
    const r = order[k] as number;
    if (labels[r] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[r]) continue;
    const x = fp / negatives;
    const y = tp / positives;
    auc += (x - (fpr[fpr.length - 1] as number)) * (y + (tpr[tpr.length - 1] as number)) / 2;
    ap += (y - (recall[recall.length - 1] as number)) * (tp / (tp + fp));
    fpr.push(x);
    tpr.push(y);
    precision.push(tp / (tp + fp));
    recall.push(y);
  }
  return { roc: { fpr, tpr }, pr: { precision, recall }, auc, ap };
}

/** A full, realistic report input (classifier, regressor, runs) from seeded synthetic data. */
export function syntheticReportInput(options: SyntheticReportOptions = {}): ReportInput {
  const n = options.testRows ?? 20_000;
  const seed = options.seed ?? 7;
  const evil = options.hostileText ?? '';
  const { labels, scores } = syntheticScores(n, seed);
  const sweep = sweepFromScores(labels, scores);
  const curves = curvesFromScores(labels, scores);
  const calibration = Array.from({ length: 10 }, (_, b) => {
    let count = 0;
    let sum = 0;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const s = scores[i] as number;
      if (Math.min(9, Math.floor(s * 10)) !== b) continue;
      count++;
      sum += s;
      hits += labels[i] as number;
    }
    return { meanPredicted: count > 0 ? sum / count : (b + 0.5) / 10, fractionPositive: count > 0 ? hits / count : 0, count };
  }).filter((bin) => bin.count > 0);

  const random = createRng(seed + 1);
  const actual: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const value = Math.exp(3.5 + 0.8 * (random() + random() + random() - 1.5));
    actual.push(Math.round(value * 100) / 100);
    predicted.push(Math.round(value * (0.75 + 0.5 * random()) * 100) / 100);
  }
  const residuals = actual.map((a, i) => a - (predicted[i] as number));
  const lo = Math.floor(Math.min(...residuals));
  const hi = Math.ceil(Math.max(...residuals));
  const bins = 30;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const e of residuals) {
    const b = Math.min(bins - 1, Math.floor(((e - lo) / (hi - lo)) * bins));
    counts[b] = (counts[b] as number) + 1;
  }

  const columns = [
    'session_id', 'country', 'device', 'browser', 'referrer', 'pages_viewed', 'time_on_site', 'cart_adds',
    'returning_visitor', 'discount_seen', 'hour', 'weekday', 'campaign', 'ordered', 'revenue',
  ].map((name, i) => ({ name: i === 2 ? `device${evil}` : name, type: i < 5 || i === 12 ? 'string' : 'double', nulls: (i * 37) % 11 }));
  const positives = sweep.positives;
  return {
    title: `Conversion and revenue${evil}`,
    createdAt: '2025-03-14T09:26:53.000Z',
    workbenchVersion: '0.1.0',
    data: {
      source: `orders${evil}.parquet`,
      rows: 5 * n,
      columns,
      sha256: 'a3f1c9e07b5d2e4f8a6c1b3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e0f',
      classBalance: { negatives: n - positives, positives, rate: positives / n },
      meanOrderValue: 48.731,
    },
    leakage: [
      { feature: 'revenue', auc: 1, flagged: true, reasons: ['derived from the label', `perfect separation${evil}`] },
      { feature: 'cart_adds', auc: 0.74, flagged: false, reasons: [] },
      { feature: `device${evil}`, auc: 0.55, flagged: false, reasons: [] },
    ],
    features: {
      used: columns.filter((c) => c.name !== 'ordered' && c.name !== 'revenue' && c.name !== 'session_id').map((c) => c.name),
      excluded: [
        { column: 'session_id', reason: 'identifier' },
        { column: 'revenue', reason: 'leaks the label' },
        { column: 'ordered', reason: 'the label' },
      ],
    },
    classifier: {
      settings: { model: 'mlp', hiddenUnits: '64,32', dropout: 0.2, learningRate: 0.001, batchSize: 512, epochs: 40, classWeight: 'balanced', seed },
      backend: 'webgl',
      metrics: {
        auc_roc: curves.auc, pr_auc: curves.ap, f1_score: 0.61, precision: 0.58, recall: 0.64, accuracy: 0.9,
        log_loss: 0.27, brier: 0.08, threshold: 0.42,
      },
      targets: [
        { metric: 'auc_roc', op: '>', value: 0.85, met: curves.auc > 0.85 },
        { metric: 'f1_score', op: '>', value: 0.65, met: false },
        { metric: 'brier', op: '<', value: 0.1, met: true },
      ],
      roc: curves.roc,
      pr: curves.pr,
      sweep,
      calibration,
      threshold: 0.42,
    },
    regressor: {
      settings: { model: 'mlp', strategy: 'two_stage', target_transform: 'log1p', epochs: 60, seed },
      backend: 'webgl',
      metrics: { rmse: 12.4, mae: 8.1, r2: 0.71, mape: 0.19 },
      baseline: { rmse: 23.0, mae: 16.2, r2: 0, mape: 0.44 },
      targets: [{ metric: 'r2', op: '>', value: 0.6, met: true }, { metric: 'mape', op: '<', value: 0.15, met: false }],
      points: { actual, predicted },
      residualHistogram: { edges, counts, below: 0, above: 0 },
    },
    runs: Array.from({ length: 6 }, (_, i) => ({
      id: `run-${i + 1}`,
      name: i === 0 ? `baseline${evil}` : `mlp #${i}`,
      kind: i % 2 === 0 ? 'classifier' : 'regressor',
      backend: i < 3 ? 'webgl' : 'wasm',
      metrics: i % 2 === 0 ? { auc_roc: 0.85 + i * 0.01, f1_score: 0.55 + i * 0.01, log_loss: 0.3 - i * 0.01 } : { rmse: 14 - i, r2: 0.6 + i * 0.02 },
      settings: { model: i === 0 ? 'logistic' : 'mlp', learningRate: 0.001 * (i + 1), seed: i },
    })),
    ...(options.withSample === true ? {
      sample: {
        columns: columns.map((c) => c.name),
        rows: Array.from({ length: 5 }, (_, r) => columns.map((c, j) => (c.type === 'string' ? (j === 1 ? `NL${evil}` : `v${r}`) : r * j === 0 ? null : r * j))),
      },
    } : {}),
  };
}

/** The settings schemas of the cell kinds the sample notebook uses, standing in for the app's registry in tests. */
export const SAMPLE_CELL_SCHEMAS: CellSettingsSchemas = {
  data: NoSettingsSchema, profile: NoSettingsSchema, leakage: NoSettingsSchema, trainClassifier: ClassifierCellSchema, threshold: NoSettingsSchema, report: NoSettingsSchema,
};

/** A notebook like the default one, with nested settings and awkward text. */
export const SAMPLE_NOTEBOOK: NotebookDoc = {
  schemaVersion: NOTEBOOK_SCHEMA_VERSION,
  name: 'Conversion <b>study</b> — été ✓',
  data: { type: 'url', name: 'orders.parquet', url: 'https://example.org/data/orders.parquet' },
  settings: { ...DEFAULT_NOTEBOOK_SETTINGS, excluded: ['engagement_depth', 'pays <€>'], transforms: { pages: { kind: 'clip', min: 0, max: 40 } }, threshold: 0.42, backendPreference: 'wasm' },
  cells: [
    { id: 'data-1', kind: 'data', collapsed: false, config: {} },
    { id: 'profile-2', kind: 'profile', collapsed: true, config: {} },
    {
      id: 'train-3', kind: 'trainClassifier', collapsed: false,
      config: { ...DEFAULT_CLASSIFIER_CONFIG, hiddenUnits: [64, 32], classWeight: { positiveWeight: 3.5 }, learningRate: 1e-3 },
    },
    { id: 'threshold-4', kind: 'threshold', collapsed: false, config: {} },
  ],
};
