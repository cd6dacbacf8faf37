/**
 * The headless pipeline (what Airflow calls): load → validate → encode → train both models in parallel worker
 * threads → metrics named as MLflow names them. Same modules as the browser: loader, encoder, trainers.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as parquet from 'parquet-wasm';
import { HttpStatusError, NetworkLoadError, blobByteSource, urlByteSource } from '../data/byteSource.ts';
import { DEFAULT_NETWORK_POLICY, NetworkTimeoutError, type NetworkPolicy } from '../data/networkPolicy.ts';
import { redactUrl } from '../data/urlSecrets.ts';
import { buildModelMatrix } from '../data/encode.ts';
import { leakageReport, type LeakageReport } from '../data/leakage.ts';
import { appendTestFile } from '../data/testFile.ts';
import { loadParquet } from '../data/load.ts';
import { binaryLabels, negativeTargetWarning, regressionTargetNegatives, validateDataset } from '../data/validate.ts';
import type { Dataset, ModelMatrix } from '../data/types.ts';
import { serializeBundle } from '../trainers/bundle.ts';
import { regressionScoresShown } from '../notebook/evaluation.ts';
import { formatTime, planSplit, trainingRows, type SplitPlan, type SplitSpec } from '../trainers/splitPlan.ts';
import { runDataRecord, type RunDataRecord } from '../notebook/dataSettings.ts';
import { chooseTargetTransform, targetTransformLine } from '../trainers/targetTransform.ts';
import {
  DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG,
  type BackendName, type ClassifierConfig, type ClassifierResult, type RegressorConfig, type RegressorResult,
} from '../trainers/types.ts';
import { jobTransferables, type TrainJob, type TrainOps } from '../workers/trainProtocol.ts';
import { WorkerClient } from '../workers/workerClient.ts';
import { nodeWorkerEndpoint } from './threads.ts';

export interface PipelineOptions {
  readonly data: string;
  /** the class target; null: none (a regression-only run, no classifier) */
  readonly target: string | null;
  /** the regression target; null: none (a classification-only run, no regressor) */
  readonly revenue: string | null;
  readonly exclude: readonly string[];
  readonly classifier: ClassifierConfig['model'];
  readonly regressor: RegressorConfig['model'];
  /** the regressor's target transform; default auto (log1p when every value is ≥ 0, else none) */
  readonly targetTransform?: RegressorConfig['targetTransform'];
  readonly seed: number;
  /** default random stratified (scikit-learn's rows) */
  readonly split?: SplitSpec;
  /** a separate test file (path or URL): its rows are the test part */
  readonly testData?: string;
  readonly backend: BackendName | 'auto';
  readonly epochs?: number;
  /** folder to write the two model bundles to */
  readonly out?: string;
  readonly log: (line: string) => void;
  /** timeout and retries of data fetches; default `DEFAULT_NETWORK_POLICY` */
  readonly network?: NetworkPolicy;
}

/** Raised for bad input; the CLI exits 2 with the message. */
export class PipelineInputError extends Error {
  override name = 'PipelineInputError';
}

export interface PipelineResult {
  readonly report: Record<string, unknown>;
  readonly dataset: Dataset;
  readonly matrix: ModelMatrix;
  /** null when the class target is none */
  readonly classifier: ClassifierResult | null;
  /** null when the regression target is none */
  readonly regressor: RegressorResult | null;
  /** the data record of its runs: source, split, targets */
  readonly runData: RunDataRecord;
}

/** Whether a load failure is the server's or the network's (exit 1) rather than the input's (exit 2). */
function isNetworkFailure(e: unknown): boolean {
  return e instanceof NetworkTimeoutError || e instanceof NetworkLoadError || (e instanceof HttpStatusError && (e.status >= 500 || e.status === 429));
}

async function load(data: string, log: (l: string) => void, network: NetworkPolicy): Promise<Dataset> {
  const isUrl = /^https?:\/\//i.test(data);
  const name = isUrl ? decodeURIComponent(new URL(data).pathname.split('/').pop() || data) : path.basename(data);
  if (!isUrl && !fs.existsSync(data)) throw new PipelineInputError(`data file "${data}" does not exist; pass --data <path or URL of a .parquet file>`);
  const source = isUrl ? urlByteSource(data, name, fetch, { policy: network, cors: false }) : blobByteSource(new Blob([fs.readFileSync(data)]), name);
  const t0 = performance.now();
  const result = await loadParquet({
    source,
    dataSource: isUrl ? { type: 'url', url: data, name } : { type: 'file', name },
    parquet,
  });
  log(`loaded ${name}: ${result.dataset.rows} rows × ${result.dataset.columns.length} columns in ${Math.round(performance.now() - t0)} ms`);
  // a column the decoder cannot use is named, never dropped silently
  for (const note of result.notes) log(`note: ${note}`);
  return result.dataset;
}

