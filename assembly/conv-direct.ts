// Direct convolution kernels (declared in src/backend/kernels-conv.ts).
import { GemmOrder } from '../src/backend/codes';
import { activationForward } from './activations';
import { at, copyRun, zeroRun } from './conv-runs';

// A thin layer (LeNet's first: K = c·kh·kw = 9) gains nothing from im2col + gemm: the column matrix
// is 9× the input and gemm packs it again. These kernels read a zero-padded copy of each sample
// (hp×wp planes in the thread's work region, hp = oh + (kh−1)·dh, wp = ow + (kw−1)·dw) in place,
// SIMD lanes over four output columns (forward) or four output channels (weight gradient). Every
// output is the gemm path's float sequence exactly, so the bits equal convForward/convWeightGrad's:
// z = (…((0 + w_0·x_0) + w_1·x_1) + …) over the taps p = (ci, ki, kj) in order (padding products
// included), then + bias; dW per k-block of 512 output positions as gemm (see gemm.ts,
// Determinism), the samples of a block added in order.

/** xp[ci][r][q] = x[ci][r − ph][q − pw], 0 outside the plane: one sample's c planes, hp×wp each. */
function padPlanes(x: usize, c: i32, h: i32, w: i32, ph: i32, pw: i32, hp: i32, wp: i32, xp: usize): void {
  const before = min(pw, wp), inside = max(0, min(w, wp - pw));
  for (let ci = 0; ci < c; ci++) {
    for (let r = 0; r < hp; r++) {
      const row = at(xp, (ci * hp + r) * wp), iy = r - ph;
      if (iy < 0 || iy >= h) {
        zeroRun(row, wp);
        continue;
      }
      zeroRun(row, before);
      copyRun(at(row, before), at(x, (ci * h + iy) * w), inside);
      zeroRun(at(row, before + inside), wp - before - inside);
    }
  }
}

/** Bytes of the padded copy of one sample, rounded up to 64. */
@inline function paddedBytes(c: i32, hp: i32, wp: i32): usize {
  return (<usize>(c * hp * wp) << 2) + 63 & ~63;
}

/** One output z[co][oy][ox] in scalar code: the taps in order from +0, then + bias. */
@inline function directOne(xp: usize, hp: i32, wp: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32, wrow: usize, oy: i32, ox: i32): f32 {
  let s: f32 = 0, p = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      const row = at(xp, (ci * hp + oy + ki * dh) * wp + ox);
      for (let kj = 0; kj < kw; kj++, p++) s += load<f32>(at(wrow, p)) * load<f32>(at(row, kj * dw));
    }
  }
  return s;
}

/**
 * The weights of channels co … co+G−1 splatted for directTile: tap p's G vectors at
 * ws + (co·kk + p·G + g)·16, so a tile reads them at constant offsets from one pointer.
 */
@inline function splatWeights(G: i32, weight: usize, kk: i32, co: i32, ws: usize): void {
  for (let p = 0; p < kk; p++) {
    for (let g = 0; g < G; g++) {
      v128.store(ws + (<usize>(co * kk + p * G + g) << 4), v128.load32_splat(at(weight, (co + g) * kk + p)));
    }
  }
}

/** acc + w·v, w the g-th splatted weight at wq. */
@inline function mac(acc: v128, wq: usize, g: i32, v: v128): v128 {
  return f32x4.add(acc, f32x4.mul(v128.load(wq + (<usize>g << 4)), v));
}

/**
 * G output channels co … co+G−1 (G = 8, 4 or 1, a constant after inlining) over four output
 * columns ox … ox+3 of row oy: G f32x4 accumulators, each tap's input vector loaded once, the
 * weights pre-splatted (wq: the group's, splatWeights).
 */
