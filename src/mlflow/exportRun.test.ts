import { describe, expect, it } from 'vitest';
import { createMlflowClient, type MlflowClient } from './client.ts';
import { MlflowUnreachableError } from './errors.ts';
import { WORKBENCH_FAILURE_TAG, WORKBENCH_PARENT_RUN_TAG, WORKBENCH_RUN_ID_TAG, exportRun, type ExportableRun } from './exportRun.ts';
import { uniqueName, useMlflowServer } from '../../test/mlflowServer.ts';

const server = useMlflowServer();
const UI = 'http://127.0.0.1:5000';

/** A pinned clock: each call is one second later. */
function clock(start = 1_767_225_600_000) {
  let t = start;
  return () => (t += 1000);
}

function classifierRun(experimentName: string, overrides: Partial<ExportableRun> = {}): ExportableRun {
  return {
    workbenchRunId: uniqueName('wb'),
    experimentName,
    runName: 'mlp-classifier',
    params: { learning_rate: 0.001, epochs: 3, imbalance_strategy: 'class_weights', use_batch_norm: true, seed: 42 },
    metrics: { f1_score: 0.8125, auc_roc: 0.9031, decision_threshold: 0.5 },
    stepMetrics: { train_loss: [0.69, 0.41, 0.33], val_loss: [0.7, 0.45, 0.39] },
    tags: { 'mlflow.source.name': 'ml-workbench', 'workbench.backend': 'cpu' },
    artifacts: [
      { path: 'model/bundle.json', body: '{"weights":[1,2,3]}', contentType: 'application/json' },
      { path: 'model/weights.bin', body: Uint8Array.from([0, 1, 2, 254, 255]), contentType: 'application/octet-stream' },
    ],
    ...overrides,
  };
}

async function runsTagged(client: MlflowClient, experimentName: string, workbenchRunId: string) {
  const experiment = await client.getExperimentByName(experimentName);
  if (!experiment) throw new Error(`experiment ${experimentName} missing`);
  const { runs } = await client.searchRuns({
    experimentIds: [experiment.experimentId],
    filter: `tags.\`${WORKBENCH_RUN_ID_TAG}\` = '${workbenchRunId}'`,
    orderBy: ['attributes.start_time ASC'],
  });
  return runs;
}

