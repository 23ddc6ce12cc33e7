// The depthwise weight gradient (declared in src/backend/kernels-conv.ts; the geometry and the
// phase-split padded planes of conv-depthwise.ts): SIMD lanes over four channels, each channel's
// sums over output positions in gemm's order, so the bits equal convWeightGrad's with groups = c.
import { at, zeroRun } from './conv-runs';
import { K_BLOCK, lines, mac, phasePlane, putVector, spanOf, tapOffsets } from './depthwise-planes';

/** dst[i][lane] = src_lane[i] for i < count: four rows interleaved, four floats at a time. */
function interleave4(a: usize, b: usize, c: usize, d: usize, count: i32, dst: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const r0 = v128.load(a + o), r1 = v128.load(b + o), r2 = v128.load(c + o), r3 = v128.load(d + o);
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
    const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
    const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
    const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
    const q = dst + (o << 2);
    v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
    v128.store(q, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
    v128.store(q, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
    v128.store(q, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2, q = dst + (o << 2);
    store<f32>(q, load<f32>(a + o));
    store<f32>(q, load<f32>(b + o), 4);
    store<f32>(q, load<f32>(c + o), 8);
    store<f32>(q, load<f32>(d + o), 12);
  }
}

/**
 * phasePlane (stride 1) of four h×w planes a…d at once, interleaved as interleave4 lays them out:
 * x4[r][q][lane], rows × wq, the padding zero. (A lane past the last channel reads a zero plane,
 * at least h·w floats.)
 */
function paddedInterleave4(a: usize, b: usize, c: usize, d: usize, h: i32, w: i32, ph: i32, pw: i32, rows: i32, wq: i32, x4: usize): void {
  const before = min(pw, wq), inside = max(0, min(w, wq - pw));
  for (let r = 0; r < rows; r++) {
    const out = x4 + (<usize>(r * wq) << 4), iy = r - ph;
    if (iy < 0 || iy >= h) {
      zeroRun(out, 4 * wq);
      continue;
    }
    const o = <usize>(iy * w) << 2;
    zeroRun(out, 4 * before);
    interleave4(a + o, b + o, c + o, d + o, inside, out + (<usize>before << 4));
    zeroRun(out + (<usize>(before + inside) << 4), 4 * (wq - before - inside));
  }
}

/**
 * Taps t … t+T−1 (T = 4 or 1) of four channels (the lanes) summed over output positions
 * [l0, l1): x4 is the channels' phase-split padded planes interleaved, dz4 their dz rows
 * interleaved; each sum from +0 in position order, then put into c4 (tap t's vector at c4 + t·16).
 */
@inline function gradTaps(
  T: i32, x4: usize, dz4: usize, offsets: usize, t: i32, sh: i32, wq: i32, ow: i32, l0: i32, l1: i32, c4: usize, first: bool,
): void {
  const zero = f32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  const ob = offsets + (<usize>t << 2);
  const o0 = <usize>load<i32>(ob) << 4;
  const o1 = T > 1 ? <usize>load<i32>(ob, 4) << 4 : 0;
  const o2 = T > 1 ? <usize>load<i32>(ob, 8) << 4 : 0;
  const o3 = T > 1 ? <usize>load<i32>(ob, 12) << 4 : 0;
  let oy = l0 / ow, ox = l0 - oy * ow, li = l0;
  let d = dz4 + (<usize>l0 << 4);
  while (li < l1) {
    const len = min(ow - ox, l1 - li);
    let xb = x4 + (<usize>(oy * sh * wq + ox) << 4);
    for (let i = 0; i < len; i++, d += 16, xb += 16) {
      const dv = v128.load(d);
      a0 = mac(a0, dv, v128.load(xb + o0));
      if (T > 1) {
        a1 = mac(a1, dv, v128.load(xb + o1));
        a2 = mac(a2, dv, v128.load(xb + o2));
        a3 = mac(a3, dv, v128.load(xb + o3));
      }
    }
    li += len;
    oy++;
    ox = 0;
  }
  const out = c4 + (<usize>t << 4);
  putVector(out, a0, first);
  if (T > 1) {
    putVector(out + 16, a1, first);
    putVector(out + 32, a2, first);
    putVector(out + 48, a3, first);
  }
}

/** One channel's tap t summed over output positions [l0, l1) in scalar code (xp: its phase-split padded plane). */
@inline function gradOne(xp: usize, dz: usize, offset: i32, sh: i32, wq: i32, ow: i32, l0: i32, l1: i32): f32 {
  let s: f32 = 0;
  for (let li = l0; li < l1; li++) {
    const oy = li / ow, ox = li - oy * ow;
    s += load<f32>(at(dz, li)) * load<f32>(at(xp, offset + oy * sh * wq + ox));
  }
  return s;
}

export function depthwiseWeightGrad(
  x: usize, dz: usize, partial: usize, xPlane: i32, dzPlanes: i32, taps: i32, c: i32, span: i32,
  n: i32, xs: i32, zs: i32, block: i32, partialSize: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32, multiplier: i32,
  work: usize, workBytes: i32,
): void {
  const rows = spanOf(oh, sh, kh, dh), wq = (spanOf(ow, sw, kw, dw) + sw - 1) / sw;
  const kk = kh * kw, l = oh * ow, size = sw * rows * wq, lanes = ASC_FEATURE_SIMD ? 4 : 1;
  // The thread's region: the taps' offsets, one phase-split padded plane per lane, a zero plane
  // (for the lanes past the last channel), then (SIMD) the planes interleaved, the dz rows
  // interleaved and the block's sums [multiplier][kk][4].
  const offsets = work;
  const planes = at(offsets, lines(kk));
  const zeros = at(planes, lanes * lines(size));
  const x4 = at(zeros, lines(max(size, l)));
  const dz4 = at(x4, lines(4 * size));
  const c4 = at(dz4, lines(4 * l));
  tapOffsets(kh, kw, dh, dw, sw, rows, wq, offsets);
  if (ASC_FEATURE_SIMD) zeroRun(zeros, max(size, l));
  const blocks = (n + block - 1) / block;
  for (let ch = 0; ch < c; ch += lanes) {
    const count = min(lanes, c - ch);
    for (let b = 0; b < blocks; b++) {
      const out = at(partial, b * partialSize + ch * multiplier * kk);
      const inBlock = min(block, n - b * block);
      for (let jj = 0; jj < inBlock; jj++) {
        const sample = b * block + jj;
        const x0 = at(x, sample * xs + ch * xPlane);
        if (ASC_FEATURE_SIMD && sw == 1) {
          // Stride 1: the four planes padded and interleaved in one pass, row by row.
          const x1 = count > 1 ? at(x0, xPlane) : zeros;
          const x2 = count > 2 ? at(x0, 2 * xPlane) : zeros;
          const x3 = count > 3 ? at(x0, 3 * xPlane) : zeros;
          paddedInterleave4(x0, x1, x2, x3, h, w, ph, pw, rows, wq, x4);
        } else {
          for (let lane = 0; lane < count; lane++) {
            phasePlane(at(x0, lane * xPlane), h, w, ph, pw, sw, rows, wq, at(planes, lane * lines(size)));
          }
          if (ASC_FEATURE_SIMD) {
            const p1 = count > 1 ? at(planes, lines(size)) : zeros;
            const p2 = count > 2 ? at(planes, 2 * lines(size)) : zeros;
            const p3 = count > 3 ? at(planes, 3 * lines(size)) : zeros;
            interleave4(planes, p1, p2, p3, size, x4);
          }
        }
        for (let j = 0; j < multiplier; j++) {
          const dzj = at(dz, sample * zs + ch * dzPlanes + j * l);
          if (ASC_FEATURE_SIMD) {
            const d1 = count > 1 ? at(dzj, dzPlanes) : zeros;
            const d2 = count > 2 ? at(dzj, 2 * dzPlanes) : zeros;
            const d3 = count > 3 ? at(dzj, 3 * dzPlanes) : zeros;
            interleave4(dzj, d1, d2, d3, l, dz4);
            const cj = at(c4, j * kk * 4);
            for (let l0 = 0; l0 < l; l0 += K_BLOCK) {
              const l1 = min(l, l0 + K_BLOCK), first = jj == 0 && l0 == 0;
              let t = 0;
              for (; t + 4 <= kk; t += 4) gradTaps(4, x4, dz4, offsets, t, sh, wq, ow, l0, l1, cj, first);
              for (; t < kk; t++) gradTaps(1, x4, dz4, offsets, t, sh, wq, ow, l0, l1, cj, first);
            }
          } else {
            const o = at(out, j * kk);
            for (let l0 = 0; l0 < l; l0 += K_BLOCK) {
              const l1 = min(l, l0 + K_BLOCK), first = jj == 0 && l0 == 0;
              for (let t = 0; t < kk; t++) {
                const s = gradOne(planes, dzj, load<i32>(offsets + (<usize>t << 2)), sh, wq, ow, l0, l1);
                const p = at(o, t);
                store<f32>(p, first ? s : s + load<f32>(p));
              }
            }
          }
        }
      }
      if (ASC_FEATURE_SIMD) {
        // The block's sums, lane by lane, into the partial rows of channels ch … ch+count−1.
        for (let lane = 0; lane < count; lane++) {
          for (let i = 0; i < multiplier * kk; i++) {
            store<f32>(at(out, lane * multiplier * kk + i), load<f32>(at(c4, i * 4 + lane)));
          }
        }
      }
    }
  }
}
