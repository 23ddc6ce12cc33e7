import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { tensor, type Tensor } from '../src/index.js';
import { randomFloats } from './helpers.js';
import { expectReplacingKernels } from './replacing-kernels.js';
import { gemmWorkspace, requireBackend } from '../src/core/runtime.js';
import { depthwiseScratch } from '../src/nn/conv-depthwise.js';

// The depthwise kernels (depthwiseForward, depthwiseInputGrad, depthwiseWeightGrad: one input
// channel a group, any stride, padding, dilation and channel multiplier) over random geometries:
// against a float64 reference from the definition, bit for bit across the wasm builds and the js
// twins, and bit for bit against the im2col + gemm kernels with groups = c that they replace in
// the wasm builds (the js backend's gemm is a float64 reference, so there only the first two).

interface Geometry {
  n: number; c: number; m: number; h: number; w: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
}

/** Sizes not multiples of 4 and 1 included; planes up to 26×26 (outputs over gemm's k-block of 512), batches over a block of 8. */
const geometry: fc.Arbitrary<Geometry> = fc.record({
  n: fc.integer({ min: 1, max: 10 }), c: fc.integer({ min: 1, max: 9 }), m: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 26 }), w: fc.integer({ min: 1, max: 26 }), kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }),
  dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
}).filter((g) => g.h + 2 * g.ph >= g.dh * (g.kh - 1) + 1 && g.w + 2 * g.pw >= g.dw * (g.kw - 1) + 1);

/** MobileNet's 3×3 depthwise layer on 28×28 (784 positions: two k-blocks), batch 9 (a block of 8 and a tail of 1). */
const MOBILE: Geometry = { n: 9, c: 6, m: 1, h: 28, w: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 };

