// Padding planes (declared in src/backend/kernels-conv.ts): torch.nn.functional.pad's four modes
// over the last two dimensions, plane by plane. Each output row is its left border, the source
// row copied (or, backward, added in one run), then its right border, so the backward visits the
// padded plane in row-major order and the js twin's loop gives the same bits.
import { Pad } from '../src/backend/codes';
import { copy, fill } from './elementwise';
import { addRun } from './rows';

/**
 * The source index along an axis of n elements for padded index o (`before` elements of padding
 * come first), or −1 where the constant fills it.
 */
@inline function sourceIndex(o: i32, before: i32, n: i32, mode: i32): i32 {
  const i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode == Pad.reflect) return i < 0 ? -i : 2 * (n - 1) - i;
  if (mode == Pad.replicate) return i < 0 ? 0 : n - 1;
  if (mode == Pad.circular) return i < 0 ? i + n : i - n;
  return -1;
}

/** Writes border columns [from, to) of an output row from source row `srow` (or `value`). */
@inline function fillBorder(row: usize, srow: usize, from: i32, to: i32, left: i32, w: i32, mode: i32, value: f32): void {
  for (let ox = from; ox < to; ox++) {
    const sx = sourceIndex(ox, left, w, mode);
    store<f32>(row + (<usize>ox << 2), sx < 0 ? value : load<f32>(srow + (<usize>sx << 2)));
  }
}

/** Adds the gradients of border columns [from, to) of an output row into source row `drow`, in order. */
@inline function addBorder(row: usize, drow: usize, from: i32, to: i32, left: i32, w: i32, mode: i32): void {
  for (let ox = from; ox < to; ox++) {
    const at = drow + (<usize>sourceIndex(ox, left, w, mode) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(row + (<usize>ox << 2)));
  }
}

export function padPlanes(
  x: usize, planes: i32, h: i32, w: i32, top: i32, bottom: i32, left: i32, right: i32, mode: i32, value: f32,
  out: usize, inPlane: i32, outPlane: i32,
): void {
  const oh = top + h + bottom, ow = left + w + right;
  for (let p = 0; p < planes; p++) {
    const src = x + (<usize>p * <usize>inPlane << 2), dst = out + (<usize>p * <usize>outPlane << 2);
    for (let oy = 0; oy < oh; oy++) {
      const row = dst + (<usize>(oy * ow) << 2);
      const sy = sourceIndex(oy, top, h, mode);
      if (sy < 0) {
        fill(row, ow, value);
        continue;
      }
      const srow = src + (<usize>(sy * w) << 2);
      fillBorder(row, srow, 0, left, left, w, mode, value);
      copy(srow, row + (<usize>left << 2), w);
      fillBorder(row, srow, left + w, ow, left, w, mode, value);
    }
  }
}

export function padPlanesBackward(
  dout: usize, planes: i32, h: i32, w: i32, top: i32, bottom: i32, left: i32, right: i32, mode: i32,
  dx: usize, inPlane: i32, outPlane: i32,
): void {
  const oh = top + h + bottom, ow = left + w + right;
  for (let p = 0; p < planes; p++) {
    const g = dout + (<usize>p * <usize>outPlane << 2), d = dx + (<usize>p * <usize>inPlane << 2);
    if (mode == Pad.constant) {
      // Each input element is copied once: its gradient is the one at its place.
      for (let y = 0; y < h; y++) copy(g + (<usize>((y + top) * ow + left) << 2), d + (<usize>(y * w) << 2), w);
      continue;
    }
    fill(d, h * w, 0);
    for (let oy = 0; oy < oh; oy++) {
      const row = g + (<usize>(oy * ow) << 2);
      const drow = d + (<usize>(sourceIndex(oy, top, h, mode) * w) << 2);
      addBorder(row, drow, 0, left, left, w, mode);
      addRun(drow, row + (<usize>left << 2), drow, w);
      addBorder(row, drow, left + w, ow, left, w, mode);
    }
  }
}
