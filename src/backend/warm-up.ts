import type { Backend } from './backend.js';
import type { Heap } from '../core/heap.js';

/**
 * The first calls of a wasm function run in V8's baseline compiler (Liftoff) at a fraction of full
 * speed, until enough of its code has run to tier it up (V8's dynamic tiering budget). At load time
 * the kernels of a training step run a few times on scratch memory, in the shapes whose code paths
 * a step takes (wide and narrow gemm outputs — N = 10 and 16 take the 6×4 and padded tiles — in all
 * three forms, k above and below the packing thresholds; the bias + activation epilogue, its
 * backward, softmax cross-entropy, column sums, an optimizer update; and a small CNN's convolution
 * layers, direct and by im2col + gemm, forward and both gradients, and its 2×2 max pools), so the
 * first epoch of a short run is not the slow one. Scratch only: no tensor, no RNG draw.
 */
export function warmUp(backend: Backend, h: Heap): void {
  warmUpLinear(backend, h);
  warmUpConv(backend, h);
}

/** The kernels of an MLP's step. */
function warmUpLinear(backend: Backend, h: Heap): void {
  const rows = 32, wide = 64, deep = 200, classes = 10;
  const floats = deep * wide;
  const a = h.alloc(floats * 4), b = h.alloc(floats * 4), c = h.alloc(floats * 4), d = h.alloc(floats * 4);
  const work = h.alloc(backend.gemmWorkspaceBytes(wide, wide, deep));
  const targets = h.alloc(rows * 4), losses = h.alloc(rows * 4);
  try {
    backend.fill(a, floats, 0.5);
    backend.fill(b, floats, 0.25);
    backend.fill(c, floats, 0);
    backend.fill(d, floats, 0);
    backend.fill(targets, rows, 3);
    for (let rep = 0; rep < 6; rep++) {
      for (const n of [wide, 16, classes]) {
        // forward y = x·W (NN), backward dX = dY·Wᵀ (NT) and dW = Xᵀ·dY (TN), as Linear runs them
        backend.gemm(0, 0, rows, n, deep, 1, a, deep, b, n, 0, c, n, work);
        backend.gemm(0, 1, rows, deep, n, 1, c, n, b, n, 0, d, deep, work);
        backend.gemm(1, 0, deep, n, rows, 1, a, deep, c, n, 0, d, n, work);
        backend.biasActivation(c, rows, n, b, 1, 0, c);
        backend.activationBackward(1, 0, c, c, c, d, rows * n);
        backend.sumRows(d, rows, n, b, 0);
      }
      // no class weights, and no row ignored (every target is 3)
      backend.crossEntropyForward(c, targets, 0, 0, 0, -1, rows, classes, d, losses);
      backend.crossEntropyBackward(d, targets, 0, 0, 0, -1, rows, classes, 1 / rows, 0, c);
      backend.adamUpdate(a, b, c, d, 0, floats, 1e-9, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, 1, 0, 0);
      backend.axpy(floats, 0, b, a);
      backend.sum(a, floats);
    }
  } finally {
    for (const block of [a, b, c, d, work, targets, losses]) h.free(block);
  }
}

/**
 * The kernels of a CNN's step, on LeNet's layer kinds at a small size: a 1→8 3×3 'same' layer (the
 * direct kernels), an 8→16 one (im2col + gemm, the epilogue, both gradients), 2×2 max pools.
 */
function warmUpConv(backend: Backend, h: Heap): void {
  const n = 2, side = 12, half = side / 2, c1 = 8, c2 = 16, kk1 = 9, kk2 = c1 * 9;
  const plane = side * side, small = half * half;
  const xs = plane, zs1 = c1 * plane, zs2 = c2 * small, cs = kk2 * small;
  const floats = n * Math.max(zs1, cs);
  const bytes = 1 << 18; // each kernel's work region (the largest needs ~40 KB here)
  const x = h.alloc(floats * 4), z = h.alloc(floats * 4), y = h.alloc(floats * 4), col = h.alloc(floats * 4);
  const idx = h.alloc(floats * 4), weight = h.alloc(c2 * kk2 * 4), bias = h.alloc(c2 * 4), partial = h.alloc(c2 * kk2 * 4);
  const work = h.alloc(bytes);
  try {
    for (const block of [x, z, y, col, idx]) backend.fill(block, floats, 0.5);
    backend.fill(weight, c2 * kk2, 0.125);
    backend.fill(bias, c2, 0.25);
    const direct = [1, side, side, 3, 3, 1, 1, 1, 1, side, side, c1] as const;
    const window = [c1, half, half, 3, 3, 1, 1, 1, 1, 1, 1, half, half] as const;
    const viaGemm = [...window, 1, c2] as const;
    for (let rep = 0; rep < 6; rep++) {
      backend.convDirectForward(x, z, y, xs, zs1, n, ...direct, weight, bias, 1, 0, work, bytes);
      backend.maxPool2x2Forward(y, n * c1, half, half, col, idx, 1, plane, small);
      backend.maxPool2x2Backward(col, idx, col, n * c1, half, half, z, 1, plane, small);
      backend.sumCols(z, n * c1, plane, partial, 0);
      backend.convDirectWeightGrad(x, z, partial, n * xs, n * zs1, c1 * kk1, 1, c1 * n * plane, ...direct, xs, zs1, n, work, bytes);
      backend.convForward(y, z, c1 * small, zs2, n, ...viaGemm, weight, 0, work, bytes);
      backend.channelBiasActivation(z, n, c2, small, bias, 0, 0, z, zs2);
      backend.convWeightGrad(y, z, partial, n * c1 * small, n * zs2, c2 * kk2, 1, c2 * n * small, ...window, c2, 0, c1 * small, zs2, n, work, bytes);
      backend.convInputGrad(z, y, zs2, c1 * small, n, ...viaGemm, weight, 0, work, bytes);
    }
  } finally {
    for (const block of [x, z, y, col, idx, weight, bias, partial, work]) h.free(block);
  }
}
