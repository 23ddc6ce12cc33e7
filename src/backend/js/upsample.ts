import type { HeapView } from './views.js';
import { Interp } from '../codes.js';

// Twins of assembly/upsample.ts (definitions in kernels-conv.ts): the same float32 formulas for the
// source coordinates and weights (Math.fround at each step), the same order of the sums.

const f32 = Math.fround;

/** Output d's source coordinate along an axis of n inputs and `out` outputs (see the kernel). */
function coordinate(d: number, n: number, out: number, mode: number, scale: number, alignCorners: boolean): number {
  if (mode === Interp.nearest) return out === n ? d : out === 2 * n ? d >> 1 : Math.min(Math.floor(f32(d * scale)), n - 1);
  if (mode === Interp.nearestExact) return Math.min(Math.floor(f32((d + 0.5) * scale)), n - 1);
  if (out === n) return d;
  const r = alignCorners ? f32(scale * d) : f32(f32(scale * (d + 0.5)) - 0.5);
  return !alignCorners && r < 0 ? 0 : r;
}

/** Sources i0, i1 and the second's weight λ (the first's 1 − λ) for coordinate r. */
function sources(r: number, n: number): [number, number, number, number] {
  const i0 = Math.trunc(r), lambda = Math.min(Math.max(f32(r - i0), 0), 1);
  return [i0, i0 < n - 1 ? i0 + 1 : i0, f32(1 - lambda), lambda];
}

/** Calls visit(oy, ox, [y0, y1, lh0, lh1], [x0, x1, lw0, lw1]) for every output of a plane, in order. */
function eachOutput(
  h: number, w: number, oh: number, ow: number, mode: number, scaleH: number, scaleW: number, alignCorners: number,
  visit: (rows: [number, number, number, number], cols: [number, number, number, number]) => void,
): void {
  const align = alignCorners !== 0, sh = f32(scaleH), sw = f32(scaleW);
  const columns = Array.from({ length: ow }, (_, ox) => sources(coordinate(ox, w, ow, mode, sw, align), w));
  for (let oy = 0; oy < oh; oy++) {
    const rows = sources(coordinate(oy, h, oh, mode, sh, align), h);
    for (let ox = 0; ox < ow; ox++) visit(rows, columns[ox]);
  }
}

export function upsampleForward(
  hv: HeapView, x: number, planes: number, h: number, w: number, oh: number, ow: number, mode: number, scaleH: number, scaleW: number,
  alignCorners: number, y: number, inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  const f = hv.f32;
  let o = y >>> 2;
  for (let p = 0; p < planes; p++) {
    const P = (x >>> 2) + p * h * w;
    eachOutput(h, w, oh, ow, mode, scaleH, scaleW, alignCorners, ([y0, y1, lh0, lh1], [x0, x1, lw0, lw1]) => {
      const row = (r: number) => (lw1 !== 0 ? f32(f32(lw0 * f[P + r * w + x0]) + f32(lw1 * f[P + r * w + x1])) : f[P + r * w + x0]);
      const v = row(y0);
      f[o++] = lh1 !== 0 ? f32(f32(lh0 * v) + f32(lh1 * row(y1))) : v;
    });
  }
}

export function upsampleBackward(
  hv: HeapView, dy: number, planes: number, h: number, w: number, oh: number, ow: number, mode: number, scaleH: number, scaleW: number,
  alignCorners: number, dx: number, inPlane: number, outPlane: number,
): void {
  void inPlane; void outPlane;
  const f = hv.f32;
  f.fill(0, dx >>> 2, (dx >>> 2) + planes * h * w);
  let o = dy >>> 2;
  for (let p = 0; p < planes; p++) {
    const P = (dx >>> 2) + p * h * w;
    const add = (at: number, v: number) => { f[at] = f32(f[at] + v); };
    eachOutput(h, w, oh, ow, mode, scaleH, scaleW, alignCorners, ([y0, y1, lh0, lh1], [x0, x1, lw0, lw1]) => {
      const g = f[o++];
      // torch's order: (h0, w0), (h0, w1), (h1, w0), (h1, w1), each weight the product of the two.
      add(P + y0 * w + x0, f32(f32(lh0 * lw0) * g));
      if (lw1 !== 0) add(P + y0 * w + x1, f32(f32(lh0 * lw1) * g));
      if (lh1 !== 0) {
        add(P + y1 * w + x0, f32(f32(lh1 * lw0) * g));
        if (lw1 !== 0) add(P + y1 * w + x1, f32(f32(lh1 * lw1) * g));
      }
    });
  }
}
