// Batch norm and layer norm, forward and backward (src/backend/kernels-norm.ts states each one).
//
// Statistics are float64 sums in one fixed order that the scalar build and the js twin follow too:
// within a contiguous segment element p goes to lane p % 8, and the segment's total is
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). The SIMD build keeps the eight lanes in four
// f64x2 registers (promoting f32x4 loads), so both builds add the same numbers in the same order:
// bit-identical.
// float64 keeps the statistics of float32 data accurate (the variance of values near 1e3 keeps its
// low digits); the elementwise parts are float32, one rounding per operation.
// BatchNorm1d's [n, c] (hw = 1) takes the column path of norm-columns.ts in the SIMD build: same bits.

import { copy, mul } from './elementwise';
import { statisticsColumns, applyColumns, backwardSumsColumns, backwardInputColumns, lo, hi } from './norm-columns';

const SUM = 0, SQDEV = 1, DOTDEV = 2;

/** One term of a sum, two lanes at once: x, (x − m)² or g·(x − m) (w holds g), in float64. */
@inline function terms(mode: i32, v: v128, w: v128, mm: v128): v128 {
  if (mode == SUM) return v;
  const d = f64x2.sub(v, mm);
  return mode == SQDEV ? f64x2.mul(d, d) : f64x2.mul(w, d);
}

/** The same term for one element. */
@inline function term(mode: i32, x: usize, g: usize, p: i32, m: f64): f64 {
  const o = <usize>p << 2;
  const v = <f64>load<f32>(x + o);
  if (mode == SUM) return v;
  const d = v - m;
  return mode == SQDEV ? d * d : <f64>load<f32>(g + o) * d;
}

/**
 * Over one segment of len floats at x, in the lane order (element p to lane p % 8):
 * SUM Σ x, SQDEV Σ (x − m)², DOTDEV Σ g·(x − m) (g a second segment). Eight lanes are four
 * independent f64x2 add chains, enough to hide the add latency. Inlined with a constant mode,
 * the branches fold away.
 */
@inline function segment(mode: i32, x: usize, g: usize, len: i32, m: f64): f64 {
  // One element (BatchNorm1d's segments): the lane formula adds only zeros, so it is t + 0.
  if (len == 1) return term(mode, x, g, 0, m) + 0;
  let l0: f64 = 0, l1: f64 = 0, l2: f64 = 0, l3: f64 = 0, l4: f64 = 0, l5: f64 = 0, l6: f64 = 0, l7: f64 = 0;
  let p = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    const mm = f64x2.splat(m), zero = f64x2.splat(0);
    for (; p + 8 <= len; p += 8) {
      const o = <usize>p << 2;
      const v = v128.load(x + o), u = v128.load(x + o, 16);
      let w0 = zero, w1 = zero, w2 = zero, w3 = zero;
      if (mode == DOTDEV) {
        const gv = v128.load(g + o), gu = v128.load(g + o, 16);
        w0 = lo(gv); w1 = hi(gv); w2 = lo(gu); w3 = hi(gu);
      }
      a0 = f64x2.add(a0, terms(mode, lo(v), w0, mm));
      a1 = f64x2.add(a1, terms(mode, hi(v), w1, mm));
      a2 = f64x2.add(a2, terms(mode, lo(u), w2, mm));
      a3 = f64x2.add(a3, terms(mode, hi(u), w3, mm));
    }
    l0 = f64x2.extract_lane(a0, 0); l1 = f64x2.extract_lane(a0, 1);
    l2 = f64x2.extract_lane(a1, 0); l3 = f64x2.extract_lane(a1, 1);
    l4 = f64x2.extract_lane(a2, 0); l5 = f64x2.extract_lane(a2, 1);
    l6 = f64x2.extract_lane(a3, 0); l7 = f64x2.extract_lane(a3, 1);
  } else {
    for (; p + 8 <= len; p += 8) {
      l0 += term(mode, x, g, p, m); l1 += term(mode, x, g, p + 1, m);
      l2 += term(mode, x, g, p + 2, m); l3 += term(mode, x, g, p + 3, m);
      l4 += term(mode, x, g, p + 4, m); l5 += term(mode, x, g, p + 5, m);
      l6 += term(mode, x, g, p + 6, m); l7 += term(mode, x, g, p + 7, m);
    }
  }
  // The tail (fewer than 8) starts at lane 0.
  if (p < len) l0 += term(mode, x, g, p, m);
  if (p + 1 < len) l1 += term(mode, x, g, p + 1, m);
  if (p + 2 < len) l2 += term(mode, x, g, p + 2, m);
  if (p + 3 < len) l3 += term(mode, x, g, p + 3, m);
  if (p + 4 < len) l4 += term(mode, x, g, p + 4, m);
  if (p + 5 < len) l5 += term(mode, x, g, p + 5, m);
  if (p + 6 < len) l6 += term(mode, x, g, p + 6, m);
  return ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
}

