// A typed client for MLflow's REST API (tracking + proxied artifacts). Pure: `fetch`, `sleep` and the CORS probe
// are injected, so it runs the same in the page, a worker, node tests and the pipeline.
import {
  DEFAULT_NETWORK_POLICY, abortReason, abortableSleep, parseRetryAfter, withRetry, withTimeout, type NetworkPolicy,
} from '../data/networkPolicy.ts';
import {
  MlflowAuthError,
  MlflowHttpError,
  MlflowLimitError,
  MlflowProtocolError,
  classifyFetchFailure,
  currentOrigin,
  isAbort,
  isAmbiguous,
  isRetryable,
  noCorsInThisRuntime,
  noCorsProbe,
  type ReachabilityProbe,
} from './errors.ts';
import { redactText } from '../data/urlSecrets.ts';

/** An MLflow run id (hex), branded so it is not mixed up with the workbench's own run ids. */
export type MlflowRunId = string & { readonly __brand: 'MlflowRunId' };
/** An MLflow experiment id (a decimal string), branded so it is not mixed up with run ids. */
export type MlflowExperimentId = string & { readonly __brand: 'MlflowExperimentId' };

/** Brand a string read from elsewhere (a stored export result, a URL) as an MLflow run id. */
export const mlflowRunId = (id: string): MlflowRunId => id as MlflowRunId;
/** Brand a string read from elsewhere as an MLflow experiment id. */
export const mlflowExperimentId = (id: string): MlflowExperimentId => id as MlflowExperimentId;

/** A run's lifecycle as MLflow names it. */
export type MlflowRunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Credentials sent as the `Authorization` header (MLflow's basic-auth app, or a token-checking proxy). */
export type MlflowAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

/** MLflow's limits (mlflow/utils/validation.py in 3.17.2); checked here because the server truncates long values silently. */
export const MLFLOW_LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  /** `len(json)` of one log-batch body; kept under with a margin. */
  batchRequestChars: 1_000_000,
  paramValueLength: 6000,
  tagValueLength: 8000,
  keyLength: 250,
} as const;

/** One experiment, as read back. */
export interface MlflowExperiment {
  experimentId: MlflowExperimentId;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
}

/** A run's attributes, as read back. */
export interface MlflowRunInfo {
  runId: MlflowRunId;
  experimentId: MlflowExperimentId;
  runName: string;
  status: MlflowRunStatus;
  startTime: number;
  endTime: number | null;
  /** e.g. `mlflow-artifacts:/1/<run>/artifacts` when the server proxies artifacts. */
  artifactUri: string;
  lifecycleStage: string;
}

/** A run with its data flattened into records: latest value per metric. */
export interface MlflowRun {
  info: MlflowRunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
}

/** One metric point; `timestamp` in epoch milliseconds. */
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** One entry of an artifact listing; `path` is relative to the run's artifact root. */
export interface MlflowArtifactFile {
  path: string;
  isDir: boolean;
  fileSize: number | null;
}

/** A param value as the workbench holds it; sent as text. */
export type MlflowParamValue = string | number | boolean;

/** What `logBatch` logs; any part may be empty. */
export interface LogBatchInput {
  runId: MlflowRunId;
  metrics?: readonly MlflowMetric[];
  params?: Readonly<Record<string, MlflowParamValue>>;
  tags?: Readonly<Record<string, string>>;
}

/** How the client reaches the server. */
export interface MlflowClientOptions {
  /** The tracking URI: `http://127.0.0.1:5000`, or the same-origin `/mlflow` proxy. */
  baseUrl: string;
  fetch?: typeof fetch;
  auth?: MlflowAuth;
  /** Total attempts for 5xx, 429 and network failures, and the first backoff delay (doubled each time). */
  retry?: { attempts: number; baseDelayMs: number };
  /** timeout per attempt and retries (`retry` overrides its attempts and delay); default `DEFAULT_NETWORK_POLICY` */
  policy?: NetworkPolicy;
  /** cancels every call of this client (see `withSignal` for a cancellable copy) */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  /** Tells a CORS refusal from a server that is down; default: a `no-cors` fetch in pages/workers, none in node. */
  reachabilityProbe?: ReachabilityProbe;
  /** The page's origin, for CORS errors; default `location.origin` where there is one, null in node. */
  origin?: string | null;
}

