/**
 * The MLP's fused training kernel (AssemblyScript, wasm SIMD128): one pass per block of rows gathers the rows by
 * `order`, runs them forward through every layer (ReLU hidden layers, one output unit), takes the loss and its
 * derivative, runs backward and adds the block's weight gradients (Aᵀ·δ) into the gradient while the block is still in
 * cache. The caller (src/trainers/mlpKernel.ts) owns the memory and its layout: this module imports `env.memory` and
 * allocates nothing; every pointer is a byte offset, 16-byte aligned. The ABI is in docs/architecture.md.
 *
 * Inside, every width is padded (the input to a multiple of 4, hidden layers to 8) and the weights are copied once per
 * call into padded row-major matrices (and transposed ones for the backward pass) in the caller's scratch, so the
 * micro-kernels have no edge cases: a tile is 4 rows × 8 columns, eight v128 accumulators kept in registers.
 */

/** Rows per block: the block's activations (a few KB per layer) stay in L1 between the forward and backward passes. */
const BLOCK: i32 = 32;

@inline function pad4(n: i32): i32 { return (n + 3) & ~3; }
@inline function pad8(n: i32): i32 { return (n + 7) & ~7; }
@inline function align16(n: usize): usize { return (n + 15) & ~(<usize>15); }

/** a·b + c: fused (relaxed_madd) in the relaxed-SIMD build, a multiply then an add in the plain one. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * Per-row loss and its derivative by the logit for 4 rows at once, in f32 (as tfjs computes them): stores
 * δ = w·∂loss/∂z into `dz` and returns the 4 rows' w·loss. BCE on the logit: softplus(z) − y·z = max(z, 0) − y·z +
 * log1p(e^−|z|) and σ(z) − y from the same e^−|z|; squared error: (z − y)², δ = 2w(z − y). No library math: the
 * standard library's exp keeps a table in memory at a fixed address, and the module must keep no static data (every
 * byte of its memory is the caller's).
 */
@inline function lossRows(z: v128, y: v128, w: v128, loss: i32, dz: usize): v128 {
  if (loss != 0) {
    const res = f32x4.sub(z, y);
    v128.store(dz, f32x4.mul(f32x4.add(w, w), res));
    return f32x4.mul(w, f32x4.mul(res, res));
  }
  const one = f32x4.splat(1);
  // e = e^x for x = −|z| ≥ −87: x = k·ln2 + r, |r| ≤ ln2/2, e^r by its Taylor series to r⁷ (< 1e-8 relative)
  const x = f32x4.max(f32x4.neg(f32x4.abs(z)), f32x4.splat(-87));
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.4426950408889634)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(k, f32x4.splat(0.693359375))), f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.0 / 5040);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), one);
  p = f32x4.add(f32x4.mul(p, r), one);
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  const e = f32x4.mul(p, scale);
  // log1p(e) = 2·atanh(s), s = e/(2 + e) ≤ 1/3: the odd series to s¹³ (< 2e-8), exact for tiny e too
  const s = f32x4.div(e, f32x4.add(e, f32x4.splat(2)));
  const s2 = f32x4.mul(s, s);
  let q = f32x4.splat(1.0 / 13);
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 11));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 9));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 7));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 5));
  q = f32x4.add(f32x4.mul(q, s2), f32x4.splat(1.0 / 3));
  q = f32x4.add(f32x4.mul(q, s2), one);
  const log1pE = f32x4.mul(f32x4.add(s, s), q);
  const softplus = f32x4.add(f32x4.pmax(z, f32x4.splat(0)), log1pE);
  // σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e) below
  const sigma = f32x4.div(v128.bitselect(one, e, f32x4.ge(z, f32x4.splat(0))), f32x4.add(one, e));
  v128.store(dz, f32x4.mul(w, f32x4.sub(sigma, y)));
  return f32x4.mul(w, f32x4.sub(softplus, f32x4.mul(y, z)));
}

