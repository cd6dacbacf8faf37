/**
 * `npm run pipeline -- --data <path or URL> [--test-data <path or URL>] [--split random|time:<col>[:<YYYY-MM-DD>]|group:<col>]
 *   [--target is_ordered --revenue revenue] [--exclude engagement_depth]
 *   [--classifier gbdt|rf|logistic|mlp (default gbdt)] [--regressor linear|mlp|gbdt|rf] [--target-transform auto|log1p|none (default auto)] [--seed 42] [--backend wasm|cpu|auto] [--epochs N] [--out dir]`
 *   [--timeout 30]
 * Prints one JSON document of metrics on stdout; logs go to stderr; every failure is ONE line on stderr
 * ("error: …", secrets in URLs replaced) and exit 2 (bad input) or 1 (failure: network, server, training).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_NETWORK_POLICY, policyWithTimeout, type NetworkPolicy } from '../data/networkPolicy.ts';
import { redactText } from '../data/urlSecrets.ts';
import { PipelineInputError, runPipeline } from './pipeline.ts';
import { parseSplitArg } from '../trainers/splitPlan.ts';
import { exportPipelineToMlflow, pipelineMlflowAuth } from './mlflowExport.ts';

// stdout carries only the JSON document: anything a library prints goes to stderr
console.log = (...a: unknown[]) => console.error(...a);
console.info = console.log;

const CLASSIFIERS = ['mlp', 'logistic', 'gbdt', 'rf'] as const;
const REGRESSORS = ['linear', 'mlp', 'gbdt', 'rf'] as const;
const TARGET_TRANSFORMS = ['auto', 'log1p', 'none'] as const;
const USAGE = 'usage: npm run pipeline -- --data <path or URL> [--test-data <path or URL>] [--split random|time:<col>[:<YYYY-MM-DD>]|group:<col>] [--target is_ordered|none] [--revenue revenue|none] [--exclude col]... [--classifier gbdt|rf|logistic|mlp (default gbdt)] [--regressor linear|mlp|gbdt|rf] [--target-transform auto|log1p|none (default auto)] [--seed 42] [--backend wasm|cpu|auto] [--epochs N] [--out dir] [--timeout seconds (default 30, per request, data and MLflow)] [--mlflow <tracking url> [--mlflow-token T | --mlflow-user U --mlflow-password P]]';

/** Ends the process with one line on stderr (no stack, no secret) and `code`. */
function fail(code: number, message: string): never {
  const line = redactText(message).split('\n').map((part) => part.trim()).filter(Boolean).join('; ');
  process.stderr.write(`error: ${line}\n`);
  process.exit(code);
}

