import type { HeapView } from './views.js';
import { Act } from '../codes.js';
import { activationForward } from './activations.js';

// Twins of assembly/pool.ts (definitions in kernels-conv.ts): float32 sums in the kernels' order.

export function maxPoolForward(
  h: HeapView, x: number, planes: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, oh: number, ow: number,
  y: number, idx: number, inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  const f = h.f32;
  for (let p = 0; p < planes; p++) {
    const X = (x >>> 2) + p * height * width;
    let o = (y >>> 2) + p * oh * ow, io = (idx >>> 2) + p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++, io++) {
        let best = -Infinity, at = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= height) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj * dw;
            if (ix < 0 || ix >= width) continue;
            const v = f[X + iy * width + ix];
            // torch's rule: the first in-bounds element, then `val > max || isnan(val)` (a NaN wins).
            if (at < 0 || v > best || v !== v) { best = v; at = iy * width + ix; }
          }
        }
        f[o] = best;
        f[io] = at;
      }
    }
  }
}

export function adaptiveMaxPoolForward(
  h: HeapView, x: number, planes: number, height: number, width: number, oh: number, ow: number, y: number, idx: number,
  inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  const f = h.f32;
  let o = y >>> 2, io = idx >>> 2;
  for (let p = 0; p < planes; p++) {
    const X = (x >>> 2) + p * height * width;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.floor((oy * height) / oh), y1 = Math.ceil(((oy + 1) * height) / oh);
      for (let ox = 0; ox < ow; ox++, o++, io++) {
        const x0 = Math.floor((ox * width) / ow), x1 = Math.ceil(((ox + 1) * width) / ow);
        let best = -Infinity, at = -1;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = f[X + iy * width + ix];
            // torch's rule: the first element, then `val > max || isnan(val)` (a NaN wins).
            if (at < 0 || v > best || v !== v) { best = v; at = iy * width + ix; }
          }
        }
        f[o] = best;
        f[io] = at;
      }
    }
  }
}

export function maxPoolBackward(
  h: HeapView, dy: number, idx: number, planes: number, height: number, width: number, oh: number, ow: number, dx: number,
  inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  scatterWindows(h, dy, idx, 0, false, planes, height * width, oh * ow, dx);
}

/**
 * dx = 0, then dx[p][idx[p][o]] += g for each window in order: g = dy, or with `relu` the gradient
 * of a ReLU applied to the pool's output y first, y ≤ 0 ? 0 : dy.
 */
function scatterWindows(
  h: HeapView, dy: number, idx: number, y: number, relu: boolean, planes: number, plane: number, out: number, dx: number,
): void {
  const f = h.f32;
  f.fill(0, dx >>> 2, (dx >>> 2) + planes * plane);
  for (let p = 0; p < planes; p++) {
    const D = (dx >>> 2) + p * plane, G = (dy >>> 2) + p * out, I = (idx >>> 2) + p * out, Y = (y >>> 2) + p * out;
    for (let o = 0; o < out; o++) {
      const at = D + f[I + o];
      const g = relu && f[Y + o] <= 0 ? 0 : f[G + o];
      f[at] = Math.fround(f[at] + g);
    }
  }
}

export function maxPool2x2Forward(
  h: HeapView, x: number, planes: number, oh: number, ow: number, y: number, idx: number, relu: number, inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  maxPoolForward(h, x, planes, 2 * oh, 2 * ow, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow, y, idx, inPlane, outPlane);
  if (relu !== 0) activationForward(h, Act.relu, 0, y, y, planes * oh * ow);
}

export function maxPool2x2Backward(
  h: HeapView, dy: number, idx: number, y: number, planes: number, oh: number, ow: number, dx: number, relu: number,
  inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  scatterWindows(h, dy, idx, y, relu !== 0, planes, 4 * oh * ow, oh * ow, dx);
}

/** A window's in-bounds rows [y0, y1), columns [x0, x1) and the divisor of its mean. */
type Window = [y0: number, y1: number, x0: number, x1: number, divisor: number];

