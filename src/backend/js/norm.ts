import type { HeapView } from './views.js';

// Twins of assembly/norm.ts, the reference: float64 sums in the table's lane order
// (kernels-norm.ts), float32 elementwise arithmetic with one Math.fround per operation, so the
// results are the wasm builds' bit for bit.

const r = Math.fround;

/** ((x − m)·a) + b in float32, as assembly/norm.ts's `affine` (which also adds b = 0: −0 becomes +0). */
const affine = (x: number, m: number, a: number, b: number): number => r(r(r(x - m) * a) + b);

/** Σ f(p) over p < len in the lane order: p to lane p % 8, then ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). */
function laneSum(len: number, term: (p: number) => number): number {
  const l = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let p = 0; p < len; p++) l[p & 7] += term(p);
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

/** Σ over a channel: its samples' segment sums, in sample order. */
function channelSum(n: number, len: number, start: (s: number) => number, term: (at: number) => number): number {
  let total = 0;
  for (let s = 0; s < n; s++) {
    const at = start(s);
    total += laneSum(len, (p) => term(at + p));
  }
  return total;
}

export function batchNormStatistics(
  h: HeapView, x: number, n: number, c: number, hw: number, runningMean: number, runningVar: number,
  momentum: number, eps: number, batchStats: number, mean: number, invstd: number, sample: number, span: number,
): void {
  void span;
  const f = h.f32, X = x >>> 2, M = n * hw;
  for (let ch = 0; ch < c; ch++) {
    const start = (s: number) => X + s * sample + ch * hw;
    let mu: number, variance: number;
    if (batchStats) {
      mu = channelSum(n, hw, start, (i) => f[i]) / M;
      variance = channelSum(n, hw, start, (i) => (f[i] - mu) * (f[i] - mu)) / M;
      if (runningMean) {
        const rm = (runningMean >>> 2) + ch, rv = (runningVar >>> 2) + ch;
        f[rm] = (1 - momentum) * f[rm] + momentum * mu;
        f[rv] = (1 - momentum) * f[rv] + momentum * variance * (M / (M - 1));
      }
    } else {
      mu = f[(runningMean >>> 2) + ch];
      variance = f[(runningVar >>> 2) + ch];
    }
    f[(mean >>> 2) + ch] = r(mu);
    f[(invstd >>> 2) + ch] = r(1 / Math.sqrt(variance + eps));
  }
}

export function batchNormApply(
  h: HeapView, x: number, n: number, c: number, hw: number, mean: number, invstd: number, weight: number, bias: number,
  y: number, sample: number,
): void {
  void sample;
  const f = h.f32, X = x >>> 2, Y = y >>> 2;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const inv = f[(invstd >>> 2) + ch], m32 = f[(mean >>> 2) + ch];
      const a = weight ? r(inv * f[(weight >>> 2) + ch]) : inv;
      const b = bias ? f[(bias >>> 2) + ch] : 0;
      const at = X + (s * c + ch) * hw, out = Y + (s * c + ch) * hw;
      for (let p = 0; p < hw; p++) f[out + p] = affine(f[at + p], m32, a, b);
    }
  }
}

export function batchNormBackwardSums(
  h: HeapView, x: number, dy: number, n: number, c: number, hw: number, mean: number, invstd: number, biasSums: number,
  weightSums: number, sample: number, span: number,
): void {
  void span;
  const f = h.f32, X = x >>> 2, G = dy >>> 2;
  for (let ch = 0; ch < c; ch++) {
    const m = f[(mean >>> 2) + ch];
    const offset = (s: number) => s * sample + ch * hw;
    f[(biasSums >>> 2) + ch] = channelSum(n, hw, offset, (i) => f[G + i]);
    f[(weightSums >>> 2) + ch] = f[(invstd >>> 2) + ch] * channelSum(n, hw, offset, (i) => f[G + i] * (f[X + i] - m));
  }
}

