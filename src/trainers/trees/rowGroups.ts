/**
 * Identical-row grouping: rows whose bins (and label) are all equal get the same gradients, the same tree paths and the
 * same SHAP values, so a learner can work on one representative per group with the row count as a weight. Exact;
 * used only when it pays (few distinct rows), otherwise the caller keeps the rows as they are.
 */
import type { BinnedMatrix } from './binning.ts';

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
