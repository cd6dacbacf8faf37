import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../trainers/random.ts';
import { bestCandidate, gridCandidates, summarise, type SearchData, type SearchSpec, type UnitResult } from '../trainers/search.ts';
import { bundleSearchWorker, createNodeSearchPool } from './nodeSearchPool.ts';

function sample(): SearchData {
  const rng = createRng(4);
  const rows = 1000;
  const X = new Float32Array(rows * 2);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng() * 2 - 1;
    X.set([a, rng()], r * 2);
    y[r] = rng() < 1 / (1 + Math.exp(-(-1 + 2 * a))) ? 1 : 0;
  }
  return { X, rows, cols: 2, y, task: 'classifier' };
}

const spec: SearchSpec = { trainer: 'logistic', k: 3, seed: 1 };
const candidates = gridCandidates({ C: [0.1, 1], solver: ['lbfgs', 'newton'] });

async function search(data: SearchData, entry?: string): Promise<UnitResult[]> {
  const pool = createNodeSearchPool({ size: 2, ...(entry !== undefined ? { entry } : {}) });
  try {
    await pool.load(data);
    return await pool.run({ spec, candidates }).results;
  } finally {
    pool.terminate();
  }
}

describe('node search pool', () => {
  it('runs search.worker.ts on worker_threads and returns every (candidate, fold) unit', async () => {
    const results = await search(sample());
    expect(results).toHaveLength(12);
    const best = bestCandidate(summarise(results), 'rocAuc');
    expect(best.mean.rocAuc).toBeGreaterThan(0.6);
  });

  it('the esbuild bundle of the same worker source gives the same scores as the .ts through tsx', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'search-worker-'));
    try {
      const entry = await bundleSearchWorker(join(dir, 'search.worker.mjs'));
      expect(entry).toMatch(/^file:.*search\.worker\.mjs$/);
      const data = sample();
      const [bundled, transpiled] = await Promise.all([search(data, entry), search(data)]);
      const key = (r: UnitResult): string => `${r.candidate}:${r.fold}`;
      const expected = new Map(transpiled.map((r) => [key(r), r.scores]));
      expect(bundled).toHaveLength(12);
      for (const r of bundled) expect(r.scores).toEqual(expected.get(key(r)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
