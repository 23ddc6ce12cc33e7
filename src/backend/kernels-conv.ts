import type { KernelFunctions, KernelSpec } from './kernel-spec.js';

// The convolution and pooling kernels (issue #15), NCHW. A convolution is im2col + gemm (the gemm
// of kernels-core.ts, called from src/nn/conv.ts so its thread split applies); these kernels are
// the data movement around it and the pooling windows.
//
// Window geometry, shared by all: a plane is h×w, the window kh×kw, stride (sh, sw), zero padding
// (ph, pw) before each dimension, dilation (dh, dw); output position (oy, ox) reads input rows
// iy = oy·sh − ph + ki·dh and columns ix = ox·sw − pw + kj·dw. The caller gives the output size
// oh×ow (torch's formula, ceilMode included) and has validated everything.
// Every sum runs in one fixed order that the SIMD, scalar and js versions all follow (SIMD lanes
// are distinct output elements), so the bits never depend on the build.
// The layer kernels (convForward, convInputGrad, convWeightGrad) are split across threads by
// samples or channels, each pointer advancing by its own stride argument (`x:range/xs`) and each
// thread given its own scratch (`work:thread/workBytes`); the epilogue by samples, and every pool
// by planes (a plane's stride in the input and the output passed as arguments, inPlane = h·w and
// outPlane = oh·ow).

