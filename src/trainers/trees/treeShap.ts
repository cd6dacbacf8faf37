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
 * each leaf computes its contributions once per distinct mask, then adds them to the rows. A mask's product over F at
 * the quadrature nodes is one multiply per node: two tables hold the products over the low and the high half of F for
 * every half-mask (2^(|F|/2) entries each, built by doubling). Two sibling leaves share their path but f's zero
 * fraction: their contributions are computed together, per distinct pair of masks, and added to the rows once. A
 * subtree of at most 31 splits is walked over classes of rows rather than rows: rows with the same mask at its root that
 * go the same way at each of its splits get the same contributions from it (on the bundled forest's deep trees, about
 * half as many classes as rows). Rows with identical bins are computed once, leaves of value 0 skipped, and the walk
 * allocates nothing (typed arrays sized once per run). Algorithm 2 of the paper (the `shap` package's
 * tree_shap.h, O(leaves · depth²) per row and tree) is kept as `treeShapPathBinned`, the reference the tests compare with.
 */
import { binRows, MISSING_BIN, type BinnedMatrix } from './binning.ts';
import type { TreeEnsemble } from './ensemble.ts';
import { groupIdenticalRows } from './rowGroups.ts';
import { binSplitTest, treeDepth, type Tree } from './tree.ts';

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
  /** trees to do (the range's) */
  readonly trees: number;
  /** trees done so far */
  done(): number;
  /** adds the next tree's contributions; false once every tree is done */
  step(): boolean;
  result(): ShapValues;
}

/** A block of consecutive trees of an ensemble: indices `from` (inclusive) to `to` (exclusive). */
export interface TreeRange {
  readonly from: number;
  readonly to: number;
}

/**
 * Starts the fast exact TreeSHAP of binned rows over every tree, or over the trees of `range` only (the contributions
 * of those trees; the expected value stays the whole ensemble's). Call `step()` until it returns false, then `result()`.
 */
