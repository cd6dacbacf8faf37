import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MLFLOW_LIMITS,
  createMlflowClient,
  mlflowExperimentId,
  mlflowRunId,
  proxiedArtifactRoot,
  splitLogBatch,
  type MlflowMetric,
  type MlflowRunInfo,
} from './client.ts';
import { MlflowAuthError, MlflowCorsError, MlflowHttpError, MlflowLimitError, MlflowUnreachableError } from './errors.ts';
import { freePort, uniqueName, useMlflowServer } from '../../test/mlflowServer.ts';

const server = useMlflowServer();
const noWait = () => Promise.resolve();

/** A fetch that counts calls and otherwise passes through. */
function countingFetch() {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    calls.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return fetch(input, init);
  };
  return { calls, fetchImpl };
}

describe('experiments', () => {
  it('returns null for a missing experiment, then creates it once', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const name = uniqueName('get_or_create');
    expect(await client.getExperimentByName(name)).toBeNull();
    const created = await client.getOrCreateExperiment(name);
    const again = await client.getOrCreateExperiment(name);
    expect(again.experimentId).toBe(created.experimentId);
    expect(created.name).toBe(name);
    expect(created.artifactLocation).toMatch(/^mlflow-artifacts:/);
  });
});

describe('logBatch', () => {
  it('splits 1,500 metrics, 150 params and 120 tags into legal requests and all read back', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const experiment = await client.getOrCreateExperiment(uniqueName('log_batch'));
    const run = await client.createRun({ experimentId: experiment.experimentId, runName: 'split', startTime: 1_700_000_000_000 });
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`param_${i}`, i % 3 === 0 ? i * 0.5 : `v${i}`]));
    const tags = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`tag_${i}`, `t${i}`]));
    const finals: MlflowMetric[] = Array.from({ length: 1000 }, (_, i) => ({ key: `m_${i}`, value: i / 7, timestamp: 1_700_000_000_000, step: 0 }));
    const loss: MlflowMetric[] = Array.from({ length: 500 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: 1_700_000_000_000, step }));

    const { requests } = await client.logBatch({ runId: run.info.runId, params, tags, metrics: [...finals, ...loss] });
    expect(requests).toBe(2);

    const back = await client.getRun(run.info.runId);
    expect(Object.keys(back.params)).toHaveLength(150);
    expect(back.params.param_3).toBe('1.5');
    expect(back.params.param_4).toBe('v4');
    expect(back.tags.tag_119).toBe('t119');
    expect(Object.keys(back.metrics)).toHaveLength(1001);
    expect(back.metrics.m_999).toBeCloseTo(999 / 7, 12);
    const history = await client.getMetricHistory(run.info.runId, 'loss');
    expect(history.map((p) => p.step)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(history[499]?.value).toBeCloseTo(1 / 500, 12);
  });

  it('keeps every request within the count and size limits', () => {
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, 'x'.repeat(5000)]));
    const tags = Object.fromEntries(Array.from({ length: 230 }, (_, i) => [`t${i}`, 'y'.repeat(7000)]));
    const metrics = Array.from({ length: 2600 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 0, step: 0 }));
    const bodies = splitLogBatch({ params, tags, metrics });
    for (const body of bodies) {
      expect(body.params.length).toBeLessThanOrEqual(MLFLOW_LIMITS.paramsPerBatch);
      expect(body.tags.length).toBeLessThanOrEqual(MLFLOW_LIMITS.tagsPerBatch);
      expect(body.metrics.length).toBeLessThanOrEqual(MLFLOW_LIMITS.metricsPerBatch);
      expect(body.params.length + body.tags.length + body.metrics.length).toBeLessThanOrEqual(MLFLOW_LIMITS.entitiesPerBatch);
      expect(JSON.stringify({ run_id: 'x'.repeat(32), ...body }).length).toBeLessThan(MLFLOW_LIMITS.batchRequestChars);
    }
    expect(bodies.reduce((n, b) => n + b.params.length, 0)).toBe(250);
    expect(bodies.reduce((n, b) => n + b.tags.length, 0)).toBe(230);
    expect(bodies.reduce((n, b) => n + b.metrics.length, 0)).toBe(2600);
  });

  it('refuses a param longer than 6000 characters, naming it, before sending anything', async () => {
    const { calls, fetchImpl } = countingFetch();
    const client = createMlflowClient({ baseUrl: server.url, fetch: fetchImpl });
    const attempt = client.logBatch({
      runId: mlflowRunId('a'.repeat(32)),
      params: { learning_rate: 0.01, feature_list: 'f'.repeat(6001) },
    });
    await expect(attempt).rejects.toThrow(MlflowLimitError);
    await expect(attempt).rejects.toThrow('param "feature_list" is 6001 characters; mlflow allows 6000');
    expect(calls).toEqual([]);
  });

  it('accepts a param of exactly 6000 characters and reads it back whole', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const experiment = await client.getOrCreateExperiment(uniqueName('long_param'));
    const run = await client.createRun({ experimentId: experiment.experimentId, runName: 'long', startTime: 1 });
    await client.logBatch({ runId: run.info.runId, params: { features: 'f'.repeat(6000) } });
    expect((await client.getRun(run.info.runId)).params.features).toHaveLength(6000);
  });
});

