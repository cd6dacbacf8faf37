/** Class weights and resampling for imbalanced 0/1 targets; callers apply them to training rows only, never to validation or test. */
import { createRng, randomInt, shuffleInPlace, type Rng } from './random.ts';

/** A resampled training set: original rows first (kept rows, in order, after undersampling), then any added rows. */
export interface ResampleResult {
  readonly X: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  /** rows appended by oversampling or SMOTE */
  readonly added: number;
  /** majority rows dropped by undersampling */
  readonly removed: number;
}

/** SMOTE-NC settings; `categorical` marks one-hot or binary columns, which are voted rather than interpolated. */
export interface SmoteOptions {
  /** nearest minority neighbours per row; 5 by default, lowered to minority rows − 1 when there are fewer */
  readonly k?: number;
  readonly seed: number;
  readonly categorical: readonly boolean[];
  /** minority / majority after resampling; 1 by default */
  readonly targetRatio?: number;
  /**
   * optional group id per column: categorical columns with the same id ≥ 0 are one one-hot feature, voted as a
   * whole pattern so a synthetic row never gets two levels or none; without it each categorical column votes alone
   */
  readonly categoricalGroups?: ArrayLike<number>;
}

function checkShape(X: Float32Array, rows: number, cols: number, y: ArrayLike<number>): void {
  if (X.length !== rows * cols) throw new Error(`matrix has ${X.length} values, not rows ${rows} × cols ${cols}; pass the matching shape`);
  if (y.length !== rows) throw new Error(`y has ${y.length} rows but the matrix has ${rows}; pass the matching labels`);
}

/** Row ids of each class, checking the target is 0/1. */
function rowsOfClass(y: ArrayLike<number>): { zeros: number[]; ones: number[] } {
  const zeros: number[] = [];
  const ones: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === 1) ones.push(i);
    else if (v === 0) zeros.push(i);
    else throw new Error(`y at row ${i} is ${v}; expected 0 or 1`);
  }
  return { zeros, ones };
}

/** Rows per class, checked like rowsOfClass but without listing them: a search asks for weights on every fit. */
function classCounts(y: ArrayLike<number>): { zeros: number; ones: number } {
  let zeros = 0;
  let ones = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === 1) ones++;
    else if (v === 0) zeros++;
    else throw new Error(`y at row ${i} is ${v}; expected 0 or 1`);
  }
  return { zeros, ones };
}

function checkRatio(targetRatio: number): void {
  if (!(targetRatio > 0 && Number.isFinite(targetRatio))) throw new Error(`targetRatio ${targetRatio} is not a positive number; use e.g. 1 for balanced classes`);
}

/** Loss weights per class: 'balanced' is scikit-learn's n_samples / (2 · count_c). */
export function classWeights(y: ArrayLike<number>, mode: 'none' | 'balanced' | { readonly positiveWeight: number }): { w0: number; w1: number } {
  if (mode === 'none') return { w0: 1, w1: 1 };
  if (mode === 'balanced') {
    const { zeros, ones } = classCounts(y);
    if (zeros === 0 || ones === 0) {
      throw new Error(`balanced weights need both classes but y has no ${zeros === 0 ? '0s' : '1s'}; stratify the split or use 'none'`);
    }
    return { w0: y.length / (2 * zeros), w1: y.length / (2 * ones) };
  }
  const w = mode.positiveWeight;
  if (!(w > 0 && Number.isFinite(w))) throw new Error(`positiveWeight ${w} is not a positive number; use e.g. 5`);
  return { w0: 1, w1: w };
}

/** Minority class, its rows and how many rows reach targetRatio; throws when the minority is absent. */
function plan(y: ArrayLike<number>, targetRatio: number): { label: 0 | 1; minority: number[]; majority: number[]; added: number } {
  checkRatio(targetRatio);
  const { zeros, ones } = rowsOfClass(y);
  const label = ones.length <= zeros.length ? 1 : 0;
  const minority = label === 1 ? ones : zeros;
  const majority = label === 1 ? zeros : ones;
  if (minority.length === 0) throw new Error(`y has no rows of class ${label}; cannot resample a class that is absent`);
  return { label, minority, majority, added: Math.max(0, Math.round(targetRatio * majority.length) - minority.length) };
}

/** Copies X and y and appends `extraRows` rows of the given label, written by `fill(row, out, offset)`. */
function withAppended(
  X: Float32Array,
  rows: number,
  cols: number,
  y: ArrayLike<number>,
  extraRows: number,
  label: number,
  fill: (row: number, out: Float32Array, offset: number) => void,
): ResampleResult {
  const total = rows + extraRows;
  const outX = new Float32Array(total * cols);
  outX.set(X);
  const outY = new Float32Array(total);
  for (let i = 0; i < rows; i++) outY[i] = y[i] as number;
  for (let s = 0; s < extraRows; s++) {
    fill(s, outX, (rows + s) * cols);
    outY[rows + s] = label;
  }
  return { X: outX, y: outY, rows: total, added: extraRows, removed: 0 };
}

