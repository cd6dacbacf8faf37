import { describe, expect, it } from 'vitest';
import { makeFolds } from '../trainers/crossValidation.ts';
import { imbalanceFoldScores, runImbalanceLab } from '../trainers/imbalanceLab.ts';
import { createRng } from '../trainers/random.ts';
import { createSearchCache, evaluateCandidate, gridCandidates, summarise, type SearchCache, type SearchData, type SearchSpec, type WorkUnit } from '../trainers/search.ts';
import { SearchPool, nextUnit, poolSize, type SearchEndpoint } from './searchPool.ts';
import type { SearchMessage, SearchRequest } from './searchProtocol.ts';
import { serializeError } from './workerErrors.ts';

function data(rows: number): SearchData {
  const rng = createRng(8);
  const X = new Float32Array(rows * 2);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    X.set([a, rng() < 0.5 ? 1 : 0], r * 2);
    y[r] = rng() < 1 / (1 + Math.exp(-(-1.5 + 2 * a))) ? 1 : 0;
  }
  return { X, rows, cols: 2, y, task: 'classifier' };
}

/** An in-process endpoint speaking the worker protocol, so the scheduler is tested without threads. */
function fakeEndpoint(log: { loads: number; units: WorkUnit[]; transferred: ArrayBuffer[] }): SearchEndpoint {
  let handler: (msg: SearchMessage) => void = () => undefined;
  let held: SearchData | null = null;
  let cache: SearchCache | null = null;
  let alive = true;
  return {
    post: (msg: SearchRequest, transfer) => {
      setTimeout(() => {
        if (!alive) return;
        try {
          if (msg.type === 'load') {
            log.loads++;
            log.transferred.push(...transfer);
            held = msg.data;
            cache = createSearchCache(held);
            handler({ type: 'loaded', requestId: msg.requestId, rows: held.rows });
          } else if (msg.type === 'evaluate') {
            if (!held || !cache) throw new Error('no data');
            log.units.push(msg.unit);
            handler({ type: 'result', requestId: msg.requestId, result: evaluateCandidate({ data: held, spec: msg.spec, unit: msg.unit }, cache) });
          } else {
            if (!held) throw new Error('no data');
            const { k, seed, fold, strategies } = msg.unit;
            const scores = imbalanceFoldScores({ X: held.X, rows: held.rows, cols: held.cols, y: held.y, seed, strategies }, makeFolds(held.y, 'classifier', k, seed), fold);
            handler({ type: 'imbalanceResult', requestId: msg.requestId, result: { fold, scores, ms: 0 } });
          }
        } catch (err) {
          handler({ type: 'error', requestId: msg.requestId, error: serializeError(err) });
        }
      }, 1);
    },
    listen: (onMessage) => {
      handler = onMessage;
    },
    terminate: () => {
      alive = false;
    },
  };
}

const spec: SearchSpec = { trainer: 'logistic', k: 5, seed: 3, base: { classWeight: 'balanced' } };
const candidates = gridCandidates({ C: [0.01, 0.1, 1], solver: ['lbfgs', 'newton'] });

describe('poolSize and nextUnit', () => {
  it('sizes to the hardware threads, capped by the units', () => {
    expect(poolSize(8, 30)).toBe(8);
    expect(poolSize(8, 3)).toBe(3);
    expect(poolSize(undefined, 30)).toBe(1);
  });

  it('prefers the worker\'s own fold, then an unclaimed one, then steals the largest', () => {
    const q: WorkUnit[] = [{ candidate: 0, fold: 0, params: {} }, { candidate: 0, fold: 1, params: {} }, { candidate: 1, fold: 1, params: {} }];
    expect(nextUnit(q, new Set([1]), new Set([0, 1]))).toBe(1);
    expect(nextUnit(q, new Set(), new Set([1]))).toBe(0);
    expect(nextUnit(q, new Set(), new Set([0, 1]))).toBe(1);
    expect(nextUnit([], new Set(), new Set())).toBe(-1);
  });
});

describe('SearchPool', () => {
  it('spreads 6 candidates × 5 folds over 3 workers, streams every unit once, sends the matrix once per worker', async () => {
    const log = { loads: 0, units: [] as WorkUnit[], transferred: [] as ArrayBuffer[] };
    const d = data(600);
    const pool = new SearchPool({ size: 3, createEndpoint: () => fakeEndpoint(log) });
    await pool.load(d);
    const etas: (number | null)[] = [];
    const results = await pool.run({ spec, candidates, onResult: (_r, p) => etas.push(p.etaMs) }).results;
    expect(results).toHaveLength(30);
    expect(new Set(results.map((r) => `${r.candidate}:${r.fold}`)).size).toBe(30);
    expect(log.loads).toBe(3);
    expect(log.transferred).not.toContain(d.X.buffer);
    expect(d.X.byteLength).toBeGreaterThan(0);
    expect(etas[etas.length - 1]).toBe(0);
    expect(summarise(results)).toHaveLength(6);
    pool.terminate();
  });

  it('cancel rejects with AbortError and stops dispatching', async () => {
    const log = { loads: 0, units: [] as WorkUnit[], transferred: [] as ArrayBuffer[] };
    const pool = new SearchPool({ size: 2, createEndpoint: () => fakeEndpoint(log) });
    await pool.load(data(400));
    const run = pool.run({ spec, candidates, onResult: (_r, p) => { if (p.done === 2) run.cancel(); } });
    await expect(run.results).rejects.toMatchObject({ name: 'AbortError' });
    expect(log.units.length).toBeLessThan(30);
  });

  it('a failing unit rejects the search with the worker\'s error rebuilt', async () => {
    const log = { loads: 0, units: [] as WorkUnit[], transferred: [] as ArrayBuffer[] };
    const pool = new SearchPool({ size: 2, createEndpoint: () => fakeEndpoint(log) });
    await pool.load(data(300));
    await expect(pool.run({ spec, candidates: [{ C: -1 }] }).results).rejects.toThrow(/C is -1/);
    pool.terminate();
  });
});

describe('imbalance lab on the pool', () => {
  it('spreads folds over the workers and gives the same rows as the single-thread lab', async () => {
    const d = data(1500);
    const log = { loads: 0, units: [] as WorkUnit[], transferred: [] as ArrayBuffer[] };
    const pool = new SearchPool({ size: 2, createEndpoint: () => fakeEndpoint(log) });
    await pool.load(d);
    const folds: number[] = [];
    const rows = await pool.runImbalance({ k: 3, seed: 5, onFold: (r) => folds.push(r.fold) }).rows;
    pool.terminate();
    expect(folds.sort()).toEqual([0, 1, 2]);
    const expected = runImbalanceLab({ X: d.X, rows: d.rows, cols: d.cols, y: d.y, k: 3, seed: 5 });
    expect(rows.map((r) => r.strategy)).toEqual(expected.map((r) => r.strategy));
    rows.forEach((r, i) => {
      expect(r.folds).toBe(3);
      expect(r.mean.rocAuc).toBeCloseTo(expected[i]!.mean.rocAuc, 12);
      expect(r.mean.brier).toBeCloseTo(expected[i]!.mean.brier, 12);
    });
  });
});
