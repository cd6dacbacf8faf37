/**
 * The histogram tree grower shared by gradient boosting and the random forest (scikit-learn's grower.py / splitting.pyx
 * in spirit): per-node histograms of (gradient, hessian, count) over the bins, the smaller child built and the larger
 * one derived by subtraction, best-first (leaf-wise) growth under max_leaf_nodes / max_depth / min_samples_leaf, L2
 * on leaf values, and for each split the side missing values go learned from the data.
 *
 * The gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) serves both ensembles: with gradients and hessians of the loss it
 * is boosting's; with g = w·y, h = w and λ = 0 it is half the weighted Gini decrease the forest uses.
 */
import { MISSING_BIN, type BinEdges, type BinnedMatrix, valueBins } from './binning.ts';
import type { Rng } from '../random.ts';
import type { Tree } from './tree.ts';

const STRIDE = 3;

/** Limits of one tree. */
export interface GrowParams {
  /** Infinity for no limit (then nodes are expanded depth-first, which grows the same tree with less memory) */
  readonly maxLeafNodes: number;
  /** Infinity for no limit; the root has depth 0 */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly minSamplesSplit: number;
  readonly l2: number;
  /** smallest hessian sum a child may have */
  readonly minHessian: number;
  /** features drawn per split (all when >= cols); more are examined only while none of those gave a valid split */
  readonly featuresPerSplit: number;
  /** draws the features of each split when featuresPerSplit < cols */
  readonly rng?: Rng;
}

/** What the grower works on: binned samples with per-sample gradient, hessian and count. */
export interface GrowData {
  readonly binned: BinnedMatrix;
  readonly edges: BinEdges;
  readonly g: Float64Array;
  readonly h: Float64Array;
  /** rows each sample stands for (1, a group size, or a bootstrap count) */
  readonly c: Float64Array;
}

/** A grown tree plus, for each leaf, the samples it holds (`order[start[leaf] … end[leaf])`). */
export interface GrownTree {
  readonly tree: Tree;
  readonly order: Uint32Array;
  readonly leaves: readonly { readonly node: number; readonly start: number; readonly end: number }[];
}

interface SplitChoice {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  gl: number;
  hl: number;
  cl: number;
}

interface Pending {
  node: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  C: number;
  hist: Float64Array | null;
  split: SplitChoice | null;
}

/** Grows trees over one `GrowData`, reusing its buffers from tree to tree. */
export class TreeGrower {
  private readonly rows: number;
  private readonly cols: number;
  private readonly nBins: Int32Array;
  private readonly og: Float64Array;
  private readonly oh: Float64Array;
  private readonly oc: Float64Array;
  private readonly scratch: Uint32Array;
  private readonly pool: Float64Array[] = [];
  private readonly featureOrder: Int32Array;
  /** first histogram slot of each feature: its value bins, then one slot for missing values */
  private readonly offset: Int32Array;
  private readonly histSize: number;

  constructor(private readonly data: GrowData) {
    const { rows, cols } = data.binned;
    this.rows = rows;
    this.cols = cols;
    this.nBins = Int32Array.from({ length: cols }, (_, f) => valueBins(data.edges, f));
    this.og = new Float64Array(rows);
    this.oh = new Float64Array(rows);
    this.oc = new Float64Array(rows);
    this.scratch = new Uint32Array(rows);
    this.featureOrder = Int32Array.from({ length: cols }, (_, f) => f);
    this.offset = new Int32Array(cols + 1);
    for (let f = 0; f < cols; f++) this.offset[f + 1] = (this.offset[f] as number) + (this.nBins[f] as number) + 1;
    this.histSize = (this.offset[cols] as number) * STRIDE;
  }

