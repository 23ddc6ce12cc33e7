import { KERNELS, type Backend } from './backend.js';
import { BY_ONE_FLOAT, BY_WIDTH, parseSpec } from './kernel-spec.js';
import type { ThreadPool } from './thread-pool.js';
import { SplitChooser, type SplitSite } from './split-chooser.js';

// The threads build's backend: the same kernels, with the big calls split across a ThreadPool.
//
// Only splits that cannot change a single bit are made, so results do not depend on the thread
// count (tested): elementwise kernels are split into ranges of elements (each element's arithmetic
// is the same wherever it falls: the SIMD body and the scalar tail round identically), row-wise
// kernels into ranges of rows, and gemm into bands of rows or columns of C (each output element
// keeps its one summation order over k). Reductions (sum, max, norms) are never split, but for the
// row sums of sumCols, split by rows (a row's sum is computed whole by one thread).
// Calls below a size threshold run on the calling thread: a job hand-over costs about a
// microsecond with the workers polling and tens of microseconds once they have parked. Above it,
// a SplitChooser times each call shape both ways and uses the faster (split-chooser.ts): whether
// a split pays depends on the machine and on what else keeps its cores busy, not on size alone.

/** Elementwise calls with fewer elements than this stay on the calling thread. */
export const MIN_PARALLEL_ELEMENTS = 1 << 15;
/**
 * gemm calls with fewer multiply-adds than this (m·n·k) stay on the calling thread. Measured
 * (`npx tsx bench/split-threshold.ts`, and whole steps of 784-16-16-10 at batch 32, whose first
 * layer's 0.4 M-multiply-add products ran the step at 0.92× when split): below about a million
 * multiply-adds a call takes ~20–40 µs, and handing chunks over costs more than the second core
 * gives back. A million, not 2^20: LeNet's Linear(784, 10) at batch 128 makes 1,003,520, and the
 * chooser, once it may time them, splits all three of its gemms (in a step: 0.136 against 0.177,
 * 0.066 against 0.139 and 0.051 against 0.107 ms). No MLP row of the benchmark has a gemm between
 * the two.
 */
export const MIN_PARALLEL_MACS = 1_000_000;
/**
 * A job is cut into up to this many chunks per thread: enough that a thread which starts late
 * (descheduled, or waking from a park) leaves little for the others to wait on, few enough that
 * the per-chunk cost (a claim, and for gemm the packing of the band's panels) stays small.
 */
export const CHUNKS_PER_THREAD = 4;
/** The smallest chunk worth handing over, in elements and in gemm multiply-adds. */
export const MIN_CHUNK_ELEMENTS = 1 << 13;
export const MIN_CHUNK_MACS = 1 << 16;
/**
 * While the cores are contended (another process keeps one busy), only calls at least this big
 * are split at all: a worker woken for a smaller one makes three threads share two cores, and the
 * calling thread's own time slices go (measured beside a spinning process: whole steps at
 * 0.64× of one thread when every call was left to the timings, whose samples the descheduled
 * caller itself then spoils).
 */
export const CONTENDED_MIN_ELEMENTS = 1 << 18;
export const CONTENDED_MIN_MACS = 1 << 24;

/** The kernels split into ranges of units, as the kernel table declares them (kernel-spec.ts). */
const SPLITS = Object.entries(KERNELS).flatMap(([name, spec]) => {
  const { split } = parseSpec(spec);
  return split ? [[name, split] as const] : [];
});

/** The exports a pool worker may be asked to run, by index. */
export const PARALLEL_KERNEL_NAMES: readonly string[] = ['gemm', ...SPLITS.map(([name]) => name)];

type KernelFn = (...args: number[]) => unknown;