export function batchNormBackwardInput(
  h: HeapView, x: number, dy: number, n: number, c: number, hw: number, mean: number, invstd: number,
  weight: number, sums: number, batchStats: number, dx: number, total: number, sample: number,
): void {
  void sample;
  const f = h.f32, X = x >>> 2, G = dy >>> 2, D = dx >>> 2, S = sums >>> 2, M = total * hw;
  for (let ch = 0; ch < c; ch++) {
    const m = f[(mean >>> 2) + ch], inv = f[(invstd >>> 2) + ch];
    const a = weight ? r(inv * f[(weight >>> 2) + ch]) : inv;
    const mg = r(f[S + ch] / M), mgx = r(f[S + c + ch] / M);
    for (let s = 0; s < n; s++) {
      const at = (s * c + ch) * hw;
      for (let p = 0; p < hw; p++) {
        const g = f[G + at + p];
        if (!batchStats) { f[D + at + p] = affine(g, 0, a, 0); continue; }
        const xhat = r(r(f[X + at + p] - m) * inv);
        f[D + at + p] = r(a * r(r(g - mg) - r(xhat * mgx)));
      }
    }
  }
}

export function layerNormForward(
  h: HeapView, x: number, m: number, d: number, weight: number, bias: number, eps: number,
  mean: number, invstd: number, y: number,
): void {
  const f = h.f32, W = weight >>> 2, B = bias >>> 2;
  for (let i = 0; i < m; i++) {
    const X = (x >>> 2) + i * d, Y = (y >>> 2) + i * d;
    const mu = laneSum(d, (p) => f[X + p]) / d;
    const variance = laneSum(d, (p) => (f[X + p] - mu) * (f[X + p] - mu)) / d;
    const m32 = r(mu), inv = r(1 / Math.sqrt(variance + eps));
    f[(mean >>> 2) + i] = m32;
    f[(invstd >>> 2) + i] = inv;
    for (let p = 0; p < d; p++) {
      const xhat = r(r(f[X + p] - m32) * inv);
      f[Y + p] = weight ? r(r(xhat * f[W + p]) + (bias ? f[B + p] : 0)) : affine(f[X + p], m32, inv, 0);
    }
  }
}

export function layerNormBackward(
  h: HeapView, x: number, dy: number, m: number, d: number, mean: number, invstd: number, weight: number, dx: number,
): void {
  const f = h.f32, W = weight >>> 2;
  for (let i = 0; i < m; i++) {
    const X = (x >>> 2) + i * d, G = (dy >>> 2) + i * d, D = (dx >>> 2) + i * d;
    const m32 = f[(mean >>> 2) + i], inv = f[(invstd >>> 2) + i];
    // t = dy·weight goes into dx first: the sums read it there, then dx is overwritten in place.
    for (let p = 0; p < d; p++) f[D + p] = weight ? r(f[G + p] * f[W + p]) : f[G + p];
    const c1 = r(laneSum(d, (p) => f[D + p]) / d);
    const c2 = r((inv * inv) * laneSum(d, (p) => f[D + p] * (f[X + p] - m32)) / d);
    for (let p = 0; p < d; p++) f[D + p] = r(inv * r(r(f[D + p] - c1) - r(r(f[X + p] - m32) * c2)));
  }
}

export function layerNormParamGrads(
  h: HeapView, x: number, dy: number, cols: number, m: number, d: number, mean: number, invstd: number,
  dweight: number, dbias: number, work: number, workBytes: number,
): void {
  void work; void workBytes; // the kernel's row-by-row sums; these add each column's rows in the same order
  const f = h.f32, X = x >>> 2, G = dy >>> 2;
  for (let j = 0; j < cols; j++) {
    let sw = 0, sb = 0;
    for (let i = 0; i < m; i++) {
      const g = f[G + i * d + j];
      sb += g;
      sw += g * r(r(f[X + i * d + j] - f[(mean >>> 2) + i]) * f[(invstd >>> 2) + i]);
    }
    f[(dweight >>> 2) + j] = sw;
    f[(dbias >>> 2) + j] = sb;
  }
}