@inline function units(layers: usize, i: i32): i32 { return load<i32>(layers + (<usize>i << 2)); }
/** Padded width of activation i (0: the input). */
@inline function padded(layers: usize, i: i32): i32 { return i == 0 ? pad4(units(layers, 0)) : pad8(units(layers, i)); }
/** Padded output width of layer i: the next activation's, or 1 for the output layer. */
@inline function paddedOut(layers: usize, i: i32, nLayers: i32): i32 { return i + 1 == nLayers ? 1 : padded(layers, i + 1); }

// Scratch layout, in this order (every part 16-byte aligned):
//   per layer i: padded kernel (p_i × q_i floats), padded bias (pad4(q_i)), padded gradient and bias gradient (same),
//     and for a hidden-to-hidden layer (1 ≤ i < nLayers − 1) the kernel transposed (q_i × p_i);
//   the activations A_0 … A_{nLayers−1} of one block (BLOCK × p_i each), the block's logits, their δ, labels and
//   weights (BLOCK each), two δ buffers (BLOCK × the widest hidden layer), the row panel of `rowsTimesMatrix`.
@inline function matBytes(layers: usize, i: i32, nLayers: i32): usize {
  return align16(<usize>(padded(layers, i) * paddedOut(layers, i, nLayers)) << 2);
}
@inline function biasBytes(layers: usize, i: i32, nLayers: i32): usize {
  return <usize>pad4(paddedOut(layers, i, nLayers)) << 2;
}
@inline function transposedBytes(layers: usize, i: i32, nLayers: i32): usize {
  return i >= 1 && i + 1 < nLayers ? matBytes(layers, i, nLayers) : 0;
}
@inline function layerBytes(layers: usize, i: i32, nLayers: i32): usize {
  return 2 * (matBytes(layers, i, nLayers) + biasBytes(layers, i, nLayers)) + transposedBytes(layers, i, nLayers);
}
function widestHidden(layers: usize, nLayers: i32): i32 {
  let widest = 4;
  for (let i = 1; i < nLayers; i++) widest = max(widest, padded(layers, i));
  return widest;
}
/** The row panel of `rowsTimesMatrix`: 4 rows of the widest operand, interleaved. */
function panelBytes(layers: usize, nLayers: i32): usize {
  return <usize>max(padded(layers, 0), widestHidden(layers, nLayers)) << 4;
}
/** The panel: the scratch's last bytes. */
function panelAt(scratch: usize, layers: usize, nLayers: i32): usize {
  return scratch + <usize>mlp_scratch_bytes(layers, nLayers) - panelBytes(layers, nLayers);
}
function activationsAt(scratch: usize, layers: usize, nLayers: i32): usize {
  let at = scratch;
  for (let i = 0; i < nLayers; i++) at += layerBytes(layers, i, nLayers);
  return at;
}

/** Bytes of scratch one caller of `mlp_batch_gradient` / `mlp_forward` needs for this network. */
export function mlp_scratch_bytes(layers: usize, nLayers: i32): i32 {
  let bytes = activationsAt(0, layers, nLayers);
  for (let i = 0; i < nLayers; i++) bytes += <usize>(BLOCK * padded(layers, i)) << 2;
  bytes += 4 * (<usize>BLOCK << 2);
  bytes += 2 * (<usize>(BLOCK * widestHidden(layers, nLayers)) << 2);
  bytes += panelBytes(layers, nLayers);
  return <i32>bytes;
}

