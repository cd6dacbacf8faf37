import { describe, expect, it } from 'vitest';
import { createRng } from './random.ts';
import {
  bestCandidate,
  createSearchCache,
  evaluateCandidate,
  gridCandidates,
  randomCandidates,
  summarise,
  workUnits,
  type SearchData,
  type SearchSpec,
  type UnitResult,
} from './search.ts';

function data(rows: number, seed: number): SearchData {
  const rng = createRng(seed);
  const cols = 3;
  const X = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    X.set([a, rng() < 0.5 ? 1 : 0, Math.floor(rng() * 4)], r * cols);
    y[r] = rng() < 1 / (1 + Math.exp(-(-2 + 2 * a))) ? 1 : 0;
  }
  return { X, rows, cols, y, task: 'classifier' };
}

const unit = (candidate: number, fold: number, scores: Record<string, number>): UnitResult => ({
  candidate, fold, params: { C: candidate }, scores, iterations: 3, converged: true, ms: 1,
});

describe('candidates', () => {
  it('grid is every combination, keys in the given order', () => {
    const g = gridCandidates({ C: [0.01, 0.1, 1], solver: ['lbfgs', 'newton'] });
    expect(g).toHaveLength(6);
    expect(g[0]).toEqual({ C: 0.01, solver: 'lbfgs' });
    expect(g[5]).toEqual({ C: 1, solver: 'newton' });
    expect(() => gridCandidates({ C: [] })).toThrow(/no values/);
  });

  it('random draws are seeded and inside the space', () => {
    const space = { C: { kind: 'logUniform', low: 0.001, high: 10 }, solver: ['lbfgs', 'newton'], maxIter: { kind: 'int', low: 50, high: 60 } } as const;
    const a = randomCandidates(space, 20, 5);
    expect(randomCandidates(space, 20, 5)).toEqual(a);
    for (const c of a) {
      expect(c.C).toBeGreaterThanOrEqual(0.001);
      expect(c.C).toBeLessThanOrEqual(10);
      expect(['lbfgs', 'newton']).toContain(c.solver);
      expect(Number.isInteger(c.maxIter)).toBe(true);
    }
  });

  it('6 candidates × 5 folds make 30 work units, fold-major', () => {
    const units = workUnits(gridCandidates({ C: [0.01, 0.1, 1], solver: ['lbfgs', 'newton'] }), 5);
    expect(units).toHaveLength(30);
    expect(units.slice(0, 6).every((u) => u.fold === 0)).toBe(true);
    expect(new Set(units.map((u) => `${u.candidate}:${u.fold}`)).size).toBe(30);
  });
});

describe('summarise and bestCandidate', () => {
  it('mean ± population std per candidate, best by direction of the metric', () => {
    const rows = summarise([
      unit(1, 0, { rocAuc: 0.6, logLoss: 0.5 }),
      unit(0, 0, { rocAuc: 0.7, logLoss: 0.6 }),
      unit(0, 1, { rocAuc: 0.8, logLoss: 0.4 }),
      unit(1, 1, { rocAuc: 0.6, logLoss: 0.3 }),
    ]);
    expect(rows.map((r) => r.candidate)).toEqual([0, 1]);
    expect(rows[0]?.mean.rocAuc).toBeCloseTo(0.75, 12);
    expect(rows[0]?.std.rocAuc).toBeCloseTo(0.05, 12);
    expect(rows[1]?.std.rocAuc).toBe(0);
    expect(bestCandidate(rows, 'rocAuc').candidate).toBe(0);
    expect(bestCandidate(rows, 'logLoss').candidate).toBe(1);
    expect(() => bestCandidate(rows, 'rmse')).toThrow(/no candidate has a score for "rmse"/);
  });
});

describe('evaluateCandidate', () => {
  const d = data(2000, 3);
  const spec: SearchSpec = { trainer: 'logistic', k: 5, seed: 1, base: { classWeight: 'balanced' } };

  it('scores one (candidate, fold) pair; the cache gives identical results', () => {
    const cache = createSearchCache(d);
    const u = { candidate: 2, fold: 3, params: { C: 0.1, solver: 'newton' } };
    const a = evaluateCandidate({ data: d, spec, unit: u });
    const b = evaluateCandidate({ data: d, spec, unit: u }, cache);
    const c = evaluateCandidate({ data: d, spec, unit: u }, cache);
    expect(a.scores).toEqual(b.scores);
    expect(b.scores).toEqual(c.scores);
    expect(a.candidate).toBe(2);
    expect(a.fold).toBe(3);
    expect(a.scores.rocAuc).toBeGreaterThan(0.6);
    expect(a.converged).toBe(true);
  });

  it('both solvers give the same fold AUC', () => {
    const l = evaluateCandidate({ data: d, spec, unit: { candidate: 0, fold: 0, params: { C: 1, solver: 'lbfgs', tol: 1e-8 } } });
    const n = evaluateCandidate({ data: d, spec, unit: { candidate: 1, fold: 0, params: { C: 1, solver: 'newton', tol: 1e-8 } } });
    expect(l.scores.rocAuc).toBeCloseTo(n.scores.rocAuc ?? 0, 6);
  });

  it('rejects a bad parameter by name', () => {
    expect(() => evaluateCandidate({ data: d, spec, unit: { candidate: 0, fold: 0, params: { solver: 'sgd' } } })).toThrow(/parameter "solver" is "sgd"/);
  });

  it('searches ridge alpha for a regressor', () => {
    const r: SearchData = { ...d, y: Float32Array.from(d.y, (v, i) => (v ? 40 + (d.X[i * 3] as number) * 10 : 0)), task: 'regressor' };
    const res = evaluateCandidate({ data: r, spec: { trainer: 'ridge', k: 4, seed: 2 }, unit: { candidate: 0, fold: 1, params: { alpha: 1 } } });
    expect(res.scores.rmse).toBeGreaterThan(0);
    expect(res.scores.mae).toBeGreaterThan(0);
  });
});
