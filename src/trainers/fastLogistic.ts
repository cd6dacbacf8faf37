/** Class-weighted L2 logistic regression in plain TypeScript over row-major Float32Arrays: fast enough to fit hundreds of times in a search. */
import { choleskySolve } from './cholesky.ts';
import { minimizeLbfgs } from './lbfgs.ts';
import { releaseBuffers } from '../data/releaseBuffers.ts';

/** The two optimisers of the benchmark grid: quasi-Newton (scikit-learn's default) and exact Newton with a Cholesky solve. */
export type LogisticSolver = 'lbfgs' | 'newton';

/** Inputs of `fitFastLogistic`; X is row-major `rows × cols`, y holds 0/1. */
export interface FastLogisticOptions {
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: ArrayLike<number>;
  /** scikit-learn's C: objective C·Σ wᵢ·lossᵢ + ½‖coef‖², intercept unpenalised */
  readonly C: number;
  readonly solver?: LogisticSolver;
  /** per-class row weights, e.g. from `classWeights(y, 'balanced')`; 1 and 1 when absent */
  readonly classWeight?: { readonly w0: number; readonly w1: number };
  /** max |gradient| of the objective divided by C·Σwᵢ (scikit-learn's scaling), default 1e-4 */
  readonly gtol?: number;
  readonly maxIter?: number;
  /** merge identical rows into weighted ones (exact; default true) */
  readonly groupRows?: boolean;
  /** rows merged already (`groupIdenticalRows`): row i stands for count[i] identical rows, and no grouping is done here */
  readonly count?: Float64Array;
  /** Newton only: called after each accepted step (the training cell draws its history from it; may throw to stop) */
  readonly onIteration?: (step: NewtonStep) => void;
}

/** One accepted Newton step: the coefficients so far and the class-weighted mean log-loss (penalty left out). */
export interface NewtonStep {
  readonly iteration: number;
  readonly weights: Float64Array;
  readonly intercept: number;
  readonly meanLoss: number;
}

/** A fitted model: coefficients per column, the intercept, and how the solver got there. */
export interface FastLogisticModel {
  readonly weights: Float64Array;
  readonly intercept: number;
  readonly solver: LogisticSolver;
  readonly iterations: number;
  /** passes over the data (value, gradient and, for Newton, Hessian evaluations) */
  readonly passes: number;
  readonly converged: boolean;
  /** C·Σ wᵢ·lossᵢ + ½‖coef‖² at the solution */
  readonly objective: number;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Validated problem in the scaled form scikit-learn optimises: Σ rowWeight·loss / Σ rowWeight + ‖coef‖² / (2·C·Σ rowWeight). */
interface Problem {
  /** distinct (row, label) pairs when rows repeat a lot, else the input rows */
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly label: Uint8Array;
  /** class weight × multiplicity of the row */
  readonly rowWeight: Float64Array;
  readonly weightSum: number;
  readonly l2: number;
}

/**
 * Merges identical (features, label) rows into one row weighted by its count. The loss is a sum over rows, so the
 * objective and its optimum are unchanged; one-hot and small-integer features (a few thousand distinct rows in 400k
 * sessions) then cost a pass over the distinct rows instead of all of them. Null when fewer than 4 rows per group.
 */
export function groupIdenticalRows(X: Float32Array, rows: number, cols: number, label: Uint8Array, rowsAt?: Uint32Array): { X: Float32Array; label: Uint8Array; count: Float64Array; firstRow: Int32Array; rows: number } | null {
  const maxGroups = Math.floor(rows / 4);
  if (maxGroups < 1) return null;
  const bits = new Uint32Array(X.buffer, X.byteOffset, X.length);
  let size = 1024;
  while (size < 2 * maxGroups) size *= 2;
  const table = new Int32Array(size).fill(-1);
  const firstRow = new Int32Array(maxGroups);
  const count = new Float64Array(maxGroups);
  let groups = 0;
  // row r is X's row rowsAt[r] when given (the fit rows of a matrix, merged without copying them out first)
  const at = (r: number): number => (rowsAt === undefined ? r : (rowsAt[r] as number)) * cols;
  for (let r = 0; r < rows; r++) {
    const base = at(r);
    let h = 0x811c9dc5 ^ (label[r] as number);
    for (let j = 0; j < cols; j++) h = Math.imul(h ^ (bits[base + j] as number), 0x01000193);
    h ^= h >>> 15;
    let slot = h & (size - 1);
    for (;;) {
      const g = table[slot] as number;
      if (g === -1) {
        if (groups === maxGroups) return null;
        table[slot] = groups;
        firstRow[groups] = r;
        count[groups] = 1;
        groups++;
        break;
      }
      const other = at(firstRow[g] as number);
      let same = label[firstRow[g] as number] === label[r];
      for (let j = 0; same && j < cols; j++) same = bits[other + j] === bits[base + j];
      if (same) {
        count[g] = (count[g] as number) + 1;
        break;
      }
      slot = (slot + 1) & (size - 1);
    }
  }
  const merged = { ...gatherGroups(X, cols, label, firstRow, groups, at), count: count.slice(0, groups), firstRow: firstRow.slice(0, groups), rows: groups };
  // the hash table and the group arrays sized for a quarter of the rows (18 MiB for 3.2M fit rows) go now, not at a
  // collection an idle training worker may not run for minutes
  releaseBuffers(table, firstRow, count);
  return merged;
}

/** Each group's first row and label, in group order. */
function gatherGroups(X: Float32Array, cols: number, label: Uint8Array, firstRow: Int32Array, groups: number, at: (r: number) => number): { X: Float32Array; label: Uint8Array } {
  const gx = new Float32Array(groups * cols);
  const gl = new Uint8Array(groups);
  for (let g = 0; g < groups; g++) {
    const r = firstRow[g] as number;
    gx.set(X.subarray(at(r), at(r) + cols), g * cols);
    gl[g] = label[r] as number;
  }
  return { X: gx, label: gl };
}

/** y as 0/1 bytes, checked. Hot loops live in small functions: each is optimised once instead of its caller per loop. */
export function labelsOf(y: ArrayLike<number>, rows: number): Uint8Array {
  const label = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = y[i];
    if (v === 1) label[i] = 1;
    else if (v !== 0) throw new Error(`y at row ${i} is ${v}; expected 0 or 1`);
  }
  return label;
}