export function startTreeShap(e: TreeEnsemble, m: BinnedMatrix, range?: TreeRange): TreeShapJob {
  const from = range?.from ?? 0;
  const to = range?.to ?? e.trees.length;
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= e.trees.length)) {
    throw new Error(`tree range ${from}..${to} is outside the model's ${e.trees.length} trees; pass a range within 0..${e.trees.length}`);
  }
  const cols = e.cols;
  // identical rows have identical explanations: walk each distinct row once
  const groups = m.rows > 1 ? groupIdenticalRows(m, undefined, 1) : null;
  const distinct = groups ? groups.binned : m;
  const rows = distinct.rows;
  const phi = new Float64Array(rows * cols);
  const walk = new ShapWalk(distinct, phi);
  let next = from;
  const step = (): boolean => {
    if (next >= to) return false;
    const t = e.trees[next] as Tree;
    next += 1;
    if ((t.feature[0] as number) >= 0) addTreeShap(t, e.treeScale, distinct, walk);
    return next < to;
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
  return { trees: to - from, done: () => next - from, step, result };
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

/** The deepest node of a tree and the most distinct features on one root-to-leaf path. */
function pathExtent(t: Tree, cols: number): { depth: number; features: number } {
  const count = new Uint16Array(cols);
  let unique = 0;
  let features = 0;
  let depth = 0;
  const visit = (node: number, d: number): void => {
    const f = t.feature[node] as number;
    if (f < 0) {
      if (unique > features) features = unique;
      if (d > depth) depth = d;
      return;
    }
    if (count[f] === 0) unique++;
    count[f] = (count[f] as number) + 1;
    visit(t.left[node] as number, d + 1);
    visit(t.right[node] as number, d + 1);
    count[f] = (count[f] as number) - 1;
    if (count[f] === 0) unique--;
  };
  visit(0, 0);
  return { depth, features };
}

/** Masks of up to this many path features index a table directly; longer paths hash them. */
const DIRECT_BITS = 16;
/** Paths of up to this many features get their products from two half-mask tables; longer ones multiply per key. */
const TABLE_BITS = 16;

/**
 * The state of one TreeSHAP run, sized once for its rows and grown for the deepest tree, so the walk allocates
 * nothing: per depth both children's agreement masks, the path's features and zero fractions, the leaf's tables.
 */
class ShapWalk {
  /** the rows walked: every distinct row, or the classes of a collapsed subtree (see `collapseSubtree`) */
  rows: number;
  bins: Uint8Array;
  /** feature-major: phi[f·rows + r] */
  phi: Float64Array;
  /** region 0: the root's masks (all 0); region 1 + 2·depth + side: the masks at the left (0) or right (1) child of the node at `depth` */
  masks = new Int32Array(0);
  /** the path's distinct features from the root; slotOf[f]: f's position on it, −1 when absent */
  readonly path: Int32Array;
  readonly slotOf: Int32Array;
  pathLength = 0;
  /** per feature, the share of covers that follows the path's splits on it (1 when it is not on the path) */
  readonly zero: Float64Array;
  /** per row, the slot of its mask at the current leaf; per slot, the mask */
  readonly slot: Int32Array;
  readonly keys: Int32Array;
  /** the current leaf's contributions, by slot then path position: out[slot·d + j] (a row's d values side by side) */
  readonly out: Float64Array;
  /** mask → slot for masks of up to DIRECT_BITS bits, valid where stamp = the leaf's id (no clearing per leaf) */
  stamp = new Int32Array(0);
  slotAt = new Int32Array(0);
  leafId = 0;
  readonly memo = new MaskMemo();
  /** per path position j and quadrature node q: z_j·(1−t_q), z_j·(1−t_q) + t_q and 1 / that */
  zOff = new Float64Array(0);
  zOn = new Float64Array(0);
  invOn = new Float64Array(0);
  /** invOn padded to 8 nodes per position, and each position's scale·(1 − z_j), for paths of up to 16 features */
  readonly inv8 = new Float64Array(30 * 8);
  readonly c8 = new Float64Array(30);
  /** a pair of leaves' factors for its own feature, per way a key follows it (see `leafPairContributions`), 16 nodes each */
  readonly pairComb = new Float64Array(64);
  readonly pairOffL = new Float64Array(32);
  readonly pairOffR = new Float64Array(32);
  inv1mt = new Float64Array(0);
  /** per distinct key k and quadrature node q: the product of the path's factors (then the leaves' weighted sum), G[k·n + q] */
  G = new Float64Array(0);
  /** per distinct key: the contribution of each path feature the row does not follow */
  readonly off: Float64Array;
  /** the products over the low and the high half of the path positions, per half-mask and quadrature node */
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  /** the right leaf's factor for a pair's own feature, per quadrature node: off and on */
  rOff = new Float64Array(0);
  rOn = new Float64Array(0);
  /** per row, its key at the current pair of leaves */
  readonly rowKey: Int32Array;
  /** the weight in the ensemble of the tree being walked */
  scale = 1;
  /** per node of the tree being walked, the inner nodes of its subtree (itself included) */
  inner = new Int32Array(0);
  /** the buffers of a collapsed subtree's walk; `collapsed` while it runs (subtrees inside it do not collapse again) */
  readonly classes: SubtreeClasses;
  collapsed = false;

  constructor(m: BinnedMatrix, phi: Float64Array) {
    this.rows = m.rows;
    this.bins = m.bins;
    this.phi = phi;
    this.path = new Int32Array(m.cols);
    this.slotOf = new Int32Array(m.cols).fill(-1);
    this.zero = new Float64Array(m.cols).fill(1);
    this.slot = new Int32Array(m.rows);
    this.keys = new Int32Array(m.rows);
    this.rowKey = new Int32Array(m.rows);
    this.out = new Float64Array(Math.min(m.cols, 30) * m.rows);
    this.off = new Float64Array(m.rows);
    this.classes = new SubtreeClasses(m.rows, m.cols);
  }

  /** Makes room for a tree `depth` deep whose paths hold at most `features` distinct features. */
  reserve(depth: number, features: number): void {
    const need = (2 * depth + 1) * this.rows;
    if (this.masks.length < need) {
      this.masks = new Int32Array(need);
      this.classes.masks = new Int32Array(need);
    }
    const maxN = Math.max(1, Math.ceil(features / 2));
    if (this.zOff.length < features * maxN) {
      this.zOff = new Float64Array(features * maxN);
      this.zOn = new Float64Array(features * maxN);
      this.invOn = new Float64Array(features * maxN);
    }
    if (this.inv1mt.length < maxN) {
      this.inv1mt = new Float64Array(maxN);
      this.rOff = new Float64Array(maxN);
      this.rOn = new Float64Array(maxN);
      this.G = new Float64Array(this.rows * maxN);
    }
    // half-mask tables for paths short enough to tabulate (longer ones multiply the factors per key)
    const half = (1 << Math.ceil(Math.min(features, TABLE_BITS) / 2)) * maxN;
    if (this.lo.length < half) {
      this.lo = new Float64Array(half);
      this.hi = new Float64Array(half);
    }
    // keys have one bit more than the path's features (a pair of leaves); longer ones are hashed
    const direct = 2 << Math.min(features, DIRECT_BITS);
    if (this.stamp.length < direct) {
      this.stamp = new Int32Array(direct);
      this.slotAt = new Int32Array(direct);
      this.leafId = 0;
    }
    if (features + 1 > DIRECT_BITS + 1) this.memo.reserve(this.rows);
  }
}

/**
 * Adds one tree's contributions (times `scale`) for every row of `m` (column-major bins) to `phi` (feature-major:
 * phi[f·rows + r]). One walk down the tree keeps, per row, a bit mask of the path features whose splits the row
 * follows (bit j: the j-th distinct feature from the root); at each leaf the contributions are computed once per
 * distinct mask (rows that follow the same subset of the path's features get the same values) and added per row.
 */
function addTreeShap(t: Tree, scale: number, m: BinnedMatrix, w: ShapWalk): void {
  const { rows, cols } = m;
  const phi = w.phi;
  const { depth, features } = pathExtent(t, cols);
  if (features > 30) {
    // more than 30 features on one path: no 32-bit masks; the reference algorithm handles such trees
    const single: TreeEnsemble = { model: 'gbdt', task: 'regressor', cols, edges: { cols, edges: [], hasMissing: [] }, baseScore: 0, treeScale: scale, trees: [t] };
    const ref = treeShapPathBinned(single, m).values;
    for (let r = 0; r < rows; r++) for (let f = 0; f < cols; f++) phi[f * rows + r] = (phi[f * rows + r] as number) + (ref[r * cols + f] as number);
    return;
  }
  w.reserve(depth, features);
  w.scale = scale;
  if (w.inner.length < t.nodes) w.inner = new Int32Array(t.nodes);
  countInner(t, 0, w.inner);
  visitNode(w, t, 0, 0, 0);
}

/** Fills `inner[node]` with the inner nodes of each subtree; returns the root's. */
function countInner(t: Tree, node: number, inner: Int32Array): number {
  const count = (t.feature[node] as number) < 0 ? 0 : 1 + countInner(t, t.left[node] as number, inner) + countInner(t, t.right[node] as number, inner);
  inner[node] = count;
  return count;
}

/** Subtrees of this many inner nodes or fewer (but more than a pair of leaves) are walked over classes of rows. */
const COLLAPSE_MAX_INNER = 31;
const COLLAPSE_MIN_INNER = 2;
/** Below this many rows a collapse saves less than it costs. */
const COLLAPSE_MIN_ROWS = 32;

/** Walks the subtree of `node` (its masks at region offset `at`), over classes of its rows where that pays. */
function visitNode(w: ShapWalk, t: Tree, node: number, depth: number, at: number): void {
  const f = t.feature[node] as number;
  if (f < 0) {
    leafContributions(w, t, node, at);
    return;
  }
  const inner = w.inner[node] as number;
  if (!w.collapsed && inner >= COLLAPSE_MIN_INNER && inner <= COLLAPSE_MAX_INNER && w.rows >= COLLAPSE_MIN_ROWS) {
    collapseSubtree(w, t, node, depth, at);
    return;
  }
  splitNode(w, t, node, depth, at);
}

/**
 * Walks a small subtree over classes of rows instead of rows. Two rows with the same mask at `node` that go the same way
 * at every split of the subtree get the same masks at each of its leaves, hence the same contributions from it: the
 * subtree is walked once per class (a representative row each) and each row then takes its class's contributions.
 * Exact, and on deep forests a subtree of ~20 splits sees about half as many classes as rows.
 */
function collapseSubtree(w: ShapWalk, t: Tree, node: number, depth: number, at: number): void {
  const c = w.classes;
  const { rows, bins, masks, phi } = w;
  // the subtree's splits, in preorder (at most 31: one bit each in a row's decisions)
  let splits = 0;
  const stack = c.stack;
  let top = 0;
  stack[top++] = node;
  while (top > 0) {
    const x = stack[--top] as number;
    if ((t.feature[x] as number) < 0) continue;
    c.splitFeature[splits] = t.feature[x] as number;
    c.splitTest[splits] = binSplitTest(t, x);
    splits++;
    stack[top++] = t.right[x] as number;
    stack[top++] = t.left[x] as number;
  }
  // per feature of the subtree, a table from bin to the bits of the splits on it that send the bin left: a split sends the
  // value bins 0..limit−shift left (a range: XOR its ends into a difference table, then a running XOR) and the missing
  // bin by its own rule
  const { splitFeature, splitTest, classOf, rep, lut, subFeatures, missingBits } = c;
  const slotStamp = ++c.seenStamp;
  let nFeatures = 0;
  for (let i = 0; i < splits; i++) {
    const f = splitFeature[i] as number;
    if (c.seen[f] !== slotStamp) {
      c.seen[f] = slotStamp;
      c.featureSlot[f] = nFeatures;
      subFeatures[nFeatures] = f;
      lut.fill(0, nFeatures * 256, nFeatures * 256 + 256);
      missingBits[nFeatures] = 0;
      nFeatures++;
    }
    const s = c.featureSlot[f] as number;
    const base = s * 256;
    const test = splitTest[i] as number;
    const shift = test >>> 16;
    const limit = test & 0xffff;
    const bit = 1 << i;
    const hi = Math.min(limit - shift, MISSING_BIN - 1);
    if (hi >= 0) {
      lut[base] = (lut[base] as number) ^ bit;
      if (hi + 1 < MISSING_BIN) lut[base + hi + 1] = (lut[base + hi + 1] as number) ^ bit;
    }
    if (((MISSING_BIN + shift) & 255) <= limit) missingBits[s] = (missingBits[s] as number) | bit;
  }
  for (let s = 0; s < nFeatures; s++) {
    const base = s * 256;
    for (let b = 1; b < MISSING_BIN; b++) lut[base + b] = (lut[base + b] as number) ^ (lut[base + b - 1] as number);
    lut[base + MISSING_BIN] = missingBits[s] as number;
  }
  c.clear();
  let count = 0;
  for (let r = 0; r < rows; r++) {
    let decisions = 0;
    for (let s = 0; s < nFeatures; s++) decisions |= lut[s * 256 + (bins[(subFeatures[s] as number) * rows + r] as number)] as number;
    const k = c.classOf2(masks[at + r] as number, decisions);
    if (k === count) rep[count++] = r;
    classOf[r] = k;
  }
  w.collapsed = true;
  if (count * 4 > rows * 3) {
    // too few rows share a class to pay for the copies: walk the rows themselves
    splitNode(w, t, node, depth, at);
    w.collapsed = false;
    return;
  }
  // the features the subtree reads (its splits) and writes (those and the path's)
  const touched = c.touched;
  let nTouched = 0;
  const seen = ++c.seenStamp;
  const mark = (f: number): void => {
    if (c.seen[f] !== seen) {
      c.seen[f] = seen;
      touched[nTouched++] = f;
    }
  };
  for (let j = 0; j < w.pathLength; j++) mark(w.path[j] as number);
  for (let i = 0; i < splits; i++) mark(splitFeature[i] as number);
  const subBins = c.bins;
  const subPhi = c.phi;
  const subMasks = c.masks;
  for (let i = 0; i < nTouched; i++) {
    const f = touched[i] as number;
    const src = f * rows;
    const dst = f * count;
    for (let k = 0; k < count; k++) {
      subBins[dst + k] = bins[src + (rep[k] as number)] as number;
      subPhi[dst + k] = 0;
    }
  }
  for (let k = 0; k < count; k++) subMasks[k] = masks[at + (rep[k] as number)] as number;
  w.rows = count;
  w.bins = subBins;
  w.phi = subPhi;
  w.masks = subMasks;
  splitNode(w, t, node, depth, 0);
  w.rows = rows;
  w.bins = bins;
  w.phi = phi;
  w.masks = masks;
  w.collapsed = false;
  for (let i = 0; i < nTouched; i++) {
    const f = touched[i] as number;
    const base = f * rows;
    const sub = f * count;
    for (let r = 0; r < rows; r++) phi[base + r] = (phi[base + r] as number) + (subPhi[sub + (classOf[r] as number)] as number);
  }
}

/** Splits the masks of `node` (at region offset `at`) into its children's and walks both subtrees. */
function splitNode(w: ShapWalk, t: Tree, node: number, depth: number, at: number): void {
  const f = t.feature[node] as number;
  let pos = w.slotOf[f] as number;
  const fresh = pos < 0;
  if (fresh) {
    pos = w.pathLength++;
    w.slotOf[f] = pos;
    w.path[pos] = f;
  }
  // a row goes left when ((bin + shift) & 255) <= limit
  const test = binSplitTest(t, node);
  const shift = test >>> 16;
  const limit = test & 0xffff;
  const left = t.left[node] as number;
  const right = t.right[node] as number;
  if ((t.feature[left] as number) < 0 && (t.feature[right] as number) < 0) {
    leafPairContributions(w, t, node, at, pos, fresh, shift, limit);
  } else {
    walkChildren(w, t, node, depth, at, pos, fresh, shift, limit);
  }
  if (fresh) {
    w.slotOf[f] = -1;
    w.pathLength--;
  }
}

/** Splits the masks of `node` (at offset `at`; its feature at path position `pos`) into its children's and walks both. */
function walkChildren(w: ShapWalk, t: Tree, node: number, depth: number, at: number, pos: number, fresh: boolean, shift: number, limit: number): void {
  const { rows, masks, bins } = w;
  const f = t.feature[node] as number;
  const atL = (1 + 2 * depth) * rows;
  const atR = atL + rows;
  const col = f * rows;
  if (fresh) {
    // the row follows the new feature on the side its bin goes
    for (let r = 0; r < rows; r++) {
      const goesLeft = 1 ^ ((limit - (((bins[col + r] as number) + shift) & 255)) >>> 31);
      const p = masks[at + r] as number;
      masks[atL + r] = p | (goesLeft << pos);
      masks[atR + r] = p | ((goesLeft ^ 1) << pos);
    }
  } else {
    // the row keeps following the feature only on the side its bin goes
    for (let r = 0; r < rows; r++) {
      const goesLeft = 1 ^ ((limit - (((bins[col + r] as number) + shift) & 255)) >>> 31);
      const p = masks[at + r] as number;
      masks[atL + r] = p & ~((goesLeft ^ 1) << pos);
      masks[atR + r] = p & ~(goesLeft << pos);
    }
  }
  const zero = w.zero;
  const savedZero = zero[f] as number;
  const cover = t.cover[node] as number;
  const left = t.left[node] as number;
  const right = t.right[node] as number;
  zero[f] = savedZero * ((t.cover[left] as number) / cover);
  visitNode(w, t, left, depth + 1, atL);
  zero[f] = savedZero * ((t.cover[right] as number) / cover);
  visitNode(w, t, right, depth + 1, atR);
  zero[f] = savedZero;
}

/**
 * Gives each row the slot of its key (`keys[at + r]`, a non-negative int below 2^bits): slots number the distinct keys
 * in order of first appearance; `w.keys` lists them. Returns how many there are.
 */
function slotRows(w: ShapWalk, keys: Int32Array, at: number, bits: number): number {
  const rows = w.rows;
  const slot = w.slot;
  const distinctKeys = w.keys;
  let distinct = 0;
  if (bits <= DIRECT_BITS + 1) {
    const id = ++w.leafId;
    const stamp = w.stamp;
    const slotAt = w.slotAt;
    for (let r = 0; r < rows; r++) {
      const key = keys[at + r] as number;
      if (stamp[key] !== id) {
        stamp[key] = id;
        slotAt[key] = distinct;
        distinctKeys[distinct++] = key;
      }
      slot[r] = slotAt[key] as number;
    }
  } else {
    const memo = w.memo;
    memo.clear();
    for (let r = 0; r < rows; r++) {
      const key = keys[at + r] as number;
      const s = memo.slotOf(key);
      if (s === distinct) distinctKeys[distinct++] = key;
      slot[r] = s;
    }
  }
  return distinct;
}

/** Fills the quadrature tables of a path of d features with n nodes, from the current zero fractions. */
function fillTables(w: ShapWalk, d: number, n: number, tq: Float64Array): void {
  const { zOff, zOn, invOn, inv1mt, zero, path } = w;
  for (let q = 0; q < n; q++) inv1mt[q] = 1 / (1 - (tq[q] as number));
  for (let j = 0; j < d; j++) {
    const z = zero[path[j] as number] as number;
    for (let q = 0; q < n; q++) {
      const a = z * (1 - (tq[q] as number));
      const on = a + (tq[q] as number);
      zOff[j * n + q] = a;
      zOn[j * n + q] = on;
      invOn[j * n + q] = 1 / on;
    }
  }
}

/** Adds each slot's contributions (`w.out[slot·d + j]` for path position j) to the rows in that slot. */
function addToRows(w: ShapWalk, d: number, distinct: number): void {
  const { rows, phi, out, path, slot } = w;
  if (distinct === 1) {
    for (let j = 0; j < d; j++) {
      const base = (path[j] as number) * rows;
      const c = out[j] as number;
      for (let r = 0; r < rows; r++) phi[base + r] = (phi[base + r] as number) + c;
    }
    return;
  }
  let j = 0;
  // eight, four or two features per pass over the rows: one read of each row's slot serves them all
  for (; j + 7 < d; j += 8) {
    const base0 = (path[j] as number) * rows;
    const base1 = (path[j + 1] as number) * rows;
    const base2 = (path[j + 2] as number) * rows;
    const base3 = (path[j + 3] as number) * rows;
    const base4 = (path[j + 4] as number) * rows;
    const base5 = (path[j + 5] as number) * rows;
    const base6 = (path[j + 6] as number) * rows;
    const base7 = (path[j + 7] as number) * rows;
    for (let r = 0; r < rows; r++) {
      const s = (slot[r] as number) * d + j;
      phi[base0 + r] = (phi[base0 + r] as number) + (out[s] as number);
      phi[base1 + r] = (phi[base1 + r] as number) + (out[s + 1] as number);
      phi[base2 + r] = (phi[base2 + r] as number) + (out[s + 2] as number);
      phi[base3 + r] = (phi[base3 + r] as number) + (out[s + 3] as number);
      phi[base4 + r] = (phi[base4 + r] as number) + (out[s + 4] as number);
      phi[base5 + r] = (phi[base5 + r] as number) + (out[s + 5] as number);
      phi[base6 + r] = (phi[base6 + r] as number) + (out[s + 6] as number);
      phi[base7 + r] = (phi[base7 + r] as number) + (out[s + 7] as number);
    }
  }
  for (; j + 3 < d; j += 4) {
    const base0 = (path[j] as number) * rows;
    const base1 = (path[j + 1] as number) * rows;
    const base2 = (path[j + 2] as number) * rows;
    const base3 = (path[j + 3] as number) * rows;
    for (let r = 0; r < rows; r++) {
      const s = (slot[r] as number) * d + j;
      phi[base0 + r] = (phi[base0 + r] as number) + (out[s] as number);
      phi[base1 + r] = (phi[base1 + r] as number) + (out[s + 1] as number);
      phi[base2 + r] = (phi[base2 + r] as number) + (out[s + 2] as number);
      phi[base3 + r] = (phi[base3 + r] as number) + (out[s + 3] as number);
    }
  }
  for (; j + 1 < d; j += 2) {
    const base0 = (path[j] as number) * rows;
    const base1 = (path[j + 1] as number) * rows;
    for (let r = 0; r < rows; r++) {
      const s = (slot[r] as number) * d + j;
      phi[base0 + r] = (phi[base0 + r] as number) + (out[s] as number);
      phi[base1 + r] = (phi[base1 + r] as number) + (out[s + 1] as number);
    }
  }
  if (j < d) {
    const base = (path[j] as number) * rows;
    for (let r = 0; r < rows; r++) phi[base + r] = (phi[base + r] as number) + (out[(slot[r] as number) * d + j] as number);
  }
}

/**
 * Fills `w.G[k·n + q]` with the quadrature weight times Π_j (z_j·(1−t_q) + o_j·t_q) over the path positions j < d except
 * `skip` (−1: none), o_j being bit j of the k-th distinct key. With many keys the products come from two tables over
 * the low and high halves of the positions (built by doubling, 2^(d/2) entries each), one multiply per key and node.
 */
function keyProducts(w: ShapWalk, d: number, n: number, wq: Float64Array, distinct: number, skip: number): void {
  const { zOff, zOn, G, keys } = w;
  const h = d >> 1;
  const lowSize = 1 << h;
  const highSize = 1 << (d - h);
  if (d > TABLE_BITS || distinct * d <= 2 * (lowSize + highSize)) {
    for (let k = 0; k < distinct; k++) {
      const key = keys[k] as number;
      const kn = k * n;
      for (let q = 0; q < n; q++) G[kn + q] = wq[q] as number;
      for (let j = 0; j < d; j++) {
        if (j === skip) continue;
        const table = (key >>> j) & 1 ? zOn : zOff;
        const jn = j * n;
        for (let q = 0; q < n; q++) G[kn + q] = (G[kn + q] as number) * (table[jn + q] as number);
      }
    }
    return;
  }
  const { lo, hi } = w;
  halfTable(lo, zOff, zOn, n, 0, h, skip, wq);
  halfTable(hi, zOff, zOn, n, h, d, skip, null);
  const lowMask = lowSize - 1;
  const highMask = highSize - 1;
  for (let k = 0; k < distinct; k++) {
    const key = keys[k] as number;
    const a = (key & lowMask) * n;
    const b = ((key >>> h) & highMask) * n;
    const kn = k * n;
    for (let q = 0; q < n; q++) G[kn + q] = (lo[a + q] as number) * (hi[b + q] as number);
  }
}

/** table[m·n + q] = (first ? first[q] : 1) · Π_{from ≤ j < to, j ≠ skip} (bit j−from of m ? on : off)[j·n + q]. */
function halfTable(table: Float64Array, off: Float64Array, on: Float64Array, n: number, from: number, to: number, skip: number, first: Float64Array | null): void {
  for (let q = 0; q < n; q++) table[q] = first ? (first[q] as number) : 1;
  let size = 1;
  for (let j = from; j < to; j++) {
    const jn = j * n;
    const top = size * n;
    if (j === skip) {
      table.copyWithin(top, 0, top);
    } else {
      for (let m = 0; m < top; m += n) {
        for (let q = 0; q < n; q++) {
          const v = table[m + q] as number;
          table[top + m + q] = v * (on[jn + q] as number);
          table[m + q] = v * (off[jn + q] as number);
        }
      }
    }
    size *= 2;
  }
}

/**
 * Each distinct key's contribution to every path position j < d except `skip`, into `w.out[k·d + j]`: for a position
 * the key follows, scale·(1 − z_j)·Σ_q G[k,q] / (z_j·(1−t_q) + t_q); otherwise `w.off[k]`.
 */
function followedContributions(w: ShapWalk, d: number, n: number, distinct: number, scale: number, skip: number): void {
  if (n <= 8) {
    followedContributionsShort(w, d, n, distinct, scale, skip);
    return;
  }
  const { G, keys, out, off, invOn, zero, path } = w;
  for (let j = 0; j < d; j++) {
    if (j === skip) continue;
    const cj = scale * (1 - (zero[path[j] as number] as number));
    const jn = j * n;
    for (let k = 0; k < distinct; k++) {
      if (((keys[k] as number) >>> j) & 1) {
        const kn = k * n;
        let sum = 0;
        for (let q = 0; q < n; q++) sum += (G[kn + q] as number) * (invOn[jn + q] as number);
        out[k * d + j] = cj * sum;
      } else {
        out[k * d + j] = off[k] as number;
      }
    }
  }
}

/**
 * `followedContributions` for at most 8 quadrature nodes (paths of up to 16 features): per key its G values held in
 * locals (zero past n) against each position's 1 / (z_j·(1−t_q) + t_q) padded to 8, so the sum has no loop.
 */
function followedContributionsShort(w: ShapWalk, d: number, n: number, distinct: number, scale: number, skip: number): void {
  const { G, keys, out, off, invOn, zero, path, inv8, c8 } = w;
  inv8.fill(0, 0, d * 8);
  for (let j = 0; j < d; j++) {
    c8[j] = scale * (1 - (zero[path[j] as number] as number));
    for (let q = 0; q < n; q++) inv8[j * 8 + q] = invOn[j * n + q] as number;
  }
  // the positions each key follows (the pair's own position and the right leaf's bit d excluded), visited bit by bit:
  // a test per position would be mispredicted about half the time
  const follow = (d >= 31 ? -1 : (1 << d) - 1) & ~(skip >= 0 ? 1 << skip : 0);
  const short = n <= 4;
  for (let k = 0; k < distinct; k++) {
    const kn = k * n;
    const g0 = G[kn] as number;
    const g1 = n > 1 ? (G[kn + 1] as number) : 0;
    const g2 = n > 2 ? (G[kn + 2] as number) : 0;
    const g3 = n > 3 ? (G[kn + 3] as number) : 0;
    const g4 = n > 4 ? (G[kn + 4] as number) : 0;
    const g5 = n > 5 ? (G[kn + 5] as number) : 0;
    const g6 = n > 6 ? (G[kn + 6] as number) : 0;
    const g7 = n > 7 ? (G[kn + 7] as number) : 0;
    const o = off[k] as number;
    const kd = k * d;
    for (let j = 0; j < d; j++) if (j !== skip) out[kd + j] = o;
    let m = (keys[k] as number) & follow;
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      const j = 31 - Math.clz32(low);
      const a = j * 8;
      const s0 = g0 * (inv8[a] as number) + g1 * (inv8[a + 1] as number) + g2 * (inv8[a + 2] as number) + g3 * (inv8[a + 3] as number);
      const s1 = short ? 0 : g4 * (inv8[a + 4] as number) + g5 * (inv8[a + 5] as number) + g6 * (inv8[a + 6] as number) + g7 * (inv8[a + 7] as number);
      out[kd + j] = (c8[j] as number) * (s0 + s1);
    }
  }
}

