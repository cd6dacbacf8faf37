/**
 * Exact TreeSHAP for tree ensembles: per-feature contributions φ with expectedValue + Σφ = the ensemble's raw score.
 * Node covers (training rows through each node) are the background distribution, as in Lundberg, Erion & Lee 2018.
 *
 * The fast algorithm (`treeShapBinned`) uses the closed form behind Linear TreeSHAP (Yu et al. 2022): for a leaf of value
 * v whose path splits on the unique features F, with zero fraction z_j (the share of covers that follows the path's
 * splits on j) and one fraction o_j ∈ {0, 1} (whether the row follows them), feature i gets
 *   φ_i = v · (o_i − z_i) · ∫₀¹ Π_{j∈F, j≠i} (z_j·(1−t) + o_j·t) dt,
 * a polynomial of degree |F|−1 integrated exactly by Gauss–Legendre quadrature with ⌈|F|/2⌉ nodes. The values depend
 * on the row only through which of F it follows (a bit mask), so one walk per tree carries every row's mask down and
 * each leaf computes its contributions once per distinct mask (O(|F| · ⌈|F|/2⌉)), then adds them to the rows; rows with
 * identical bins are computed once, and leaves of value 0 skipped. Algorithm 2 of the paper (the `shap` package's
 * tree_shap.h, O(leaves · depth²) per row and tree) is kept as `treeShapPathBinned`, the reference the tests compare with.
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
  const job = startTreeShap(e, m);
  while (job.step()) { /* one tree per step */ }
  return job.result();
}

/** A TreeSHAP computation done one tree at a time, so a worker can report progress and honour a cancel between trees. */
export interface TreeShapJob {
  readonly trees: number;
  /** trees done so far */
  done(): number;
  /** adds the next tree's contributions; false once every tree is done */
  step(): boolean;
  result(): ShapValues;
}

/** Starts the fast exact TreeSHAP of binned rows; call `step()` until it returns false, then `result()`. */
export function startTreeShap(e: TreeEnsemble, m: BinnedMatrix): TreeShapJob {
  const cols = e.cols;
  // identical rows have identical explanations: walk each distinct row once
  const groups = m.rows > 1 ? groupIdenticalRows(m, undefined, 1) : null;
  const walk = groups ? groups.binned : m;
  const rows = walk.rows;
  const phi = new Float64Array(rows * cols);
  const memo = new MaskMemo();
  let next = 0;
  const step = (): boolean => {
    if (next >= e.trees.length) return false;
    const t = e.trees[next] as Tree;
    next += 1;
    if ((t.feature[0] as number) >= 0) addTreeShap(t, e.treeScale, walk, phi, memo);
    return next < e.trees.length;
  };
  const result = (): ShapValues => {
    // phi is feature-major over the distinct rows; the answer is row-major over every row
    const values = new Float64Array(m.rows * cols);
    for (let i = 0; i < m.rows; i++) {
      const g = groups ? (groups.groupOf[i] as number) : i;
      for (let f = 0; f < cols; f++) values[i * cols + f] = phi[f * rows + g] as number;
    }
    return { rows: m.rows, cols, expectedValue: expectedValue(e), values };
  };
  return { trees: e.trees.length, done: () => next, step, result };
}

/** Gauss–Legendre nodes and weights on [0, 1] with n points (exact for polynomials of degree ≤ 2n − 1), memoised. */
const GAUSS: Array<{ t: Float64Array; w: Float64Array }> = [];
function gaussLegendre(n: number): { t: Float64Array; w: Float64Array } {
  const known = GAUSS[n];
  if (known) return known;
  const t = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Newton on the Legendre polynomial P_n from the usual first guess; x in [−1, 1]
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pm = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pm)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    t[i] = (1 - x) / 2;
    w[i] = 1 / ((1 - x * x) * dp * dp);
  }
  const out = { t, w };
  GAUSS[n] = out;
  return out;
}

/** Most unique features on one root-to-leaf path of a tree. */
function maxPathFeatures(t: Tree, cols: number): number {
  const count = new Uint16Array(cols);
  let unique = 0;
  let max = 0;
  const visit = (node: number): void => {
    const f = t.feature[node] as number;
    if (f < 0) {
      max = Math.max(max, unique);
      return;
    }
    if (count[f] === 0) unique++;
    count[f] = (count[f] as number) + 1;
    visit(t.left[node] as number);
    visit(t.right[node] as number);
    count[f] = (count[f] as number) - 1;
    if (count[f] === 0) unique--;
  };
  visit(0);
  return max;
}

