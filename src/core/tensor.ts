import { DisposedError, formatShape } from './errors.js';
import { requireHeap } from './runtime.js';
import { checkShape } from './shape.js';
import { track } from './scope.js';

/**
 * A float32 array with a shape, stored in the shared wasm heap. The Tensor holds only the byte
 * offset; `data` builds a fresh view on every read because growing the heap detaches old views.
 * `dispose()` returns the memory at once (there is no garbage collector for the heap).
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  private block: number;

  /** Allocates an uninitialised tensor. Use `tensor()` / `zeros()` rather than this. */
  constructor(shape: readonly number[]) {
    this.size = checkShape(shape);
    this.shape = Object.freeze([...shape]);
    this.block = requireHeap().alloc(this.size * 4);
    track(this);
  }

  /** Byte offset of the first element in the heap (what kernels take). */
  get offset(): number {
    if (this.block < 0) throw new DisposedError(`tensor of shape ${formatShape(this.shape)} was used after dispose()`);
    return this.block;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.block < 0;
  }

  /**
   * A live view of the elements, row-major. Valid only until the next allocation anywhere
   * (which may grow the heap): read it, use it, drop it.
   */
  get data(): Float32Array {
    return requireHeap().f32(this.offset, this.size);
  }

  /** A copy of the elements, row-major, safe to keep. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** Returns the memory to the heap. Disposing twice is harmless; any other use afterwards throws. */
  dispose(): void {
    if (this.block < 0) return;
    requireHeap().free(this.block);
    this.block = -1;
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)}`;
  }
}
