/**
 * The linear regressor as boosting's initial score (LightGBM's `init_score`, XGBoost's `base_margin`): a ridge fit on the
 * fit rows, written as one tree per feature on the ensemble's own bins. As trees, the init model travels in the bundle,
 * predicts in the page and in node, and gets exact TreeSHAP values (a tree on one feature gives that feature
 * f(x) − E[f]) without a second kind of model anywhere.
 */
import { fitRidge } from '../regressor.ts';
import { applyScalerOnRows, fitStandardScalerOnRows } from '../scaler.ts';
import { MISSING_BIN, smallIntBins, valueBins, binWithTable, type BinEdges } from './binning.ts';
import type { Tree } from './tree.ts';

/** Boosting's starting point: a constant plus trees whose outputs are added to it. */
export interface GbdtInit {
  readonly baseScore: number;
  readonly trees: readonly Tree[];
}

/** Options of `linearInit`: the fit rows of a row-major matrix, their targets and the ridge penalty. */
export interface LinearInitOptions {
  readonly X: Float32Array;
  readonly cols: number;
  readonly rowIdx: Uint32Array;
  readonly y: ArrayLike<number>;
  /** ridge alpha on standardised features (intercept unpenalised), as the linear regressor */
  readonly alpha: number;
  /** feature names, for the error about missing values */
  readonly featureNames?: readonly string[];
}

/**
 * Fits ridge regression on the fit rows and returns it as trees on `edges`: feature j's tree maps each of its bins to
 * coef_j · (the mean of the fit rows' values in that bin − their overall mean); the base score is the intercept (the
 * prediction at the mean row). On a feature with at most `maxBins` distinct values (flags, hours, counts) each value has
 * its own bin, so the trees equal the linear model exactly; a finer feature gets the linear model's value at its
 * bin's mean.
 */
export function linearInit(edges: BinEdges, o: LinearInitOptions): GbdtInit {
  const { X, cols, rowIdx } = o;
  const n = rowIdx.length;
  const missing = edges.hasMissing.findIndex((m) => m);
  if (missing >= 0) {
    const name = o.featureNames?.[missing] ?? `feature ${missing}`;
    throw new Error(`"${name}" has missing values; the linear init model needs complete rows: impute it in the Features cell or set init model to "mean"`);
  }
  const scaler = fitStandardScalerOnRows(X, cols, rowIdx);
  const ridge = fitRidge(applyScalerOnRows(X, cols, rowIdx, scaler), n, cols, o.y, o.alpha);
  // count and value sum of the fit rows in each bin of each feature
  const lut = smallIntBins(edges);
  const count: Float64Array[] = [];
  const sum: Float64Array[] = [];
  for (let f = 0; f < cols; f++) {
    count.push(new Float64Array(valueBins(edges, f)));
    sum.push(new Float64Array(valueBins(edges, f)));
  }
  for (let i = 0; i < n; i++) {
    const base = (rowIdx[i] as number) * cols;
    for (let f = 0; f < cols; f++) {
      const v = X[base + f] as number;
      const b = binWithTable(lut, edges, f, v);
      (count[f] as Float64Array)[b] = ((count[f] as Float64Array)[b] as number) + 1;
      (sum[f] as Float64Array)[b] = ((sum[f] as Float64Array)[b] as number) + v;
    }
  }
  const trees: Tree[] = [];
  for (let f = 0; f < cols; f++) {
    const slope = (ridge.coef[f] as number) / (scaler.scale[f] as number);
    const c = count[f] as Float64Array;
    const occupied: number[] = [];
    for (let b = 0; b < c.length; b++) if ((c[b] as number) > 0) occupied.push(b);
    // a constant feature (one occupied bin) adds a constant 0: no tree
    if (slope === 0 || !Number.isFinite(slope) || occupied.length < 2) continue;
    const mean = scaler.mean[f] as number;
    const s = sum[f] as Float64Array;
    const leafValue = occupied.map((b) => slope * ((s[b] as number) / (c[b] as number) - mean));
    trees.push(stepTree(f, edges.edges[f] as Float64Array, occupied, occupied.map((b) => c[b] as number), leafValue));
  }
  return { baseScore: ridge.intercept, trees };
}

/**
 * A balanced tree over one feature's occupied bins (ascending), leaf k holding `value[k]` for `cover[k]` fit rows. A bin
 * between two occupied ones goes left, with the lower of them; a missing value follows the side with more rows. An inner
 * node's value is the cover-weighted mean below it, its gain Σ cover·value² of its children less its own: the squared
 * error the split explains, as a grown tree's gain.
 */
function stepTree(feature: number, edges: Float64Array, bins: readonly number[], cover: readonly number[], value: readonly number[]): Tree {
  const size = 2 * bins.length - 1;
  const t: Tree = {
    nodes: size,
    feature: new Int32Array(size).fill(-1),
    threshold: new Float64Array(size),
    binThreshold: new Uint8Array(size),
    missingLeft: new Uint8Array(size),
    left: new Int32Array(size).fill(-1),
    right: new Int32Array(size).fill(-1),
    value: new Float64Array(size),
    cover: new Float64Array(size),
    gain: new Float64Array(size),
  };
  let next = 0;
  const build = (lo: number, hi: number): number => {
    const node = next++;
    if (hi - lo === 1) {
      t.value[node] = value[lo] as number;
      t.cover[node] = cover[lo] as number;
      return node;
    }
    const mid = (lo + hi) >> 1;
    const l = build(lo, mid);
    const r = build(mid, hi);
    const cl = t.cover[l] as number;
    const cr = t.cover[r] as number;
    const vl = t.value[l] as number;
    const vr = t.value[r] as number;
    const cn = cl + cr;
    const vn = (cl * vl + cr * vr) / cn;
    const bin = bins[mid - 1] as number;
    t.feature[node] = feature;
    t.binThreshold[node] = Math.min(bin, MISSING_BIN - 1);
    t.threshold[node] = edges[bin] as number;
    t.missingLeft[node] = cl >= cr ? 1 : 0;
    t.left[node] = l;
    t.right[node] = r;
    t.value[node] = vn;
    t.cover[node] = cn;
    t.gain[node] = cl * vl * vl + cr * vr * vr - cn * vn * vn;
    return node;
  };
  build(0, bins.length);
  return t;
}
