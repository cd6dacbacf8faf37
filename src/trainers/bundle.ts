/** The portable model artefact: a tfjs layers model plus the preprocessing needed to go from raw features to an answer. */
import type * as tfjs from '@tensorflow/tfjs';
import { FORWARD_CHUNK_ROWS, type Tf } from './types.ts';
import { applyScaler } from './scaler.ts';
import { subsetRows } from './split.ts';
import { isTreeBundle, loadTreeBundle, type TreeBundle } from './trees/treeBundle.ts';

/** One fully connected layer as plain arrays; the common currency of the logistic, linear and MLP trainers. */
export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  /** row-major [inputs, units], as tfjs stores a dense kernel */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly activation: 'relu' | 'sigmoid' | 'linear';
}

/** What turns raw model-matrix rows into model inputs, and model outputs into a probability or dollars. */
export interface BundlePreprocessing {
  readonly featureNames: readonly string[];
  readonly featureGroups: readonly string[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** regressor: the network predicts log1p(revenue) */
  readonly logTarget: boolean;
  /** Duan's smearing factor applied to exp(prediction); 1 when unused */
  readonly smearing: number;
  /** classifier: decision threshold chosen on validation; NaN serialises as null for regressors */
  readonly threshold: number | null;
  /** two-stage regressor: this model is E[revenue | order]; multiply by the classifier's P(order) */
  readonly conditionalOnOrder: boolean;
}

/** A trained model ready to download: tfjs model.json parts (weights base64) plus preprocessing and provenance. */
export interface ModelBundle {
  readonly format: 'ml-workbench-bundle/1';
  readonly kind: 'classifier' | 'regressor';
  readonly modelTopology: unknown;
  readonly weightSpecs: readonly tfjs.io.WeightsManifestEntry[];
  /** base64 of the concatenated little-endian float32 weights */
  readonly weightData: string;
  readonly preprocessing: BundlePreprocessing;
  readonly dataSha256: string;
  readonly seed: number;
  readonly backend: string;
  readonly tfjsVersion: string;
  readonly config: unknown;
}

/** A loaded bundle: raw features in, probability (classifier) or dollars (regressor) out. */
export interface BundlePredictor {
  readonly kind: ModelBundle['kind'];
  readonly threshold: number | null;
  /** async: WebGPU cannot read results back synchronously in a worker */
  predict(X: Float32Array, rows: number): Promise<Float32Array>;
  dispose(): void;
}

/**
 * The predictions of X's rows `rowIdx` (X has `cols` columns), gathered FORWARD_CHUNK_ROWS at a time: no copy of every
 * chosen row beside the matrix (a million test rows of 11 features: 42 MB). Each block is one of `predict`'s own
 * chunks, so the numbers are those of predicting a copy of the rows.
 */
export async function predictRows(predictor: BundlePredictor, X: Float32Array, cols: number, rowIdx: Uint32Array): Promise<Float32Array> {
  const out = new Float32Array(rowIdx.length);
  for (let start = 0; start < rowIdx.length; start += FORWARD_CHUNK_ROWS) {
    const end = Math.min(rowIdx.length, start + FORWARD_CHUNK_ROWS);
    out.set(await predictor.predict(subsetRows(X, cols, rowIdx.subarray(start, end)), end - start), start);
  }
  return out;
}

/** Everything but the weights, which `buildBundle` serialises from the layers. */
export type BundleMeta = Omit<ModelBundle, 'format' | 'modelTopology' | 'weightSpecs' | 'weightData'>;

/** Packs dense layers into a tfjs Sequential and saves it through `withSaveHandler`, so any tfjs runtime can load it. */
export async function buildBundle(tf: Tf, layers: readonly DenseLayer[], meta: BundleMeta): Promise<ModelBundle> {
  const model = toSequential(tf, layers);
  try {
    let artifacts: tfjs.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }));
    if (artifacts === undefined || artifacts.weightData === undefined || artifacts.weightSpecs === undefined) {
      throw new Error('tfjs save produced no weights; retry on the cpu backend');
    }
    const weightData = Array.isArray(artifacts.weightData)
      ? concatBuffers(artifacts.weightData)
      : artifacts.weightData;
    return {
      format: 'ml-workbench-bundle/1',
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
      weightData: bytesToBase64(new Uint8Array(weightData)),
      ...meta,
    };
  } finally {
    model.dispose();
  }
}

