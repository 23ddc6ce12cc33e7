import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  init, getBackend, OptionError, manualSeed, Sequential, Linear, Dropout, GELU, Tanh, tensor,
  CrossEntropyLoss, MSELoss, HuberLoss, clipGradNorm, type Module,
} from '../src/index.js';
import { ACTIVATION_NAMES, OPTIMIZER_NAMES, makeActivation, makeOptimizer } from '../src/catalog/index.js';
import { requireBackend, requireHeap } from '../src/core/runtime.js';
import { ThreadPool } from '../src/backend/thread-pool.js';
import { compileKernels } from '../src/backend/wasm-loader.js';
import { MIN_PARALLEL_ELEMENTS, MIN_PARALLEL_MACS } from '../src/backend/parallel.js';
import type { Backend } from '../src/backend/backend.js';
import { parityRun } from './parity-run.js';
import { expectGemmClose, randomFloats, referenceGemm } from './helpers.js';
import expected from './fixtures/parity.json';

// The threads build: the first init of this file asks for threads, so the heap is shared. Every
// split kernel must give the same bits as one thread, for sizes on both sides of the split
// threshold and counts that do not divide evenly, and a whole training run must reproduce the
// committed single-thread hash.

let single: Backend;
let pair: Backend;
let triple: Backend;

beforeAll(async () => {
  expect((await init({ threads: 3 })).threads).toBe(3);
  triple = requireBackend();
  await init({ threads: 2 });
  pair = requireBackend();
  await init({ threads: 1 });
  single = requireBackend();
  expect(getBackend()).toMatchObject({ backend: 'wasm', build: 'threads', threads: 1 });
});

/** Allocates `count` arrays of `n` floats with seeded values (|x| for the state arrays). */
function arrays(count: number, n: number, seed: number): number[] {
  const heap = requireHeap();
  const offsets = Array.from({ length: count }, () => heap.alloc(n * 4));
  offsets.forEach((offset, i) => {
    const values = randomFloats(n, seed + i);
    if (i >= 2) for (let j = 0; j < n; j++) values[j] = Math.abs(values[j]) + 0.01;
    heap.f32(offset, n).set(values);
  });
  return offsets;
}

function snapshot(offsets: number[], n: number): Uint32Array[] {
  const heap = requireHeap();
  return offsets.map((offset) => new Uint32Array(heap.f32(offset, n).slice().buffer));
}

function restore(offsets: number[], n: number, saved: Uint32Array[]): void {
  const heap = requireHeap();
  offsets.forEach((offset, i) => heap.f32(offset, n).set(new Float32Array(saved[i].buffer)));
}

function free(offsets: number[]): void {
  for (const offset of offsets) requireHeap().free(offset);
}

interface KernelCase {
  name: string;
  /** Arrays the call reads or writes. */
  arrays: number;
  /** The call on `b` over arrays `x` holding `units` units (rows for row-wise kernels). */
  call: (b: Backend, x: number[], units: number, flag: number) => void;
  /** Floats per unit. */
  width?: number;
}