  /** Grows one tree on the samples listed in `rootSamples` (reordered in place into leaf ranges). */
  grow(rootSamples: Uint32Array, p: GrowParams, leafValue: (G: number, H: number) => number): GrownTree {
    const out = new TreeBuilder();
    const order = rootSamples;
    const n = order.length;
    let G = 0;
    let H = 0;
    let C = 0;
    const { g, h, c } = this.data;
    for (let i = 0; i < n; i++) {
      const s = order[i] as number;
      G += g[s] as number;
      H += h[s] as number;
      C += c[s] as number;
    }
    const rootNode = out.add(G, H, C, leafValue(G, H));
    const leaves: { node: number; start: number; end: number }[] = [];
    const root: Pending = { node: rootNode, start: 0, end: n, depth: 0, G, H, C, hist: null, split: null };
    const pending: Pending[] = [];
    if (this.splittable(root, p)) {
      root.hist = this.build(order, 0, n);
      root.split = this.bestSplit(root, p);
    }
    if (root.split) pending.push(root);
    else {
      leaves.push({ node: rootNode, start: 0, end: n });
      this.release(root);
    }
    let nLeaves = 1;
    const leafWise = Number.isFinite(p.maxLeafNodes);
    while (pending.length > 0 && nLeaves < p.maxLeafNodes) {
      const at = leafWise ? argmaxGain(pending) : pending.length - 1;
      const parent = pending[at] as Pending;
      pending.splice(at, 1);
      const split = parent.split as SplitChoice;
      const mid = this.partition(order, parent.start, parent.end, split);
      const left: Pending = { node: -1, start: parent.start, end: mid, depth: parent.depth + 1, G: split.gl, H: split.hl, C: split.cl, hist: null, split: null };
      const right: Pending = { node: -1, start: mid, end: parent.end, depth: parent.depth + 1, G: parent.G - split.gl, H: parent.H - split.hl, C: parent.C - split.cl, hist: null, split: null };
      left.node = out.add(left.G, left.H, left.C, leafValue(left.G, left.H));
      right.node = out.add(right.G, right.H, right.C, leafValue(right.G, right.H));
      const thr = split.bin < this.nBins[split.feature]! - 1 ? (this.data.edges.edges[split.feature] as Float64Array)[split.bin] as number : Number.POSITIVE_INFINITY;
      out.setSplit(parent.node, split.feature, thr, split.bin, split.missingLeft, left.node, right.node, split.gain);
      nLeaves++;
      const leftCan = this.splittable(left, p);
      const rightCan = this.splittable(right, p);
      if (leftCan || rightCan) {
        const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
        const largeCan = large === left ? leftCan : rightCan;
        small.hist = this.build(order, small.start, small.end);
        if (largeCan) {
          const hist = this.take();
          const ph = parent.hist as Float64Array;
          const sh = small.hist;
          for (let k = 0; k < hist.length; k++) hist[k] = (ph[k] as number) - (sh[k] as number);
          large.hist = hist;
        }
      }
      this.release(parent);
      for (const child of [left, right]) {
        if (child.hist && this.splittable(child, p)) child.split = this.bestSplit(child, p);
        if (child.split) pending.push(child);
        else {
          leaves.push({ node: child.node, start: child.start, end: child.end });
          this.release(child);
        }
      }
    }
    for (const rest of pending) {
      leaves.push({ node: rest.node, start: rest.start, end: rest.end });
      this.release(rest);
    }
    return { tree: out.finish(), order, leaves };
  }

  private splittable(node: Pending, p: GrowParams): boolean {
    const count = node.C;
    return node.depth < p.maxDepth && count >= p.minSamplesSplit && count >= 2 * p.minSamplesLeaf && node.end - node.start >= 2;
  }