/** A crash outside any await (a wasm trap in a callback, a thread dying) still ends as one line. */
function failFromCrash(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (/unreachable|out of bounds|RuntimeError/i.test(`${(error as Error | null)?.name ?? ''} ${message}`)) {
    fail(2, `the parquet decoder crashed on damaged data (${message}); the file is damaged, export it again`);
  }
  fail(1, `${message} (unexpected; please report it)`);
}
process.on('uncaughtException', failFromCrash);
process.on('unhandledRejection', failFromCrash);

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        data: { type: 'string' }, 'test-data': { type: 'string' }, split: { type: 'string' }, target: { type: 'string', default: 'is_ordered' }, revenue: { type: 'string', default: 'revenue' },
        exclude: { type: 'string', multiple: true, default: [] }, classifier: { type: 'string', default: 'gbdt' }, regressor: { type: 'string', default: 'linear' },
        'target-transform': { type: 'string', default: 'auto' },
        seed: { type: 'string', default: '42' }, backend: { type: 'string', default: 'auto' }, epochs: { type: 'string' }, out: { type: 'string' },
        timeout: { type: 'string', default: String(DEFAULT_NETWORK_POLICY.timeoutMs / 1000) },
        mlflow: { type: 'string' }, 'mlflow-token': { type: 'string' }, 'mlflow-user': { type: 'string' }, 'mlflow-password': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    fail(2, `${(e as Error).message}; run with --help for the options`);
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  if (!values.data) fail(2, '--data is required (a parquet path or URL); run with --help for the options');
  const classifier = CLASSIFIERS.find((m) => m === values.classifier) ?? fail(2, `--classifier "${values.classifier}" is not mlp, logistic, gbdt or rf`);
  const regressor = REGRESSORS.find((m) => m === values.regressor) ?? fail(2, `--regressor "${values.regressor}" is not linear, mlp, gbdt or rf`);
  const targetTransform = TARGET_TRANSFORMS.find((t) => t === values['target-transform'])
    ?? fail(2, `--target-transform "${values['target-transform']}" is not auto, log1p or none`);
  if (!['wasm', 'cpu', 'auto'].includes(values.backend)) fail(2, `--backend "${values.backend}" is not available in node; use wasm, cpu or auto`);
  const seed = Number(values.seed);
  // NumPy's RandomState takes 0 … 2^32 - 1; refused here, before any data is loaded
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(2, `--seed "${values.seed}" is not a whole number in 0 … 4294967295; pass e.g. --seed 42`);
  let network: NetworkPolicy;
  try {
    network = policyWithTimeout(Number(values.timeout));
  } catch {
    fail(2, `--timeout "${values.timeout}" is not a number of seconds between 0 and 3600; pass e.g. --timeout 30`);
  }
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) fail(2, `--epochs "${values.epochs}" is not a positive integer`);
  // credentials may come from MLflow's own environment variables, so they stay out of the process list
  const mlflowAuth: { token?: string; user?: string; password?: string } = {};
  const token = values['mlflow-token'] ?? process.env.MLFLOW_TRACKING_TOKEN;
  const user = values['mlflow-user'] ?? process.env.MLFLOW_TRACKING_USERNAME;
  const password = values['mlflow-password'] ?? process.env.MLFLOW_TRACKING_PASSWORD;
  if (token) mlflowAuth.token = token;
  if (user) mlflowAuth.user = user;
  if (password) mlflowAuth.password = password;
  if (values.mlflow !== undefined && !/^https?:\/\//i.test(values.mlflow)) fail(2, `--mlflow "${values.mlflow}" is not an http(s) URL; pass e.g. --mlflow http://127.0.0.1:5000`);
  try {
    if (values.mlflow !== undefined) pipelineMlflowAuth(mlflowAuth);
  } catch (e) {
    fail(2, (e as Error).message);
  }
  const split = values.split === undefined ? undefined : parseSplitArg(values.split);
  if (typeof split === 'string') fail(2, split);
  const exclude = values.exclude.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean);
  try {
    const result = await runPipeline({
      data: values.data,
      target: values.target === 'none' ? null : values.target,
      revenue: values.revenue === 'none' ? null : values.revenue,
      exclude,
      classifier,
      regressor,
      targetTransform,
      seed,
      ...(split !== undefined ? { split } : {}),
      ...(values['test-data'] !== undefined ? { testData: values['test-data'] } : {}),
      backend: values.backend as 'wasm' | 'cpu' | 'auto',
      ...(epochs !== undefined ? { epochs } : {}),
      ...(values.out ? { out: values.out } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
      network,
    });
    let mlflowRuns: Array<{ run_id: string; url: string; created: boolean }> | undefined;
    if (values.mlflow !== undefined) {
      try {
        const exported = await exportPipelineToMlflow(result, { url: values.mlflow, ...mlflowAuth, policy: network, classTarget: values.target === 'none' ? null : values.target, excluded: exclude },
          (line) => process.stderr.write(`${line}\n`));
        mlflowRuns = exported.map((e) => ({ run_id: e.runId, url: e.url, created: e.created }));
      } catch (e) {
        process.stdout.write(`${JSON.stringify(result.report, null, 2)}\n`);
        fail(1, (e as Error).message);
      }
    }
    process.stdout.write(`${JSON.stringify(mlflowRuns === undefined ? result.report : { ...result.report, mlflow: mlflowRuns }, null, 2)}\n`);
  } catch (e) {
    if (e instanceof PipelineInputError) fail(2, e.message);
    fail(1, e instanceof Error ? e.message : String(e));
  }
}

await main();
