import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Heap, HEAP_BASE } from '../src/core/heap.js';
import {
  init, tensor, zeros, memory, manualSeed, Tensor, Sequential, Linear, ReLU, CrossEntropyLoss, Adam,
  HeapError, BackendError, OptionError,
} from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';

const PAGE = 65536;
const rounded = (bytes: number) => Math.max(16, Math.ceil(bytes / 16) * 16);
/** A heap on a fresh small memory; `maxBytes` caps it like the 4 GiB limit does the real one. */
const smallHeap = (maxBytes = 64 * PAGE) => new Heap(new WebAssembly.Memory({ initial: 2, maximum: 1024 }), { maxBytes });

/** Request sizes as tensors make them: tiny, odd, not multiples of 4 or 16, and large. */
const requestSize = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.integer({ min: 65, max: 5000 }),
  fc.integer({ min: 5001, max: 200_000 }),
);
/** An operation: allocate `n` bytes, free the live block at position `index mod live`, or consolidate. */
const operation = fc.oneof(
  { arbitrary: requestSize.map((n) => ({ alloc: n })), weight: 5 },
  { arbitrary: fc.nat().map((index) => ({ free: index })), weight: 5 },
  { arbitrary: fc.constant({ consolidate: true }), weight: 1 },
);

/**
 * Checks the heap against the model (offset → requested bytes) and its own layout: blocks aligned,
 * inside the memory, tiling the arena with no gap or overlap, the byte counts exact, and — right
 * after `consolidate()` — no two free blocks side by side and none at the end (coalescing is
 * complete). Problems are collected as text so one
 * assertion reports them all (and a check per block stays cheap).
 */
function expectConsistent(heap: Heap, model: Map<number, number>, consolidated: boolean): void {
  const problems: string[] = [];
  let at = HEAP_BASE;
  let previousFree = false;
  let used = 0;
  for (const b of heap.blocks()) {
    if (b.offset !== at) problems.push(`block at ${b.offset}, expected ${at}`);
    if (b.offset % 16 !== 0 || b.bytes % 16 !== 0) problems.push(`misaligned ${b.offset}+${b.bytes}`);
    if (consolidated && b.free && previousFree) problems.push(`free blocks side by side at ${b.offset}`);
    if (!b.free) {
      used++;
      if (!model.has(b.offset)) problems.push(`live block ${b.offset} not in the model`);
      else if (b.bytes !== rounded(model.get(b.offset)!)) problems.push(`block ${b.offset} has ${b.bytes} bytes`);
    }
    previousFree = b.free;
    at += b.bytes;
  }
  // A merged free run at the end goes back to the untouched space above top.
  if (consolidated && previousFree) problems.push('the arena ends in a free block');
  if (at > heap.memory.buffer.byteLength) problems.push(`arena end ${at} past the memory`);
  let inUse = 0;
  for (const bytes of model.values()) inUse += rounded(bytes);
  expect(problems).toEqual([]);
  expect([used, heap.blockCount, heap.bytesInUse]).toEqual([model.size, model.size, inUse]);
}

