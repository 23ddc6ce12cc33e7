// Direct convolution kernels (declared in src/backend/kernels-conv.ts).
import { Act, GemmOrder } from '../src/backend/codes';
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

/** acc + w·v. */
@inline function mac(acc: v128, w: v128, v: v128): v128 {
  return f32x4.add(acc, f32x4.mul(w, v));
}

/**
 * Accumulator (g, v) of a tile: + bias[co + g], then to z (and ReLU of it to y when `relu`) at
 * channel g's row, column vector v.
 */
@inline function putTile(a: v128, g: i32, v: i32, bias: usize, co: i32, zrow: usize, yrow: usize, lb: usize, relu: bool): void {
  if (bias != 0) a = f32x4.add(a, v128.load32_splat(at(bias, co + g)));
  const o = <usize>g * lb + (<usize>v << 4);
  v128.store(zrow + o, a);
  if (relu) v128.store(yrow + o, f32x4.max(a, f32x4.splat(0)));
}

/**
 * G output channels co … co+G−1 (G = 4 or 1) over 4·V output columns ox … of row oy (V = 2 or 1;
 * all constants after inlining): G·V f32x4 accumulators, each tap's V input vectors and G
 * pre-splatted weights (wq: the group's, splatWeights) loaded once. Four channels × eight columns
 * keeps 6 loads + 8 accumulators live, where eight channels × four columns (9 + 8) spilled.
 * K3 (kw = 3, dw = 1; G = 4 only) unrolls each kernel row.
 */
@inline function directTile(
  G: i32, V: i32, K3: bool, xp: usize, hp: i32, wp: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  wq: usize, oy: i32, ox: i32, zrow: usize, yrow: usize, relu: bool, l: i32, bias: usize, co: i32,
): void {
  const zero = f32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
  const step = <usize>G << 4;
  if (K3) {
    // kw = 3, dw = 1, G = 4: a kernel row's three taps at constant offsets of one row pointer, each
    // its own basic block. The exit tests after a row's first two taps never fire; they keep
    // TurboFan from hoisting three taps' 18 loads above their arithmetic (spills; see gemm-tile.ts).
    const rowStep = <usize>(dh * wp) << 2;
    for (let ci = 0; ci < c; ci++) {
      let row = at(xp, (ci * hp + oy) * wp + ox);
      const wLast = wq + <usize>(kh * 3 - 1) * step;
      while (true) {
        let u = v128.load(row), v = V > 1 ? v128.load(row, 16) : zero;
        let w0 = v128.load(wq), w1 = v128.load(wq, 16), w2 = v128.load(wq, 32), w3 = v128.load(wq, 48);
        a0 = mac(a0, w0, u); a1 = mac(a1, w1, u); a2 = mac(a2, w2, u); a3 = mac(a3, w3, u);
        if (V > 1) { b0 = mac(b0, w0, v); b1 = mac(b1, w1, v); b2 = mac(b2, w2, v); b3 = mac(b3, w3, v); }
        if (wq == wLast) break;
        wq += step;
        u = v128.load(row, 4); v = V > 1 ? v128.load(row, 20) : zero;
        w0 = v128.load(wq); w1 = v128.load(wq, 16); w2 = v128.load(wq, 32); w3 = v128.load(wq, 48);
        a0 = mac(a0, w0, u); a1 = mac(a1, w1, u); a2 = mac(a2, w2, u); a3 = mac(a3, w3, u);
        if (V > 1) { b0 = mac(b0, w0, v); b1 = mac(b1, w1, v); b2 = mac(b2, w2, v); b3 = mac(b3, w3, v); }
        if (wq == wLast) break;
        wq += step;
        u = v128.load(row, 8); v = V > 1 ? v128.load(row, 24) : zero;
        w0 = v128.load(wq); w1 = v128.load(wq, 16); w2 = v128.load(wq, 32); w3 = v128.load(wq, 48);
        a0 = mac(a0, w0, u); a1 = mac(a1, w1, u); a2 = mac(a2, w2, u); a3 = mac(a3, w3, u);
        if (V > 1) { b0 = mac(b0, w0, v); b1 = mac(b1, w1, v); b2 = mac(b2, w2, v); b3 = mac(b3, w3, v); }
        if (wq == wLast) break;
        wq += step;
        row += rowStep;
      }
      wq += step;
    }
  } else {
    for (let ci = 0; ci < c; ci++) {
      for (let ki = 0; ki < kh; ki++) {
        const row = at(xp, (ci * hp + oy + ki * dh) * wp + ox);
        for (let kj = 0; kj < kw; kj++, wq += step) {
          const p = at(row, kj * dw);
          const u = v128.load(p), v = V > 1 ? v128.load(p, 16) : zero;
          const w0 = v128.load(wq);
          a0 = mac(a0, w0, u);
          if (V > 1) b0 = mac(b0, w0, v);
          if (G > 1) {
            const w1 = v128.load(wq, 16), w2 = v128.load(wq, 32), w3 = v128.load(wq, 48);
            a1 = mac(a1, w1, u);
            a2 = mac(a2, w2, u);
            a3 = mac(a3, w3, u);
            if (V > 1) {
              b1 = mac(b1, w1, v);
              b2 = mac(b2, w2, v);
              b3 = mac(b3, w3, v);
            }
          }
        }
      }
    }
  }
  const lb = <usize>l << 2;
  putTile(a0, 0, 0, bias, co, zrow, yrow, lb, relu);
  if (V > 1) putTile(b0, 0, 1, bias, co, zrow, yrow, lb, relu);
  if (G > 1) {
    putTile(a1, 1, 0, bias, co, zrow, yrow, lb, relu);
    putTile(a2, 2, 0, bias, co, zrow, yrow, lb, relu);
    putTile(a3, 3, 0, bias, co, zrow, yrow, lb, relu);
    if (V > 1) {
      putTile(b1, 1, 1, bias, co, zrow, yrow, lb, relu);
      putTile(b2, 2, 1, bias, co, zrow, yrow, lb, relu);
      putTile(b3, 3, 1, bias, co, zrow, yrow, lb, relu);
    }
  }
}

