// The fused optimizer update kernels (issue #5): one kernel per optimizer that reads p, g and
// its state once and writes them once. Filled in by src/optim's kernels.

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface OptimKernels {}

export const OPTIM_KERNEL_NAMES = [] as const satisfies readonly (keyof OptimKernels)[];
