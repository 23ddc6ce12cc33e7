import { BackendError } from '../core/errors.js';
import type { Backend, BuildName } from './backend.js';
import { ALL_KERNEL_NAMES, KERNELS } from './backend.js';
import { parseSpec } from './kernel-spec.js';
import { HEAP_BASE, type Heap } from '../core/heap.js';
import { compileKernels, instantiateKernels } from './wasm-loader.js';
import { warmUp } from './warm-up.js';

/**
 * Compiles `build` (from `source` when given), instantiates it over the heap's memory and warms it
 * up. The module is returned too: the threads builds' workers instantiate it again.
 */
export async function loadWasmBackend(
  build: BuildName, heap: Heap, source?: URL | string | ArrayBuffer | Uint8Array,
): Promise<{ module: WebAssembly.Module; backend: Backend }> {
  const module = await compileKernels(build, source);
  const backend = createWasmBackend(await instantiateKernels(build, module, heap.memory, source), build);
  warmUp(backend, heap);
  return { module, backend };
}

/** Wraps an instantiated kernel module as a Backend, checking that it exports every kernel. */
export function createWasmBackend(instance: WebAssembly.Instance, build: BuildName): Backend {
  const exports = instance.exports as unknown as Record<string, unknown> & { heapBase(): number };
  const missing = ALL_KERNEL_NAMES.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    throw new BackendError(`the ${build} wasm build lacks kernels: ${missing.join(', ')}; rebuild it`);
  }
  // A kernel whose arity differs from its declaration would read its arguments shifted.
  const misdeclared = ALL_KERNEL_NAMES.filter((name) => (exports[name] as () => void).length !== parseSpec(KERNELS[name]).names.length);
  if (misdeclared.length > 0) {
    throw new BackendError(`the ${build} wasm build's kernels ${misdeclared.join(', ')} take other arguments than src/backend declares; rebuild it`);
  }
  if (exports.heapBase() > HEAP_BASE) {
    throw new BackendError(
      `the ${build} wasm build's static data ends at ${exports.heapBase()}, above the reserved ${HEAP_BASE} bytes`,
    );
  }
  const backend: Backend = { name: 'wasm', build, threads: 1 } as Backend;
  for (const name of ALL_KERNEL_NAMES) (backend as unknown as Record<string, unknown>)[name] = exports[name];
  return backend;
}
