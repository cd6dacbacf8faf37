/** Class-weighted L2 logistic regression by full-batch Newton (IRLS): tfjs does the n-sized products, JS float64 the (p+1)² solve. */
import type * as tfjs from '@tensorflow/tfjs';
import type { DenseLayer } from './bundle.ts';
import { rocAuc } from './metrics.ts';
import { TrainingCancelled, hasPlateaued } from './mlp.ts';
import type { Clock, EpochLog, OnEpoch, Tf } from './types.ts';

/** Inputs of `fitLogistic`; matrices are standardised, row-major. */
export interface LogisticOptions {
  readonly tf: Tf;
  readonly X: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly y: Float32Array;
  /** per-row weight (class weights) */
  readonly weight: Float32Array;
  /** scikit-learn's C: objective C·Σ wᵢ·lossᵢ + ½‖coef‖², intercept unpenalised */
  readonly C: number;
  readonly maxIter: number;
  readonly validX: Float32Array;
  readonly validRows: number;
  readonly validY: Float32Array;
  readonly validWeight: Float32Array;
  readonly onEpoch?: OnEpoch;
  readonly signal?: AbortSignal;
  readonly now?: Clock;
}

/** Fitted coefficients (on standardised inputs) and the per-iteration history. */
export interface LogisticFit {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly history: EpochLog[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly msPerEpoch: number;
}

/** Newton with Armijo backtracking; converged when the Newton decrement vanishes or the validation loss plateaus (1e-4 over 3 iterations). */
export async function fitLogistic(o: LogisticOptions): Promise<LogisticFit> {
  const { tf } = o;
  const now = o.now ?? (() => performance.now());
  const p = o.cols;
  const q = p + 1;
  if (!(o.C > 0)) throw new Error(`C is ${o.C}; expected a positive number such as 1`);
  const augmented = new Float32Array(o.rows * q);
  for (let r = 0; r < o.rows; r++) {
    augmented.set(o.X.subarray(r * p, (r + 1) * p), r * q);
    augmented[r * q + p] = 1;
  }
  const xa = tf.tensor2d(augmented, [o.rows, q]);
  const yt = tf.tensor2d(o.y, [o.rows, 1]);
  const wt = tf.tensor2d(o.weight, [o.rows, 1]);
  let weightSum = 0;
  for (let i = 0; i < o.rows; i++) weightSum += o.weight[i] ?? 0;

  /** objective, gradient and Hessian at beta, each sum over rows done by tfjs on the chosen backend */
  const evaluate = async (beta: Float64Array): Promise<{ obj: number; meanLoss: number; grad: Float64Array; hess: Float64Array }> => {
    const [lossT, gradT, hessT] = tf.tidy(() => {
      const b = tf.tensor2d(Float32Array.from(beta), [q, 1]);
      const z = tf.matMul(xa, b);
      const prob = tf.sigmoid(z);
      const perRow = tf.add(tf.sub(tf.relu(z), tf.mul(z, yt)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      const loss = tf.sum(tf.mul(perRow, wt));
      const g = tf.matMul(xa, tf.mul(wt, tf.sub(prob, yt)), true, false);
      const d = tf.mul(wt, tf.mul(prob, tf.sub(1, prob)));
      const h = tf.matMul(tf.mul(xa, d), xa, true, false);
      return [loss, g, h] as tfjs.Tensor[];
    }) as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor];
    const [lossV, gradV, hessV] = await Promise.all([lossT.data(), gradT.data(), hessT.data()]);
    lossT.dispose();
    gradT.dispose();
    hessT.dispose();
    const sumLoss = lossV[0] ?? Number.NaN;
    const grad = new Float64Array(q);
    const hess = new Float64Array(q * q);
    let penalty = 0;
    for (let i = 0; i < q; i++) {
      const bi = beta[i] ?? 0;
      grad[i] = o.C * (gradV[i] ?? 0) + (i < p ? bi : 0);
      if (i < p) penalty += 0.5 * bi * bi;
      for (let j = 0; j < q; j++) hess[i * q + j] = o.C * (hessV[i * q + j] ?? 0) + (i === j && i < p ? 1 : 0);
    }
    return { obj: o.C * sumLoss + penalty, meanLoss: sumLoss / weightSum, grad, hess };
  };

  const history: EpochLog[] = [];
  let beta = new Float64Array(q);
  let converged = false;
  const started = now();
  try {
    let current = await evaluate(beta);
    for (let iter = 1; iter <= o.maxIter; iter++) {
      if (o.signal?.aborted === true) throw new TrainingCancelled();
      const t0 = now();
      const step = solveSymmetric(current.hess, current.grad, q);
      let decrement = 0;
      for (let i = 0; i < q; i++) decrement += (current.grad[i] ?? 0) * (step[i] ?? 0);
      let t = 1;
      let candidate = beta;
      let next = current;
      for (let tries = 0; tries < 30; tries++) {
        candidate = beta.map((b, i) => b - t * (step[i] ?? 0));
        next = await evaluate(candidate);
        // float32 sums carry ~1e-7 relative noise: accept steps that do not raise the objective beyond it
        if (next.obj <= current.obj - 1e-4 * t * decrement + 1e-7 * Math.abs(current.obj)) break;
        t /= 2;
      }
      beta = candidate;
      current = next;
      const valid = validationLoss(o, beta);
      const log: EpochLog = { epoch: iter, loss: current.meanLoss, valLoss: valid.loss, valAuc: rocAuc(o.validY, valid.proba), ms: now() - t0 };
      history.push(log);
      o.onEpoch?.(log);
      if (decrement / 2 < 1e-10 * Math.max(1, Math.abs(current.obj)) || hasPlateaued(history.map((h) => h.valLoss))) {
        converged = true;
        break;
      }
    }
  } finally {
    xa.dispose();
    yt.dispose();
    wt.dispose();
  }
  const total = now() - started;
  return {
    coef: beta.slice(0, p),
    intercept: beta[p] ?? 0,
    history,
    iterations: history.length,
    converged,
    msPerEpoch: history.length > 0 ? total / history.length : 0,
  };
}

/** The fitted model as one sigmoid dense layer, so it ships in the same bundle format as the MLP. */
export function logisticLayer(fit: Pick<LogisticFit, 'coef' | 'intercept'>): DenseLayer {
  return { inputs: fit.coef.length, units: 1, kernel: Float32Array.from(fit.coef), bias: Float32Array.of(fit.intercept), activation: 'sigmoid' };
}

/** Solves H·x = g for symmetric positive definite H by Cholesky, adding jitter when rounding makes it indefinite. */
export function solveSymmetric(H: Float64Array, g: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += H[i * n + i] ?? 0;
  for (let attempt = 0, jitter = 0; attempt < 12; attempt++, jitter = jitter === 0 ? 1e-12 * Math.max(trace, 1) : jitter * 10) {
    const L = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = (H[i * n + j] ?? 0) + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= (L[i * n + k] ?? 0) * (L[j * n + k] ?? 0);
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          L[i * n + i] = Math.sqrt(s);
        } else {
          L[i * n + j] = s / (L[j * n + j] ?? 1);
        }
      }
    }
    if (!ok) continue;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = g[i] ?? 0;
      for (let k = 0; k < i; k++) s -= (L[i * n + k] ?? 0) * (z[k] ?? 0);
      z[i] = s / (L[i * n + i] ?? 1);
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i] ?? 0;
      for (let k = i + 1; k < n; k++) s -= (L[k * n + i] ?? 0) * (x[k] ?? 0);
      x[i] = s / (L[i * n + i] ?? 1);
    }
    return x;
  }
  throw new Error(`matrix of size ${n} is not positive definite; check for NaN features`);
}

/** Weighted mean BCE and probabilities on the validation rows, in float64 JS (the slice is small). */
function validationLoss(o: LogisticOptions, beta: Float64Array): { loss: number; proba: Float32Array } {
  const p = o.cols;
  const proba = new Float32Array(o.validRows);
  let num = 0;
  let den = 0;
  for (let r = 0; r < o.validRows; r++) {
    let z = beta[p] ?? 0;
    for (let c = 0; c < p; c++) z += (beta[c] ?? 0) * (o.validX[r * p + c] ?? 0);
    const y = o.validY[r] ?? 0;
    const w = o.validWeight[r] ?? 1;
    num += w * (Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))));
    den += w;
    proba[r] = 1 / (1 + Math.exp(-z));
  }
  return { loss: den > 0 ? num / den : Number.NaN, proba };
}
