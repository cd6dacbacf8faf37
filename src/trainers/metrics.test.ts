import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bceOfLogit,
  binaryClfCurve,
  binaryClfCurveOfGroups,
  averagePrecision,
  averagePrecisionFromSweep,
  brierScore,
  calibrationBins,
  confusionAt,
  logLoss,
  meanBaseline,
  prCurve,
  prFromSweep,
  regressionMetrics,
  rocAuc,
  rocAucFromSweep,
  rocCurve,
  rocFromSweep,
} from './metrics.ts';
import { buildThresholdSweep, sweepAt } from './thresholdSweep.ts';
import { classWeights } from './resample.ts';
import { createRng } from './random.ts';

interface GoldenConfusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

interface GoldenClassification {
  y_true: number[];
  y_score: number[];
  roc_auc: number;
  average_precision: number;
  log_loss: number;
  balanced_class_weight: { '0': number; '1': number };
  weighted_log_loss: number;
  brier: number;
  roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr_curve: { precision: number[]; recall: number[]; thresholds: number[] };
  at_threshold: Record<string, GoldenConfusion>;
}

interface GoldenRegression {
  y_true: number[];
  y_pred: number[];
  rmse: number;
  mae: number;
  r2: number;
  mape: number;
  explained_variance: number;
}

interface Golden {
  classification: Record<string, GoldenClassification>;
  regression: Record<string, GoldenRegression>;
}

// The project clone sits beside shared/, both locally (cwd /work/main) and in CI.
const golden = JSON.parse(readFileSync(path.resolve(process.cwd(), '../shared/golden/metrics.json'), 'utf8')) as Golden;

const TOL = 1e-9;

/**
 * The JSON prints y_score to 6 decimals, but scikit-learn scored the full-precision values, which are exactly the
 * distinct thresholds of its full ROC curve: put them back. Where two thresholds print alike, the curve's
 * per-threshold positive/negative counts say how many rows of each label take each value (rows of one label are
 * interchangeable for every metric here).
 */
function exactScores(g: GoldenClassification): number[] {
  const positives = g.y_true.filter((v) => v === 1).length;
  const negatives = g.y_true.length - positives;
  const { fpr, tpr, thresholds } = g.roc_curve;
  const slots = new Map<number, Array<{ value: number; pos: number; neg: number }>>();
  for (let i = 1; i < thresholds.length; i++) {
    const value = thresholds[i] as number;
    const key = Math.round(value * 1e6) / 1e6;
    const pos = Math.round(((tpr[i] as number) - (tpr[i - 1] as number)) * positives);
    const neg = Math.round(((fpr[i] as number) - (fpr[i - 1] as number)) * negatives);
    slots.set(key, [...(slots.get(key) ?? []), { value, pos, neg }]);
  }
  return g.y_score.map((s, row) => {
    const positive = g.y_true[row] === 1;
    const slot = (slots.get(s) ?? []).find((x) => (positive ? x.pos : x.neg) > 0);
    if (slot === undefined) throw new Error(`golden y_score ${s} at row ${row} matches no roc threshold`);
    if (positive) slot.pos--;
    else slot.neg--;
    return slot.value;
  });
}

function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

function expectArrayClose(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i] as number, expected[i] as number, `${what}[${i}]`);
}

