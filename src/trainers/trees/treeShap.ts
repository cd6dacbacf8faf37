/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2; the `shap` package's tree_shap.h): per-feature contributions
 * φ with expectedValue + Σφ = the ensemble's raw score, in O(leaves · depth²) per tree and row. Node covers (training
 * rows through each node) are the background distribution. Rows are walked on their bins, which take the same paths
 * as the raw values, and rows with identical bins are computed once.
 */
import { binRows, MISSING_BIN, type BinnedMatrix } from './binning.ts';
import type { TreeEnsemble } from './ensemble.ts';
import { groupIdenticalRows } from './rowGroups.ts';
import { treeDepth, type Tree } from './tree.ts';

/** SHAP values of some rows: `values[r·cols + f]` is feature f's contribution to row r's raw score. */
export interface ShapValues {
  readonly rows: number;
  readonly cols: number;
  /** the mean raw score over the training rows (the covers): where every explanation starts */
  readonly expectedValue: number;
  readonly values: Float64Array;
}

/** The ensemble's expected raw score under its covers: baseScore + scale · Σ_trees Σ_leaves cover/rootCover · value. */
export function expectedValue(e: TreeEnsemble): number {
  let sum = 0;
  for (const t of e.trees) {
    const root = t.cover[0] as number;
    if (!(root > 0)) continue;
    for (let i = 0; i < t.nodes; i++) if ((t.feature[i] as number) < 0) sum += ((t.cover[i] as number) / root) * (t.value[i] as number);
  }
  return e.baseScore + e.treeScale * sum;
}

/** SHAP values of the rows `rowIdx` (all rows when omitted) of a row-major matrix. */
export function treeShap(e: TreeEnsemble, X: Float32Array, rowIdx?: Uint32Array): ShapValues {
  return treeShapBinned(e, binRows(X, e.cols, e.edges, rowIdx));
}

/** SHAP values of binned rows (binned with the ensemble's own edges). */
export function treeShapBinned(e: TreeEnsemble, m: BinnedMatrix): ShapValues {
  const cols = e.cols;
  const groups = m.rows > 64 ? groupIdenticalRows(m, undefined, 0.5) : null;
  const walk = groups ? groups.binned : m;
  const phi = new Float64Array(walk.rows * cols);
  let maxDepth = 0;
  for (const t of e.trees) maxDepth = Math.max(maxDepth, treeDepth(t));
  const path = new PathBuffer(maxDepth);
  const row = new Uint8Array(cols);
  const out = new Float64Array(cols);
  for (let r = 0; r < walk.rows; r++) {
    for (let f = 0; f < cols; f++) row[f] = walk.bins[f * walk.rows + r] as number;
    out.fill(0);
    for (const t of e.trees) {
      if ((t.feature[0] as number) < 0) continue;
      recurse(t, row, out, path, 0, 0, 0, 1, 1, -1);
    }
    for (let f = 0; f < cols; f++) phi[r * cols + f] = e.treeScale * (out[f] as number);
  }
  let values = phi;
  if (groups) {
    values = new Float64Array(m.rows * cols);
    for (let i = 0; i < m.rows; i++) {
      const g = groups.groupOf[i] as number;
      values.set(phi.subarray(g * cols, (g + 1) * cols), i * cols);
    }
  }
  return { rows: m.rows, cols, expectedValue: expectedValue(e), values };
}

