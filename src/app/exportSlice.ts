/** The MLflow export slice: where to log, which runs, the connection test, and each export's outcome. Credentials live in sessionStorage only. */
import type { StateCreator } from 'zustand';
import { currentReportHtml, shapSummaryOf } from '../notebook/reportInput.ts';
import { binaryLabels } from '../data/validate.ts';
import { createMlflowClient, type MlflowAuth, type MlflowClient } from '../mlflow/client.ts';
import { MlflowAuthError, MlflowCorsError, MlflowHttpError, MlflowLimitError, MlflowProtocolError, MlflowUnreachableError, isAbort } from '../mlflow/errors.ts';
import { DEFAULT_NETWORK_POLICY, NetworkTimeoutError } from '../data/networkPolicy.ts';
import { exportRun } from '../mlflow/exportRun.ts';
import { serializeNotebook } from '../notebook/serializer.ts';
import { notebookToDoc } from './notebookDoc.ts';
import { notebookForSharing } from '../notebook/notebookLink.ts';
import { hasSecrets } from '../data/urlSecrets.ts';
import { DEFAULT_EXPERIMENT_NAMES, runToExportable, type MlflowRunContext } from '../notebook/mlflowRun.ts';
import type { WorkbenchState } from './store.ts';
import { firstCellOf } from './notebookSlice.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../notebook/settings.ts';
import type { ModelKind, Run, RunId } from '../notebook/runs.ts';

/** Where the app's same-origin proxy forwards (scripts/static-server.mjs): the MLflow UI is linked there. */
export const PROXIED_MLFLOW_UI = 'http://127.0.0.1:5000';
const AUTH_STORAGE_KEY = 'ml-workbench.mlflow.auth';

/** What went wrong, in the user's terms, and what fixes it. */
export interface ExplainedMlflowError {
  readonly kind: 'unreachable' | 'cors' | 'auth' | 'mlflow' | 'limit' | 'other';
  readonly message: string;
  readonly fix: string;
}

/** One run's export outcome. */
export type MlflowExportResult =
  | { readonly ok: true; readonly runId: RunId; readonly runName: string; readonly kind: ModelKind; readonly mlflowRunId: string; readonly url: string; readonly created: boolean; readonly parentRunId: string | null }
  | { readonly ok: false; readonly runId: RunId; readonly runName: string; readonly kind: ModelKind; readonly error: ExplainedMlflowError };

export interface MlflowConnectionState {
  readonly status: 'idle' | 'testing' | 'ok' | 'error';
  readonly version: string | null;
  readonly message: string;
  readonly error: ExplainedMlflowError | null;
}

export interface MlflowExportState {
  readonly status: 'idle' | 'running' | 'done' | 'error';
  readonly done: number;
  readonly total: number;
  readonly results: readonly MlflowExportResult[];
  /** wall time of the last export of all selected runs */
  readonly wallMs: number | null;
  /** a problem before any run was tried (nothing selected) */
  readonly error: string | null;
}

export interface ExportSlice {
  /** the tracking URI: the same-origin `/mlflow` proxy by default, or a direct server URL */
  mlflowTrackingUri: string;
  /** the MLflow UI's own address for links; null follows the tracking URI (the proxy's upstream for the proxy) */
  mlflowUiBase: string | null;
  mlflowExperimentNames: Record<ModelKind, string>;
  /** runs ticked for export; null means the active classifier and regressor runs */
  mlflowSelection: readonly RunId[] | null;
  mlflowConnection: MlflowConnectionState;
  mlflowExport: MlflowExportState;
  setMlflowTrackingUri(uri: string): void;
  setMlflowUiBase(uiBase: string | null): void;
  setMlflowExperimentName(kind: ModelKind, name: string): void;
  setMlflowRunSelected(id: RunId, selected: boolean): void;
  testMlflowConnection(): Promise<void>;
  exportToMlflow(): Promise<void>;
  /** stops a running export; each run it started ends FAILED ("cancelled") in MLflow */
  cancelMlflowExport(): void;
}

/** The running export's cancel; one export runs at a time. */
let exportAbort: AbortController | null = null;

