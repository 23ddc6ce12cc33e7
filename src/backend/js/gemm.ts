import type { HeapView } from './views.js';

// The reference gemm: plain loops, written for clarity, float64 accumulation per output element.
// Two loop orders keep memory access sequential in the innermost loop — dot products of rows when
// B is transposed (NT, TT), row updates (axpy over rows of B) otherwise (NN, TN) — which is what a
// competent plain-JavaScript implementation does, so it is a fair baseline for the benchmarks.

let rowScratch = new Float64Array(0);

export function gemm(
  heap: HeapView,
  transA: number, transB: number, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number,
  c: number, ldc: number,
): void {
  const f = heap.f32;
  const A = a >>> 2, B = b >>> 2, C = c >>> 2;
  // op(A)[i][p] as an index into the heap.
  const aAt = transA ? (i: number, p: number) => A + p * lda + i : (i: number, p: number) => A + i * lda + p;
  alpha = Math.fround(alpha);
  beta = Math.fround(beta);
  if (rowScratch.length < n) rowScratch = new Float64Array(n);
  const acc = rowScratch;
  // As in BLAS, α = 0 or k = 0 leaves A and B unread (NaN there must not reach C).
  const skipProduct = alpha === 0 || k === 0;
  for (let i = 0; i < m; i++) {
    if (skipProduct) {
      acc.fill(0, 0, n);
    } else if (transB) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += f[aAt(i, p)] * f[B + j * ldb + p];
        acc[j] = s;
      }
    } else {
      acc.fill(0, 0, n);
      for (let p = 0; p < k; p++) {
        const aip = f[aAt(i, p)];
        const row = B + p * ldb;
        for (let j = 0; j < n; j++) acc[j] += aip * f[row + j];
      }
    }
    const out = C + i * ldc;
    for (let j = 0; j < n; j++) {
      // β = 0 must not read C (it may hold NaN), as in BLAS.
      f[out + j] = beta === 0 ? alpha * acc[j] : alpha * acc[j] + beta * f[out + j];
    }
  }
}
