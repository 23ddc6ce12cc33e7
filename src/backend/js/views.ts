import type { Heap } from '../../core/heap.js';

/**
 * A float32 view of the whole heap for the js kernels, rebuilt only when the memory has grown
 * (growth detaches the old buffer). Kernels never allocate, so a view taken at the start of a
 * kernel stays valid until it returns.
 */
export class HeapView {
  private view: Float32Array;

  constructor(private readonly heap: Heap) {
    this.view = new Float32Array(heap.memory.buffer);
  }

  get f32(): Float32Array {
    if (this.view.buffer !== this.heap.memory.buffer) this.view = new Float32Array(this.heap.memory.buffer);
    return this.view;
  }
}
