import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { init, getBackend, BackendError } from '../src/index.js';
import { requireBackend, requireHeap } from '../src/core/runtime.js';
import type { Backend } from '../src/backend/backend.js';
import { parityRun } from './parity-run.js';
import { expectGemmClose, randomFloats, referenceGemm } from './helpers.js';
import expected from './fixtures/parity.json';

// The opt-in 'relaxed' build, single-threaded: gemm with f32x4.relaxed_madd (a fused multiply-add
// on this hardware). Its results need not equal the other builds', so they are held to the float64
// reference with the classical error bound, and a training run to its own repeatability and to
// the deterministic run's loss. Node runs these with --experimental-wasm-relaxed-simd
// (vitest.config.ts); Chromium has relaxed SIMD on.

let relaxed: Backend;
let simd: Backend;

beforeAll(async () => {
  await init({ build: 'simd' });
  simd = requireBackend();
  expect(getBackend().relaxedSimdSupported).toBe(true);
  await init({ build: 'relaxed' });
  relaxed = requireBackend();
  expect(getBackend()).toMatchObject({ backend: 'wasm', build: 'relaxed', threads: 1 });
});

describe('relaxed build: gemm', () => {
  const dim = fc.oneof(fc.constantFrom(1, 3, 4, 7, 8, 9, 16, 17, 64, 65, 129), fc.integer({ min: 1, max: 160 }));
  it('all four forms stay within the float32 dot-product error bound of a float64 reference', () => {
    fc.assert(
      fc.property(dim, dim, fc.integer({ min: 1, max: 600 }), fc.boolean(), fc.boolean(), fc.constantFrom([1, 0], [-0.5, 1.25]),
        (m, n, k, tA, tB, [alpha, beta]) => {
          const heap = requireHeap();
          const av = randomFloats(m * k, m + 5 * k), bv = randomFloats(k * n, n + 11 * k), cv = randomFloats(m * n, 3 * m + n);
          const a = heap.alloc(m * k * 4), b = heap.alloc(k * n * 4), c = heap.alloc(m * n * 4);
          const work = heap.alloc(relaxed.gemmWorkspaceBytes(m, n, k));
          try {
            heap.f32(a, m * k).set(av);
            heap.f32(b, k * n).set(bv);
            heap.f32(c, m * n).set(cv);
            const lda = tA ? m : k, ldb = tB ? k : n;
            relaxed.gemm(+tA, +tB, m, n, k, alpha, a, lda, b, ldb, beta, c, n, work);
            const got = heap.f32(c, m * n).slice();
            const ref = referenceGemm(av, bv, m, n, k, tA, tB, lda, ldb);
            expectGemmClose(got, ref.value, ref.magnitude, cv, alpha, beta, k, n, m, n);
          } finally {
            for (const x of [a, b, c, work]) heap.free(x);
          }
        }),
      { numRuns: 40 },
    );
  });

  it('is no less accurate than the deterministic build on long dot products', () => {
    // k = 4096 random products: FMA rounds once per step instead of twice, so over many shapes
    // its total error against float64 should not exceed the multiply-then-add kernel's.
    const heap = requireHeap();
    const m = 8, n = 8, k = 4096;
    const av = randomFloats(m * k, 1), bv = randomFloats(k * n, 2);
    const a = heap.alloc(m * k * 4), b = heap.alloc(k * n * 4), c = heap.alloc(m * n * 4);
    const work = heap.alloc(Math.max(relaxed.gemmWorkspaceBytes(m, n, k), simd.gemmWorkspaceBytes(m, n, k)));
    heap.f32(a, m * k).set(av);
    heap.f32(b, k * n).set(bv);
    const ref = referenceGemm(av, bv, m, n, k, false, false, k, n).value;
    const error = (backend: Backend): number => {
      backend.gemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n, work);
      const got = heap.f32(c, m * n);
      let sum = 0;
      for (let i = 0; i < m * n; i++) sum += Math.abs(got[i] - ref[i]);
      return sum;
    };
    const fused = error(relaxed), separate = error(simd);
    for (const x of [a, b, c, work]) heap.free(x);
    expect(fused).toBeGreaterThan(0);
    expect(fused).toBeLessThanOrEqual(separate * 1.25);
  });
});

describe('relaxed build: a whole training run', () => {
  it('repeats itself bit for bit, and ends at the deterministic run’s loss to float32 noise', async () => {
    const first = await parityRun('relaxed');
    const second = await parityRun('relaxed');
    expect(second).toEqual(first);
    expect(Math.abs(first.loss - expected.loss.simd)).toBeLessThan(1e-3 * expected.loss.simd);
  });
});

describe('relaxed build: options', () => {
  it('takes threads only where the first init asked for them, like the other builds', async () => {
    // This file's heap is unshared (threads.test.ts covers 'relaxed' on a shared heap).
    await expect(init({ build: 'relaxed', threads: 2 })).rejects.toThrow(BackendError);
    await expect(init({ build: 'relaxed', threads: 2 })).rejects.toThrow(/threads: 2 needs shared memory.*first init/);
  });

  it('names the builds in the error for an unknown one', async () => {
    await expect(init({ build: 'fma' as 'relaxed' })).rejects.toThrow(/build must be 'auto', 'simd', 'scalar' or 'relaxed', got "fma"/);
  });
});
