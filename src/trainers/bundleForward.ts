/** A bundle's dense network evaluated in plain TypeScript: the main thread scores rows without loading TensorFlow.js. */
import { backTransform, type DenseLayer, type ModelBundle } from './bundle.ts';
import { applyScaler } from './scaler.ts';
import { subsetRows } from './split.ts';
import { FORWARD_CHUNK_ROWS } from './types.ts';
import { ensembleFromBundle, isTreeBundle, predictWithPreprocessing, type TreeBundle } from './trees/treeBundle.ts';

function base64ToFloats(b64: string): Float32Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4));
}

/** Activations by layer name from the saved Keras topology; 'linear' when the topology does not say. */
function activations(topology: unknown): Map<string, DenseLayer['activation']> {
  const out = new Map<string, DenseLayer['activation']>();
  const root = topology as { model_config?: unknown; config?: unknown } | null;
  const model = (root?.model_config ?? root) as { config?: { layers?: unknown } } | null;
  const layers = model?.config?.layers;
  if (!Array.isArray(layers)) return out;
  for (const l of layers as Array<{ config?: { name?: unknown; activation?: unknown } }>) {
    const name = l.config?.name;
    const act = l.config?.activation;
    if (typeof name === 'string' && (act === 'relu' || act === 'sigmoid' || act === 'linear')) out.set(name, act);
  }
  return out;
}

/** The bundle's dense layers (kernel, bias pairs in weight order) with their activations. */
export function denseLayersOf(bundle: ModelBundle): DenseLayer[] {
  const floats = base64ToFloats(bundle.weightData);
  const acts = activations(bundle.modelTopology);
  const layers: DenseLayer[] = [];
  let offset = 0;
  const specs = bundle.weightSpecs;
  for (let i = 0; i + 1 < specs.length; i += 2) {
    const k = specs[i]!;
    const b = specs[i + 1]!;
    if (k.dtype !== undefined && k.dtype !== 'float32') throw new Error(`weight "${k.name}" is ${k.dtype}; only float32 bundles can be scored here`);
    const [inputs, units] = k.shape;
    if (inputs === undefined || units === undefined || k.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== units) {
      throw new Error(`weights "${k.name}" ${JSON.stringify(k.shape)} and "${b.name}" ${JSON.stringify(b.shape)} are not a dense layer; re-export the model`);
    }
    const kernel = floats.slice(offset, offset + inputs * units);
    offset += inputs * units;
    const bias = floats.slice(offset, offset + units);
    offset += units;
    const layerName = k.name.split('/')[0] ?? '';
    layers.push({ inputs, units, kernel, bias, activation: acts.get(layerName) ?? 'linear' });
  }
  if (layers.length === 0 || offset !== floats.length) throw new Error(`bundle holds ${floats.length} weights but its specs describe ${offset}; re-export the model`);
  return layers;
}

/** Raw feature rows → probability (classifier) or dollars (regressor), as `loadBundle(...).predict` gives up to float32 rounding. */
export function predictBundle(bundle: ModelBundle | TreeBundle, X: Float32Array, rows: number): Float32Array {
  return predictBundleRows(bundle, X, rows, null);
}

/**
 * `predictBundle` of the rows `rowIdx` of X (all `rows` rows when null), scored in chunks of FORWARD_CHUNK_ROWS: no
 * scaled copy of every row and, with `rowIdx`, no gathered copy of the chosen rows (a million test rows of 11 features:
 * 42 MB each), while each row's answer is what scoring it alone gives.
 */
export function predictBundleRows(bundle: ModelBundle | TreeBundle, X: Float32Array, rows: number, rowIdx: Uint32Array | null): Float32Array {
  const pre = bundle.preprocessing;
  const cols = pre.featureNames.length;
  if (X.length !== rows * cols) throw new Error(`input has ${X.length} values; expected ${rows} rows × ${cols} features (${pre.featureNames.join(', ')})`);
  const score = scorerOf(bundle);
  const n = rowIdx === null ? rows : rowIdx.length;
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += FORWARD_CHUNK_ROWS) {
    const end = Math.min(n, start + FORWARD_CHUNK_ROWS);
    const chunk = rowIdx === null ? X.subarray(start * cols, end * cols) : subsetRows(X, cols, rowIdx.subarray(start, end));
    out.set(score(chunk, end - start), start);
  }
  return out;
}

/** Scores a block of raw feature rows with a bundle. */
function scorerOf(bundle: ModelBundle | TreeBundle): (X: Float32Array, rows: number) => Float32Array {
  if (isTreeBundle(bundle)) {
    const ensemble = ensembleFromBundle(bundle);
    return (X, rows) => predictWithPreprocessing(ensemble, bundle.preprocessing, X, rows);
  }
  const pre = bundle.preprocessing;
  const cols = pre.featureNames.length;
  const layers = denseLayersOf(bundle);
  const scaler = { mean: Float64Array.from(pre.mean), scale: Float64Array.from(pre.scale) };
  return (X, rows) => {
    let h = applyScaler(X, rows, cols, scaler);
    let width = cols;
    for (const l of layers) {
      if (l.inputs !== width) throw new Error(`layer expects ${l.inputs} inputs but gets ${width}; the bundle is inconsistent`);
      const next = new Float32Array(rows * l.units);
      for (let r = 0; r < rows; r++) {
        for (let u = 0; u < l.units; u++) {
          let z = l.bias[u] as number;
          for (let i = 0; i < width; i++) z += (h[r * width + i] as number) * (l.kernel[i * l.units + u] as number);
          next[r * l.units + u] = l.activation === 'relu' ? Math.max(0, z) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : z;
        }
      }
      h = next;
      width = l.units;
    }
    if (width !== 1) throw new Error(`the network ends in ${width} outputs; expected 1`);
    return bundle.kind === 'classifier' ? h : backTransform(h, pre.logTarget, pre.smearing);
  };
}
