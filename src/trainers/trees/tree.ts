/** One decision tree as parallel typed arrays (node 0 is the root), and the walks that predict with it. */
import { MISSING_BIN } from './binning.ts';

/** A binary tree over features; a node with feature −1 is a leaf. */
export interface Tree {
  readonly nodes: number;
  /** split feature, −1 at a leaf */
  readonly feature: Int32Array;
  /** a raw value v goes left when v <= threshold (+Infinity: every non-missing value goes left) */
  readonly threshold: Float64Array;
  /** the same split on bins: bin <= binThreshold goes left */
  readonly binThreshold: Uint8Array;
  /** 1 when missing values go left */
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** the node's output (the prediction at a leaf; also kept for inner nodes) */
  readonly value: Float64Array;
  /** training rows that reached the node: TreeSHAP's background weights */
  readonly cover: Float64Array;
  /** loss reduction of the node's split (0 at a leaf), for gain importance */
  readonly gain: Float64Array;
}

/** Leaf reached by row r of a row-major matrix. */
export function leafOfRow(t: Tree, X: ArrayLike<number>, cols: number, r: number): number {
  let node = 0;
  const base = r * cols;
  for (;;) {
    const f = t.feature[node] as number;
    if (f < 0) return node;
    const v = X[base + f] as number;
    const goLeft = v !== v ? t.missingLeft[node] === 1 : v <= (t.threshold[node] as number);
    node = goLeft ? (t.left[node] as number) : (t.right[node] as number);
  }
}

/** Leaf reached by row r of a column-major binned matrix with `rows` rows. */
export function leafOfBinnedRow(t: Tree, bins: Uint8Array, rows: number, r: number): number {
  let node = 0;
  for (;;) {
    const f = t.feature[node] as number;
    if (f < 0) return node;
    const b = bins[f * rows + r] as number;
    const goLeft = b === MISSING_BIN ? t.missingLeft[node] === 1 : b <= (t.binThreshold[node] as number);
    node = goLeft ? (t.left[node] as number) : (t.right[node] as number);
  }
}

/**
 * A node's split on bins as one int: a bin b goes left when ((b + shift) & 255) <= limit, with limit in the low 16 bits
 * and shift above. Shift 1 sends the missing bin (255) to 0, below every value bin, when missing values go left.
 */
export function binSplitTest(t: Tree, node: number): number {
  const thr = t.binThreshold[node] as number;
  return t.missingLeft[node] === 1 ? (thr + 1) | (1 << 16) : Math.min(thr, MISSING_BIN - 1);
}

/**
 * A tree packed for prediction: per node four ints (feature, split test, left child·4, right child·4), the values, and
 * the depth. A leaf points to itself on both sides, so every row can take exactly `depth` steps.
 */
interface PackedTree {
  readonly nodes: Int32Array;
  readonly value: Float64Array;
  readonly depth: number;
}

const packedTrees = new WeakMap<Tree, PackedTree>();

function packTree(t: Tree): PackedTree {
  const known = packedTrees.get(t);
  if (known) return known;
  const nodes = new Int32Array(t.nodes * 4);
  for (let i = 0; i < t.nodes; i++) {
    const f = t.feature[i] as number;
    const leaf = f < 0;
    nodes[i * 4] = leaf ? 0 : f;
    nodes[i * 4 + 1] = leaf ? 0 : binSplitTest(t, i);
    nodes[i * 4 + 2] = (leaf ? i : (t.left[i] as number)) * 4;
    nodes[i * 4 + 3] = (leaf ? i : (t.right[i] as number)) * 4;
  }
  const packed = { nodes, value: t.value, depth: treeDepth(t) };
  packedTrees.set(t, packed);
  return packed;
}

/**
 * Adds the tree's output for each row of a row-major binned matrix (`bins[r·cols + f]`) to `acc[r]`. Four rows walk
 * side by side for a fixed number of steps (a leaf steps onto itself): no branch on the path taken, and the four
 * chains of dependent loads overlap.
 */
export function addTreeOutputs(t: Tree, bins: Uint8Array, cols: number, rows: number, acc: Float64Array): void {
  const { nodes, value, depth } = packTree(t);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    let k0 = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    for (let s = 0; s < depth; s++) {
      // left at k + 2, right at k + 3, picked by the sign of limit − ((bin + shift) & 255)
      const t0 = nodes[k0 + 1] as number;
      const t1 = nodes[k1 + 1] as number;
      const t2 = nodes[k2 + 1] as number;
      const t3 = nodes[k3 + 1] as number;
      const x0 = ((bins[b0 + (nodes[k0] as number)] as number) + (t0 >>> 16)) & 255;
      const x1 = ((bins[b1 + (nodes[k1] as number)] as number) + (t1 >>> 16)) & 255;
      const x2 = ((bins[b2 + (nodes[k2] as number)] as number) + (t2 >>> 16)) & 255;
      const x3 = ((bins[b3 + (nodes[k3] as number)] as number) + (t3 >>> 16)) & 255;
      k0 = nodes[k0 + 2 + (((t0 & 0xffff) - x0) >>> 31)] as number;
      k1 = nodes[k1 + 2 + (((t1 & 0xffff) - x1) >>> 31)] as number;
      k2 = nodes[k2 + 2 + (((t2 & 0xffff) - x2) >>> 31)] as number;
      k3 = nodes[k3 + 2 + (((t3 & 0xffff) - x3) >>> 31)] as number;
    }
    acc[r] = (acc[r] as number) + (value[k0 >> 2] as number);
    acc[r + 1] = (acc[r + 1] as number) + (value[k1 >> 2] as number);
    acc[r + 2] = (acc[r + 2] as number) + (value[k2 >> 2] as number);
    acc[r + 3] = (acc[r + 3] as number) + (value[k3 >> 2] as number);
  }
  for (; r < rows; r++) {
    const base = r * cols;
    let k = 0;
    for (let s = 0; s < depth; s++) {
      const test = nodes[k + 1] as number;
      const x = ((bins[base + (nodes[k] as number)] as number) + (test >>> 16)) & 255;
      k = nodes[k + 2 + (((test & 0xffff) - x) >>> 31)] as number;
    }
    acc[r] = (acc[r] as number) + (value[k >> 2] as number);
  }
}

/** Maximum depth of a tree (a lone leaf has depth 0). */
export function treeDepth(t: Tree): number {
  let max = 0;
  const stack: number[] = [0, 0];
  while (stack.length > 0) {
    const d = stack.pop() as number;
    const node = stack.pop() as number;
    if (d > max) max = d;
    if ((t.feature[node] as number) >= 0) stack.push(t.left[node] as number, d + 1, t.right[node] as number, d + 1);
  }
  return max;
}

/** Number of leaves of a tree. */
export function leafCount(t: Tree): number {
  let n = 0;
  for (let i = 0; i < t.nodes; i++) if ((t.feature[i] as number) < 0) n++;
  return n;
}
