// The free blocks of the heap, indexed TLSF-style (Masmano et al., "TLSF: a new dynamic memory
// allocator for real-time systems", ECRTS 2004): segregated lists by size class, two levels of
// bitmaps over the non-empty lists, so finding a block that fits is a few bit operations whatever
// the number of free blocks, and removing any block (to merge it with a neighbour) is O(1).
//
// Classes: 16 linear classes of 16 bytes below 256 bytes, then 16 per power of two — a class spans
// at most 1/16 of its sizes. A request is served from the first non-empty class whose every block
// is big enough ("good fit", no list walk); the block is then split, so that rounding wastes
// nothing, it only decides where the block comes from.
//
// Sizes and offsets are multiples of 16 below 2^32 (wasm32), so they are exact in a double; only
// the class arithmetic uses 32-bit operations.

const SL_LOG2 = 4;
const SL = 1 << SL_LOG2;
/** Below this, classes are linear (16 bytes wide); from it on, logarithmic. */
const LINEAR_LIMIT = 256;
const LINEAR_LOG2 = 8;
/** First levels: one for the linear range, one per power of two from 2^8 to 2^31. */
const FL_COUNT = 32 - LINEAR_LOG2 + 1;
const NONE = -1;

/** The class whose size range contains `size` (a multiple of 16, ≥ 16). */
function classOf(size: number): number {
  if (size < LINEAR_LIMIT) return size >>> 4;
  const log2 = 31 - Math.clz32(size);
  const fl = log2 - LINEAR_LOG2 + 1;
  const sl = Math.floor(size / 2 ** (log2 - SL_LOG2)) - SL;
  return fl * SL + sl;
}

/** The first class all of whose blocks hold at least `size` bytes. */
function classAtLeast(size: number): number {
  if (size < LINEAR_LIMIT) return size >>> 4;
  const step = 2 ** (31 - Math.clz32(size) - SL_LOG2);
  const rounded = Math.ceil(size / step) * step;
  return rounded >= 2 ** 32 ? FL_COUNT * SL : classOf(rounded); // past the last class: nothing fits
}

/** Index of the lowest set bit of a non-zero 32-bit mask. */
const lowestBit = (mask: number): number => 31 - Math.clz32(mask & -mask);

export class FreeLists {
  /** Head of each class's list (an offset), or NONE. */
  private readonly heads: number[] = new Array<number>(FL_COUNT * SL).fill(NONE);
  private readonly next = new Map<number, number>();
  private readonly prev = new Map<number, number>();
  private flMap = 0;
  private readonly slMaps = new Int32Array(FL_COUNT);

  /** Adds a free block at the head of its class (LIFO: a block just freed is the next reused). */
  insert(offset: number, size: number): void {
    const c = classOf(size);
    const head = this.heads[c];
    this.next.set(offset, head);
    this.prev.set(offset, NONE);
    if (head !== NONE) this.prev.set(head, offset);
    this.heads[c] = offset;
    this.flMap |= 1 << (c >>> SL_LOG2);
    this.slMaps[c >>> SL_LOG2] |= 1 << (c & (SL - 1));
  }

  /** Removes a free block (it is being handed out or merged with a neighbour). */
  remove(offset: number, size: number): void {
    const c = classOf(size);
    const next = this.next.get(offset)!;
    const prev = this.prev.get(offset)!;
    this.next.delete(offset);
    this.prev.delete(offset);
    if (next !== NONE) this.prev.set(next, prev);
    if (prev !== NONE) this.next.set(prev, next);
    else {
      this.heads[c] = next;
      if (next === NONE) {
        const fl = c >>> SL_LOG2;
        this.slMaps[fl] &= ~(1 << (c & (SL - 1)));
        if (this.slMaps[fl] === 0) this.flMap &= ~(1 << fl);
      }
    }
  }

  /**
   * A free block of at least `size` bytes, or NONE (the block stays listed; `sizeOf` gives its
   * size). The head of `size`'s own class is tried first, so a freed block is reused by the next
   * request of the same size even where good fit would look one class higher.
   */
  find(size: number, sizeOf: (offset: number) => number): number {
    const own = this.heads[classOf(size)];
    if (own !== NONE && sizeOf(own) >= size) return own;
    const c = classAtLeast(size);
    let fl = c >>> SL_LOG2;
    let slMask = fl < FL_COUNT ? this.slMaps[fl] & (~0 << (c & (SL - 1))) : 0;
    if (slMask === 0) {
      const flMask = fl + 1 < 32 ? this.flMap & (~0 << (fl + 1)) : 0;
      if (flMask === 0) return NONE;
      fl = lowestBit(flMask);
      slMask = this.slMaps[fl];
    }
    return this.heads[fl * SL + lowestBit(slMask)];
  }
}
