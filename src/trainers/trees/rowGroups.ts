/**
 * Identical-row grouping: rows whose bins (and label) are all equal get the same gradients, the same tree paths and the
 * same SHAP values, so a learner can work on one representative per group with the row count as a weight. Exact;
 * used only when it pays (few distinct rows), otherwise the caller keeps the rows as they are.
 */
import { binWithTable, smallIntBins, type BinEdges, type BinnedMatrix } from './binning.ts';

/** Distinct binned rows with how many rows each stands for. */
export interface RowGroups {
  /** the distinct rows, column-major, `groups` rows */
  readonly binned: BinnedMatrix;
  /** per group, the label shared by its rows (0 when grouped without labels) */
  readonly label: Float64Array;
  /** per group, how many original rows it holds */
  readonly count: Float64Array;
  /** per original row, its group */
  readonly groupOf: Uint32Array;
}

/**
 * Groups the rows of `m` that agree on every bin and on `label` (when given). Returns null once more than
 * `maxShare` of the rows are distinct: then grouping would cost more than it saves.
 */
export function groupIdenticalRows(m: BinnedMatrix, label?: ArrayLike<number>, maxShare = 0.25): RowGroups | null {
  const { rows, cols, bins } = m;
  const limit = Math.max(1, Math.floor(rows * maxShare));
  // a 32-bit hash per row, built column by column so each pass reads one contiguous column
  const hash = new Int32Array(rows).fill(-2128831035);
  for (let f = 0; f < cols; f++) {
    const col = bins.subarray(f * rows, (f + 1) * rows);
    for (let i = 0; i < rows; i++) hash[i] = Math.imul((hash[i] as number) ^ (col[i] as number), 16777619);
  }
  const labelBits = new Float64Array(1);
  const labelWords = new Int32Array(labelBits.buffer);
  if (label) {
    for (let i = 0; i < rows; i++) {
      labelBits[0] = label[i] as number;
      hash[i] = Math.imul(Math.imul((hash[i] as number) ^ (labelWords[0] as number), 16777619) ^ (labelWords[1] as number), 16777619);
    }
  }
  let size = 1024;
  while (size < limit * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const first: number[] = [];
  const groupOf = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    let h = ((hash[i] as number) ^ ((hash[i] as number) >>> 15)) & mask;
    for (;;) {
      const g = table[h] as number;
      if (g < 0) {
        if (first.length >= limit) return null;
        table[h] = first.length;
        groupOf[i] = first.length;
        first.push(i);
        break;
      }
      const r = first[g] as number;
      if (hash[r] === hash[i] && sameRow(bins, rows, cols, r, i) && (!label || Object.is(label[r], label[i]))) {
        groupOf[i] = g;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  const groups = first.length;
  const out = new Uint8Array(groups * cols);
  for (let f = 0; f < cols; f++) {
    const col = bins.subarray(f * rows, (f + 1) * rows);
    const dst = out.subarray(f * groups, (f + 1) * groups);
    for (let g = 0; g < groups; g++) dst[g] = col[first[g] as number] as number;
  }
  const count = new Float64Array(groups);
  for (let i = 0; i < rows; i++) {
    const g = groupOf[i] as number;
    count[g] = (count[g] as number) + 1;
  }
  const groupLabel = new Float64Array(groups);
  if (label) for (let g = 0; g < groups; g++) groupLabel[g] = label[first[g] as number] as number;
  return { binned: { rows: groups, cols, bins: out }, label: groupLabel, count, groupOf };
}

function sameRow(bins: Uint8Array, rows: number, cols: number, a: number, b: number): boolean {
  for (let f = 0; f < cols; f++) if (bins[f * rows + a] !== bins[f * rows + b]) return false;
  return true;
}

/** The distinct binned rows of a matrix, row-major (each row's bins side by side), and which of them each row is. */
export interface DistinctBinnedRows {
  readonly rows: number;
  readonly cols: number;
  /** row-major: bins[g·cols + f] */
  readonly bins: Uint8Array;
  /** per row of the input, its distinct row */
  readonly groupOf: Uint32Array;
}

/**
 * Bins the rows `rowIdx` (all rows when omitted) of a row-major matrix and keeps each distinct binned row once, in one
 * pass over the matrix: what prediction walks the trees with (identical rows take identical paths).
 */
export function distinctBinnedRows(X: Float32Array, cols: number, edges: BinEdges, rowIdx?: Uint32Array): DistinctBinnedRows {
  if (edges.cols !== cols) throw new Error(`the bin edges are for ${edges.cols} features but the matrix has ${cols}; bin with the model's own features`);
  const n = rowIdx ? rowIdx.length : Math.floor(X.length / Math.max(1, cols));
  const lut = smallIntBins(edges);
  const groupOf = new Uint32Array(n);
  let capacity = 256;
  let bins = new Uint8Array(capacity * cols);
  let hashes = new Int32Array(capacity);
  let size = 1024;
  let table = new Int32Array(size).fill(-1);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    if (distinct === capacity) {
      // room for one more candidate row: double the store
      capacity *= 2;
      const grown = new Uint8Array(capacity * cols);
      grown.set(bins);
      bins = grown;
      const grownHashes = new Int32Array(capacity);
      grownHashes.set(hashes);
      hashes = grownHashes;
    }
    // bin the row straight into the next free slot; it stays there only if it is new
    const base = (rowIdx ? (rowIdx[i] as number) : i) * cols;
    const at = distinct * cols;
    let h = -2128831035;
    for (let f = 0; f < cols; f++) {
      const b = binWithTable(lut, edges, f, X[base + f] as number);
      bins[at + f] = b;
      h = Math.imul(h ^ b, 16777619);
    }
    const mask = size - 1;
    let slot = (h ^ (h >>> 15)) & mask;
    let g = -1;
    for (;;) {
      const k = table[slot] as number;
      if (k < 0) break;
      if (hashes[k] === h && sameBins(bins, cols, k * cols, at)) {
        g = k;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (g < 0) {
      g = distinct++;
      table[slot] = g;
      hashes[g] = h;
      if (distinct * 2 > size) {
        // keep the table at most half full
        size *= 2;
        table = new Int32Array(size).fill(-1);
        for (let k = 0; k < distinct; k++) {
          const hk = hashes[k] as number;
          let s2 = (hk ^ (hk >>> 15)) & (size - 1);
          while ((table[s2] as number) >= 0) s2 = (s2 + 1) & (size - 1);
          table[s2] = k;
        }
      }
    }
    groupOf[i] = g;
  }
  return { rows: distinct, cols, bins: bins.subarray(0, distinct * cols), groupOf };
}

function sameBins(bins: Uint8Array, cols: number, a: number, b: number): boolean {
  for (let f = 0; f < cols; f++) if (bins[a + f] !== bins[b + f]) return false;
  return true;
}
