import { HeapError } from './errors.js';
import { FreeLists } from './free-lists.js';

// The one linear memory every tensor lives in, and the allocator over it.
//
// TypeScript owns allocation; kernels only see byte offsets. Offsets are 16-byte aligned so the
// SIMD kernels' v128 loads of a tensor's first element never straddle a cache line needlessly.
//
// Blocks are carved from an arena [HEAP_BASE, top); above top, up to the memory's end, lies
// untouched space. A request takes a free block that fits (TLSF-indexed, see free-lists.ts) and
// splits off the rest, or else extends top (growing the memory if needed). A freed block merges at
// once with free neighbours on both sides — the maps below play the boundary tags, kept on the
// JavaScript side so no allocator word ever sits between two tensors in the heap — and a free run
// that reaches top lowers top. So after everything is freed the arena is empty again, and the
// memory reserved tracks the largest amount ever live rather than the sum of every shape ever
// seen. A training loop that frees and re-allocates the same shapes every step gets the same
// offsets back (the lists are LIFO and deterministic), so it stops growing after the first step.
//
// The memory only grows: wasm cannot shrink a memory, and growing detaches every view over it.

const PAGE_BYTES = 65536;
const ALIGN = 16;
/** The low 64 KiB hold the wasm module's static data; offsets start above them (and 0 is never a tensor). */
export const HEAP_BASE = PAGE_BYTES;
/** wasm32's limit: 65536 pages = 4 GiB. */
const MAX_BYTES = 65536 * PAGE_BYTES;
const INITIAL_PAGES = 256; // 16 MiB
/** Growth adds at least 1/8 of the current size: O(log n) grows, yet at most 12.5% reserved past need. */
const GROWTH_SHIFT = 3;

export interface HeapOptions {
  /** The most bytes the memory may reach (default and upper bound: 4 GiB). Tests use a small one. */
  maxBytes?: number;
}

/** One block of the arena, in address order (for tests and diagnostics). */
export interface BlockInfo {
  offset: number;
  bytes: number;
  free: boolean;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  private readonly maxBytes: number;
  /** End of the arena: everything from here to the memory's end is unused. */
  private top = HEAP_BASE;
  private highWater = HEAP_BASE;
  /** offset → bytes of every block handed out. */
  private readonly live = new Map<number, number>();
  /** offset → bytes, and end → offset, of every free block inside the arena (the boundary tags). */
  private readonly freeAt = new Map<number, number>();
  private readonly freeEndingAt = new Map<number, number>();
  private readonly lists = new FreeLists();
  /**
   * Freed blocks by exact size, not merged yet (dlmalloc's "fast bins"): a training step frees and
   * re-allocates the same sizes, and a cached block serves the next request of its size with no
   * split or merge (measured: ~60 ns an alloc + free, against ~460 when every free merged). The cache is merged in before the memory would grow.
   */
  private readonly cached = new Map<number, number[]>();
  private readonly sizeOfFree = (offset: number): number => this.freeAt.get(offset)!;
  private liveBytes = 0;
  private freeBytes = 0;
  private peak = 0;

  constructor(memory?: WebAssembly.Memory, options: HeapOptions = {}) {
    this.memory = memory ?? Heap.createMemory(false);
    this.maxBytes = Math.min(options.maxBytes ?? MAX_BYTES, MAX_BYTES);
  }

