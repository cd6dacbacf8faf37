/** Limited-memory BFGS over Float64Arrays with a strong-Wolfe line search: a dependency-free smooth minimiser for linear models. */

/** Value and gradient at x: returns f(x) and writes ∇f(x) into `grad` (same length as x). */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

/** Stopping rules; the defaults follow scipy's L-BFGS-B as scikit-learn calls it (gtol 1e-4, memory 10). */
export interface LbfgsOptions {
  /** stop when max |∇f| ≤ gtol (scipy's pgtol) */
  readonly gtol?: number;
  /** stop when the relative decrease of f falls below ftol (scipy's factr·eps) */
  readonly ftol?: number;
  readonly maxIter?: number;
  /** number of curvature pairs kept */
  readonly memory?: number;
}

/** Where the minimiser stopped and why. */
export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly gradMax: number;
  readonly iterations: number;
  /** value-and-gradient evaluations, i.e. passes over the data */
  readonly evaluations: number;
  readonly converged: boolean;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i] as number));
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Minimises a smooth function from x0; the curvature pairs make it converge in tens of passes on well-scaled problems. */
export function minimizeLbfgs(fg: ValueAndGradient, x0: Float64Array, options: LbfgsOptions = {}): MinimizeResult {
  const gtol = options.gtol ?? 1e-4;
  // scipy's default factr 1e7 · machine epsilon; scikit-learn passes 64·eps, which is tighter than float noise here.
  const ftol = options.ftol ?? 64 * Number.EPSILON;
  const maxIter = options.maxIter ?? 100;
  const m = options.memory ?? 10;
  if (!(gtol > 0)) throw new Error(`gtol ${gtol} is not positive; use e.g. 1e-4`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new Error(`maxIter ${maxIter} is not a positive integer; use e.g. 100`);
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new Error(`objective is ${f} at the starting point; check the inputs for NaN or infinity`);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  let iterations = 0;
  let converged = maxAbs(g) <= gtol;

  while (!converged && iterations < maxIter) {
    iterations++;
    // Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate.
    d.set(g);
    for (let i = S.length - 1; i >= 0; i--) {
      const a = (rho[i] as number) * dot(S[i] as Float64Array, d);
      alpha[i] = a;
      const y = Y[i] as Float64Array;
      for (let j = 0; j < n; j++) d[j] = (d[j] as number) - a * (y[j] as number);
    }
    if (S.length > 0) {
      const sLast = S[S.length - 1] as Float64Array;
      const yLast = Y[Y.length - 1] as Float64Array;
      const gamma = dot(sLast, yLast) / dot(yLast, yLast);
      for (let j = 0; j < n; j++) d[j] = (d[j] as number) * gamma;
    }
    for (let i = 0; i < S.length; i++) {
      const b = (rho[i] as number) * dot(Y[i] as Float64Array, d);
      const s = S[i] as Float64Array;
      const a = alpha[i] as number;
      for (let j = 0; j < n; j++) d[j] = (d[j] as number) + (a - b) * (s[j] as number);
    }
    for (let j = 0; j < n; j++) d[j] = -(d[j] as number);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // The memory went stale (rounding); restart from steepest descent rather than climb.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < n; j++) d[j] = -(g[j] as number);
      slope = dot(g, d);
    }
    // The first step has no curvature yet: scale it so the trial point moves by about one unit.
    const t0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const ls = wolfeLineSearch(fg, x, f, g, d, slope, t0);
    evaluations += ls.evaluations;
    if (ls.t === 0) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = (ls.x[j] as number) - (x[j] as number);
      y[j] = (ls.g[j] as number) - (g[j] as number);
    }
    const sy = dot(s, y);
    const fOld = f;
    x = ls.x;
    g = ls.g;
    f = ls.f;
    // Skip pairs without positive curvature: they would make the inverse-Hessian estimate indefinite.
    if (sy > 1e-10 * dot(y, y)) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    if (maxAbs(g) <= gtol) converged = true;
    else if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) converged = true;
  }
  return { x, f, gradMax: maxAbs(g), iterations, evaluations, converged };
}

interface LineSearchResult {
  readonly t: number;
  readonly x: Float64Array;
  readonly f: number;
  readonly g: Float64Array;
  readonly evaluations: number;
}

/** Strong Wolfe conditions (c1 1e-4, c2 0.9) by bracketing and cubic-interpolation zoom (Nocedal & Wright 3.5–3.6). */
function wolfeLineSearch(
  fg: ValueAndGradient,
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  d: Float64Array,
  slope0: number,
  tInit: number,
): LineSearchResult {
  const c1 = 1e-4;
  const c2 = 0.9;
  const n = x.length;
  let evaluations = 0;
  const at = (t: number): { t: number; x: Float64Array; f: number; g: Float64Array; slope: number } => {
    const xt = new Float64Array(n);
    for (let j = 0; j < n; j++) xt[j] = (x[j] as number) + t * (d[j] as number);
    const gt = new Float64Array(n);
    const ft = fg(xt, gt);
    evaluations++;
    return { t, x: xt, f: ft, g: gt, slope: dot(gt, d) };
  };
  const start = { t: 0, x, f: f0, g: g0, slope: slope0 };
  let prev = start;
  let t = tInit;
  let best = start;
  for (let i = 0; i < 20; i++) {
    const cur = at(t);
    if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * t * slope0 || (i > 0 && cur.f >= prev.f)) {
      return finish(zoom(prev, cur));
    }
    if (Math.abs(cur.slope) <= -c2 * slope0) return finish(cur);
    if (cur.slope >= 0) return finish(zoom(cur, prev));
    best = cur;
    prev = cur;
    t *= 2;
  }
  return finish(best);

  function zoom(
    lo: { t: number; x: Float64Array; f: number; g: Float64Array; slope: number },
    hi: { t: number; x: Float64Array; f: number; g: Float64Array; slope: number },
  ): { t: number; x: Float64Array; f: number; g: Float64Array; slope: number } {
    for (let i = 0; i < 30; i++) {
      const a = Math.min(lo.t, hi.t);
      const b = Math.max(lo.t, hi.t);
      let tj = Number.isFinite(hi.f) ? cubicMin(lo.t, lo.f, lo.slope, hi.t, hi.f, hi.slope) : Number.NaN;
      // Keep the trial well inside the bracket so it shrinks geometrically even when interpolation is poor.
      const margin = 0.1 * (b - a);
      if (!(tj > a + margin && tj < b - margin)) tj = 0.5 * (a + b);
      const cur = at(tj);
      if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * tj * slope0 || cur.f >= lo.f) {
        hi = cur;
      } else {
        if (Math.abs(cur.slope) <= -c2 * slope0) return cur;
        if (cur.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = cur;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, lo.t)) break;
    }
    return lo;
  }

  function finish(r: { t: number; x: Float64Array; f: number; g: Float64Array }): LineSearchResult {
    return { t: r.t, x: r.x, f: r.f, g: r.g, evaluations };
  }
}

/** Minimiser of the cubic through two points with their slopes; NaN when it has none. */
function cubicMin(t1: number, f1: number, s1: number, t2: number, f2: number, s2: number): number {
  const d1 = s1 + s2 - 3 * (f1 - f2) / (t1 - t2);
  const disc = d1 * d1 - s1 * s2;
  if (disc < 0) return Number.NaN;
  const d2 = Math.sign(t2 - t1) * Math.sqrt(disc);
  return t2 - (t2 - t1) * (s2 + d2 - d1) / (s2 - s1 + 2 * d2);
}