describe('exportRun', () => {
  it('exports a run completely and, exported again, updates that same run', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const experimentName = uniqueName('Conversion_Prediction_Classification');
    const run = classifierRun(experimentName);
    const now = clock();

    const first = await exportRun(client, run, { uiBase: `${UI}/`, now });
    expect(first.created).toBe(true);
    expect(first.parentRunId).toBeNull();
    expect(first.url).toBe(`${UI}/#/experiments/${first.experimentId}/runs/${first.runId}`);

    const second = await exportRun(client, { ...run, metrics: { ...run.metrics, decision_threshold: 0.35 } }, { uiBase: UI, now });
    expect(second).toMatchObject({ runId: first.runId, experimentId: first.experimentId, created: false });

    const runs = await runsTagged(client, experimentName, run.workbenchRunId);
    expect(runs).toHaveLength(1);
    const stored = await client.getRun(first.runId);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.info.runName).toBe('mlp-classifier');
    expect(stored.params).toEqual({ learning_rate: '0.001', epochs: '3', imbalance_strategy: 'class_weights', use_batch_norm: 'True', seed: '42' });
    expect(stored.metrics).toEqual({ f1_score: 0.8125, auc_roc: 0.9031, decision_threshold: 0.35, train_loss: 0.33, val_loss: 0.39 });
    expect(stored.tags).toMatchObject({ 'mlflow.source.name': 'ml-workbench', [WORKBENCH_RUN_ID_TAG]: run.workbenchRunId });
    // one point per epoch even after two exports; the threshold keeps its history
    expect((await client.getMetricHistory(first.runId, 'train_loss')).map((p) => [p.step, p.value])).toEqual([[0, 0.69], [1, 0.41], [2, 0.33]]);
    expect((await client.getMetricHistory(first.runId, 'decision_threshold')).map((p) => p.value)).toEqual([0.5, 0.35]);
    expect((await client.getMetricHistory(first.runId, 'f1_score')).map((p) => p.value)).toEqual([0.8125]);
    expect(await client.downloadArtifact(stored.info, 'model/weights.bin')).toEqual(Uint8Array.from([0, 1, 2, 254, 255]));
    expect(new TextDecoder().decode(await client.downloadArtifact(stored.info, 'model/bundle.json'))).toBe('{"weights":[1,2,3]}');
  });

  it('starts a new run tagged with its parent when a param changed', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const experimentName = uniqueName('Revenue_Prediction_Regression');
    const run = classifierRun(experimentName);
    const now = clock();
    const first = await exportRun(client, run, { uiBase: UI, now });
    const changed = await exportRun(client, { ...run, params: { ...run.params, learning_rate: 0.01 } }, { uiBase: UI, now });

    expect(changed.created).toBe(true);
    expect(changed.runId).not.toBe(first.runId);
    expect(changed.parentRunId).toBe(first.runId);
    const child = await client.getRun(changed.runId);
    expect(child.tags[WORKBENCH_PARENT_RUN_TAG]).toBe(first.runId);
    expect(child.params.learning_rate).toBe('0.01');
    expect(child.info.status).toBe('FINISHED');
    expect((await client.getRun(first.runId)).params.learning_rate).toBe('0.001');

    // exporting the changed run again updates the newest run, not the parent
    const again = await exportRun(client, { ...run, params: { ...run.params, learning_rate: 0.01 } }, { uiBase: UI, now });
    expect(again).toMatchObject({ runId: changed.runId, created: false });
    expect(await runsTagged(client, experimentName, run.workbenchRunId)).toHaveLength(2);
  });

  it('marks an export cut off half-way FAILED with the reason, and a retry completes that same run', async () => {
    const experimentName = uniqueName('interrupted');
    const run = classifierRun(experimentName);
    const now = clock();
    // the network drops once the run exists: every log-batch call fails as if the server had gone
    const flaky = createMlflowClient({
      baseUrl: server.url,
      retry: { attempts: 2, baseDelayMs: 1 },
      sleep: () => Promise.resolve(),
      fetch: (input, init) =>
        String(input).endsWith('/runs/log-batch') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init),
    });

    const failure = await exportRun(flaky, run, { uiBase: UI, now }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MlflowUnreachableError);

    const client = createMlflowClient({ baseUrl: server.url });
    const [cut] = await runsTagged(client, experimentName, run.workbenchRunId);
    expect(cut?.info.status).toBe('FAILED');
    expect(cut?.tags[WORKBENCH_FAILURE_TAG]).toMatch(/^MlflowUnreachableError: mlflow did not answer http.*runs\/log-batch: is mlflow server running at /);
    expect(cut?.params).toEqual({});

    const retried = await exportRun(client, run, { uiBase: UI, now });
    expect(retried).toMatchObject({ runId: cut?.info.runId, created: false });
    const done = await client.getRun(retried.runId);
    expect(done.info.status).toBe('FINISHED');
    expect(done.tags[WORKBENCH_FAILURE_TAG]).toBeUndefined();
    expect(Object.keys(done.params)).toHaveLength(5);
    expect(done.metrics.f1_score).toBe(0.8125);
    expect(await runsTagged(client, experimentName, run.workbenchRunId)).toHaveLength(1);
  });

  it('marks the run FAILED when an artifact upload keeps failing after params and metrics went in', async () => {
    const experimentName = uniqueName('artifact_failure');
    const run = classifierRun(experimentName);
    const flaky = createMlflowClient({
      baseUrl: server.url,
      retry: { attempts: 2, baseDelayMs: 1 },
      sleep: () => Promise.resolve(),
      fetch: (input, init) =>
        init?.method === 'PUT' ? Promise.resolve(new Response('bad gateway', { status: 502 })) : fetch(input, init),
    });
    await expect(exportRun(flaky, run, { uiBase: UI, now: clock() })).rejects.toThrow(/failed \(502\): bad gateway; is mlflow server running behind/);
    const client = createMlflowClient({ baseUrl: server.url });
    const [cut] = await runsTagged(client, experimentName, run.workbenchRunId);
    expect(cut?.info.status).toBe('FAILED');
    expect(cut?.metrics.auc_roc).toBe(0.9031);
  });

  it('refuses a param too long for mlflow before creating anything', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const experimentName = uniqueName('too_long');
    const run = classifierRun(experimentName, { params: { feature_columns: 'c,'.repeat(3001) } });
    await expect(exportRun(client, run, { uiBase: UI })).rejects.toThrow('param "feature_columns" is 6002 characters; mlflow allows 6000');
    expect(await client.getExperimentByName(experimentName)).toBeNull();
  });
});
