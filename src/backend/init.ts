import { BackendError } from '../core/errors.js';
import { STRING, anyOf, checkOptions, instanceOf, int, oneOf, type Rules } from '../core/validate.js';
import { Heap } from '../core/heap.js';
import { currentHeap, requireBackend, setRuntime } from '../core/runtime.js';
import { createSharedMemory, isShared, resolveThreads, ThreadsBuild } from './threads.js';
import { hostSupportsRelaxedSimd, hostSupportsSimd } from './wasm-loader.js';
import type { Backend, BackendName, BuildName } from './backend.js';
import { createJsBackend } from './js/index.js';
import { loadWasmBackend } from './wasm.js';

export { hardwareThreads } from './threads.js';

// `init`: creates the heap (shared when threads are asked for) and loads the backend whose kernels
// run on it, into the process-wide runtime (core/runtime.ts). It may be called again to switch
// backend; the heap, and every tensor on it, stays.

export interface InitOptions {
  /** 'wasm' (default) runs the AssemblyScript kernels; 'js' the pure-TypeScript reference. */
  backend?: BackendName;
  /**
   * Which wasm build: 'auto' (default) picks 'simd' where the host validates SIMD, else 'scalar'.
   * 'relaxed' opts into fused multiply-adds in gemm (relaxed SIMD): faster on CPUs whose adds
   * share the FMA pipes (Intel's Skylake-family cores, say), no faster on AMD's Zen cores, and its
   * results may differ in the last bits from the other builds' and between machines. On a shared
   * heap (threads) 'auto' and 'simd' mean the threads build, 'relaxed' its relaxed twin.
   */
  build?: Exclude<BuildName, 'threads' | 'relaxed-threads'> | 'auto';
  /** Where to load the wasm from, overriding the bundled file (a URL, or the bytes). */
  wasm?: URL | string | ArrayBuffer | Uint8Array;
  /**
   * Threads that run the wasm kernels (default 1): large gemm, elementwise and optimizer calls are
   * split across a pool of workers, with results bit-identical to one thread. 'auto' uses every
   * core. More than one thread needs shared memory (Node, or a cross-origin-isolated page) and
   * must be asked for by the first `init`, which creates the heap.
   */
  threads?: number | 'auto';
}

export interface BackendInfo {
  backend: BackendName;
  build: BuildName | null;
  simdSupported: boolean;
  /** Whether this host can run the opt-in 'relaxed' build (relaxed SIMD). */
  relaxedSimdSupported: boolean;
  /** Threads that run the kernels (1 for the js backend and the single-threaded builds). */
  threads: number;
}

const wasmBackends = new Map<BuildName, Backend>();
const sharedBuilds = { threads: new ThreadsBuild('threads'), 'relaxed-threads': new ThreadsBuild('relaxed-threads') };

/** The init in progress: calls made before it settles wait for it, so caches are filled once. */
let pendingInit: Promise<unknown> = Promise.resolve();

const INIT_RULES: Rules = {
  backend: oneOf('wasm', 'js'),
  build: oneOf('auto', 'simd', 'scalar', 'relaxed'),
  wasm: anyOf(STRING, instanceOf(URL), instanceOf(ArrayBuffer), instanceOf(Uint8Array)),
  threads: { ...anyOf(oneOf('auto'), int(1, 64)), description: "'auto' or an integer from 1 to 64" },
};

export function init(given?: InitOptions): Promise<BackendInfo> {
  let options: InitOptions;
  try {
    options = checkOptions<InitOptions>('init', given, INIT_RULES);
  } catch (error) {
    return Promise.reject(error); // init('abc') is a rejected promise, as any failure of init
  }
  const run = pendingInit.then(() => initNow(options));
  pendingInit = run.catch(() => undefined);
  return run;
}

async function initNow(options: InitOptions): Promise<BackendInfo> {
  const backendName = options.backend ?? 'wasm';
  const requested = options.build ?? 'auto';
  const threads = await resolveThreads(options.threads);
  const heap = currentHeap() ?? new Heap(threads > 1 ? createSharedMemory() : undefined);
  if (backendName === 'js') {
    setRuntime(heap, createJsBackend(heap));
    return getBackend();
  }
  const simd = hostSupportsSimd();
  if (requested === 'simd' && !simd) {
    throw new BackendError("init: build 'simd' was requested but this host's WebAssembly has no SIMD");
  }
  if (requested === 'relaxed' && !hostSupportsRelaxedSimd()) {
    throw new BackendError(
      "init: build 'relaxed' was requested but this host's WebAssembly has no relaxed SIMD " +
        '(Chrome ≥ 114 and Node ≥ 22 have it; Node 20 needs --experimental-wasm-relaxed-simd)',
    );
  }
  if (isShared(heap.memory)) {
    if (requested === 'scalar') {
      throw new BackendError("init: build 'scalar' cannot run on this heap: it was created shared, for threads");
    }
    const shared = sharedBuilds[requested === 'relaxed' ? 'relaxed-threads' : 'threads'];
    setRuntime(heap, await shared.backend(heap, threads, options.wasm));
    return getBackend();
  }
  if (threads > 1) {
    throw new BackendError(
      `init: threads: ${threads} needs shared memory, but the heap was created unshared by an earlier init; ` +
        'ask for threads in the first init of the program',
    );
  }
  const build: BuildName = requested === 'auto' ? (simd ? 'simd' : 'scalar') : requested;
  let backend = options.wasm === undefined ? wasmBackends.get(build) : undefined;
  if (!backend) {
    backend = (await loadWasmBackend(build, heap, options.wasm)).backend;
    if (options.wasm === undefined) wasmBackends.set(build, backend);
  }
  setRuntime(heap, backend);
  return getBackend();
}

/** The backend and build in use. */
export function getBackend(): BackendInfo {
  const backend = requireBackend();
  return {
    backend: backend.name, build: backend.build, simdSupported: hostSupportsSimd(),
    relaxedSimdSupported: hostSupportsRelaxedSimd(), threads: backend.threads,
  };
}

/**
 * Swaps the active kernels without re-initialising (benchmarks interleave backends on one model
 * this way). Both must have been loaded by `init` on this heap.
 */
export function setBackendForBenchmark(backend: Backend): void {
  setRuntime(currentHeap()!, backend);
}