function round(v: number, digits = 6): number {
  return Number.isFinite(v) ? Number(v.toFixed(digits)) : v;
}

/** The `split` section of the JSON: what was split how, and the rows, positives and dates of each part. */
export function splitSection(plan: SplitPlan): Record<string, unknown> {
  const part = (p: SplitPlan['parts']['fit']) => ({
    rows: p.rows, positives: p.positives,
    ...(Number.isNaN(p.from) ? {} : { from: formatTime(p.from), to: formatTime(p.to) }),
  });
  const spec = plan.spec;
  return {
    kind: spec.kind, description: plan.description,
    ...(spec.kind === 'time' || spec.kind === 'group' ? { column: spec.column } : {}),
    ...(spec.kind === 'time' && spec.cutoff !== undefined ? { cutoff: formatTime(spec.cutoff) } : {}),
    ...(spec.kind === 'test-file' ? { test_file: spec.name } : {}),
    ...(plan.timeColumn === null ? {} : { time_column: plan.timeColumn }),
    fit: part(plan.parts.fit), validation: part(plan.parts.valid), test: part(plan.parts.test),
  };
}

/** The `leakage` section of the JSON: the same findings the Leakage cell shows. */
export function leakageSection(r: LeakageReport): Record<string, unknown> {
  const num = (v: number): number | null => (Number.isFinite(v) ? round(v) : null);
  return {
    method: r.method, rows_measured: r.rowsMeasured, values_tested: r.valuesTested,
    flagged: r.findings.filter((f) => f.flagged).map((f) => f.feature),
    findings: r.findings.map((f) => ({
      feature: f.feature, columns: f.columns, auc: num(f.auc), auc_method: f.aucMethod, in_sample_auc: num(f.inSampleAuc), r2: num(f.r2), flagged: f.flagged, reasons: f.reasons,
    })),
    duplicate_columns: r.duplicateColumns.map((d) => ({ columns: d.columns, kind: d.kind, values: d.values, message: d.message })),
    rows_repeated_across_split: r.crossSplitDuplicates === null ? null : {
      test_rows: r.crossSplitDuplicates.testRows, with_copy_in_training: r.crossSplitDuplicates.withCopyInTraining, message: r.crossSplitDuplicates.message,
    },
  };
}

