import type { OptimKernels } from '../optim-kernels.js';
import type { HeapView } from './views.js';

/** The optimizer kernels of the js backend, bound to one heap view. */
export function optimKernels(h: HeapView): OptimKernels {
  void h;
  return {};
}