describe('artifacts', () => {
  it('uploads through the proxied artifact API and downloads the same bytes', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const experiment = await client.getOrCreateExperiment(uniqueName('artifacts'));
    const run = await client.createRun({ experimentId: experiment.experimentId, runName: 'bytes', startTime: 1 });
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256);
    const json = JSON.stringify({ curve: [0, 0.5, 1], label: 'ROC é ✓' });

    await client.uploadArtifact(run.info, 'model/weights.bin', bytes, 'application/octet-stream');
    await client.uploadArtifact(run.info.runId, 'curves.json', json, 'application/json');

    expect(proxiedArtifactRoot(run.info)).toBe(`${experiment.experimentId}/${run.info.runId}/artifacts`);
    expect(await client.downloadArtifact(run.info.runId, 'model/weights.bin')).toEqual(bytes);
    expect(new TextDecoder().decode(await client.downloadArtifact(run.info, 'curves.json'))).toBe(json);
    const top = await client.listArtifacts(run.info);
    expect(top.map((f) => [f.path, f.isDir])).toEqual(expect.arrayContaining([['model', true], ['curves.json', false]]));
    expect(await client.listArtifacts(run.info, 'model')).toEqual([{ path: 'model/weights.bin', isDir: false, fileSize: 4096 }]);
  });

  it('refuses a path that climbs out of the run', async () => {
    const client = createMlflowClient({ baseUrl: server.url });
    const info: MlflowRunInfo = {
      runId: mlflowRunId('r'),
      experimentId: mlflowExperimentId('1'),
      runName: 'r',
      status: 'RUNNING',
      startTime: 0,
      endTime: null,
      artifactUri: 'mlflow-artifacts:/1/r/artifacts',
      lifecycleStage: 'active',
    };
    await expect(client.uploadArtifact(info, '../escape.txt', 'x', 'text/plain')).rejects.toThrow('artifact path "../escape.txt"');
  });

  it('explains a run whose artifacts the server does not proxy', () => {
    expect(() => proxiedArtifactRoot({ runId: mlflowRunId('abc'), artifactUri: 's3://bucket/1/abc/artifacts' })).toThrow(
      /run abc keeps artifacts at "s3:\/\/bucket\/1\/abc\/artifacts".*--serve-artifacts/,
    );
    expect(proxiedArtifactRoot({ runId: mlflowRunId('abc'), artifactUri: 'mlflow-artifacts://host:5000/2/abc/artifacts' })).toBe('2/abc/artifacts');
  });
});

