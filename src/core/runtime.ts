import { BackendError } from './errors.js';
import type { Heap } from './heap.js';
import type { Backend } from '../backend/backend.js';

// The process-wide runtime: one heap, the backend whose kernels run on it, and the gemm workspace.
// `init` (backend/init.ts) fills it; everything that runs kernels reads it from here, so the
// layers below the backends never import them.

let heap: Heap | null = null;
let active: Backend | null = null;
let workspace = 0;
let workspaceBytes = 0;

/** Sets the heap and the active backend (called by `init` only). */
export function setRuntime(h: Heap, backend: Backend): void {
  heap = h;
  active = backend;
}

/** The heap, or null before the first `init`. */
export function currentHeap(): Heap | null {
  return heap;
}

export function requireBackend(): Backend {
  if (!active) throw new BackendError('Descent is not initialised: call `await init()` first');
  return active;
}

export function requireHeap(): Heap {
  if (!heap) throw new BackendError('Descent is not initialised: call `await init()` first');
  return heap;
}

/**
 * A scratch block of at least `bytes` for the gemm packing buffers, reused across calls. It may
 * allocate (and so grow the memory): call it before taking any view.
 */
export function gemmWorkspace(bytes: number): number {
  if (bytes <= workspaceBytes) return workspace;
  const h = requireHeap();
  if (workspace !== 0) h.free(workspace);
  workspace = h.alloc(bytes);
  workspaceBytes = h.blockBytes(workspace);
  return workspace;
}

/**
 * Scratch for a kernel split across `threads` (`work:thread/workBytes`): one region per thread of
 * `bytes` rounded up to whole 64-byte lines (no line shared by two threads), in the workspace
 * above. Returns [the region's bytes, the workspace]; it may allocate, as gemmWorkspace.
 */
export function threadScratch(threads: number, bytes: number): [number, number] {
  const perThread = Math.ceil(bytes / 64) * 64;
  return [perThread, gemmWorkspace(perThread * threads)];
}
