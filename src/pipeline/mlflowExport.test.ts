import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import { createMlflowClient, mlflowRunId } from '../mlflow/client.ts';
import { MlflowUnreachableError } from '../mlflow/errors.ts';
import { WORKBENCH_RUN_ID_TAG } from '../mlflow/exportRun.ts';
import { freePort, uniqueName, useMlflowServer } from '../../test/mlflowServer.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { createRng } from '../trainers/random.ts';
import { trainRegressor } from '../trainers/regressor.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG, type ClassifierResult, type RegressorResult } from '../trainers/types.ts';
import { exportPipelineToMlflow, pipelineMlflowAuth, type PipelineRuns } from './mlflowExport.ts';
import { DEFAULT_EXPERIMENT_NAMES } from '../notebook/mlflowRun.ts';
import { startMlflowFaultProxy } from '../../test/mlflowFaultProxy.ts';

const server = useMlflowServer();
const DATA = path.resolve('../shared/data/training_data.parquet');

let trained: PipelineRuns & { readonly classifier: ClassifierResult; readonly regressor: RegressorResult };

beforeAll(async () => {
  await tf.setBackend('cpu');
  const rng = createRng(11);
  const n = 2000;
  const X = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const revenue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng() * 2 - 1;
    const b = rng() * 2 - 1;
    X.set([a, b], i * 2);
    y[i] = rng() < 1 / (1 + Math.exp(-(-2 + 2 * a - b))) ? 1 : 0;
    revenue[i] = y[i] === 1 ? 50 + 10 * a + rng() : 0;
  }
  const matrix: ModelMatrix = { rows: n, cols: 2, X, featureNames: ['a', 'b'], featureGroups: ['a', 'b'] };
  const dataset: Dataset = {
    source: { type: 'file', name: 'synthetic.parquet' }, rows: n, sha256: 'cd'.repeat(32), bytes: 0,
    columns: [{ kind: 'numeric', name: 'is_ordered', arrowType: 'Int64', values: Float64Array.from(y), nullCount: 0, isBool: false, isInteger: true, unsafeInteger: false }],
  };
  const classifier = await trainClassifier({ tf, matrix, y, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', epochs: 20 } });
  const regressor = await trainRegressor({ tf, matrix, revenue, isOrdered: y, config: { ...DEFAULT_REGRESSOR_CONFIG, epochs: 20 } });
  trained = { dataset, matrix, classifier, regressor };
});

describe('exportPipelineToMlflow', () => {
  it('logs both runs with the page\'s mapping, and the same job logged again updates them', async () => {
    const names = { classifier: uniqueName('Conversion_pipeline'), regressor: uniqueName('Revenue_pipeline') };
    const options = { url: server.url, experimentNames: names, classTarget: 'is_ordered', excluded: ['engagement_depth'] };
    const first = await exportPipelineToMlflow(trained, options);
    expect(first.map((r) => r.created)).toEqual([true, true]);
    const client = createMlflowClient({ baseUrl: server.url });
    const [clf, reg] = await Promise.all(first.map((r) => client.getRun(r.runId)));
    expect(clf?.info.status).toBe('FINISHED');
    expect(clf?.metrics.auc_roc).toBe(trained.classifier.metrics.auc_roc);
    expect(clf?.params).toMatchObject({ model_type: 'logistic', data_source: 'synthetic.parquet', excluded_features: 'engagement_depth', total_samples: '2000' });
    expect(clf?.tags['workbench.browser']).toMatch(/^node v\d+/);
    expect(reg?.metrics.rmse).toBe(trained.regressor.metrics.rmse);
    expect((await client.getMetricHistory(first[1]!.runId, 'train_loss')).length).toBe(trained.regressor.epochs);

    const again = await exportPipelineToMlflow(trained, options);
    expect(again.map((r) => r.runId)).toEqual(first.map((r) => r.runId));
    expect(again.map((r) => r.created)).toEqual([false, false]);
    expect(clf?.tags[WORKBENCH_RUN_ID_TAG]).toMatch(/^pipeline-classifier-[0-9a-f]{16}$/);
  });

  it('fails with the reason of each run when the server is down', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const failure = exportPipelineToMlflow(trained, { url, classTarget: 'is_ordered', excluded: [] });
    await expect(failure).rejects.toThrow(/mlflow logging failed\nclassifier: .*is mlflow server running at/);
    // the client's own error underneath names the server
    await expect(createMlflowClient({ baseUrl: url, retry: { attempts: 1, baseDelayMs: 1 } }).getExperimentByName('x')).rejects.toBeInstanceOf(MlflowUnreachableError);
  });

  it('reads the auth options as a bearer token or basic credentials, and refuses half of a pair', () => {
    expect(pipelineMlflowAuth({ token: 't' })).toEqual({ kind: 'bearer', token: 't' });
    expect(pipelineMlflowAuth({ user: 'u', password: 'p' })).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(pipelineMlflowAuth({})).toBeNull();
    expect(() => pipelineMlflowAuth({ user: 'u' })).toThrow(/--mlflow-password/);
  });
});

