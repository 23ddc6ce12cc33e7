import { expect } from 'vitest';
import { init, memory, tidy, type InitOptions, type Module, type Optimizer, type Tensor } from '../src/index.js';

/** Every kernel implementation a test must hold to the same reference. */
export const CONFIGS: { label: string; options: InitOptions }[] = [
  { label: 'wasm simd', options: { backend: 'wasm', build: 'simd' } },
  { label: 'wasm scalar', options: { backend: 'wasm', build: 'scalar' } },
  { label: 'js', options: { backend: 'js' } },
];

export async function use(options: InitOptions): Promise<void> {
  await init(options);
}

/** Row-major float64 reference of op(A)·op(B) with |op(A)|·|op(B)| for error bounds. */
export function referenceGemm(
  a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  transA: boolean, transB: boolean, lda: number, ldb: number,
): { value: Float64Array; magnitude: Float64Array } {
  const value = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, t = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * lda + i] : a[i * lda + p];
        const y = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
        t += Math.abs(x * y);
      }
      value[i * n + j] = s;
      magnitude[i * n + j] = t;
    }
  }
  return { value, magnitude };
}

/** Deterministic pseudo-random floats in [-1, 1) for test inputs (independent of the library RNG). */
export function randomFloats(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** Float32 unit roundoff. */
export const U = 2 ** -24;

/**
 * Checks c against the float64 reference with the classical bound for float32 dot products,
 * |error| ≤ γ·(|α|·Σ|a||b| + |β|·|c₀|) with γ = (k + 3)·2u — twice the worst case of a sequential
 * sum, so a correct kernel always passes and a wrong index or a lost term never does.
 */
export function expectGemmClose(
  got: Float32Array, ref: Float64Array, mag: Float64Array, c0: Float32Array | null,
  alpha: number, beta: number, k: number, ldc: number, m: number, n: number,
): void {
  const gamma = (k + 3) * 2 * U;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const prior = c0 ? c0[i * ldc + j] : 0;
      const want = alpha * ref[i * n + j] + (beta === 0 ? 0 : beta * prior);
      const bound = gamma * (Math.abs(alpha) * mag[i * n + j] + Math.abs(beta * prior)) + 1e-30;
      const actual = got[i * ldc + j];
      if (!(Math.abs(actual - want) <= bound)) {
        expect.fail(`C[${i}][${j}] = ${actual}, want ${want} ± ${bound} (m=${m}, n=${n}, k=${k})`);
      }
    }
  }
}

/**
 * Trains `steps` full steps of `model` on (x, target) — zeroGrad, forward, `loss`, backward, step,
 * inside tidy (a custom forward's op outputs freed) — and expects the heap flat from the second
 * step on and the last loss below `factor` times the first. Returns the losses.
 */
export function expectLearnsWithFlatHeap(
  model: Module, optimizer: Optimizer, loss: Module & { forward(input: Tensor, target: Tensor): Tensor }, x: Tensor, target: Tensor,
  steps: number, factor: number,
): number[] {
  const losses: number[] = [];
  let heap = 0;
  for (let step = 0; step < steps; step++) {
    tidy(() => {
      optimizer.zeroGrad();
      const value = loss.forward(model.forward(x), target);
      value.backward();
      optimizer.step();
      losses.push(value.item());
    });
    if (step === 1) heap = memory().bytesInUse;
  }
  expect(memory().bytesInUse, 'heap after the second step').toBe(heap);
  expect(losses[steps - 1], `last loss against ${factor} × the first (${losses[0]})`).toBeLessThan(losses[0] * factor);
  return losses;
}
