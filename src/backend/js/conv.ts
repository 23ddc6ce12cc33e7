import type { HeapView } from './views.js';
import { GemmOrder } from '../codes.js';
import { activationForward } from './activations.js';
import { gemm } from './gemm.js';

// Twins of assembly/conv.ts, written as the definitions read (kernels-conv.ts); every sum is
// float32 (Math.fround after each add) in the kernels' order, so the bits equal the wasm builds'.

/**
 * Visits the column matrix [c·kh·kw, oh·ow] of im2col row (ci, ki, kj) by row, each row in output
 * order (oy, ox): o is the element's float index from the matrix's start, i the input float it
 * stands for, (ci·height + iy)·width + ix, or −1 where its window lies in the padding.
 */
function eachColumnElement(
  c: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number,
  visit: (o: number, i: number) => void,
): void {
  let o = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + kj * dw;
            const inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            visit(o++, inside ? (ci * height + iy) * width + ix : -1);
          }
        }
      }
    }
  }
}

export function im2col(
  h: HeapView, x: number, c: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number, col: number,
): void {
  const f = h.f32, X = x >>> 2, O = col >>> 2;
  eachColumnElement(c, height, width, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, (o, i) => {
    f[O + o] = i < 0 ? 0 : f[X + i];
  });
}

export function col2im(
  h: HeapView, col: number, c: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number, x: number,
): void {
  const f = h.f32, X = x >>> 2, O = col >>> 2;
  f.fill(0, X, X + c * height * width);
  eachColumnElement(c, height, width, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, (o, i) => {
    if (i >= 0) f[X + i] = Math.fround(f[X + i] + f[O + o]);
  });
}

export function channelBiasActivation(
  h: HeapView, y: number, n: number, c: number, l: number, bias: number, act: number, param: number, out: number, sample: number,
): void {
  void sample;
  const f = h.f32, B = bias >>> 2;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const row = (s * c + ch) * l * 4;
      if (bias !== 0) {
        const Y = (y + row) >>> 2, b = f[B + ch];
        for (let i = 0; i < l; i++) f[Y + i] = Math.fround(f[Y + i] + b);
      }
      activationForward(h, act, param, y + row, out + row, l);
    }
  }
}

export function convForward(
  h: HeapView, x: number, z: number, xs: number, zs: number, n: number,
  c: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
  dh: number, dw: number, oh: number, ow: number, groups: number, cout: number, weight: number, pointwise: number, work: number, workBytes: number,
): void {
  void workBytes;
  const cin = c / groups, coutG = cout / groups, kk = cin * kh * kw, l = oh * ow;
  const col = work;
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      let b = x + (s * xs + g * cin * height * width) * 4;
      if (pointwise === 0) {
        im2col(h, b, cin, height, width, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, col);
        b = col;
      }
      gemm(h, 0, 0, coutG, l, kk, 1, weight + g * coutG * kk * 4, kk, b, l, 0, z + (s * zs + g * coutG * l) * 4, l);
    }
  }
}

export function convInputGrad(
  h: HeapView, dz: number, dx: number, zs: number, xs: number, n: number,
  c: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
  dh: number, dw: number, oh: number, ow: number, groups: number, cout: number, weight: number, pointwise: number, work: number, workBytes: number,
): void {
  void workBytes;
  const cin = c / groups, coutG = cout / groups, kk = cin * kh * kw, l = oh * ow;
  const dcol = work;
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      const dxg = dx + (s * xs + g * cin * height * width) * 4;
      const target = pointwise !== 0 ? dxg : dcol;
      gemm(h, 1, 0, kk, l, coutG, 1, weight + g * coutG * kk * 4, kk, dz + (s * zs + g * coutG * l) * 4, l, 0, target, l);
      if (pointwise === 0) col2im(h, dcol, cin, height, width, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dxg);
    }
  }
}

