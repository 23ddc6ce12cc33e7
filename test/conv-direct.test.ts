import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { tensor, type Tensor } from '../src/index.js';
import { randomFloats } from './helpers.js';
import { expectReplacingKernels } from './replacing-kernels.js';
import { gemmWorkspace, requireBackend } from '../src/core/runtime.js';
import { Act } from '../src/backend/backend.js';

// The direct convolution kernels (convDirectForward, convDirectWeightGrad: stride 1, one group)
// over random geometries: against a float64 reference from the definition, bit for bit across
// the wasm builds and the js twin, and bit for bit against the im2col + gemm kernels they replace
// in the wasm builds (the js backend's gemm is a float64 reference, so there only the first two).

interface Geometry { n: number; c: number; cout: number; h: number; w: number; kh: number; kw: number; ph: number; pw: number; dh: number; dw: number; bias: boolean }

/** Sizes not multiples of 4 and 1 included; outputs up to 24×26 (over gemm's k-block of 512). */
const geometry: fc.Arbitrary<Geometry> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 13 }),
  h: fc.integer({ min: 1, max: 24 }), w: fc.integer({ min: 1, max: 24 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(),
}).filter((g) => g.h + 2 * g.ph >= g.dh * (g.kh - 1) + 1 && g.w + 2 * g.pw >= g.dw * (g.kw - 1) + 1);

/** LeNet's first layer at batch 9 (a block of 8 and a tail of 1; 784 positions: two k-blocks). */
const LENET: Geometry = { n: 9, c: 1, cout: 8, h: 28, w: 28, kh: 3, kw: 3, ph: 1, pw: 1, dh: 1, dw: 1, bias: true };

const size = (g: Geometry) => {
  const oh = g.h + 2 * g.ph - g.dh * (g.kh - 1), ow = g.w + 2 * g.pw - g.dw * (g.kw - 1);
  return { oh, ow, l: oh * ow, kk: g.c * g.kh * g.kw, xs: g.c * g.h * g.w, zs: g.cout * oh * ow };
};

/** x[s][ci][oy − ph + ki·dh][ox − pw + kj·dw], 0 in the padding. */
function tap(g: Geometry, x: Float32Array, s: number, ci: number, ki: number, kj: number, oy: number, ox: number): number {
  const iy = oy - g.ph + ki * g.dh, ix = ox - g.pw + kj * g.dw;
  return iy < 0 || iy >= g.h || ix < 0 || ix >= g.w ? 0 : x[((s * g.c + ci) * g.h + iy) * g.w + ix];
}

/** float64 references: z (bias included) and dW = Σ_s Σ_l dz·x. */
function reference(g: Geometry, x: Float32Array, weight: Float32Array, bias: Float32Array, dz: Float32Array): [Float64Array, Float64Array] {
  const { oh, ow, l, kk } = size(g);
  const z = new Float64Array(g.n * g.cout * l), dw = new Float64Array(g.cout * kk);
  for (let s = 0; s < g.n; s++) for (let co = 0; co < g.cout; co++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let acc = g.bias ? bias[co] : 0, p = 0;
    const d = dz[(s * g.cout + co) * l + oy * ow + ox];
    for (let ci = 0; ci < g.c; ci++) for (let ki = 0; ki < g.kh; ki++) for (let kj = 0; kj < g.kw; kj++, p++) {
      const v = tap(g, x, s, ci, ki, kj, oy, ox);
      acc += weight[co * kk + p] * v;
      dw[co * kk + p] += d * v;
    }
    z[(s * g.cout + co) * l + oy * ow + ox] = acc;
  }
  return [z, dw];
}