const R = 0.37; // an arbitrary scalar
const CASES: KernelCase[] = [
  { name: 'fill', arrays: 1, call: (b, [x], n) => b.fill(x, n, R) },
  { name: 'scale', arrays: 2, call: (b, [x, y], n) => b.scale(x, y, n, -R) },
  { name: 'axpy', arrays: 2, call: (b, [x, y], n) => b.axpy(n, R, x, y) },
  { name: 'add', arrays: 3, call: (b, [x, y, z], n) => b.add(x, y, z, n) },
  { name: 'mul', arrays: 3, call: (b, [x, y, z], n) => b.mul(x, y, z, n) },
  { name: 'activationForward', arrays: 2, call: (b, [x, y], n, f) => b.activationForward(f % 7, 0.1, x, y, n) },
  {
    name: 'activationBackward', arrays: 4,
    call: (b, [x, y, dy, dx], n, f) => b.activationBackward(f % 7, 0.1, x, y, dy, dx, n),
  },
  {
    name: 'biasActivation', arrays: 3, width: 37,
    call: (b, [c, bias, y], m, f) => b.biasActivation(c, m, 37, f % 2 ? bias : 0, f % 7, 0.1, f % 3 ? y : c),
  },
  // Row sums split by rows: each row's four-lane sum whole on one thread (and accumulate onto out).
  { name: 'sumCols', arrays: 2, width: 37, call: (b, [x, out], m, f) => b.sumCols(x, m, 37, out, f % 2) },
  { name: 'unary', arrays: 2, call: (b, [x, y], n, f) => b.unary(f % 6, 1.5, x, y, n) },
  { name: 'unaryBackward', arrays: 4, call: (b, [x, y, dy, dx], n, f) => b.unaryBackward(f % 6, 1.5, x, y, dy, dx, n) },
  { name: 'clampAbs', arrays: 1, call: (b, [x], n) => b.clampAbs(x, n, 0.5) },
  {
    name: 'sgdUpdate', arrays: 3,
    call: (b, [p, g, buf], n, f) => b.sgdUpdate(p, g, f % 2 ? buf : 0, n, 0.1, f % 3 ? 0.01 : 0, 0.9, 0.8, f % 4 >> 1, f % 5 === 0 ? 1 : 0, f % 7 === 0 ? 1 : 0),
  },
  { name: 'emaMomentumUpdate', arrays: 3, call: (b, [p, g, v], n) => b.emaMomentumUpdate(p, g, v, n, 0.1, 0.9, 0.1) },
  { name: 'adagradUpdate', arrays: 3, call: (b, [p, g, s], n) => b.adagradUpdate(p, g, s, n, 0.1, 0.01, 1e-10) },
  {
    name: 'rmspropUpdate', arrays: 5,
    call: (b, [p, g, sq, ga, buf], n, f) => b.rmspropUpdate(p, g, sq, f % 2 ? ga : 0, f % 3 ? buf : 0, n, 0.01, 0.99, 0.01, 1e-8, 0.01, f % 3 ? 0.9 : 0, f % 2),
  },
  { name: 'adadeltaUpdate', arrays: 4, call: (b, [p, g, sq, acc], n) => b.adadeltaUpdate(p, g, sq, acc, n, 1, 0.9, 0.1, 1e-6, 0) },
  {
    name: 'adamUpdate', arrays: 5,
    call: (b, [p, g, m, v, vMax], n, f) => b.adamUpdate(p, g, m, v, f % 2 ? vMax : 0, n, 1e-3, 1e-8, 0.9, 0.1, 0.999, 0.001, f % 3 ? 0.01 : 0, f % 5 ? 1 : 0.99, f % 4 === 0 ? 1 : 0, f % 2),
  },
  { name: 'adamaxUpdate', arrays: 4, call: (b, [p, g, m, u], n) => b.adamaxUpdate(p, g, m, u, n, 2e-3, 1e-8, 0.9, 0.1, 0.999, 0) },
  { name: 'nadamUpdate', arrays: 4, call: (b, [p, g, m, v], n) => b.nadamUpdate(p, g, m, v, n, 1e-3, 2e-3, 1e-8, 0.9, 0.1, 0.999, 0.001, 0) },
  {
    name: 'radamUpdate', arrays: 4,
    call: (b, [p, g, m, v], n, f) => b.radamUpdate(p, g, m, v, n, 1e-3, 1e-8, 0.9, 0.1, 0.999, 0.001, 0, f % 2),
  },
  { name: 'yogiUpdate', arrays: 4, call: (b, [p, g, m, v], n) => b.yogiUpdate(p, g, m, v, n, 1e-2, 1e-3, 0.9, 0.1, 0.001) },
  { name: 'lionUpdate', arrays: 3, call: (b, [p, g, m], n) => b.lionUpdate(p, g, m, n, 1e-4, 0.9, 0.1, 0.99, 0.01, 0.01) },
];

/** Unit counts around the split threshold: below it, just above, uneven, a prime, and large. */
function units(width: number): fc.Arbitrary<number> {
  const threshold = Math.ceil(MIN_PARALLEL_ELEMENTS / width);
  return fc.oneof(
    fc.constantFrom(1, 2, 17, threshold - 1, threshold, threshold + 1, threshold + 15, 65_537),
    fc.integer({ min: threshold, max: 3 * threshold + 33 }),
  );
}

describe('threads: every split kernel gives the bits of one thread', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const width = c.width ?? 1;
      fc.assert(
        fc.property(units(width), fc.nat(419), fc.constantFrom(pair, triple), (count, flag, parallel) => {
          const n = count * width;
          const x = arrays(c.arrays, n, flag + 1);
          try {
            const before = snapshot(x, n);
            c.call(single, x, count, flag);
            const want = snapshot(x, n);
            restore(x, n, before);
            c.call(parallel, x, count, flag);
            const got = snapshot(x, n);
            got.forEach((array, i) => {
              const at = array.findIndex((bits, j) => bits !== want[i][j]);
              if (at >= 0) expect.fail(`${c.name}: array ${i} differs at ${at} of ${n} (units ${count}, flag ${flag})`);
            });
          } finally {
            free(x);
          }
        }),
        { numRuns: 12 },
      );
    });
  }
});

