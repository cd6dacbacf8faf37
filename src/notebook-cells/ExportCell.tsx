/** Export to MLflow: where, with which credentials (this tab only), which runs; progress, links to each run, failures explained. */
import { useState } from 'react';
import { downloadFile } from '../app/download.ts';
import { useShallow } from 'zustand/react/shallow';
import {
  PROXIED_MLFLOW_UI, effectiveUiBase, isProxyUri, loadMlflowAuth, proxyTrackingUri, saveMlflowAuth, selectedMlflowRuns, type ExplainedMlflowError,
} from '../app/exportSlice.ts';
import { fmt } from '../app/format.ts';
import { sweepOf } from '../notebook/evaluation.ts';
import { sweepAt } from '../trainers/thresholdSweep.ts';
import { useWorkbench } from '../app/store.ts';
import { prepareInputs } from '../app/trainingSlice.ts';
import type { MlflowAuth } from '../mlflow/client.ts';
import { NumberField, SelectField, TextField } from './fields.tsx';
import type { CellProps } from './cellDefinition.ts';
import { cellOfKind } from '../app/notebookSlice.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '../notebook/settings.ts';
import { SecretsChoice } from '../app/SecretsChoice.tsx';
import { type ClassifierRun, isRunStale, type ModelKind, type Run } from '../notebook/runs.ts';

type AuthKind = 'none' | 'bearer' | 'basic';

function ErrorExplained({ error, testId }: { error: ExplainedMlflowError; testId: string }) {
  return (
    <div className="error" role="alert" data-testid={testId} data-kind={error.kind}>
      <strong>{error.message}</strong>
      <div>What to do: {error.fix}</div>
    </div>
  );
}

