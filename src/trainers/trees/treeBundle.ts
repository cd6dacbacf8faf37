/**
 * The model file of a tree ensemble: every tree's nodes concatenated into typed arrays (base64, little-endian), the bin
 * edges as JSON numbers (which round-trip doubles exactly) and the same preprocessing block as the network bundles.
 * Prediction runs the same pure code in the page, a worker and node, so a reloaded bundle gives identical numbers.
 */
import { base64ToBytes, bytesToBase64 } from '../../report/sha256.ts';
import { backTransform, type BundlePredictor, type BundlePreprocessing } from '../bundle.ts';
import { outputFromRaw, predictRaw, type TreeEnsemble, type TreeModelKind } from './ensemble.ts';
import type { Tree } from './tree.ts';

/** Format tag of a tree bundle. */
export const TREE_BUNDLE_FORMAT = 'ml-workbench-trees/1';

/** A trained tree ensemble ready to download. */
export interface TreeBundle {
  readonly format: typeof TREE_BUNDLE_FORMAT;
  readonly kind: 'classifier' | 'regressor';
  readonly model: TreeModelKind;
  readonly preprocessing: BundlePreprocessing;
  readonly cols: number;
  readonly baseScore: number;
  readonly treeScale: number;
  readonly edges: readonly (readonly number[])[];
  readonly hasMissing: readonly boolean[];
  /** node count of each tree, in order */
  readonly treeNodes: readonly number[];
  /** base64 of each node field over all trees, concatenated */
  readonly nodes: {
    readonly feature: string;
    readonly threshold: string;
    readonly binThreshold: string;
    readonly missingLeft: string;
    readonly left: string;
    readonly right: string;
    readonly value: string;
    readonly cover: string;
    readonly gain: string;
  };
  readonly dataSha256: string;
  readonly seed: number;
  readonly config: unknown;
}

/** Everything but the trees, which `buildTreeBundle` takes from the ensemble. */
export interface TreeBundleMeta {
  readonly preprocessing: BundlePreprocessing;
  readonly dataSha256: string;
  readonly seed: number;
  readonly config: unknown;
}

type NodeField = keyof TreeBundle['nodes'];
const FIELDS: readonly NodeField[] = ['feature', 'threshold', 'binThreshold', 'missingLeft', 'left', 'right', 'value', 'cover', 'gain'];

/** Packs an ensemble into a bundle. */
export function buildTreeBundle(e: TreeEnsemble, meta: TreeBundleMeta): TreeBundle {
  const nodes = Object.fromEntries(FIELDS.map((field) => [field, bytesToBase64(concatField(e.trees, field))])) as Record<NodeField, string>;
  return {
    format: TREE_BUNDLE_FORMAT,
    kind: e.task,
    model: e.model,
    preprocessing: meta.preprocessing,
    cols: e.cols,
    baseScore: e.baseScore,
    treeScale: e.treeScale,
    edges: e.edges.edges.map((a) => Array.from(a)),
    hasMissing: [...e.edges.hasMissing],
    treeNodes: e.trees.map((t) => t.nodes),
    nodes,
    dataSha256: meta.dataSha256,
    seed: meta.seed,
    config: meta.config,
  };
}

