/** Two-stage revenue: expected revenue per session = P(order) × E[revenue | order], and the gain, revenue-gain and lift curves. */
import { releaseBuffers } from '../data/releaseBuffers.ts';

/** A cumulative curve over sessions sorted by score, highest first; tied scores form one step. Starts at (0, 0), ends at (1, 1). */
export interface GainCurve {
  /** share of sessions targeted */
  readonly share: Float64Array;
  /** share of the outcome (orders or revenue) captured */
  readonly captured: Float64Array;
  /** the score at which each point's sessions are included (Infinity for the origin) */
  readonly thresholds: Float64Array;
}

/** Lift at each share: captured share ÷ targeted share (1 = no better than random); the origin is left out. */
export interface LiftCurve {
  readonly share: Float64Array;
  readonly lift: Float64Array;
}

/** Captured revenue when every session scoring at or above the threshold is targeted. */
export interface CapturedRevenue {
  readonly threshold: number;
  readonly sessions: number;
  readonly shareOfSessions: number;
  readonly revenue: number;
  readonly shareOfRevenue: number;
}

/** P(order) × E[revenue | order] per session: the two-stage expected revenue. */
export function expectedRevenue(pOrder: ArrayLike<number>, conditionalRevenue: ArrayLike<number>): Float32Array {
  if (pOrder.length !== conditionalRevenue.length) {
    throw new Error(`pOrder has ${pOrder.length} rows but conditionalRevenue has ${conditionalRevenue.length}; pass the same sessions`);
  }
  const out = new Float32Array(pOrder.length);
  for (let i = 0; i < out.length; i++) out[i] = (pOrder[i] as number) * (conditionalRevenue[i] as number);
  return out;
}

function checkInputs(score: ArrayLike<number>, value: ArrayLike<number>, what: string): number {
  if (score.length !== value.length) throw new Error(`score has ${score.length} rows but ${what} has ${value.length}; pass the same sessions`);
  if (score.length === 0) throw new Error('gain curves need at least one session; got 0');
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    const v = value[i] as number;
    if (!(v >= 0)) throw new Error(`${what} at row ${i} is ${v}; expected a non-negative number`);
    if (Number.isNaN(score[i] as number)) throw new Error(`score at row ${i} is NaN; score every session`);
    total += v;
  }
  if (!(total > 0)) throw new Error(`${what} sums to ${total}; the curve needs at least one positive outcome`);
  return total;
}

/**
 * The sessions' indices by descending score (ties in index order): sorted once, it serves every curve of the same
 * score (`order` below), instead of one sort and its scratch per curve (a million test rows: ~11 MiB each).
 */
export function descendingOrder(score: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (score[b] as number) - (score[a] as number));
}

/** Cumulative share of `value` captured as sessions are targeted in descending score (`order`: `descendingOrder(score)`). */
function cumulativeCurve(score: ArrayLike<number>, value: ArrayLike<number>, what: string, given?: Uint32Array): GainCurve {
  const total = checkInputs(score, value, what);
  const n = score.length;
  const order = given ?? descendingOrder(score);
  if (order.length !== n) throw new Error(`order has ${order.length} rows but score has ${n}; sort this score with descendingOrder`);
  const share: number[] = [0];
  const captured: number[] = [0];
  const thresholds: number[] = [Number.POSITIVE_INFINITY];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = order[i] as number;
    sum += value[row] as number;
    const next = order[i + 1];
    // One point per distinct score: a tie's order is arbitrary, so only its end is meaningful.
    if (next === undefined || score[next] !== score[row]) {
      share.push((i + 1) / n);
      captured.push(next === undefined ? 1 : sum / total);
      thresholds.push(score[row] as number);
    }
  }
  // a sort made here is freed at once (4 bytes a session), not left to a collection an idle worker may not run
  if (given === undefined) releaseBuffers(order);
  return { share: Float64Array.from(share), captured: Float64Array.from(captured), thresholds: Float64Array.from(thresholds) };
}

/** Share of sessions targeted vs share of positive outcomes (orders) captured. */
export function gainCurve(score: ArrayLike<number>, outcome: ArrayLike<number>, order?: Uint32Array): GainCurve {
  return cumulativeCurve(score, outcome, 'outcome', order);
}

/** Share of sessions targeted vs share of revenue captured: the chart that values a $110 order over a $30 one. */
export function revenueGainCurve(score: ArrayLike<number>, revenue: ArrayLike<number>, order?: Uint32Array): GainCurve {
  return cumulativeCurve(score, revenue, 'revenue', order);
}

/** Lift of the gain curve (captured share ÷ targeted share). */
export function liftCurve(score: ArrayLike<number>, outcome: ArrayLike<number>, order?: Uint32Array): LiftCurve {
  const g = gainCurve(score, outcome, order);
  const m = g.share.length - 1;
  const share = new Float64Array(m);
  const lift = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    share[i] = g.share[i + 1] as number;
    lift[i] = (g.captured[i + 1] as number) / (g.share[i + 1] as number);
  }
  return { share, lift };
}

/** Revenue captured by targeting sessions whose score is at or above `threshold` (the threshold slider's readout). */
export function capturedRevenueAt(score: ArrayLike<number>, revenue: ArrayLike<number>, threshold: number): CapturedRevenue {
  const total = checkInputs(score, revenue, 'revenue');
  let sessions = 0;
  let captured = 0;
  for (let i = 0; i < score.length; i++) {
    if ((score[i] as number) >= threshold) {
      sessions++;
      captured += revenue[i] as number;
    }
  }
  return { threshold, sessions, shareOfSessions: sessions / score.length, revenue: captured, shareOfRevenue: captured / total };
}

/** Scores sorted once with cumulative revenue, so `capturedFromIndex` answers any threshold in O(log n) (the slider path). */
export interface CapturedRevenueIndex {
  /** scores in descending order */
  readonly sorted: Float64Array;
  /** cumRevenue[k] = revenue of the k highest-scored sessions */
  readonly cumRevenue: Float64Array;
  readonly total: number;
}

/** Sorts the sessions by score once. */
export function capturedRevenueIndex(score: ArrayLike<number>, revenue: ArrayLike<number>, given?: Uint32Array): CapturedRevenueIndex {
  const total = checkInputs(score, revenue, 'revenue');
  const order = given ?? descendingOrder(score);
  if (order.length !== score.length) throw new Error(`order has ${order.length} rows but score has ${score.length}; sort this score with descendingOrder`);
  const sorted = new Float64Array(order.length);
  const cumRevenue = new Float64Array(order.length + 1);
  for (let k = 0; k < order.length; k++) {
    const row = order[k] as number;
    sorted[k] = score[row] as number;
    cumRevenue[k + 1] = (cumRevenue[k] as number) + (revenue[row] as number);
  }
  if (given === undefined) releaseBuffers(order);
  return { sorted, cumRevenue, total };
}

/** Same answer as `capturedRevenueAt`, from the index: sessions with score ≥ threshold. */
export function capturedFromIndex(idx: CapturedRevenueIndex, threshold: number): CapturedRevenue {
  // count of scores ≥ threshold in a descending array: first position whose score < threshold
  let lo = 0;
  let hi = idx.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((idx.sorted[mid] as number) >= threshold) lo = mid + 1;
    else hi = mid;
  }
  const n = idx.sorted.length;
  const captured = idx.cumRevenue[lo] as number;
  return { threshold, sessions: lo, shareOfSessions: lo / n, revenue: captured, shareOfRevenue: captured / idx.total };
}
