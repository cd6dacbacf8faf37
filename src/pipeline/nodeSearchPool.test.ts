import { describe, expect, it } from 'vitest';
import { createRng } from '../trainers/random.ts';
import { bestCandidate, gridCandidates, summarise, type SearchData } from '../trainers/search.ts';
import { createNodeSearchPool } from './nodeSearchPool.ts';

describe('node search pool', () => {
  it('runs search.worker.ts on worker_threads and returns every (candidate, fold) unit', async () => {
    const rng = createRng(4);
    const rows = 1000;
    const X = new Float32Array(rows * 2);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const a = rng() * 2 - 1;
      X.set([a, rng()], r * 2);
      y[r] = rng() < 1 / (1 + Math.exp(-(-1 + 2 * a))) ? 1 : 0;
    }
    const data: SearchData = { X, rows, cols: 2, y, task: 'classifier' };
    const pool = createNodeSearchPool({ size: 2 });
    try {
      await pool.load(data);
      const results = await pool.run({ spec: { trainer: 'logistic', k: 3, seed: 1 }, candidates: gridCandidates({ C: [0.1, 1], solver: ['lbfgs', 'newton'] }) }).results;
      expect(results).toHaveLength(12);
      const best = bestCandidate(summarise(results), 'rocAuc');
      expect(best.mean.rocAuc).toBeGreaterThan(0.6);
    } finally {
      pool.terminate();
    }
  });
});
