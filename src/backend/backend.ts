// The one interface both backends implement. Every kernel takes byte offsets into the shared heap
// and sizes, in the same argument order in the wasm exports (assembly/) and in the js twins
// (src/backend/js/), so a backend is just an object with these functions.

export type BackendName = 'wasm' | 'js';
export type BuildName = 'simd' | 'scalar';

export interface Kernels {
  /**
   * C = α·op(A)·op(B) + β·C, row-major; op(A) is m×k, op(B) is k×n. With β = 0, C is not read.
   * `work` is scratch of at least `gemmWorkspaceBytes(m, n, k)` bytes.
   */
  gemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number,
    c: number, ldc: number, work: number,
  ): void;
  gemmWorkspaceBytes(m: number, n: number, k: number): number;
  /** x[i] = value */
  fill(x: number, n: number, value: number): void;
  /** y[i] = x[i] (memmove semantics) */
  copy(x: number, y: number, n: number): void;
  /** y[i] = α·x[i] */
  scale(x: number, y: number, n: number, alpha: number): void;
  /** y[i] += α·x[i] */
  axpy(n: number, alpha: number, x: number, y: number): void;
  /** out[i] = a[i] + b[i] */
  add(a: number, b: number, out: number, n: number): void;
  /** out[i] = a[i]·b[i] */
  mul(a: number, b: number, out: number, n: number): void;
  /** Σ x[i] */
  sum(x: number, n: number): number;
  /** max x[i] (NaN if any is NaN, −∞ for n = 0) */
  max(x: number, n: number): number;
}

export interface Backend extends Kernels {
  readonly name: BackendName;
  /** The wasm build in use, or null for the js backend. */
  readonly build: BuildName | null;
}

/** The names of every kernel, so tests and the wasm binding can check that nothing is missing. */
export const KERNEL_NAMES = [
  'gemm', 'gemmWorkspaceBytes', 'fill', 'copy', 'scale', 'axpy', 'add', 'mul', 'sum', 'max',
] as const satisfies readonly (keyof Kernels)[];
