// Exports through a fault proxy in front of a real MLflow server: whatever the server does, every run the
// workbench created ends FINISHED or FAILED, none is created twice, no call hangs, and no secret gets through.
import { afterEach, describe, expect, it } from 'vitest';
import { createMlflowClient, type MlflowClient } from './client.ts';
import { MlflowProtocolError } from './errors.ts';
import { WORKBENCH_FAILURE_TAG, WORKBENCH_RUN_ID_TAG, exportRun, type ExportableRun } from './exportRun.ts';
import { NetworkTimeoutError, type NetworkPolicy } from '../data/networkPolicy.ts';
import { uniqueName, useMlflowServer } from '../../test/mlflowServer.ts';
import { startMlflowFaultProxy, type FaultRule, type MlflowFaultProxy } from '../../test/mlflowFaultProxy.ts';

const server = useMlflowServer();
const UI = 'http://127.0.0.1:5000';
// generous per attempt: the real server is slow on a loaded machine; a stall still ends in 2 × 6 s
const FAST: NetworkPolicy = { timeoutMs: 6000, attempts: 2, baseDelayMs: 10, maxDelayMs: 5000 };
const proxies: MlflowFaultProxy[] = [];
afterEach(async () => { await Promise.all(proxies.splice(0).map((p) => p.close())); });

async function proxied(rules: FaultRule[], sleeps: number[] = []): Promise<{ proxy: MlflowFaultProxy; client: MlflowClient }> {
  const proxy = await startMlflowFaultProxy(server.url, rules);
  proxies.push(proxy);
  const client = createMlflowClient({ baseUrl: proxy.url, policy: FAST, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); } });
  return { proxy, client };
}

function run(experimentName: string, overrides: Partial<ExportableRun> = {}): ExportableRun {
  return {
    workbenchRunId: uniqueName('wb'),
    experimentName,
    runName: 'logistic-classifier',
    params: { seed: 42, model: 'logistic' },
    metrics: { f1_score: 0.5 },
    stepMetrics: {},
    tags: {},
    artifacts: [],
    ...overrides,
  };
}

async function runsOf(experimentName: string, workbenchRunId: string) {
  const direct = createMlflowClient({ baseUrl: server.url });
  const experiment = await direct.getExperimentByName(experimentName);
  if (!experiment) return [];
  const { runs } = await direct.searchRuns({ experimentIds: [experiment.experimentId], filter: `tags.\`${WORKBENCH_RUN_ID_TAG}\` = '${workbenchRunId}'` });
  return runs;
}

