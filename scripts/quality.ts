/** Quality and speed check on the bundled data (not part of the unit suite): npx tsx scripts/quality.ts [--quick] [--mlp-only] [--verbose] [--seeds 42,43] [--set batchSize=4096] */
import * as tf from '@tensorflow/tfjs';
import { tableFromIPC } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import * as pq from 'parquet-wasm';
import type { ModelMatrix } from '../src/data/types.ts';
import { registerNodeBackends } from '../src/trainers/backends.node.ts';
import { trainClassifier } from '../src/trainers/classifier.ts';
import { trainRegressor } from '../src/trainers/regressor.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG, type EpochLog } from '../src/trainers/types.ts';

const quick = process.argv.includes('--quick');
// skips logistic and the regressor: the MLP's speed and quality alone
const mlpOnly = process.argv.includes('--mlp-only');
// prints every MLP epoch to stderr while it runs
const verbose = process.argv.includes('--verbose');
const argAfter = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
// numeric overrides of the MLP bench configuration, for trying settings without editing the defaults
const overrides: Record<string, number> = {};
for (let i = 0; i < process.argv.length; i++) {
  if (process.argv[i] !== '--set') continue;
  const [key, value] = (process.argv[i + 1] ?? '').split('=');
  if (key === undefined || !(key in DEFAULT_CLASSIFIER_CONFIG) || !Number.isFinite(Number(value))) throw new Error(`--set ${process.argv[i + 1]} is not key=number of the classifier config`);
  overrides[key] = Number(value);
}
const mlpConfig = { ...DEFAULT_CLASSIFIER_CONFIG, ...overrides };
const seeds = (argAfter('--seeds') ?? (quick ? '42' : '42,43,44')).split(',').map(Number);
const bytes = readFileSync(new URL('../../shared/data/training_data.parquet', import.meta.url));
const table = tableFromIPC(pq.readParquet(new Uint8Array(bytes)).intoIPCStream());
const rows = table.numRows;
const column = (name: string): Float64Array => {
  const c = table.getChild(name);
  if (c === null) throw new Error(`column "${name}" missing from training_data.parquet`);
  const out = new Float64Array(rows);
  let i = 0;
  for (const v of c) out[i++] = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  return out;
};
const excluded = new Set(['is_ordered', 'revenue', 'engagement_depth']);
const featureNames = table.schema.fields.map((f) => f.name).filter((n) => !excluded.has(n));
const cols = featureNames.length;
const X = new Float32Array(rows * cols);
featureNames.forEach((name, c) => {
  const v = column(name);
  for (let r = 0; r < rows; r++) X[r * cols + c] = v[r] ?? 0;
});
const matrix: ModelMatrix = { rows, cols, X, featureNames, featureGroups: featureNames };
const isOrdered = column('is_ordered');
const revenue = column('revenue');
const y = Float32Array.from(isOrdered);

const backends = await registerNodeBackends(tf);
const out: Record<string, unknown> = { rows, cols, featureNames, tfjsVersion: tf.version.tfjs, backends };
const round = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;

for (const backend of mlpOnly ? [] : quick ? ['wasm'] : ['cpu', 'wasm']) {
  if (!backends.includes(backend as 'cpu' | 'wasm')) continue;
  await tf.setBackend(backend);
  const t0 = performance.now();
  const logistic = await trainClassifier({ tf, matrix, y, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', epochs: 50 } });
  const logisticWall = performance.now() - t0;
  const t1 = performance.now();
  const reg = await trainRegressor({ tf, matrix, revenue, isOrdered, config: DEFAULT_REGRESSOR_CONFIG });
  const regWall = performance.now() - t1;
  out[backend] = {
    logistic: { auc: round(logistic.metrics.auc_roc), f1: round(logistic.metrics.f1_score), oracle_f1: round(logistic.metrics.oracle_f1), threshold: round(logistic.threshold), iterations: logistic.epochs, converged: logistic.converged, train_ms: Math.round(logistic.trainMs), wall_ms: Math.round(logisticWall), ms_per_epoch: Math.round(logistic.msPerEpoch), counts: logistic.counts },
    regressor_linear: { ...Object.fromEntries(Object.entries(reg.metrics).map(([k, v]) => [k, round(v)])), baseline: Object.fromEntries(Object.entries(reg.baseline).map(([k, v]) => [k, round(v)])), smearing: round(reg.smearing, 6), test_rows: reg.counts.test, train_ms: Math.round(reg.trainMs), wall_ms: Math.round(regWall) },
  };
}

const mlpBackend = backends.includes('wasm') ? 'wasm' : 'cpu';
await tf.setBackend(mlpBackend);
const mlp: Record<string, unknown>[] = [];
for (const seed of seeds) {
  const onEpoch = verbose ? (h: EpochLog): void => console.error(JSON.stringify({ seed, ...h })) : undefined;
  // CPU time of this process: on a loaded machine it tracks the unloaded wall time far better than the clock
  const cpu0 = process.cpuUsage();
  const r = await trainClassifier({ tf, matrix, y, config: { ...mlpConfig, seed }, ...(onEpoch ? { onEpoch } : {}) });
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  mlp.push({ seed, auc: round(r.metrics.auc_roc), f1: round(r.metrics.f1_score), precision: round(r.metrics.precision), recall: round(r.metrics.recall), threshold: round(r.threshold), oracle_f1: round(r.metrics.oracle_f1), epochs: r.epochs, best_val_auc: round(Math.max(...r.history.map((h) => h.valAuc ?? 0))), converged: r.converged, train_ms: Math.round(r.trainMs), ms_per_epoch: Math.round(r.msPerEpoch), cpu_ms: Math.round(cpuMs) });
  console.error(JSON.stringify(mlp[mlp.length - 1]));
}
const median = (k: string): number => {
  const v = mlp.map((m) => m[k] as number).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)] ?? Number.NaN;
};
out.mlp = { backend: mlpBackend, config: mlpConfig, runs: mlp, median_auc: median('auc'), median_f1: median('f1') };
console.log(JSON.stringify(out, null, 2));
