// Helpers of the depthwise kernels (conv-depthwise.ts, conv-depthwise-grad.ts); not exported from
// the module (index.ts does not re-export this file).
import { GemmOrder } from '../src/backend/codes';
import { at, padPlanes, zeroRun } from './conv-runs';

/** gemm's k-block (KC in gemm.ts): its sums restart every this many terms. */
export const K_BLOCK: i32 = GemmOrder.kBlock;

/** Padded rows (or columns) that o outputs at stride s of a k-tap window dilated by d read. */
@inline export function spanOf(o: i32, s: i32, k: i32, d: i32): i32 {
  return (o - 1) * s + (k - 1) * d + 1;
}

/** Floats rounded up to whole 64-byte lines. */
@inline export function lines(floats: i32): i32 {
  return (floats + 15) & ~15;
}

/**
 * xp[φ][r][q] = x[r − ph][q·sw + φ − pw], 0 outside the h×w plane, for r < rows, q < wq: one
 * plane zero-padded, its columns dealt into sw phases.
 */
export function phasePlane(x: usize, h: i32, w: i32, ph: i32, pw: i32, sw: i32, rows: i32, wq: i32, xp: usize): void {
  if (sw == 1) {
    padPlanes(x, 1, h, w, ph, pw, rows, wq, xp);
    return;
  }
  for (let phase = 0; phase < sw; phase++) {
    for (let r = 0; r < rows; r++) {
      const out = at(xp, (phase * rows + r) * wq), iy = r - ph;
      if (iy < 0 || iy >= h) {
        zeroRun(out, wq);
        continue;
      }
      const row = at(x, iy * w);
      for (let q = 0; q < wq; q++) {
        const ix = q * sw + phase - pw;
        store<f32>(at(out, q), ix >= 0 && ix < w ? load<f32>(at(row, ix)) : 0);
      }
    }
  }
}

/**
 * offsets[t] = the float offset in phasePlane's layout of tap t = (ki, kj) for output (0, 0):
 * output (oy, ox) then reads offsets[t] + oy·sh·wq + ox.
 */
export function tapOffsets(kh: i32, kw: i32, dh: i32, dw: i32, sw: i32, rows: i32, wq: i32, offsets: usize): void {
  for (let ki = 0; ki < kh; ki++) {
    for (let kj = 0; kj < kw; kj++) {
      const col = kj * dw;
      store<i32>(offsets + (<usize>(ki * kw + kj) << 2), ((col % sw) * rows + ki * dh) * wq + col / sw);
    }
  }
}

/** acc + w·v. */
@inline export function mac(acc: v128, w: v128, v: v128): v128 {
  return f32x4.add(acc, f32x4.mul(w, v));
}

/** out = s where first, else s + out (gemm's β = 1 for every k-block after the first). */
@inline export function putVector(out: usize, s: v128, first: bool): void {
  v128.store(out, first ? s : f32x4.add(s, v128.load(out)));
}

