import { BackendError } from '../core/errors.js';
import type { Backend, BuildName } from './backend.js';
import { ALL_KERNEL_NAMES } from './backend.js';
import { HEAP_BASE } from '../core/heap.js';

/** Wraps an instantiated kernel module as a Backend, checking that it exports every kernel. */
export function createWasmBackend(instance: WebAssembly.Instance, build: BuildName): Backend {
  const exports = instance.exports as unknown as Record<string, unknown> & { heapBase(): number };
  const missing = ALL_KERNEL_NAMES.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    throw new BackendError(`the ${build} wasm build lacks kernels: ${missing.join(', ')}; rebuild it`);
  }
  if (exports.heapBase() > HEAP_BASE) {
    throw new BackendError(
      `the ${build} wasm build's static data ends at ${exports.heapBase()}, above the reserved ${HEAP_BASE} bytes`,
    );
  }
  const backend: Backend = { name: 'wasm', build } as Backend;
  for (const name of ALL_KERNEL_NAMES) (backend as unknown as Record<string, unknown>)[name] = exports[name];
  return backend;
}
