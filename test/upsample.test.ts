import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import {
  Adam, Conv2d, MSELoss, OptionError, ReLU, Sequential, ShapeError, Upsample, interpolate, tensor, type Tensor,
} from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// interpolate and Upsample: against torch's formulas in float64 on random sizes (1 and sizes not a
// multiple of 4 included), the same bits on every build, the op's and the layer's bits alike, a
// decoder that trains with a flat heap, and the errors. PyTorch's own values:
// test/torch-layers.test.ts (13 cases).

const bitsOf = (t: Tensor) => Array.from(new Uint32Array(t.toArray().buffer));
const f32 = Math.fround;

/** torch's source coordinate (as the kernels compute it) and the float64 value of one output. */
function reference(x: Float32Array, h: number, w: number, oh: number, ow: number, mode: string, align: boolean, sh: number, sw: number): Float64Array {
  const coord = (d: number, n: number, out: number, scale: number): [number, number, number] => {
    if (mode === 'nearest') {
      const i = out === n ? d : out === 2 * n ? d >> 1 : Math.min(Math.floor(f32(d * scale)), n - 1);
      return [i, i, 0];
    }
    if (mode === 'nearest-exact') {
      const i = Math.min(Math.floor(f32((d + 0.5) * scale)), n - 1);
      return [i, i, 0];
    }
    if (out === n) return [d, d, 0];
    let r = align ? f32(scale * d) : f32(f32(scale * (d + 0.5)) - 0.5);
    if (!align && r < 0) r = 0;
    const i0 = Math.trunc(r);
    return [i0, i0 < n - 1 ? i0 + 1 : i0, Math.min(Math.max(r - i0, 0), 1)];
  };
  const y = new Float64Array(oh * ow);
  for (let oy = 0; oy < oh; oy++) {
    const [y0, y1, ly] = coord(oy, h, oh, sh);
    for (let ox = 0; ox < ow; ox++) {
      const [x0, x1, lx] = coord(ox, w, ow, sw);
      const row = (r: number) => (1 - lx) * x[r * w + x0] + lx * x[r * w + x1];
      y[oy * ow + ox] = (1 - ly) * row(y0) + ly * row(y1);
    }
  }
  return y;
}

const geometry = fc.record({
  h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 11 }), oh: fc.integer({ min: 1, max: 13 }), ow: fc.integer({ min: 1, max: 13 }),
  mode: fc.constantFrom('nearest', 'nearest-exact', 'bilinear'), align: fc.boolean(), seed: fc.nat(),
});

