// Times every call of a backend's kernels, for the profiling scripts (conv-profile.ts,
// lenet-threads-profile.ts): each kernel of the backend object is replaced by a wrapper that adds
// its wall time under a key, gemm's by its call shape. The wrappers cost ~1 µs a call, so these
// scripts show where a step's time goes, never what a step costs.
import type { Backend } from '../src/backend/backend.js';

/** Where the three sizes a call is keyed by start in its arguments (kernels-conv.ts has the signatures). */
const SIZES_AT: Record<string, number> = {
  im2col: 1, col2im: 1, maxPoolForward: 1, maxPool2x2Forward: 1, maxPoolBackward: 2, maxPool2x2Backward: 3,
};

/** The key a call is counted under: gemm by transposes and m×n×k, pooling and im2col by their sizes. */
function callKey(name: string, args: number[]): string {
  if (name === 'gemm') return `gemm ${args[0]}${args[1]} ${args[2]}×${args[3]}×${args[4]}`;
  const at = SIZES_AT[name];
  return at === undefined ? name : `${name} ${args[at]}×${args[at + 1]}×${args[at + 2]}`;
}

/**
 * Wraps each kernel of `backend` (in place; once per backend object) to report `add(key, ms)`.
 * A call made inside another wrapped call is not reported: the threads backend's gemm calls the
 * single-threaded backend's, and with both wrapped it would count twice.
 */
const wrapped = new WeakSet<object>();
let depth = 0;
export function timeKernels(backend: Backend, add: (key: string, ms: number) => void): void {
  const k = backend as unknown as Record<string, unknown>;
  if (wrapped.has(k)) return;
  wrapped.add(k);
  for (const name of Object.keys(k)) {
    const fn = k[name];
    if (typeof fn !== 'function' || name === 'gemmWorkspaceBytes' || name === 'splitChoices') continue;
    k[name] = (...args: number[]) => {
      const t0 = performance.now();
      depth++;
      try {
        return (fn as (...a: number[]) => unknown)(...args);
      } finally {
        if (--depth === 0) add(callKey(name, args), performance.now() - t0);
      }
    };
  }
}
