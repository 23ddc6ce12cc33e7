// Convolution data movement (declared in src/backend/kernels-conv.ts): im2col unrolls one sample's
// windows into the matrix the gemm multiplies, col2im adds a column gradient back into the input
// gradient, and the epilogue adds the per-channel bias and applies the activation.
//
// Per row (ci, ki, kj) of the column matrix the output columns ox whose input column
// ix = ox·sw − pw + kj·dw is inside the plane form one run [lo, hi), computed once; the padding
// outside it is written (im2col) or skipped (col2im) without a per-element test. With stride 1 the
// run is contiguous in the input too: copyRun, or addRun's f32x4 adds in col2im (lanes are distinct
// input elements, each added in the same order as the scalar build and the js twin).
import { activationForward } from './activations';
import { gemm } from './gemm';
import { at, copyRun, zeroRun } from './conv-runs';
import { addRun } from './rows';
import { transpose } from './ops';

/** The part of a thread's work region after `floats` of scratch: gemm's workspace, on a 64-byte boundary. */
@inline function afterScratch(work: usize, floats: i32): usize {
  return work + ((<usize>floats << 2) + 63 & ~63);
}

/** First output column whose input column ox·sw + shift is ≥ 0. */
@inline function firstInside(shift: i32, sw: i32): i32 {
  return shift >= 0 ? 0 : (sw - 1 - shift) / sw;
}

/** One past the last output column (≤ ow) whose input column ox·sw + shift is < w. */
@inline function endInside(shift: i32, sw: i32, w: i32, ow: i32): i32 {
  const room = w - shift;
  return room <= 0 ? 0 : min(ow, (room + sw - 1) / sw);
}

/**
 * The walk im2col and col2im share, written once: rows (ci, ki, kj) of the column matrix, each
 * output row oy of them at input row iy, its run [lo, hi) of inside columns. `toCol` picks the
 * direction (x → col, padding written as zeros; or col added into x, padding skipped); each kernel
 * passes a constant, so the compiler keeps only its own branch.
 */
@inline function columnWalk(
  x: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, col: usize, toCol: bool, colIsScratch: bool,
): void {
  let o = col;
  const rowBytes = <usize>ow << 2;
  // Stride 1 with output rows as wide as input rows ('same' padding): a row block of the column
  // matrix is the input plane shifted, so its inside rows go as one run (planeRun).
  const plane = sh == 1 && sw == 1 && ow == w && (toCol || colIsScratch);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const shift = kj * dw - pw;
        const lo = firstInside(shift, sw);
        const hi = max(lo, endInside(shift, sw, w, ow));
        if (plane && hi > lo) {
          // Output rows [top, bottom) read input rows top − ph + ki·dh onwards.
          const top = min(oh, max(0, ph - ki * dh));
          const bottom = max(top, min(oh, h + ph - ki * dh));
          planeRun(x, (ci * h + top - ph + ki * dh) * w + shift, o, top, bottom, oh, ow, lo, hi, toCol);
          o += rowBytes * <usize>oh;
          continue;
        }
        for (let oy = 0; oy < oh; oy++, o += rowBytes) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) {
            if (toCol) zeroRun(o, ow);
            continue;
          }
          const base = (ci * h + iy) * w + shift;
          if (toCol) im2colRow(x, base, sw, lo, hi, ow, o);
          else col2imRow(o, base, sw, lo, hi, x);
        }
      }
    }
  }
}

/**
 * The rows of one column-matrix row block (ci, ki, kj) for stride 1 and ow == w, where output rows
 * [top, bottom) are inside: output element (oy, ox) stands for input float base + (oy − top)·w + ox
 * when lo ≤ ox < hi. Inside rows are one contiguous run in both matrices, so it is copied (or added)
 * whole, from the first row's lo to the last row's hi; the elements in between that fall outside
 * [lo, hi) of their row (the shift wrapped them onto the neighbouring input row) are zeroed, in
 * the column matrix after the copy (im2col) or before the add (col2im, only where the column matrix
 * is scratch): adding +0 leaves an input float's bits as they were, and every other input float
 * gets the one add the row-by-row walk gives it, in the same order.
 */
