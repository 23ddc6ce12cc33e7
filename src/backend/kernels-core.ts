import type { KernelFunctions, KernelSpec } from './kernel-spec.js';

// The core kernels: gemm and the elementwise basics. Every kernel takes byte offsets into the
// shared heap and sizes, in this argument order in the wasm exports (assembly/) and in the js
// twins (src/backend/js/). Argument roles: see kernel-spec.ts.

export const CORE_KERNELS = {
  /**
   * C = α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n. With β = 0, C is not read.
   * `work` is scratch of at least `gemmWorkspaceBytes(m, n, k)` bytes.
   */
  gemm: { args: 'transA transB m n k alpha a lda b ldb beta c ldc work', split: 'gemm' },
  gemmWorkspaceBytes: { args: 'm n k', returns: 'number' },
  /** x[i] = value */
  fill: { args: 'x:range n:count value' },
  /** y[i] = x[i] (memmove semantics) */
  copy: { args: 'x y n' },
  /** y[i] = α·x[i] */
  scale: { args: 'x:range y:range n:count alpha' },
  /** y[i] += α·x[i] */
  axpy: { args: 'n:count alpha x:range y:range' },
  /** out[i] = a[i] + b[i] */
  add: { args: 'a:range b:range out:range n:count' },
  /** out[i] = a[i]·b[i] */
  mul: { args: 'a:range b:range out:range n:count' },
  /** Σ x[i] */
  sum: { args: 'x n', returns: 'number' },
  /** max x[i] (NaN if any is NaN, −∞ for n = 0) */
  max: { args: 'x n', returns: 'number' },
} as const satisfies Record<string, KernelSpec>;

export type CoreKernels = KernelFunctions<typeof CORE_KERNELS>;