/** Draws minority rows in shuffled passes, so every row is reused ⌊n/m⌋ or ⌈n/m⌉ times rather than at random. */
function originOrder(minority: readonly number[], count: number, rng: Rng): Uint32Array {
  const out = new Uint32Array(count);
  const pass = Uint32Array.from(minority);
  for (let s = 0; s < count; s++) {
    if (s % pass.length === 0) shuffleInPlace(pass, rng);
    out[s] = pass[s % pass.length] as number;
  }
  return out;
}

/** Appends copies of minority rows until minority / majority = targetRatio. */
export function randomOversample(X: Float32Array, rows: number, cols: number, y: ArrayLike<number>, seed: number, targetRatio = 1): ResampleResult {
  checkShape(X, rows, cols, y);
  const { label, minority, added } = plan(y, targetRatio);
  const origins = originOrder(minority, added, createRng(seed));
  return withAppended(X, rows, cols, y, added, label, (s, out, offset) => {
    const r = origins[s] as number;
    out.set(X.subarray(r * cols, (r + 1) * cols), offset);
  });
}

/** Drops random majority rows until minority / majority = targetRatio; kept rows stay in their original order. */
export function randomUndersample(X: Float32Array, rows: number, cols: number, y: ArrayLike<number>, seed: number, targetRatio = 1): ResampleResult {
  checkShape(X, rows, cols, y);
  checkRatio(targetRatio);
  const { zeros, ones } = rowsOfClass(y);
  const minority = ones.length <= zeros.length ? ones : zeros;
  const majority = ones.length <= zeros.length ? zeros : ones;
  if (minority.length === 0) throw new Error(`y has only one class; undersampling would leave no majority rows to keep`);
  const keepMajority = Math.min(majority.length, Math.max(1, Math.round(minority.length / targetRatio)));
  const shuffled = Uint32Array.from(majority);
  shuffleInPlace(shuffled, createRng(seed));
  const keep = new Uint8Array(rows);
  for (const r of minority) keep[r] = 1;
  for (let i = 0; i < keepMajority; i++) keep[shuffled[i] as number] = 1;
  const total = minority.length + keepMajority;
  const outX = new Float32Array(total * cols);
  const outY = new Float32Array(total);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    if (keep[r] === 0) continue;
    outX.set(X.subarray(r * cols, (r + 1) * cols), o * cols);
    outY[o++] = y[r] as number;
  }
  return { X: outX, y: outY, rows: total, added: 0, removed: majority.length - keepMajority };
}