/** At a leaf: the contributions of each distinct mask among the rows (at region offset `at`), added to every row. */
function leafContributions(w: ShapWalk, t: Tree, node: number, at: number): void {
  const value = w.scale * (t.value[node] as number);
  const d = w.pathLength;
  // a leaf of value 0 adds nothing to anyone (φ is linear in the leaf values)
  if (value === 0 || d === 0) return;
  const distinct = slotRows(w, w.masks, at, d);
  const n = Math.ceil(d / 2);
  const { t: tq, w: wq } = gaussLegendre(n);
  fillTables(w, d, n, tq);
  keyProducts(w, d, n, wq, distinct, -1);
  // a feature the row does not follow: v·(0 − z_i)·∫G/(z_i(1−t)) = −v·∫G/(1−t), the same for each of them
  const { G, inv1mt, off } = w;
  for (let k = 0; k < distinct; k++) {
    const kn = k * n;
    let sum = 0;
    for (let q = 0; q < n; q++) sum += (G[kn + q] as number) * (inv1mt[q] as number);
    off[k] = -value * sum;
  }
  followedContributions(w, d, n, distinct, value, -1);
  addToRows(w, d, distinct);
}

/**
 * Both children of `node` are leaves: they share the path, so their contributions are computed per distinct pair of
 * masks and added to the rows once. The node's feature is at path position `pos`; its masks are at offset `at`; a row
 * goes left when ((bin + shift) & 255) <= limit.
 */