  private take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histSize);
  }

  private release(node: Pending): void {
    if (node.hist) this.pool.push(node.hist);
    node.hist = null;
  }

  /** Histogram of the samples order[start … end): gradients gathered first so the inner loop reads them in order. */
  private build(order: Uint32Array, start: number, end: number): Float64Array {
    const hist = this.take();
    hist.fill(0);
    const n = end - start;
    const { g, h, c } = this.data;
    const { og, oh, oc } = this;
    for (let i = 0; i < n; i++) {
      const s = order[start + i] as number;
      og[i] = g[s] as number;
      oh[i] = h[s] as number;
      oc[i] = c[s] as number;
    }
    const rows = this.rows;
    const bins = this.data.binned.bins;
    const identity = n === rows && isIdentity(order, start, n);
    for (let f = 0; f < this.cols; f++) {
      if ((this.nBins[f] as number) < 2 && !this.data.edges.hasMissing[f]) continue;
      const col = bins.subarray(f * rows, (f + 1) * rows);
      const base = (this.offset[f] as number) * STRIDE;
      const nb = this.nBins[f] as number;
      if (identity) {
        for (let i = 0; i < n; i++) {
          const b = col[i] as number;
          const k = base + (b === MISSING_BIN ? nb : b) * STRIDE;
          hist[k] = (hist[k] as number) + (og[i] as number);
          hist[k + 1] = (hist[k + 1] as number) + (oh[i] as number);
          hist[k + 2] = (hist[k + 2] as number) + (oc[i] as number);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const b = col[order[start + i] as number] as number;
          const k = base + (b === MISSING_BIN ? nb : b) * STRIDE;
          hist[k] = (hist[k] as number) + (og[i] as number);
          hist[k + 1] = (hist[k + 1] as number) + (oh[i] as number);
          hist[k + 2] = (hist[k + 2] as number) + (oc[i] as number);
        }
      }
    }
    return hist;
  }

  /** Best split of a node over its (drawn) features, or null when no split improves the loss under the limits. */
  private bestSplit(node: Pending, p: GrowParams): SplitChoice | null {
    const hist = node.hist as Float64Array;
    const cols = this.cols;
    const order = this.featureOrder;
    const draw = p.featuresPerSplit < cols && p.rng !== undefined;
    if (draw) {
      const rng = p.rng as Rng;
      for (let i = cols - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
    }
    const lam = p.l2;
    const { G, H, C } = node;
    const parentScore = (G * G) / (H + lam);
    const minGain = parentScore * 1e-10;
    const best: SplitChoice = { feature: -1, bin: 0, missingLeft: false, gain: 0, gl: 0, hl: 0, cl: 0 };
    const limits = { msl: p.minSamplesLeaf, mh: p.minHessian, lam, parentScore, minGain, G, H, C };
    for (let i = 0; i < cols; i++) {
      if (draw && i >= p.featuresPerSplit && best.feature >= 0) break;
      const f = draw ? (order[i] as number) : i;
      const nb = this.nBins[f] as number;
      const base = (this.offset[f] as number) * STRIDE;
      const mk = base + nb * STRIDE;
      const cm = hist[mk + 2] as number;
      // missing values to the right (thresholds after bins 0 … nb−2, and after nb−1 when there are missing values),
      // then, when the node has missing values, to the left (thresholds after bins 0 … nb−2)
      if (cm > 0) {
        scanThresholds(hist, base, nb - 1, 0, 0, 0, false, f, limits, best);
        scanThresholds(hist, base, nb - 2, hist[mk] as number, hist[mk + 1] as number, cm, true, f, limits, best);
      } else {
        scanThresholds(hist, base, nb - 2, 0, 0, 0, null, f, limits, best);
      }
    }
    return best.feature >= 0 ? best : null;
  }

  /** Stable partition of order[start … end) by the split; returns where the right child starts. */
  private partition(order: Uint32Array, start: number, end: number, s: SplitChoice): number {
    const rows = this.rows;
    const col = this.data.binned.bins.subarray(s.feature * rows, (s.feature + 1) * rows);
    const scratch = this.scratch;
    const thr = s.bin;
    const ml = s.missingLeft;
    let l = start;
    let r = 0;
    for (let i = start; i < end; i++) {
      const sample = order[i] as number;
      const b = col[sample] as number;
      if (b === MISSING_BIN ? ml : b <= thr) order[l++] = sample;
      else scratch[r++] = sample;
    }
    order.set(scratch.subarray(0, r), l);
    return l;
  }
}

function isIdentity(order: Uint32Array, start: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (order[start + i] !== i) return false;
  return true;
}