/** Runs the whole pipeline; throws PipelineInputError on bad input. */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const network = o.network ?? DEFAULT_NETWORK_POLICY;
  const asInputError = (e: Error): never => {
    throw e instanceof PipelineInputError || isNetworkFailure(e) ? e : new PipelineInputError(e.message);
  };
  const ds = await load(o.data, o.log, network).catch(asInputError);
  const names = ds.columns.map((c) => c.name);
  for (const ex of o.exclude) {
    if (!names.includes(ex) && !names.some((n) => n.startsWith(`${ex}_`))) {
      throw new PipelineInputError(`--exclude "${ex}" is not a column of ${ds.source.name}; columns: ${names.join(', ')}`);
    }
  }
  const features = names.filter((n) => n !== o.target && n !== o.revenue);
  const issues = validateDataset(ds, { classTarget: o.target, revenueTarget: o.revenue, features });
  // a target that is not a column is named with the option that sets it (the defaults are the bundled file's)
  const withOption = (i: (typeof issues)[number]): string => (i.code !== 'missing-target' ? i.message
    : `${i.message} with ${i.column === o.target ? '--target' : '--revenue'}`);
  if (issues.length > 0) throw new PipelineInputError(issues.map(withOption).join('\n'));
  const targetCol = o.target === null ? undefined : ds.columns.find((c) => c.name === o.target);
  const labels = targetCol === undefined ? null : binaryLabels(targetCol);
  if (typeof labels === 'string') throw new PipelineInputError(labels);
  let all = ds;
  let spec: SplitSpec = o.split ?? { kind: 'random' };
  if (o.testData !== undefined) {
    if (o.split !== undefined && o.split.kind !== 'random') throw new PipelineInputError('--test-data sets the test rows itself; leave out --split');
    const test = await load(o.testData, o.log, network).catch(asInputError);
    try {
      const joined = appendTestFile(ds, test);
      all = joined.dataset;
      spec = { kind: 'test-file', name: test.source.name, trainRows: joined.trainRows };
    } catch (e) {
      throw new PipelineInputError((e as Error).message);
    }
  }
  const allTarget = o.target === null ? undefined : all.columns.find((c) => c.name === o.target);
  const allLabels = all === ds ? labels : allTarget === undefined ? null : binaryLabels(allTarget);
  if (typeof allLabels === 'string') throw new PipelineInputError(`test file: ${allLabels}`);
  if (allLabels !== null && labels !== null && allLabels.nulls > labels.nulls) throw new PipelineInputError(`test file has ${allLabels.nulls - labels.nulls} rows with a null ${o.target ?? ''}; drop or fill them`);
  // no class target: every row counts as positive, so the regressor fits all of them (strategy direct)
  const y = allLabels === null ? new Float32Array(all.rows).fill(1) : Float32Array.from(allLabels.y, (v) => (v === 1 ? 1 : 0));
  const clfConfig: ClassifierConfig = { ...DEFAULT_CLASSIFIER_CONFIG, model: o.classifier, seed: o.seed, ...(o.epochs ? { epochs: o.epochs } : {}) };
  const regConfig: RegressorConfig = {
    ...DEFAULT_REGRESSOR_CONFIG, model: o.regressor, seed: o.seed, ...(o.epochs ? { epochs: o.epochs } : {}), ...(o.target === null ? { strategy: 'direct' as const } : {}),
    ...(o.targetTransform === undefined ? {} : { targetTransform: o.targetTransform }),
  };
  if (o.revenue !== null) {
    // a negative target is a warning (the raw scale is fitted); log1p asked of one is bad input, refused before training
    const negatives = regressionTargetNegatives(all, o.revenue);
    const warning = negativeTargetWarning(o.revenue, negatives);
    if (warning !== null) o.log(`warning: ${warning}`);
    try {
      if (negatives !== null) chooseTargetTransform(regConfig.targetTransform, negatives, `column "${o.revenue}"`);
    } catch (e) {
      throw new PipelineInputError(`${(e as Error).message} with --target-transform`);
    }
    // what the regressor will apply, in the words of the Train regressor cell (the same rule decides it in training)
    if (negatives !== null) o.log(`target transform: ${targetTransformLine(regConfig.targetTransform, negatives, o.revenue)}`);
  }
  let plan: SplitPlan;
  try {
    plan = planSplit(all, spec, allLabels === null ? null : y, clfConfig);
  } catch (e) {
    throw new PipelineInputError((e as Error).message);
  }
  o.log(`split: ${plan.description}`);
  // measured on the training rows only, so the check sees what the model is fitted on
  const leakage = leakageReport(all, {
    classTarget: o.target, revenueTarget: o.revenue, features: features.filter((f) => !o.exclude.includes(f)),
    rows: trainingRows(plan), split: { train: trainingRows(plan), test: plan.test },
  });
  for (const f of leakage.findings) {
    if (f.flagged) o.log(`warning: ${f.feature} may leak a target (${f.reasons.join('; ')}); pass --exclude ${f.feature} for an honest model`);
  }
  for (const d of leakage.duplicateColumns) o.log(`note: ${d.message}`);
  if (leakage.crossSplitDuplicates !== null && leakage.crossSplitDuplicates.withCopyInTraining > 0) o.log(`note: ${leakage.crossSplitDuplicates.message}`);
  const built = buildModelMatrix(all, { targets: [o.target, o.revenue].filter((t): t is string => t !== null), exclude: o.exclude });
  for (const w of built.warnings) o.log(`warning: ${w}`);
  // what the encoder did to each column (left out as an id, a constant or a time; nulls filled; levels one-hot): never silent
  for (const n of built.notes) o.log(`note: ${n}`);
  const revCol = all.columns.find((c) => c.name === o.revenue);
  const revenue = revCol?.kind === 'numeric' ? Float64Array.from(revCol.values, (v) => (Number.isNaN(v) ? 0 : v)) : new Float64Array(all.rows);
  const matrix = built.matrix;
  const split = { fit: plan.fit, valid: plan.valid, test: plan.test };
  // from the prebuilt bundle (scripts/pipeline.mjs) the thread is its sibling chunk; from source, tsx loads the .ts
  const entry = new URL(import.meta.url.endsWith('.ts') ? './trainThread.ts' : './trainThread.mjs', import.meta.url).href;
  const clfJob: TrainJob = { kind: 'classifier', matrix: { ...matrix, X: matrix.X.slice() }, y: y.slice(), config: clfConfig, backend: o.backend, dataSha256: ds.sha256, split };
  const regJob: TrainJob = { kind: 'regressor', matrix: { ...matrix, X: matrix.X.slice() }, revenue: revenue.slice(), isOrdered: y.slice(), config: regConfig, backend: o.backend, dataSha256: ds.sha256, split };
  // One thread per model; a training reports every epoch, so the client's silence timeout only catches a hung thread.
  const thread = (name: string) => new WorkerClient<TrainOps>({ name, create: () => nodeWorkerEndpoint(entry), transferInput: { train: jobTransferables } });
  const clfThread = thread('train-classifier');
  const regThread = thread('train-regressor');
  const t0 = performance.now();
  // a model whose target is none is not trained
  const [clfOut, regOut] = await Promise.all([
    o.target === null ? null : clfThread.request('train', clfJob, {
      onProgress: (p) => { if (p.kind === 'epoch') o.log(`classifier epoch ${p.log.epoch}: loss ${p.log.loss.toFixed(4)} val ${p.log.valLoss.toFixed(4)}`); },
    }).result,
    o.revenue === null ? null : regThread.request('train', regJob).result,
  ]).finally(() => {
    clfThread.terminate('finished');
    regThread.terminate('finished');
  });
  const wallMs = performance.now() - t0;
  if ((clfOut !== null && clfOut.outcome.kind !== 'classifier') || (regOut !== null && regOut.outcome.kind !== 'regressor')) throw new Error('worker threads answered the wrong job');
  const c = clfOut?.outcome.kind === 'classifier' ? clfOut.outcome.result : null;
  const r = regOut?.outcome.kind === 'regressor' ? regOut.outcome.result : null;
  // a metric that is not a number means the training went wrong: never report it as a success
  const broken = [
    ...(c === null ? [] : [['classifier auc_roc', c.metrics.auc_roc], ['classifier log_loss', c.metrics.log_loss]]),
    ...(r === null ? [] : [['regressor rmse', r.metrics.rmse], ['regressor mae', r.metrics.mae], ['regressor r2', r.metrics.r2]]),
  ].filter(([, v]) => !Number.isFinite(v as number));
  if (broken.length > 0) {
    throw new Error(`training produced no number for ${broken.map(([k, v]) => `${k} (${v})`).join(', ')}; check the data for extreme values and try again`);
  }
  if (o.out) {
    fs.mkdirSync(o.out, { recursive: true });
    if (c !== null) fs.writeFileSync(path.join(o.out, 'classifier.bundle.json'), serializeBundle(c.bundle));
    if (r !== null) fs.writeFileSync(path.join(o.out, 'regressor.bundle.json'), serializeBundle(r.bundle));
    o.log(`wrote model bundles to ${o.out}`);
  }
  const shown = r === null ? null : regressionScoresShown(r);
  const report = {
    classifier: c === null ? null : {
      model: c.config.model,
      auc_roc: round(c.metrics.auc_roc), f1_score: round(c.metrics.f1_score), precision: round(c.metrics.precision), recall: round(c.metrics.recall),
      pr_auc: round(c.metrics.pr_auc), log_loss: round(c.metrics.log_loss), brier: round(c.metrics.brier), accuracy: round(c.metrics.accuracy),
      threshold: round(c.threshold), oracle_f1: round(c.metrics.oracle_f1), epochs: c.epochs, converged: c.converged,
      train_ms: Math.round(c.trainMs), ms_per_epoch: round(c.msPerEpoch, 2), train_samples: c.counts.train, test_samples: c.counts.test,
      ...(c.mlpPath ? { mlp_path: c.mlpPath } : {}),
    },
    regressor: r === null || shown === null ? null : {
      model: r.config.model, strategy: r.config.strategy, target_transform: r.targetTransform,
      // a metric without a meaning on this test split (R² of a constant target) is left out and named, never 0
      ...Object.fromEntries(Object.entries(shown.metrics).map(([k, v]) => [k, round(v)])),
      ...Object.fromEntries(Object.entries(shown.baseline).map(([k, v]) => [`baseline_${k}`, round(v)])),
      ...(Object.keys(shown.undefinedMetrics).length === 0 ? {} : { undefined_metrics: shown.undefinedMetrics }),
      smearing: round(r.smearing), train_ms: Math.round(r.trainMs), train_samples: r.counts.train, test_samples: r.counts.test,
      ...(r.mlpPath ? { mlp_path: r.mlpPath } : {}),
    },
    backend: (clfOut ?? regOut)?.backend ?? null,
    seed: o.seed,
    tfjs_version: (c ?? r)?.tfjsVersion ?? null,
    data: { source: redactUrl(o.data), sha256: ds.sha256, rows: ds.rows, features: matrix.featureNames, excluded: o.exclude, ...(o.testData === undefined ? {} : { test_data: redactUrl(o.testData) }) },
    split: splitSection(plan),
    leakage: leakageSection(leakage),
    wall_ms: Math.round(wallMs),
  };
  // what the runs were trained on, as runs made in the page record it (MLflow params: split, targets, exclusions)
  const runData = runDataRecord(ds, {
    classTarget: o.target, revenueTarget: o.revenue, revenueIsMoney: false, excluded: o.exclude, transforms: {}, filters: [], dateParts: [], split: spec,
  }, spec, plan);
  return { report, dataset: ds, matrix, classifier: c, regressor: r, runData };
}