function leafPairContributions(w: ShapWalk, t: Tree, node: number, at: number, pos: number, fresh: boolean, shift: number, limit: number): void {
  const left = t.left[node] as number;
  const right = t.right[node] as number;
  const vL = w.scale * (t.value[left] as number);
  const vR = w.scale * (t.value[right] as number);
  if (vL === 0 && vR === 0) return;
  const { rows, masks, bins, zero, path } = w;
  const d = w.pathLength;
  const f = path[pos] as number;
  const col = f * rows;
  const bit = 1 << pos;
  // key: the node's mask without bit pos, whether the row follows f at the left leaf (bit pos) and at the right leaf (bit d)
  const rowKey = w.rowKey;
  const freshBit = fresh ? 1 : 0;
  let distinct = 0;
  if (d + 1 <= DIRECT_BITS + 1) {
    // the keys' slots in the same pass (as `slotRows` does)
    const { slot, stamp, slotAt } = w;
    const distinctKeys = w.keys;
    const id = ++w.leafId;
    for (let r = 0; r < rows; r++) {
      const goesLeft = 1 ^ ((limit - (((bins[col + r] as number) + shift) & 255)) >>> 31);
      const p = masks[at + r] as number;
      const follows = freshBit | ((p >>> pos) & 1);
      const key = (p & ~bit) | ((follows & goesLeft) << pos) | ((follows & (goesLeft ^ 1)) << d);
      if (stamp[key] !== id) {
        stamp[key] = id;
        slotAt[key] = distinct;
        distinctKeys[distinct++] = key;
      }
      slot[r] = slotAt[key] as number;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const goesLeft = 1 ^ ((limit - (((bins[col + r] as number) + shift) & 255)) >>> 31);
      const p = masks[at + r] as number;
      const follows = freshBit | ((p >>> pos) & 1);
      rowKey[r] = (p & ~bit) | ((follows & goesLeft) << pos) | ((follows & (goesLeft ^ 1)) << d);
    }
    distinct = slotRows(w, rowKey, 0, d + 1);
  }
  const n = Math.ceil(d / 2);
  const { t: tq, w: wq } = gaussLegendre(n);
  const savedZero = zero[f] as number;
  const cover = t.cover[node] as number;
  const zL = savedZero * ((t.cover[left] as number) / cover);
  const zR = savedZero * ((t.cover[right] as number) / cover);
  // the tables with the left leaf's zero fraction for f; the right leaf's factors for f kept aside
  zero[f] = zL;
  fillTables(w, d, n, tq);
  const { zOff, zOn, inv1mt, G, out, keys, off, rOff, rOn } = w;
  for (let q = 0; q < n; q++) {
    const a = zR * (1 - (tq[q] as number));
    rOff[q] = a;
    rOn[q] = a + (tq[q] as number);
  }
  // G without f's factor; then each leaf's factor for f, and G becomes vL·G_L + vR·G_R, which serves every other feature
  keyProducts(w, d, n, wq, distinct, pos);
  const pn = pos * n;
  // per quadrature node, for each way a key follows f at the two leaves (c = followsL + 2·followsR): the factor G takes,
  // vL·(f's factor at L) + vR·(f's factor at R), and each leaf's factor over (1 − t), which the off contributions sum;
  // a followed leaf's own term is Σ G (its factor over itself is 1)
  const { pairComb, pairOffL, pairOffR } = w;
  for (let q = 0; q < n; q++) {
    const lOff = zOff[pn + q] as number;
    const lOn = zOn[pn + q] as number;
    const rf = rOff[q] as number;
    const rn = rOn[q] as number;
    pairComb[q] = vL * lOff + vR * rf;
    pairComb[16 + q] = vL * lOn + vR * rf;
    pairComb[32 + q] = vL * lOff + vR * rn;
    pairComb[48 + q] = vL * lOn + vR * rn;
    const i1 = inv1mt[q] as number;
    pairOffL[q] = lOff * i1;
    pairOffL[16 + q] = lOn * i1;
    pairOffR[q] = rf * i1;
    pairOffR[16 + q] = rn * i1;
  }
  const onL = vL * (1 - zL);
  const onR = vR * (1 - zR);
  for (let k = 0; k < distinct; k++) {
    const key = keys[k] as number;
    const followsL = (key >>> pos) & 1;
    const followsR = (key >>> d) & 1;
    const kn = k * n;
    const c = (followsL | (followsR << 1)) << 4;
    const aL = followsL << 4;
    const aR = followsR << 4;
    let sumG = 0;
    let offL = 0;
    let offR = 0;
    for (let q = 0; q < n; q++) {
      const g = G[kn + q] as number;
      sumG += g;
      offL += g * (pairOffL[aL + q] as number);
      offR += g * (pairOffR[aR + q] as number);
      G[kn + q] = g * (pairComb[c + q] as number);
    }
    offL *= -vL;
    offR *= -vR;
    off[k] = offL + offR;
    out[k * d + pos] = (followsL ? onL * sumG : offL) + (followsR ? onR * sumG : offR);
  }
  zero[f] = savedZero;
  followedContributions(w, d, n, distinct, 1, pos);
  addToRows(w, d, distinct);
}