/** Copies the flat weights into the scratch's padded kernels and biases (and transposed kernels); zeroes gradients when `forTraining`. */
function unpackWeights(params: usize, layers: usize, nLayers: i32, scratch: usize, forTraining: bool): void {
  let at = scratch;
  let from = params;
  for (let i = 0; i < nLayers; i++) {
    const n = units(layers, i);
    const m = units(layers, i + 1);
    const p = padded(layers, i);
    const q = paddedOut(layers, i, nLayers);
    const mat = matBytes(layers, i, nLayers);
    const bias = biasBytes(layers, i, nLayers);
    memory.fill(at, 0, mat + bias);
    for (let r = 0; r < n; r++) memory.copy(at + (<usize>(r * q) << 2), from + (<usize>(r * m) << 2), <usize>m << 2);
    from += <usize>(n * m) << 2;
    memory.copy(at + mat, from, <usize>m << 2);
    from += <usize>m << 2;
    at += mat + bias;
    if (forTraining) memory.fill(at, 0, mat + bias);
    at += mat + bias;
    const tBytes = transposedBytes(layers, i, nLayers);
    if (tBytes > 0) {
      // kernelᵀ (q × p): the backward pass's δ·Wᵀ as a plain row-times-matrix product
      const kernel = at - 2 * (mat + bias);
      memory.fill(at, 0, tBytes);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < m; c++) store<f32>(at + (<usize>(c * p + r) << 2), load<f32>(kernel + (<usize>(r * q + c) << 2)));
      }
      at += tBytes;
    }
  }
}

/** Adds the scratch's padded gradients into nothing: copies them out to `grad` in the flat layout. */
function packGradient(grad: usize, layers: usize, nLayers: i32, scratch: usize): void {
  let at = scratch;
  let to = grad;
  for (let i = 0; i < nLayers; i++) {
    const n = units(layers, i);
    const m = units(layers, i + 1);
    const q = paddedOut(layers, i, nLayers);
    const mat = matBytes(layers, i, nLayers);
    const bias = biasBytes(layers, i, nLayers);
    const g = at + mat + bias;
    for (let r = 0; r < n; r++) memory.copy(to + (<usize>(r * m) << 2), g + (<usize>(r * q) << 2), <usize>m << 2);
    to += <usize>(n * m) << 2;
    memory.copy(to, g + mat, <usize>m << 2);
    to += <usize>m << 2;
    at += 2 * (mat + bias) + transposedBytes(layers, i, nLayers);
  }
}

/**
 * C[r][0..n) = bias + Σ_k A[r][k]·B[k][0..n) for rows [0, rows) (a multiple of 4), k a multiple of 4, n a multiple of 8;
 * then ReLU (`relu`), or zeroed where M[r][·] ≤ 0 (`mask` ≠ 0: the ReLU's slope for the backward pass). Strides in
 * floats. Each 4 rows of A are first interleaved into `panel` (k × 4 floats): the inner loop then reads the four rows'
 * values at one pointer and fixed offsets, so it keeps its pointers and eight accumulators in registers.
 */
