import type { Heap } from '../../core/heap.js';
import type { Backend } from '../backend.js';
import { HeapView } from './views.js';
import { gemm } from './gemm.js';
import * as ew from './elementwise.js';
import { modelKernels } from './model.js';
import { optimKernels } from './optim.js';

/** The pure-TypeScript backend over the shared heap: the correctness reference and the baseline. */
export function createJsBackend(heap: Heap): Backend {
  const h = new HeapView(heap);
  return {
    name: 'js',
    build: null,
    threads: 1,
    gemm: (tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
      gemm(h, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
    gemmWorkspaceBytes: () => 0,
    fill: (x, n, v) => ew.fill(h, x, n, v),
    copy: (x, y, n) => ew.copy(h, x, y, n),
    scale: (x, y, n, alpha) => ew.scale(h, x, y, n, alpha),
    axpy: (n, alpha, x, y) => ew.axpy(h, n, alpha, x, y),
    add: (a, b, out, n) => ew.add(h, a, b, out, n),
    mul: (a, b, out, n) => ew.mul(h, a, b, out, n),
    sum: (x, n) => ew.sum(h, x, n),
    max: (x, n) => ew.max(h, x, n),
    ...modelKernels(h),
    ...optimKernels(h),
  };
}
