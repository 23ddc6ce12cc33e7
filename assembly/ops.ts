// Tensor ops for autograd: elementwise unary ops and their gradients, broadcasting binary ops,
// row and column sums, transpose. Cheap ops have a v128 body and a scalar tail; exp, log and pow
// go element by element in both builds.
import { sum } from './reduce';
import { addRun } from './rows';
import { fill } from './elementwise';
import { Binary, Unary } from '../src/backend/codes';

const EXP = Unary.exp, LOG = Unary.log, NEG = Unary.neg, POW = Unary.pow, SQRT = Unary.sqrt, ABS = Unary.abs;
const ADD = Binary.add, SUB = Binary.sub, MUL = Binary.mul, DIV = Binary.div;

/** x^p, with torch's exact special cases: x·x for p = 2 and √x for p = 0.5. */
@inline function power(x: f32, p: f32): f32 {
  return p == 2 ? x * x : p == 0.5 ? Mathf.sqrt(x) : Mathf.pow(x, p);
}

/** sign(x) as 1, −1 or 0 per lane (0 also for NaN, as the scalar `sign`). */
@inline function signV(v: v128): v128 {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  return f32x4.sub(v128.and(f32x4.gt(v, zero), one), v128.and(f32x4.lt(v, zero), one));
}

@inline function sign(x: f32): f32 {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** y[i] = op(x[i]) (exp, log, neg, pow x^param, sqrt, abs); y may alias x. */
export function unary(op: i32, param: f32, x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && (op == NEG || op == SQRT || op == ABS)) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(x + o);
      v128.store(y + o, op == NEG ? f32x4.neg(v) : op == SQRT ? f32x4.sqrt(v) : f32x4.abs(v));
    }
  }
  if (op == EXP) for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, Mathf.exp(load<f32>(x + o))); }
  else if (op == LOG) for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, Mathf.log(load<f32>(x + o))); }
  else if (op == NEG) for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, -load<f32>(x + o)); }
  else if (op == POW) for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, power(load<f32>(x + o), param)); }
  else if (op == SQRT) for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, Mathf.sqrt(load<f32>(x + o))); }
  else if (op == ABS) for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, Mathf.abs(load<f32>(x + o))); }
}

/**
 * dx[i] = dy[i]·op′(x[i]): exp′ = y, log′ = 1/x, sqrt′ = 1/(2y), pow′ = p·x^(p−1) (0 for p = 0,
 * as torch), abs′ = sign(x) with abs′(0) = 0. y is read only for exp and sqrt; dx may alias dy.
 */
export function unaryBackward(op: i32, param: f32, x: usize, y: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && op != POW) {
    const two = f32x4.splat(2);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const g = v128.load(dy + o);
      let d: v128;
      if (op == EXP) d = f32x4.mul(g, v128.load(y + o));
      else if (op == LOG) d = f32x4.div(g, v128.load(x + o));
      else if (op == NEG) d = f32x4.neg(g);
      else if (op == SQRT) d = f32x4.div(g, f32x4.mul(two, v128.load(y + o)));
      else d = f32x4.mul(g, signV(v128.load(x + o)));
      v128.store(dx + o, d);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    let d: f32;
    if (op == EXP) d = g * load<f32>(y + o);
    else if (op == LOG) d = g / load<f32>(x + o);
    else if (op == NEG) d = -g;
    else if (op == SQRT) d = g / (<f32>2 * load<f32>(y + o));
    else if (op == ABS) d = g * sign(load<f32>(x + o));
    else d = param == 0 ? 0 : g * (param * power(load<f32>(x + o), param - <f32>1));
    store<f32>(dx + o, d);
  }
}

@inline function apply(op: i32, u: f32, v: f32): f32 {
  return op == ADD ? u + v : op == SUB ? u - v : op == MUL ? u * v : u / v;
}

@inline function applyV(op: i32, u: v128, v: v128): v128 {
  return op == ADD ? f32x4.add(u, v) : op == SUB ? f32x4.sub(u, v) : op == MUL ? f32x4.mul(u, v) : f32x4.div(u, v);
}

/**
 * out[i][j] = a[i·ar + j·ac] op b[i·br + j·bc] over [m, n]; strides of 0 broadcast. out is a full
 * [m, n] matrix and may alias a full-shaped a or b.
 */
export function binary(
  op: i32, a: usize, ar: i32, ac: i32, b: usize, br: i32, bc: i32, out: usize, m: i32, n: i32,
): void {
  // When row i + 1 continues row i in both operands (full matrices, scalars), it is one long row.
  if (ar == n * ac && br == n * bc) {
    n = m * n;
    m = n > 0 ? 1 : 0;
  }
  for (let i = 0; i < m; i++) {
    binaryRow(op, a + (<usize>(i * ar) << 2), ac, b + (<usize>(i * br) << 2), bc, out + (<usize>(i * n) << 2), n);
  }
}