describe('export through a broken MLflow', () => {
  it('finds the run MLflow committed before answering 500 instead of creating a duplicate', async () => {
    const { client, proxy } = await proxied([{ endpoint: 'runs/create', fault: 'commit-then-500', times: 1 }]);
    const r = run(uniqueName('dup'));
    const exported = await exportRun(client, r, { uiBase: UI });
    const runs = await runsOf(r.experimentName, r.workbenchRunId);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.info.runId).toBe(exported.runId);
    expect(runs[0]?.info.status).toBe('FINISHED');
    expect(proxy.log.filter((l) => l.path.endsWith('runs/create'))).toHaveLength(1);
  });

  it('gives up on a log-batch that never answers within the timeout and ends the run FAILED', async () => {
    const { client } = await proxied([{ endpoint: 'runs/log-batch', fault: 'stall', times: 99 }]);
    const r = run(uniqueName('stall'));
    const t0 = performance.now();
    const error = await exportRun(client, r, { uiBase: UI }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkTimeoutError);
    expect((error as Error).message).toMatch(/runs\/log-batch got no complete answer within 6 s/);
    expect(performance.now() - t0).toBeLessThan(45_000);
    const [only] = await runsOf(r.experimentName, r.workbenchRunId);
    expect(only?.info.status).toBe('FAILED');
    expect(only?.tags[WORKBENCH_FAILURE_TAG]).toMatch(/NetworkTimeoutError/);
  });

  it('cancels an export on request and still ends its run FAILED', async () => {
    const { client } = await proxied([{ endpoint: 'runs/log-batch', fault: 'stall', times: 99 }]);
    const slow = client.withSignal(new AbortController().signal);
    const r = run(uniqueName('cancel'));
    const controller = new AbortController();
    const pending = exportRun(slow, r, { uiBase: UI, signal: controller.signal }).catch((e: unknown) => e);
    // cancel once the run exists and log-batch hangs
    for (let i = 0; i < 200 && (await runsOf(r.experimentName, r.workbenchRunId)).length === 0; i++) await new Promise((res) => setTimeout(res, 100));
    const t0 = performance.now();
    controller.abort();
    const error = await pending;
    expect((error as Error).name).toBe('AbortError');
    expect(performance.now() - t0).toBeLessThan(5000);
    const [only] = await runsOf(r.experimentName, r.workbenchRunId);
    expect(only?.info.status).toBe('FAILED');
    expect(only?.tags[WORKBENCH_FAILURE_TAG]).toBe('export cancelled by the user');
  });

  it('names malformed JSON, leaves no run RUNNING, and the next export cleans up', async () => {
    const { client } = await proxied([{ endpoint: 'runs/update', fault: 'malformed', times: 1 }]);
    const r = run(uniqueName('garbage'));
    const error = await exportRun(client, r, { uiBase: UI }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowProtocolError);
    expect((error as Error).message).toMatch(/answered malformed JSON/);
    expect((await runsOf(r.experimentName, r.workbenchRunId)).map((x) => x.info.status)).not.toContain('RUNNING');
    // a run left RUNNING by an export whose server died (as if the FAILED update never arrived) is ended next time
    const direct = createMlflowClient({ baseUrl: server.url });
    const experiment = await direct.getExperimentByName(r.experimentName);
    const orphan = await direct.createRun({ experimentId: experiment!.experimentId, runName: 'orphan', startTime: 1, tags: { [WORKBENCH_RUN_ID_TAG]: r.workbenchRunId } });
    await exportRun(direct, { ...r, params: { ...r.params, seed: 7 } }, { uiBase: UI });
    expect((await direct.getRun(orphan.info.runId)).info.status).toBe('FAILED');
    expect((await runsOf(r.experimentName, r.workbenchRunId)).map((x) => x.info.status)).not.toContain('RUNNING');
  });

  it('waits what Retry-After asks on 429', async () => {
    const sleeps: number[] = [];
    const { client } = await proxied([{ endpoint: 'experiments/get-by-name', fault: '429', times: 1 }], sleeps);
    await client.getExperimentByName(uniqueName('none'));
    expect(sleeps).toEqual([1000]);
  });

  it('says an HTML page with 200 is not an MLflow server', async () => {
    const { client } = await proxied([{ endpoint: '*', fault: 'html', times: 99 }]);
    const error = await client.getExperimentByName('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowProtocolError);
    expect((error as Error).message).toMatch(/answered an HTML page \(200, text\/html\), not MLflow JSON; this is not an MLflow server/);
  });

  it('sends no secret in params, tags, run name or artifacts unless the user includes them', async () => {
    const secret = 'tok-9f8e7d6c5b4a';
    const url = `https://u:${secret}@data.example.org/orders.parquet?X-Amz-Signature=${secret}&token=${secret}`;
    const client = createMlflowClient({ baseUrl: server.url });
    const r = run(uniqueName('secret'), {
      params: { seed: 42, data_url: url },
      tags: { 'workbench.source': url },
      artifacts: [{ path: 'notebook.json', body: JSON.stringify({ data: { type: 'url', url } }), contentType: 'application/json' }],
    });
    const exported = await exportRun(client, r, { uiBase: UI });
    const back = await client.getRun(exported.runId);
    const notebook = new TextDecoder().decode(await client.downloadArtifact(back.info, 'notebook.json'));
    const everything = JSON.stringify([back.params, back.tags, back.info.runName, notebook]);
    expect(everything).not.toContain(secret);
    expect(back.params.data_url).toBe('https://REDACTED@data.example.org/orders.parquet?X-Amz-Signature=REDACTED&token=REDACTED');
  });
});