function rowsTimesMatrix(a: usize, lda: i32, b: usize, k: i32, n: i32, bias: usize, c: usize, ldc: i32, rows: i32, relu: bool, mask: usize, ldm: i32, panel: usize): void {
  const zero = f32x4.splat(0);
  const strideB = <usize>n << 2;
  for (let r = 0; r < rows; r += 4) {
    const a0 = a + (<usize>(r * lda) << 2);
    const a1 = a0 + (<usize>lda << 2);
    const a2 = a1 + (<usize>lda << 2);
    const a3 = a2 + (<usize>lda << 2);
    for (let kk = 0; kk < k; kk += 4) {
      // a 4 × 4 transpose: panel[kk + i] = (A[r][kk + i], A[r + 1][kk + i], A[r + 2][kk + i], A[r + 3][kk + i])
      const off = <usize>kk << 2;
      const v0 = v128.load(a0 + off);
      const v1 = v128.load(a1 + off);
      const v2 = v128.load(a2 + off);
      const v3 = v128.load(a3 + off);
      const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
      const p = panel + (off << 2);
      v128.store(p, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(p, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
      v128.store(p, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
      v128.store(p, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
    }
    for (let j = 0; j < n; j += 8) {
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      if (bias != 0) {
        c00 = v128.load(bias + (<usize>j << 2));
        c01 = v128.load(bias + (<usize>j << 2), 16);
        c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
      }
      let pb = b + (<usize>j << 2);
      let pa = panel;
      const end = panel + (<usize>k << 4);
      while (pa < end) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const x0 = v128.load32_splat(pa);
        c00 = madd(x0, b0, c00);
        c01 = madd(x0, b1, c01);
        const x1 = v128.load32_splat(pa, 4);
        c10 = madd(x1, b0, c10);
        c11 = madd(x1, b1, c11);
        const x2 = v128.load32_splat(pa, 8);
        c20 = madd(x2, b0, c20);
        c21 = madd(x2, b1, c21);
        const x3 = v128.load32_splat(pa, 12);
        c30 = madd(x3, b0, c30);
        c31 = madd(x3, b1, c31);
        pa += 16;
        pb += strideB;
      }
      if (relu) {
        c00 = f32x4.pmax(c00, zero); c01 = f32x4.pmax(c01, zero);
        c10 = f32x4.pmax(c10, zero); c11 = f32x4.pmax(c11, zero);
        c20 = f32x4.pmax(c20, zero); c21 = f32x4.pmax(c21, zero);
        c30 = f32x4.pmax(c30, zero); c31 = f32x4.pmax(c31, zero);
      }
      const c0 = c + (<usize>(r * ldc + j) << 2);
      const c1 = c0 + (<usize>ldc << 2);
      const c2 = c1 + (<usize>ldc << 2);
      const c3 = c2 + (<usize>ldc << 2);
      if (mask != 0) {
        const m0 = mask + (<usize>(r * ldm + j) << 2);
        const m1 = m0 + (<usize>ldm << 2);
        const m2 = m1 + (<usize>ldm << 2);
        const m3 = m2 + (<usize>ldm << 2);
        c00 = v128.and(c00, f32x4.gt(v128.load(m0), zero)); c01 = v128.and(c01, f32x4.gt(v128.load(m0, 16), zero));
        c10 = v128.and(c10, f32x4.gt(v128.load(m1), zero)); c11 = v128.and(c11, f32x4.gt(v128.load(m1, 16), zero));
        c20 = v128.and(c20, f32x4.gt(v128.load(m2), zero)); c21 = v128.and(c21, f32x4.gt(v128.load(m2, 16), zero));
        c30 = v128.and(c30, f32x4.gt(v128.load(m3), zero)); c31 = v128.and(c31, f32x4.gt(v128.load(m3, 16), zero));
      }
      v128.store(c0, c00); v128.store(c0, c01, 16);
      v128.store(c1, c10); v128.store(c1, c11, 16);
      v128.store(c2, c20); v128.store(c2, c21, 16);
      v128.store(c3, c30); v128.store(c3, c31, 16);
    }
  }
}

/**
 * G[k][0..n) += Σ_r A[r][k]·D[r][0..n) for k in [0, kDim) (a multiple of 4), n a multiple of 8, and
 * gBias[0..n) += Σ_r D[r][0..n): a layer's kernel and bias gradients from its input and its δ.
 */
function addInputTimesDelta(a: usize, lda: i32, d: usize, ldd: i32, kDim: i32, n: i32, rows: i32, g: usize, gBias: usize): void {
  const strideA = <usize>lda << 2;
  const strideD = <usize>ldd << 2;
  for (let k = 0; k < kDim; k += 4) {
    const g0 = g + (<usize>(k * n) << 2);
    const g1 = g0 + (<usize>n << 2);
    const g2 = g1 + (<usize>n << 2);
    const g3 = g2 + (<usize>n << 2);
    for (let j = 0; j < n; j += 8) {
      const jo = <usize>j << 2;
      let c00 = v128.load(g0 + jo), c01 = v128.load(g0 + jo, 16);
      let c10 = v128.load(g1 + jo), c11 = v128.load(g1 + jo, 16);
      let c20 = v128.load(g2 + jo), c21 = v128.load(g2 + jo, 16);
      let c30 = v128.load(g3 + jo), c31 = v128.load(g3 + jo, 16);
      let pa = a + (<usize>k << 2);
      let pd = d + jo;
      for (let r = 0; r < rows; r++) {
        const d0 = v128.load(pd);
        const d1 = v128.load(pd, 16);
        const x0 = v128.load32_splat(pa);
        c00 = madd(x0, d0, c00);
        c01 = madd(x0, d1, c01);
        const x1 = v128.load32_splat(pa, 4);
        c10 = madd(x1, d0, c10);
        c11 = madd(x1, d1, c11);
        const x2 = v128.load32_splat(pa, 8);
        c20 = madd(x2, d0, c20);
        c21 = madd(x2, d1, c21);
        const x3 = v128.load32_splat(pa, 12);
        c30 = madd(x3, d0, c30);
        c31 = madd(x3, d1, c31);
        pa += strideA;
        pd += strideD;
      }
      v128.store(g0 + jo, c00); v128.store(g0 + jo, c01, 16);
      v128.store(g1 + jo, c10); v128.store(g1 + jo, c11, 16);
      v128.store(g2 + jo, c20); v128.store(g2 + jo, c21, 16);
      v128.store(g3 + jo, c30); v128.store(g3 + jo, c31, 16);
    }
  }
  for (let j = 0; j < n; j += 4) {
    let s = v128.load(gBias + (<usize>j << 2));
    let pd = d + (<usize>j << 2);
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, v128.load(pd));
      pd += strideD;
    }
    v128.store(gBias + (<usize>j << 2), s);
  }
}

/** z[r] = bias + A[r]·w for rows [0, rows) (a multiple of 4), k a multiple of 4: the output unit. */
function outputUnit(a: usize, lda: i32, w: usize, k: i32, bias: f32, z: usize, rows: i32): void {
  const strideA = <usize>lda << 2;
  for (let r = 0; r < rows; r += 4) {
    const a0 = a + <usize>r * strideA;
    const a1 = a0 + strideA;
    const a2 = a1 + strideA;
    const a3 = a2 + strideA;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let kk = 0; kk < k; kk += 4) {
      const off = <usize>kk << 2;
      const wv = v128.load(w + off);
      s0 = madd(v128.load(a0 + off), wv, s0);
      s1 = madd(v128.load(a1 + off), wv, s1);
      s2 = madd(v128.load(a2 + off), wv, s2);
      s3 = madd(v128.load(a3 + off), wv, s3);
    }
    const zr = z + (<usize>r << 2);
    store<f32>(zr, bias + horizontalSum(s0));
    store<f32>(zr, bias + horizontalSum(s1), 4);
    store<f32>(zr, bias + horizontalSum(s2), 8);
    store<f32>(zr, bias + horizontalSum(s3), 12);
  }
}