describe('errors', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A real local HTTP server answering with `respond`; records each request's Authorization header. */
  async function localServer(respond: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
    const authHeaders: Array<string | undefined> = [];
    const s = http.createServer((req, res) => {
      authHeaders.push(req.headers.authorization);
      respond(req, res, authHeaders.length);
    });
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, authHeaders };
  }

  it("carries MLflow's own error code and message on a 4xx, without retrying", async () => {
    const { calls, fetchImpl } = countingFetch();
    const client = createMlflowClient({ baseUrl: server.url, fetch: fetchImpl, sleep: noWait });
    const error = await client.getRun(mlflowRunId('0123456789abcdef0123456789abcdef')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowHttpError);
    const http4xx = error as MlflowHttpError;
    expect(http4xx.status).toBe(404);
    expect(http4xx.errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(http4xx.message).toContain('Run with id=0123456789abcdef0123456789abcdef not found');
    expect(calls).toHaveLength(1);
  });

  it('retries 5xx with exponential backoff, then succeeds', async () => {
    const local = await localServer((_req, res, n) => {
      if (n < 3) {
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"experiment":{"experiment_id":"7","name":"x"}}');
      }
    });
    const delays: number[] = [];
    const client = createMlflowClient({
      baseUrl: local.url,
      retry: { attempts: 4, baseDelayMs: 100 },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    expect((await client.getExperimentByName('x'))?.experimentId).toBe('7');
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after the last attempt with the 5xx message', async () => {
    const local = await localServer((_req, res) => res.writeHead(500).end('internal boom'));
    const client = createMlflowClient({ baseUrl: local.url, retry: { attempts: 3, baseDelayMs: 1 }, sleep: noWait });
    await expect(client.getExperimentByName('x')).rejects.toThrow(/failed \(500\): internal boom/);
    expect(local.authHeaders).toHaveLength(3);
  });

  it('says to check the credentials on 401, and sends bearer and basic auth', async () => {
    const local = await localServer((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic' }).end('You are not authenticated.'));
    const bearer = createMlflowClient({ baseUrl: local.url, auth: { kind: 'bearer', token: 'tok123' }, sleep: noWait });
    const error = await bearer.getExperimentByName('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowAuthError);
    expect((error as MlflowAuthError).status).toBe(401);
    expect((error as Error).message).toMatch(/\(401\): You are not authenticated\.; check the token or username\/password$/);

    const basic = createMlflowClient({ baseUrl: local.url, auth: { kind: 'basic', username: 'anna', password: 'pä55' } });
    await expect(basic.getExperimentByName('x')).rejects.toThrow(MlflowAuthError);
    const anonymous = createMlflowClient({ baseUrl: local.url });
    await expect(anonymous.getExperimentByName('x')).rejects.toThrow('set a bearer token or basic auth');

    expect(local.authHeaders).toEqual(['Bearer tok123', `Basic ${Buffer.from('anna:pä55', 'utf8').toString('base64')}`, undefined]);
  });

  it('asks the server version with the same credentials as every other call', async () => {
    const local = await localServer((req, res) => res.writeHead(200).end(req.url === '/version' ? '3.17.2\n' : '{}'));
    const basic = createMlflowClient({ baseUrl: local.url, auth: { kind: 'basic', username: 'anna', password: 'pä55' } });
    expect(await basic.serverVersion()).toBe('3.17.2');
    expect(await createMlflowClient({ baseUrl: local.url, auth: { kind: 'bearer', token: 't' } }).serverVersion()).toBe('3.17.2');
    expect(local.authHeaders).toEqual([`Basic ${Buffer.from('anna:pä55', 'utf8').toString('base64')}`, 'Bearer t']);
  });

  it('says 403 is a permission problem', async () => {
    const local = await localServer((_req, res) =>
      res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"error_code":"PERMISSION_DENIED","message":"Permission denied"}'),
    );
    const client = createMlflowClient({ baseUrl: local.url, auth: { kind: 'bearer', token: 't' } });
    await expect(client.getExperimentByName('x')).rejects.toThrow(/PERMISSION_DENIED\): Permission denied; check that these credentials may access/);
  });

  it('reports an unreachable port as MlflowUnreachableError after retrying', async () => {
    const port = await freePort();
    const delays: number[] = [];
    const client = createMlflowClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { attempts: 3, baseDelayMs: 50 },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    const error = await client.getExperimentByName('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowUnreachableError);
    expect((error as Error).message).toBe(
      `mlflow did not answer http://127.0.0.1:${port}/api/2.0/mlflow/experiments/get-by-name?experiment_name=x: ` +
        `is mlflow server running at http://127.0.0.1:${port}?`,
    );
    expect(delays).toEqual([50, 100]);
  });

  describe('telling CORS from a server that is down ("Failed to fetch" either way)', () => {
    const failingFetch: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));

    it('calls it CORS when the no-cors probe gets an answer, and does not retry', async () => {
      const probed: string[] = [];
      const client = createMlflowClient({
        baseUrl: 'http://127.0.0.1:5000/',
        origin: 'http://localhost:5173',
        fetch: failingFetch,
        sleep: noWait,
        reachabilityProbe: (url) => {
          probed.push(url);
          return Promise.resolve(true);
        },
      });
      const error = await client.getExperimentByName('x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MlflowCorsError);
      expect((error as Error).message).toContain(
        'mlflow at http://127.0.0.1:5000 refused a cross-origin request from http://localhost:5173 (CORS): ' +
          'start mlflow with --cors-allowed-origins http://localhost:5173',
      );
      expect((error as Error).message).toContain("(and --allowed-hosts) or use the workbench's /mlflow proxy");
      expect(probed).toEqual(['http://127.0.0.1:5000/health']);
    });

    it('calls it unreachable when the probe throws too', async () => {
      const client = createMlflowClient({
        baseUrl: 'http://127.0.0.1:5000',
        origin: 'http://localhost:5173',
        fetch: failingFetch,
        sleep: noWait,
        retry: { attempts: 2, baseDelayMs: 1 },
        reachabilityProbe: () => Promise.reject(new TypeError('Failed to fetch')),
      });
      await expect(client.getExperimentByName('x')).rejects.toThrow(MlflowUnreachableError);
    });

    it('never blames CORS for the same-origin /mlflow proxy, so it does not probe', async () => {
      const probed: string[] = [];
      const client = createMlflowClient({
        baseUrl: '/mlflow',
        origin: 'http://localhost:5173',
        fetch: failingFetch,
        sleep: noWait,
        reachabilityProbe: (url) => {
          probed.push(url);
          return Promise.resolve(true);
        },
      });
      await expect(client.getExperimentByName('x')).rejects.toThrow('is mlflow server running at /mlflow?');
      expect(probed).toEqual([]);
    });
  });
});