export const CONV_KERNELS = {
  /**
   * col[(ci·kh + ki)·kw + kj][oy·ow + ox] = x[ci][iy][ix] (0 in the padding): one sample's c
   * channels [c, h, w] unrolled into the [c·kh·kw, oh·ow] matrix a convolution's gemm reads.
   */
  im2col: { args: 'x c h w kh kw sh sw ph pw dh dw oh ow col' },
  /**
   * The adjoint of im2col: x = 0, then x[ci][iy][ix] += col[row][oy·ow + ox] in the order of the
   * rows (ci, ki, kj), then oy, then ox.
   */
  col2im: { args: 'col c h w kh kw sh sw ph pw dh dw oh ow x' },
  /**
   * The convolution's epilogue over n samples of c planes of l elements: y[s][ch][i] += bias[ch]
   * in place (skipped when bias = 0), then out = f(y) (out may alias y). `sample` = c·l (the
   * split's stride: ranges of samples).
   */
  channelBiasActivation: { args: 'y:range/sample n:count c l bias act param out:range/sample sample:width' },
  /**
   * A convolution layer's forward over n samples (the per-sample loop of src/nn/conv.ts): for each
   * sample and group, im2col into the columns [K, L] at the start of the thread's work region
   * (skipped for a 1×1 layer, pointwise ≠ 0, whose input is its column matrix), then z = W_g·col
   * by gemm, whose workspace follows on a 64-byte boundary. Sample s starts at x + s·xs and
   * z + s·zs (floats). Split into ranges of samples, each thread with its own work region. The
   * columns are not kept: the weight gradient unrolls each sample again (a batch's columns are
   * K/C times its input, K = C·kH·kW; see src/nn/conv.ts).
   */
  convForward: { args: 'x:range/xs z:range/zs xs zs:width n:count c h w kh kw sh sw ph pw dh dw oh ow groups cout weight pointwise work:thread/workBytes workBytes' },
  /**
   * The input gradient over n samples: dcol = W_gᵀ·dz by gemm, folded onto dx by col2im (for a 1×1
   * layer, pointwise ≠ 0, the gemm writes dx itself). dcol lies at the start of the thread's work
   * region ([K, L] floats, none for 1×1), gemm's workspace after it on a 64-byte boundary.
   */
  convInputGrad: { args: 'dz:range/zs dx:range/xs zs xs:width n:count c h w kh kw sh sw ph pw dh dw oh ow groups cout weight pointwise work:thread/workBytes workBytes' },
  /**
   * A weight gradient of one group in blocks of `block` samples: partial[b] = Σ_j dz_j·col_jᵀ over
   * the block's samples in order (gemm's β: 0 for the first, then 1), [channels, kk] each, kk =
   * c·kh·kw; col_j is sample j's im2col (c channels from x_j, the group's first), unrolled into the
   * work region, or x_j itself for a 1×1 layer (pointwise ≠ 0). Sample j of block b at x + b·xBlock
   * + j·xs, dz + b·dzBlock + j·zs (floats). The caller sums the partials in order (sumRows), so the
   * bits do not depend on how the blocks are split across threads; span (channels·block·l) sizes
   * the work. `work` holds a [kk, channels] scratch, the columns [kk, l] (none for 1×1), then gemm's
   * workspace for an m×n×l product with m, n = max(channels, kk), each on a 64-byte boundary.
   */
  convWeightGrad: { args: 'x:range/xBlock dz:range/dzBlock partial:range/partialSize xBlock dzBlock partialSize blocks:count span:width c h w kh kw sh sw ph pw dh dw oh ow channels pointwise xs zs block work:thread/workBytes workBytes' },
  /**
   * convForward + channelBiasActivation for a thin layer (stride 1, one group), without im2col or
   * gemm: each sample is copied zero-padded into the thread's work region (c planes of
   * hp×wp = (oh + (kh−1)·dh)×(ow + (kw−1)·dw) floats, rounded up to 64 bytes; then, in the SIMD
   * builds, each weight splatted into 4 floats: cout·kk·16 bytes) and read in place; z[s][co][oy][ox] = the
   * taps (ci, ki, kj) in order from +0, w·x each (padding products included), then + bias[co]
   * (bias = 0: none); y = f(z) (y may alias z). The same bits as convForward (alpha = 1, beta = 0)
   * and the epilogue. Split into ranges of samples.
   */
  convDirectForward: { args: 'x:range/xs z:range/zs y:range/zs xs zs:width n:count c h w kh kw ph pw dh dw oh ow cout weight bias act param work:thread/workBytes workBytes' },
  /**
   * convWeightGrad on the input itself (the geometry of convDirectForward) instead of the
   * columns: partial[b][co][p] = Σ_j Σ_l dz_j[co][l]·col_j[p][l], each sample's sum in k-blocks of
   * 512 positions and everything added in gemm's order (the first sum stored, each later one added
   * to it), so the bits equal convWeightGrad's. Sample j of block b at x + b·xBlock + j·xs, dz +
   * b·dzBlock + j·zs; the work region holds the padded sample, then dz transposed ([l][cout]).
   */
  convDirectWeightGrad: { args: 'x:range/xBlock dz:range/dzBlock partial:range/partialSize xBlock dzBlock partialSize blocks:count span:width c h w kh kw ph pw dh dw oh ow cout xs zs block work:thread/workBytes workBytes' },
  /**
   * A depthwise layer's forward (groups = c, one input channel a group; output channel
   * ch·multiplier + j reads input channel ch), without im2col or gemm: each input plane is copied
   * zero-padded into the thread's work region, its columns dealt into sw phases (rows·wq floats a
   * phase, rows = (oh−1)·sh + (kh−1)·dh + 1, wq = ⌈((ow−1)·sw + (kw−1)·dw + 1)/sw⌉, rounded up to
   * 64 bytes), then the kh·kw taps' offsets (i32). z = the taps (ki, kj) in order from +0, w·x
   * each (padding products included): the bits of convForward with groups = c. Split into ranges
   * of samples.
   */
  depthwiseForward: { args: 'x:range/xs z:range/zs xs zs:width n:count c h w kh kw sh sw ph pw dh dw oh ow multiplier weight work:thread/workBytes workBytes' },
  /**
   * The depthwise input gradient: dx = 0, then tap by tap in order, Σ_j w_j·dz_j added at every
   * output's window position (col2im's order): the bits of convInputGrad with groups = c. At
   * stride 1 each dx is summed in registers over its taps from the multiplier's dz planes copied
   * zero-padded ([h + ph + (kh−1)·dh] × [w + pw + (kw−1)·dw] floats each, on 64-byte boundaries);
   * otherwise, and for a channel with a weight that is not finite, a zero-padded accumulator (sw
   * phases of max(rows, ph + h) × ⌈max(wp, pw + w)/sw⌉ floats) takes the taps one by one. The work
   * region holds two tables of the taps' offsets (kh·kw i32 each, on 64-byte boundaries), then the
   * larger of the two (src/nn/conv-depthwise.ts). Split into ranges of samples.
   */
  depthwiseInputGrad: { args: 'dz:range/zs dx:range/xs zs xs:width n:count c h w kh kw sh sw ph pw dh dw oh ow multiplier weight work:thread/workBytes workBytes' },
  /**
   * The depthwise weight gradient in blocks of `block` samples: partial[b][ch·multiplier + j][t] =
   * Σ over the block's samples in order of Σ over output positions (k-blocks of 512, as gemm) of
   * dz·x, the bits of convWeightGrad with groups = c; the caller sums the partials (rows of
   * partialSize floats) in order with sumRows. Channel ch's planes at x + ch·xPlane and dz +
   * ch·dzPlanes within each sample (xs, zs floats apart); its partial columns advance by taps =
   * multiplier·kh·kw. Split into ranges of channels (span = n·dzPlanes sizes the work). The work
   * region holds the taps' offsets, four padded planes (as depthwiseForward's), a zero plane, the
   * four interleaved, four dz rows interleaved and the block's sums (depthwiseScratch).
   */
  depthwiseWeightGrad: { args: 'x:range/xPlane dz:range/dzPlanes partial:range/taps xPlane dzPlanes taps c:count span:width n xs zs block partialSize h w kh kw sh sw ph pw dh dw oh ow multiplier work:thread/workBytes workBytes' },
  /**
   * Max over each window of each of `planes` h×w planes (−∞ padding; NaN wins, as torch). Writes
   * y [planes, oh, ow] and idx, the argmax's index iy·w + ix in its plane (an exact float).
   */
  maxPoolForward: { args: 'x:range/inPlane planes:count h w kh kw sh sw ph pw dh dw oh ow y:range/outPlane idx:range/outPlane inPlane:width outPlane' },
  /**
   * Max over torch's adaptive windows (rows ⌊oy·h/oh⌋ … ⌈(oy+1)·h/oh⌉ − 1, the same for columns;
   * they may overlap) of each of `planes` h×w planes, with maxPoolForward's rule and outputs (y
   * and idx, the argmax's index in its plane); its backward is maxPoolBackward.
   */
  adaptiveMaxPoolForward: { args: 'x:range/inPlane planes:count h w oh ow y:range/outPlane idx:range/outPlane inPlane:width outPlane' },
  /**
   * dx = 0, then dx[p][idx[p][o]] += dy[p][o] for o in order. inPlane = h·w and outPlane = oh·ow
   * (the split's strides: ranges of planes).
   */
  maxPoolBackward: { args: 'dy:range/outPlane idx:range/outPlane planes:count h w oh ow dx:range/inPlane inPlane:width outPlane' },
  /**
   * maxPoolForward with 2×2 windows at stride 2 that tile each plane (h = 2·oh, w = 2·ow): LeNet's
   * pool, four windows a step. relu ≠ 0 applies activationForward's ReLU to y as it is stored (a
   * ReLU before the pool, run after it: src/nn/sequential.ts).
   */
  maxPool2x2Forward: { args: 'x:range/inPlane planes:count oh ow y:range/outPlane idx:range/outPlane relu inPlane outPlane:width' },
  /**
   * maxPoolBackward for maxPool2x2Forward's windows: dx written once, four windows a step, no fill
   * and no scatter (the same bits). relu ≠ 0: the gradient of the ReLU fused into the forward
   * first, from its output y (y ≤ 0 ? 0 : dy, as activationBackward); y is not read otherwise.
   */
  maxPool2x2Backward: { args: 'dy:range/outPlane idx:range/outPlane y:range/outPlane planes:count oh ow dx:range/inPlane relu inPlane:width outPlane' },
  /**
   * Average over each window (zero padding, no dilation): the sum of its in-bounds elements in
   * order (ki, kj), divided by `divisor` when it is not 0 (torch's divisor_override), else by
   * kh·kw clipped to the padded plane (countIncludePad ≠ 0, as torch) or by the number of
   * in-bounds elements.
   */
  avgPoolForward: { args: 'x:range/inPlane planes:count h w kh kw sh sw ph pw oh ow countIncludePad divisor y:range/outPlane inPlane:width outPlane' },
  /** dx = 0, then each window's in-bounds elements += dy/divisor (the forward's), windows in order. */
  avgPoolBackward: { args: 'dy:range/outPlane planes:count h w kh kw sh sw ph pw oh ow countIncludePad divisor dx:range/inPlane inPlane:width outPlane' },
  /**
   * Adaptive average: output (oy, ox) averages rows ⌊oy·h/oh⌋ … ⌈(oy+1)·h/oh⌉ − 1 and the same for
   * columns (torch's windows), summed in order and divided by the window's size.
   */
  adaptiveAvgPoolForward: { args: 'x:range/inPlane planes:count h w oh ow y:range/outPlane inPlane:width outPlane' },
  /** dx = 0, then each window's elements += dy/size, windows in order. */
  adaptiveAvgPoolBackward: { args: 'dy:range/outPlane planes:count h w oh ow dx:range/inPlane inPlane:width outPlane' },
  /**
   * Resamples each of `planes` h×w planes to oh×ow by `mode` (Interp in codes.ts), as torch's
   * interpolate: along each axis the source coordinate of output index d is, in float32, for
   * nearest min(⌊d·scale⌋, n − 1) (d itself when the sizes agree, d >> 1 when doubling), for
   * nearestExact min(⌊(d + ½)·scale⌋, n − 1), and for linear r = alignCorners ? scale·d :
   * max(scale·(d + ½) − ½, 0), whose neighbours i0 = ⌊r⌋ and i1 = min(i0 + 1, n − 1) get weights
   * 1 − λ and λ = clamp(r − i0, 0, 1) (rows outside, columns inside). scaleH and scaleW are the
   * sources per output along each axis as torch computes them (TypeScript: layers/upsample.ts).
   */
  upsampleForward: { args: 'x:range/inPlane planes:count h w oh ow mode scaleH scaleW alignCorners y:range/outPlane inPlane:width outPlane' },
  /** The adjoint of upsampleForward: dx = 0, then each output's gradient added to its sources (times their weights), outputs in order. */
  upsampleBackward: { args: 'dy:range/outPlane planes:count h w oh ow mode scaleH scaleW alignCorners dx:range/inPlane inPlane:width outPlane' },
  /**
   * Each of `planes` h×w planes written into a (top + h + bottom)×(left + w + right) plane of out,
   * the border filled by `mode` (Pad in codes.ts): out[oy][ox] = x[sy][sx] with each source index
   * found along its axis alone (reflect: −i before and 2(n − 1) − i after; replicate: the nearest
   * edge; circular: i ± n), or `value` (constant). Needs each padding below the axis's length for
   * reflect and at most the length for circular (checked in TypeScript).
   */
  padPlanes: { args: 'x:range/inPlane planes:count h w top bottom left right mode value out:range/outPlane inPlane:width outPlane' },
  /**
   * The adjoint of padPlanes: constant mode copies the interior of dout; the others set dx = 0,
   * then dx[sy][sx] += dout[oy][ox] over the padded plane in row-major order (a source element
   * that several border positions copy sums their gradients in that order).
   */
  padPlanesBackward: { args: 'dout:range/outPlane planes:count h w top bottom left right mode dx:range/inPlane inPlane:width outPlane' },
} as const satisfies Record<string, KernelSpec>;

export type ConvKernels = KernelFunctions<typeof CONV_KERNELS>;
