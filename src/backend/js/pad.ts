import type { HeapView } from './views.js';
import { Pad } from '../codes.js';

// Twins of assembly/pad.ts (definitions in kernels-conv.ts): the same source indices, the
// backward's adds in the same row-major order.

/** The source index along an axis of n elements for padded index o, or −1 for the constant. */
function sourceIndex(o: number, before: number, n: number, mode: number): number {
  const i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode === Pad.reflect) return i < 0 ? -i : 2 * (n - 1) - i;
  if (mode === Pad.replicate) return i < 0 ? 0 : n - 1;
  if (mode === Pad.circular) return i < 0 ? i + n : i - n;
  return -1;
}

export function padPlanes(
  h: HeapView, x: number, planes: number, height: number, width: number, top: number, bottom: number, left: number,
  right: number, mode: number, value: number, out: number, inPlane: number, outPlane: number,
): void {
  const f = h.f32, oh = top + height + bottom, ow = left + width + right;
  for (let p = 0; p < planes; p++) {
    const X = (x >>> 2) + p * inPlane, O = (out >>> 2) + p * outPlane;
    for (let oy = 0; oy < oh; oy++) {
      const sy = sourceIndex(oy, top, height, mode);
      for (let ox = 0; ox < ow; ox++) {
        const sx = sourceIndex(ox, left, width, mode);
        f[O + oy * ow + ox] = sy < 0 || sx < 0 ? value : f[X + sy * width + sx];
      }
    }
  }
}

export function padPlanesBackward(
  h: HeapView, dout: number, planes: number, height: number, width: number, top: number, bottom: number, left: number,
  right: number, mode: number, dx: number, inPlane: number, outPlane: number,
): void {
  const f = h.f32, oh = top + height + bottom, ow = left + width + right;
  for (let p = 0; p < planes; p++) {
    const G = (dout >>> 2) + p * outPlane, D = (dx >>> 2) + p * inPlane;
    if (mode === Pad.constant) {
      for (let y = 0; y < height; y++) f.copyWithin(D + y * width, G + (y + top) * ow + left, G + (y + top) * ow + left + width);
      continue;
    }
    f.fill(0, D, D + height * width);
    for (let oy = 0; oy < oh; oy++) {
      const row = D + sourceIndex(oy, top, height, mode) * width;
      for (let ox = 0; ox < ow; ox++) f[row + sourceIndex(ox, left, width, mode)] += f[G + oy * ow + ox];
    }
  }
}
