import { describe, expect, it } from 'vitest';
import { runImbalanceLab } from '../trainers/imbalanceLab.ts';
import { createRng } from '../trainers/random.ts';
import { gridCandidates, summarise, type SearchData, type SearchSpec, type WorkUnit } from '../trainers/search.ts';
import { SearchPool, nextUnit, poolSize, type KeyedUnit, type SchedulerView } from './searchPool.ts';
import { searchHandlers } from './searchHandlers.ts';
import { canShareMemory, sharedCopy } from './sharedMemory.ts';
import type { SearchOps } from './searchProtocol.ts';
import type { WorkerEndpoint } from './workerClient.ts';
import type { WorkerMessage } from './workerProtocol.ts';
import { serveRequests, type WorkerScope } from './workerServer.ts';

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

interface EndpointLog {
  loads: number;
  units: WorkUnit[];
  transferred: ArrayBuffer[];
  received?: SearchData[];
  /** per evaluate: whether it brought the folds, whether it brought a prepared fold */
  evaluates?: { worker: number; folds: boolean; adopted: boolean }[];
  /** keys of the folds each preparation made, in order */
  prepared?: string[];
}

/** The search worker's own handlers served in-process (as search.worker.ts serves them), so the scheduler is tested without threads. */
function fakeEndpoint(log: EndpointLog, worker = 0): WorkerEndpoint<SearchOps> {
  let deliver: (msg: WorkerMessage<SearchOps>) => void = () => undefined;
  let alive = true;
  const scope: WorkerScope = {
    onmessage: null,
    postMessage: (message) => {
      const msg = message as WorkerMessage<SearchOps>;
      if (msg.type === 'progress' && msg.progress.kind === 'prepared') log.prepared?.push(msg.progress.key);
      setTimeout(() => alive && deliver(msg), 0);
    },
  };
  serveRequests<SearchOps>(scope, searchHandlers());
  return {
    post: (msg, transfer) => {
      if (msg.type === 'request' && msg.op === 'load') {
        log.loads++;
        log.transferred.push(...transfer);
        log.received?.push(msg.input.data);
      } else if (msg.type === 'request' && msg.op === 'evaluate') {
        log.units.push(msg.input.unit);
        log.evaluates?.push({ worker, folds: msg.input.folds !== undefined, adopted: msg.input.prepared !== undefined });
      }
      setTimeout(() => alive && scope.onmessage?.({ data: msg } as MessageEvent), 1);
    },
    listen: (onMessage) => {
      deliver = onMessage;
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

  const keyed = (fold: number, candidate = 0): KeyedUnit => ({ candidate, fold, params: {}, key: `f${fold}` });
  const view = (over: Partial<SchedulerView>): SchedulerView => ({ own: new Set(), claimed: new Set(), ready: new Map(), workers: 2, sharing: false, ...over });

  it('prefers the worker\'s own fold, then an unclaimed one, then steals the largest', () => {
    const q = [keyed(0), keyed(1), keyed(1, 1)];
    expect(nextUnit(q, view({ own: new Set(['f1']), claimed: new Set(['f0', 'f1']) }))).toBe(1);
    expect(nextUnit(q, view({ claimed: new Set(['f1']) }))).toBe(0);
    expect(nextUnit(q, view({ claimed: new Set(['f0', 'f1']) }))).toBe(1);
    expect(nextUnit([], view({}))).toBe(-1);
  });

  it('sharing: prepares the last unclaimed fold early, adopts shared folds, waits rather than preparing a fold twice', () => {
    const q = [keyed(2), keyed(2, 1), keyed(3), keyed(4), keyed(4, 1)];
    // Two workers, one unclaimed fold left (f4): it goes before the worker's own f2 so it is ready to share in time.
    expect(nextUnit(q, view({ sharing: true, own: new Set(['f2']), claimed: new Set(['f2', 'f3']) }))).toBe(3);
    // Not sharing, or as many unclaimed folds as workers: own fold first.
    expect(nextUnit(q, view({ own: new Set(['f2']), claimed: new Set(['f2', 'f3']) }))).toBe(0);
    expect(nextUnit(q, view({ sharing: true, workers: 1, own: new Set(['f2']), claimed: new Set(['f2', 'f3']) }))).toBe(0);
    // Out of own work: the shared fold with most units left is adopted.
    const all = new Set(['f2', 'f3', 'f4']);
    expect(nextUnit(q, view({ sharing: true, claimed: all, ready: new Map([['f2', true], ['f3', true], ['f4', true]]) }))).toBe(0);
    expect(nextUnit(q, view({ sharing: true, claimed: all, ready: new Map([['f3', true]]) }))).toBe(2);
    // Folds still being prepared elsewhere: wait for them.
    expect(nextUnit([keyed(4)], view({ sharing: true, claimed: all, ready: new Map() }))).toBe(-1);
    // A fold prepared privately (not in shared memory) can only be stolen and prepared again.
    expect(nextUnit([keyed(4)], view({ sharing: true, claimed: all, ready: new Map([['f4', false]]) }))).toBe(0);
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

  it('with shareMemory: one shared matrix, folds computed once, every fold prepared once and adopted, same scores', async () => {
    const d = data(600);
    const shared: EndpointLog = { loads: 0, units: [], transferred: [], received: [], evaluates: [], prepared: [] };
    const pool = new SearchPool({ size: 2, createEndpoint: (i) => fakeEndpoint(shared, i), shareMemory: true });
    await pool.load(d);
    const results = await pool.run({ spec, candidates }).results;
    pool.terminate();
    const [a, b] = shared.received as [SearchData, SearchData];
    expect(a.X.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.y.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(b.X).toBe(a.X);
    expect(b.y).toBe(a.y);
    expect(a.X).not.toBe(d.X);
    expect(Array.from(a.X)).toEqual(Array.from(d.X));
    expect(shared.transferred).toEqual([]);
    // The pool sends the folds with each worker's first unit only; each of the 5 folds is prepared by one worker once.
    expect(shared.evaluates?.filter((e) => e.folds).map((e) => e.worker).sort()).toEqual([0, 1]);
    expect(shared.prepared).toHaveLength(5);
    expect(new Set(shared.prepared).size).toBe(5);
    // Both workers did units, and the fold neither could have to itself was adopted rather than prepared again.
    expect(new Set(shared.evaluates?.map((e) => e.worker))).toEqual(new Set([0, 1]));
    expect(shared.evaluates?.some((e) => e.adopted)).toBe(true);

    const copied: EndpointLog = { loads: 0, units: [], transferred: [], received: [] };
    const plain = new SearchPool({ size: 2, createEndpoint: () => fakeEndpoint(copied) });
    await plain.load(d);
    const expected = await plain.run({ spec, candidates }).results;
    plain.terminate();
    expect(copied.received?.[0]?.X).not.toBe(copied.received?.[1]?.X);
    const key = (r: { candidate: number; fold: number }): number => r.candidate * 100 + r.fold;
    const byUnit = new Map(expected.map((r) => [key(r), r.scores]));
    expect(results).toHaveLength(30);
    for (const r of results) expect(r.scores).toEqual(byUnit.get(key(r)));
  });

  it('shares memory only where SharedArrayBuffer exists and the page is cross-origin isolated; shared arrays are not copied again', () => {
    expect(canShareMemory({ SharedArrayBuffer })).toBe(true);
    expect(canShareMemory({ SharedArrayBuffer, crossOriginIsolated: true })).toBe(true);
    expect(canShareMemory({ SharedArrayBuffer, crossOriginIsolated: false })).toBe(false);
    expect(canShareMemory({ crossOriginIsolated: false })).toBe(false);
    const once = sharedCopy(Float32Array.of(1, 2, 3));
    expect(once.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sharedCopy(once)).toBe(once);
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

  it('a worker that crashes rejects the search with an error naming the worker and the unit it was running', async () => {
    const log = { loads: 0, units: [] as WorkUnit[], transferred: [] as ArrayBuffer[] };
    const pool = new SearchPool({
      size: 2,
      createEndpoint: (i) => {
        const endpoint = fakeEndpoint(log, i);
        if (i !== 1) return endpoint;
        let crash: (err: Error) => void = () => undefined;
        return {
          post: (msg, transfer) => {
            endpoint.post(msg, transfer);
            if (msg.type === 'request' && msg.op === 'evaluate') setTimeout(() => crash(new Error('out of memory')), 0);
          },
          listen: (onMessage, onCrash) => {
            crash = onCrash;
            endpoint.listen(onMessage, onCrash);
          },
          terminate: endpoint.terminate,
        };
      },
    });
    await pool.load(data(300));
    await expect(pool.run({ spec, candidates }).results).rejects.toMatchObject({ name: 'WorkerStoppedError', message: 'search-1 worker crashed during "evaluate": out of memory' });
    pool.terminate();
  });

  it('terminating the pool during a run rejects the run as cancelled', async () => {
    const log = { loads: 0, units: [] as WorkUnit[], transferred: [] as ArrayBuffer[] };
    const pool = new SearchPool({ size: 2, createEndpoint: () => fakeEndpoint(log) });
    await pool.load(data(300));
    const run = pool.run({ spec, candidates });
    pool.terminate();
    await expect(run.results).rejects.toMatchObject({ name: 'AbortError', message: 'search cancelled' });
    expect(log.units.length).toBeLessThanOrEqual(2);
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