describe('threads: gemm split into bands of C', () => {
  // Shapes just over the threshold with awkward sizes, tall and wide (rows or columns split).
  const shape = fc.oneof(
    fc.record({ m: fc.integer({ min: 1, max: 200 }), n: fc.integer({ min: 1, max: 200 }), k: fc.integer({ min: 1, max: 700 }) }),
    fc.constantFrom({ m: 64, n: 64, k: 64 }, { m: 1, n: 1024, k: 257 }, { m: 1025, n: 3, k: 97 }, { m: 128, n: 10, k: 784 }, { m: 33, n: 129, k: 65 }),
  );
  it('all four forms, with α and β, match one thread bit for bit and a float64 reference', () => {
    fc.assert(
      fc.property(shape, fc.boolean(), fc.boolean(), fc.constantFrom([1, 0], [-0.5, 1.25]), fc.constantFrom(pair, triple),
        ({ m, n, k }, tA, tB, [alpha, beta], parallel) => {
          const heap = requireHeap();
          const av = randomFloats(m * k, m + 7 * k), bv = randomFloats(k * n, n + 3 * k), cv = randomFloats(m * n, m * n + 1);
          const a = heap.alloc(m * k * 4), b = heap.alloc(k * n * 4), c = heap.alloc(m * n * 4);
          const lda = tA ? m : k, ldb = tB ? k : n;
          const work = heap.alloc(Math.max(single.gemmWorkspaceBytes(m, n, k), parallel.gemmWorkspaceBytes(m, n, k)));
          try {
            heap.f32(a, m * k).set(av);
            heap.f32(b, k * n).set(bv);
            heap.f32(c, m * n).set(cv);
            single.gemm(+tA, +tB, m, n, k, alpha, a, lda, b, ldb, beta, c, n, work);
            const want = heap.f32(c, m * n).slice();
            heap.f32(c, m * n).set(cv);
            parallel.gemm(+tA, +tB, m, n, k, alpha, a, lda, b, ldb, beta, c, n, work);
            const got = heap.f32(c, m * n).slice();
            const at = got.findIndex((x, i) => !Object.is(x, want[i]));
            if (at >= 0) expect.fail(`C[${at}] = ${got[at]}, one thread gave ${want[at]} (m=${m} n=${n} k=${k} tA=${tA} tB=${tB}, MACs ${m * n * k} vs threshold ${MIN_PARALLEL_MACS})`);
            const ref = referenceGemm(av, bv, m, n, k, tA, tB, lda, ldb);
            expectGemmClose(got, ref.value, ref.magnitude, cv, alpha, beta, k, n, m, n);
          } finally {
            for (const x of [a, b, c, work]) heap.free(x);
          }
        }),
      { numRuns: 25 },
    );
  });
});

describe('threads: a whole training run', () => {
  it('reproduces the committed single-thread hash with 1, 2 and 3 threads', async () => {
    for (const threads of [2, 3, 1]) {
      const result = await parityRun({ threads });
      expect({ threads, hash: result.hash, loss: result.loss }).toEqual({ threads, hash: expected.simd, loss: expected.loss.simd });
    }
  });
});