function binaryRow(op: i32, a: usize, ac: i32, b: usize, bc: i32, out: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD && n >= 4) {
    if (ac == 1 && bc == 1) {
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, applyV(op, v128.load(a + o), v128.load(b + o)));
      }
    } else if (ac == 1 && bc == 0) {
      const vb = v128.load32_splat(b);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, applyV(op, v128.load(a + o), vb));
      }
    } else if (ac == 0 && bc == 1) {
      const va = v128.load32_splat(a);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, applyV(op, va, v128.load(b + o)));
      }
    } else if (ac == 0 && bc == 0) {
      const vc = applyV(op, v128.load32_splat(a), v128.load32_splat(b));
      for (; j + 4 <= n; j += 4) v128.store(out + (<usize>j << 2), vc);
    }
  }
  for (; j < n; j++) {
    const u = load<f32>(a + (<usize>(j * ac) << 2));
    const v = load<f32>(b + (<usize>(j * bc) << 2));
    store<f32>(out + (<usize>j << 2), apply(op, u, v));
  }
}

/**
 * out[j] (+)= Σ_i x[i][j] (column sums: a bias gradient), adding whole rows in order so that x is
 * read row-major: out[j] = (…((out[j] + x[0][j]) + x[1][j]) + …), out[j] starting at 0 unless
 * accumulate ≠ 0.
 */
export function sumRows(x: usize, m: i32, n: i32, out: usize, accumulate: i32): void {
  if (!accumulate) fill(out, n, 0);
  const row = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    addRun(out, x + <usize>i * row, out, n);
  }
}

/** out[i] (+)= Σ_j x[i][j] (row sums, each in reduce.ts's four-lane order). */
export function sumCols(x: usize, m: i32, n: i32, out: usize, accumulate: i32): void {
  const row = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const o = <usize>i << 2;
    const s = sum(x + <usize>i * row, n);
    store<f32>(out + o, accumulate ? load<f32>(out + o) + s : s);
  }
}

/** Tile edge for transpose: two 32×32 float tiles (8 KiB) stay in L1. */
const TILE = 32;

/** y = xᵀ: x is [m, n], y is [n, m]; y must not overlap x. */
export function transpose(x: usize, m: i32, n: i32, y: usize): void {
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = min(i0 + TILE, m);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = min(j0 + TILE, n);
      let i = i0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) transpose4x4(x + ((<usize>i * <usize>n + <usize>j) << 2), n, y + ((<usize>j * <usize>m + <usize>i) << 2), m);
          for (; j < j1; j++) {
            for (let r = i; r < i + 4; r++) {
              store<f32>(y + ((<usize>j * <usize>m + <usize>r) << 2), load<f32>(x + ((<usize>r * <usize>n + <usize>j) << 2)));
            }
          }
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(y + ((<usize>j * <usize>m + <usize>i) << 2), load<f32>(x + ((<usize>i * <usize>n + <usize>j) << 2)));
        }
      }
    }
  }
}

/** Transposes the 4×4 block at x (row stride ldx floats) into y (row stride ldy). */
@inline function transpose4x4(x: usize, ldx: i32, y: usize, ldy: i32): void {
  const sx = <usize>ldx << 2, sy = <usize>ldy << 2;
  const r0 = v128.load(x), r1 = v128.load(x + sx), r2 = v128.load(x + 2 * sx), r3 = v128.load(x + 3 * sx);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(y, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(y + sy, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(y + 2 * sy, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(y + 3 * sy, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * y[o][j][k][i][t] = x[o][i][k][j][t] for o < outer, i < m, k < mid, j < n, t < inner: the two
 * dimensions of sizes m and n swapped (torch's transpose(dim0, dim1) of any rank). With mid and
 * inner 1 each outer block is a matrix transpose (the tiled one above); else runs of `inner`
 * floats are copied. block = m·mid·n·inner (the split's width). Split by outer blocks; y must not
 * overlap x.
 */
export function transposeAxes(x: usize, outer: i32, m: i32, mid: i32, n: i32, inner: i32, y: usize, block: i32): void {
  const run = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * <usize>block) << 2), yo = y + ((<usize>o * <usize>block) << 2);
    if (mid == 1 && inner == 1) {
      transpose(xo, m, n, yo);
      continue;
    }
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < mid; k++) {
        for (let j = 0; j < n; j++) {
          const src = xo + (((<usize>i * <usize>mid + <usize>k) * <usize>n + <usize>j) * run);
          const dst = yo + (((<usize>j * <usize>mid + <usize>k) * <usize>m + <usize>i) * run);
          let t = 0;
          if (ASC_FEATURE_SIMD) for (; t + 4 <= inner; t += 4) v128.store(dst + (<usize>t << 2), v128.load(src + (<usize>t << 2)));
          for (; t < inner; t++) store<f32>(dst + (<usize>t << 2), load<f32>(src + (<usize>t << 2)));
        }
      }
    }
  }
}

/**
 * rows runs of `width` floats: y + r·yStride ← x + r·xStride (floats), r in order; a row's copy
 * is a memmove. cat, stack, narrow and their gradients.
 */
export function copyRows(x: usize, rows: i32, width: i32, y: usize, xStride: i32, yStride: i32): void {
  const bytes = <usize>width << 2;
  for (let r = 0; r < rows; r++) memory.copy(y + ((<usize>r * <usize>yStride) << 2), x + ((<usize>r * <usize>xStride) << 2), bytes);
}
