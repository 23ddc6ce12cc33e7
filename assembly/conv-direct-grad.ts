// The direct weight gradient of a thin convolution (declared in src/backend/kernels-conv.ts): the
// zero-padded sample of conv-direct.ts read in place, SIMD lanes over four output channels, every
// sum in gemm's order (k-blocks of 512 output positions, the samples of a block added in order),
// so the bits equal convWeightGrad's.
import { GemmOrder } from '../src/backend/codes';
import { at, padPlanes, paddedBytes } from './conv-runs';

/** gemm's k-block (KC in gemm.ts): the weight gradient's sums restart every this many output positions. */
const K_BLOCK: i32 = GemmOrder.kBlock;

/** Byte offset in the padded planes of tap p = (ci, ki, kj) at output position (0, 0). */
@inline function tapOffset(p: i32, kh: i32, kw: i32, dh: i32, dw: i32, hp: i32, wp: i32): usize {
  const taps = kh * kw, ci = p / taps, r = p - ci * taps, ki = r / kw, kj = r - ki * kw;
  return <usize>((ci * hp + ki * dh) * wp + kj * dw) << 2;
}

/** out = s (the first sum of a block) or s + out. */
@inline function putSum(out: usize, s: f32, first: bool): void {
  store<f32>(out, first ? s : s + load<f32>(out));
}

/** The four lanes of s are channels co … co+3 of tap p. */
@inline function putLanes(out: usize, s: v128, kk: i32, first: bool): void {
  const kb = <usize>kk << 2;
  putSum(out, f32x4.extract_lane(s, 0), first);
  putSum(out + kb, f32x4.extract_lane(s, 1), first);
  putSum(out + kb * 2, f32x4.extract_lane(s, 2), first);
  putSum(out + kb * 3, f32x4.extract_lane(s, 3), first);
}

/**
 * Taps p … p+P−1 (P = 4 or 1) of channels co … co+4·CV−1 (CV = 2 or 1) summed over output
 * positions [l0, l1): P·CV accumulators, lanes the channels (dzT holds dz transposed, [l][cout]).
 */
@inline function gradTile(
  P: i32, CV: i32, xp: usize, dzT: usize, cout: i32, co: i32, p: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  hp: i32, wp: i32, ow: i32, l0: i32, l1: i32, out: usize, kk: i32, first: bool,
): void {
  const zero = f32x4.splat(0);
  let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
  const o0 = tapOffset(p, kh, kw, dh, dw, hp, wp);
  const o1 = P > 1 ? tapOffset(p + 1, kh, kw, dh, dw, hp, wp) : 0;
  const o2 = P > 1 ? tapOffset(p + 2, kh, kw, dh, dw, hp, wp) : 0;
  const o3 = P > 1 ? tapOffset(p + 3, kh, kw, dh, dw, hp, wp) : 0;
  const dstep = <usize>cout << 2;
  let d = at(dzT, l0 * cout + co);
  let oy = l0 / ow, ox = l0 - oy * ow, li = l0;
  while (li < l1) {
    const len = min(ow - ox, l1 - li);
    let xb = at(xp, oy * wp + ox);
    for (let t = 0; t < len; t++, d += dstep, xb += 4) {
      const d0 = v128.load(d);
      const d1 = CV > 1 ? v128.load(d + 16) : zero;
      const x0 = v128.load32_splat(xb + o0);
      a00 = f32x4.add(a00, f32x4.mul(d0, x0));
      if (CV > 1) a01 = f32x4.add(a01, f32x4.mul(d1, x0));
      if (P > 1) {
        const x1 = v128.load32_splat(xb + o1);
        a10 = f32x4.add(a10, f32x4.mul(d0, x1));
        if (CV > 1) a11 = f32x4.add(a11, f32x4.mul(d1, x1));
        const x2 = v128.load32_splat(xb + o2);
        a20 = f32x4.add(a20, f32x4.mul(d0, x2));
        if (CV > 1) a21 = f32x4.add(a21, f32x4.mul(d1, x2));
        const x3 = v128.load32_splat(xb + o3);
        a30 = f32x4.add(a30, f32x4.mul(d0, x3));
        if (CV > 1) a31 = f32x4.add(a31, f32x4.mul(d1, x3));
      }
    }
    li += len;
    oy++;
    ox = 0;
  }
  const o = at(out, co * kk + p), c4 = <usize>(4 * kk) << 2;
  putLanes(o, a00, kk, first);
  if (CV > 1) putLanes(o + c4, a01, kk, first);
  if (P > 1) {
    putLanes(o + 4, a10, kk, first);
    putLanes(o + 8, a20, kk, first);
    putLanes(o + 12, a30, kk, first);
    if (CV > 1) {
      putLanes(o + c4 + 4, a11, kk, first);
      putLanes(o + c4 + 8, a21, kk, first);
      putLanes(o + c4 + 12, a31, kk, first);
    }
  }
}

