import type { HeapView } from './views.js';
import { GemmOrder } from '../codes.js';

// Twins of assembly/conv-depthwise.ts, written as the definitions read (kernels-conv.ts): every
// sum float32 (Math.fround after each operation) in the kernels' order, so the bits equal the
// wasm builds'. A weight's taps t = ki·kw + kj; output channel ch·multiplier + j reads input
// channel ch.

const K_BLOCK = GemmOrder.kBlock;

/** Σ_{i<count} term(i) in k-blocks: each block's sum from its first term... */
function blockedSum(count: number, term: (i: number) => number, fromZero: boolean): number {
  let total = 0;
  for (let i0 = 0; i0 < count; i0 += K_BLOCK) {
    const i1 = Math.min(count, i0 + K_BLOCK);
    // ...or from +0 (gemm's accumulators start at +0; where the sum is only added to something
    // that is never −0, starting from the first term is the same).
    let s = fromZero ? 0 : term(i0);
    for (let i = fromZero ? i0 : i0 + 1; i < i1; i++) s = Math.fround(s + term(i));
    total = i0 === 0 ? s : Math.fround(s + total);
  }
  return total;
}

export function depthwiseForward(
  h: HeapView, x: number, z: number, xs: number, zs: number, n: number, c: number, height: number, width: number,
  kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number,
  multiplier: number, weight: number, work: number, workBytes: number,
): void {
  void work; void workBytes;
  const f = h.f32, kk = kh * kw, l = oh * ow;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const X = (x >>> 2) + s * xs + ch * height * width;
      for (let j = 0; j < multiplier; j++) {
        const o = ch * multiplier + j, W = (weight >>> 2) + o * kk, Z = (z >>> 2) + s * zs + o * l;
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++) {
            f[Z + oy * ow + ox] = blockedSum(kk, (t) => {
              const iy = oy * sh - ph + Math.floor(t / kw) * dh, ix = ox * sw - pw + (t % kw) * dw;
              const v = iy >= 0 && iy < height && ix >= 0 && ix < width ? f[X + iy * width + ix] : 0;
              return Math.fround(f[W + t] * v);
            }, true);
          }
        }
      }
    }
  }
}

export function depthwiseInputGrad(
  h: HeapView, dz: number, dx: number, zs: number, xs: number, n: number, c: number, height: number, width: number,
  kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number,
  multiplier: number, weight: number, work: number, workBytes: number,
): void {
  void work; void workBytes;
  const f = h.f32, kk = kh * kw, l = oh * ow, plane = height * width;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const X = (dx >>> 2) + s * xs + ch * plane, D = (dz >>> 2) + s * zs + ch * multiplier * l;
      const W = (weight >>> 2) + ch * multiplier * kk;
      f.fill(0, X, X + plane);
      for (let t = 0; t < kk; t++) {
        const ki = Math.floor(t / kw), kj = t % kw;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + kj * dw;
            if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
            const g = blockedSum(multiplier, (j) => Math.fround(f[W + j * kk + t] * f[D + j * l + oy * ow + ox]), false);
            f[X + iy * width + ix] = Math.fround(f[X + iy * width + ix] + g);
          }
        }
      }
    }
  }
}

export function depthwiseWeightGrad(
  h: HeapView, x: number, dz: number, partial: number, xPlane: number, dzPlanes: number, taps: number, c: number, span: number,
  n: number, xs: number, zs: number, block: number, partialSize: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number, multiplier: number,
  work: number, workBytes: number,
): void {
  void taps; void span; void work; void workBytes;
  const f = h.f32, kk = kh * kw, l = oh * ow, blocks = Math.ceil(n / block);
  for (let ch = 0; ch < c; ch++) {
    for (let b = 0; b < blocks; b++) {
      const out = (partial >>> 2) + b * partialSize + ch * multiplier * kk;
      for (let jj = 0; jj < Math.min(block, n - b * block); jj++) {
        const sample = b * block + jj;
        const X = (x >>> 2) + sample * xs + ch * xPlane;
        for (let j = 0; j < multiplier; j++) {
          const D = (dz >>> 2) + sample * zs + ch * dzPlanes + j * l;
          for (let l0 = 0; l0 < l; l0 += K_BLOCK) {
            const l1 = Math.min(l, l0 + K_BLOCK), first = jj === 0 && l0 === 0;
            for (let t = 0; t < kk; t++) {
              const ki = Math.floor(t / kw), kj = t % kw;
              let s = 0;
              for (let li = l0; li < l1; li++) {
                const oy = Math.floor(li / ow), ox = li - oy * ow;
                const iy = oy * sh - ph + ki * dh, ix = ox * sw - pw + kj * dw;
                const v = iy >= 0 && iy < height && ix >= 0 && ix < width ? f[X + iy * width + ix] : 0;
                s = Math.fround(s + Math.fround(f[D + li] * v));
              }
              const o = out + j * kk + t;
              f[o] = first ? s : Math.fround(s + f[o]);
            }
          }
        }
      }
    }
  }
}
