import { requireHeap } from './runtime.js';
import { BOOLEAN, checkOptions } from './validate.js';

// What the heap holds, as a user can check it (tf.memory()'s role): the README promises a flat
// heap after the first epoch, and this is how a test or a user sees that it is.

/** The figures `memory()` returns, all in bytes except `liveTensors`. */
export interface MemoryInfo {
  /**
   * Bytes in blocks currently allocated (each rounded up to a multiple of 16): the tensors' and
   * the one gemm packing workspace the runtime keeps, sized for the largest gemm so far.
   */
  bytesInUse: number;
  /** The largest `bytesInUse` has been since `init`, or since the last `memory({ resetPeak: true })`. */
  peakBytes: number;
  /**
   * Tensors holding a heap block of their own that are not yet disposed. Views into another
   * tensor's memory (a `reshape`, a model's parameters inside its contiguous block) own nothing
   * and are not counted; the gradient of a leaf is a tensor and is.
   */
  liveTensors: number;
  /**
   * Size of the WebAssembly memory, static data included. It grows on demand and never shrinks
   * (wasm has no way to give memory back), so it is the process's high-water mark; freed memory
   * is reused, so it tracks the live peak, not the total ever allocated.
   */
  heapBytes: number;
}

export interface MemoryOptions {
  /** After reading, start a new peak window at the current `bytesInUse` (default false). */
  resetPeak?: boolean;
}

const RULES = { resetPeak: BOOLEAN };

let ownedTensors = 0;

/** Kept by Tensor: +1 when it takes a heap block of its own, −1 when it gives it back. */
export function countTensorBlock(delta: 1 | -1): void {
  ownedTensors += delta;
}

/**
 * The heap's figures now: `{ bytesInUse, peakBytes, liveTensors, heapBytes }`. A training loop
 * is leak-free when `bytesInUse` and `liveTensors` are the same after every epoch but the first.
 *
 * The peak counts from `init` unless reset: `memory({ resetPeak: true })` returns the figures and
 * then starts a new window, so one call both closes a phase and opens the next (torch's
 * `max_memory_allocated` + `reset_peak_memory_stats`, without a second function to remember).
 */
export function memory(options?: MemoryOptions): MemoryInfo {
  const { resetPeak = false } = checkOptions<MemoryOptions>('memory', options, RULES);
  const heap = requireHeap();
  const info: MemoryInfo = {
    bytesInUse: heap.bytesInUse,
    peakBytes: heap.peakBytes,
    liveTensors: ownedTensors,
    heapBytes: heap.memory.buffer.byteLength,
  };
  if (resetPeak) heap.resetPeak();
  return info;
}