/** Population std of each column of a row-major float64 matrix. */
function columnStd(P: Float64Array, m: number, dims: number, col: number): number {
  let mean = 0;
  for (let i = 0; i < m; i++) mean += P[i * dims + col] as number;
  mean /= m;
  let sq = 0;
  for (let i = 0; i < m; i++) {
    const d = (P[i * dims + col] as number) - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / m);
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const LEAF_SIZE = 16;

/** Points a kNN query may examine before settling for the best found; bounds SMOTE on large, high-dimensional minorities. */
export const KNN_VISIT_BUDGET = 2048;

/**
 * k nearest neighbours (squared Euclidean, ties to the lower index) of every point among the others, through a k-d
 * tree (median split on the widest dimension, nearest branch first, plane-distance pruning, early exit per point).
 * Exact while a query examines at most `visitBudget` points, which low-dimensional data rarely exceeds; past that
 * the query keeps the best found so far, an approximation that caps the cost at m · visitBudget distances.
 * Returns an m × k matrix of point indices, nearest first.
 */
export function kNearestNeighbours(P: Float64Array, m: number, dims: number, k: number, visitBudget = KNN_VISIT_BUDGET): Int32Array {
  if (k < 1 || k > m - 1) throw new Error(`k ${k} needs between 2 and ${m} points; lower k`);
  const perm = new Uint32Array(m);
  for (let i = 0; i < m; i++) perm[i] = i;
  // Node arrays; a node is a leaf when splitDim is -1. A binary tree over m points has at most 2m − 1 nodes.
  const cap = 2 * m + 1;
  const nodeLo = new Int32Array(cap);
  const nodeHi = new Int32Array(cap);
  const splitDim = new Int32Array(cap);
  const splitVal = new Float64Array(cap);
  const left = new Int32Array(cap);
  const right = new Int32Array(cap);
  let nodes = 0;
  let depth = 0;
  const build = (lo: number, hi: number, level: number): number => {
    const id = nodes++;
    depth = Math.max(depth, level);
    nodeLo[id] = lo;
    nodeHi[id] = hi;
    splitDim[id] = -1;
    if (hi - lo <= LEAF_SIZE) return id;
    let bestDim = -1;
    let bestSpread = 0;
    for (let d = 0; d < dims; d++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = P[(perm[i] as number) * dims + d] as number;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mx - mn > bestSpread) {
        bestSpread = mx - mn;
        bestDim = d;
      }
    }
    // All points identical: splitting cannot separate them, so this stays one (large) leaf.
    if (bestDim < 0) return id;
    const d = bestDim;
    perm.subarray(lo, hi).sort((a, b) => (P[a * dims + d] as number) - (P[b * dims + d] as number));
    const mid = (lo + hi) >> 1;
    splitDim[id] = d;
    splitVal[id] = P[(perm[mid] as number) * dims + d] as number;
    left[id] = build(lo, mid, level + 1);
    right[id] = build(mid, hi, level + 1);
    return id;
  };
  build(0, m, 0);
  // Points copied in tree order, so a leaf scan reads contiguous memory instead of jumping through perm.
  const T = new Float64Array(m * dims);
  for (let i = 0; i < m; i++) T.set(P.subarray((perm[i] as number) * dims, ((perm[i] as number) + 1) * dims), i * dims);

  const out = new Int32Array(m * k);
  // Max-heap on (distance, index): the root is the worst of the current best k.
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  const stackNode = new Int32Array(depth + 2);
  const stackBound = new Float64Array(depth + 2);
  const order: number[] = [];
  // Queries in tree order too: consecutive queries walk the same branches.
  for (let s = 0; s < m; s++) {
    const q = perm[s] as number;
    const qBase = s * dims;
    let size = 0;
    let worst = Infinity;
    let visited = 0;
    let sp = 0;
    stackNode[sp] = 0;
    stackBound[sp++] = 0;
    while (sp > 0) {
      const node = stackNode[--sp] as number;
      const nodeBound = stackBound[sp] as number;
      if (nodeBound > worst) continue;
      const sd = splitDim[node] as number;
      if (sd >= 0) {
        const diff = (T[qBase + sd] as number) - (splitVal[node] as number);
        // Far child first on the stack so the near child is searched first.
        stackNode[sp] = diff < 0 ? (right[node] as number) : (left[node] as number);
        stackBound[sp++] = Math.max(nodeBound, diff * diff);
        stackNode[sp] = diff < 0 ? (left[node] as number) : (right[node] as number);
        stackBound[sp++] = nodeBound;
        continue;
      }
      const hi = nodeHi[node] as number;
      for (let i = nodeLo[node] as number; i < hi; i++) {
        if (i === s) continue;
        const p = perm[i] as number;
        const pBase = i * dims;
        let dist = 0;
        for (let d = 0; d < dims && dist <= worst; d++) {
          const diff = (T[qBase + d] as number) - (T[pBase + d] as number);
          dist += diff * diff;
        }
        if (dist > worst) continue;
        if (size < k) {
          let c = size++;
          heapD[c] = dist;
          heapI[c] = p;
          while (c > 0) {
            const parent = (c - 1) >> 1;
            const pd = heapD[parent] as number;
            if (pd > dist || (pd === dist && (heapI[parent] as number) > p)) break;
            heapD[c] = pd;
            heapI[c] = heapI[parent] as number;
            heapD[parent] = dist;
            heapI[parent] = p;
            c = parent;
          }
        } else {
          if (dist === worst && p > (heapI[0] as number)) continue;
          let c = 0;
          for (;;) {
            const l = 2 * c + 1;
            const r = l + 1;
            let w = -1;
            let wd = dist;
            let wi = p;
            if (l < k && ((heapD[l] as number) > wd || (heapD[l] === wd && (heapI[l] as number) > wi))) {
              w = l;
              wd = heapD[l] as number;
              wi = heapI[l] as number;
            }
            if (r < k && ((heapD[r] as number) > wd || (heapD[r] === wd && (heapI[r] as number) > wi))) {
              w = r;
              wd = heapD[r] as number;
              wi = heapI[r] as number;
            }
            if (w < 0) break;
            heapD[c] = wd;
            heapI[c] = wi;
            c = w;
          }
          heapD[c] = dist;
          heapI[c] = p;
        }
        if (size === k) worst = heapD[0] as number;
      }
      visited += hi - (nodeLo[node] as number);
      if (visited >= visitBudget && size === k) break;
    }
    order.length = 0;
    for (let j = 0; j < size; j++) order.push(j);
    order.sort((a, b) => (heapD[a] as number) - (heapD[b] as number) || (heapI[a] as number) - (heapI[b] as number));
    for (let j = 0; j < size; j++) out[q * k + j] = heapI[order[j] as number] as number;
  }
  return out;
}