describe('classification metrics match scikit-learn 1.2.1', () => {
  const cases = Object.entries(golden.classification);
  it('has golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  for (const [name, g] of cases) {
    describe(name, () => {
      const score = exactScores(g);
      it('the exact scores print as the golden y_score', () => {
        expect(score.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(g.y_score);
      });

      it('roc_auc, average_precision, log_loss, brier', () => {
        expectClose(rocAuc(g.y_true, score), g.roc_auc, 'roc_auc');
        expectClose(averagePrecision(g.y_true, score), g.average_precision, 'average_precision');
        expectClose(logLoss(g.y_true, score), g.log_loss, 'log_loss');
        expectClose(brierScore(g.y_true, score), g.brier, 'brier');
      });

      it('balanced class weights and the weighted log loss', () => {
        const w = classWeights(g.y_true, 'balanced');
        expectClose(w.w0, g.balanced_class_weight['0'], 'w0');
        expectClose(w.w1, g.balanced_class_weight['1'], 'w1');
        const sampleWeight = g.y_true.map((v) => (v === 1 ? w.w1 : w.w0));
        expectClose(logLoss(g.y_true, score, sampleWeight), g.weighted_log_loss, 'weighted_log_loss');
      });

      it('roc_curve', () => {
        const roc = rocCurve(g.y_true, score);
        expectArrayClose(roc.fpr, g.roc_curve.fpr, 'fpr');
        expectArrayClose(roc.tpr, g.roc_curve.tpr, 'tpr');
        expectArrayClose(roc.thresholds, g.roc_curve.thresholds, 'thresholds');
      });

      it('precision_recall_curve', () => {
        const pr = prCurve(g.y_true, score);
        expectArrayClose(pr.precision, g.pr_curve.precision, 'precision');
        expectArrayClose(pr.recall, g.pr_curve.recall, 'recall');
        expectArrayClose(pr.thresholds, g.pr_curve.thresholds, 'thresholds');
      });

      it('the curves from one sweep are the curves of the scores, and precision with nothing flagged is settled once', () => {
        const sweep = buildThresholdSweep(g.y_true, score);
        const roc = rocFromSweep(sweep);
        expectArrayClose(roc.fpr, g.roc_curve.fpr, 'sweep fpr');
        expectArrayClose(roc.tpr, g.roc_curve.tpr, 'sweep tpr');
        const pr = prFromSweep(sweep);
        expectArrayClose(pr.precision, g.pr_curve.precision, 'sweep precision');
        expectArrayClose(pr.recall, g.pr_curve.recall, 'sweep recall');
        expectClose(rocAucFromSweep(sweep), g.roc_auc, 'sweep roc_auc');
        expectClose(averagePrecisionFromSweep(sweep), g.average_precision, 'sweep average_precision');
        // precision_recall_curve ends where nothing is flagged, at precision 1 ...
        expect([pr.recall.at(-1), pr.precision.at(-1)]).toEqual([g.pr_curve.recall.at(-1), g.pr_curve.precision.at(-1)]);
        expect(g.pr_curve.precision.at(-1)).toBe(1);
        // ... while precision_score at a threshold that flags nothing is 0 (zero_division=0), from counts or from the sweep
        const above = Math.max(...score) + 0.5;
        expect(confusionAt(g.y_true, score, above).precision).toBe(0);
        expect(sweepAt(sweep, above)).toEqual(confusionAt(g.y_true, score, above));
      });

      it('confusion at fixed thresholds', () => {
        const entries = Object.entries(g.at_threshold);
        expect(entries.length).toBeGreaterThan(0);
        for (const [t, e] of entries) {
          const c = confusionAt(g.y_true, score, Number(t));
          expect({ tp: c.tp, fp: c.fp, tn: c.tn, fn: c.fn }, `counts at ${t}`).toEqual({ tp: e.tp, fp: e.fp, tn: e.tn, fn: e.fn });
          expectClose(c.precision, e.precision, `precision at ${t}`);
          expectClose(c.recall, e.recall, `recall at ${t}`);
          expectClose(c.f1, e.f1, `f1 at ${t}`);
          expectClose(c.accuracy, e.accuracy, `accuracy at ${t}`);
          expectClose(c.predictedPositiveRate, (e.tp + e.fp) / g.y_true.length, `predictedPositiveRate at ${t}`);
        }
      });
    });
  }
});

describe('regression metrics match scikit-learn 1.2.1', () => {
  for (const [name, g] of Object.entries(golden.regression)) {
    it(name, () => {
      const m = regressionMetrics(g.y_true, g.y_pred);
      // y_pred is printed to 6 decimals and sklearn saw the unrounded values, so 1e-9 cannot be met: each metric
      // gets the largest shift that rounding by at most 5e-7 per prediction can cause (and never less than 1e-9).
      const n = g.y_true.length;
      const delta = 5e-7;
      const errNorm = Math.sqrt(m.rmse * m.rmse * n);
      const meanY = g.y_true.reduce((a, b) => a + b, 0) / n;
      const sst = g.y_true.reduce((a, y) => a + (y - meanY) ** 2, 0);
      const deltaNorm = delta * Math.sqrt(n);
      const nonZero = g.y_true.filter((y) => y !== 0);
      const bound = {
        rmse: delta,
        mae: delta,
        r2: (2 * errNorm * deltaNorm + deltaNorm ** 2) / sst,
        mape: (delta * nonZero.reduce((a, y) => a + 1 / Math.abs(y), 0)) / nonZero.length,
      };
      const within = (actual: number, expected: number, b: number, what: string): void => {
        expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(TOL, b));
      };
      within(m.rmse, g.rmse, bound.rmse, 'rmse');
      within(m.mae, g.mae, bound.mae, 'mae');
      within(m.r2, g.r2, bound.r2, 'r2');
      within(m.mape, g.mape, bound.mape, 'mape');
      within(m.explainedVariance, g.explained_variance, bound.r2, 'explained_variance');
    });
  }
});