/**
 * Kernel row (ci, ki) of a 3-wide kernel (kw = 3, dw = 1): taps p … p+2, three consecutive input
 * floats at every position (rowOffset: the row's byte offset in the padded planes), over
 * channels co … co+4·CV−1, summed over output positions [l0, l1): 3·CV accumulators.
 * Two positions per iteration with the exit test between them: each position is its own basic
 * block, so TurboFan hoists only its 5 loads (see gemm-tile.ts); the pointers start one step
 * back and advance before use (no zero-extension of a loop phi as an address).
 */
@inline function gradRow3(
  CV: i32, xp: usize, dzT: usize, cout: i32, co: i32, p: i32, rowOffset: usize,
  wp: i32, ow: i32, l0: i32, l1: i32, out: usize, kk: i32, first: bool,
): void {
  const zero = f32x4.splat(0);
  let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero;
  const dstep = <usize>cout << 2;
  let d = at(dzT, l0 * cout + co) - dstep;
  let oy = l0 / ow, ox = l0 - oy * ow, li = l0;
  while (li < l1) {
    const len = min(ow - ox, l1 - li);
    let xb = at(xp, oy * wp + ox) + rowOffset - 4;
    const last = xb + (<usize>len << 2);
    while (true) {
      xb += 4;
      d += dstep;
      let d0 = v128.load(d);
      let d1 = CV > 1 ? v128.load(d, 16) : zero;
      let x0 = v128.load32_splat(xb), x1 = v128.load32_splat(xb, 4), x2 = v128.load32_splat(xb, 8);
      a00 = f32x4.add(a00, f32x4.mul(d0, x0));
      if (CV > 1) a01 = f32x4.add(a01, f32x4.mul(d1, x0));
      a10 = f32x4.add(a10, f32x4.mul(d0, x1));
      if (CV > 1) a11 = f32x4.add(a11, f32x4.mul(d1, x1));
      a20 = f32x4.add(a20, f32x4.mul(d0, x2));
      if (CV > 1) a21 = f32x4.add(a21, f32x4.mul(d1, x2));
      if (xb == last) break;
      xb += 4;
      d += dstep;
      d0 = v128.load(d);
      d1 = CV > 1 ? v128.load(d, 16) : zero;
      x0 = v128.load32_splat(xb); x1 = v128.load32_splat(xb, 4); x2 = v128.load32_splat(xb, 8);
      a00 = f32x4.add(a00, f32x4.mul(d0, x0));
      if (CV > 1) a01 = f32x4.add(a01, f32x4.mul(d1, x0));
      a10 = f32x4.add(a10, f32x4.mul(d0, x1));
      if (CV > 1) a11 = f32x4.add(a11, f32x4.mul(d1, x1));
      a20 = f32x4.add(a20, f32x4.mul(d0, x2));
      if (CV > 1) a21 = f32x4.add(a21, f32x4.mul(d1, x2));
      if (xb == last) break;
    }
    li += len;
    oy++;
    ox = 0;
  }
  const o = at(out, co * kk + p), c4 = <usize>(4 * kk) << 2;
  putLanes(o, a00, kk, first);
  putLanes(o + 4, a10, kk, first);
  putLanes(o + 8, a20, kk, first);
  if (CV > 1) {
    putLanes(o + c4, a01, kk, first);
    putLanes(o + c4 + 4, a11, kk, first);
    putLanes(o + c4 + 8, a21, kk, first);
  }
}