/** The direct kernels' outputs [z, y = ReLU(z), dW], and (wasm) the im2col + gemm kernels' [z, y, dW]. */
function run(g: Geometry, seed: number, viaGemm: boolean): Float32Array[] {
  const k = requireBackend();
  const { oh, ow, l, kk, xs, zs } = size(g);
  const B = 8, full = Math.floor(g.n / B), tail = g.n - full * B, blocks = full + (tail > 0 ? 1 : 0);
  const made: Tensor[] = [];
  const t = (data: Float32Array) => { const r = tensor(data, [data.length]); made.push(r); return r; };
  const x = t(randomFloats(g.n * xs, seed)), weight = t(randomFloats(g.cout * kk, seed + 1)), bias = t(randomFloats(g.cout, seed + 2));
  const dz = t(randomFloats(g.n * zs, seed + 3));
  const z = t(new Float32Array(g.n * zs)), y = t(new Float32Array(g.n * zs));
  const partial = t(new Float32Array(blocks * g.cout * kk)), dW = t(new Float32Array(g.cout * kk));
  const bytes = 1 << 20, work = gemmWorkspace(bytes * k.threads);
  const direct = [g.c, g.h, g.w, g.kh, g.kw, g.ph, g.pw, g.dh, g.dw, oh, ow, g.cout] as const;
  const b = g.bias ? bias.offset : 0;
  const weightGrad = (call: (dzAt: number, xAt: number, partialAt: number, count: number, block: number) => void) => {
    if (full > 0) call(dz.offset, 0, partial.offset, full, B);
    if (tail > 0) call(dz.offset + full * B * zs * 4, full * B, partial.offset + full * g.cout * kk * 4, 1, tail);
    k.sumRows(partial.offset, blocks, g.cout * kk, dW.offset, 0);
  };
  if (!viaGemm) {
    k.convDirectForward(x.offset, z.offset, y.offset, xs, zs, g.n, ...direct, weight.offset, b, Act.relu, 0, work, bytes);
    weightGrad((dzAt, s0, partialAt, count, block) => k.convDirectWeightGrad(
      x.offset + s0 * xs * 4, dzAt, partialAt, block * xs, block * zs, g.cout * kk, count, g.cout * block * l, ...direct, xs, zs, block, work, bytes));
  } else {
    const window = [g.c, g.h, g.w, g.kh, g.kw, 1, 1, g.ph, g.pw, g.dh, g.dw, oh, ow] as const;
    k.convForward(x.offset, z.offset, xs, zs, g.n, ...window, 1, g.cout, weight.offset, 0, work, bytes);
    k.channelBiasActivation(z.offset, g.n, g.cout, l, b, Act.relu, 0, y.offset, zs);
    weightGrad((dzAt, s0, partialAt, count, block) => k.convWeightGrad(
      x.offset + s0 * xs * 4, dzAt, partialAt, block * xs, block * zs, g.cout * kk, count, g.cout * block * l, ...window, g.cout, 0, xs, zs, block, work, bytes));
  }
  const out = [z.toArray(), y.toArray(), dW.toArray()];
  made.forEach((r) => r.dispose());
  return out;
}

describe('direct convolution kernels', () => {
  it('match a float64 reference, give the same bits on every build and the js twin, and the im2col + gemm bits on wasm', async () => {
    const samples: [Geometry, number][] = [[LENET, 5], ...fc.sample(fc.tuple(geometry, fc.nat()), { numRuns: 40, seed: 25 })];
    await expectReplacingKernels(samples, ([g, seed], viaGemm) => run(g, seed, viaGemm), ([g, seed], out, what) => {
      const [z, dw] = reference(g, randomFloats(g.n * size(g).xs, seed), randomFloats(g.cout * size(g).kk, seed + 1), randomFloats(g.cout, seed + 2), randomFloats(g.n * size(g).zs, seed + 3));
      const { kk, l } = size(g);
      z.forEach((v, j) => expect(Math.abs(out[0][j] - v), `${what}: z[${j}]`).toBeLessThan(1e-6 * (kk + 1) * 4));
      out[1].forEach((v, j) => expect(v, `${what}: y[${j}]`).toBe(Math.max(out[0][j], 0)));
      dw.forEach((v, j) => expect(Math.abs(out[2][j] - v), `${what}: dW[${j}]`).toBeLessThan(1e-6 * g.n * l * 4));
    });
  });
});
