/**
 * `--mlflow <url>` for the headless pipeline: logs both runs through the same mapping and exporter as the page.
 * A pipeline run's workbench id is a hash of the data and settings, so running the same job again updates its runs.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { binaryLabels } from '../data/validate.ts';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import { createMlflowClient, type MlflowAuth } from '../mlflow/client.ts';
import type { NetworkPolicy } from '../data/networkPolicy.ts';
import { exportRun, type ExportedRun } from '../mlflow/exportRun.ts';
import { DEFAULT_EXPERIMENT_NAMES, runToExportable, type MlflowRunContext } from '../notebook/mlflowRun.ts';
import type { ClassifierResult, RegressorResult } from '../trainers/types.ts';
import type { ClassifierRun, RegressorRun, Run, RunId } from '../notebook/runs.ts';
import type { RunDataRecord } from '../notebook/dataSettings.ts';

/** Where and as whom the pipeline logs. */
export interface PipelineMlflowOptions {
  /** the tracking server, e.g. `http://127.0.0.1:5000` */
  readonly url: string;
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
  readonly experimentNames?: { readonly classifier?: string; readonly regressor?: string };
  /** the MLflow UI for the printed links; default the tracking URL */
  readonly uiBase?: string;
  /** timeout and retries of every MLflow call; default `DEFAULT_NETWORK_POLICY` */
  readonly policy?: NetworkPolicy;
}

/** What the pipeline trained (a subset of `PipelineResult`). */
export interface PipelineRuns {
  readonly dataset: Dataset;
  readonly matrix: ModelMatrix;
  /** null: the class target was none */
  readonly classifier: ClassifierResult | null;
  /** null: the regression target was none */
  readonly regressor: RegressorResult | null;
  /** source, split and targets, as a run made in the page records them (absent: not known) */
  readonly runData?: RunDataRecord;
}

/** The auth options as a client credential; throws on a half-given pair. */
export function pipelineMlflowAuth(o: Pick<PipelineMlflowOptions, 'token' | 'user' | 'password'>): MlflowAuth | null {
  if (o.token !== undefined && o.user !== undefined) throw new Error('--mlflow-token and --mlflow-user are both given; pass one of them');
  if (o.token !== undefined) return { kind: 'bearer', token: o.token };
  if (o.user !== undefined) {
    if (o.password === undefined) throw new Error('--mlflow-user needs --mlflow-password (or MLFLOW_TRACKING_PASSWORD)');
    return { kind: 'basic', username: o.user, password: o.password };
  }
  if (o.password !== undefined) throw new Error('--mlflow-password needs --mlflow-user');
  return null;
}

function stableId(kind: string, parts: unknown): RunId {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
  return `pipeline-${kind}-${hash}` as RunId;
}

/** Wrap the pipeline's results as the store's run records, so they map exactly like runs made in the page. */
export function pipelineRuns(trained: PipelineRuns, excluded: readonly string[]): { classifier: ClassifierRun | null; regressor: RegressorRun | null } {
  const { dataset: ds, matrix } = trained;
  const createdAt = new Date().toISOString();
  const base = {
    createdAt, wallMs: 0, inputsKey: '', featureNames: matrix.featureNames, featureGroups: matrix.featureGroups,
    excluded: [...excluded], transforms: {}, dataSha256: ds.sha256, dataName: ds.source.name, rows: ds.rows,
    ...(trained.runData === undefined ? {} : { data: trained.runData }),
  };
  const key = (config: unknown) => [ds.sha256, ds.rows, excluded, matrix.featureNames, config];
  return {
    classifier: trained.classifier === null ? null : {
      ...base, kind: 'classifier', id: stableId('classifier', key(trained.classifier.config)), name: 'pipeline classifier',
      wallMs: trained.classifier.trainMs, result: trained.classifier,
    },
    regressor: trained.regressor === null ? null : {
      ...base, kind: 'regressor', id: stableId('regressor', key(trained.regressor.config)), name: 'pipeline regressor',
      wallMs: trained.regressor.trainMs, result: trained.regressor,
    },
  };
}

/** Log both pipeline runs to MLflow; throws (after both were tried) if either failed, naming each failure. */
export async function exportPipelineToMlflow(
  trained: PipelineRuns,
  options: PipelineMlflowOptions & { readonly classTarget: string | null; readonly excluded: readonly string[]; readonly workbenchVersion?: string },
  log: (line: string) => void = () => undefined,
): Promise<ExportedRun[]> {
  const auth = pipelineMlflowAuth(options);
  const client = createMlflowClient({ baseUrl: options.url, ...(auth ? { auth } : {}), ...(options.policy ? { policy: options.policy } : {}), origin: null });
  const pair = pipelineRuns(trained, options.excluded);
  const runs = [pair.classifier, pair.regressor].filter((r): r is ClassifierRun | RegressorRun => r !== null);
  const ds = trained.dataset;
  const target = ds.columns.find((c) => c.name === options.classTarget);
  const labels = target ? binaryLabels(target) : null;
  const ctxFor = (run: Run): MlflowRunContext => ({
    experimentName: options.experimentNames?.[run.kind] ?? DEFAULT_EXPERIMENT_NAMES[run.kind],
    userAgent: `node ${process.version} ${os.platform()}/${os.arch()} (ml-workbench pipeline)`,
    ...(options.workbenchVersion === undefined ? {} : { workbenchVersion: options.workbenchVersion }),
    ...(ds.source.type === 'file' ? {} : { dataUrl: ds.source.url }),
    ...(labels !== null && typeof labels !== 'string' && labels.positives > 0 ? { classImbalanceRatio: labels.negatives / labels.positives } : {}),
  });
  const uiBase = options.uiBase ?? options.url;
  const outcomes = await Promise.allSettled(runs.map(async (run) => {
    const exported = await exportRun(client, runToExportable(run, ctxFor(run)), { uiBase });
    log(`mlflow: ${run.kind} ${exported.created ? 'logged' : 'updated'} ${exported.url}`);
    return exported;
  }));
  const failures = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${runs[i]?.kind ?? 'run'}: ${(o.reason as Error).message ?? String(o.reason)}`] : []));
  if (failures.length > 0) throw new Error(`mlflow logging failed\n${failures.join('\n')}`);
  return outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
}
