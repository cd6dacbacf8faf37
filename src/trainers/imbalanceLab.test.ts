import { describe, expect, it } from 'vitest';
import { conclusion, runImbalanceLab, type ImbalanceRow } from './imbalanceLab.ts';
import { createRng } from './random.ts';

describe('imbalance lab', () => {
  it('compares every strategy on the same folds; weighting moves calibration, not ranking', () => {
    const rng = createRng(12);
    const rows = 3000;
    const cols = 3;
    const X = new Float32Array(rows * cols);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const a = rng() * 2 - 1;
      X.set([a, rng() < 0.4 ? 1 : 0, rng() * 2 - 1], r * cols);
      y[r] = rng() < 1 / (1 + Math.exp(-(-3 + 1.5 * a + 0.5 * (X[r * cols + 1] as number)))) ? 1 : 0;
    }
    const lab = runImbalanceLab({ X, rows, cols, y, k: 4, seed: 5 });
    expect(lab.map((r) => r.strategy)).toEqual(['none', 'classWeights', 'oversample', 'smote', 'undersample', 'threshold']);
    const by = Object.fromEntries(lab.map((r) => [r.strategy, r])) as Record<string, ImbalanceRow>;
    // Same model, same folds: 'none' and 'threshold' rank identically and differ only in the deployed threshold.
    expect(by.threshold?.mean.rocAuc).toBe(by.none?.mean.rocAuc);
    expect(by.threshold?.mean.operatingThreshold).toBeLessThan(0.5);
    expect(Math.abs((by.classWeights?.mean.rocAuc ?? 0) - (by.none?.mean.rocAuc ?? 0))).toBeLessThan(0.01);
    expect(by.classWeights?.mean.brier).toBeGreaterThan((by.none?.mean.brier ?? 1) * 1.5);
    const sentence = conclusion(lab);
    expect(sentence).toMatch(/^Across 4 folds, weighting and resampling barely move ranking/);
    expect(sentence).toMatch(/wreck calibration/);
    expect(sentence.split('. ').length).toBe(1);
  });

  it('needs the baseline row', () => {
    expect(() => conclusion([])).toThrow(/no "none" row/);
  });
});