/** The windows of an average pool, each divisor as torch counts it (with or without the padding). */
function avgWindows(
  height: number, width: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, countIncludePad: number,
  divisor: number,
): (oy: number, ox: number) => Window {
  return (oy, ox) => {
    let y0 = oy * sh - ph, x0 = ox * sw - pw;
    let y1 = Math.min(y0 + kh, height + ph), x1 = Math.min(x0 + kw, width + pw);
    const padded = (y1 - y0) * (x1 - x0);
    y0 = Math.max(y0, 0); x0 = Math.max(x0, 0);
    y1 = Math.min(y1, height); x1 = Math.min(x1, width);
    return [y0, y1, x0, x1, divisor !== 0 ? divisor : countIncludePad !== 0 ? padded : (y1 - y0) * (x1 - x0)];
  };
}

/** The windows of an adaptive average pool: rows ⌊oy·height/oh⌋ to ⌈(oy+1)·height/oh⌉, as torch. */
function adaptiveWindows(height: number, width: number, oh: number, ow: number): (oy: number, ox: number) => Window {
  return (oy, ox) => {
    const y0 = Math.floor((oy * height) / oh), y1 = Math.ceil(((oy + 1) * height) / oh);
    const x0 = Math.floor((ox * width) / ow), x1 = Math.ceil(((ox + 1) * width) / ow);
    return [y0, y1, x0, x1, (y1 - y0) * (x1 - x0)];
  };
}

/**
 * Visits each window of each plane in output order: X is the plane's first float in `input` (x, or
 * dx for a backward), o the float of the window's output in `output` (y, or dy).
 */
function eachWindow(
  input: number, planes: number, height: number, width: number, oh: number, ow: number, output: number,
  window: (oy: number, ox: number) => Window, visit: (X: number, o: number, win: Window) => void,
): void {
  for (let p = 0; p < planes; p++) {
    const X = (input >>> 2) + p * height * width;
    let o = (output >>> 2) + p * oh * ow;
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) visit(X, o++, window(oy, ox));
  }
}

/** The forward of both average pools: each window's mean, its sum in the order (iy, ix). */
function meanOfWindows(
  f: Float32Array, x: number, planes: number, height: number, width: number, oh: number, ow: number, y: number,
  window: (oy: number, ox: number) => Window,
): void {
  eachWindow(x, planes, height, width, oh, ow, y, window, (X, o, [y0, y1, x0, x1, divisor]) => {
    let s = 0;
    for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s = Math.fround(s + f[X + iy * width + ix]);
    f[o] = Math.fround(s / divisor);
  });
}

/** The adjoint of meanOfWindows: dx = 0, then each dy / divisor added over its window, in output order. */
function spreadOverWindows(
  f: Float32Array, dy: number, planes: number, height: number, width: number, oh: number, ow: number, dx: number,
  window: (oy: number, ox: number) => Window,
): void {
  f.fill(0, dx >>> 2, (dx >>> 2) + planes * height * width);
  eachWindow(dx, planes, height, width, oh, ow, dy, window, (D, o, [y0, y1, x0, x1, divisor]) => {
    const g = Math.fround(f[o] / divisor);
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) f[D + iy * width + ix] = Math.fround(f[D + iy * width + ix] + g);
    }
  });
}

export function avgPoolForward(
  h: HeapView, x: number, planes: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, countIncludePad: number, divisor: number,
  y: number, inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  meanOfWindows(h.f32, x, planes, height, width, oh, ow, y, avgWindows(height, width, kh, kw, sh, sw, ph, pw, countIncludePad, divisor));
}

export function avgPoolBackward(
  h: HeapView, dy: number, planes: number, height: number, width: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, countIncludePad: number, divisor: number,
  dx: number, inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  spreadOverWindows(h.f32, dy, planes, height, width, oh, ow, dx, avgWindows(height, width, kh, kw, sh, sw, ph, pw, countIncludePad, divisor));
}

export function adaptiveAvgPoolForward(
  h: HeapView, x: number, planes: number, height: number, width: number, oh: number, ow: number, y: number,
  inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  meanOfWindows(h.f32, x, planes, height, width, oh, ow, y, adaptiveWindows(height, width, oh, ow));
}

export function adaptiveAvgPoolBackward(
  h: HeapView, dy: number, planes: number, height: number, width: number, oh: number, ow: number, dx: number,
  inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  spreadOverWindows(h.f32, dy, planes, height, width, oh, ow, dx, adaptiveWindows(height, width, oh, ow));
}
