// Depthwise convolution kernels (declared in src/backend/kernels-conv.ts): groups = c input
// channels, each convolved alone into `multiplier` output channels (channel ch·multiplier + j).
// Through im2col + gemm such a layer is c gemms of [multiplier × kh·kw]·[kh·kw × l] a sample — one
// row of A, nine columns of k — which gemm runs at a few GFLOP/s. These kernels read each input
// plane zero-padded and in place, every output the float sequence of the gemm path exactly, so the
// bits equal convForward / convInputGrad / convWeightGrad with groups = c:
// - forward: z = (…((0 + w_0·x_0) + w_1·x_1) + …) over the taps (ki, kj) in order, padding
//   products included (k-blocks of 512 taps as gemm, never reached by a real kernel);
// - input gradient: dx = 0, then per tap in order dx[i] += Σ_j w_j·dz_j (col2im's order; taps
//   whose window falls in the padding give nothing); the sum over j as gemm's, whose +0 start can
//   only change the sign of a zero, which adding it to dx (never −0) cannot show;
// - weight gradient: per block of samples, each sample's sum over output positions in k-blocks
//   of 512 (the first stored, each later one added to it), as convWeightGrad.
// Strided layers read the padded plane dealt into sw column phases: phase φ holds padded columns
// φ, φ + sw, …, so the outputs of a row read consecutive floats of one phase (SIMD lanes are four
// output columns, forward and input gradient, or four channels, weight gradient).
import { at, copyRun, zeroRun } from './conv-runs';
import { K_BLOCK, lines, mac, phasePlane, spanOf, tapOffsets } from './depthwise-planes';

// ---- forward ----

/**
 * 4·V outputs of row oy from column ox (V = 4, 2 or 1): the taps in k-blocks, each block's sum from
 * +0, a later block's added to the first's, as gemm.
 */
@inline function forwardTile(V: i32, xp: usize, offsets: usize, kk: i32, wt: usize, rowStart: i32, z: usize): void {
  const zero = f32x4.splat(0);
  const base = at(xp, rowStart);
  let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
  for (let t0 = 0; t0 < kk; t0 += K_BLOCK) {
    const t1 = min(kk, t0 + K_BLOCK);
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (let t = t0; t < t1; t++) {
      const p = base + (<usize>load<i32>(offsets + (<usize>t << 2)) << 2);
      const wv = v128.load32_splat(at(wt, t));
      a0 = mac(a0, wv, v128.load(p));
      if (V > 1) a1 = mac(a1, wv, v128.load(p, 16));
      if (V > 2) {
        a2 = mac(a2, wv, v128.load(p, 32));
        a3 = mac(a3, wv, v128.load(p, 48));
      }
    }
    const first = t0 == 0;
    s0 = first ? a0 : f32x4.add(a0, s0);
    if (V > 1) s1 = first ? a1 : f32x4.add(a1, s1);
    if (V > 2) {
      s2 = first ? a2 : f32x4.add(a2, s2);
      s3 = first ? a3 : f32x4.add(a3, s3);
    }
  }
  v128.store(z, s0);
  if (V > 1) v128.store(z, s1, 16);
  if (V > 2) {
    v128.store(z, s2, 32);
    v128.store(z, s3, 48);
  }
}

/** One output in scalar code, the same sequence as forwardTile's lanes. */
@inline function forwardOne(xp: usize, offsets: usize, kk: i32, wt: usize, rowStart: i32): f32 {
  let total: f32 = 0;
  for (let t0 = 0; t0 < kk; t0 += K_BLOCK) {
    const t1 = min(kk, t0 + K_BLOCK);
    let s: f32 = 0;
    for (let t = t0; t < t1; t++) s += load<f32>(at(wt, t)) * load<f32>(at(xp, rowStart + load<i32>(offsets + (<usize>t << 2))));
    total = t0 == 0 ? s : s + total;
  }
  return total;
}