/** y = ((x − m)·a) + b over len floats (y may alias x). */
@inline function affine(x: usize, y: usize, len: i32, m: f32, a: f32, b: f32): void {
  let p = 0;
  if (ASC_FEATURE_SIMD) {
    const mv = f32x4.splat(m), av = f32x4.splat(a), bv = f32x4.splat(b);
    for (; p + 4 <= len; p += 4) {
      const o = <usize>p << 2;
      v128.store(y + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), mv), av), bv));
    }
  }
  for (; p < len; p++) {
    const o = <usize>p << 2;
    store<f32>(y + o, (load<f32>(x + o) - m) * a + b);
  }
}

@inline function at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

export function batchNormStatistics(
  x: usize, n: i32, c: i32, hw: i32, runningMean: usize, runningVar: usize,
  momentum: f64, eps: f64, batchStats: i32, mean: usize, invstd: usize, sample: i32, span: i32,
): void {
  const M = <f64>n * <f64>hw;
  const plane = <usize>hw << 2, stride = <usize>sample << 2;
  let ch = ASC_FEATURE_SIMD && hw == 1
    ? statisticsColumns(x, n, c, sample, runningMean, runningVar, momentum, eps, batchStats, mean, invstd) : 0;
  for (; ch < c; ch++) {
    let mu: f64, variance: f64;
    if (batchStats) {
      const first = x + <usize>ch * plane;
      let s: f64 = 0;
      for (let i = 0; i < n; i++) s += segment(SUM, first + <usize>i * stride, 0, hw, 0);
      mu = s / M;
      let v: f64 = 0;
      for (let i = 0; i < n; i++) v += segment(SQDEV, first + <usize>i * stride, 0, hw, mu);
      variance = v / M;
      if (runningMean) {
        const rm = runningMean + (<usize>ch << 2), rv = runningVar + (<usize>ch << 2);
        store<f32>(rm, <f32>((1 - momentum) * <f64>load<f32>(rm) + momentum * mu));
        store<f32>(rv, <f32>((1 - momentum) * <f64>load<f32>(rv) + momentum * variance * (M / (M - 1))));
      }
    } else {
      mu = <f64>at(runningMean, ch);
      variance = <f64>at(runningVar, ch);
    }
    store<f32>(mean + (<usize>ch << 2), <f32>mu);
    store<f32>(invstd + (<usize>ch << 2), <f32>(1 / Math.sqrt(variance + eps)));
  }
}

export function batchNormApply(
  x: usize, n: i32, c: i32, hw: i32, mean: usize, invstd: usize, weight: usize, bias: usize, y: usize, sample: i32,
): void {
  const plane = <usize>hw << 2;
  for (let i = 0; i < n; i++) {
    let ch = ASC_FEATURE_SIMD && hw == 1 ? applyColumns(x, i, c, mean, invstd, weight, bias, y) : 0;
    for (; ch < c; ch++) {
      const inv = at(invstd, ch);
      const a = weight ? inv * at(weight, ch) : inv;
      const b: f32 = bias ? at(bias, ch) : 0;
      const o = <usize>(i * c + ch) * plane;
      affine(x + o, y + o, hw, at(mean, ch), a, b);
    }
  }
}