/** Channels co … co+4·CV−1, every tap: a 3-wide kernel by rows, else taps in fours, then one at a time. */
@inline function gradChannels(
  CV: i32, xp: usize, dzT: usize, cout: i32, co: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  hp: i32, wp: i32, ow: i32, l0: i32, l1: i32, out: usize, kk: i32, first: bool,
): void {
  if (kw == 3 && dw == 1) {
    for (let p = 0; p < kk; p += 3) gradRow3(CV, xp, dzT, cout, co, p, tapOffset(p, kh, kw, dh, dw, hp, wp), wp, ow, l0, l1, out, kk, first);
    return;
  }
  let p = 0;
  for (; p + 4 <= kk; p += 4) gradTile(4, CV, xp, dzT, cout, co, p, kh, kw, dh, dw, hp, wp, ow, l0, l1, out, kk, first);
  for (; p < kk; p++) gradTile(1, CV, xp, dzT, cout, co, p, kh, kw, dh, dw, hp, wp, ow, l0, l1, out, kk, first);
}

/** dzT[li][co] = dz[co][li] for the channels co < vectorChannels (a multiple of 4): 4×4 blocks by shuffles. */
function transposeDz(dz: usize, cout: i32, l: i32, vectorChannels: i32, dzT: usize): void {
  const rowBytes = <usize>l << 2, stride = <usize>cout << 2;
  for (let co = 0; co < vectorChannels; co += 4) {
    const src = at(dz, co * l);
    let li = 0;
    for (; li + 4 <= l; li += 4) {
      const p = src + (<usize>li << 2);
      const r0 = v128.load(p), r1 = v128.load(p + rowBytes), r2 = v128.load(p + rowBytes * 2), r3 = v128.load(p + rowBytes * 3);
      const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const d = at(dzT, li * cout + co);
      v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(d + stride, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
      v128.store(d + stride * 2, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
      v128.store(d + stride * 3, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
    }
    for (; li < l; li++) {
      for (let r = 0; r < 4; r++) store<f32>(at(dzT, li * cout + co + r), load<f32>(at(src, r * l + li)));
    }
  }
}

export function convDirectWeightGrad(
  x: usize, dz: usize, partial: usize, xBlock: i32, dzBlock: i32, partialSize: i32, blocks: i32, span: i32,
  c: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cout: i32, xs: i32, zs: i32, block: i32, work: usize, workBytes: i32,
): void {
  const hp = oh + (kh - 1) * dh, wp = ow + (kw - 1) * dw, kk = c * kh * kw, l = oh * ow;
  const xp = work, dzT = work + paddedBytes(c, hp, wp);
  // Channels in fours go through the SIMD tiles; the rest (and the scalar build) one at a time.
  const vectorChannels = ASC_FEATURE_SIMD ? cout & ~3 : 0;
  for (let b = 0; b < blocks; b++) {
    const out = at(partial, b * partialSize);
    for (let j = 0; j < block; j++) {
      padPlanes(at(x, b * xBlock + j * xs), c, h, w, ph, pw, hp, wp, xp);
      const dzj = at(dz, b * dzBlock + j * zs);
      if (ASC_FEATURE_SIMD && vectorChannels > 0) transposeDz(dzj, cout, l, vectorChannels, dzT);
      for (let l0 = 0; l0 < l; l0 += K_BLOCK) {
        const l1 = min(l, l0 + K_BLOCK), first = j == 0 && l0 == 0;
        let co = 0;
        if (ASC_FEATURE_SIMD) {
          for (; co + 8 <= vectorChannels; co += 8) gradChannels(2, xp, dzT, cout, co, kh, kw, dh, dw, hp, wp, ow, l0, l1, out, kk, first);
          for (; co < vectorChannels; co += 4) gradChannels(1, xp, dzT, cout, co, kh, kw, dh, dw, hp, wp, ow, l0, l1, out, kk, first);
        }
        for (; co < cout; co++) {
          for (let p = 0; p < kk; p++) {
            const off = tapOffset(p, kh, kw, dh, dw, hp, wp);
            let s: f32 = 0;
            for (let li = l0; li < l1; li++) {
              const oy = li / ow, ox = li - oy * ow;
              s += load<f32>(at(dzj, co * l + li)) * load<f32>(at(xp, oy * wp + ox) + off);
            }
            putSum(at(out, co * kk + p), s, first);
          }
        }
      }
    }
  }
}