/** The run's test rows as CSV: data row, actual, prediction, then the model inputs, so the bundle can be checked elsewhere. */
function testPredictionsCsv(run: Run, X: Float32Array, cols: number): string {
  const predicted = run.kind === 'classifier' ? run.result.testProba : run.result.predTest;
  const actual = run.result.yTest;
  const header = ['data_row', 'actual', run.kind === 'classifier' ? 'probability' : 'predicted_revenue', ...run.featureNames];
  const lines = [header.map((h) => (/[",\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(',')];
  const index = run.result.testIndex;
  for (let i = 0; i < index.length; i++) {
    const row = index[i] ?? 0;
    const features = Array.from(X.subarray(row * cols, row * cols + cols), String);
    lines.push([row, actual[i] ?? '', predicted[i] ?? '', ...features].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function download(name: string, text: string, type: string): void {
  downloadFile(name, text, type);
}

function AuthFields() {
  const initial = loadMlflowAuth();
  const [kind, setKind] = useState<AuthKind>(initial?.kind ?? 'none');
  const [token, setToken] = useState(initial?.kind === 'bearer' ? initial.token : '');
  const [username, setUsername] = useState(initial?.kind === 'basic' ? initial.username : '');
  const [password, setPassword] = useState(initial?.kind === 'basic' ? initial.password : '');
  const save = (next: { kind: AuthKind; token: string; username: string; password: string }) => {
    const auth: MlflowAuth | null = next.kind === 'bearer' && next.token !== '' ? { kind: 'bearer', token: next.token }
      : next.kind === 'basic' && next.username !== '' ? { kind: 'basic', username: next.username, password: next.password } : null;
    saveMlflowAuth(auth);
  };
  const current = { kind, token, username, password };
  return (
    <>
      <SelectField<AuthKind> label="authentication" value={kind} testId="mlflow-auth-kind"
        options={[['none', 'none'], ['bearer', 'bearer token'], ['basic', 'username / password']]}
        onChange={(k) => { setKind(k); save({ ...current, kind: k }); }} />
      {kind === 'bearer' && (
        <label className="field"><span>token</span>
          <input type="password" autoComplete="off" value={token} data-testid="mlflow-token" onChange={(e) => { setToken(e.target.value); save({ ...current, token: e.target.value }); }} />
        </label>
      )}
      {kind === 'basic' && (
        <>
          <label className="field"><span>username</span>
            <input type="text" autoComplete="off" value={username} data-testid="mlflow-username" onChange={(e) => { setUsername(e.target.value); save({ ...current, username: e.target.value }); }} />
          </label>
          <label className="field"><span>password</span>
            <input type="password" autoComplete="off" value={password} data-testid="mlflow-password" onChange={(e) => { setPassword(e.target.value); save({ ...current, password: e.target.value }); }} />
          </label>
        </>
      )}
      {kind !== 'none' && <small className="muted">Kept in this tab&apos;s session storage only: never saved in the notebook or exported.</small>}
    </>
  );
}

const KIND_LABEL: Record<ModelKind, string> = { classifier: 'classifier', regressor: 'regressor' };

/** The only part of the cell that follows the slider: metrics at the threshold that will be logged (cached sweep, O(log n)). */
function ThresholdPreview({ run }: { run: ClassifierRun }) {
  const threshold = useWorkbench((st) => st.threshold);
  const preview = sweepAt(sweepOf(run.result), threshold);
  return (
    <p className="muted" data-testid="mlflow-preview">
      {run.name} is logged at decision threshold <span data-testid="mlflow-preview-threshold" data-value={threshold}>{fmt(threshold)}</span>:
      {' '}F1 <span data-testid="mlflow-preview-f1_score" data-value={preview.f1}>{fmt(preview.f1)}</span>,
      {' '}precision <span data-testid="mlflow-preview-precision" data-value={preview.precision}>{fmt(preview.precision)}</span>,
      {' '}recall <span data-testid="mlflow-preview-recall" data-value={preview.recall}>{fmt(preview.recall)}</span>,
      {' '}accuracy <span data-testid="mlflow-preview-accuracy" data-value={preview.accuracy}>{fmt(preview.accuracy)}</span>.
    </p>
  );
}

export function ExportCell({ cellId }: CellProps) {
  const s = useWorkbench(useShallow((st) => ({
    trackingUri: st.mlflowTrackingUri, uiBase: st.mlflowUiBase, names: st.mlflowExperimentNames, connection: st.mlflowConnection,
    exp: st.mlflowExport, runs: st.runs, activeRun: st.activeRun, selection: st.mlflowSelection,
  })));
  const actions = useWorkbench(useShallow((st) => ({
    setUri: st.setMlflowTrackingUri, setUiBase: st.setMlflowUiBase, setName: st.setMlflowExperimentName, select: st.setMlflowRunSelected,
    test: st.testMlflowConnection, exportRuns: st.exportToMlflow, cancel: st.cancelMlflowExport,
  })));
  const timeoutSeconds = useWorkbench((st) => cellOfKind(st, cellId, 'export')?.config.mlflowTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const setCellSettings = useWorkbench((st) => st.setCellSettings);
  const selectedIds = useWorkbench(useShallow((st) => selectedMlflowRuns(st).map((r) => r.id)));
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const uiBase = effectiveUiBase(s.trackingUri, s.uiBase);
  const running = s.exp.status === 'running';
  const activeClassifier = s.runs.find((r) => r.id === s.activeRun.classifier);

  const downloadPredictions = (kind: ModelKind) => {
    setDownloadError(null);
    const st = useWorkbench.getState();
    const run = st.runs.find((r) => r.id === st.activeRun[kind]);
    if (!run) return;
    try {
      if (isRunStale(st, run)) throw new Error(`the data or settings changed since ${run.name}; train it again to download its predictions`);
      const { matrix } = prepareInputs(st);
      download(`test_predictions_${kind}.csv`, testPredictionsCsv(run, matrix.X, matrix.cols), 'text/csv');
    } catch (error) {
      setDownloadError((error as Error).message);
    }
  };

  return (
    <div data-testid="export-cell">
      <div className="settings">
        <label className="field">
          <span>tracking URI</span>
          <input type="text" value={s.trackingUri} data-testid="mlflow-tracking-uri" onChange={(e) => actions.setUri(e.target.value)} />
          <small className="muted">
            {isProxyUri(s.trackingUri) ? `same-origin proxy to ${PROXIED_MLFLOW_UI}` : 'direct: the server must allow this origin (--cors-allowed-origins)'}
            {!isProxyUri(s.trackingUri) && (
              <> · <button type="button" className="link" data-testid="mlflow-use-proxy" onClick={() => actions.setUri(proxyTrackingUri())}>use the proxy</button></>
            )}
          </small>
        </label>
        <label className="field">
          <span>MLflow UI (for links)</span>
          <input type="text" value={uiBase} data-testid="mlflow-ui-base" onChange={(e) => actions.setUiBase(e.target.value === '' ? null : e.target.value)} />
        </label>
        <AuthFields />
        <TextField label="classifier experiment" value={s.names.classifier} testId="mlflow-experiment-classifier" onChange={(v) => actions.setName('classifier', v)} />
        <TextField label="regressor experiment" value={s.names.regressor} testId="mlflow-experiment-regressor" onChange={(v) => actions.setName('regressor', v)} />
        <NumberField label={`timeout per MLflow call (default ${DEFAULT_TIMEOUT_SECONDS})`} unit="s" value={timeoutSeconds} min={1} max={600} step={1} testId="mlflow-timeout"
          onChange={(v) => setCellSettings(cellId, 'export', { mlflowTimeoutSeconds: v })} />
      </div>
      <SecretsChoice where="the MLflow params (data_url), tags and artifacts (notebook.json)" />

      <div className="toolbar">
        <button type="button" onClick={() => void actions.test()} disabled={s.connection.status === 'testing'} data-testid="mlflow-test">Test connection</button>
        {s.connection.status === 'testing' && <span className="muted">testing…</span>}
        {s.connection.status === 'ok' && (
          <span className="met" data-testid="mlflow-connection-ok">
            {s.connection.message}{s.connection.version !== null && <> · MLflow <span data-testid="mlflow-version">{s.connection.version}</span></>}
          </span>
        )}
      </div>
      {s.connection.status === 'error' && s.connection.error && <ErrorExplained error={s.connection.error} testId="mlflow-connection-error" />}

      <fieldset className="run-list">
        <legend>Runs to export</legend>
        {s.runs.length === 0 && <p className="muted">No runs yet: train the classifier or the regressor first.</p>}
        {s.runs.map((run) => (
          <label key={run.id} className="check">
            <input type="checkbox" checked={selectedIds.includes(run.id)} data-testid={`mlflow-select-${run.id}`} data-kind={run.kind}
              onChange={(e) => actions.select(run.id, e.target.checked)} />
            {' '}{run.name} ({run.result.config.model} {KIND_LABEL[run.kind]}, {run.createdAt.slice(11, 19)}) → {s.names[run.kind]}
            {s.activeRun[run.kind] === run.id && <span className="muted"> · active</span>}
          </label>
        ))}
      </fieldset>

      {activeClassifier?.kind === 'classifier' && <ThresholdPreview run={activeClassifier} />}

      <div className="toolbar">
        <button type="button" className="primary" disabled={running || selectedIds.length === 0} onClick={() => void actions.exportRuns()} data-testid="mlflow-export">
          {s.exp.status === 'error' ? 'Export again' : 'Export to MLflow'}
        </button>
        {running && (
          <span data-testid="mlflow-progress">
            <progress max={s.exp.total} value={s.exp.done} /> exporting {s.exp.done} of {s.exp.total} runs…{' '}
            <button type="button" onClick={actions.cancel} data-testid="mlflow-export-cancel"
              title={`Stop the export; MLflow calls also time out after ${timeoutSeconds} s each`}>Cancel</button>
          </span>
        )}
        {s.exp.wallMs !== null && (
          <span className="muted" data-testid="mlflow-export-ms" data-value={s.exp.wallMs}>
            {s.exp.status === 'done' ? 'exported' : 'finished'} in {fmt(s.exp.wallMs / 1000, 2)} s
          </span>
        )}
        <button type="button" disabled={!s.activeRun.classifier} onClick={() => downloadPredictions('classifier')} data-testid="download-predictions-classifier">
          Download classifier test predictions (CSV)
        </button>
        <button type="button" disabled={!s.activeRun.regressor} onClick={() => downloadPredictions('regressor')} data-testid="download-predictions-regressor">
          Download regressor test predictions (CSV)
        </button>
      </div>
      {downloadError && <p className="error" data-testid="download-predictions-error">{downloadError}</p>}
      {s.exp.error && <p className="error" data-testid="mlflow-export-error">{s.exp.error}</p>}

      {s.exp.results.length > 0 && (
        <ul className="export-results" data-testid="mlflow-results" data-status={s.exp.status}>
          {s.exp.results.map((r) => (
            <li key={r.runId} data-testid={`mlflow-result-${r.kind}`} data-ok={r.ok}>
              {r.ok ? (
                <>
                  {r.runName}: {r.created ? 'logged as a new run' : 'updated the run exported before'}
                  {r.parentRunId !== null && <> (a param changed, so it links to {r.parentRunId} as parent)</>}
                  {' '}→ <a href={r.url} target="_blank" rel="noreferrer" data-testid={`mlflow-link-${r.kind}`} data-run-id={r.mlflowRunId}>open in MLflow</a>
                </>
              ) : (
                <>
                  {r.runName}: not exported
                  <ErrorExplained error={r.error} testId={`mlflow-error-${r.kind}`} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