@inline function directTile(
  G: i32, K3: bool, xp: usize, hp: i32, wp: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  wq: usize, oy: i32, ox: i32, zrow: usize, l: i32, bias: usize, co: i32,
): void {
  const zero = f32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
  const step = <usize>G << 4;
  // K3: kw = 3, dw = 1 (a constant after inlining): the taps of a row unrolled.
  const taps = K3 ? 3 : kw;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      const row = at(xp, (ci * hp + oy + ki * dh) * wp + ox);
      for (let kj = 0; kj < taps; kj++, wq += step) {
        const v = v128.load(K3 ? row + (<usize>kj << 2) : at(row, kj * dw));
        a0 = mac(a0, wq, 0, v);
        if (G > 1) {
          a1 = mac(a1, wq, 1, v);
          a2 = mac(a2, wq, 2, v);
          a3 = mac(a3, wq, 3, v);
        }
        if (G > 4) {
          a4 = mac(a4, wq, 4, v);
          a5 = mac(a5, wq, 5, v);
          a6 = mac(a6, wq, 6, v);
          a7 = mac(a7, wq, 7, v);
        }
      }
    }
  }
  const lb = <usize>l << 2;
  if (bias != 0) {
    const bp = at(bias, co);
    a0 = f32x4.add(a0, v128.load32_splat(bp));
    if (G > 1) {
      a1 = f32x4.add(a1, v128.load32_splat(bp + 4));
      a2 = f32x4.add(a2, v128.load32_splat(bp + 8));
      a3 = f32x4.add(a3, v128.load32_splat(bp + 12));
    }
    if (G > 4) {
      a4 = f32x4.add(a4, v128.load32_splat(bp + 16));
      a5 = f32x4.add(a5, v128.load32_splat(bp + 20));
      a6 = f32x4.add(a6, v128.load32_splat(bp + 24));
      a7 = f32x4.add(a7, v128.load32_splat(bp + 28));
    }
  }
  v128.store(zrow, a0);
  if (G > 1) {
    v128.store(zrow + lb, a1);
    v128.store(zrow + lb * 2, a2);
    v128.store(zrow + lb * 3, a3);
  }
  if (G > 4) {
    v128.store(zrow + lb * 4, a4);
    v128.store(zrow + lb * 5, a5);
    v128.store(zrow + lb * 6, a6);
    v128.store(zrow + lb * 7, a7);
  }
}

/** Channels co … co+G−1 of one sample: every row in 4-column tiles, the last tile overlapping. */
@inline function directChannels(
  G: i32, K3: bool, xp: usize, hp: i32, wp: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32, kk: i32,
  ws: usize, co: i32, oh: i32, ow: i32, z: usize, bias: usize,
): void {
  const l = oh * ow, wq = ws + (<usize>(co * kk) << 4);
  for (let oy = 0; oy < oh; oy++) {
    // A tile that would pass the row's end starts at ow − 4 instead: its lanes recompute (the same
    // bits) outputs already written.
    for (let ox = 0; ; ox += 4) {
      const x0 = min(ox, ow - 4);
      directTile(G, K3, xp, hp, wp, c, kh, kw, dh, dw, wq, oy, x0, at(z, co * l + oy * ow + x0), l, bias, co);
      if (ox + 4 >= ow) break;
    }
  }
}

export function convDirectForward(
  x: usize, z: usize, y: usize, xs: i32, zs: i32, n: i32,
  c: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  cout: i32, weight: usize, bias: usize, act: i32, param: f32, work: usize, workBytes: i32,
): void {
  const hp = oh + (kh - 1) * dh, wp = ow + (kw - 1) * dw, kk = c * kh * kw, l = oh * ow;
  const xp = work, ws = work + paddedBytes(c, hp, wp);
  const simd = ASC_FEATURE_SIMD && ow >= 4, k3 = kw == 3 && dw == 1;
  // The channels' grouping (eights, fours, ones) here and in the tiles below is the same.
  if (simd) {
    let co = 0;
    for (; co + 8 <= cout; co += 8) splatWeights(8, weight, kk, co, ws);
    for (; co + 4 <= cout; co += 4) splatWeights(4, weight, kk, co, ws);
    for (; co < cout; co++) splatWeights(1, weight, kk, co, ws);
  }
  for (let s = 0; s < n; s++) {
    padPlanes(at(x, s * xs), c, h, w, ph, pw, hp, wp, xp);
    const zsample = at(z, s * zs);
    if (simd) {
      let co = 0;
      if (k3) for (; co + 8 <= cout; co += 8) directChannels(8, true, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, bias);
      for (; co + 8 <= cout; co += 8) directChannels(8, false, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, bias);
      for (; co + 4 <= cout; co += 4) directChannels(4, false, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, bias);
      for (; co < cout; co++) directChannels(1, false, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, bias);
    } else {
      for (let co = 0; co < cout; co++) {
        const wrow = at(weight, co * kk);
        const b: f32 = bias != 0 ? load<f32>(at(bias, co)) : 0;
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++) {
            let v = directOne(xp, hp, wp, c, kh, kw, dh, dw, wrow, oy, ox);
            if (bias != 0) v += b;
            store<f32>(at(zsample, co * l + oy * ow + ox), v);
          }
        }
      }
    }
    activationForward(act, param, zsample, at(y, s * zs), cout * l);
  }
}

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

/** Channels co … co+4·CV−1, every tap: taps in fours, then one at a time. */
@inline function gradChannels(
  CV: i32, xp: usize, dzT: usize, cout: i32, co: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  hp: i32, wp: i32, ow: i32, l0: i32, l1: i32, out: usize, kk: i32, first: bool,
): void {
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
