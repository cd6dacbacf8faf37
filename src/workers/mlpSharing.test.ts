import { describe, expect, it } from 'vitest';
import type { TeamFollowers, TeamProbe } from '../trainers/mlpTeam.ts';
import { checkMlpWorkers, mlpTeamChoice, mlpWorkerCount } from './mlpSharing.ts';

const job = { cols: 11, hiddenUnits: [64, 64], batchSize: 4096 };

/** Followers that are never opened: the decider only starts them and hands them on (the probe is injected). */
function fakeFollowers(count: number): TeamFollowers {
  return { count, describe: (t) => `thread ${t}`, open: () => Promise.reject(new Error('not opened in this test')), terminate: () => undefined };
}

const timings = (teamMs: number, seen: unknown[] = []): Parameters<typeof mlpTeamChoice>[3] => async (_f, threads, cols, hidden, rows, relaxed): Promise<TeamProbe> => {
  seen.push({ threads, cols, hidden, rows, relaxed });
  return { oneThreadMs: 10, teamMs, threads };
};

describe('mlpTeamChoice: how many threads share each MLP batch on the kernel', () => {
  it('shares when the probe times the team at least 10 % faster, probing the job’s own batch once for the worker’s life', async () => {
    let started = 0;
    const seen: unknown[] = [];
    const decide = mlpTeamChoice(2, true, (count) => { started += count; return fakeFollowers(count); }, timings(6, seen));
    const choice = await decide({ ...job, relaxed: false }, undefined);
    expect(choice).toMatchObject({ threads: 2, chosenBy: 'measured: a batch in 6.00 ms on 2 threads, 10.00 ms on one', probe: { oneThreadMs: 10, teamMs: 6, threads: 2 } });
    expect(choice.followers?.count).toBe(1);
    expect(seen).toEqual([{ threads: 2, cols: 11, hidden: [64, 64], rows: 4096, relaxed: false }]);
    expect(await decide({ ...job, cols: 5 }, undefined)).toBe(choice);
    expect(started).toBe(1);
    // slower on the team (the other core busy with other work): every batch on one thread
    const busy = await mlpTeamChoice(2, true, fakeFollowers, timings(14))(job, undefined);
    expect(busy).toMatchObject({ threads: 1, followers: null, probe: { oneThreadMs: 10, teamMs: 14, threads: 2 } });
    // within the 10 % margin of one thread's time: not worth the risk
    expect((await mlpTeamChoice(2, true, fakeFollowers, timings(9.5))(job, undefined)).threads).toBe(1);
  });

  it('takes the count the page asks for without a probe; one thread without shared memory, on one core, or for small batches', async () => {
    const never = (): TeamFollowers => { throw new Error('no follower should start'); };
    const probeNever = timings(1, []);
    const asked = await mlpTeamChoice(2, true, fakeFollowers, async () => { throw new Error('no probe when asked'); })(job, 3);
    expect(asked).toMatchObject({ threads: 3, chosenBy: 'asked for (mlpWorkers)', probe: null });
    expect(asked.followers?.count).toBe(2);
    expect(await mlpTeamChoice(8, true, never, probeNever)(job, 1)).toMatchObject({ threads: 1, followers: null });
    expect(await mlpTeamChoice(2, false, never, probeNever)(job, undefined)).toMatchObject({ threads: 1, chosenBy: 'the page is not cross-origin isolated (no shared memory): one thread' });
    expect((await mlpTeamChoice(2, false, never, probeNever)(job, 2)).chosenBy).toMatch(/^asked for 2 \(mlpWorkers\), but the page is not cross-origin isolated/);
    expect(await mlpTeamChoice(1, true, never, probeNever)(job, undefined)).toMatchObject({ threads: 1, chosenBy: '1 logical core(s)' });
    const decide = mlpTeamChoice(2, true, fakeFollowers, timings(5));
    expect(await decide({ ...job, batchSize: 500 }, undefined)).toMatchObject({ threads: 1, chosenBy: 'batches of 500 rows are too small to share' });
    // the small batch decided nothing: the next job still probes
    expect((await decide(job, undefined)).threads).toBe(2);
  });

  it('counts one thread per core, 1–4, and refuses a count that is not 1–4, naming it', () => {
    expect([1, 2, 3, 8, Number.NaN].map(mlpWorkerCount)).toEqual([1, 2, 3, 4, 1]);
    expect(checkMlpWorkers(2)).toBe(2);
    expect(() => checkMlpWorkers(0)).toThrow(/mlp workers 0 is not an integer from 1 to 4/);
    expect(() => checkMlpWorkers(2.5)).toThrow(/2\.5/);
  });
});