/** The same-origin proxy's address as the user sees it, e.g. `http://127.0.0.1:4173/mlflow`. */
export function proxyTrackingUri(): string {
  const origin = typeof location === 'undefined' ? '' : location.origin;
  return `${origin}/mlflow`;
}

/** Whether `uri` is this app's own `/mlflow` proxy. */
export function isProxyUri(uri: string): boolean {
  const trimmed = uri.trim().replace(/\/+$/, '');
  return trimmed === '/mlflow' || trimmed === proxyTrackingUri();
}

/** The MLflow UI base for links: the user's choice, else the proxy's upstream, else the tracking URI itself. */
export function effectiveUiBase(trackingUri: string, uiBase: string | null): string {
  if (uiBase !== null && uiBase.trim() !== '') return uiBase.trim().replace(/\/+$/, '');
  return isProxyUri(trackingUri) ? PROXIED_MLFLOW_UI : trackingUri.trim().replace(/\/+$/, '');
}

/** The credentials of this tab (sessionStorage): never in the store, the notebook or an export. */
export function loadMlflowAuth(): MlflowAuth | null {
  try {
    const raw = sessionStorage.getItem(AUTH_STORAGE_KEY);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<{ kind: string; token: string; username: string; password: string }>;
    if (parsed.kind === 'bearer' && typeof parsed.token === 'string') return { kind: 'bearer', token: parsed.token };
    if (parsed.kind === 'basic' && typeof parsed.username === 'string' && typeof parsed.password === 'string') {
      return { kind: 'basic', username: parsed.username, password: parsed.password };
    }
  } catch {
    // storage blocked or garbled: no credentials
  }
  return null;
}

/** Keep (or with null, forget) this tab's MLflow credentials. */
export function saveMlflowAuth(auth: MlflowAuth | null): void {
  try {
    if (auth === null) sessionStorage.removeItem(AUTH_STORAGE_KEY);
    else sessionStorage.setItem(AUTH_STORAGE_KEY, JSON.stringify(auth));
  } catch {
    // storage blocked: the credentials last until the page closes, in the cell's own state
  }
}

/** Turn any failure of the client into what happened and what to do about it. */
export function explainMlflowError(error: unknown, trackingUri: string, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): ExplainedMlflowError {
  const proxy = isProxyUri(trackingUri);
  if (error instanceof MlflowCorsError) {
    return {
      kind: 'cors',
      message: `CORS: ${error.message}`,
      fix: `The server is up but does not allow this page's origin. Restart it with --cors-allowed-origins ${error.origin ?? 'this origin'} (MLflow ≥ 3.5), or use the same-origin proxy ${proxyTrackingUri()}.`,
    };
  }
  if (error instanceof MlflowUnreachableError || (error instanceof MlflowHttpError && (error.errorCode === 'PROXY_UNREACHABLE' || error.status === 502 || error.status === 504))) {
    return {
      kind: 'unreachable',
      message: `MLflow server unreachable: ${error.message}`,
      fix: proxy
        ? `Start it with "mlflow server --host 127.0.0.1 --port 5000" (the proxy forwards to ${PROXIED_MLFLOW_UI}), then export again.`
        : `Check the tracking URI and start the server (mlflow server --host 127.0.0.1 --port <port>), then export again.`,
    };
  }
  if (error instanceof MlflowAuthError) {
    return {
      kind: 'auth',
      message: `Not authorised (${error.status}): ${error.message}`,
      fix: error.status === 403 ? 'These credentials may not write to this experiment; ask its owner or use another account.' : 'Set a bearer token or username/password below.',
    };
  }
  if (error instanceof MlflowHttpError) {
    return {
      kind: 'mlflow',
      message: `MLflow refused the request (${error.status}${error.errorCode === null ? '' : ` ${error.errorCode}`}): ${error.serverMessage}`,
      fix: error.status >= 500 ? 'The server failed; see its log, then export again.' : 'Fix what MLflow names (an experiment name, a deleted experiment), then export again.',
    };
  }
  if (error instanceof MlflowLimitError) return { kind: 'limit', message: error.message, fix: 'Shorten the named value, then export again.' };
  if (isAbort(error)) return { kind: 'other', message: 'export cancelled; a run it had started is marked FAILED in MLflow', fix: 'Export again when ready.' };
  if (error instanceof NetworkTimeoutError) {
    return { kind: 'unreachable', message: error.message, fix: `MLflow did not answer within ${timeoutSeconds} s per request; check the server or raise the MLflow timeout in this cell, then export again.` };
  }
  if (error instanceof MlflowProtocolError) return { kind: 'mlflow', message: error.message, fix: 'Point the tracking URI at an MLflow server (or the /mlflow proxy), then export again.' };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'other', message, fix: 'Export again; if it keeps failing, check the tracking URI.' };
}

