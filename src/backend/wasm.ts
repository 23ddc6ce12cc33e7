import { BackendError } from '../core/errors.js';
import type { Backend, BuildName } from './backend.js';
import { ALL_KERNEL_NAMES, KERNELS } from './backend.js';
import { parseSpec } from './kernel-spec.js';
import { HEAP_BASE, type Heap } from '../core/heap.js';
import { compileKernels, instantiateKernels } from './wasm-loader.js';

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

/**
 * The first calls of a wasm function run in V8's baseline compiler (Liftoff) at a fraction of full
 * speed, until enough of its code has run to tier it up (V8's dynamic tiering budget). At load time
 * the kernels of a training step run a few times on scratch memory, in the shapes whose code paths
 * a step takes (wide and narrow gemm outputs — N = 10 and 16 take the 6×4 and padded tiles — in all
 * three forms, k above and below the packing thresholds; the bias + activation epilogue, its
 * backward, softmax cross-entropy, column sums, an optimizer update), so the first epoch of a short
 * run is not the slow one. Scratch only: no tensor, no RNG draw.
 */
function warmUp(backend: Backend, h: Heap): void {
  const rows = 32, wide = 64, deep = 200, classes = 10;
  const floats = deep * wide;
  const a = h.alloc(floats * 4), b = h.alloc(floats * 4), c = h.alloc(floats * 4), d = h.alloc(floats * 4);
  const work = h.alloc(backend.gemmWorkspaceBytes(wide, wide, deep));
  const targets = h.alloc(rows * 4), losses = h.alloc(rows * 4);
  try {
    backend.fill(a, floats, 0.5);
    backend.fill(b, floats, 0.25);
    backend.fill(c, floats, 0);
    backend.fill(d, floats, 0);
    backend.fill(targets, rows, 3);
    for (let rep = 0; rep < 6; rep++) {
      for (const n of [wide, 16, classes]) {
        // forward y = x·W (NN), backward dX = dY·Wᵀ (NT) and dW = Xᵀ·dY (TN), as Linear runs them
        backend.gemm(0, 0, rows, n, deep, 1, a, deep, b, n, 0, c, n, work);
        backend.gemm(0, 1, rows, deep, n, 1, c, n, b, n, 0, d, deep, work);
        backend.gemm(1, 0, deep, n, rows, 1, a, deep, c, n, 0, d, n, work);
        backend.biasActivation(c, rows, n, b, 1, 0, c);
        backend.activationBackward(1, 0, c, c, c, d, rows * n);
        backend.sumRows(d, rows, n, b, 0);
      }
      backend.crossEntropyForward(c, targets, 0, 0, rows, classes, d, losses);
      backend.crossEntropyBackward(d, targets, 0, 0, rows, classes, 1 / rows, 0, c);
      backend.adamUpdate(a, b, c, d, 0, floats, 1e-9, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1, 0, 0);
      backend.axpy(floats, 0, b, a);
      backend.sum(a, floats);
    }
  } finally {
    for (const block of [a, b, c, d, work, targets, losses]) h.free(block);
  }
}
