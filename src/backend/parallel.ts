import type { Backend } from './backend.js';
import { OPTIM_KERNEL_NAMES } from './optim-kernels.js';
import type { ThreadPool } from '../core/thread-pool.js';

// The threads build's backend: the same kernels, with the big calls split across a ThreadPool.
//
// Only splits that cannot change a single bit are made, so results do not depend on the thread
// count (tested): elementwise kernels are split into ranges of elements (each element's arithmetic
// is the same wherever it falls: the SIMD body and the scalar tail round identically), row-wise
// kernels into ranges of rows, and gemm into bands of rows or columns of C (each output element
// keeps its one summation order over k). Reductions (sum, max, norms) are never split.
// Calls below a size threshold run on the calling thread: a job hand-over costs about a
// microsecond with the workers polling and tens of microseconds once they have parked.

/** Elementwise calls with fewer elements than this stay on the calling thread. */
export const MIN_PARALLEL_ELEMENTS = 1 << 15;
/** gemm calls with fewer multiply-adds than this (m·n·k) stay on the calling thread. */
export const MIN_PARALLEL_MACS = 1 << 18;

/** How a kernel's arguments describe its range of work. */
interface RangeSplit {
  /** Index of the argument that counts the units of work (elements or rows). */
  count: number;
  /** Indices of the byte-offset arguments that advance with the range (0, meaning unused, stays 0). */
  pointers: readonly number[];
  /** Index of the argument giving the elements per unit (a row's width), if units are rows. */
  width?: number;
}

const SPLITS: Record<string, RangeSplit> = {
  fill: { count: 1, pointers: [0] },
  scale: { count: 2, pointers: [0, 1] },
  axpy: { count: 0, pointers: [2, 3] },
  add: { count: 3, pointers: [0, 1, 2] },
  mul: { count: 3, pointers: [0, 1, 2] },
  activationForward: { count: 4, pointers: [2, 3] },
  activationBackward: { count: 6, pointers: [2, 3, 4, 5] },
  biasActivation: { count: 1, pointers: [0, 6], width: 2 },
  unary: { count: 4, pointers: [2, 3] },
  unaryBackward: { count: 6, pointers: [2, 3, 4, 5] },
  clampAbs: { count: 1, pointers: [0] },
  // Every optimizer update takes its arrays first, then n.
  ...Object.fromEntries(
    OPTIM_KERNEL_NAMES.filter((name) => name.endsWith('Update')).map((name) => [name, stateArraysThenCount(name)]),
  ),
};

function stateArraysThenCount(name: string): RangeSplit {
  const arrays: Record<string, number> = {
    sgdUpdate: 3, emaMomentumUpdate: 3, adagradUpdate: 3, rmspropUpdate: 5, adadeltaUpdate: 4, adamUpdate: 5,
    adamaxUpdate: 4, nadamUpdate: 4, radamUpdate: 4, yogiUpdate: 4, lionUpdate: 3,
  };
  const count = arrays[name];
  return { count, pointers: Array.from({ length: count }, (_, i) => i) };
}

/** The exports a pool worker may be asked to run, by index. */
export const PARALLEL_KERNEL_NAMES: readonly string[] = ['gemm', ...Object.keys(SPLITS)];

type KernelFn = (...args: number[]) => unknown;

/** Wraps the threads build's `base` backend so that large calls use every thread of `pool`. */
export function createParallelBackend(base: Backend, pool: ThreadPool): Backend {
  const threads = pool.size;
  const backend = { ...base, threads } as unknown as Record<string, KernelFn>;
  for (const [name, split] of Object.entries(SPLITS)) {
    const run = (base as unknown as Record<string, KernelFn>)[name];
    const kernel = PARALLEL_KERNEL_NAMES.indexOf(name);
    backend[name] = (...args: number[]): unknown => {
      const units = args[split.count];
      const width = split.width === undefined ? 1 : args[split.width];
      if (units * width < MIN_PARALLEL_ELEMENTS || units < 2) return run(...args);
      // Element ranges start on 16-element (64-byte) boundaries: whole cache lines per thread.
      const align = split.width === undefined ? 16 : 1;
      const share = Math.ceil(units / threads / align) * align;
      const bytesPerUnit = 4 * width;
      const original = args.slice();
      pool.split(units, share, (t, start, length) => {
        for (const i of split.pointers) if (original[i] !== 0) args[i] = original[i] + start * bytesPerUnit;
        args[split.count] = length;
        pool.assign(t, kernel, args);
      }, () => {
        for (const i of split.pointers) args[i] = original[i];
        args[split.count] = Math.min(share, units);
        run(...args);
      });
      return undefined;
    };
  }
  backend.gemmWorkspaceBytes = (m, n, k) => threads * workspaceStride(base, m, n, k);
  backend.gemm = parallelGemm(base, pool, PARALLEL_KERNEL_NAMES.indexOf('gemm')) as KernelFn;
  return backend as unknown as Backend;
}

/** Each thread's gemm scratch is its own region of the workspace, this many bytes apart. */
function workspaceStride(base: Backend, m: number, n: number, k: number): number {
  return Math.ceil(base.gemmWorkspaceBytes(m, n, k) / 64) * 64;
}

function parallelGemm(base: Backend, pool: ThreadPool, kernel: number): Backend['gemm'] {
  const threads = pool.size;
  const job = new Array<number>(14);
  return (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work) => {
    if (m * n * k < MIN_PARALLEL_MACS) return base.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
    // Bands of C along its longer side, in whole micro-kernel tiles (4 rows or 8 columns).
    const byRows = m >= n;
    const tile = byRows ? 4 : 8;
    const extent = byRows ? m : n;
    const share = Math.ceil(extent / threads / tile) * tile;
    if (share >= extent) return base.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
    const stride = workspaceStride(base, m, n, k);
    pool.split(extent, share, (t, start, length) => {
      let bandA = a, bandB = b, bandC = c, bandM = m, bandN = n;
      if (byRows) {
        bandA = transA ? a + start * 4 : a + start * lda * 4;
        bandC = c + start * ldc * 4;
        bandM = length;
      } else {
        bandB = transB ? b + start * ldb * 4 : b + start * 4;
        bandC = c + start * 4;
        bandN = length;
      }
      job[0] = transA; job[1] = transB; job[2] = bandM; job[3] = bandN; job[4] = k; job[5] = alpha;
      job[6] = bandA; job[7] = lda; job[8] = bandB; job[9] = ldb; job[10] = beta;
      job[11] = bandC; job[12] = ldc; job[13] = work + t * stride;
      pool.assign(t, kernel, job);
    }, () => {
      if (byRows) base.gemm(transA, transB, share, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
      else base.gemm(transA, transB, m, share, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
    });
  };
}