/** The runs an export would send now: the ticked ones, or the active classifier and regressor runs. */
export function selectedMlflowRuns(s: WorkbenchState): Run[] {
  const ids = s.mlflowSelection ?? [s.activeRun.classifier, s.activeRun.regressor].filter((id): id is RunId => id !== null);
  return s.runs.filter((r) => ids.includes(r.id));
}

/** Whether what leaves the page keeps the data URL's secrets: only when the URL has some and the user said so (`shareSecrets`). */
export function keepsSecrets(s: Pick<WorkbenchState, 'dataset' | 'shareSecrets'>): boolean {
  return s.shareSecrets && s.dataset?.source.type === 'url' && hasSecrets(s.dataset.source.url);
}

/** The notebook logged with each run: the same document as the downloaded file (secrets replaced unless the user keeps them). */
export function notebookJson(s: WorkbenchState): string {
  return serializeNotebook(notebookForSharing(notebookToDoc(s), keepsSecrets(s)));
}

/** What the page knows beyond a run: the slider, the browser, the data's URL and class balance, the notebook. */
function runContext(s: WorkbenchState, run: Run, notebook: string, reportHtml: string | null): MlflowRunContext {
  const ds = s.dataset;
  const sameData = ds !== null && ds.sha256 === run.dataSha256;
  const ctx: MlflowRunContext = {
    experimentName: s.mlflowExperimentNames[run.kind],
    userAgent: typeof navigator === 'undefined' ? 'unknown' : navigator.userAgent,
    notebookJson: notebook,
    targets: s.metricTargets,
    ...(reportHtml !== null ? { reportHtml } : {}),
  };
  if (run.kind === 'classifier') ctx.threshold = s.activeRun.classifier === run.id ? s.threshold : run.result.threshold;
  const shap = shapSummaryOf(s, run);
  if (shap !== null) ctx.shapSummary = shap;
  if (sameData && ds.source.type !== 'file') ctx.dataUrl = new URL(ds.source.url, typeof location === 'undefined' ? 'http://localhost/' : location.href).href;
  if (sameData) {
    const column = ds.columns.find((c) => c.name === s.classTarget);
    const labels = column ? binaryLabels(column) : null;
    if (labels !== null && typeof labels !== 'string' && labels.positives > 0) ctx.classImbalanceRatio = labels.negatives / labels.positives;
  }
  return ctx;
}

/** Seconds each MLflow call may take: the (first) Export cell's setting. */
export function mlflowTimeoutSeconds(s: Pick<WorkbenchState, 'cells' | 'cellIds'>): number {
  return firstCellOf(s, 'export')?.config.mlflowTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
}

function clientFor(s: WorkbenchState): MlflowClient {
  const auth = loadMlflowAuth();
  const uri = s.mlflowTrackingUri.trim();
  // through the proxy, a relative base keeps every request same-origin
  const baseUrl = isProxyUri(uri) ? '/mlflow' : uri;
  const policy = { ...DEFAULT_NETWORK_POLICY, timeoutMs: mlflowTimeoutSeconds(s) * 1000 };
  return createMlflowClient({ baseUrl, ...(auth ? { auth } : {}), policy, retry: { attempts: 3, baseDelayMs: 300 } });
}

const idleConnection: MlflowConnectionState = { status: 'idle', version: null, message: '', error: null };
const idleExport: MlflowExportState = { status: 'idle', done: 0, total: 0, results: [], wallMs: null, error: null };