/** A run, or its info when already at hand (saves a `runs/get`), as the target of an artifact call. */
export type MlflowRunRef = MlflowRunId | MlflowRunInfo;

/** The MLflow REST client returned by `createMlflowClient`. */
export interface MlflowClient {
  readonly baseUrl: string;
  /** The server's MLflow version (`GET /version`), sent with the client's credentials. */
  serverVersion(): Promise<string>;
  /** The same client, its calls cancelled when `signal` aborts. */
  withSignal(signal: AbortSignal): MlflowClient;
  getExperimentByName(name: string): Promise<MlflowExperiment | null>;
  createExperiment(name: string): Promise<MlflowExperimentId>;
  getOrCreateExperiment(name: string): Promise<MlflowExperiment>;
  createRun(input: { experimentId: MlflowExperimentId; runName: string; startTime: number; tags?: Readonly<Record<string, string>> }): Promise<MlflowRun>;
  updateRun(input: { runId: MlflowRunId; status: MlflowRunStatus; endTime?: number; runName?: string }): Promise<MlflowRunInfo>;
  getRun(runId: MlflowRunId): Promise<MlflowRun>;
  searchRuns(input: { experimentIds: readonly MlflowExperimentId[]; filter?: string; maxResults?: number; orderBy?: readonly string[]; pageToken?: string }): Promise<{ runs: MlflowRun[]; nextPageToken: string | null }>;
  logBatch(input: LogBatchInput): Promise<{ requests: number }>;
  setTag(runId: MlflowRunId, key: string, value: string): Promise<void>;
  deleteTag(runId: MlflowRunId, key: string): Promise<void>;
  getMetricHistory(runId: MlflowRunId, key: string): Promise<MlflowMetric[]>;
  uploadArtifact(run: MlflowRunRef, path: string, body: string | Uint8Array, contentType: string): Promise<void>;
  downloadArtifact(run: MlflowRunRef, path: string): Promise<Uint8Array>;
  listArtifacts(run: MlflowRunRef, path?: string): Promise<MlflowArtifactFile[]>;
}