/** The buffers of a subtree walked over classes of rows: each row's class, a representative row per class, their bins and contributions. */
class SubtreeClasses {
  readonly classOf: Int32Array;
  readonly rep: Int32Array;
  /** column-major bins of the representatives (the subtree's features only) */
  readonly bins: Uint8Array;
  /** feature-major contributions per class (the touched features only) */
  readonly phi: Float64Array;
  /** the classes' masks regions, as the walk's */
  masks = new Int32Array(0);
  readonly splitFeature = new Int32Array(COLLAPSE_MAX_INNER);
  readonly splitTest = new Int32Array(COLLAPSE_MAX_INNER);
  readonly stack = new Int32Array(2 * COLLAPSE_MAX_INNER + 2);
  readonly touched: Int32Array;
  readonly seen: Int32Array;
  /** per feature of the subtree (in `subFeatures` order), bin → the bits of the splits that send it left */
  readonly lut = new Int32Array(COLLAPSE_MAX_INNER * 256);
  readonly subFeatures = new Int32Array(COLLAPSE_MAX_INNER);
  readonly missingBits = new Int32Array(COLLAPSE_MAX_INNER);
  readonly featureSlot: Int32Array;
  seenStamp = 0;
  /** open addressing from (mask, decisions) to the class */
  private readonly keyMask: Int32Array;
  private readonly keyDecisions: Int32Array;
  private readonly keyClass: Int32Array;
  private readonly stamp: Int32Array;
  private now = 0;
  private used = 0;