/**
 * SMOTE-NC (Chawla et al. 2002). Distance: Euclidean on continuous columns plus Med² per mismatching categorical
 * feature, Med the median std of the continuous columns over minority rows; done exactly by embedding each binary
 * column as value·Med (a one-hot group as value·Med/√2, so a level change costs Med² once) and running an exact kNN.
 * A synthetic row interpolates continuous columns on the segment from a minority row to one of its k neighbours
 * (gap in [0, 1)) and takes each categorical feature's most common value among those k neighbours (ties: nearest).
 * Approximation: neighbours are exact unless a search examines more than KNN_VISIT_BUDGET points (only large,
 * high-dimensional minorities); then they are the nearest found so far, which keeps 25,000 × 12 to about a second.
 */
export function smoteNC(X: Float32Array, rows: number, cols: number, y: ArrayLike<number>, opts: SmoteOptions): ResampleResult {
  checkShape(X, rows, cols, y);
  const { categorical, seed } = opts;
  if (categorical.length !== cols) throw new Error(`categorical has ${categorical.length} flags for ${cols} columns; pass one flag per column`);
  const groupsIn = opts.categoricalGroups;
  if (groupsIn !== undefined && groupsIn.length !== cols) throw new Error(`categoricalGroups has ${groupsIn.length} entries for ${cols} columns; pass one per column`);
  const { label, minority, added } = plan(y, opts.targetRatio ?? 1);
  if (added === 0) return withAppended(X, rows, cols, y, 0, label, () => undefined);
  const m = minority.length;
  if (m < 2) throw new Error(`smote needs at least 2 minority rows to interpolate; got ${m}; use random oversampling`);
  const kWanted = opts.k ?? 5;
  if (!Number.isInteger(kWanted) || kWanted < 1) throw new Error(`k ${kWanted} is not an integer >= 1; use e.g. 5`);
  const k = Math.min(kWanted, m - 1);

  // Categorical features: each a list of columns; a column in no group is its own feature.
  const features: number[][] = [];
  const byGroup = new Map<number, number[]>();
  for (let c = 0; c < cols; c++) {
    if (categorical[c] !== true) continue;
    const g = groupsIn === undefined ? -1 : (groupsIn[c] as number);
    if (g < 0) {
      features.push([c]);
      continue;
    }
    let f = byGroup.get(g);
    if (f === undefined) {
      f = [];
      byGroup.set(g, f);
      features.push(f);
    }
    f.push(c);
  }

  const P = new Float64Array(m * cols);
  for (let i = 0; i < m; i++) {
    const r = minority[i] as number;
    for (let c = 0; c < cols; c++) P[i * cols + c] = X[r * cols + c] as number;
  }
  const stds: number[] = [];
  for (let c = 0; c < cols; c++) if (categorical[c] !== true) stds.push(columnStd(P, m, cols, c));
  // With no continuous spread the penalty would vanish and categorical mismatches would cost nothing; 1 keeps them apart.
  const med = stds.length > 0 && median(stds) > 0 ? median(stds) : 1;
  for (const f of features) {
    const w = f.length > 1 ? med / Math.SQRT2 : med;
    for (const c of f) for (let i = 0; i < m; i++) P[i * cols + c] = (P[i * cols + c] as number) * w;
  }
  const nbrs = kNearestNeighbours(P, m, cols, k);

  // For each minority row and categorical feature, the neighbour whose value pattern wins the vote.
  const voted = new Int32Array(m * features.length);
  for (let i = 0; i < m; i++) {
    features.forEach((f, fi) => {
      let best = -1;
      let bestCount = 0;
      for (let a = 0; a < k; a++) {
        const ra = minority[nbrs[i * k + a] as number] as number;
        let count = 0;
        for (let b = 0; b < k; b++) {
          const rb = minority[nbrs[i * k + b] as number] as number;
          if (f.every((c) => X[ra * cols + c] === X[rb * cols + c])) count++;
        }
        if (count > bestCount) {
          bestCount = count;
          best = ra;
        }
      }
      voted[i * features.length + fi] = best;
    });
  }

  const rng = createRng(seed);
  const local = new Map<number, number>(minority.map((r, i) => [r, i]));
  const origins = originOrder(minority, added, rng);
  return withAppended(X, rows, cols, y, added, label, (s, out, offset) => {
    const a = origins[s] as number;
    const i = local.get(a) as number;
    const b = minority[nbrs[i * k + randomInt(rng, k)] as number] as number;
    const gap = rng();
    for (let c = 0; c < cols; c++) {
      if (categorical[c] === true) continue;
      const va = X[a * cols + c] as number;
      out[offset + c] = va + gap * ((X[b * cols + c] as number) - va);
    }
    features.forEach((f, fi) => {
      const src = voted[i * features.length + fi] as number;
      for (const c of f) out[offset + c] = X[src * cols + c] as number;
    });
  });
}