for (const config of CONFIGS) {
  describe(`interpolate on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('matches torch\'s formulas in float64 on random sizes, up and down (size 1 included)', () => {
      fc.assert(fc.property(geometry, ({ h, w, oh, ow, mode, align, seed }) => {
        const x = tensor(randomFloats(2 * h * w, seed), [1, 2, h, w]);
        const linear = mode === 'bilinear';
        const y = interpolate(x, { size: [oh, ow], mode: mode as 'nearest', ...(linear ? { alignCorners: align } : {}) });
        expect([...y.shape]).toEqual([1, 2, oh, ow]);
        const scale = (n: number, out: number) => (linear && align ? (out > 1 ? f32(f32(n - 1) / (out - 1)) : 0) : f32(n / out));
        const xs = x.toArray(), ys = y.toArray();
        for (let p = 0; p < 2; p++) {
          const want = reference(xs.subarray(p * h * w, (p + 1) * h * w), h, w, oh, ow, mode, linear && align, scale(h, oh), scale(w, ow));
          want.forEach((v, i) => expect(Math.abs(ys[p * oh * ow + i] - v)).toBeLessThan(1e-6 * (1 + Math.abs(v))));
        }
        [x, y].forEach((t) => t.dispose());
      }), { numRuns: 60, seed: 5 });
    });

    it('Upsample gives the bits of interpolate (and of the Tensor method), forward and backward', () => {
      const layer = new Upsample({ scaleFactor: [1.5, 2], mode: 'bilinear' });
      const x1 = tensor(randomFloats(2 * 3 * 5 * 7, 3), [2, 3, 5, 7]).requiresGrad_(), x2 = tensor(x1.toArray(), [2, 3, 5, 7]).requiresGrad_();
      const y1 = layer.forward(x1), y2 = interpolate(x2, { scaleFactor: [1.5, 2], mode: 'bilinear' }), y3 = x2.interpolate({ scaleFactor: [1.5, 2], mode: 'bilinear' });
      expect(bitsOf(y1)).toEqual(bitsOf(y2));
      expect(bitsOf(y3)).toEqual(bitsOf(y2));
      const g = randomFloats(y1.size, 4);
      y1.backward(tensor(g, [...y1.shape]));
      y2.backward(tensor(g, [...y2.shape]));
      expect(bitsOf(x1.grad!)).toEqual(bitsOf(x2.grad!));
      expect(layer.describe()).toBe('Upsample(scaleFactor 1.5×2, bilinear)');
      [x1, x2, y2, y3].forEach((t) => t.dispose());
      layer.dispose();
    });

    it('a decoder (Upsample → Conv2d) learns to enlarge its input, heap flat', () => {
      const model = new Sequential([
        new Upsample({ scaleFactor: 2 }), new Conv2d(2, 4, 3, { padding: 1 }), new ReLU(),
        new Upsample({ size: [12, 12], mode: 'bilinear' }), new Conv2d(4, 2, 3, { padding: 1 }),
      ], { seed: 2 });
      const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      const lossFn = new MSELoss();
      // The target: the input enlarged smoothly, which the net can learn.
      const x = tensor(randomFloats(4 * 2 * 4 * 4, 7), [4, 2, 4, 4]), target = interpolate(x, { size: [12, 12], mode: 'bilinear', alignCorners: true });
      expectLearnsWithFlatHeap(model, optimizer, lossFn, x, target, 40, 0.3);
      [x, target].forEach((t) => t.dispose());
      model.dispose();
    });

    it('bad options and inputs: typed errors naming the argument and what was expected; the heap unchanged', () => {
      const image = tensor(new Float32Array(2 * 3 * 4 * 5), [2, 3, 4, 5]), sequence = tensor(new Float32Array(2 * 3 * 6), [2, 3, 6]);
      const flat = tensor(new Float32Array(6), [2, 3]);
      expectRejected(() => interpolate(image, {}), OptionError, /^interpolate: give exactly one of size and scaleFactor, got neither/);
      expectRejected(() => interpolate(image, { size: 3, scaleFactor: 2 }), OptionError, /got both/);
      expectRejected(() => interpolate(image, { scaleFactor: 2, alignCorners: false }), OptionError, /^interpolate: alignCorners applies to the modes 'linear' and 'bilinear' only, got mode 'nearest'/);
      expectRejected(() => interpolate(image, { scaleFactor: 2, mode: 'bicubic' as never }), OptionError, /^interpolate: mode must be 'nearest', 'nearest-exact', 'linear' or 'bilinear', got "bicubic"/);
      expectRejected(() => interpolate(image, { scaleFactor: 2, antialias: true as never }), OptionError, /antialias must be false/);
      expectRejected(() => interpolate(image, { size: [3, 4, 5] }), OptionError, /^interpolate: size has 3 entries for an input of 2 spatial dimensions/);
      expectRejected(() => interpolate(image, { scaleFactor: 0.1 }), ShapeError, /has no output \(size 0×0\)/);
      expectRejected(() => interpolate(image, { scaleFactor: 2, mode: 'linear' }), ShapeError, /^interpolate: mode 'linear' takes \[N, C, L\] input, got shape \[2, 3, 4, 5\]/);
      expectRejected(() => interpolate(sequence, { scaleFactor: 2, mode: 'bilinear' }), ShapeError, /mode 'bilinear' takes \[N, C, H, W\] input/);
      expectRejected(() => interpolate(flat, { scaleFactor: 2 }), ShapeError, /^interpolate: input must be \[N, C, L\] or \[N, C, H, W\], got shape \[2, 3\]/);
      expectRejected(() => interpolate(image, { scale_factor: 2 } as never), OptionError, /unknown option scale_factor .*did you mean scaleFactor\?/);
      expect(() => new Upsample({ scaleFactor: 2, recomputeScaleFactor: true, size: 4 })).toThrow(/^Upsample: give exactly one of size and scaleFactor, got both/);
      expect(() => new Upsample({ size: 4, recomputeScaleFactor: true })).toThrow(/^Upsample: recomputeScaleFactor applies with scaleFactor only/);
      [image, sequence, flat].forEach((t) => t.dispose());
    });
  });
}

describe('interpolate gives the same bits on every build', () => {
  it('simd = scalar = js on random geometries, forward and backward, each mode', async () => {
    const samples = fc.sample(geometry, { numRuns: 30, seed: 9 });
    const results: number[][][] = [];
    for (const config of CONFIGS) {
      await use(config.options);
      results.push(samples.map(({ h, w, oh, ow, mode, align, seed }) => {
        const x = tensor(randomFloats(3 * h * w, seed), [1, 3, h, w]).requiresGrad_();
        const y = interpolate(x, { size: [oh, ow], mode: mode as 'nearest', ...(mode === 'bilinear' ? { alignCorners: align } : {}) });
        y.backward(tensor(randomFloats(y.size, seed + 1), [...y.shape]));
        const bits = [...bitsOf(y), ...bitsOf(x.grad!)];
        [x, y].forEach((t) => t.dispose());
        return bits;
      }));
    }
    for (let b = 1; b < results.length; b++) expect(results[b], CONFIGS[b].label).toEqual(results[0]);
  });
});