function concatField(trees: readonly Tree[], field: NodeField): Uint8Array {
  const total = trees.reduce((s, t) => s + t[field].byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const t of trees) {
    const a = t[field];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** The ensemble inside a bundle (JSON text or object); throws a one-line error naming what is wrong. */
export function ensembleFromBundle(source: string | TreeBundle): TreeEnsemble {
  const b = typeof source === 'string' ? parseTreeBundle(source) : source;
  const n = b.treeNodes.reduce((s, k) => s + k, 0);
  const bytes = (field: NodeField, width: number): ArrayBuffer => {
    const raw = base64ToBytes(b.nodes[field]);
    if (raw.length !== n * width) throw new Error(`bundle field nodes.${field} holds ${raw.length} bytes; expected ${n * width} for ${n} nodes; re-export the model`);
    // copy into a fresh, aligned buffer so the typed views below are valid
    return raw.slice().buffer;
  };
  const feature = new Int32Array(bytes('feature', 4));
  const threshold = new Float64Array(bytes('threshold', 8));
  const binThreshold = new Uint8Array(bytes('binThreshold', 1));
  const missingLeft = new Uint8Array(bytes('missingLeft', 1));
  const left = new Int32Array(bytes('left', 4));
  const right = new Int32Array(bytes('right', 4));
  const value = new Float64Array(bytes('value', 8));
  const cover = new Float64Array(bytes('cover', 8));
  const gain = new Float64Array(bytes('gain', 8));
  const trees: Tree[] = [];
  let at = 0;
  for (const k of b.treeNodes) {
    const cut = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => a.subarray(at, at + k) as T;
    trees.push({ nodes: k, feature: cut(feature), threshold: cut(threshold), binThreshold: cut(binThreshold), missingLeft: cut(missingLeft), left: cut(left), right: cut(right), value: cut(value), cover: cut(cover), gain: cut(gain) });
    at += k;
  }
  return {
    model: b.model,
    task: b.kind,
    cols: b.cols,
    edges: { cols: b.cols, edges: b.edges.map((e) => Float64Array.from(e)), hasMissing: [...b.hasMissing] },
    baseScore: b.baseScore,
    treeScale: b.treeScale,
    trees,
  };
}

/**
 * A worker's decoded tree model, kept under the key its sender gave it: a model is sent (and decoded, about 100 ms for
 * the bundled data's forest) once; later jobs name it by key and send no bundle. A key it does not hold is an error.
 */
export function createTreeModelCache(): (key: string, bundle: TreeBundle | null) => TreeEnsemble {
  let held: { readonly key: string; readonly ensemble: TreeEnsemble } | null = null;
  return (key, bundle) => {
    if (held?.key === key) return held.ensemble;
    if (!bundle) throw new Error(`tree model "${key}" was not sent to this worker; run SHAP again`);
    held = { key, ensemble: ensembleFromBundle(bundle) };
    return held.ensemble;
  };
}

/** Predictions of an ensemble with a bundle's preprocessing: P(positive) for a classifier, dollars for a regressor. */
export function predictWithPreprocessing(e: TreeEnsemble, pre: BundlePreprocessing, X: Float32Array, rows: number): Float32Array {
  const cols = pre.featureNames.length;
  if (X.length !== rows * cols) throw new Error(`input has ${X.length} values; expected ${rows} rows × ${cols} features (${pre.featureNames.join(', ')})`);
  const out = Float32Array.from(outputFromRaw(e, predictRaw(e, X)));
  return e.task === 'classifier' ? out : backTransform(out, pre.logTarget, pre.smearing);
}

/** Loads a tree bundle and returns the same predictor shape as the network bundles. */
export function loadTreeBundle(source: string | TreeBundle): BundlePredictor {
  const b = typeof source === 'string' ? parseTreeBundle(source) : source;
  const e = ensembleFromBundle(b);
  return {
    kind: b.kind,
    threshold: b.preprocessing.threshold,
    predict: (X: Float32Array, rows: number): Promise<Float32Array> => Promise.resolve(predictWithPreprocessing(e, b.preprocessing, X, rows)),
    dispose: () => undefined,
  };
}

/** True when a parsed bundle object is a tree bundle. */
export function isTreeBundle(v: unknown): v is TreeBundle {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === TREE_BUNDLE_FORMAT;
}

function parseTreeBundle(text: string): TreeBundle {
  const parsed: unknown = JSON.parse(text);
  if (!isTreeBundle(parsed)) throw new Error(`bundle format is not "${TREE_BUNDLE_FORMAT}"; re-export the model from this workbench`);
  return parsed;
}