const size = (g: Geometry) => {
  const oh = Math.floor((g.h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh) + 1;
  const ow = Math.floor((g.w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw) + 1;
  const cout = g.c * g.m;
  return { oh, ow, l: oh * ow, kk: g.kh * g.kw, cout, xs: g.c * g.h * g.w, zs: cout * oh * ow };
};

/** float64 references: z, dx and dW from the definition. */
function reference(g: Geometry, x: Float32Array, weight: Float32Array, dz: Float32Array): Float64Array[] {
  const { oh, ow, l, kk, cout } = size(g);
  const z = new Float64Array(g.n * cout * l), dx = new Float64Array(x.length), dW = new Float64Array(cout * kk);
  for (let s = 0; s < g.n; s++) for (let o = 0; o < cout; o++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const ch = Math.floor(o / g.m), out = (s * cout + o) * l + oy * ow + ox;
    for (let ki = 0; ki < g.kh; ki++) for (let kj = 0; kj < g.kw; kj++) {
      const iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      const i = ((s * g.c + ch) * g.h + iy) * g.w + ix, t = o * kk + ki * g.kw + kj;
      z[out] += weight[t] * x[i];
      dx[i] += weight[t] * dz[out];
      dW[t] += dz[out] * x[i];
    }
  }
  return [z, dx, dW];
}

/** [z, dx, dW] from the depthwise kernels, or (viaGemm) from convForward / convInputGrad / convWeightGrad with groups = c. */
function run(g: Geometry, seed: number, viaGemm: boolean, poke: (weight: Float32Array) => void = () => {}): Float32Array[] {
  const k = requireBackend();
  const { oh, ow, l, kk, cout, xs, zs } = size(g);
  const B = 8, blocks = Math.ceil(g.n / B);
  const made: Tensor[] = [];
  const t = (data: Float32Array) => { const r = tensor(data, [data.length]); made.push(r); return r; };
  const weights = randomFloats(cout * kk, seed + 1);
  poke(weights);
  const x = t(randomFloats(g.n * xs, seed)), weight = t(weights), dz = t(randomFloats(g.n * zs, seed + 3));
  const z = t(new Float32Array(g.n * zs)), dx = t(new Float32Array(g.n * xs).fill(7));
  const partial = t(new Float32Array(blocks * cout * kk)), dW = t(new Float32Array(cout * kk));
  const bytes = 1 << 20, work = gemmWorkspace(bytes * k.threads);
  const window = [g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, oh, ow] as const;
  const dims = { h: g.h, w: g.w, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw, dh: g.dh, dw: g.dw, oh, ow, multiplier: g.m };
  for (const floats of [depthwiseScratch.forward(dims), depthwiseScratch.inputGrad(dims), depthwiseScratch.weightGrad(dims)]) {
    expect(floats * 4).toBeLessThanOrEqual(bytes);
  }
  if (!viaGemm) {
    k.depthwiseForward(x.offset, z.offset, xs, zs, g.n, ...window, g.m, weight.offset, work, bytes);
    k.depthwiseInputGrad(dz.offset, dx.offset, zs, xs, g.n, ...window, g.m, weight.offset, work, bytes);
    k.depthwiseWeightGrad(x.offset, dz.offset, partial.offset, g.h * g.w, g.m * l, g.m * kk, g.c, g.n * g.m * l, g.n, xs, zs, B,
      cout * kk, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, oh, ow, g.m, work, bytes);
    k.sumRows(partial.offset, blocks, cout * kk, dW.offset, 0);
  } else {
    k.convForward(x.offset, z.offset, xs, zs, g.n, ...window, g.c, cout, weight.offset, 0, work, bytes);
    k.convInputGrad(dz.offset, dx.offset, zs, xs, g.n, ...window, g.c, cout, weight.offset, 0, work, bytes);
    // One group at a time, as src/nn/conv.ts runs the im2col + gemm path.
    for (let ch = 0; ch < g.c; ch++) {
      const full = Math.floor(g.n / B), tail = g.n - full * B;
      const call = (s0: number, count: number, block: number) => k.convWeightGrad(
        x.offset + (s0 * xs + ch * g.h * g.w) * 4, dz.offset + (s0 * zs + ch * g.m * l) * 4, partial.offset + (s0 / B) * g.m * kk * 4,
        block * xs, block * zs, g.m * kk, count, g.m * block * l, 1, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, oh, ow,
        g.m, 0, xs, zs, block, work, bytes);
      if (full > 0) call(0, full, B);
      if (tail > 0) call(full * B, 1, tail);
      k.sumRows(partial.offset, blocks, g.m * kk, dW.offset + ch * g.m * kk * 4, 0);
    }
  }
  const out = [z.toArray(), dx.toArray(), dW.toArray()];
  made.forEach((r) => r.dispose());
  return out;
}

describe('depthwise convolution kernels', () => {
  it('match a float64 reference, give the same bits on every build and the js twin, and the im2col + gemm bits on wasm', async () => {
    const samples: [Geometry, number][] = [[MOBILE, 5], ...fc.sample(fc.tuple(geometry, fc.nat()), { numRuns: 40, seed: 31 })];
    await expectReplacingKernels(samples, ([g, seed], viaGemm) => run(g, seed, viaGemm), ([g, seed], out, what) => {
      const { xs, zs, kk, cout, l } = size(g);
      const ref = reference(g, randomFloats(g.n * xs, seed), randomFloats(cout * kk, seed + 1), randomFloats(g.n * zs, seed + 3));
      // Terms below 1 in size: sums of kk (z), kk·m (dx) and n·l (dW) of them.
      const bounds = [kk, kk * g.m, g.n * l].map((terms) => 4e-7 * (terms + 1));
      ref.forEach((r, a) => r.forEach((v, j) => expect(Math.abs(out[a][j] - v), `${what}: array ${a} [${j}]`).toBeLessThan(bounds[a])));
    });
  });

  it('keep the gemm path\'s values where a weight is infinite or NaN (a padding tap adds nothing there, not ∞·0)', async () => {
    // Stride 1 sums each input gradient over all its taps, reading zeros for outputs in the
    // padding: right only while w·0 = ±0, so a channel with a non-finite weight goes col2im's way.
    const poke = (weight: Float32Array) => {
      weight[2 * 9] = Infinity;
      weight[4 * 9 + 5] = NaN;
    };
    // NaN == NaN here: which NaN bits an ∞·0 or NaN operand gives is the host's choice.
    const same = (a: Float32Array, b: Float32Array, what: string) => expect(a.every((v, i) => Object.is(v, b[i])), what).toBe(true);
    await expectReplacingKernels([MOBILE], (g, viaGemm) => run(g, 3, viaGemm, poke), (_, out) => {
      expect(out[1].some((v) => Number.isNaN(v)) && out[1].some((v) => Math.abs(v) === Infinity) && out[1].some((v) => Number.isFinite(v))).toBe(true);
    }, same);
  });
});