/** Wraps the threads build's `base` backend so that large calls use every thread of `pool`. */
export function createParallelBackend(base: Backend, pool: ThreadPool): Backend {
  const threads = pool.size;
  const chooser = new SplitChooser();
  const clock = new CallClock();
  const backend = { ...base, threads, splitChoices: () => chooser.describe() } as unknown as Record<string, KernelFn>;
  for (const [name, split] of SPLITS) {
    const run = (base as unknown as Record<string, KernelFn>)[name];
    const kernel = PARALLEL_KERNEL_NAMES.indexOf(name);
    const strides: number[] = [];
    const runHere = (args: number[]): void => void run(...args);
    backend[name] = (...args: number[]): unknown => {
      const units = args[split.count];
      const width = split.width < 0 ? 1 : args[split.width];
      const elements = units * width;
      if (elements < MIN_PARALLEL_ELEMENTS || units < 2) return run(...args);
      if (pool.watchContention() && elements < CONTENDED_MIN_ELEMENTS) return run(...args);
      const site = chooser.site(`${name} ${units} ${width}`);
      if (!site.split()) return clock.run(site, false, () => run(...args));
      // Element ranges start on 16-element (64-byte) boundaries: whole cache lines per thread.
      const align = split.width < 0 ? 16 : 1;
      const chunks = Math.min(threads * CHUNKS_PER_THREAD, Math.floor(elements / MIN_CHUNK_ELEMENTS));
      const chunk = Math.ceil(units / chunks / align) * align;
      strides.length = args.length;
      strides.fill(0);
      // A pointer argument of 0 means "unused" and stays 0.
      for (let j = 0; j < split.pointers.length; j++) {
        const i = split.pointers[j], by = split.strideArgs[j];
        if (args[i] !== 0) strides[i] = 4 * (by === BY_ONE_FLOAT ? 1 : by === BY_WIDTH ? width : args[by]);
      }
      const perThread = split.perThread ? { arg: split.perThread.arg, stride: args[split.perThread.strideArg] } : undefined;
      return clock.run(site, true, () => pool.run({ kernel, args, count: split.count, strides, units, chunk, perThread }, runHere));
    };
  }
  backend.gemmWorkspaceBytes = (m, n, k) => threads * workspaceStride(base, m, n, k);
  backend.gemm = parallelGemm(base, pool, PARALLEL_KERNEL_NAMES.indexOf('gemm'), chooser, clock) as KernelFn;
  return backend as unknown as Backend;
}

/** Each thread's gemm scratch is its own region of the workspace, this many bytes apart. */
function workspaceStride(base: Backend, m: number, n: number, k: number): number {
  return Math.ceil(base.gemmWorkspaceBytes(m, n, k) / 64) * 64;
}

/**
 * Times the calls a SplitChooser decides, each from its start to the start of the next such call:
 * what a split costs includes what follows it. A worker still polling after a split takes time
 * from the calling thread's next serial calls (measured: the demo's net ran whole steps at 0.85×
 * of one thread while every split call, timed alone, was faster than running it serially). The
 * work in between is the same either way, so a site's two estimates still compare the two ways.
 * An interval much longer than its call (the program did something else: evaluated, switched
 * `init({ threads })`) is no sample of either way and is dropped.
 */
class CallClock {
  private site: SplitSite | null = null;
  private split = false;
  private start = 0;
  private end = 0;

  run<T>(site: SplitSite, split: boolean, call: () => T): T {
    const start = performance.now();
    if (this.site !== null && start - this.end < MAX_TAIL_MS) this.site.record(this.split, start - this.start);
    this.site = site;
    this.split = split;
    this.start = start;
    const result = call();
    this.end = performance.now();
    return result;
  }
}

/** The longest gap (ms) after a call that still counts as the call's own after-effect. */
const MAX_TAIL_MS = 1;

function parallelGemm(base: Backend, pool: ThreadPool, kernel: number, chooser: SplitChooser, clock: CallClock): Backend['gemm'] {
  const threads = pool.size;
  const args = new Array<number>(14);
  const strides = new Array<number>(14);
  const perThread = { arg: 13, stride: 0 };
  const runHere = (a: number[]): void => base.gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
  return (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work) => {
    const macs = m * n * k;
    // Bands of C along its longer side, in whole micro-kernel tiles (4 rows or 8 columns).
    const byRows = m >= n;
    const tile = byRows ? 4 : 8;
    const extent = byRows ? m : n;
    const tiles = Math.ceil(extent / tile);
    const chunks = Math.min(threads * CHUNKS_PER_THREAD, tiles, Math.floor(macs / MIN_CHUNK_MACS));
    // Small calls (every call of the course's net) go straight to the kernel: no closure, no site.
    if (macs < MIN_PARALLEL_MACS || chunks < 2 || (pool.watchContention() && macs < CONTENDED_MIN_MACS)) {
      return base.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
    }
    const site = chooser.site(`gemm ${transA}${transB} ${m} ${n} ${k}`);
    if (!site.split()) return clock.run(site, false, () => base.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work));
    args[0] = transA; args[1] = transB; args[2] = m; args[3] = n; args[4] = k; args[5] = alpha;
    args[6] = a; args[7] = lda; args[8] = b; args[9] = ldb; args[10] = beta;
    args[11] = c; args[12] = ldc; args[13] = work;
    strides.fill(0);
    if (byRows) {
      strides[6] = transA ? 4 : lda * 4;
      strides[11] = ldc * 4;
    } else {
      strides[8] = transB ? ldb * 4 : 4;
      strides[11] = 4;
    }
    perThread.stride = workspaceStride(base, m, n, k);
    const chunk = Math.ceil(tiles / chunks) * tile;
    clock.run(site, true, () => pool.run({ kernel, args, count: byRows ? 2 : 3, strides, units: extent, chunk, perThread }, runHere));
  };
}