/**
 * Channels co … co+G−1 of one sample: every row in 8-column tiles, the rest in 4-column tiles,
 * the last of them overlapping. y (relu) gets ReLU(z) from the same registers.
 */
@inline function directChannels(
  G: i32, K3: bool, xp: usize, hp: i32, wp: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32, kk: i32,
  ws: usize, co: i32, oh: i32, ow: i32, z: usize, y: usize, relu: bool, bias: usize,
): void {
  const l = oh * ow, wq = ws + (<usize>(co * kk) << 4);
  for (let oy = 0; oy < oh; oy++) {
    const r = co * l + oy * ow;
    let ox = 0;
    for (; ox + 8 <= ow; ox += 8) {
      directTile(G, 2, K3, xp, hp, wp, c, kh, kw, dh, dw, wq, oy, ox, at(z, r + ox), at(y, r + ox), relu, l, bias, co);
    }
    // A tile that would pass the row's end starts at ow − 4 instead: its lanes recompute (the same
    // bits) outputs already written.
    for (; ox < ow; ox += 4) {
      const x0 = min(ox, ow - 4);
      directTile(G, 1, K3, xp, hp, wp, c, kh, kw, dh, dw, wq, oy, x0, at(z, r + x0), at(y, r + x0), relu, l, bias, co);
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
  // ReLU is applied as the tiles store z (f32x4.max, as activationForward's): z is not read again.
  const relu = simd && act == Act.relu;
  if (simd) {
    let co = 0;
    for (; co + 4 <= cout; co += 4) splatWeights(4, weight, kk, co, ws);
    for (; co < cout; co++) splatWeights(1, weight, kk, co, ws);
  }
  for (let s = 0; s < n; s++) {
    padPlanes(at(x, s * xs), c, h, w, ph, pw, hp, wp, xp);
    const zsample = at(z, s * zs), ysample = at(y, s * zs);
    if (simd) {
      // The channels in fours, then one at a time, as splatWeights groups them.
      let co = 0;
      if (k3) for (; co + 4 <= cout; co += 4) directChannels(4, true, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, ysample, relu, bias);
      for (; co + 4 <= cout; co += 4) directChannels(4, false, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, ysample, relu, bias);
      for (; co < cout; co++) directChannels(1, false, xp, hp, wp, c, kh, kw, dh, dw, kk, ws, co, oh, ow, zsample, ysample, relu, bias);
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
    if (!relu) activationForward(act, param, zsample, ysample, cout * l);
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

/**
 * Kernel row (ci, ki) of a 3-wide kernel (kw = 3, dw = 1): taps p … p+2, three consecutive input
 * floats at every position (rowBytes: the row's byte offset in the padded planes), over
 * channels co … co+4·CV−1, summed over output positions [l0, l1): 3·CV accumulators.
 * Two positions per iteration with the exit test between them: each position is its own basic
 * block, so TurboFan hoists only its 5 loads (see gemm-tile.ts); the pointers start one step
 * back and advance before use (no zero-extension of a loop phi as an address).
 */
@inline function gradRow3(
  CV: i32, xp: usize, dzT: usize, cout: i32, co: i32, p: i32, rowBytes: usize,
  wp: i32, ow: i32, l0: i32, l1: i32, out: usize, kk: i32, first: bool,
): void {
  const zero = f32x4.splat(0);
  let a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero;
  const dstep = <usize>cout << 2;
  let d = at(dzT, l0 * cout + co) - dstep;
  let oy = l0 / ow, ox = l0 - oy * ow, li = l0;
  while (li < l1) {
    const len = min(ow - ox, l1 - li);
    let xb = at(xp, oy * wp + ox) + rowBytes - 4;
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