export const createExportSlice: StateCreator<WorkbenchState, [], [], ExportSlice> = (set, get) => ({
  mlflowTrackingUri: proxyTrackingUri(),
  mlflowUiBase: null,
  mlflowExperimentNames: { ...DEFAULT_EXPERIMENT_NAMES },
  mlflowSelection: null,
  mlflowConnection: idleConnection,
  mlflowExport: idleExport,
  setMlflowTrackingUri(uri) {
    set({ mlflowTrackingUri: uri, mlflowConnection: idleConnection });
  },
  setMlflowUiBase(uiBase) {
    set({ mlflowUiBase: uiBase });
  },
  setMlflowExperimentName(kind, name) {
    set((s) => ({ mlflowExperimentNames: { ...s.mlflowExperimentNames, [kind]: name } }));
  },
  setMlflowRunSelected(id, selected) {
    set((s) => {
      const current = s.mlflowSelection ?? selectedMlflowRuns(s).map((r) => r.id);
      const next = selected ? [...current.filter((x) => x !== id), id] : current.filter((x) => x !== id);
      return { mlflowSelection: next };
    });
  },
  async testMlflowConnection() {
    const s = get();
    const uri = s.mlflowTrackingUri.trim();
    set({ mlflowConnection: { ...idleConnection, status: 'testing' } });
    try {
      const client = clientFor(s);
      const name = s.mlflowExperimentNames.classifier;
      const experiment = await client.getExperimentByName(name);
      const version = await client.serverVersion().then((v) => v.slice(0, 40)).catch(() => null);
      const found = experiment ? `experiment "${name}" exists (id ${experiment.experimentId})` : `experiment "${name}" will be created on export`;
      set({ mlflowConnection: { status: 'ok', version, message: `connected to ${client.baseUrl}: ${found}`, error: null } });
    } catch (error) {
      set({ mlflowConnection: { status: 'error', version: null, message: '', error: explainMlflowError(error, uri, mlflowTimeoutSeconds(s)) } });
    }
  },
  async exportToMlflow() {
    const s = get();
    if (s.mlflowExport.status === 'running') return;
    const runs = selectedMlflowRuns(s);
    if (runs.length === 0) {
      set({ mlflowExport: { ...idleExport, status: 'error', error: 'no run selected; train a model or tick a run to export' } });
      return;
    }
    const uri = s.mlflowTrackingUri.trim();
    const uiBase = effectiveUiBase(uri, s.mlflowUiBase);
    const client = clientFor(s);
    const notebook = notebookJson(s);
    let reportHtml: string | null = null;
    try {
      reportHtml = currentReportHtml(s);
    } catch {
      reportHtml = null; // a report needs a trained model and profile; runs still export without it
    }
    set({ mlflowExport: { ...idleExport, status: 'running', total: runs.length } });
    exportAbort = new AbortController();
    const signal = exportAbort.signal;
    const started = performance.now();
    const results = await Promise.all(runs.map(async (run): Promise<MlflowExportResult> => {
      const who = { runId: run.id, runName: run.name, kind: run.kind };
      try {
        const exported = await exportRun(client, runToExportable(run, runContext(s, run, notebook, reportHtml)), { uiBase, signal, includeSecrets: keepsSecrets(s) });
        return { ...who, ok: true, mlflowRunId: exported.runId, url: exported.url, created: exported.created, parentRunId: exported.parentRunId };
      } catch (error) {
        return { ...who, ok: false, error: explainMlflowError(error, uri, mlflowTimeoutSeconds(s)) };
      } finally {
        set((st) => ({ mlflowExport: { ...st.mlflowExport, done: st.mlflowExport.done + 1 } }));
      }
    }));
    const wallMs = performance.now() - started;
    exportAbort = null;
    set({ mlflowExport: { status: results.every((r) => r.ok) ? 'done' : 'error', done: runs.length, total: runs.length, results, wallMs, error: null } });
  },
  cancelMlflowExport() {
    exportAbort?.abort();
  },
});