describe('threads: random training set-ups', () => {
  // Widths and batches big enough that gemm, the activations, the bias epilogue and (for the wide
  // nets) the optimizer step are split; every activation, optimizer and a few losses; a few steps
  // on 1 and on 2 threads from the same seed must leave the same bits.
  const setup = fc.record({
    width: fc.constantFrom(96, 333, 520),
    batch: fc.constantFrom(64, 101),
    activation: fc.constantFrom(...ACTIVATION_NAMES),
    optimizer: fc.constantFrom(...OPTIMIZER_NAMES),
    loss: fc.constantFrom('ce', 'mse', 'huber'),
    dropout: fc.boolean(),
    clip: fc.boolean(),
  });

  it('leave bit-identical weights on 1 and 2 threads', async () => {
    await fc.assert(
      fc.asyncProperty(setup, fc.nat(1000), async (c, seed) => {
        const inputs = 97, classes = 10;
        const run = async (threads: number): Promise<Uint32Array> => {
          await init({ threads });
          manualSeed(seed);
          const layers: Module[] = [new Linear(inputs, c.width), makeActivation(c.activation)];
          if (c.dropout) layers.push(new Dropout({ p: 0.2 }));
          layers.push(new Linear(c.width, c.width), c.activation === 'gelu' ? new GELU() : new Tanh(), new Linear(c.width, classes));
          const model = new Sequential(layers);
          const optimizer = makeOptimizer(c.optimizer, model.parameters(), {});
          const lossFn = c.loss === 'ce' ? new CrossEntropyLoss() : c.loss === 'mse' ? new MSELoss() : new HuberLoss();
          const x = tensor(randomFloats(c.batch * inputs, seed + 1), [c.batch, inputs]);
          const y = c.loss === 'ce'
            ? tensor(Array.from({ length: c.batch }, (_, i) => (i * 7 + seed) % classes))
            : tensor(randomFloats(c.batch * classes, seed + 2), [c.batch, classes]);
          try {
            for (let step = 0; step < 3; step++) {
              optimizer.zeroGrad();
              lossFn.forward(model.forward(x), y).backward();
              if (c.clip) clipGradNorm(model.parameters(), 0.5);
              optimizer.step();
            }
            return new Uint32Array(model.parameterBlock.toArray().buffer);
          } finally {
            optimizer.dispose(); model.dispose(); lossFn.dispose(); x.dispose(); y.dispose();
          }
        };
        const one = await run(1);
        const two = await run(2);
        const at = one.findIndex((bits, i) => bits !== two[i]);
        if (at >= 0) expect.fail(`weight ${at} of ${one.length} differs (${JSON.stringify(c)}, seed ${seed})`);
      }),
      { numRuns: 12 },
    );
  });
});

describe("threads: the relaxed (FMA) build's shared twin", () => {
  it('splits gemm without changing a bit, and trains the same weights on 1 and 2 threads', async () => {
    expect(await init({ build: 'relaxed', threads: 2 })).toMatchObject({ build: 'relaxed-threads', threads: 2 });
    const relaxedPair = requireBackend();
    await init({ build: 'relaxed', threads: 1 });
    const relaxedOne = requireBackend();
    const heap = requireHeap();
    const m = 130, n = 67, k = 301;
    const a = heap.alloc(m * k * 4), b = heap.alloc(k * n * 4), c = heap.alloc(m * n * 4);
    const work = heap.alloc(relaxedPair.gemmWorkspaceBytes(m, n, k));
    try {
      heap.f32(a, m * k).set(randomFloats(m * k, 5));
      heap.f32(b, k * n).set(randomFloats(k * n, 6));
      relaxedOne.gemm(0, 1, m, n, k, 1, a, k, b, k, 0, c, n, work);
      const want = heap.f32(c, m * n).slice();
      relaxedPair.gemm(0, 1, m, n, k, 1, a, k, b, k, 0, c, n, work);
      expect(heap.f32(c, m * n).every((x, i) => Object.is(x, want[i]))).toBe(true);
      // FMA changes the rounding: the deterministic build differs somewhere (on FMA hardware).
      single.gemm(0, 1, m, n, k, 1, a, k, b, k, 0, c, n, work);
      expect(heap.f32(c, m * n).some((x, i) => !Object.is(x, want[i]))).toBe(true);
    } finally {
      for (const x of [a, b, c, work]) heap.free(x);
    }
    const one = await parityRun({ build: 'relaxed', threads: 1 });
    const two = await parityRun({ build: 'relaxed', threads: 2 });
    expect(two).toEqual(one);
    await init({ threads: 1 });
  });
});

describe('threads: the pool', () => {
  it('reports a worker whose chunk failed, and goes on serving later jobs', async () => {
    const heap = requireHeap();
    const pool = await ThreadPool.start(2, await compileKernels('threads'), heap.memory, ['fill']);
    const x = heap.alloc(64);
    const fill = { kernel: 0, count: 1, strides: [4, 0, 0], units: 16, chunk: 8 };
    try {
      // Kernel index 7 does not exist: a worker's call throws; the caller's chunks do nothing, so
      // the job is only complete if the worker ran one (wait until it has: it may start late).
      for (let failed = false; !failed;) {
        try {
          pool.run({ ...fill, kernel: 7, args: [x, 16, 0] }, () => {});
        } catch (error) {
          expect(String(error)).toMatch(/kernel worker failed \(.*(undefined|apply).*\); the result is incomplete/);
          failed = true;
        }
      }
      // Chunks are claimed by whoever is free: every element is written once, whoever ran it.
      heap.f32(x, 16).fill(0);
      pool.run({ ...fill, args: [x, 16, 2.5] }, (args) => heap.f32(args[0], args[1]).fill(2.5));
      expect(Array.from(heap.f32(x, 16))).toEqual(Array(16).fill(2.5));
    } finally {
      pool.dispose();
      heap.free(x);
    }
    expect(() => pool.run({ kernel: 0, args: [x, 16, 0], count: 1, strides: [4, 0, 0], units: 16, chunk: 8 }, () => {})).toThrow(/shut down/);
  });
});

