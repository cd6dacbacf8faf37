/**
 * The workbench's node side of `npm run bench -- speed.logistic | speed.mlp`: the Train classifier cell's path
 * (`trainClassifier`: split, scale, fit, threshold, test metrics) on the bundled data without a leaking column, in
 * this process on the tfjs wasm backend. Prints one JSON line: the fit milliseconds of each repeat and the test AUC.
 * Usage: node --import tsx scripts/bench-speed-node.ts logistic|mlp <parquet> [--exclude col] [--repeats 3] [--epochs 2]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as parquet from 'parquet-wasm';
import { blobByteSource } from '../src/data/byteSource.ts';
import { buildModelMatrix } from '../src/data/encode.ts';
import { loadParquet } from '../src/data/load.ts';
import { binaryLabels } from '../src/data/validate.ts';
import { registerNodeBackends } from '../src/trainers/backends.node.ts';
import { trainClassifier } from '../src/trainers/classifier.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../src/trainers/types.ts';

console.log = (...a: unknown[]) => console.error(...a);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { exclude: { type: 'string', multiple: true, default: [] }, repeats: { type: 'string', default: '3' }, epochs: { type: 'string', default: '2' } },
});
const [model, file] = positionals;
if ((model !== 'logistic' && model !== 'mlp') || file === undefined) throw new Error('usage: bench-speed-node.ts logistic|mlp <parquet> [--exclude col]');
const { dataset } = await loadParquet({ source: blobByteSource(new Blob([readFileSync(file)]), file), dataSource: { type: 'file', name: file }, parquet });
const { matrix } = buildModelMatrix(dataset, { targets: ['is_ordered', 'revenue'], exclude: values.exclude });
const target = dataset.columns.find((c) => c.name === 'is_ordered');
if (target === undefined) throw new Error(`${file} has no is_ordered column`);
const labels = binaryLabels(target);
if (typeof labels === 'string') throw new Error(labels);
const y = Float32Array.from(labels.y, (v) => (v === 1 ? 1 : 0));
await registerNodeBackends(tf);
await tf.setBackend('wasm');
await tf.ready();
const config = { ...DEFAULT_CLASSIFIER_CONFIG, model, ...(model === 'mlp' ? { epochs: Number(values.epochs), patience: 99 } : {}) } as const;
const fitMs: number[] = [];
const msPerEpoch: number[] = [];
let auc = Number.NaN;
// this process's CPU time (user + system) between the ends of the first and the last epoch: per epoch, a figure the
// shared machine's load inflates far less than wall time (it counts only the time this process ran)
const cpuMsPerEpoch: number[] = [];
for (let i = 0; i < Number(values.repeats); i++) {
  const marks: number[] = [];
  const onEpoch = (): void => {
    const c = process.cpuUsage();
    marks.push((c.user + c.system) / 1000);
  };
  const r = await trainClassifier({ tf, matrix, y, config, onEpoch });
  fitMs.push(r.trainMs);
  msPerEpoch.push(r.msPerEpoch);
  if (marks.length > 1) cpuMsPerEpoch.push(((marks.at(-1) ?? 0) - (marks[0] ?? 0)) / (marks.length - 1));
  auc = r.metrics.auc_roc;
}
process.stdout.write(`${JSON.stringify({ fit_ms_all: fitMs, ms_per_epoch_all: msPerEpoch, cpu_ms_per_epoch_all: cpuMsPerEpoch, auc, rows: matrix.rows })}\n`);