@inline function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * Forward pass of one block whose input rows are already in A_0: every hidden activation, then the logits into `z`.
 * `rows` is a multiple of 4.
 */
function forwardBlock(layers: usize, nLayers: i32, scratch: usize, acts: usize, z: usize, rows: i32, panel: usize): void {
  let w = scratch;
  let a = acts;
  for (let i = 0; i < nLayers; i++) {
    const p = padded(layers, i);
    const q = paddedOut(layers, i, nLayers);
    const mat = matBytes(layers, i, nLayers);
    const bias = w + mat;
    if (i + 1 == nLayers) {
      outputUnit(a, p, w, p, load<f32>(bias), z, rows);
    } else {
      const next = a + (<usize>(BLOCK * p) << 2);
      rowsTimesMatrix(a, p, w, p, q, bias, next, q, rows, true, 0, 0, panel);
      a = next;
    }
    w += layerBytes(layers, i, nLayers);
  }
}

/**
 * Copies `count` rows into a block of BLOCK × p floats (zero-padded columns, and zero rows up to a multiple of 4), with
 * plain loads and stores: a `memory.copy` per row is a call out of the compiled code, slower for 11 values.
 */
function gatherRows(x: usize, cols: i32, order: usize, start: i32, count: i32, contiguous: bool, block: usize, p: i32): void {
  const rows = pad4(count);
  const whole = cols & ~3;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const to = block + (<usize>(r * p) << 2);
    // the padding columns (cols … p) and the padding rows are zero: their weights are zero, and 0·x must stay 0
    for (let c = whole; c < p; c += 4) v128.store(to + (<usize>c << 2), zero);
    if (r >= count) {
      for (let c = 0; c < whole; c += 4) v128.store(to + (<usize>c << 2), zero);
      continue;
    }
    const row = contiguous ? start + r : load<u32>(order + (<usize>(start + r) << 2));
    const from = x + (<usize>row * <usize>cols << 2);
    for (let c = 0; c < whole; c += 4) v128.store(to + (<usize>c << 2), v128.load(from + (<usize>c << 2)));
    for (let c = whole; c < cols; c++) store<f32>(to + (<usize>c << 2), load<f32>(from + (<usize>c << 2)));
  }
}