describe('threads: the claims of a job', () => {
  it('give every chunk to one thread, the calling thread taking its chunks from the bottom up', async () => {
    const heap = requireHeap();
    const pool = await ThreadPool.start(3, await compileKernels('threads'), heap.memory, ['scale']);
    const n = 4077; // 255 chunks of 16 (the most a job may have), the last one 13
    const x = heap.alloc(n * 4);
    try {
      for (let job = 0; job < 40; job++) {
        heap.f32(x, n).set(Float32Array.from({ length: n }, (_, i) => i + job));
        const callerStarts: number[] = [];
        // scale(x, y, n, alpha) in place, doubling: a chunk run twice would quadruple its part.
        pool.run({ kernel: 0, args: [x, x, n, 2], count: 2, strides: [4, 4, 0, 0], units: n, chunk: 16 }, (args) => {
          callerStarts.push((args[0] - x) / 4);
          const part = heap.f32(args[0], args[2]);
          for (let i = 0; i < part.length; i++) part[i] *= 2;
        });
        const out = heap.f32(x, n);
        const wrong = out.findIndex((v, i) => v !== 2 * (i + job));
        expect(wrong, `job ${job}: element ${wrong}`).toBe(-1);
        expect(callerStarts).toEqual(callerStarts.map((_, k) => 16 * k));
      }
    } finally {
      pool.dispose();
      heap.free(x);
    }
  });
});

describe('threads: a job never waits for a worker that does not run', () => {
  it('finishes every chunk on the calling thread when no worker takes one', async () => {
    const heap = requireHeap();
    const pool = await ThreadPool.start(3, await compileKernels('threads'), heap.memory, ['fill']);
    const n = 1000;
    const x = heap.alloc(n * 4);
    try {
      // Terminated workers take no chunk (a worker that is still being torn down may take one: the
      // point is that the job completes, with every element written, whoever runs its chunks).
      pool.stopWorkers();
      await new Promise((resolve) => setTimeout(resolve, 50));
      // 1000 elements in chunks of 48: 21 chunks, the last one short.
      pool.run({ kernel: 0, args: [x, n, 3], count: 1, strides: [4, 0, 0], units: n, chunk: 48 },
        (args) => heap.f32(args[0], args[1]).fill(args[2]));
      expect(heap.f32(x, n).every((v) => v === 3)).toBe(true);
    } finally {
      pool.dispose();
      heap.free(x);
    }
  });
});

describe('threads: options', () => {
  it('rejects a thread count that is not a positive integer, naming it', async () => {
    for (const threads of [0, -1, 1.5, 65, Number.NaN, 'two']) {
      await expect(init({ threads: threads as number })).rejects.toThrow(OptionError);
      await expect(init({ threads: threads as number })).rejects.toThrow(/threads must be 'auto' or an integer from 1 to 64, got/);
    }
  });

  it("'auto' uses every core the host reports", async () => {
    const info = await init({ threads: 'auto' });
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    const cores = nav?.hardwareConcurrency ?? (await import(/* @vite-ignore */ 'node:os')).availableParallelism();
    expect(info.threads).toBe(Math.min(64, Math.max(1, cores)));
    await init({ threads: 1 });
  });

  it('the scalar build cannot run on the shared heap, and says so', async () => {
    await expect(init({ build: 'scalar' })).rejects.toThrow(/shared, for threads/);
  });
});

describe('threads: concurrent init calls', () => {
  it('run one after the other, so a new thread count starts one pool', async () => {
    const start = vi.spyOn(ThreadPool, 'start');
    try {
      const [a, b] = await Promise.all([init({ threads: 5 }), init({ threads: 5 })]);
      expect([a.threads, b.threads]).toEqual([5, 5]);
      expect(start).toHaveBeenCalledTimes(1);
    } finally {
      start.mockRestore();
      await init({ threads: 1 });
    }
  });
});