describe('heap allocator', () => {
  it('matches a model over random alloc/free sequences: aligned, disjoint, exact bytes, fully coalesced', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 150 }), (ops) => {
        const heap = smallHeap(1024 * PAGE);
        const model = new Map<number, number>();
        for (const op of ops) {
          if ('alloc' in op) {
            const offset = heap.alloc(op.alloc);
            expect(model.has(offset)).toBe(false);
            model.set(offset, op.alloc);
          } else if ('free' in op && model.size > 0) {
            const offset = [...model.keys()][op.free % model.size];
            heap.free(offset);
            model.delete(offset);
          } else if ('consolidate' in op) {
            heap.consolidate();
          }
          expectConsistent(heap, model, 'consolidate' in op);
        }
        // Freeing everything leaves one free region: the next block starts at the base again.
        for (const offset of model.keys()) heap.free(offset);
        heap.consolidate();
        expect(heap.blocks()).toEqual([]);
        expect(heap.bytesInUse).toBe(0);
        expect(heap.alloc(1)).toBe(HEAP_BASE);
      }),
      { numRuns: 150 },
    );
  });

  it('recovers after exhaustion: a clean HeapError, nothing changed, and every byte usable once freed', () => {
    fc.assert(
      fc.property(fc.array(requestSize, { minLength: 1, maxLength: 40 }), fc.integer({ min: 8, max: 40 }), (sizes, pages) => {
        const maxBytes = pages * PAGE;
        const heap = smallHeap(maxBytes);
        const model = new Map<number, number>();
        let failed = false;
        for (let i = 0; !failed; i++) {
          const bytes = sizes[i % sizes.length] + 4096;
          const inUse = heap.bytesInUse;
          try {
            model.set(heap.alloc(bytes), bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(HeapError);
            expect((e as Error).message).toMatch(/^alloc: out of memory: a block of \d+ bytes does not fit/);
            expect(heap.bytesInUse).toBe(inUse);
            failed = true;
          }
          expectConsistent(heap, model, failed); // a failed alloc merged everything first
        }
        // Free in an order unrelated to allocation (every other block, then the rest).
        const offsets = [...model.keys()];
        for (const offset of [...offsets.filter((_, i) => i % 2 === 1), ...offsets.filter((_, i) => i % 2 === 0)]) {
          heap.free(offset);
        }
        // No consolidate() here: alloc merges the cached blocks itself before giving up.
        const whole = heap.alloc(maxBytes - HEAP_BASE);
        expect(whole).toBe(HEAP_BASE);
      }),
      { numRuns: 60 },
    );
  });

  it('splits a freed block for smaller requests and merges the pieces back when they are freed', () => {
    const heap = smallHeap();
    const big = heap.alloc(10_000);
    const guard = heap.alloc(16); // keeps the freed block from merging into the space above
    heap.free(big);
    const a = heap.alloc(3000), b = heap.alloc(5000);
    expect(a).toBe(big);
    expect(b).toBe(big + rounded(3000));
    heap.free(a);
    heap.free(b);
    heap.consolidate();
    expect(heap.blocks()).toEqual([
      { offset: big, bytes: rounded(10_000), free: true },
      { offset: guard, bytes: 16, free: false },
    ]);
    expect(heap.alloc(10_000)).toBe(big);
  });

  it('reuses a freed block for the next request of its size without growing', () => {
    const heap = smallHeap();
    const a = heap.alloc(1000);
    const b = heap.alloc(1000);
    const guard = heap.alloc(16);
    heap.free(b);
    expect(heap.alloc(1000)).toBe(b); // the same size: straight from the cache
    heap.free(a);
    expect(heap.alloc(990)).toBe(a); // another size: a is merged into the lists and split, 16 bytes left over …
    const reserved = heap.bytesReserved;
    heap.free(b);
    heap.consolidate(); // … which merge with b
    const c = heap.alloc(1000);
    expect(c).toBe(a + 992);
    expect(c + 1008).toBeLessThanOrEqual(guard);
    expect(heap.bytesReserved).toBe(reserved);
  });

  it('gives the same offsets for the same sequence of calls (allocation is deterministic)', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 100 }), (ops) => {
        const run = () => {
          const heap = smallHeap(1024 * PAGE);
          const live: number[] = [];
          for (const op of ops) {
            if ('alloc' in op) live.push(heap.alloc(op.alloc));
            else if ('free' in op && live.length > 0) heap.free(live.splice(op.free % live.length, 1)[0]);
            else if ('consolidate' in op) heap.consolidate();
          }
          return live;
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 50 },
    );
  });

  it('detects a double free and a free of an offset never allocated', () => {
    const heap = smallHeap();
    const a = heap.alloc(64);
    heap.alloc(64);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(HeapError);
    expect(() => heap.free(a)).toThrow(/double free/);
    expect(() => heap.free(HEAP_BASE + 8)).toThrow(HeapError);
    expect(() => heap.alloc(-1)).toThrow(/alloc: bytes must be a non-negative finite number, got -1/);
    expect(() => heap.alloc(NaN)).toThrow(HeapError);
  });

  it('grows the memory on demand and names the host refusal past the memory maximum', () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 4 }));
    const before = heap.memory.buffer.byteLength;
    const a = heap.alloc(100_000);
    expect(heap.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(a).toBeGreaterThanOrEqual(HEAP_BASE);
    expect(() => heap.alloc(10_000_000)).toThrow(/alloc: out of memory: the host refused to grow the heap/);
    expect(heap.alloc(16)).toBe(a + rounded(100_000)); // and it still works
    // Past wasm32's 4 GiB: refused before any growth, with the sizes named.
    expect(() => heap.alloc(2 ** 33 + 300)).toThrow(/alloc: out of memory: a block of 8589934896 bytes does not fit .*limit 4294967296 bytes/);
    expect(heap.blockCount).toBe(2);
  });

  it('grows the shared memory of the threads build the same way', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 64, shared: true });
    const heap = new Heap(memory);
    const a = heap.alloc(1_000_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(a + 1_000_000);
    heap.f32(a, 250_000).fill(1.5);
    heap.free(a);
    expect(heap.alloc(500_000)).toBe(a);
  });
});

