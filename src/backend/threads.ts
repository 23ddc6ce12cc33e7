import { BackendError, OptionError } from '../core/errors.js';
import { Heap } from '../core/heap.js';
import { ThreadPool } from './thread-pool.js';
import { hostSupportsSimd } from './wasm-loader.js';
import type { Backend } from './backend.js';
import { createParallelBackend, PARALLEL_KERNEL_NAMES } from './parallel.js';
import { loadWasmBackend } from './wasm.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

// What `init({ threads })` needs besides the single-threaded runtime: the thread count, the
// shared memory, and the threads build with its worker pools.

export async function resolveThreads(threads: number | 'auto' | undefined): Promise<number> {
  if (threads === undefined) return 1;
  if (threads === 'auto') return hardwareThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new OptionError(`init: threads must be 'auto' or an integer from 1 to 64, got ${String(threads)}`);
  }
  return threads;
}

/** The cores the host offers: navigator.hardwareConcurrency in browsers, os.availableParallelism in Node 20. */
export async function hardwareThreads(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let cores = nav?.hardwareConcurrency;
  if (cores === undefined) {
    try {
      const os = await importNodeBuiltin<typeof import('node:os')>('node:os');
      cores = os.availableParallelism();
    } catch {
      cores = 1;
    }
  }
  return Math.max(1, Math.min(64, cores));
}

export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

export function createSharedMemory(): WebAssembly.Memory {
  if (!hostSupportsSimd()) throw new BackendError('init: threads need WebAssembly SIMD, which this host lacks');
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (typeof SharedArrayBuffer === 'undefined' || isolated === false) {
    throw new BackendError(
      'init: threads need shared memory (SharedArrayBuffer), which this page does not have: it is not ' +
        'cross-origin isolated. Serve it with Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp, or use threads: 1',
    );
  }
  try {
    return Heap.createMemory(true);
  } catch (cause) {
    throw new BackendError(`init: threads need shared WebAssembly memory, which this host refused: ${(cause as Error).message}`);
  }
}

/** The builds that run over shared memory. */
export type SharedBuildName = 'threads' | 'relaxed-threads';

/**
 * A shared-memory build over the shared heap, compiled once, and a backend per thread count, each
 * with a pool of `threads − 1` workers. Pools are kept, so switching thread counts back and forth
 * starts no new workers (idle workers park and cost nothing).
 */
export class ThreadsBuild {
  constructor(private readonly build: SharedBuildName) {}

  private module: WebAssembly.Module | null = null;
  private base: Backend | null = null;
  private readonly pools = new Map<number, { pool: ThreadPool; backend: Backend }>();

  async backend(h: Heap, threads: number, source: URL | string | ArrayBuffer | Uint8Array | undefined): Promise<Backend> {
    if (!this.module || !this.base || source !== undefined) {
      ({ module: this.module, backend: this.base } = await loadWasmBackend(this.build, h, source));
      for (const { pool } of this.pools.values()) pool.dispose();
      this.pools.clear();
    }
    if (threads === 1) return this.base;
    let entry = this.pools.get(threads);
    if (!entry) {
      const pool = await ThreadPool.start(threads, this.module, h.memory, PARALLEL_KERNEL_NAMES);
      entry = { pool, backend: createParallelBackend(this.base, pool) };
      this.pools.set(threads, entry);
    }
    return entry.backend;
  }
}