export function batchNormBackwardSums(
  x: usize, dy: usize, n: i32, c: i32, hw: i32, mean: usize, invstd: usize, biasSums: usize, weightSums: usize,
  sample: i32, span: i32,
): void {
  const plane = <usize>hw << 2, stride = <usize>sample << 2;
  let ch = ASC_FEATURE_SIMD && hw == 1 ? backwardSumsColumns(x, dy, n, c, sample, mean, invstd, biasSums, weightSums) : 0;
  for (; ch < c; ch++) {
    const m = <f64>at(mean, ch);
    let sg: f64 = 0, sgx: f64 = 0;
    for (let i = 0; i < n; i++) sg += segment(SUM, dy + <usize>ch * plane + <usize>i * stride, 0, hw, 0);
    for (let i = 0; i < n; i++) {
      const o = <usize>ch * plane + <usize>i * stride;
      sgx += segment(DOTDEV, x + o, dy + o, hw, m);
    }
    store<f32>(biasSums + (<usize>ch << 2), <f32>sg);
    store<f32>(weightSums + (<usize>ch << 2), <f32>(<f64>at(invstd, ch) * sgx));
  }
}

export function batchNormBackwardInput(
  x: usize, dy: usize, n: i32, c: i32, hw: i32, mean: usize, invstd: usize, weight: usize, sums: usize,
  batchStats: i32, dx: usize, total: i32, sample: i32,
): void {
  const plane = <usize>hw << 2;
  const M = <f64>total * <f64>hw;
  let ch = ASC_FEATURE_SIMD && hw == 1 ? backwardInputColumns(x, dy, n, c, mean, invstd, weight, sums, batchStats, dx, total) : 0;
  for (; ch < c; ch++) {
    const m = at(mean, ch), inv = at(invstd, ch);
    const a = weight ? inv * at(weight, ch) : inv;
    const mg = <f32>(<f64>at(sums, ch) / M), mgx = <f32>(<f64>at(sums, c + ch) / M);
    for (let i = 0; i < n; i++) {
      const o = <usize>(i * c + ch) * plane;
      const X = x + o, G = dy + o, D = dx + o;
      if (!batchStats) {
        affine(G, D, hw, 0, a, 0);
        continue;
      }
      let p = 0;
      if (ASC_FEATURE_SIMD) {
        const mv = f32x4.splat(m), iv = f32x4.splat(inv), av = f32x4.splat(a);
        const mgv = f32x4.splat(mg), mgxv = f32x4.splat(mgx);
        for (; p + 4 <= hw; p += 4) {
          const q = <usize>p << 2;
          const xhat = f32x4.mul(f32x4.sub(v128.load(X + q), mv), iv);
          const t = f32x4.sub(f32x4.sub(v128.load(G + q), mgv), f32x4.mul(xhat, mgxv));
          v128.store(D + q, f32x4.mul(av, t));
        }
      }
      for (; p < hw; p++) {
        const xhat = (at(X, p) - m) * inv;
        store<f32>(D + (<usize>p << 2), a * ((at(G, p) - mg) - xhat * mgx));
      }
    }
  }
}

export function layerNormForward(
  x: usize, m: i32, d: i32, weight: usize, bias: usize, eps: f64, mean: usize, invstd: usize, y: usize,
): void {
  const row = <usize>d << 2;
  for (let i = 0; i < m; i++) {
    const X = x + <usize>i * row, Y = y + <usize>i * row;
    const mu = segment(SUM, X, 0, d, 0) / <f64>d;
    const variance = segment(SQDEV, X, 0, d, mu) / <f64>d;
    const m32 = <f32>mu, inv = <f32>(1 / Math.sqrt(variance + eps));
    store<f32>(mean + (<usize>i << 2), m32);
    store<f32>(invstd + (<usize>i << 2), inv);
    if (!weight) {
      affine(X, Y, d, m32, inv, 0);
      continue;
    }
    let p = 0;
    if (ASC_FEATURE_SIMD) {
      const mv = f32x4.splat(m32), iv = f32x4.splat(inv);
      for (; p + 4 <= d; p += 4) {
        const o = <usize>p << 2;
        const xhat = f32x4.mul(f32x4.sub(v128.load(X + o), mv), iv);
        const b = bias ? v128.load(bias + o) : f32x4.splat(0);
        v128.store(Y + o, f32x4.add(f32x4.mul(xhat, v128.load(weight + o)), b));
      }
    }
    for (; p < d; p++) {
      const xhat = (at(X, p) - m32) * inv;
      const b: f32 = bias ? at(bias, p) : 0;
      store<f32>(Y + (<usize>p << 2), xhat * at(weight, p) + b);
    }
  }
}