describe('edge cases', () => {
  it('precision is 0 when nothing is predicted positive', () => {
    const c = confusionAt([0, 1, 1], [0.1, 0.2, 0.3], 0.9);
    expect(c).toMatchObject({ tp: 0, fp: 0, tn: 1, fn: 2, precision: 0, recall: 0, f1: 0, predictedPositiveRate: 0 });
  });

  it('a score equal to the threshold is predicted positive', () => {
    expect(confusionAt([1, 0], [0.5, 0.4], 0.5)).toMatchObject({ tp: 1, fp: 0 });
  });

  it('roc auc of a perfect and a reversed ranking; ties count half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
  });

  it('roc auc refuses a single class and bad labels', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    expect(() => rocAuc([0, 2], [0.2, 0.3])).toThrow(/row 1 is 2/);
    expect(() => rocAuc([0, 1], [0.2, Number.NaN])).toThrow(/row 1 is NaN/);
  });

  it('log loss clips probabilities of exactly 0 and 1 at 1e-7', () => {
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(1e-7), 9);
  });

  it('roc curve: dropIntermediate keeps the corners and the area', () => {
    const y = [0, 0, 1, 0, 1, 1, 0, 1];
    const s = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const full = rocCurve(y, s);
    const thin = rocCurve(y, s, { dropIntermediate: true });
    expect(full.thresholds).toHaveLength(9);
    expect(thin.thresholds.length).toBeLessThan(full.thresholds.length);
    const area = (c: { fpr: number[]; tpr: number[] }): number =>
      c.fpr.slice(1).reduce((a, f, i) => a + (f - (c.fpr[i] as number)) * ((c.tpr[i + 1] as number) + (c.tpr[i] as number)) / 2, 0);
    expect(area(thin)).toBeCloseTo(area(full), 12);
    expect(area(full)).toBeCloseTo(rocAuc(y, s), 12);
  });

  it('calibration bins: uniform, edges to the lower bin, empty bins kept', () => {
    const bins = calibrationBins([0, 1, 1, 0, 1], [0.05, 0.1, 0.15, 0.95, 1], 10);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(bins[0]).toMatchObject({ lo: 0, fractionPositive: 0.5 });
    expect(bins[0]?.meanPredicted).toBeCloseTo(0.075, 12);
    expect(bins[9]).toMatchObject({ hi: 1, fractionPositive: 0.5 });
    expect(bins[9]?.meanPredicted).toBeCloseTo(0.975, 12);
    expect(Number.isNaN(bins[4]?.meanPredicted)).toBe(true);
  });

  it('mape skips zero targets; the mean baseline predicts the training mean', () => {
    expect(regressionMetrics([0, 10, 20], [5, 12, 18]).mape).toBeCloseTo(0.15, 12);
    const b = meanBaseline([10, 30], [10, 30]);
    expect(b.rmse).toBe(10);
    expect(b.mae).toBe(10);
    expect(b.r2).toBe(0);
  });
});

