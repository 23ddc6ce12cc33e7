import { HeapError } from './errors.js';

// The one linear memory every tensor lives in, and the allocator over it.
//
// TypeScript owns allocation; kernels only see byte offsets. Offsets are 16-byte aligned so the
// SIMD kernels' v128 loads of a tensor's first element never straddle a cache line needlessly.
// Freed blocks go to a free list for their size class and are handed out again before the heap
// grows, so a training loop that frees and re-allocates the same shapes every step stops growing
// after the first step.

const PAGE_BYTES = 65536;
const ALIGN = 16;
/** The low 64 KiB hold the wasm module's static data; offsets start above them (and 0 is never a tensor). */
export const HEAP_BASE = PAGE_BYTES;
/** wasm32's limit: 65536 pages = 4 GiB. */
const MAX_PAGES = 65536;
const INITIAL_PAGES = 256; // 16 MiB

/**
 * Rounds a request up to its size class: multiples of 16 up to 256 bytes, then four classes per
 * power of two (2^k · {1, 1.25, 1.5, 1.75}), so no block wastes more than a fifth of itself while
 * blocks of nearby sizes still share a free list.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 256) return b;
  const pow = 2 ** Math.floor(Math.log2(b));
  const step = pow / 4;
  return Math.ceil(b / step) * step;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  private top = HEAP_BASE;
  private readonly freeLists = new Map<number, number[]>();
  /** offset → size class of every block currently handed out. */
  private readonly live = new Map<number, number>();
  private liveBytes = 0;
  private peak = 0;

  constructor(memory?: WebAssembly.Memory) {
    this.memory = memory ?? Heap.createMemory(false);
  }

  /** A memory the heap can grow to 4 GiB; `shared` for the threads build and its workers. */
  static createMemory(shared: boolean): WebAssembly.Memory {
    return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
  }

  /** Bytes in blocks currently allocated (by size class). */
  get bytesInUse(): number {
    return this.liveBytes;
  }

  /** The largest `bytesInUse` since the heap was made or `resetPeak()` last ran. */
  get peakBytes(): number {
    return this.peak;
  }

  /** Starts a new peak window at the current `bytesInUse`. */
  resetPeak(): void {
    this.peak = this.liveBytes;
  }

  /** Bytes of the heap ever handed out (the high-water mark above the reserved base). */
  get bytesReserved(): number {
    return this.top - HEAP_BASE;
  }

  /** Number of blocks currently allocated. */
  get blockCount(): number {
    return this.live.size;
  }

  /** Allocates `bytes` (≥ 0) and returns a 16-byte-aligned byte offset. May grow the memory. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new HeapError(`alloc: bytes must be a non-negative finite number, got ${bytes}`);
    }
    const size = sizeClass(bytes);
    const reused = this.freeLists.get(size)?.pop();
    const offset = reused ?? this.bump(size);
    this.live.set(offset, size);
    this.liveBytes += size;
    if (this.liveBytes > this.peak) this.peak = this.liveBytes;
    return offset;
  }

  /** Returns a block to its free list. Throws on a double free or an offset never allocated. */
  free(offset: number): void {
    const size = this.live.get(offset);
    if (size === undefined) {
      throw new HeapError(
        `free: offset ${offset} is not an allocated block (double free, or never allocated)`,
      );
    }
    this.live.delete(offset);
    this.liveBytes -= size;
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(offset);
  }

  /** Whether `offset` is the start of a live block. */
  isLive(offset: number): boolean {
    return this.live.has(offset);
  }

  /** Size class (bytes) of a live block. */
  blockBytes(offset: number): number {
    const size = this.live.get(offset);
    if (size === undefined) throw new HeapError(`blockBytes: offset ${offset} is not an allocated block`);
    return size;
  }

  /**
   * A fresh float32 view of `length` elements at `offset`. Never keep it across anything that may
   * allocate: growing the memory detaches every view made before.
   */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  private bump(size: number): number {
    const offset = this.top;
    const end = offset + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const currentPages = have / PAGE_BYTES;
      const neededPages = Math.ceil(end / PAGE_BYTES) - currentPages;
      // Grow by at least half the current size so a long run of allocations costs O(log n) grows.
      const grow = Math.min(Math.max(neededPages, currentPages >>> 1), MAX_PAGES - currentPages);
      if (grow < neededPages) {
        throw new HeapError(
          `out of memory: a block of ${size} bytes does not fit (heap at ${have} bytes, ` +
            `${this.liveBytes} in use, limit ${MAX_PAGES * PAGE_BYTES} bytes)`,
        );
      }
      try {
        this.memory.grow(grow);
      } catch (cause) {
        throw new HeapError(
          `out of memory: the host refused to grow the heap from ${have} bytes by ${grow * PAGE_BYTES} ` +
            `(${this.liveBytes} bytes in use): ${(cause as Error).message}`,
        );
      }
    }
    this.top = end;
    return offset;
  }
}