describe('npm run pipeline -- --mlflow', () => {
  it('trains on the bundled data and logs both runs, exiting 0', { timeout: 600_000 }, async () => {
    // a missing data file is a broken checkout, not a reason to pass: say so
    expect(fs.existsSync(DATA), `${DATA} is missing; the bundled data is read from ../shared/data beside the clone`).toBe(true);
    // the CLI logs into the team's experiment names (on the test server); the same job again would update these runs
    const cli = spawnSync(process.execPath, [
      '--import', 'tsx', 'src/pipeline/cli.ts', '--data', DATA, '--exclude', 'engagement_depth', '--classifier', 'logistic', '--backend', 'cpu',
      '--mlflow', server.url,
    ], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 580_000 });
    expect(cli.status, cli.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(cli.stdout) as { classifier: { auc_roc: number }; mlflow: Array<{ run_id: string; url: string }> };
    expect(report.mlflow).toHaveLength(2);
    const client = createMlflowClient({ baseUrl: server.url });
    const clf = await client.getRun(mlflowRunId(report.mlflow[0]?.run_id ?? ''));
    expect(clf.info.status).toBe('FINISHED');
    expect(clf.metrics.auc_roc).toBeCloseTo(report.classifier.auc_roc, 6);
    expect(clf.params).toMatchObject({ model_type: 'logistic', total_samples: '472871', excluded_features: 'engagement_depth' });
    // what the run predicted and how it was split, as a run made in the page records them
    expect(clf.params).toMatchObject({ class_target: 'is_ordered', regression_target: 'revenue', split_kind: 'random', row_filters: 'none' });
    expect(clf.params['data_split']).toBe('random stratified');
  });

  it('exits 1 with one line within its --timeout when MLflow stops answering, and leaves no run RUNNING', { timeout: 120_000 }, async () => {
    const proxy = await startMlflowFaultProxy(server.url, [{ endpoint: 'runs/log-batch', fault: 'stall', times: 99 }]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-mlflow-stall-'));
    try {
      const n = 400;
      const table = arrow.tableFromArrays({
        is_ordered: Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)),
        revenue: Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 20 + (i % 7) : 0)),
        pages: Float64Array.from({ length: n }, (_, i) => (i * 7) % 13),
      });
      const data = path.join(dir, 'sessions.parquet');
      fs.writeFileSync(data, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
      const t0 = performance.now();
      // spawned, not spawnSync: the proxy answers from this process's event loop
      const cli = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [
          '--import', 'tsx', 'src/pipeline/cli.ts', '--data', data, '--classifier', 'logistic', '--target', 'none', '--mlflow', proxy.url, '--timeout', '3',
        ], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
        child.on('close', (status) => { clearTimeout(killer); resolve({ status, stderr }); });
      });
      const seconds = (performance.now() - t0) / 1000;
      expect(cli.status, cli.stderr.slice(-2000)).toBe(1);
      const errors = cli.stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/runs\/log-batch got no complete answer within 3 s/);
      expect(cli.stderr).not.toMatch(/^\s+at /m);
      // 4 attempts of 3 s with 0.5 + 1 + 2 s between them, plus loading and training: far from a hang
      expect(seconds).toBeLessThan(60);
      const client = createMlflowClient({ baseUrl: server.url });
      const experiment = await client.getExperimentByName(DEFAULT_EXPERIMENT_NAMES.regressor);
      const { runs } = await client.searchRuns({ experimentIds: [experiment!.experimentId], filter: `tags.\`${WORKBENCH_RUN_ID_TAG}\` LIKE 'pipeline-regressor-%'`, maxResults: 1000 });
      expect(runs.filter((r) => r.info.status === 'RUNNING')).toEqual([]);
    } finally {
      await proxy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 before training when --mlflow is not a URL', () => {
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/pipeline/cli.ts', '--data', DATA, '--mlflow', 'localhost:5000'], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('--mlflow "localhost:5000" is not an http(s) URL');
  });
});