/** One output plane from the phase-split padded input plane xp. */
function forwardPlane(xp: usize, offsets: usize, kk: i32, wt: usize, sh: i32, wq: i32, oh: i32, ow: i32, z: usize): void {
  for (let oy = 0; oy < oh; oy++) {
    const row = oy * sh * wq, zrow = at(z, oy * ow);
    let ox = 0;
    if (ASC_FEATURE_SIMD && ow >= 4) {
      for (; ox + 16 <= ow; ox += 16) forwardTile(4, xp, offsets, kk, wt, row + ox, at(zrow, ox));
      if (ox + 8 <= ow) {
        forwardTile(2, xp, offsets, kk, wt, row + ox, at(zrow, ox));
        ox += 8;
      }
      // A tile that would pass the row's end starts at ow − 4 instead: its lanes recompute (the
      // same bits) outputs already written.
      for (; ox < ow; ox += 4) {
        const x0 = min(ox, ow - 4);
        forwardTile(1, xp, offsets, kk, wt, row + x0, at(zrow, x0));
      }
    }
    for (; ox < ow; ox++) store<f32>(at(zrow, ox), forwardOne(xp, offsets, kk, wt, row + ox));
  }
}

export function depthwiseForward(
  x: usize, z: usize, xs: i32, zs: i32, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32, multiplier: i32,
  weight: usize, work: usize, workBytes: i32,
): void {
  const rows = spanOf(oh, sh, kh, dh), wq = (spanOf(ow, sw, kw, dw) + sw - 1) / sw;
  const kk = kh * kw, l = oh * ow;
  // The thread's region: the padded plane, then the taps' offsets.
  const xp = work, offsets = at(work, lines(sw * rows * wq));
  tapOffsets(kh, kw, dh, dw, sw, rows, wq, offsets);
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      phasePlane(at(x, s * xs + ch * h * w), h, w, ph, pw, sw, rows, wq, xp);
      for (let j = 0; j < multiplier; j++) {
        const o = ch * multiplier + j;
        forwardPlane(xp, offsets, kk, at(weight, o * kk), sh, wq, oh, ow, at(z, s * zs + o * l));
      }
    }
  }
}

// ---- input gradient ----

/**
 * dx's padded accumulator row += Σ_j w_j·dz_j over ow outputs of one row, for one tap: acc is the
 * row of the tap's phase at the output's first column, dz the first output channel's row (the
 * others l floats apart), wt its weight of this tap (the others kk floats apart).
 */
@inline function addTapRow(acc: usize, dz: usize, l: i32, wt: usize, kk: i32, multiplier: i32, ow: i32): void {
  let ox = 0;
  if (ASC_FEATURE_SIMD) {
    for (; ox + 4 <= ow; ox += 4) {
      let total = f32x4.splat(0);
      for (let j0 = 0; j0 < multiplier; j0 += K_BLOCK) {
        const j1 = min(multiplier, j0 + K_BLOCK);
        let s = f32x4.mul(v128.load32_splat(at(wt, j0 * kk)), v128.load(at(dz, j0 * l + ox)));
        for (let j = j0 + 1; j < j1; j++) s = mac(s, v128.load32_splat(at(wt, j * kk)), v128.load(at(dz, j * l + ox)));
        total = j0 == 0 ? s : f32x4.add(s, total);
      }
      const p = at(acc, ox);
      v128.store(p, f32x4.add(v128.load(p), total));
    }
  }
  for (; ox < ow; ox++) {
    let total: f32 = 0;
    for (let j0 = 0; j0 < multiplier; j0 += K_BLOCK) {
      const j1 = min(multiplier, j0 + K_BLOCK);
      let s: f32 = load<f32>(at(wt, j0 * kk)) * load<f32>(at(dz, j0 * l + ox));
      for (let j = j0 + 1; j < j1; j++) s += load<f32>(at(wt, j * kk)) * load<f32>(at(dz, j * l + ox));
      total = j0 == 0 ? s : s + total;
    }
    const p = at(acc, ox);
    store<f32>(p, load<f32>(p) + total);
  }
}

