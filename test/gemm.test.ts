import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import {
  tensor, zeros, matmul, gemm, init, Tensor, ShapeError, OptionError, DisposedError,
} from '../src/index.js';
import { requireBackend, requireHeap, gemmWorkspace } from '../src/core/runtime.js';
import { CONFIGS, use, referenceGemm, randomFloats, expectGemmClose } from './helpers.js';

// Sizes biased towards the awkward ones: 1, primes, non-multiples of 4 and 8, and a few large.
const dim = fc.oneof(
  fc.constantFrom(1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 33, 61, 64, 97, 127, 131),
  fc.integer({ min: 1, max: 64 }),
  fc.integer({ min: 1, max: 300 }),
);
const FORMS = [
  { name: 'NN', transA: false, transB: false },
  { name: 'NT', transA: false, transB: true },
  { name: 'TN', transA: true, transB: false },
  { name: 'TT', transA: true, transB: true },
];
const SCALARS = [
  { alpha: 1, beta: 0 },
  { alpha: 2.5, beta: -0.5 },
  { alpha: 1, beta: 1 },
  { alpha: -0.75, beta: 0 },
];

for (const config of CONFIGS) {
  describe(`gemm on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const form of FORMS) {
      it(`${form.name}: matches a float64 reference over random shapes and α/β`, () => {
        fc.assert(
          fc.property(dim, dim, dim, fc.constantFrom(...SCALARS), fc.nat(), (m, n, k, { alpha, beta }, seed) => {
            const aShape = form.transA ? [k, m] : [m, k];
            const bShape = form.transB ? [n, k] : [k, n];
            const aData = randomFloats(m * k, seed + 1);
            const bData = randomFloats(k * n, seed + 2);
            const c0 = randomFloats(m * n, seed + 3);
            const a = tensor(aData, aShape);
            const b = tensor(bData, bShape);
            const c = tensor(c0, [m, n]);
            try {
              gemm(a, b, c, { transA: form.transA, transB: form.transB, alpha, beta });
              const { value, magnitude } = referenceGemm(
                aData, bData, m, n, k, form.transA, form.transB, aShape[1], bShape[1],
              );
              expectGemmClose(c.toArray(), value, magnitude, c0, alpha, beta, k, n, m, n);
            } finally {
              a.dispose(); b.dispose(); c.dispose();
            }
          }),
          { numRuns: config.label === 'js' ? 12 : 30, seed: 0x5eed + form.name.charCodeAt(1) },
        );
      });
    }

    it('reads sub-matrices through leading dimensions larger than the row', () => {
      const backend = requireBackend();
      const heap = requireHeap();
      for (const [m, n, k, pad] of [[5, 7, 3, 3], [17, 9, 33, 1], [1, 1, 1, 5], [64, 10, 31, 4]]) {
        for (const form of FORMS) {
          const aRows = form.transA ? k : m, aCols = form.transA ? m : k;
          const bRows = form.transB ? n : k, bCols = form.transB ? k : n;
          const lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
          const aData = randomFloats(aRows * lda, m + 11);
          const bData = randomFloats(bRows * ldb, n + 12);
          const cData = randomFloats(m * ldc, k + 13);
          const a = tensor(aData, [aRows * lda]), b = tensor(bData, [bRows * ldb]), c = tensor(cData, [m * ldc]);
          const work = gemmWorkspace(backend.gemmWorkspaceBytes(m, n, k));
          backend.gemm(+form.transA, +form.transB, m, n, k, 1.5, a.offset, lda, b.offset, ldb, 0.5, c.offset, ldc, work);
          const got = c.toArray();
          const { value, magnitude } = referenceGemm(aData, bData, m, n, k, form.transA, form.transB, lda, ldb);
          expectGemmClose(got, value, magnitude, cData, 1.5, 0.5, k, ldc, m, n);
          // The padding columns of C are outside the product and must be untouched.
          for (let i = 0; i < m; i++) {
            for (let j = n; j < ldc; j++) expect(got[i * ldc + j]).toBe(cData[i * ldc + j]);
          }
          a.dispose(); b.dispose(); c.dispose();
          void heap;
        }
      }
    });

    it('takes every packing path and k-loop shape (sizes around each threshold) within the float64 bound', () => {
      // m, n around the in-place / packing thresholds of assembly/gemm.ts (m ≤ 8, ≤ 16, ≤ 64;
      // n ≤ 16, ≤ 64), k odd and even (the two-step loop's exit after either step) and past one
      // k-block (512); n = 1024 makes ldb a multiple of 4 KiB (the aliasing rule).
      const shapes: number[][] = [];
      for (const m of [5, 12, 40, 70]) for (const n of [10, 40, 70]) for (const k of [1, 2, 7, 513]) shapes.push([m, n, k]);
      shapes.push([20, 1024, 9], [12, 20, 1030]);
      for (const [m, n, k] of shapes) {
        for (const form of FORMS) {
          const aData = randomFloats(m * k, m * 7 + k), bData = randomFloats(k * n, n * 5 + k);
          const a = tensor(aData, form.transA ? [k, m] : [m, k]);
          const b = tensor(bData, form.transB ? [n, k] : [k, n]);
          const c = matmul(a, b, { transA: form.transA, transB: form.transB });
          const { value, magnitude } = referenceGemm(
            aData, bData, m, n, k, form.transA, form.transB, form.transA ? m : k, form.transB ? k : n,
          );
          expectGemmClose(c.toArray(), value, magnitude, null, 1, 0, k, n, m, n);
          for (const t of [a, b, c]) t.dispose();
        }
      }
    });

    it('gives the bits of the full call on a band of rows from a multiple of 4 or of columns from a multiple of 8', () => {
      // The threads split relies on this: the packing rules depend on m and n, the arithmetic
      // of an element only on k.
      const backend = requireBackend();
      for (const [m, n, k] of [[70, 75, 37], [33, 130, 600], [24, 90, 16]]) {
        for (const form of FORMS) {
          const lda = form.transA ? m : k, ldb = form.transB ? k : n;
          const a = tensor(randomFloats(m * k, m + k), [m * k]), b = tensor(randomFloats(k * n, n + k), [k * n]);
          const full = zeros([m, n]), band = zeros([m, n]);
          const work = gemmWorkspace(backend.gemmWorkspaceBytes(m, n, k));
          backend.gemm(+form.transA, +form.transB, m, n, k, 1, a.offset, lda, b.offset, ldb, 0, full.offset, n, work);
          const expected = full.toArray();
          for (const [i0, i1] of [[4, m], [8, 20]]) {
            const aBand = a.offset + 4 * (form.transA ? i0 : i0 * lda);
            backend.gemm(+form.transA, +form.transB, i1 - i0, n, k, 1, aBand, lda, b.offset, ldb, 0, band.offset + 4 * i0 * n, n, work);
          }
          for (const [j0, j1] of [[8, n], [16, 40]]) {
            const bBand = b.offset + 4 * (form.transB ? j0 * ldb : j0);
            backend.gemm(+form.transA, +form.transB, m, j1 - j0, k, 1, a.offset, lda, bBand, ldb, 0, band.offset + 4 * j0, n, work);
          }
          const got = band.toArray();
          // rows [4, m) were written by the row band, then columns [8, n) rewritten by the column band
          for (let i = 4; i < m; i++) for (let j = 0; j < n; j++) expect(got[i * n + j]).toBe(expected[i * n + j]);
          for (let i = 0; i < 4; i++) for (let j = 8; j < n; j++) expect(got[i * n + j]).toBe(expected[i * n + j]);
          for (const t of [a, b, full, band]) t.dispose();
        }
      }
    });

    it('never reads C when β = 0 (NaN there does not propagate)', () => {
      for (const form of FORMS) {
        const a = tensor(randomFloats(6 * 5, 1), form.transA ? [5, 6] : [6, 5]);
        const b = tensor(randomFloats(5 * 9, 2), form.transB ? [9, 5] : [5, 9]);
        const c = tensor(new Float32Array(54).fill(NaN), [6, 9]);
        gemm(a, b, c, { transA: form.transA, transB: form.transB, beta: 0 });
        expect(c.toArray().every(Number.isFinite)).toBe(true);
        a.dispose(); b.dispose(); c.dispose();
      }
    });

    it('gives β·C for k = 0 and leaves A, B unread when α = 0', () => {
      const a = zeros([3, 0]), b = zeros([0, 4]);
      const c = tensor(randomFloats(12, 5), [3, 4]);
      const before = c.toArray();
      gemm(a, b, c, { beta: 2 });
      expect(Array.from(c.toArray())).toEqual(Array.from(before, (x) => Math.fround(2 * x)));
      const nanA = tensor(new Float32Array(6).fill(NaN), [3, 2]);
      const nanB = tensor(new Float32Array(8).fill(NaN), [2, 4]);
      gemm(nanA, nanB, c, { alpha: 0, beta: 1 });
      expect(Array.from(c.toArray())).toEqual(Array.from(before, (x) => Math.fround(2 * x)));
      for (const t of [a, b, c, nanA, nanB]) t.dispose();
    });

    it('matmul returns a new tensor of shape [m, n]', () => {
      const a = tensor([[1, 2, 3], [4, 5, 6]]);
      const b = tensor([[7, 8], [9, 10], [11, 12]]);
      const c = matmul(a, b);
      expect(c.shape).toEqual([2, 2]);
      expect(Array.from(c.toArray())).toEqual([58, 64, 139, 154]);
      const ct = matmul(a, a, { transB: true });
      expect(Array.from(ct.toArray())).toEqual([14, 32, 32, 77]);
      const ctn = matmul(a, a, { transA: true });
      expect(ctn.shape).toEqual([3, 3]);
      expect(Array.from(ctn.toArray())).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
      for (const t of [a, b, c, ct, ctn]) t.dispose();
    });
  });
}

describe('gemm input validation (before any kernel runs)', () => {
  beforeAll(() => init({ backend: 'wasm' }));

  it('rejects inner dimensions that differ, naming both shapes', () => {
    const a = zeros([2, 3]), b = zeros([4, 5]);
    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b)).toThrow(/a\[2, 3\] · b\[4, 5\].*3 columns.*4 rows/);
    expect(() => matmul(a, b, { transA: true })).toThrow(/aᵀ\[2, 3\]/);
    a.dispose(); b.dispose();
  });

  it('rejects tensors that are not 2-D', () => {
    const a = zeros([6]), b = zeros([6, 1]);
    expect(() => matmul(a, b)).toThrow(/a must be a 2-D Tensor, got a tensor of shape \[6\]/);
    a.dispose(); b.dispose();
  });

  it('rejects a c of the wrong shape and non-finite α/β', () => {
    const a = zeros([2, 3]), b = zeros([3, 4]), c = zeros([4, 2]);
    expect(() => gemm(a, b, c)).toThrow(/c has shape \[4, 2\], expected \[2, 4\]/);
    const c2 = zeros([2, 4]);
    expect(() => gemm(a, b, c2, { alpha: NaN })).toThrow(OptionError);
    expect(() => gemm(a, b, c2, { beta: Infinity })).toThrow(/beta must be a finite number, got Infinity/);
    for (const t of [a, b, c, c2]) t.dispose();
  });

  it('rejects an output that aliases an input', () => {
    const a = tensor(randomFloats(9, 3), [3, 3]), b = tensor(randomFloats(9, 4), [3, 3]);
    const before = a.toArray();
    expect(() => gemm(a, b, a)).toThrow(/c shares memory with a/);
    expect(() => gemm(a, b, b, { beta: 1 })).toThrow(/c shares memory with b/);
    expect(Array.from(a.toArray())).toEqual(Array.from(before));
    a.dispose(); b.dispose();
  });

  it('rejects disposed tensors and non-boolean transposes', () => {
    const a = zeros([2, 2]), b = zeros([2, 2]);
    b.dispose();
    expect(() => matmul(a, b)).toThrow(DisposedError);
    const b2 = zeros([2, 2]);
    expect(() => matmul(a, b2, { transA: 1 as unknown as boolean })).toThrow(/transA must be a boolean/);
    a.dispose(); b2.dispose();
  });

  it('rejects negative and fractional sizes', () => {
    expect(() => zeros([2, -1])).toThrow(ShapeError);
    expect(() => zeros([2.5, 1])).toThrow(/non-negative integers, got \[2.5, 1\]/);
    expect(() => new Tensor([1, NaN])).toThrow(ShapeError);
  });
});

describe('builds agree bit for bit', () => {
  it('the SIMD and scalar builds give identical gemm results in every form', async () => {
    const shapes = [[1, 1, 1], [7, 10, 13], [33, 16, 784], [128, 10, 128], [65, 67, 130]];
    const results: Float32Array[][] = [];
    for (const build of ['simd', 'scalar'] as const) {
      await init({ backend: 'wasm', build });
      const out: Float32Array[] = [];
      for (const [m, n, k] of shapes) {
        for (const form of FORMS) {
          const a = tensor(randomFloats(m * k, m), form.transA ? [k, m] : [m, k]);
          const b = tensor(randomFloats(k * n, n), form.transB ? [n, k] : [k, n]);
          const c = matmul(a, b, { transA: form.transA, transB: form.transB });
          out.push(c.toArray());
          for (const t of [a, b, c]) t.dispose();
        }
      }
      results.push(out);
    }
    results[0].forEach((r, i) => expect(r).toEqual(results[1][i]));
  });
});
