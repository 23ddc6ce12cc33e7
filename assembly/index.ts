// The kernels exported to the TypeScript side. Every kernel takes byte offsets into the shared
// linear memory and sizes; none allocates.
export { fill, copy, scale, axpy, add, mul } from './elementwise';
export { sum, max } from './reduce';
export { gemm, gemmWorkspaceBytes } from './gemm';
export * from './model';
export * from './optim';
export * from './norm';
export * from './embedding';
export * from './conv';
export * from './pool';

/** End of the module's static data: the TypeScript allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