  constructor(rows: number, cols: number) {
    this.classOf = new Int32Array(rows);
    this.rep = new Int32Array(rows);
    this.bins = new Uint8Array(rows * cols);
    this.phi = new Float64Array(rows * cols);
    this.touched = new Int32Array(cols);
    this.seen = new Int32Array(cols);
    this.featureSlot = new Int32Array(cols);
    let size = 16;
    while (size < 2 * rows) size *= 2;
    this.keyMask = new Int32Array(size);
    this.keyDecisions = new Int32Array(size);
    this.keyClass = new Int32Array(size);
    this.stamp = new Int32Array(size);
  }

  clear(): void {
    this.now += 1;
    this.used = 0;
  }

  /** The class of a row with this mask and these decisions; a pair not seen since `clear` gets the next class. */
  classOf2(mask: number, decisions: number): number {
    const m = this.keyMask.length - 1;
    let i = (Math.imul(mask, 0x9e3779b1) ^ Math.imul(decisions, 0x85ebca6b)) >>> 7;
    for (;;) {
      i &= m;
      if (this.stamp[i] !== this.now) {
        this.stamp[i] = this.now;
        this.keyMask[i] = mask;
        this.keyDecisions[i] = decisions;
        this.keyClass[i] = this.used;
        this.used += 1;
        return this.used - 1;
      }
      if (this.keyMask[i] === mask && this.keyDecisions[i] === decisions) return this.keyClass[i] as number;
      i += 1;
    }
  }
}

/** An open-addressing table from a leaf's agreement mask to its slot, for paths too long to index masks directly. */
class MaskMemo {
  keys = new Int32Array(0);
  stamp = new Int32Array(0);
  slots = new Int32Array(0);
  private now = 0;
  private used = 0;
  reserve(rows: number): void {
    let size = 16;
    while (size < 2 * rows) size *= 2;
    if (this.keys.length < size) {
      this.keys = new Int32Array(size);
      this.stamp = new Int32Array(size);
      this.slots = new Int32Array(size);
      this.now = 0;
    }
  }
  clear(): void {
    this.now += 1;
    this.used = 0;
  }
  /** The key's slot; a key not seen since `clear` gets the next one (equal to the count of keys before it). */
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
        return this.used - 1;
      }
      if (this.keys[i] === key) return this.slots[i] as number;
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