describe('speed', () => {
  it('curves and auc over 100,000 rows stay far from a pass per row pair (the bound leaves room for a loaded CI machine; the bench measures speed)', () => {
    const rng = createRng(7);
    const n = 100_000;
    const y = new Float32Array(n);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng() < 0.1 ? 1 : 0;
      s[i] = Math.round((rng() * 0.7 + (y[i] as number) * 0.3) * 1000) / 1000;
    }
    rocAuc(y, s);
    const t0 = performance.now();
    const auc = rocAuc(y, s);
    const ap = averagePrecision(y, s);
    const ms = performance.now() - t0;
    expect(auc).toBeGreaterThan(0.5);
    expect(ap).toBeGreaterThan(0.1);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('regressionMetrics: a constant target', () => {
  it('gives R² 0 (1 when exact) like scikit-learn, not -1e14 from rounding in the mean', () => {
    const y = new Float64Array(7).fill(0.1);
    expect(regressionMetrics(y, new Float64Array(7).fill(0.3)).r2).toBe(0);
    expect(regressionMetrics(y, y).r2).toBe(1);
  });
});

describe('binaryClfCurveOfGroups', () => {
  it('equals the row-by-row curve when rows of equal score come as counted groups, ties across groups merged', () => {
    const rng = createRng(5);
    // 40 groups on 12 distinct scores (so different groups tie), each with its own positives and negatives
    const levels = Array.from({ length: 12 }, (_, i) => Math.fround(i / 11 - 0.3));
    const score = new Float64Array(40);
    const positives = new Float64Array(40);
    const negatives = new Float64Array(40);
    const rowScore: number[] = [];
    const rowY: number[] = [];
    for (let g = 0; g < 40; g++) {
      score[g] = levels[Math.floor(rng() * levels.length)] ?? 0;
      positives[g] = Math.floor(rng() * 4);
      negatives[g] = Math.floor(rng() * 9);
      for (let k = 0; k < positives[g]!; k++) { rowScore.push(score[g]!); rowY.push(1); }
      for (let k = 0; k < negatives[g]!; k++) { rowScore.push(score[g]!); rowY.push(0); }
    }
    const grouped = binaryClfCurveOfGroups(score, positives, negatives);
    const rows = binaryClfCurve(rowY, rowScore);
    expect(Array.from(grouped.thresholds)).toEqual(Array.from(rows.thresholds));
    expect(Array.from(grouped.tps)).toEqual(Array.from(rows.tps));
    expect(Array.from(grouped.fps)).toEqual(Array.from(rows.fps));
    expect([grouped.positives, grouped.negatives]).toEqual([rows.positives, rows.negatives]);
    expect(rocAucFromSweep(grouped)).toBe(rocAuc(rowY, rowScore));
  });
});

describe('bceOfLogit', () => {
  it('is −[y·log p + (1 − y)·log(1 − p)] with p = sigmoid(z), and stays finite where p rounds to 0 or 1', () => {
    for (const z of [-8, -1.5, 0, 0.3, 4]) {
      const p = 1 / (1 + Math.exp(-z));
      expect(bceOfLogit(z, 1)).toBeCloseTo(-Math.log(p), 12);
      expect(bceOfLogit(z, 0)).toBeCloseTo(-Math.log(1 - p), 12);
    }
    expect(bceOfLogit(800, 0)).toBe(800);
    expect(bceOfLogit(-800, 1)).toBe(800);
  });
});
