import type { KernelFunctions } from './kernel-spec.js';
import { CORE_KERNELS } from './kernels-core.js';
import { MODEL_KERNELS, type ModelKernels } from './kernels-model.js';
import { OPTIM_KERNELS } from './optim-kernels.js';
import { NORM_KERNELS } from './kernels-norm.js';
import { CONV_KERNELS } from './kernels-conv.js';
import { Act, Binary, Loss, Unary } from './codes.js';

export type { CoreKernels } from './kernels-core.js';
export type { ModelKernels } from './kernels-model.js';
export type { OptimKernels } from './optim-kernels.js';

// The one interface both backends implement, derived from the kernel table (kernels-core.ts,
// kernels-model.ts, optim-kernels.ts): every kernel takes byte offsets into the shared heap and
// sizes, in the same argument order in the wasm exports (assembly/) and in the js twins
// (src/backend/js/), so a backend is just an object with these functions.

export type BackendName = 'wasm' | 'js';
/**
 * 'threads' is the SIMD build over shared memory, whose big calls a worker pool splits; 'relaxed'
 * the SIMD build with fused multiply-adds in gemm (opt-in: not bit-identical to the others), and
 * 'relaxed-threads' that over shared memory.
 */
export type BuildName = 'simd' | 'scalar' | 'threads' | 'relaxed' | 'relaxed-threads';

// The activation, loss and op codes live in codes.ts, which the AssemblyScript kernels import too.
export { Act, Binary, Loss, Unary };
export type ActCode = (typeof Act)[keyof typeof Act];
export type UnaryCode = (typeof Unary)[keyof typeof Unary];
export type BinaryCode = (typeof Binary)[keyof typeof Binary];
export type LossCode = (typeof Loss)[keyof typeof Loss];

/** Every kernel, declared once (the families' tables); see kernel-spec.ts for what follows from it. */
export const KERNELS = { ...CORE_KERNELS, ...MODEL_KERNELS, ...OPTIM_KERNELS, ...NORM_KERNELS, ...CONV_KERNELS } as const;
export type KernelName = keyof typeof KERNELS;
export type Kernels = KernelFunctions<typeof KERNELS>;

export interface Backend extends Kernels {
  readonly name: BackendName;
  /** The wasm build in use, or null for the js backend. */
  readonly build: BuildName | null;
  /** Threads its calls run on (more than 1 only for the threads builds with a pool). */
  readonly threads: number;
}

/** Every kernel a backend must provide. */
export const ALL_KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
export const MODEL_KERNEL_NAMES = Object.keys(MODEL_KERNELS) as (keyof ModelKernels)[];
