// Export one workbench run to MLflow: update the run exported before when its params still agree, else start a new
// one linked to it; end FINISHED, or FAILED with the reason, never RUNNING with half its data.
import {
  validateLogBatch,
  type MlflowClient,
  type MlflowExperimentId,
  type MlflowMetric,
  type MlflowParamValue,
  type MlflowRun,
  type MlflowRunId,
  formatParamValue,
  MLFLOW_LIMITS,
} from './client.ts';
import { isAmbiguous } from './errors.ts';
import { redactText } from '../data/urlSecrets.ts';

/** The tag that ties an MLflow run to the workbench run it came from; searched before creating a run. */
export const WORKBENCH_RUN_ID_TAG = 'workbench.run_id';
/** Set on a run created because a param changed since the earlier export; holds that run's MLflow id. */
export const WORKBENCH_PARENT_RUN_TAG = 'workbench.parent_run';
/** Why the last export of this run failed; removed once an export completes. */
export const WORKBENCH_FAILURE_TAG = 'workbench.failure';
/** A fresh id per export, so a `runs/create` whose answer was lost can be found instead of created twice. */
export const WORKBENCH_EXPORT_TAG = 'workbench.export_id';

/** Everything a workbench run carries to MLflow. */
export interface ExportableRun {
  workbenchRunId: string;
  experimentName: string;
  runName: string;
  params: Record<string, MlflowParamValue>;
  /** Final values, logged at step 0. */
  metrics: Record<string, number>;
  /** Per-epoch series; the step is the index. */
  stepMetrics: Record<string, number[]>;
  tags: Record<string, string>;
  artifacts: Array<{ path: string; body: string | Uint8Array; contentType: string }>;
}

/** Where the MLflow UI lives and which clock stamps the run. */
export interface ExportRunOptions {
  /** The MLflow UI's own address (it does not work behind a sub-path proxy), e.g. `http://127.0.0.1:5000`. */
  uiBase: string;
  /** Epoch milliseconds; injected so tests pin it. */
  now?: () => number;
  /** Cancels the export; the run it created still ends FAILED ("cancelled"). */
  signal?: AbortSignal;
  /** Keep credentials in URLs (params, tags, artifacts); only when the user said so. Default: replaced. */
  includeSecrets?: boolean;
  /** A unique id for this export (default random); injected so tests pin it. */
  exportId?: string;
}

/** The MLflow run an export landed in. */
export interface ExportedRun {
  runId: MlflowRunId;
  experimentId: MlflowExperimentId;
  /** The run's page in the MLflow UI. */
  url: string;
  /** True when a new MLflow run was made; false when an earlier export was updated or completed. */
  created: boolean;
  /** The earlier run this one replaces because a param changed, else null. */
  parentRunId: MlflowRunId | null;
}

/** The run's page in the MLflow UI. */
export function mlflowRunUrl(uiBase: string, experimentId: MlflowExperimentId, runId: MlflowRunId): string {
  return `${uiBase.replace(/\/+$/, '')}/#/experiments/${experimentId}/runs/${runId}`;
}

/**
 * Whether `existing` can take our params: every param it already has is ours with the same value (MLflow never
 * lets a param change). A run cut off half-way holds a subset, so a retry completes it.
 */
function paramsAgree(existing: MlflowRun, ours: Record<string, MlflowParamValue>): boolean {
  return Object.entries(existing.params).every(([key, value]) => {
    const mine = ours[key];
    return mine !== undefined && formatParamValue(mine) === value;
  });
}