function makeProblem(o: FastLogisticOptions): Problem {
  const { X, rows, cols, y } = o;
  if (X.length !== rows * cols) throw new Error(`matrix has ${X.length} values, not rows ${rows} × cols ${cols}; pass the matching shape`);
  if (y.length !== rows) throw new Error(`y has ${y.length} rows but X has ${rows}; pass the same rows`);
  if (!(o.C > 0) || !Number.isFinite(o.C)) throw new Error(`C is ${o.C}; expected a positive number such as 1`);
  if (rows === 0) throw new Error('logistic regression needs at least one row; got 0');
  const w0 = o.classWeight?.w0 ?? 1;
  const w1 = o.classWeight?.w1 ?? 1;
  if (!(w0 >= 0 && w1 >= 0 && w0 + w1 > 0)) throw new Error(`class weights ${w0} and ${w1} must be non-negative and not both 0`);
  const label = labelsOf(y, rows);
  if (o.count !== undefined && o.count.length !== rows) throw new Error(`count has ${o.count.length} entries but X has ${rows} rows; pass one count per row`);
  const grouped = o.count === undefined && (o.groupRows ?? true) ? groupIdenticalRows(X, rows, cols, label) : null;
  const use = grouped ?? { X, label, count: o.count ?? null, rows };
  const rowWeight = new Float64Array(use.rows);
  let weightSum = 0;
  for (let i = 0; i < use.rows; i++) {
    const w = (use.label[i] === 1 ? w1 : w0) * (use.count === null ? 1 : (use.count[i] as number));
    rowWeight[i] = w;
    weightSum += w;
  }
  return { X: use.X, rows: use.rows, cols, label: use.label, rowWeight, weightSum, l2: 1 / (o.C * weightSum) };
}

/** Scaled objective and gradient at beta = [coef…, intercept]; one pass over the rows, one exp and one log1p per row. */
function valueAndGradient(pr: Problem, beta: Float64Array, grad: Float64Array): number {
  const { X, rows, cols, label, rowWeight } = pr;
  const b = beta[cols] as number;
  grad.fill(0);
  let loss = 0;
  let gb = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let z = b;
    for (let j = 0; j < cols; j++) z += (X[base + j] as number) * (beta[j] as number);
    const positive = label[r] === 1;
    const wi = rowWeight[r] as number;
    const e = Math.exp(-Math.abs(z));
    // softplus(z) − y·z and sigmoid(z) − y from the same e^−|z|
    loss += wi * ((z > 0 ? z : 0) + Math.log1p(e) - (positive ? z : 0));
    const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    const res = wi * (p - (positive ? 1 : 0));
    if (res === 0) continue;
    for (let j = 0; j < cols; j++) grad[j] = (grad[j] as number) + res * (X[base + j] as number);
    gb += res;
  }
  const inv = 1 / pr.weightSum;
  let penalty = 0;
  for (let j = 0; j < cols; j++) {
    const bj = beta[j] as number;
    penalty += bj * bj;
    grad[j] = (grad[j] as number) * inv + pr.l2 * bj;
  }
  grad[cols] = gb * inv;
  return loss * inv + 0.5 * pr.l2 * penalty;
}

