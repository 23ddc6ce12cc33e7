// The kernels exported to the TypeScript side. Every kernel takes byte offsets into the shared
// linear memory and sizes; none allocates. A family file exports only kernels, so it is exported
// whole (test/layers.node.test.ts checks that the exports are exactly the kernel table's names).
export * from './elementwise';
export * from './reduce';
export * from './gemm';
export * from './model';
export * from './optim';
export * from './norm';
export * from './embedding';
export * from './conv';
export * from './conv-direct';
export * from './conv-direct-grad';
export * from './conv-depthwise';
export * from './conv-depthwise-grad';
export * from './pool';
export * from './pad';
export * from './upsample';
export * from './recurrent';

/** End of the module's static data: the TypeScript allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