/** The path of unique features from the root, one copy per recursion level laid end to end (as tree_shap.h does). */
class PathBuffer {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
  constructor(maxDepth: number) {
    const size = ((maxDepth + 3) * (maxDepth + 4)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }
}

function extend(p: PathBuffer, off: number, d: number, zf: number, of: number, fi: number): void {
  const w = p.weight;
  p.feature[off + d] = fi;
  p.zero[off + d] = zf;
  p.one[off + d] = of;
  w[off + d] = d === 0 ? 1 : 0;
  for (let i = d - 1; i >= 0; i--) {
    w[off + i + 1] = (w[off + i + 1] as number) + (of * (w[off + i] as number) * (i + 1)) / (d + 1);
    w[off + i] = (zf * (w[off + i] as number) * (d - i)) / (d + 1);
  }
}

function unwind(p: PathBuffer, off: number, d: number, pi: number): void {
  const w = p.weight;
  const of = p.one[off + pi] as number;
  const zf = p.zero[off + pi] as number;
  let next = w[off + d] as number;
  for (let i = d - 1; i >= 0; i--) {
    if (of !== 0) {
      const tmp = w[off + i] as number;
      w[off + i] = (next * (d + 1)) / ((i + 1) * of);
      next = tmp - ((w[off + i] as number) * zf * (d - i)) / (d + 1);
    } else {
      w[off + i] = ((w[off + i] as number) * (d + 1)) / (zf * (d - i));
    }
  }
  for (let i = pi; i < d; i++) {
    p.feature[off + i] = p.feature[off + i + 1] as number;
    p.zero[off + i] = p.zero[off + i + 1] as number;
    p.one[off + i] = p.one[off + i + 1] as number;
  }
}

function unwoundSum(p: PathBuffer, off: number, d: number, pi: number): number {
  const w = p.weight;
  const of = p.one[off + pi] as number;
  const zf = p.zero[off + pi] as number;
  let next = w[off + d] as number;
  let total = 0;
  for (let i = d - 1; i >= 0; i--) {
    if (of !== 0) {
      const tmp = (next * (d + 1)) / ((i + 1) * of);
      total += tmp;
      next = (w[off + i] as number) - tmp * zf * ((d - i) / (d + 1));
    } else {
      total += (w[off + i] as number) / zf / ((d - i) / (d + 1));
    }
  }
  return total;
}

function recurse(t: Tree, row: Uint8Array, phi: Float64Array, p: PathBuffer, node: number, depth: number, parentOff: number, pz: number, po: number, pf: number): void {
  // this level's copy of the path starts right after the parent's
  const off = parentOff + depth + 1;
  if (depth > 0 || parentOff > 0) {
    p.feature.copyWithin(off, parentOff, parentOff + depth + 1);
    p.zero.copyWithin(off, parentOff, parentOff + depth + 1);
    p.one.copyWithin(off, parentOff, parentOff + depth + 1);
    p.weight.copyWithin(off, parentOff, parentOff + depth + 1);
  }
  extend(p, off, depth, pz, po, pf);
  const split = t.feature[node] as number;
  if (split < 0) {
    const v = t.value[node] as number;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(p, off, depth, i);
      const f = p.feature[off + i] as number;
      phi[f] = (phi[f] as number) + w * ((p.one[off + i] as number) - (p.zero[off + i] as number)) * v;
    }
    return;
  }
  const b = row[split] as number;
  const goLeft = b === MISSING_BIN ? t.missingLeft[node] === 1 : b <= (t.binThreshold[node] as number);
  const hot = goLeft ? (t.left[node] as number) : (t.right[node] as number);
  const cold = goLeft ? (t.right[node] as number) : (t.left[node] as number);
  const cover = t.cover[node] as number;
  const hotZero = (t.cover[hot] as number) / cover;
  const coldZero = (t.cover[cold] as number) / cover;
  let iz = 1;
  let io = 1;
  let d = depth;
  // a feature already on the path: undo its earlier split so it is counted once
  let pi = 0;
  for (; pi <= d; pi++) if (p.feature[off + pi] === split) break;
  if (pi !== d + 1) {
    iz = p.zero[off + pi] as number;
    io = p.one[off + pi] as number;
    unwind(p, off, d, pi);
    d -= 1;
  }
  recurse(t, row, phi, p, hot, d + 1, off, hotZero * iz, io, split);
  recurse(t, row, phi, p, cold, d + 1, off, coldZero * iz, 0, split);
}