/**
 * Adds one tree's contributions (times `scale`) for every row of `m` (column-major bins) to `phi` (feature-major:
 * phi[f·rows + r]). One walk down the tree keeps, per row, a bit mask of the path features whose splits the row
 * follows (bit j: the j-th distinct feature from the root); at each leaf the contributions are computed once per
 * distinct mask (rows that follow the same subset of the path's features get the same values) and added per row.
 */
function addTreeShap(t: Tree, scale: number, m: BinnedMatrix, phi: Float64Array, memo: MaskMemo): void {
  const { rows, cols, bins } = m;
  const maxD = maxPathFeatures(t, cols);
  if (maxD > 30) {
    // more than 30 features on one path: no 32-bit masks; the reference algorithm handles such trees
    const single: TreeEnsemble = { model: 'gbdt', task: 'regressor', cols, edges: { cols, edges: [], hasMissing: [] }, baseScore: 0, treeScale: scale, trees: [t] };
    const ref = treeShapPathBinned(single, m).values;
    for (let r = 0; r < rows; r++) for (let f = 0; f < cols; f++) phi[f * rows + r] = (phi[f * rows + r] as number) + (ref[r * cols + f] as number);
    return;
  }
  const maxN = Math.max(1, Math.ceil(maxD / 2));
  const g = new Float64Array(maxN);
  const zOff = new Float64Array(maxD * maxN);
  const invOn = new Float64Array(maxD * maxN);
  const inv1mt = new Float64Array(maxN);
  const slot = new Int32Array(rows);
  const width = maxD + 1;
  memo.reserve(rows, width);
  // per depth, each row's mask; the path's distinct features in order and their zero fractions
  const masks: Int32Array[] = [new Int32Array(rows)];
  const path: number[] = [];
  const slotOf = new Int32Array(cols).fill(-1);
  const zero = new Float64Array(cols).fill(1);

  const leaf = (node: number, mask: Int32Array): void => {
    const value = scale * (t.value[node] as number);
    const d = path.length;
    // a leaf of value 0 adds nothing to anyone (φ is linear in the leaf values)
    if (value === 0 || d === 0) return;
    const n = Math.ceil(d / 2);
    const { t: tq, w: wq } = gaussLegendre(n);
    memo.clear();
    const out = memo.values;
    let tablesReady = false;
    for (let r = 0; r < rows; r++) {
      const bits = mask[r] as number;
      const sl = memo.slotOf(bits);
      slot[r] = sl;
      if (!memo.isNew) continue;
      if (!tablesReady) {
        // per path entry j and quadrature node q: z_j·(1−t_q) and 1 / (z_j·(1−t_q) + t_q)
        for (let q = 0; q < n; q++) inv1mt[q] = 1 / (1 - (tq[q] as number));
        for (let j = 0; j < d; j++) {
          const z = zero[path[j] as number] as number;
          for (let q = 0; q < n; q++) {
            const a = z * (1 - (tq[q] as number));
            zOff[j * n + q] = a;
            invOn[j * n + q] = 1 / (a + (tq[q] as number));
          }
        }
        tablesReady = true;
      }
      for (let q = 0; q < n; q++) g[q] = wq[q] as number;
      for (let j = 0; j < d; j++) {
        const jn = j * n;
        if ((bits >>> j) & 1) {
          for (let q = 0; q < n; q++) g[q] = (g[q] as number) * ((zOff[jn + q] as number) + (tq[q] as number));
        } else {
          for (let q = 0; q < n; q++) g[q] = (g[q] as number) * (zOff[jn + q] as number);
        }
      }
      // a feature the row does not follow: v·(0 − z_i)·∫G/(z_i(1−t)) = −v·∫G/(1−t), the same for each of them
      let off = 0;
      for (let q = 0; q < n; q++) off += (g[q] as number) * (inv1mt[q] as number);
      off *= -value;
      const at = sl * width;
      for (let j = 0; j < d; j++) {
        let c = off;
        if ((bits >>> j) & 1) {
          const jn = j * n;
          let sum = 0;
          for (let q = 0; q < n; q++) sum += (g[q] as number) * (invOn[jn + q] as number);
          c = value * (1 - (zero[path[j] as number] as number)) * sum;
        }
        out[at + j] = c;
      }
    }
    for (let j = 0; j < d; j++) {
      const base = (path[j] as number) * rows;
      for (let r = 0; r < rows; r++) phi[base + r] = (phi[base + r] as number) + (out[(slot[r] as number) * width + j] as number);
    }
  };

  const visit = (node: number, depth: number): void => {
    const parent = masks[depth] as Int32Array;
    const f = t.feature[node] as number;
    if (f < 0) {
      leaf(node, parent);
      return;
    }
    const fresh = slotOf[f] === -1;
    if (fresh) {
      slotOf[f] = path.length;
      path.push(f);
    }
    const bit = 1 << (slotOf[f] as number);
    const keep = ~bit;
    const savedZero = zero[f] as number;
    const cover = t.cover[node] as number;
    const thr = t.binThreshold[node] as number;
    const missLeft = t.missingLeft[node] === 1;
    const child = (masks[depth + 1] ??= new Int32Array(rows));
    const col = f * rows;
    for (const goLeft of [true, false]) {
      // the row follows this feature's splits so far (always, for a feature new on the path) and this one
      for (let r = 0; r < rows; r++) {
        const pm = parent[r] as number;
        const b = bins[col + r] as number;
        const left = b === MISSING_BIN ? missLeft : b <= thr;
        child[r] = (pm & keep) | (left === goLeft && (fresh || (pm & bit) !== 0) ? bit : 0);
      }
      const next = goLeft ? (t.left[node] as number) : (t.right[node] as number);
      zero[f] = savedZero * ((t.cover[next] as number) / cover);
      visit(next, depth + 1);
      // the deeper levels reuse masks[depth + 1]; rebuild it for the right child after the left subtree
    }
    zero[f] = savedZero;
    if (fresh) {
      slotOf[f] = -1;
      path.pop();
    }
  };
  visit(0, 0);
}

