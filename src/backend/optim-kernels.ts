import { specsOf, type KernelFunctions } from './kernel-spec.js';
import * as adamFamily from './js/optim-adam.js';
import * as others from './js/optim.js';

// The fused optimizer update kernels (issue #5): one kernel per optimizer that reads p, g and its
// state once and writes them once. Each is declared where its js twin is written
// (js/optim.ts, js/optim-adam.ts: `withTwin(spec, twin)`, the formula in its doc), so adding one
// is its AssemblyScript kernel and that record: every export of those files is a kernel, and the
// kernel table, the Backend type, the js backend and the threads split all follow from here.

/** The optimizer kernels with their js twins, by name. */
export const OPTIM_TWINS = { ...others, ...adamFamily };

export const OPTIM_KERNELS = specsOf(OPTIM_TWINS);

export type OptimKernels = KernelFunctions<typeof OPTIM_KERNELS>;

export const OPTIM_KERNEL_NAMES = Object.keys(OPTIM_KERNELS) as (keyof OptimKernels)[];
