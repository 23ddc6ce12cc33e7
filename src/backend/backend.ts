import type { KernelFunctions } from './kernel-spec.js';
import { CORE_KERNELS } from './kernels-core.js';
import { MODEL_KERNELS, type ModelKernels } from './kernels-model.js';
import { OPTIM_KERNELS } from './optim-kernels.js';
import { NORM_KERNELS } from './kernels-norm.js';
import { CONV_KERNELS } from './kernels-conv.js';

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

/**
 * Activation codes shared by the kernels (assembly/activations.ts) and TypeScript. `param` is
 * LeakyReLU's negative slope and is ignored by the others.
 */
export const Act = {
  identity: 0,
  relu: 1,
  leakyRelu: 2,
  sigmoid: 3,
  tanh: 4,
  geluErf: 5,
  geluTanh: 6,
} as const;
export type ActCode = (typeof Act)[keyof typeof Act];

/** Unary op codes for `unary` / `unaryBackward`. `param` is pow's exponent. */
export const Unary = { exp: 0, log: 1, neg: 2, pow: 3, sqrt: 4, abs: 5 } as const;
export type UnaryCode = (typeof Unary)[keyof typeof Unary];

/** Binary op codes for `binary`. */
export const Binary = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type BinaryCode = (typeof Binary)[keyof typeof Binary];

/** Elementwise loss codes for `lossForward` / `lossBackward`. `param` is delta (Huber) or beta (SmoothL1). */
export const Loss = { mse: 0, l1: 1, huber: 2, smoothL1: 3, bce: 4, bceWithLogits: 5 } as const;
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
