// Direct convolution kernels (declared in src/backend/kernels-conv.ts).
import { Act } from '../src/backend/codes';
import { activationForward } from './activations';
import { at, padPlanes, paddedBytes } from './conv-runs';

// A thin layer (LeNet's first: K = c·kh·kw = 9) gains nothing from im2col + gemm: the column matrix
// is 9× the input and gemm packs it again. These kernels read a zero-padded copy of each sample
// (hp×wp planes in the thread's work region, hp = oh + (kh−1)·dh, wp = ow + (kw−1)·dw) in place,
// SIMD lanes over four output columns (forward) or four output channels (weight gradient). Every
// output is the gemm path's float sequence exactly, so the bits equal convForward/convWeightGrad's:
// z = (…((0 + w_0·x_0) + w_1·x_1) + …) over the taps p = (ci, ki, kj) in order (padding products
// included), then + bias; dW per k-block of 512 output positions as gemm (see gemm.ts,
// Determinism), the samples of a block added in order.

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
