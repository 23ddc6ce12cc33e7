// Resampling planes (declared in src/backend/kernels-conv.ts): torch's interpolate, nearest and
// (bi)linear, plane by plane. Each axis's source indices and weights come from torch's float32
// formulas, recomputed per output (nothing is allocated); the js twin computes them alike, so
// every build and the twin give the same bits. The backward adds each output's gradient to its
// sources in output order.
import { Interp } from '../src/backend/codes';

/**
 * Along an axis of n inputs and `out` outputs, output d's source coordinate: a whole index for
 * the nearest modes, the real coordinate r for linear (its sources ⌊r⌋ and ⌊r⌋ + 1 weighted by
 * 1 − λ and λ = r − ⌊r⌋, clamped: `weight`).
 */
@inline function coordinate(d: i32, n: i32, out: i32, mode: i32, scale: f32, alignCorners: bool): f32 {
  // torch's nearest_idx: the sizes equal or doubled are exact shortcuts, else ⌊d·scale⌋ in float32.
  if (mode == Interp.nearest) return <f32>(out == n ? d : out == 2 * n ? d >> 1 : min(<i32>Mathf.floor(<f32>d * scale), n - 1));
  // (d + ½)·scale in float64, rounded to float32 before the floor, as torch's floorf((d + 0.5) * scale).
  if (mode == Interp.nearestExact) return <f32>min(<i32>Mathf.floor(<f32>((<f64>d + 0.5) * <f64>scale)), n - 1);
  if (out == n) return <f32>d;
  const r: f32 = alignCorners ? scale * <f32>d : scale * (<f32>d + <f32>0.5) - <f32>0.5;
  return !alignCorners && r < 0 ? 0 : r;
}

/** The second source's weight λ for coordinate r and first source i0 (0 for the nearest modes, whose r is whole). */
@inline function weight(r: f32, i0: i32): f32 {
  return Mathf.min(Mathf.max(r - <f32>i0, 0), 1);
}

export function upsampleForward(
  x: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, mode: i32, scaleH: f32, scaleW: f32, alignCorners: i32,
  y: usize, inPlane: i32, outPlane: i32,
): void {
  resample(x, y, planes, h, w, oh, ow, mode, scaleH, scaleW, alignCorners != 0, false);
}

export function upsampleBackward(
  dy: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, mode: i32, scaleH: f32, scaleW: f32, alignCorners: i32,
  dx: usize, inPlane: i32, outPlane: i32,
): void {
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  resample(dx, dy, planes, h, w, oh, ow, mode, scaleH, scaleW, alignCorners != 0, true);
}

/**
 * The walk both kernels share: each output of each plane in order, its source rows r0, r1 and
 * columns c0, c1 with their weights. `input` is x (dx backward), `output` y (dy). Forward: the
 * weighted sum into output (each row's pair first); backward: output's gradient added to the
 * sources, in torch's order (h0, w0), (h0, w1), (h1, w0), (h1, w1), each weight the product of
 * the two. A weight of 0 skips its source. Each kernel passes a constant flag.
 */
@inline function resample(
  input: usize, output: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, mode: i32, scaleH: f32, scaleW: f32, align: bool, backward: bool,
): void {
  let o = output;
  for (let p = 0; p < planes; p++) {
    const plane = input + (<usize>(p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const ry = coordinate(oy, h, oh, mode, scaleH, align), y0 = <i32>ry, y1 = y0 < h - 1 ? y0 + 1 : y0;
      const lh1 = weight(ry, y0), lh0 = <f32>1 - lh1;
      const r0 = plane + (<usize>(y0 * w) << 2), r1 = plane + (<usize>(y1 * w) << 2);
      for (let ox = 0; ox < ow; ox++, o += 4) {
        const rx = coordinate(ox, w, ow, mode, scaleW, align), x0 = <i32>rx;
        const lw1 = weight(rx, x0), lw0 = <f32>1 - lw1;
        const c0 = <usize>x0 << 2, c1 = <usize>(x0 < w - 1 ? x0 + 1 : x0) << 2;
        if (backward) {
          const g = load<f32>(o);
          addTo(r0 + c0, lh0 * lw0 * g);
          if (lw1 != 0) addTo(r0 + c1, lh0 * lw1 * g);
          if (lh1 != 0) {
            addTo(r1 + c0, lh1 * lw0 * g);
            if (lw1 != 0) addTo(r1 + c1, lh1 * lw1 * g);
          }
          continue;
        }
        let v = load<f32>(r0 + c0);
        if (lw1 != 0) v = lw0 * v + lw1 * load<f32>(r0 + c1);
        if (lh1 != 0) {
          let below = load<f32>(r1 + c0);
          if (lw1 != 0) below = lw0 * below + lw1 * load<f32>(r1 + c1);
          v = lh0 * v + lh1 * below;
        }
        store<f32>(o, v);
      }
    }
  }
}

@inline function addTo(at: usize, v: f32): void {
  store<f32>(at, load<f32>(at) + v);
}