/**
 * Σ_rows wᵢ·∂lossᵢ/∂θ of rows order[start … start + count) into `grad` (flat `parameterLayout` order, OVERWRITTEN; not
 * divided by Σ w, no L2); returns Σ_rows wᵢ·lossᵢ. loss 0: binary cross-entropy on the logit, 1: squared error.
 */
export function mlp_batch_gradient(x: usize, cols: i32, y: usize, w: usize, order: usize, start: i32, count: i32, params: usize, layers: usize, nLayers: i32, loss: i32, grad: usize, scratch: usize): f64 {
  unpackWeights(params, layers, nLayers, scratch, true);
  const acts = activationsAt(scratch, layers, nLayers);
  let deltaAt = acts;
  for (let i = 0; i < nLayers; i++) deltaAt += <usize>(BLOCK * padded(layers, i)) << 2;
  const z = deltaAt;
  const dz = z + (<usize>BLOCK << 2);
  const yb = dz + (<usize>BLOCK << 2);
  const wb = yb + (<usize>BLOCK << 2);
  const deltaA = wb + (<usize>BLOCK << 2);
  const deltaB = deltaA + (<usize>(BLOCK * widestHidden(layers, nLayers)) << 2);
  const panel = panelAt(scratch, layers, nLayers);
  let total: f64 = 0;
  for (let b = 0; b < count; b += BLOCK) {
    const real = min(BLOCK, count - b);
    const rows = pad4(real);
    gatherRows(x, cols, order, start + b, real, false, acts, padded(layers, 0));
    forwardBlock(layers, nLayers, scratch, acts, z, rows, panel);
    // the block's labels and weights in order; padding rows weigh 0, so their δ and loss are 0
    for (let r = 0; r < rows; r++) {
      let yr: f32 = 0;
      let wr: f32 = 0;
      if (r < real) {
        const row = <usize>load<u32>(order + (<usize>(start + b + r) << 2));
        yr = load<f32>(y + (row << 2));
        wr = load<f32>(w + (row << 2));
      }
      store<f32>(yb + (<usize>r << 2), yr);
      store<f32>(wb + (<usize>r << 2), wr);
    }
    let blockLoss = f32x4.splat(0);
    for (let r = 0; r < rows; r += 4) {
      const o = <usize>r << 2;
      blockLoss = f32x4.add(blockLoss, lossRows(v128.load(z + o), v128.load(yb + o), v128.load(wb + o), loss, dz + o));
    }
    total += <f64>f32x4.extract_lane(blockLoss, 0) + <f64>f32x4.extract_lane(blockLoss, 1) + <f64>f32x4.extract_lane(blockLoss, 2) + <f64>f32x4.extract_lane(blockLoss, 3);
    backwardBlock(layers, nLayers, scratch, acts, dz, deltaA, deltaB, rows, panel);
  }
  packGradient(grad, layers, nLayers, scratch);
  return total;
}