/** Scaled Hessian (upper triangle mirrored) at beta; one more pass than the gradient. */
function hessian(pr: Problem, beta: Float64Array): Float64Array {
  const { X, rows, cols, rowWeight } = pr;
  const q = cols + 1;
  const H = new Float64Array(q * q);
  const xr = new Float64Array(q);
  xr[cols] = 1;
  const b = beta[cols] as number;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let z = b;
    for (let j = 0; j < cols; j++) {
      const v = X[base + j] as number;
      xr[j] = v;
      z += v * (beta[j] as number);
    }
    const p = sigmoid(z);
    const d = (rowWeight[r] as number) * p * (1 - p);
    for (let j = 0; j < q; j++) {
      const dj = d * (xr[j] as number);
      const row = j * q;
      for (let k = j; k < q; k++) H[row + k] = (H[row + k] as number) + dj * (xr[k] as number);
    }
  }
  const inv = 1 / pr.weightSum;
  for (let j = 0; j < q; j++) {
    for (let k = j; k < q; k++) {
      const v = (H[j * q + k] as number) * inv + (j === k && j < cols ? pr.l2 : 0);
      H[j * q + k] = v;
      H[k * q + j] = v;
    }
  }
  return H;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i] as number));
  return m;
}

/** Damped Newton: the Hessian is only (cols+1)², so an exact solve per step is cheap and needs a handful of steps. */
function minimizeNewton(pr: Problem, gtol: number, maxIter: number, onIteration?: (step: NewtonStep) => void): { beta: Float64Array; f: number; iterations: number; passes: number; converged: boolean } {
  const q = pr.cols + 1;
  let beta = new Float64Array(q);
  let grad = new Float64Array(q);
  let f = valueAndGradient(pr, beta, grad);
  let passes = 1;
  let iterations = 0;
  let converged = maxAbs(grad) <= gtol;
  while (!converged && iterations < maxIter) {
    iterations++;
    const step = choleskySolve(hessian(pr, beta), grad, q);
    passes++;
    let decrement = 0;
    for (let i = 0; i < q; i++) decrement += (grad[i] as number) * (step[i] as number);
    let t = 1;
    let accepted = false;
    const trialGrad = new Float64Array(q);
    for (let tries = 0; tries < 40; tries++) {
      const trial = new Float64Array(q);
      for (let i = 0; i < q; i++) trial[i] = (beta[i] as number) - t * (step[i] as number);
      const ft = valueAndGradient(pr, trial, trialGrad);
      passes++;
      // Armijo with a rounding allowance: near the optimum float64 sums cannot show a decrease smaller than ~1e-15·|f|.
      if (ft <= f - 1e-4 * t * decrement + 1e-15 * Math.abs(f)) {
        beta = trial;
        grad = Float64Array.from(trialGrad);
        f = ft;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
    if (onIteration !== undefined) {
      let squares = 0;
      for (let j = 0; j < pr.cols; j++) squares += (beta[j] as number) ** 2;
      onIteration({ iteration: iterations, weights: beta.slice(0, pr.cols), intercept: beta[pr.cols] as number, meanLoss: f - 0.5 * pr.l2 * squares });
    }
    converged = maxAbs(grad) <= gtol || decrement / 2 < 1e-15 * Math.max(1, Math.abs(f));
  }
  return { beta, f, iterations, passes, converged };
}

/** Fits coefficients and intercept by L-BFGS or Newton; stops like scikit-learn when max |∇| of the scaled objective ≤ gtol. */
export function fitFastLogistic(o: FastLogisticOptions): FastLogisticModel {
  const pr = makeProblem(o);
  const solver = o.solver ?? 'lbfgs';
  const gtol = o.gtol ?? 1e-4;
  const maxIter = o.maxIter ?? 100;
  const q = o.cols + 1;
  let beta: Float64Array;
  let f: number;
  let iterations: number;
  let passes: number;
  let converged: boolean;
  if (solver === 'lbfgs') {
    const r = minimizeLbfgs((x, g) => valueAndGradient(pr, x, g), new Float64Array(q), { gtol, maxIter });
    ({ x: beta, f, iterations, evaluations: passes, converged } = r);
  } else if (solver === 'newton') {
    ({ beta, f, iterations, passes, converged } = minimizeNewton(pr, gtol, maxIter, o.onIteration));
  } else {
    const never: never = solver;
    throw new Error(`solver "${String(never)}" is unknown; use "lbfgs" or "newton"`);
  }
  return {
    weights: beta.slice(0, o.cols),
    intercept: beta[o.cols] as number,
    solver,
    iterations,
    passes,
    converged,
    objective: f * o.C * pr.weightSum,
  };
}

/** P(y = 1) for each row of a row-major `rows × cols` matrix. */
export function predictProba(model: Pick<FastLogisticModel, 'weights' | 'intercept'>, X: Float32Array, rows: number, cols: number): Float32Array {
  if (model.weights.length !== cols) throw new Error(`model has ${model.weights.length} weights but X has ${cols} columns; pass the training columns`);
  if (X.length !== rows * cols) throw new Error(`matrix has ${X.length} values, not rows ${rows} × cols ${cols}; pass the matching shape`);
  const out = new Float32Array(rows);
  const w = model.weights;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let z = model.intercept;
    for (let j = 0; j < cols; j++) z += (X[base + j] as number) * (w[j] as number);
    out[r] = sigmoid(z);
  }
  return out;
}