/**
 * 4·V input gradients of row iy from column ix (V = 4, 2 or 1), stride 1: dzp holds the output
 * channels' dz planes zero-padded (planeBytes apart), offsets[t] the float offset of tap t's dz
 * for input (0, 0); tap by tap in order, Σ_j w_j·dz_j added to registers that start at +0.
 */
@inline function inputTile(
  V: i32, ONE: bool, dzp: usize, planeBytes: usize, offsets: usize, kk: i32, wc: usize, multiplier: i32, rowStart: i32, dx: usize,
): void {
  const zero = f32x4.splat(0);
  const base = at(dzp, rowStart);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  for (let t = 0; t < kk; t++) {
    let p = base + (<usize>load<i32>(offsets + (<usize>t << 2)) << 2);
    let wv = v128.load32_splat(at(wc, t));
    let s0 = f32x4.mul(wv, v128.load(p)), s1 = zero, s2 = zero, s3 = zero;
    if (V > 1) s1 = f32x4.mul(wv, v128.load(p, 16));
    if (V > 2) {
      s2 = f32x4.mul(wv, v128.load(p, 32));
      s3 = f32x4.mul(wv, v128.load(p, 48));
    }
    // ONE: a multiplier of 1, the loop compiled out.
    for (let j = 1; !ONE && j < multiplier; j++) {
      p += planeBytes;
      wv = v128.load32_splat(at(wc, j * kk + t));
      s0 = mac(s0, wv, v128.load(p));
      if (V > 1) s1 = mac(s1, wv, v128.load(p, 16));
      if (V > 2) {
        s2 = mac(s2, wv, v128.load(p, 32));
        s3 = mac(s3, wv, v128.load(p, 48));
      }
    }
    a0 = f32x4.add(a0, s0);
    if (V > 1) a1 = f32x4.add(a1, s1);
    if (V > 2) {
      a2 = f32x4.add(a2, s2);
      a3 = f32x4.add(a3, s3);
    }
  }
  v128.store(dx, a0);
  if (V > 1) v128.store(dx, a1, 16);
  if (V > 2) {
    v128.store(dx, a2, 32);
    v128.store(dx, a3, 48);
  }
}

/**
 * A row of w ≥ 4 input gradients in tiles of 16, 8, then 4 columns, the last 4 overlapping the
 * tile before (its lanes rewrite the same bits). Returns w.
 */
@inline function inputRow(
  ONE: bool, dzp: usize, planeBytes: usize, offsets: usize, kk: i32, wc: usize, multiplier: i32, row: i32, dxrow: usize, w: i32,
): i32 {
  let ix = 0;
  for (; ix + 16 <= w; ix += 16) inputTile(4, ONE, dzp, planeBytes, offsets, kk, wc, multiplier, row + ix, at(dxrow, ix));
  if (ix + 8 <= w) {
    inputTile(2, ONE, dzp, planeBytes, offsets, kk, wc, multiplier, row + ix, at(dxrow, ix));
    ix += 8;
  }
  for (; ix < w; ix += 4) {
    const x0 = min(ix, w - 4);
    inputTile(1, ONE, dzp, planeBytes, offsets, kk, wc, multiplier, row + x0, at(dxrow, x0));
  }
  return ix;
}

/** One input gradient in scalar code, the same sequence as inputTile's lanes. */
@inline function inputOne(dzp: usize, plane: i32, offsets: usize, kk: i32, wc: usize, multiplier: i32, rowStart: i32): f32 {
  let acc: f32 = 0;
  for (let t = 0; t < kk; t++) {
    const p = rowStart + load<i32>(offsets + (<usize>t << 2));
    let s: f32 = load<f32>(at(wc, t)) * load<f32>(at(dzp, p));
    for (let j = 1; j < multiplier; j++) s += load<f32>(at(wc, j * kk + t)) * load<f32>(at(dzp, j * plane + p));
    acc += s;
  }
  return acc;
}

/** Whether every weight of a channel is finite (w·0 = ±0, so the zero padding adds nothing). */
function allFinite(wc: usize, count: i32): bool {
  for (let i = 0; i < count; i++) {
    const v = load<f32>(at(wc, i));
    if (v - v != 0) return false;
  }
  return true;
}