export function layerNormBackward(
  x: usize, dy: usize, m: i32, d: i32, mean: usize, invstd: usize, weight: usize, dx: usize,
): void {
  const row = <usize>d << 2;
  for (let i = 0; i < m; i++) {
    const X = x + <usize>i * row, G = dy + <usize>i * row, D = dx + <usize>i * row;
    const m32 = at(mean, i), inv = at(invstd, i);
    // t = dy·weight goes into dx first: the sums read it there, then dx is overwritten in place.
    if (weight) mul(G, weight, D, d);
    else copy(G, D, d);
    const inv64 = <f64>inv;
    const c1 = <f32>(segment(SUM, D, 0, d, 0) / <f64>d);
    const c2 = <f32>((inv64 * inv64) * segment(DOTDEV, X, D, d, <f64>m32) / <f64>d);
    let p = 0;
    if (ASC_FEATURE_SIMD) {
      const mv = f32x4.splat(m32), iv = f32x4.splat(inv), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
      for (; p + 4 <= d; p += 4) {
        const o = <usize>p << 2;
        const t = f32x4.sub(f32x4.sub(v128.load(D + o), c1v), f32x4.mul(f32x4.sub(v128.load(X + o), mv), c2v));
        v128.store(D + o, f32x4.mul(iv, t));
      }
    }
    for (; p < d; p++) {
      store<f32>(D + (<usize>p << 2), inv * ((at(D, p) - c1) - (at(X, p) - m32) * c2));
    }
  }
}

export function layerNormParamGrads(
  x: usize, dy: usize, cols: i32, m: i32, d: i32, mean: usize, invstd: usize, dweight: usize, dbias: usize,
  work: usize, workBytes: i32,
): void {
  // Row by row, each column's two float64 sums in the work region (cols f64 for the weight's, then
  // cols for the bias's): the rows stream through once. Summing one group of four columns over all
  // the rows before the next group read each cache line once per group. Each column still adds its
  // rows in order, so the sums are the same.
  const row = <usize>d << 2;
  const sumW = work, sumB = work + (<usize>cols << 3);
  memory.fill(work, 0, <usize>cols << 4);
  for (let i = 0; i < m; i++) {
    const X = x + <usize>i * row, G = dy + <usize>i * row;
    const m32 = at(mean, i), inv = at(invstd, i);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const mv = f32x4.splat(m32), iv = f32x4.splat(inv);
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2, o8 = <usize>j << 3;
        const g = v128.load(G + o);
        const xhat = f32x4.mul(f32x4.sub(v128.load(X + o), mv), iv);
        const gLo = f64x2.promote_low_f32x4(g), gHi = f64x2.promote_low_f32x4(v128.shuffle<f32>(g, g, 2, 3, 0, 1));
        const xLo = f64x2.promote_low_f32x4(xhat), xHi = f64x2.promote_low_f32x4(v128.shuffle<f32>(xhat, xhat, 2, 3, 0, 1));
        v128.store(sumB + o8, f64x2.add(v128.load(sumB + o8), gLo));
        v128.store(sumB + o8 + 16, f64x2.add(v128.load(sumB + o8 + 16), gHi));
        v128.store(sumW + o8, f64x2.add(v128.load(sumW + o8), f64x2.mul(gLo, xLo)));
        v128.store(sumW + o8 + 16, f64x2.add(v128.load(sumW + o8 + 16), f64x2.mul(gHi, xHi)));
      }
    }
    for (; j < cols; j++) {
      const g = <f64>load<f32>(G + (<usize>j << 2));
      const xhat = <f64>((load<f32>(X + (<usize>j << 2)) - m32) * inv);
      store<f64>(sumB + (<usize>j << 3), load<f64>(sumB + (<usize>j << 3)) + g);
      store<f64>(sumW + (<usize>j << 3), load<f64>(sumW + (<usize>j << 3)) + g * xhat);
    }
  }
  for (let j = 0; j < cols; j++) {
    store<f32>(dweight + (<usize>j << 2), <f32>load<f64>(sumW + (<usize>j << 3)));
    store<f32>(dbias + (<usize>j << 2), <f32>load<f64>(sumB + (<usize>j << 3)));
  }
}