/** A small open-addressing table from a leaf's agreement mask to the slot of its memoised contributions. */
class MaskMemo {
  keys = new Int32Array(0);
  stamp = new Int32Array(0);
  slots = new Int32Array(0);
  values = new Float64Array(0);
  isNew = false;
  private now = 0;
  private used = 0;
  reserve(rows: number, width: number): void {
    let size = 16;
    while (size < 2 * rows) size *= 2;
    if (this.keys.length < size) {
      this.keys = new Int32Array(size);
      this.stamp = new Int32Array(size);
      this.slots = new Int32Array(size);
      this.now = 0;
    }
    if (this.values.length < rows * width) this.values = new Float64Array(rows * width);
  }
  clear(): void {
    this.now += 1;
    this.used = 0;
  }
  slotOf(key: number): number {
    const m = this.keys.length - 1;
    let h = Math.imul(key, 0x9e3779b1) >>> 0;
    for (;;) {
      const i = h & m;
      if (this.stamp[i] !== this.now) {
        this.stamp[i] = this.now;
        this.keys[i] = key;
        this.slots[i] = this.used;
        this.used += 1;
        this.isNew = true;
        return this.used - 1;
      }
      if (this.keys[i] === key) {
        this.isNew = false;
        return this.slots[i] as number;
      }
      h = i + 1;
    }
  }
}

/** Algorithm 2 of Lundberg et al. (the path algorithm, O(leaves · depth²) per tree and row): the reference for tests. */
export function treeShapPathBinned(e: TreeEnsemble, m: BinnedMatrix): ShapValues {
  const cols = e.cols;
  const phi = new Float64Array(m.rows * cols);
  let maxDepth = 0;
  for (const t of e.trees) maxDepth = Math.max(maxDepth, treeDepth(t));
  const path = new PathBuffer(maxDepth);
  const row = new Uint8Array(cols);
  const out = new Float64Array(cols);
  for (let r = 0; r < m.rows; r++) {
    for (let f = 0; f < cols; f++) row[f] = m.bins[f * m.rows + r] as number;
    out.fill(0);
    for (const t of e.trees) {
      if ((t.feature[0] as number) < 0) continue;
      recurse(t, row, out, path, 0, 0, 0, 1, 1, -1);
    }
    for (let f = 0; f < cols; f++) phi[r * cols + f] = e.treeScale * (out[f] as number);
  }
  return { rows: m.rows, cols, expectedValue: expectedValue(e), values: phi };
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