const RUN_STATUSES: readonly MlflowRunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const objectAt = (obj: JsonObject, key: string): JsonObject => {
  const value = obj[key];
  return isObject(value) ? value : {};
};
const arrayAt = (obj: JsonObject, key: string): JsonObject[] => {
  const value = obj[key];
  return Array.isArray(value) ? value.filter(isObject) : [];
};
const stringAt = (obj: JsonObject, key: string): string => {
  const value = obj[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
};
// int64 fields may come back as JSON strings; doubles as "NaN"/"Infinity" strings
const numberAt = (obj: JsonObject, key: string): number | null => {
  const value = obj[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') return Number(value);
  return null;
};

/** Encode a param value the way MLflow's Python client does (`str(value)`), so runs compare equal in the UI. */
export function formatParamValue(value: MlflowParamValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

// protobuf JSON has no NaN/Infinity literals; MLflow accepts them as strings
const encodeDouble = (value: number): number | string => (Number.isFinite(value) ? value : String(value));

const KEY_PATTERN = /^[/\p{L}\p{N}_.\- :]+$/u;

function checkKey(kind: string, key: string): void {
  if (key.length === 0) throw new MlflowLimitError(`${kind} name is empty; give it a name`);
  if (key.length > MLFLOW_LIMITS.keyLength) {
    throw new MlflowLimitError(`${kind} "${key.slice(0, 40)}…" is ${key.length} characters; mlflow allows ${MLFLOW_LIMITS.keyLength}`);
  }
  if (kind === 'tag') return; // tag names are only length-checked by mlflow
  if (!KEY_PATTERN.test(key)) {
    throw new MlflowLimitError(`${kind} "${key}" has characters mlflow refuses; use letters, digits, _ - . : / and spaces`);
  }
  if (key.startsWith('/') || key.endsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new MlflowLimitError(`${kind} "${key}" is not a clean path; drop leading, trailing or doubled slashes and . or .. parts`);
  }
}

/** Check names and lengths against MLflow's limits before anything is sent; throws `MlflowLimitError`. */
export function validateLogBatch(input: Omit<LogBatchInput, 'runId'>): void {
  for (const [key, value] of Object.entries(input.params ?? {})) {
    checkKey('param', key);
    const text = formatParamValue(value);
    if (text.length > MLFLOW_LIMITS.paramValueLength) {
      throw new MlflowLimitError(
        `param "${key}" is ${text.length} characters; mlflow allows ${MLFLOW_LIMITS.paramValueLength}: shorten it or upload it as an artifact`,
      );
    }
  }
  for (const [key, value] of Object.entries(input.tags ?? {})) {
    checkKey('tag', key);
    if (value.length > MLFLOW_LIMITS.tagValueLength) {
      throw new MlflowLimitError(`tag "${key}" is ${value.length} characters; mlflow allows ${MLFLOW_LIMITS.tagValueLength}: shorten it`);
    }
  }
  for (const metric of input.metrics ?? []) {
    checkKey('metric', metric.key);
    if (!Number.isInteger(metric.step) || !Number.isInteger(metric.timestamp)) {
      throw new MlflowLimitError(`metric "${metric.key}" has step ${metric.step} / timestamp ${metric.timestamp}; both must be integers`);
    }
  }
}

type KeyValue = { key: string; value: string };
type WireMetric = { key: string; value: number | string; timestamp: number; step: number };
interface BatchBody { params: KeyValue[]; tags: KeyValue[]; metrics: WireMetric[] }

/** Split one logical batch into request bodies within every per-request limit of `runs/log-batch`. */
export function splitLogBatch(input: Omit<LogBatchInput, 'runId'>): BatchBody[] {
  const params = Object.entries(input.params ?? {}).map(([key, value]) => ({ key, value: formatParamValue(value) }));
  const tags = Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value }));
  const metrics = (input.metrics ?? []).map((m) => ({ key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp, step: m.step }));
  // leave room for the run id and the JSON wrapping
  const charBudget = MLFLOW_LIMITS.batchRequestChars - 10_000;
  const bodies: BatchBody[] = [];
  let p = 0;
  let t = 0;
  let m = 0;
  while (p < params.length || t < tags.length || m < metrics.length) {
    const body: BatchBody = { params: [], tags: [], metrics: [] };
    let chars = 0;
    let entities = 0;
    const fits = (item: object) => {
      const size = JSON.stringify(item).length + 1;
      // an empty body always takes one item, so a single big item still goes out on its own
      if (entities > 0 && (chars + size > charBudget || entities >= MLFLOW_LIMITS.entitiesPerBatch)) return false;
      chars += size;
      entities += 1;
      return true;
    };
    for (let param = params[p]; param && body.params.length < MLFLOW_LIMITS.paramsPerBatch && fits(param); param = params[p]) {
      body.params.push(param);
      p += 1;
    }
    for (let tag = tags[t]; tag && body.tags.length < MLFLOW_LIMITS.tagsPerBatch && fits(tag); tag = tags[t]) {
      body.tags.push(tag);
      t += 1;
    }
    for (let metric = metrics[m]; metric && body.metrics.length < MLFLOW_LIMITS.metricsPerBatch && fits(metric); metric = metrics[m]) {
      body.metrics.push(metric);
      m += 1;
    }
    bodies.push(body);
  }
  return bodies;
}

