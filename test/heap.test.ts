import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Heap, HEAP_BASE, sizeClass } from '../src/core/heap.js';
import { init, tensor, zeros, memory, HeapError, BackendError, OptionError } from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';

describe('heap allocator', () => {
  it('hands out 16-byte-aligned blocks that never overlap, over random alloc/free sequences', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constant(-1)), { minLength: 1, maxLength: 200 }),
        (ops) => {
          const heap = new Heap(new WebAssembly.Memory({ initial: 2, maximum: 1024 }));
          const live = new Map<number, number>();
          for (const op of ops) {
            if (op === -1 && live.size > 0) {
              const [offset] = live.keys();
              heap.free(offset);
              live.delete(offset);
            } else if (op >= 0) {
              const offset = heap.alloc(op);
              expect(offset % 16).toBe(0);
              expect(offset).toBeGreaterThanOrEqual(HEAP_BASE);
              expect(offset + op).toBeLessThanOrEqual(heap.memory.buffer.byteLength);
              for (const [other, bytes] of live) {
                const disjoint = offset + Math.max(op, 1) <= other || other + Math.max(bytes, 1) <= offset;
                expect(disjoint).toBe(true);
              }
              live.set(offset, op);
            }
          }
          expect(heap.blockCount).toBe(live.size);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reuses a freed block for the next request of its size class', () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 2, maximum: 64 }));
    const a = heap.alloc(1000);
    const b = heap.alloc(1000);
    heap.free(a);
    expect(heap.alloc(990)).toBe(a);
    const reserved = heap.bytesReserved;
    heap.free(b);
    expect(heap.alloc(1000)).toBe(b);
    expect(heap.bytesReserved).toBe(reserved);
  });

  it('size classes cover the request and waste at most a quarter', () => {
    for (let bytes = 0; bytes < 200_000; bytes += 97) {
      const c = sizeClass(bytes);
      expect(c).toBeGreaterThanOrEqual(Math.max(bytes, 16));
      expect(c % 16).toBe(0);
      if (bytes > 256) expect(c).toBeLessThanOrEqual(bytes * 1.25 + 16);
    }
  });

  it('detects a double free and a free of an offset never allocated', () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 2, maximum: 64 }));
    const a = heap.alloc(64);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(HeapError);
    expect(() => heap.free(a)).toThrow(/double free/);
    expect(() => heap.free(HEAP_BASE + 8)).toThrow(HeapError);
  });

  it('grows the memory on demand and reports a clear error past its limit', () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 4 }));
    const before = heap.memory.buffer.byteLength;
    const a = heap.alloc(100_000);
    expect(heap.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(a).toBeGreaterThanOrEqual(HEAP_BASE);
    expect(() => heap.alloc(10_000_000)).toThrow(/out of memory/);
  });
});

describe('tensors on the shared heap', () => {
  beforeAll(() => init({ backend: 'wasm' }));

  it('keeps tensor data valid after the memory grows (views are rebuilt on every read)', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
    const t = tensor(values, [10, 100]);
    const bufferBefore = requireHeap().memory.buffer;
    const big = zeros([64 * 1024 * 1024 / 4]); // 64 MiB forces growth past the initial 16 MiB
    expect(requireHeap().memory.buffer).not.toBe(bufferBefore);
    expect(bufferBefore.byteLength).toBe(0); // the old buffer is detached …
    expect(Array.from(t.data)).toEqual(Array.from(values)); // … yet the tensor reads correctly
    big.dispose();
    t.dispose();
  });

  it('returns memory on dispose so repeated allocation of the same shapes stays flat', () => {
    const heap = requireHeap();
    const warm = [zeros([128, 784]), zeros([128, 16]), zeros([16])];
    warm.forEach((t) => t.dispose());
    const reserved = heap.bytesReserved;
    const inUse = heap.bytesInUse;
    for (let step = 0; step < 50; step++) {
      const ts = [zeros([128, 784]), zeros([128, 16]), zeros([16])];
      ts.forEach((t) => t.dispose());
    }
    expect(heap.bytesReserved).toBe(reserved);
    expect(heap.bytesInUse).toBe(inUse);
  });
});

describe('threads after an unshared heap', () => {
  it('are refused with a message saying to ask for them in the first init', async () => {
    await init({ backend: 'wasm' });
    await expect(init({ threads: 2 })).rejects.toThrow(BackendError);
    await expect(init({ threads: 2 })).rejects.toThrow(/threads: 2 needs shared memory.*first init/);
    // One thread needs nothing shared, and the heap is untouched.
    expect((await init({ threads: 1 })).build).toBe('simd');
  });
});

describe('memory()', () => {
  beforeAll(() => init({ backend: 'wasm' }));

  it('counts bytes, tensors and the peak as tensors come and go', () => {
    const start = memory({ resetPeak: true });
    const a = zeros([10, 10]); // 400 bytes
    const b = zeros([3]); // 12 bytes → one 16-byte-aligned block
    const during = memory();
    expect(during.liveTensors - start.liveTensors).toBe(2);
    expect(during.bytesInUse - start.bytesInUse).toBeGreaterThanOrEqual(400 + 16);
    expect(during.peakBytes).toBe(during.bytesInUse);
    a.dispose();
    b.dispose();
    const after = memory();
    expect(after.liveTensors).toBe(start.liveTensors);
    expect(after.bytesInUse).toBe(start.bytesInUse);
    expect(after.peakBytes).toBe(during.bytesInUse); // the peak remembers …
    expect(memory({ resetPeak: true }).peakBytes).toBe(during.bytesInUse);
    expect(memory().peakBytes).toBe(start.bytesInUse); // … until reset
    expect(after.heapBytes).toBe(requireHeap().memory.buffer.byteLength);
  });

  it('does not count views (a reshape owns no memory) and counts a disposed view once', () => {
    const before = memory().liveTensors;
    const x = zeros([2, 6]);
    const v = x.reshape([3, 4]);
    expect(memory().liveTensors).toBe(before + 1);
    v.dispose();
    expect(memory().liveTensors).toBe(before + 1);
    x.dispose();
    x.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('rejects unknown options and non-boolean resetPeak with an OptionError', () => {
    expect(() => memory({ reset: true } as never)).toThrow(OptionError);
    expect(() => memory({ reset: true } as never)).toThrow(/memory: unknown option reset.*resetPeak/);
    expect(() => memory({ resetPeak: 'yes' } as never)).toThrow(OptionError);
    expect(() => memory(5 as never)).toThrow(OptionError);
  });
});
