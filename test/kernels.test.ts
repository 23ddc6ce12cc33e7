import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { tensor, zeros, type Tensor } from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { CONFIGS, use, randomFloats, U } from './helpers.js';

// The non-gemm kernels over random lengths: 0, 1, non-multiples of 4, and long enough to use the
// SIMD body. Elementwise results must equal a float32 computation exactly (one rounding per op);
// reductions are held to float64 with the sum's error bound.
const length = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17), fc.integer({ min: 0, max: 1000 }));
const f = Math.fround;

function withTensors(n: number, seed: number, body: (x: Tensor, y: Tensor, xs: Float32Array, ys: Float32Array) => void) {
  const xs = randomFloats(n, seed * 2 + 1).map((v) => v * 10);
  const ys = randomFloats(n, seed * 2 + 2);
  const x = tensor(xs, [n]);
  const y = tensor(ys, [n]);
  try {
    body(x, y, xs, ys);
  } finally {
    x.dispose();
    y.dispose();
  }
}

for (const config of CONFIGS) {
  describe(`elementwise and reduction kernels on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('fill', () => {
      fc.assert(fc.property(length, fc.float({ noNaN: true }), (n, v) => {
        const x = zeros([n + 2]);
        requireBackend().fill(x.offset + 4, n, v);
        const got = x.toArray();
        expect(got[0]).toBe(0);
        expect(got[n + 1]).toBe(0); // nothing written past the end
        for (let i = 1; i <= n; i++) expect(got[i]).toBe(f(v));
        x.dispose();
      }));
    });

    it('copy (including overlapping ranges, memmove semantics)', () => {
      fc.assert(fc.property(length, fc.nat(), (n, seed) => withTensors(n, seed, (x, y, xs) => {
        requireBackend().copy(x.offset, y.offset, n);
        expect(Array.from(y.toArray())).toEqual(Array.from(xs));
        if (n > 2) {
          requireBackend().copy(x.offset, x.offset + 4, n - 1); // shift right by one in place
          const got = x.toArray();
          expect(Array.from(got.subarray(1))).toEqual(Array.from(xs.subarray(0, n - 1)));
        }
      })));
    });

    it('scale, in place and out of place', () => {
      fc.assert(fc.property(length, fc.nat(), fc.double({ min: -4, max: 4 }), (n, seed, alpha) =>
        withTensors(n, seed, (x, y, xs) => {
          requireBackend().scale(x.offset, y.offset, n, alpha);
          expect(Array.from(y.toArray())).toEqual(Array.from(xs, (v) => f(f(alpha) * v)));
          requireBackend().scale(x.offset, x.offset, n, alpha);
          expect(Array.from(x.toArray())).toEqual(Array.from(xs, (v) => f(f(alpha) * v)));
        })));
    });

    it('axpy', () => {
      fc.assert(fc.property(length, fc.nat(), fc.double({ min: -4, max: 4 }), (n, seed, alpha) =>
        withTensors(n, seed, (x, y, xs, ys) => {
          requireBackend().axpy(n, alpha, x.offset, y.offset);
          expect(Array.from(y.toArray())).toEqual(Array.from(ys, (v, i) => f(v + f(f(alpha) * xs[i]))));
        })));
    });

    it('add and mul, with the output aliasing an input', () => {
      fc.assert(fc.property(length, fc.nat(), (n, seed) => withTensors(n, seed, (x, y, xs, ys) => {
        const out = zeros([n]);
        requireBackend().add(x.offset, y.offset, out.offset, n);
        expect(Array.from(out.toArray())).toEqual(Array.from(xs, (v, i) => f(v + ys[i])));
        requireBackend().mul(x.offset, y.offset, out.offset, n);
        expect(Array.from(out.toArray())).toEqual(Array.from(xs, (v, i) => f(v * ys[i])));
        requireBackend().mul(x.offset, y.offset, y.offset, n);
        expect(Array.from(y.toArray())).toEqual(Array.from(xs, (v, i) => f(v * ys[i])));
        out.dispose();
      })));
    });

    it('sum is within the float32 summation bound of a float64 sum', () => {
      fc.assert(fc.property(length, fc.nat(), (n, seed) => withTensors(n, seed, (x, _y, xs) => {
        const exact = xs.reduce((s, v) => s + v, 0);
        const magnitude = xs.reduce((s, v) => s + Math.abs(v), 0);
        const got = requireBackend().sum(x.offset, n);
        expect(Math.abs(got - exact)).toBeLessThanOrEqual((n + 2) * 2 * U * magnitude + 1e-30);
      })));
    });

    it('max is exact, −∞ for an empty range, NaN when any element is NaN', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.nat(), (n, seed) => withTensors(n, seed, (x, _y, xs) => {
        expect(requireBackend().max(x.offset, n)).toBe(Math.max(...xs));
      })));
      expect(requireBackend().max(16, 0)).toBe(-Infinity);
      for (const at of [0, 3, 6]) {
        const t = tensor([1, 2, 3, 4, 5, 6, 7].map((v, i) => (i === at ? NaN : v)), [7]);
        expect(requireBackend().max(t.offset, 7)).toBeNaN();
        t.dispose();
      }
    });
  });
}