/** A network bundle or a tree-ensemble bundle: what a run ships. */
export type AnyBundle = ModelBundle | TreeBundle;

/** JSON text of a bundle, the file the UI downloads. */
export function serializeBundle(bundle: ModelBundle | TreeBundle): string {
  return JSON.stringify(bundle);
}

/** Loads a bundle (JSON text or object) and returns a predictor that reproduces the trainer's predictions exactly on the same backend. */
export async function loadBundle(tf: Tf, source: string | ModelBundle | TreeBundle): Promise<BundlePredictor> {
  const parsed: unknown = typeof source === 'string' ? JSON.parse(source) : source;
  if (isTreeBundle(parsed)) return loadTreeBundle(parsed);
  const bundle: ModelBundle = parseBundle(parsed);
  const bytes = base64ToBytes(bundle.weightData);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: bundle.modelTopology as tfjs.io.ModelArtifacts['modelTopology'],
    weightSpecs: [...bundle.weightSpecs],
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  }));
  const pre = bundle.preprocessing;
  const cols = pre.featureNames.length;
  const mean = Float64Array.from(pre.mean);
  const scale = Float64Array.from(pre.scale);
  return {
    kind: bundle.kind,
    threshold: pre.threshold,
    async predict(X: Float32Array, rows: number): Promise<Float32Array> {
      if (X.length !== rows * cols) {
        throw new Error(`input has ${X.length} values; expected ${rows} rows × ${cols} features (${pre.featureNames.join(', ')})`);
      }
      const raw = await predictScaled(tf, model, X, rows, cols, { mean, scale });
      return bundle.kind === 'classifier' ? raw : backTransform(raw, pre.logTarget, pre.smearing);
    },
    dispose(): void {
      model.dispose();
    },
  };
}

/** Model output in log space → dollars: exp(z)·smearing − 1 for log1p targets (Duan), identity otherwise. */
export function backTransform(z: Float32Array, logTarget: boolean, smearing: number): Float32Array {
  if (!logTarget) return z;
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = Math.max(0, Math.exp(z[i] ?? 0) * smearing - 1);
  return out;
}

function parseBundle(parsed: unknown): ModelBundle {
  if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== 'ml-workbench-bundle/1') {
    throw new Error('bundle format is not "ml-workbench-bundle/1"; re-export the model from this workbench');
  }
  return parsed as ModelBundle;
}

/**
 * Scaled and predicted in chunks, so a 400k-row predict does not hold one giant activation on a GPU backend, nor a
 * scaled copy of every row (a million test rows: 45 MB) beside the caller's.
 */
async function predictScaled(tf: Tf, model: tfjs.LayersModel, X: Float32Array, rows: number, cols: number, scaler: { readonly mean: Float64Array; readonly scale: Float64Array }): Promise<Float32Array> {
  const out = new Float32Array(rows);
  const chunk = FORWARD_CHUNK_ROWS;
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const scaled = applyScaler(X.subarray(start * cols, (start + n) * cols), n, cols, scaler);
    // one batch per chunk: predict's default batch of 32 turns 94k rows into ~3,000 tiny kernel launches
    const y = tf.tidy(() => model.predict(tf.tensor2d(scaled, [n, cols]), { batchSize: n }) as tfjs.Tensor);
    try {
      out.set(await y.data(), start);
    } finally {
      y.dispose();
    }
  }
  return out;
}

function toSequential(tf: Tf, layers: readonly DenseLayer[]): tfjs.Sequential {
  const model = tf.sequential();
  layers.forEach((l, i) => {
    model.add(tf.layers.dense({
      units: l.units,
      activation: l.activation,
      ...(i === 0 ? { inputShape: [l.inputs] } : {}),
      name: `dense_${i}`,
    }));
  });
  const weights = layers.flatMap((l) => [tf.tensor2d(l.kernel, [l.inputs, l.units]), tf.tensor1d(l.bias)]);
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
  return model;
}

function concatBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