/** The backward pass of one block: every layer's gradient from its input and δ, δ carried down through the ReLUs. */
function backwardBlock(layers: usize, nLayers: i32, scratch: usize, acts: usize, dz: usize, deltaA: usize, deltaB: usize, rows: i32, panel: usize): void {
  // where each layer's weights and each activation sit
  let w = scratch;
  let a = acts;
  for (let i = 0; i + 1 < nLayers; i++) {
    w += layerBytes(layers, i, nLayers);
    a += <usize>(BLOCK * padded(layers, i)) << 2;
  }
  // the output layer: its gradient Σ_r A[r]·δ_r and Σ_r δ_r, then δ of the last hidden layer δ_r·w ⊙ [A > 0]
  const last = nLayers - 1;
  const p = padded(layers, last);
  const mat = matBytes(layers, last, nLayers);
  const bias = biasBytes(layers, last, nLayers);
  const g = w + mat + bias;
  const strideA = <usize>p << 2;
  const zero = f32x4.splat(0);
  let biasSum: f32 = 0;
  for (let k = 0; k < p; k += 4) {
    const ko = <usize>k << 2;
    let s = v128.load(g + ko);
    let pa = a + ko;
    for (let r = 0; r < rows; r++) {
      s = madd(v128.load(pa), v128.load32_splat(dz + (<usize>r << 2)), s);
      pa += strideA;
    }
    v128.store(g + ko, s);
  }
  for (let r = 0; r < rows; r++) biasSum += load<f32>(dz + (<usize>r << 2));
  store<f32>(g + mat, load<f32>(g + mat) + biasSum);
  if (last == 0) return;
  let delta = deltaA;
  let spare = deltaB;
  for (let r = 0; r < rows; r++) {
    const dr = v128.load32_splat(dz + (<usize>r << 2));
    const ar = a + <usize>r * strideA;
    const out = delta + <usize>r * strideA;
    for (let k = 0; k < p; k += 4) {
      const ko = <usize>k << 2;
      const v = f32x4.mul(dr, v128.load(w + ko));
      v128.store(out + ko, v128.and(v, f32x4.gt(v128.load(ar + ko), zero)));
    }
  }
  // hidden layers from the last down: gradient from the layer's input and δ; δ of its input through Wᵀ and the ReLU
  for (let i = last - 1; i >= 0; i--) {
    w -= layerBytes(layers, i, nLayers);
    const pi = padded(layers, i);
    const q = paddedOut(layers, i, nLayers);
    a -= <usize>(BLOCK * pi) << 2;
    const m = matBytes(layers, i, nLayers);
    const bb = biasBytes(layers, i, nLayers);
    addInputTimesDelta(a, pi, delta, q, pi, q, rows, w + m + bb, w + 2 * m + bb);
    if (i > 0) {
      const transposed = w + 2 * (m + bb);
      rowsTimesMatrix(delta, q, transposed, q, pi, 0, spare, pi, rows, false, a, pi, panel);
      const t = delta;
      delta = spare;
      spare = t;
    }
  }
}

/** Outputs (logits for bce, values for mse) of rows first … first + count of x into out[0 … count). */
export function mlp_forward(x: usize, cols: i32, first: i32, count: i32, params: usize, layers: usize, nLayers: i32, out: usize, scratch: usize): void {
  unpackWeights(params, layers, nLayers, scratch, false);
  const acts = activationsAt(scratch, layers, nLayers);
  const panel = panelAt(scratch, layers, nLayers);
  let z = acts;
  for (let i = 0; i < nLayers; i++) z += <usize>(BLOCK * padded(layers, i)) << 2;
  for (let b = 0; b < count; b += BLOCK) {
    const real = min(BLOCK, count - b);
    gatherRows(x, cols, 0, first + b, real, true, acts, padded(layers, 0));
    forwardBlock(layers, nLayers, scratch, acts, z, pad4(real), panel);
    memory.copy(out + (<usize>b << 2), z, <usize>real << 2);
  }
}
