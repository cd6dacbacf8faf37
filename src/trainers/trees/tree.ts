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
