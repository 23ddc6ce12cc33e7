// The work regions of the depthwise kernels (assembly/conv-depthwise.ts, declared in
// src/backend/kernels-conv.ts), in floats per thread: the layouts those kernels carve their region
// into. test/scratch-guard.ts checks that no kernel writes past what these give.

/** A depthwise layer's geometry in the kernels' argument order, after c h w (see kernels-conv.ts). */
export interface DepthwiseGeometry {
  h: number; w: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
  dh: number; dw: number; oh: number; ow: number; multiplier: number;
}

/** Floats rounded up to whole 64-byte lines. */
const lines = (floats: number) => Math.ceil(floats / 16) * 16;

/** Padded rows (or columns) that o outputs at stride s of a k-tap window dilated by d read. */
const spanOf = (o: number, s: number, k: number, d: number) => (o - 1) * s + (k - 1) * d + 1;

/** Floats of the phase-split padded plane the forward and the weight gradient read. */
function paddedPlane(g: DepthwiseGeometry): number {
  return g.sw * spanOf(g.oh, g.sh, g.kh, g.dh) * Math.ceil(spanOf(g.ow, g.sw, g.kw, g.dw) / g.sw);
}

export const depthwiseScratch = {
  /** The padded plane, then the taps' offsets. */
  forward: (g: DepthwiseGeometry): number => lines(paddedPlane(g)) + g.kh * g.kw,
  /** Two sets of the taps' offsets, then the padded dz planes (stride 1) or the padded accumulator (which also covers the plane itself). */
  inputGrad: (g: DepthwiseGeometry): number => {
    const kk = g.kh * g.kw;
    const padded = g.multiplier * lines((g.h + g.ph + (g.kh - 1) * g.dh) * (g.w + g.pw + (g.kw - 1) * g.dw));
    const rows = Math.max(spanOf(g.oh, g.sh, g.kh, g.dh), g.ph + g.h);
    const cols = Math.max(spanOf(g.ow, g.sw, g.kw, g.dw), g.pw + g.w);
    return 2 * lines(kk) + Math.max(padded, lines(g.sw * rows * Math.ceil(cols / g.sw)));
  },
  /** The taps' offsets, four padded planes, a zero plane, the four interleaved, four dz rows interleaved, the block's sums. */
  weightGrad: (g: DepthwiseGeometry): number => {
    const size = paddedPlane(g), l = g.oh * g.ow, kk = g.kh * g.kw;
    return lines(kk) + 4 * lines(size) + lines(Math.max(size, l)) + lines(4 * size) + lines(4 * l) + 4 * g.multiplier * kk;
  },
};