/** The artifact root of a run relative to the proxied store (`1/<run>/artifacts`), from its `mlflow-artifacts:` URI. */
export function proxiedArtifactRoot(info: Pick<MlflowRunInfo, 'runId' | 'artifactUri'>): string {
  const match = /^mlflow-artifacts:(?:\/\/[^/]+)?\/*(.*?)\/*$/.exec(info.artifactUri);
  if (!match?.[1]) {
    throw new Error(
      `run ${info.runId} keeps artifacts at "${info.artifactUri}", which the tracking server does not proxy; ` +
        'start mlflow server with --serve-artifacts and log to an experiment whose artifact location is mlflow-artifacts:/',
    );
  }
  return match[1];
}

function encodeArtifactPath(path: string): string {
  const parts = path.split('/');
  if (path === '' || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`artifact path "${path}" is not a clean relative path; use e.g. "model/bundle.json"`);
  }
  return parts.map(encodeURIComponent).join('/');
}

function utf8Base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function authorizationHeader(auth: MlflowAuth): string {
  switch (auth.kind) {
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'basic':
      return `Basic ${utf8Base64(`${auth.username}:${auth.password}`)}`;
    default:
      return assertNever(auth);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

function parseRunInfo(raw: JsonObject): MlflowRunInfo {
  const status = stringAt(raw, 'status');
  return {
    runId: mlflowRunId(stringAt(raw, 'run_id') || stringAt(raw, 'run_uuid')),
    experimentId: mlflowExperimentId(stringAt(raw, 'experiment_id')),
    runName: stringAt(raw, 'run_name'),
    status: RUN_STATUSES.find((s) => s === status) ?? 'RUNNING',
    startTime: numberAt(raw, 'start_time') ?? 0,
    endTime: numberAt(raw, 'end_time'),
    artifactUri: stringAt(raw, 'artifact_uri'),
    lifecycleStage: stringAt(raw, 'lifecycle_stage'),
  };
}

function parseMetric(raw: JsonObject): MlflowMetric {
  return {
    key: stringAt(raw, 'key'),
    value: numberAt(raw, 'value') ?? Number.NaN,
    timestamp: numberAt(raw, 'timestamp') ?? 0,
    step: numberAt(raw, 'step') ?? 0,
  };
}

function parseRun(raw: JsonObject): MlflowRun {
  const data = objectAt(raw, 'data');
  const toRecord = (items: JsonObject[]) => Object.fromEntries(items.map((kv) => [stringAt(kv, 'key'), stringAt(kv, 'value')]));
  return {
    info: parseRunInfo(objectAt(raw, 'info')),
    params: toRecord(arrayAt(data, 'params')),
    tags: toRecord(arrayAt(data, 'tags')),
    metrics: Object.fromEntries(arrayAt(data, 'metrics').map((m) => [stringAt(m, 'key'), numberAt(m, 'value') ?? Number.NaN])),
  };
}

function parseExperiment(raw: JsonObject): MlflowExperiment {
  return {
    experimentId: mlflowExperimentId(stringAt(raw, 'experiment_id')),
    name: stringAt(raw, 'name'),
    artifactLocation: stringAt(raw, 'artifact_location'),
    lifecycleStage: stringAt(raw, 'lifecycle_stage'),
  };
}

/** What one request brought back: text, or bytes for a binary download. */
interface Answer {
  response: Response;
  url: string;
  text: string;
  bytes: Uint8Array | null;
}

interface RequestSpec {
  /** read the answer as bytes (artifact downloads) */
  binary?: boolean;
  /** false for writes that must not be sent twice after an ambiguous failure (runs/create) */
  idempotent?: boolean;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  body?: string | Uint8Array;
  contentType?: string;
}

/** Create a client for the MLflow tracking server at `baseUrl`. */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.policy ?? DEFAULT_NETWORK_POLICY;
  const policy: NetworkPolicy = options.retry ? { ...base, attempts: options.retry.attempts, baseDelayMs: options.retry.baseDelayMs } : base;
  const injectedSleep = options.sleep;
  const sleep = injectedSleep ? (ms: number) => injectedSleep(ms) : abortableSleep;
  const signal = options.signal;
  const origin = options.origin === undefined ? currentOrigin() : options.origin;
  // outside a page or worker there is no CORS, so every network failure means nothing answered
  const probe = options.reachabilityProbe ?? (origin === null ? noCorsInThisRuntime : noCorsProbe(fetchImpl));
  const authHeader = options.auth ? authorizationHeader(options.auth) : null;

  /** One request under the timeout, its body read too (a server may send headers and then stall). */
  async function attempt(spec: RequestSpec): Promise<Answer> {
    const query = spec.query ? `?${new URLSearchParams(spec.query).toString()}` : '';
    const url = `${baseUrl}${spec.path}${query}`;
    const headers: Record<string, string> = {};
    if (authHeader !== null) headers.Authorization = authHeader;
    let body: BodyInit | undefined;
    if (spec.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.body !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/octet-stream';
      // copy: fetch wants an ArrayBuffer-backed view, the caller may hold a SharedArrayBuffer one
      body = typeof spec.body === 'string' ? spec.body : new Uint8Array(spec.body);
    }
    return withTimeout(async (inner) => {
      let response: Response;
      try {
        response = await fetchImpl(url, { method: spec.method, headers, signal: inner, ...(body === undefined ? {} : { body }) });
      } catch (failure) {
        if (inner.aborted) throw abortReason(inner);
        if (isAbort(failure)) throw failure;
        throw await classifyFetchFailure(failure, { url, serverUrl: baseUrl, probe, origin });
      }
      if (!response.ok) throw await httpError(spec, url, response);
      if (spec.binary === true) return { response, url, text: '', bytes: new Uint8Array(await response.arrayBuffer()) };
      return { response, url, text: await response.text(), bytes: null };
    }, { timeoutMs: policy.timeoutMs, signal, timeoutMessage: redactText(`mlflow ${spec.method} ${url} got no complete answer within ${policy.timeoutMs / 1000} s; is mlflow server running at ${baseUrl}? raise the timeout if it is slow`) });
  }

  async function httpError(spec: RequestSpec, url: string, response: Response): Promise<Error> {
    const text = await response.text().catch(() => '');
    let errorCode: string | null = null;
    let serverMessage = text.trim().slice(0, 500) || response.statusText || 'no message';
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed) && typeof parsed.error_code === 'string') {
        errorCode = parsed.error_code;
        serverMessage = stringAt(parsed, 'message') || serverMessage;
      }
    } catch {
      // not MLflow JSON (a proxy's or gateway's page): keep the text
    }
    const init = { status: response.status, errorCode, serverMessage, method: spec.method, url, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
    if (response.status === 401 || response.status === 403) return new MlflowAuthError(init, authHeader !== null);
    const hint = response.status === 502 || response.status === 504 ? `; is mlflow server running behind ${baseUrl}?` : '';
    return new MlflowHttpError(init, hint);
  }

  // A write that must not be doubled is retried only when the server surely did not apply it (429, nothing answered).
  const retryableFor = (spec: RequestSpec) => (error: unknown): boolean =>
    isRetryable(error) && (spec.idempotent !== false || (error instanceof MlflowHttpError ? error.status === 429 : !isAmbiguous(error)));

  function send(spec: RequestSpec): Promise<Answer> {
    return withRetry(() => attempt(spec), { policy, retryable: retryableFor(spec), signal, sleep });
  }

  async function sendJson(spec: RequestSpec): Promise<JsonObject> {
    const { response, text: body, url } = await send(spec);
    if (body.trim() === '') return {};
    const type = response.headers.get('content-type') ?? '';
    if (/html/i.test(type) || /^\s*</.test(body)) throw new MlflowProtocolError(url, `an HTML page (${response.status}${type ? `, ${type.split(';')[0]}` : ''})`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new MlflowProtocolError(url, `malformed JSON (${body.length} characters starting "${body.slice(0, 40)}")`);
    }
    if (!isObject(parsed)) throw new MlflowProtocolError(url, `JSON that is not an object (${body.slice(0, 40)})`);
    return parsed;
  }

  const api = (path: string) => `/api/2.0/mlflow/${path}`;

  async function serverVersion(): Promise<string> {
    return (await send({ method: 'GET', path: '/version' })).text.trim();
  }

  async function getExperimentByName(name: string): Promise<MlflowExperiment | null> {
    try {
      const body = await sendJson({ method: 'GET', path: api('experiments/get-by-name'), query: { experiment_name: name } });
      return parseExperiment(objectAt(body, 'experiment'));
    } catch (error) {
      if (error instanceof MlflowHttpError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw error;
    }
  }

  async function createExperiment(name: string): Promise<MlflowExperimentId> {
    const body = await sendJson({ method: 'POST', path: api('experiments/create'), json: { name } });
    return mlflowExperimentId(stringAt(body, 'experiment_id'));
  }

  async function getOrCreateExperiment(name: string): Promise<MlflowExperiment> {
    const found = await getExperimentByName(name);
    if (found) {
      if (found.lifecycleStage === 'deleted') {
        throw new Error(`experiment "${name}" is deleted in mlflow; restore it in the mlflow UI or pick another name`);
      }
      return found;
    }
    try {
      await createExperiment(name);
    } catch (error) {
      // another exporter created it between our get and create
      if (!(error instanceof MlflowHttpError && error.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
    }
    const created = await getExperimentByName(name);
    if (!created) throw new Error(`experiment "${name}" vanished right after it was created; retry the export`);
    return created;
  }

  async function getRun(runId: MlflowRunId): Promise<MlflowRun> {
    const body = await sendJson({ method: 'GET', path: api('runs/get'), query: { run_id: runId } });
    return parseRun(objectAt(body, 'run'));
  }

  const infoOf = async (run: MlflowRunRef): Promise<MlflowRunInfo> => (typeof run === 'string' ? (await getRun(run)).info : run);

  async function artifactUrlPath(run: MlflowRunRef, path: string): Promise<string> {
    const root = proxiedArtifactRoot(await infoOf(run));
    return `/api/2.0/mlflow-artifacts/artifacts/${encodeArtifactPath(root)}/${encodeArtifactPath(path)}`;
  }

  return {
    baseUrl,
    serverVersion,
    withSignal: (next) => createMlflowClient({ ...options, signal: next }),
    getExperimentByName,
    createExperiment,
    getOrCreateExperiment,
    getRun,

    async createRun({ experimentId, runName, startTime, tags = {} }) {
      validateLogBatch({ tags });
      const body = await sendJson({
        method: 'POST',
        idempotent: false,
        path: api('runs/create'),
        json: {
          experiment_id: experimentId,
          run_name: runName,
          start_time: startTime,
          tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
        },
      });
      return parseRun(objectAt(body, 'run'));
    },

    async updateRun({ runId, status, endTime, runName }) {
      const body = await sendJson({
        method: 'POST',
        path: api('runs/update'),
        json: { run_id: runId, status, ...(endTime === undefined ? {} : { end_time: endTime }), ...(runName === undefined ? {} : { run_name: runName }) },
      });
      return parseRunInfo(objectAt(body, 'run_info'));
    },

    async searchRuns({ experimentIds, filter, maxResults, orderBy, pageToken }) {
      const body = await sendJson({
        method: 'POST',
        path: api('runs/search'),
        json: {
          experiment_ids: experimentIds,
          ...(filter === undefined ? {} : { filter }),
          ...(maxResults === undefined ? {} : { max_results: maxResults }),
          ...(orderBy === undefined ? {} : { order_by: orderBy }),
          ...(pageToken === undefined ? {} : { page_token: pageToken }),
        },
      });
      const next = stringAt(body, 'next_page_token');
      return { runs: arrayAt(body, 'runs').map(parseRun), nextPageToken: next === '' ? null : next };
    },

    async logBatch({ runId, ...batch }) {
      validateLogBatch(batch);
      const bodies = splitLogBatch(batch);
      for (const body of bodies) {
        await sendJson({ method: 'POST', path: api('runs/log-batch'), json: { run_id: runId, ...body } });
      }
      return { requests: bodies.length };
    },

    async setTag(runId, key, value) {
      validateLogBatch({ tags: { [key]: value } });
      await sendJson({ method: 'POST', path: api('runs/set-tag'), json: { run_id: runId, key, value } });
    },

    async deleteTag(runId, key) {
      await sendJson({ method: 'POST', path: api('runs/delete-tag'), json: { run_id: runId, key } });
    },

    async getMetricHistory(runId, key) {
      const points: MlflowMetric[] = [];
      let pageToken = '';
      do {
        const query: Record<string, string> = { run_id: runId, metric_key: key, max_results: '25000' };
        if (pageToken !== '') query.page_token = pageToken;
        const body = await sendJson({ method: 'GET', path: api('metrics/get-history'), query });
        points.push(...arrayAt(body, 'metrics').map(parseMetric));
        pageToken = stringAt(body, 'next_page_token');
      } while (pageToken !== '');
      return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    },

    async uploadArtifact(run, path, body, contentType) {
      await send({ method: 'PUT', path: await artifactUrlPath(run, path), body, contentType });
    },

    async downloadArtifact(run, path) {
      const { bytes } = await send({ method: 'GET', path: await artifactUrlPath(run, path), binary: true });
      return bytes ?? new Uint8Array();
    },

    async listArtifacts(run, path) {
      const root = proxiedArtifactRoot(await infoOf(run));
      const dir = path === undefined || path === '' ? '' : path.replace(/\/+$/, '');
      if (dir !== '') encodeArtifactPath(dir);
      const body = await sendJson({
        method: 'GET',
        path: '/api/2.0/mlflow-artifacts/artifacts',
        query: { path: dir === '' ? root : `${root}/${dir}` },
      });
      return arrayAt(body, 'files').map((file) => ({
        path: dir === '' ? stringAt(file, 'path') : `${dir}/${stringAt(file, 'path')}`,
        isDir: file.is_dir === true,
        fileSize: numberAt(file, 'file_size'),
      }));
    },
  };
}