@inline function planeRun(
  x: usize, base: i32, col: usize, top: i32, bottom: i32, oh: i32, ow: i32, lo: i32, hi: i32, toCol: bool,
): void {
  const rows = bottom - top;
  if (toCol) zeroRun(col, top * ow);
  if (rows > 0) {
    const first = top * ow + lo, count = rows * ow - lo - (ow - hi);
    const xs = at(x, base + lo), cs = at(col, first);
    if (toCol) {
      copyRun(cs, xs, count);
      // The padding of the first and last rows outside the run, then the wrapped elements between
      // rows: [hi, ow) of a row and [0, lo) of the next.
      zeroRun(at(col, top * ow), lo);
      zeroRun(at(col, (bottom - 1) * ow + hi), ow - hi);
      zeroWrapped(at(col, top * ow), rows, ow, lo, hi);
    } else {
      // col is scratch here: its wrapped elements are zeroed, then the run is added whole. x
      // floats start at +0 and only take adds, so they are never −0, and x + 0 is x.
      zeroWrapped(at(col, top * ow), rows, ow, lo, hi);
      addRun(xs, cs, xs, count);
    }
  }
  if (toCol) zeroRun(at(col, bottom * ow), (oh - bottom) * ow);
}

/**
 * Zeroes [hi, ow) of each of the first rows − 1 rows (ow floats each) from row0, and [0, lo) of the
 * next: one gap of ow − hi + lo floats from each row's hi (none when the run fills whole rows).
 */
@inline function zeroWrapped(row0: usize, rows: i32, ow: i32, lo: i32, hi: i32): void {
  const gap = ow - hi + lo;
  if (gap == 0) return;
  const rowBytes = <usize>ow << 2;
  let p = at(row0, hi);
  if (gap == 1) {
    // A 3×3 'same' window's wrapped elements: one float between two rows (a loop of its own:
    // zeroRun's per-call set-up, per row, costs a fifth of a LeNet im2col).
    for (let r = 0; r < rows - 1; r++, p += rowBytes) store<f32>(p, 0);
    return;
  }
  for (let r = 0; r < rows - 1; r++, p += rowBytes) zeroRun(p, gap);
}

/** One output row of im2col: zeros, x[base + ox·sw] for ox in [lo, hi), zeros. */
@inline function im2colRow(x: usize, base: i32, sw: i32, lo: i32, hi: i32, ow: i32, o: usize): void {
  zeroRun(o, lo);
  if (sw == 1) {
    copyRun(o + (<usize>lo << 2), x + (<usize>(base + lo) << 2), hi - lo);
  } else {
    for (let ox = lo; ox < hi; ox++) store<f32>(o + (<usize>ox << 2), load<f32>(x + (<usize>(base + ox * sw) << 2)));
  }
  zeroRun(o + (<usize>hi << 2), ow - hi);
}

/** One output row of col2im: x[base + ox·sw] += o[ox] for ox in [lo, hi), in order. */
@inline function col2imRow(o: usize, base: i32, sw: i32, lo: i32, hi: i32, x: usize): void {
  if (sw == 1) {
    const run = x + (<usize>(base + lo) << 2);
    addRun(run, o + (<usize>lo << 2), run, hi - lo);
  } else {
    for (let ox = lo; ox < hi; ox++) {
      const at = x + (<usize>(base + ox * sw) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(o + (<usize>ox << 2)));
    }
  }
}

export function im2col(
  x: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, col: usize,
): void {
  columnWalk(x, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, col, true, false);
}

export function col2im(
  col: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, x: usize,
): void {
  col2imWalk(col, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x, false);
}

/** col2im; with colIsScratch the walk may zero col's padding elements (convInputGrad's dcol). */
@inline function col2imWalk(
  col: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, oh: i32, ow: i32, x: usize, colIsScratch: bool,
): void {
  memory.fill(x, 0, <usize>(c * h * w) << 2);
  columnWalk(x, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, col, false, colIsScratch);
}

export function channelBiasActivation(y: usize, n: i32, c: i32, l: i32, bias: usize, act: i32, param: f32, out: usize, sample: i32): void {
  const rowBytes = <usize>l << 2;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const row = <usize>(s * c + ch) * rowBytes;
      if (bias != 0) {
        const b = load<f32>(bias + (<usize>ch << 2));
        const p = y + row;
        let i = 0;
        if (ASC_FEATURE_SIMD) {
          const bv = f32x4.splat(b);
          for (; i + 4 <= l; i += 4) {
            const off = <usize>i << 2;
            v128.store(p + off, f32x4.add(v128.load(p + off), bv));
          }
        }
        for (; i < l; i++) {
          const off = <usize>i << 2;
          store<f32>(p + off, load<f32>(p + off) + b);
        }
      }
      activationForward(act, param, y + row, out + row, l);
    }
  }
}