export function depthwiseInputGrad(
  dz: usize, dx: usize, zs: i32, xs: i32, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32, multiplier: i32,
  weight: usize, work: usize, workBytes: i32,
): void {
  const kk = kh * kw, l = oh * ow, plane = h * w;
  // Stride 1 (and sums shorter than gemm's k-block), each input gradient is summed in registers
  // over its taps, read from zero-padded dz planes: [h + ph + (kh−1)·dh] × [w + pw + (kw−1)·dw].
  // A tap whose output falls in the padding then adds w·0 = ±0, which changes nothing while w is
  // finite (a sum that starts at +0 is never −0); a channel with a weight that is not goes the
  // general way below.
  const stride1 = sh == 1 && sw == 1 && kk <= K_BLOCK && multiplier <= K_BLOCK;
  const padRows = h + ph + (kh - 1) * dh, padCols = w + pw + (kw - 1) * dw, padded = lines(padRows * padCols);
  // Otherwise, col2im's way: a padded accumulator (sw phases) that covers every tap of every
  // output and the plane itself takes each tap's Σ_j w_j·dz_j in turn; dx is its inside.
  const rows = max(spanOf(oh, sh, kh, dh), ph + h), wq = (max(spanOf(ow, sw, kw, dw), pw + w) + sw - 1) / sw;
  const size = sw * rows * wq;
  // The thread's region: both ways' tap offsets, then the padded planes or the accumulator.
  const padOffsets = work, offsets = at(work, lines(kk)), acc = at(offsets, lines(kk));
  tapOffsets(kh, kw, dh, dw, sw, rows, wq, offsets);
  for (let ki = 0; ki < kh; ki++) {
    for (let kj = 0; kj < kw; kj++) {
      store<i32>(padOffsets + (<usize>(ki * kw + kj) << 2), (ph + (kh - 1 - ki) * dh) * padCols + pw + (kw - 1 - kj) * dw);
    }
  }
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const dzc = at(dz, s * zs + ch * multiplier * l), wc = at(weight, ch * multiplier * kk);
      const dxc = at(dx, s * xs + ch * plane);
      if (stride1 && allFinite(wc, multiplier * kk)) {
        for (let j = 0; j < multiplier; j++) {
          phasePlane(at(dzc, j * l), oh, ow, (kh - 1) * dh, (kw - 1) * dw, 1, padRows, padCols, at(acc, j * padded));
        }
        const planeBytes = <usize>padded << 2;
        for (let iy = 0; iy < h; iy++) {
          const row = iy * padCols, dxrow = at(dxc, iy * w);
          let ix = 0;
          if (ASC_FEATURE_SIMD && w >= 4) {
            if (multiplier == 1) ix = inputRow(true, acc, planeBytes, padOffsets, kk, wc, 1, row, dxrow, w);
            else ix = inputRow(false, acc, planeBytes, padOffsets, kk, wc, multiplier, row, dxrow, w);
          }
          for (; ix < w; ix++) store<f32>(at(dxrow, ix), inputOne(acc, padded, padOffsets, kk, wc, multiplier, row + ix));
        }
        continue;
      }
      zeroRun(acc, size);
      for (let t = 0; t < kk; t++) {
        const offset = load<i32>(offsets + (<usize>t << 2));
        for (let oy = 0; oy < oh; oy++) {
          addTapRow(at(acc, offset + oy * sh * wq), at(dzc, oy * ow), l, at(wc, t), kk, multiplier, ow);
        }
      }
      // dx[iy][ix] = the accumulator at padded (iy + ph, ix + pw).
      for (let iy = 0; iy < h; iy++) {
        if (sw == 1) {
          copyRun(at(dxc, iy * w), at(acc, (iy + ph) * wq + pw), w);
          continue;
        }
        for (let ix = 0; ix < w; ix++) {
          const col = ix + pw;
          store<f32>(at(dxc, iy * w + ix), load<f32>(at(acc, ((col % sw) * rows + iy + ph) * wq + col / sw)));
        }
      }
    }
  }
}