function argmaxGain(pending: readonly Pending[]): number {
  let at = 0;
  for (let i = 1; i < pending.length; i++) if ((pending[i] as Pending).split!.gain > (pending[at] as Pending).split!.gain) at = i;
  return at;
}

/** Appends nodes to growable typed arrays, then trims them into a `Tree`. */
class TreeBuilder {
  private n = 0;
  private cap = 64;
  private feature = new Int32Array(this.cap);
  private threshold = new Float64Array(this.cap);
  private binThreshold = new Uint8Array(this.cap);
  private missingLeft = new Uint8Array(this.cap);
  private left = new Int32Array(this.cap);
  private right = new Int32Array(this.cap);
  private value = new Float64Array(this.cap);
  private cover = new Float64Array(this.cap);
  private gain = new Float64Array(this.cap);

  add(_G: number, _H: number, C: number, value: number): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.feature[i] = -1;
    this.left[i] = -1;
    this.right[i] = -1;
    this.value[i] = value;
    this.cover[i] = C;
    return i;
  }

  setSplit(node: number, feature: number, threshold: number, bin: number, missingLeft: boolean, left: number, right: number, gain: number): void {
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.binThreshold[node] = bin;
    this.missingLeft[node] = missingLeft ? 1 : 0;
    this.left[node] = left;
    this.right[node] = right;
    this.gain[node] = gain;
  }

  finish(): Tree {
    const n = this.n;
    return {
      nodes: n,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      binThreshold: this.binThreshold.slice(0, n),
      missingLeft: this.missingLeft.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n),
      cover: this.cover.slice(0, n),
      gain: this.gain.slice(0, n),
    };
  }

  private grow(): void {
    this.cap *= 2;
    const up = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.cap);
      b.set(a);
      return b;
    };
    this.feature = up(this.feature, (k) => new Int32Array(k));
    this.threshold = up(this.threshold, (k) => new Float64Array(k));
    this.binThreshold = up(this.binThreshold, (k) => new Uint8Array(k));
    this.missingLeft = up(this.missingLeft, (k) => new Uint8Array(k));
    this.left = up(this.left, (k) => new Int32Array(k));
    this.right = up(this.right, (k) => new Int32Array(k));
    this.value = up(this.value, (k) => new Float64Array(k));
    this.cover = up(this.cover, (k) => new Float64Array(k));
    this.gain = up(this.gain, (k) => new Float64Array(k));
  }
}

/** The node's totals and the split limits every threshold of `scanThresholds` is checked against. */
interface ScanLimits {
  readonly msl: number;
  readonly mh: number;
  readonly lam: number;
  readonly parentScore: number;
  readonly minGain: number;
  readonly G: number;
  readonly H: number;
  readonly C: number;
}

/**
 * Scans the thresholds after bins 0 … lastBin of one feature's histogram, the left side starting from (g0, h0, c0)
 * (the missing bin's sums when missing values go left, else zero), and records a better split in `best`.
 * `missingLeft` null: the node has no missing values, and unseen missing values go to the side with more samples.
 */
function scanThresholds(hist: Float64Array, base: number, lastBin: number, g0: number, h0: number, c0: number, missingLeft: boolean | null, f: number, l: ScanLimits, best: SplitChoice): void {
  let gl = g0;
  let hl = h0;
  let cl = c0;
  for (let b = 0; b <= lastBin; b++) {
    const k = base + b * STRIDE;
    gl += hist[k] as number;
    hl += hist[k + 1] as number;
    cl += hist[k + 2] as number;
    const cr = l.C - cl;
    if (cl < l.msl || hl < l.mh) continue;
    if (cr < l.msl) break;
    const hr = l.H - hl;
    if (hr < l.mh) continue;
    const gr = l.G - gl;
    const gain = (gl * gl) / (hl + l.lam) + (gr * gr) / (hr + l.lam) - l.parentScore;
    if (gain > best.gain && gain > l.minGain) {
      best.feature = f;
      best.bin = b;
      best.missingLeft = missingLeft ?? cl >= cr;
      best.gain = gain;
      best.gl = gl;
      best.hl = hl;
      best.cl = cl;
    }
  }
}
