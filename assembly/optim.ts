// The fused optimizer update kernels (OptimKernels in src/backend/optim-kernels.ts).
export {};