export function convWeightGrad(
  h: HeapView, x: number, dz: number, partial: number, xBlock: number, dzBlock: number, partialSize: number, blocks: number,
  span: number, c: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
  dh: number, dw: number, oh: number, ow: number, channels: number, pointwise: number, xs: number, zs: number, block: number,
  work: number, workBytes: number,
): void {
  void span; void workBytes;
  const kk = c * kh * kw, l = oh * ow, col = work;
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < block; j++) {
      let colj = x + (b * xBlock + j * xs) * 4;
      if (pointwise === 0) {
        im2col(h, colj, c, height, width, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, col);
        colj = col;
      }
      const dzj = dz + (b * dzBlock + j * zs) * 4;
      gemm(h, 0, 1, channels, kk, l, 1, dzj, l, colj, l, j > 0 ? 1 : 0, partial + b * partialSize * 4, kk);
    }
  }
}

/** The taps of output (oy, ox) of channel co in order from +0, x = 0 in the padding (float32). */
function directOne(
  f: Float32Array, X: number, height: number, width: number, c: number, kh: number, kw: number,
  ph: number, pw: number, dh: number, dw: number, W: number, oy: number, ox: number,
): number {
  let s = 0, p = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      const iy = oy - ph + ki * dh;
      for (let kj = 0; kj < kw; kj++, p++) {
        const ix = ox - pw + kj * dw;
        const v = iy >= 0 && iy < height && ix >= 0 && ix < width ? f[X + (ci * height + iy) * width + ix] : 0;
        s = Math.fround(s + Math.fround(f[W + p] * v));
      }
    }
  }
  return s;
}

export function convDirectForward(
  h: HeapView, x: number, z: number, y: number, xs: number, zs: number, n: number,
  c: number, height: number, width: number, kh: number, kw: number, ph: number, pw: number, dh: number, dw: number,
  oh: number, ow: number, cout: number, weight: number, bias: number, act: number, param: number, work: number, workBytes: number,
): void {
  void work; void workBytes;
  const f = h.f32, kk = c * kh * kw, l = oh * ow;
  for (let s = 0; s < n; s++) {
    const X = (x >>> 2) + s * xs, Z = (z >>> 2) + s * zs;
    for (let co = 0; co < cout; co++) {
      const W = (weight >>> 2) + co * kk;
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let v = directOne(f, X, height, width, c, kh, kw, ph, pw, dh, dw, W, oy, ox);
          if (bias !== 0) v = Math.fround(v + f[(bias >>> 2) + co]);
          f[Z + co * l + oy * ow + ox] = v;
        }
      }
    }
    activationForward(h, act, param, z + s * zs * 4, y + s * zs * 4, cout * l);
  }
}

export function convDirectWeightGrad(
  h: HeapView, x: number, dz: number, partial: number, xBlock: number, dzBlock: number, partialSize: number, blocks: number, span: number,
  c: number, height: number, width: number, kh: number, kw: number, ph: number, pw: number, dh: number, dw: number,
  oh: number, ow: number, cout: number, xs: number, zs: number, block: number, work: number, workBytes: number,
): void {
  void span; void work; void workBytes;
  const f = h.f32, kk = c * kh * kw, l = oh * ow, kBlock = GemmOrder.kBlock;
  for (let b = 0; b < blocks; b++) {
    const out = (partial >>> 2) + b * partialSize;
    for (let j = 0; j < block; j++) {
      const X = (x >>> 2) + b * xBlock + j * xs, D = (dz >>> 2) + b * dzBlock + j * zs;
      for (let l0 = 0; l0 < l; l0 += kBlock) {
        const l1 = Math.min(l, l0 + kBlock), first = j === 0 && l0 === 0;
        for (let co = 0; co < cout; co++) {
          let p = 0;
          for (let ci = 0; ci < c; ci++) {
            for (let ki = 0; ki < kh; ki++) {
              for (let kj = 0; kj < kw; kj++, p++) {
                let s = 0;
                for (let li = l0; li < l1; li++) {
                  const oy = Math.floor(li / ow), ox = li - oy * ow;
                  const iy = oy - ph + ki * dh, ix = ox - pw + kj * dw;
                  const v = iy >= 0 && iy < height && ix >= 0 && ix < width ? f[X + (ci * height + iy) * width + ix] : 0;
                  s = Math.fround(s + Math.fround(f[D + co * l + li] * v));
                }
                const o = out + co * kk + p;
                f[o] = first ? s : Math.fround(s + f[o]);
              }
            }
          }
        }
      }
    }
  }
}