function checkExportable(run: ExportableRun, tags: Record<string, string>): void {
  if (run.workbenchRunId === '' || /['"\\]/.test(run.workbenchRunId)) {
    throw new Error(`workbench run id "${run.workbenchRunId}" is empty or has quotes; mlflow search cannot match it, use a plain id`);
  }
  if (run.experimentName.trim() === '') throw new Error('experiment name is empty; name the mlflow experiment');
  for (const key of Object.keys(run.stepMetrics)) {
    if (key in run.metrics) throw new Error(`metric "${key}" is both a final value and a per-epoch series; rename one`);
  }
  const metrics = [...Object.keys(run.metrics), ...Object.keys(run.stepMetrics)].map((key) => ({ key, value: 0, timestamp: 0, step: 0 }));
  validateLogBatch({ params: run.params, tags, metrics });
}

/** Find the latest MLflow run exported from this workbench run, if any. */
async function findExported(client: MlflowClient, experimentId: MlflowExperimentId, workbenchRunId: string): Promise<MlflowRun | null> {
  const { runs } = await client.searchRuns({
    experimentIds: [experimentId],
    filter: `tags.\`${WORKBENCH_RUN_ID_TAG}\` = '${workbenchRunId}'`,
    maxResults: 100,
    orderBy: ['attributes.start_time DESC'],
  });
  return runs[0] ?? null;
}

/** The run with every URL credential in its params, tags, name and text artifacts replaced (see `redactText`). */
export function redactExportable(run: ExportableRun): ExportableRun {
  const textual = /json|text|html|csv|xml|yaml/i;
  return {
    ...run,
    runName: redactText(run.runName),
    params: Object.fromEntries(Object.entries(run.params).map(([k, v]) => [k, typeof v === 'string' ? redactText(v) : v])),
    tags: Object.fromEntries(Object.entries(run.tags).map(([k, v]) => [k, redactText(v)])),
    artifacts: run.artifacts.map((a) => {
      if (!textual.test(a.contentType)) return a;
      const text = typeof a.body === 'string' ? a.body : new TextDecoder().decode(a.body);
      const clean = redactText(text);
      if (clean === text) return a;
      return { ...a, body: typeof a.body === 'string' ? clean : new TextEncoder().encode(clean) };
    }),
  };
}

/** Marks every RUNNING run of this workbench run FAILED (except `keep`): left by an export cut off earlier. */
async function failOrphans(client: MlflowClient, experimentId: MlflowExperimentId, workbenchRunId: string, keep: MlflowRunId | null, now: () => number): Promise<void> {
  const { runs } = await client.searchRuns({
    experimentIds: [experimentId],
    filter: `tags.\`${WORKBENCH_RUN_ID_TAG}\` = '${workbenchRunId}' and attributes.status = 'RUNNING'`,
    maxResults: 100,
  });
  for (const orphan of runs) {
    if (orphan.info.runId === keep) continue;
    await client.setTag(orphan.info.runId, WORKBENCH_FAILURE_TAG, 'an earlier export was cut off before it finished');
    await client.updateRun({ runId: orphan.info.runId, status: 'FAILED', endTime: now() });
  }
}

/**
 * `runs/create`, made idempotent: after an ambiguous failure (5xx, timeout, garbage) the run may exist anyway,
 * so it is searched for by this export's own tag before another is created.
 */
async function createRunOnce(client: MlflowClient, input: Parameters<MlflowClient['createRun']>[0], exportId: string, attempts = 3): Promise<MlflowRun> {
  for (let tried = 1; ; tried += 1) {
    try {
      return await client.createRun(input);
    } catch (error) {
      if (!isAmbiguous(error) || tried >= attempts) throw error;
      const { runs } = await client.searchRuns({
        experimentIds: [input.experimentId],
        filter: `tags.\`${WORKBENCH_EXPORT_TAG}\` = '${exportId}'`,
        maxResults: 1,
      });
      if (runs[0] !== undefined) return runs[0];
    }
  }
}

/** How long marking a failed export's run FAILED may take before the export gives up on it. */
const FINALIZE_MS = 15_000;

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function failureReason(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactText(text).slice(0, MLFLOW_LIMITS.tagValueLength);
}

/** Export `run` into its experiment (created if missing) and return where it landed. */
export async function exportRun(client: MlflowClient, given: ExportableRun, opts: ExportRunOptions): Promise<ExportedRun> {
  const now = opts.now ?? Date.now;
  const run = opts.includeSecrets === true ? given : redactExportable(given);
  const exportId = opts.exportId ?? randomId();
  const tags: Record<string, string> = { ...run.tags, [WORKBENCH_RUN_ID_TAG]: run.workbenchRunId };
  checkExportable(run, tags);
  // the work is cancellable; marking the run FAILED afterwards is not
  const work = opts.signal ? client.withSignal(opts.signal) : client;

  const experiment = await work.getOrCreateExperiment(run.experimentName);
  const previous = await findExported(work, experiment.experimentId, run.workbenchRunId);
  const reuse = previous !== null && paramsAgree(previous, run.params);
  const parentRunId = previous !== null && !reuse ? previous.info.runId : null;
  if (parentRunId !== null) tags[WORKBENCH_PARENT_RUN_TAG] = parentRunId;
  await failOrphans(work, experiment.experimentId, run.workbenchRunId, reuse ? previous.info.runId : null, now);

  const target = reuse
    ? previous
    : await createRunOnce(work, { experimentId: experiment.experimentId, runName: run.runName, startTime: now(), tags: { ...tags, [WORKBENCH_EXPORT_TAG]: exportId } }, exportId);
  const runId = target.info.runId;

  try {
    // Per-epoch points carry the run's start time, so re-exporting the same history adds no duplicate points.
    const history: MlflowMetric[] = Object.entries(run.stepMetrics).flatMap(([key, values]) =>
      values.map((value, step) => ({ key, value, step, timestamp: target.info.startTime })),
    );
    // Final values are re-logged only when they changed (e.g. the decision threshold), so their history stays meaningful.
    const stamp = now();
    const finals: MlflowMetric[] = Object.entries(run.metrics)
      .filter(([key, value]) => !(key in target.metrics && Object.is(target.metrics[key], value)))
      .map(([key, value]) => ({ key, value, step: 0, timestamp: stamp }));
    await work.logBatch({ runId, params: run.params, tags, metrics: [...finals, ...history] });
    for (const artifact of run.artifacts) {
      await work.uploadArtifact(target.info, artifact.path, artifact.body, artifact.contentType);
    }
    if (WORKBENCH_FAILURE_TAG in target.tags) await work.deleteTag(runId, WORKBENCH_FAILURE_TAG);
    await work.updateRun({ runId, status: 'FINISHED', endTime: now(), runName: run.runName });
  } catch (error) {
    // Best effort: if the server is gone this fails too, and the next export marks it FAILED (`failOrphans`) or completes it.
    const reason = opts.signal?.aborted ? 'export cancelled by the user' : failureReason(error);
    const finish = client.withSignal(AbortSignal.timeout(FINALIZE_MS));
    await finish.setTag(runId, WORKBENCH_FAILURE_TAG, reason).catch(() => undefined);
    await finish.updateRun({ runId, status: 'FAILED', endTime: now() }).catch(() => undefined);
    throw error;
  }

  return {
    runId,
    experimentId: experiment.experimentId,
    url: mlflowRunUrl(opts.uiBase, experiment.experimentId, runId),
    created: !reuse,
    parentRunId,
  };
}
