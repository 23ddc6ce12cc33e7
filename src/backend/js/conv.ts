import type { HeapView } from './views.js';
import { activationForward } from './activations.js';

// Twins of assembly/conv.ts, written as the definitions read (kernels-conv.ts); every sum is
// float32 (Math.fround after each add) in the kernels' order, so the bits equal the wasm builds'.

export function im2col(
  h: HeapView, x: number, c: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number, col: number,
): void {
  const f = h.f32, X = x >>> 2;
  let o = col >>> 2;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + kj * dw;
            const inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            f[o++] = inside ? f[X + (ci * height + iy) * width + ix] : 0;
          }
        }
      }
    }
  }
}

export function col2im(
  h: HeapView, col: number, c: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number, x: number,
): void {
  const f = h.f32, X = x >>> 2;
  f.fill(0, X, X + c * height * width);
  let o = col >>> 2;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          for (let ox = 0; ox < ow; ox++, o++) {
            const ix = ox * sw - pw + kj * dw;
            if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
            const i = X + (ci * height + iy) * width + ix;
            f[i] = Math.fround(f[i] + f[o]);
          }
        }
      }
    }
  }
}

export function channelBiasActivation(
  h: HeapView, y: number, n: number, c: number, l: number, bias: number, act: number, param: number, out: number,
): void {
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