  /** A memory the heap can grow to 4 GiB; `shared` for the threads build and its workers. */
  static createMemory(shared: boolean): WebAssembly.Memory {
    return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_BYTES / PAGE_BYTES, shared });
  }

  /** Bytes in blocks currently allocated (each request rounded up to a multiple of 16). */
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

  /** The arena's high-water mark: bytes above the reserved base ever spanned by blocks. */
  get bytesReserved(): number {
    return this.highWater - HEAP_BASE;
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
    // Zero bytes still get a block of their own: every live offset is distinct.
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let offset = this.cached.get(size)?.pop() ?? this.fromFreeLists(size);
    if (offset < 0) {
      // Merge the cache before reaching for new memory: growth happens only when nothing fits.
      this.consolidate();
      offset = this.fromFreeLists(size);
      if (offset < 0) offset = this.extendTop(size);
    }
    this.live.set(offset, size);
    this.liveBytes += size;
    if (this.liveBytes > this.peak) this.peak = this.liveBytes;
    return offset;
  }

  /** Takes a block back. Throws on a double free or an offset never allocated. */
  free(offset: number): void {
    const size = this.live.get(offset);
    if (size === undefined) {
      throw new HeapError(
        `free: offset ${offset} is not an allocated block (double free, or never allocated)`,
      );
    }
    this.live.delete(offset);
    this.liveBytes -= size;
    const list = this.cached.get(size);
    if (list === undefined) this.cached.set(size, [offset]);
    else list.push(offset);
  }

  /**
   * Merges every cached block with its free neighbours (a run reaching top returns to the space
   * above). `alloc` does this itself before growing the memory; tests call it to see the layout.
   */
  consolidate(): void {
    for (const [size, offsets] of this.cached) for (const offset of offsets) this.release(offset, size);
    this.cached.clear();
  }

  /** Whether `offset` is the start of a live block. */
  isLive(offset: number): boolean {
    return this.live.has(offset);
  }

  /** Size (bytes) of a live block. */
  blockBytes(offset: number): number {
    const size = this.live.get(offset);
    if (size === undefined) throw new HeapError(`blockBytes: offset ${offset} is not an allocated block`);
    return size;
  }

  /**
   * Every block of the arena in address order (cached ones count as free); they tile
   * [HEAP_BASE, top) exactly. O(n log n): tests only.
   */
  blocks(): BlockInfo[] {
    const all: BlockInfo[] = [];
    for (const [offset, bytes] of this.live) all.push({ offset, bytes, free: false });
    for (const [offset, bytes] of this.freeAt) all.push({ offset, bytes, free: true });
    for (const [bytes, offsets] of this.cached) for (const offset of offsets) all.push({ offset, bytes, free: true });
    return all.sort((a, b) => a.offset - b.offset);
  }

  /**
   * A fresh float32 view of `length` elements at `offset`. Never keep it across anything that may
   * allocate: growing the memory detaches every view made before.
   */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  /** A block from the free lists, split to `size`; −1 if none fits. */
  private fromFreeLists(size: number): number {
    const found = this.lists.find(size, this.sizeOfFree);
    if (found < 0) return found;
    const blockSize = this.freeAt.get(found)!;
    this.unlistFree(found, blockSize);
    if (blockSize > size) this.listFree(found + size, blockSize - size);
    return found;
  }

  /** Returns a block to the free lists, merged with free neighbours on both sides. */
  private release(offset: number, size: number): void {
    let start = offset;
    let end = offset + size;
    const before = this.freeEndingAt.get(start);
    if (before !== undefined) {
      this.unlistFree(before, start - before);
      start = before;
    }
    const after = this.freeAt.get(end);
    if (after !== undefined) {
      this.unlistFree(end, after);
      end += after;
    }
    if (end === this.top) this.top = start;
    else this.listFree(start, end - start);
  }

  private listFree(offset: number, size: number): void {
    this.freeAt.set(offset, size);
    this.freeEndingAt.set(offset + size, offset);
    this.lists.insert(offset, size);
    this.freeBytes += size;
  }

  private unlistFree(offset: number, size: number): void {
    this.freeAt.delete(offset);
    this.freeEndingAt.delete(offset + size);
    this.lists.remove(offset, size);
    this.freeBytes -= size;
  }

  /** Places a block at top, growing the memory when the arena reaches its end. */
  private extendTop(size: number): number {
    const offset = this.top;
    const end = offset + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.grow(end, have, size);
    this.top = end;
    if (end > this.highWater) this.highWater = end;
    return offset;
  }

  private grow(end: number, have: number, size: number): void {
    const state = () =>
      `(heap at ${have} bytes, ${this.liveBytes} in use, ${this.freeBytes} free in blocks too small, ` +
      `limit ${this.maxBytes} bytes)`;
    if (end > this.maxBytes) {
      throw new HeapError(`alloc: out of memory: a block of ${size} bytes does not fit ${state()}`);
    }
    const pages = have / PAGE_BYTES;
    const needed = Math.ceil(end / PAGE_BYTES) - pages;
    const grow = Math.min(Math.max(needed, pages >>> GROWTH_SHIFT), Math.ceil(this.maxBytes / PAGE_BYTES) - pages);
    // A memory made elsewhere may have a lower maximum than ours: the bare need may still fit.
    let refusal = this.tryGrow(grow);
    if (refusal !== null && grow > needed) refusal = this.tryGrow(needed);
    if (refusal !== null) {
      throw new HeapError(
        `alloc: out of memory: the host refused to grow the heap by ${needed * PAGE_BYTES} bytes for a block of ` +
          `${size} ${state()}: ${refusal.message}`,
      );
    }
  }

  /** Grows by `pages`; the host's error if it refuses, else null. */
  private tryGrow(pages: number): Error | null {
    try {
      this.memory.grow(pages);
      return null;
    } catch (cause) {
      return cause as Error;
    }
  }
}