describe('tensors on the shared heap', () => {
  beforeAll(() => init({ backend: 'wasm' }));

  it('keeps tensor data valid after the memory grows (views are rebuilt on every read)', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5 - 7);
    const t = tensor(values, [10, 100]);
    const bufferBefore = requireHeap().memory.buffer;
    const big = zeros([64 * 1024 * 1024 / 4]); // 64 MiB forces growth past the initial 16 MiB
    expect(requireHeap().memory.buffer === bufferBefore).toBe(false); // (a failing toBe would print both buffers)
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

/** Hidden widths of the sweep: ×1.5 from 64 up to SWEEP_MAX_HIDDEN (env, Node) or 12,288. */
function sweepWidths(): number[] {
  const env = typeof process !== 'undefined' ? Number(process.env?.SWEEP_MAX_HIDDEN) : NaN;
  const max = Number.isFinite(env) && env > 0 ? env : 12_288;
  const widths: number[] = [];
  for (let h = 64; h <= max; h = Math.round(h * 1.5)) widths.push(h);
  return widths;
}

describe('a width sweep (784-h-10 with Adam, each model disposed before the next)', () => {
  beforeAll(() => init({ backend: 'wasm' }));

  it('keeps the heap near the live peak instead of the sum of every width', async () => {
    const start = memory({ resetPeak: true });
    const rows: { hidden: number; peakBytes: number; heapBytes: number }[] = [];
    let sumOfPeaks = 0;
    for (const hidden of sweepWidths()) {
      manualSeed(hidden);
      const model = new Sequential([new Linear(784, hidden), new ReLU(), new Linear(hidden, 10)]);
      const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new CrossEntropyLoss();
      const x = tensor(Float32Array.from({ length: 8 * 784 }, (_, i) => ((i * 7919) % 1000) / 1000), [8, 784]);
      const y = tensor([0, 1, 2, 3, 4, 5, 6, 7]);
      optimizer.zeroGrad();
      const loss = lossFn.forward(model.forward(x), y);
      loss.backward();
      optimizer.step(); // Adam's moments exist from the first step on
      expect(Number.isFinite(loss.item())).toBe(true);
      for (const d of [loss, model, optimizer, lossFn, x, y]) d.dispose();
      const m = memory({ resetPeak: true });
      expect(m.liveTensors).toBe(start.liveTensors);
      rows.push({ hidden, peakBytes: m.peakBytes, heapBytes: m.heapBytes });
      sumOfPeaks += m.peakBytes;
    }
    const peak = Math.max(...rows.map((r) => r.peakBytes));
    const heapBytes = rows[rows.length - 1].heapBytes;
    // The arena starts at 64 KiB and the memory grows in steps of at least 1/8: allow that, and the
    // 16 MiB the memory starts with, but nothing like the sum of all widths the old allocator kept.
    expect(heapBytes).toBeLessThanOrEqual(Math.max(start.heapBytes, HEAP_BASE + peak * 1.25 + 16 * 2 ** 20));
    expect(heapBytes).toBeLessThan(sumOfPeaks / 2);
    if (typeof process !== 'undefined' && process.versions?.node && typeof window === 'undefined') {
      const fs = await import(/* @vite-ignore */ 'node:fs');
      fs.mkdirSync('test-results/what-we-test', { recursive: true });
      const report = { livePeakBytes: peak, heapBytes, sumOfPeaksBytes: sumOfPeaks, widths: rows };
      fs.writeFileSync('test-results/what-we-test/heap-sweep.json', `${JSON.stringify(report, null, 2)}\n`);
      console.log(`width sweep to h = ${rows[rows.length - 1].hidden}: live peak ${(peak / 2 ** 20).toFixed(1)} MiB, ` +
        `heap ${(heapBytes / 2 ** 20).toFixed(1)} MiB (sum of the peaks ${(sumOfPeaks / 2 ** 20).toFixed(1)} MiB)`);
    }
  });
});

describe('the real heap after exhaustion (last: it leaves the memory at its 4 GiB limit)', () => {
  beforeAll(() => init({ backend: 'wasm' }));

  it('fills to a clean HeapError, and once everything is disposed new Linear(4, 8) works', () => {
    const start = memory();
    const held: Tensor[] = [];
    // Uninitialised tensors: the host commits no page until it is written, so this costs little RAM.
    for (const elements of [64 * 2 ** 20, 2 ** 20, 2 ** 14]) {
      for (;;) {
        try {
          held.push(new Tensor([elements]));
        } catch (e) {
          expect(e).toBeInstanceOf(HeapError);
          expect((e as Error).message).toMatch(/^alloc: out of memory/);
          break;
        }
      }
    }
    const full = memory();
    expect(full.bytesInUse).toBeGreaterThan(3 * 2 ** 30); // Node reaches the 4 GiB limit; a browser may refuse sooner
    expect(full.liveTensors).toBe(start.liveTensors + held.length);
    for (const t of held) t.dispose();
    expect(memory().bytesInUse).toBe(start.bytesInUse);

    manualSeed(1);
    const layer = new Linear(4, 8);
    const x = tensor([1, 2, 3, 4, -1, 0.5, 0.25, 2], [2, 4]);
    const out = layer.forward(x);
    const w = layer.weight.toArray(), b = layer.bias!.toArray(), xs = x.toArray();
    const expected = Array.from({ length: 16 }, (_, k) => {
      const [r, c] = [Math.floor(k / 8), k % 8];
      let sum = b[c];
      for (let i = 0; i < 4; i++) sum += xs[r * 4 + i] * w[c * 4 + i];
      return sum;
    });
    const got = out.toArray();
    for (let k = 0; k < 16; k++) expect(got[k]).toBeCloseTo(expected[k], 5);
    for (const d of [out, x, layer]) d.dispose();
  });
});