// Whole layers over a range of samples (or of blocks of samples, for the weight gradient): the
// per-sample im2col + gemm loops of src/nn/conv.ts in one call, so the threads backend can hand
// each thread its own samples (a gemm of one sample is too small to split). Each thread gets its
// own `work` region (workBytes long: the split's stride); the bits are those of the per-sample
// loop, whatever the split.

export function convForward(
  x: usize, z: usize, xs: i32, zs: i32, n: i32,
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, groups: i32, cout: i32, weight: usize, pointwise: i32, work: usize, workBytes: i32,
): void {
  const cin = c / groups, coutG = cout / groups, kk = cin * kh * kw, l = oh * ow;
  // The thread's region: the columns [kk, l] (none for a 1×1 layer, whose input is its column
  // matrix), then gemm's workspace.
  const col = work, gemmWork = afterScratch(work, pointwise != 0 ? 0 : kk * l);
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      let b = at(x, s * xs + g * cin * h * w);
      if (pointwise == 0) {
        im2col(b, cin, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, col);
        b = col;
      }
      gemm(0, 0, coutG, l, kk, 1, at(weight, g * coutG * kk), kk, b, l, 0, at(z, s * zs + g * coutG * l), l, gemmWork);
    }
  }
}

export function convInputGrad(
  dz: usize, dx: usize, zs: i32, xs: i32, n: i32,
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, groups: i32, cout: i32, weight: usize, pointwise: i32, work: usize, workBytes: i32,
): void {
  const cin = c / groups, coutG = cout / groups, kk = cin * kh * kw, l = oh * ow;
  // The thread's region: dcol [kk, l] (none for a 1×1 layer: the gemm writes dx), then gemm's workspace.
  const dcol = work, gemmWork = afterScratch(work, pointwise != 0 ? 0 : kk * l);
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      const target = pointwise != 0 ? at(dx, s * xs + g * cin * h * w) : dcol;
      gemm(1, 0, kk, l, coutG, 1, at(weight, g * coutG * kk), kk, at(dz, s * zs + g * coutG * l), l, 0, target, l, gemmWork);
      if (pointwise == 0) col2imWalk(dcol, cin, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, at(dx, s * xs + g * cin * h * w), true);
    }
  }
}

// Output channels up to which convWeightGrad multiplies the other way round (see there).
const TRANSPOSED_WEIGHT_GRAD_MAX_CHANNELS: i32 = 16;

export function convWeightGrad(
  x: usize, dz: usize, partial: usize, xBlock: i32, dzBlock: i32, partialSize: i32, blocks: i32, span: i32,
  c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
  channels: i32, pointwise: i32, xs: i32, zs: i32, block: i32, work: usize, workBytes: i32,
): void {
  const kk = c * kh * kw, l = oh * ow;
  // The thread's region: a [kk, channels] accumulator (the transposed product below), the sample's
  // columns [kk, l] (none for a 1×1 layer, whose input is its column matrix), gemm's workspace.
  const acc = work, col = afterScratch(work, kk * channels);
  const gemmWork = afterScratch(col, pointwise != 0 ? 0 : kk * l);
  const transposed = channels <= TRANSPOSED_WEIGHT_GRAD_MAX_CHANNELS && kk > channels;
  for (let b = 0; b < blocks; b++) {
    const xb = at(x, b * xBlock), dzb = at(dz, b * dzBlock), out = at(partial, b * partialSize);
    for (let j = 0; j < block; j++) {
      let colj = at(xb, j * xs);
      if (pointwise == 0) {
        im2col(colj, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, col);
        colj = col;
      }
      const beta = <f32>(j > 0 ? 1 : 0), dzj = at(dzb, j * zs);
      if (transposed) {
        // Few channels (LeNet's conv2: 16 against kk = 72): dz·colᵀ would have gemm pack the larger
        // operand, col, transposed for every sample (kk·l floats); the transposed product col·dzᵀ
        // packs dz (channels·l floats) instead and reads col's rows in place. Each element is the
        // same sum of the same products in the same order (a·b == b·a exactly), accumulated over
        // the block in acc and transposed into the partial: the same bits (test/conv.test.ts holds
        // it to the gemm definition).
        gemm(0, 1, kk, channels, l, 1, colj, l, dzj, l, beta, acc, channels, gemmWork);
      } else {
        gemm(0, 1, channels, kk, l, 1, dzj, l, colj, l, beta, out, kk, gemmWork);
      }
    }
    if (transposed) transpose(acc, kk, channels, out);
  }
}
