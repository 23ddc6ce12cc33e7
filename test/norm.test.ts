import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import {
  tensor, memory, BatchNorm1d, BatchNorm2d, LayerNorm, Embedding, Sequential, Linear, ReLU, Flatten, CrossEntropyLoss, Adam,
  OptionError, ShapeError, serialize, deserialize, restore, decodeSafetensors, manualSeed, type Tensor,
} from '../src/index.js';
import { expectRejected } from './rejects.js';
import { requireBackend } from '../src/core/runtime.js';
import type { NormKernels } from '../src/backend/kernels-norm.js';
import { CONFIGS, use, randomFloats, U } from './helpers.js';

// The norm and embedding kernels (src/backend/kernels-norm.ts) on random sizes — 1, and sizes
// that are not multiples of 4 — held to float64 references written here from the definitions,
// with error bounds c·U·(the magnitude of the terms that round); and the simd, scalar and js
// backends against each other, bit for bit (each statistic has one fixed summation order).
// Below them, the layers: train/eval semantics, buffers in stateDict and checkpoints, typed errors,
// and a flat heap across training steps.

const kernels = () => requireBackend() as unknown as NormKernels & { fill(x: number, n: number, v: number): void };
const f32 = Math.fround;

interface Sizes { n: number; c: number; hw: number; m: number; d: number; count: number; dim: number; rows: number; seed: number }
const length = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 16, 17), fc.integer({ min: 1, max: 70 }));
const SIZES = fc.record({
  n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 9 }), hw: length,
  m: fc.integer({ min: 1, max: 6 }), d: length, count: fc.integer({ min: 1, max: 12 }), dim: length,
  rows: fc.integer({ min: 1, max: 6 }), seed: fc.nat(),
});
/** The same sampled set-ups on every backend. */
const samples: Sizes[] = fc.sample(SIZES, { numRuns: 30, seed: 15 });
samples.push({ n: 2, c: 1, hw: 1, m: 1, d: 1, count: 1, dim: 1, rows: 1, seed: 1 });
// [n, c] inputs (hw = 1) with whole groups of four channels and a remainder: the SIMD column path.
samples.push({ n: 5, c: 4, hw: 1, m: 2, d: 3, count: 2, dim: 4, rows: 3, seed: 2 }, { n: 3, c: 11, hw: 1, m: 1, d: 8, count: 3, dim: 5, rows: 2, seed: 3 });

/** n floats in [lo, hi) offset by `shift` (a mean far from 0 exercises the variance's precision). */
function values(n: number, s: number, lo = -2, hi = 2, shift = 0): Float32Array {
  return randomFloats(n, s).map((u) => f32(shift + lo + ((u + 1) / 2) * (hi - lo)));
}

/** Runs `body` with the arrays on the heap (their byte offsets) and returns their contents after. */
function onHeap(arrays: Float32Array[], body: (...offsets: number[]) => void): Float32Array[] {
  const ts: Tensor[] = arrays.map((a) => tensor(a.length ? a : new Float32Array(1), [Math.max(1, a.length)]));
  try {
    body(...ts.map((t) => t.offset));
    return ts.map((t, i) => t.toArray().slice(0, arrays[i].length));
  } finally {
    ts.forEach((t) => t.dispose());
  }
}

function expectWithin(got: ArrayLike<number>, want: ArrayLike<number>, bound: ArrayLike<number>, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= bound[i] + 1e-30)) expect.fail(`${what}[${i}] = ${got[i]}, want ${want[i]} ± ${bound[i]}`);
  }
}

/** Float64 per-channel (or per-row) statistics of segments given by index lists. */
function stats(x: Float32Array, members: number[]): { mu: number; v: number } {
  let s = 0;
  for (const i of members) s += x[i];
  const mu = s / members.length;
  let q = 0;
  for (const i of members) q += (x[i] - mu) ** 2;
  return { mu, v: q / members.length };
}

/** Every kernel once on one set-up, checked against float64; returns every output for the bit comparison. */
function runAll(z: Sizes, check: boolean): Float32Array[] {
  const k = kernels();
  const { c, hw, m, d, count, dim, rows, seed } = z;
  const n = z.n * hw < 2 ? 2 : z.n; // batch statistics need two values per channel (the module enforces it)
  const size = n * c * hw, M = n * hw, eps = 1e-5, momentum = 0.1;
  const x = values(size, seed, -2, 2, 3), g = values(size, seed + 1);
  const w = values(c, seed + 2, 0.5, 2), b = values(c, seed + 3);
  const rm0 = values(c, seed + 4), rv0 = values(c, seed + 5, 0.5, 2);
  const members = (ch: number) => Array.from({ length: M }, (_, j) => (Math.floor(j / hw) * c + ch) * hw + (j % hw));
  const outputs: Float32Array[] = [];

  // Batch norm, training: batch statistics, running statistics updated, gradient through the statistics.
  const [, , , , rm, rv, mean, invstd, yOut, sums, dx, dxEval] = onHeap(
    [x, g, w, b, rm0, rv0, new Float32Array(c), new Float32Array(c), new Float32Array(size), new Float32Array(2 * c), new Float32Array(size), new Float32Array(size)],
    (px, pg, pw, pb, prm, prv, pmean, pinv, py, psums, pdx, pdxe) => {
      k.batchNormStatistics(px, n, c, hw, prm, prv, momentum, eps, 1, pmean, pinv, c * hw, n * hw);
      k.batchNormApply(px, n, c, hw, pmean, pinv, pw, pb, py, c * hw);
      k.batchNormBackwardSums(px, pg, n, c, hw, pmean, pinv, psums, psums + 4 * c, c * hw, n * hw);
      k.batchNormBackwardInput(px, pg, n, c, hw, pmean, pinv, pw, psums, 1, pdx, n, c * hw);
      k.batchNormBackwardInput(px, pg, n, c, hw, pmean, pinv, pw, psums, 0, pdxe, n, c * hw);
    },
  );
  outputs.push(mean, invstd, rm, rv, sums, dx, dxEval);
  // Eval with the running statistics and no affine parameters.
  const [yEval] = onHeap([x, rm0, rv0, new Float32Array(c), new Float32Array(c), new Float32Array(size)], (px, prm, prv, pmean, pinv, py) => {
    k.batchNormStatistics(px, n, c, hw, prm, prv, momentum, eps, 0, pmean, pinv, c * hw, n * hw);
    k.batchNormApply(px, n, c, hw, pmean, pinv, 0, 0, py, c * hw);
  }).slice(5);
  outputs.push(yOut, yEval);
  if (check) {
    const yRef = new Float64Array(size), yBound = new Float64Array(size), dxRef = new Float64Array(size), dxBound = new Float64Array(size);
    const evalRef = new Float64Array(size), evalBound = new Float64Array(size);
    for (let ch = 0; ch < c; ch++) {
      const idx = members(ch);
      const { mu, v } = stats(x, idx);
      const inv = 1 / Math.sqrt(v + eps), a = inv * w[ch];
      expectWithin([rm[ch], rv[ch]], [(1 - momentum) * rm0[ch] + momentum * mu, (1 - momentum) * rv0[ch] + momentum * v * M / (M - 1)],
        [4 * U * (Math.abs(rm0[ch]) + Math.abs(mu)), 4 * U * (rv0[ch] + v * M / (M - 1))], `running stats ch ${ch}`);
      let sg = 0, sgx = 0, sgAbs = 0;
      for (const i of idx) { sg += g[i]; sgx += g[i] * (x[i] - mu) * inv; sgAbs += Math.abs(g[i]) * (Math.abs(x[i] - mu) + Math.abs(mu)) * inv; }
      expectWithin([sums[ch], sums[c + ch]], [sg, sgx], [2 * U * idx.reduce((s, i) => s + Math.abs(g[i]), 0), 16 * U * sgAbs], `sums ch ${ch}`);
      const evalInv = 1 / Math.sqrt(rv0[ch] + eps);
      for (const i of idx) {
        const xhat = (x[i] - mu) * inv;
        yRef[i] = xhat * w[ch] + b[ch];
        yBound[i] = 8 * U * (Math.abs(a) * (Math.abs(x[i] - mu) + Math.abs(mu)) + Math.abs(b[ch]));
        dxRef[i] = a * (g[i] - sg / M - xhat * sgx / M);
        dxBound[i] = 32 * U * Math.abs(a) * (Math.abs(g[i]) + Math.abs(sg / M) + (Math.abs(xhat) + inv * Math.abs(mu)) * sgAbs / M);
        evalRef[i] = (x[i] - rm0[ch]) * evalInv;
        evalBound[i] = 8 * U * evalInv * (Math.abs(x[i] - rm0[ch]) + Math.abs(rm0[ch]));
        expectWithin([dxEval[i]], [a * g[i]], [4 * U * Math.abs(a * g[i])], 'batch norm eval dx');
      }
    }
    expectWithin(yOut, yRef, yBound, 'batch norm y');
    expectWithin(dx, dxRef, dxBound, 'batch norm dx');
    expectWithin(yEval, evalRef, evalBound, 'batch norm eval y');
  }

  // Layer norm over rows [m, d], with and without the affine parameters; the parameter gradients
  // overwrite what their blocks held.
  const lx = values(m * d, seed + 6, -2, 2, -5), lg = values(m * d, seed + 7), lw = values(d, seed + 8, 0.5, 2), lb = values(d, seed + 9);
  const [ly, lmean, linv, ldx, ldw, ldb, ly0, ldx0] = onHeap(
    [lx, lg, lw, lb, new Float32Array(m * d), new Float32Array(m), new Float32Array(m), new Float32Array(m * d), values(d, seed + 10), values(d, seed + 10), new Float32Array(m * d), new Float32Array(m * d),
      randomFloats(4 * d, seed + 11)], // the column sums' work region, garbage at the start
    (px, pg, pw, pb, py, pmean, pinv, pdx, pdw, pdb, py0, pdx0, pwork) => {
      k.layerNormForward(px, m, d, pw, pb, 1e-5, pmean, pinv, py);
      k.layerNormBackward(px, pg, m, d, pmean, pinv, pw, pdx);
      k.layerNormParamGrads(px, pg, d, m, d, pmean, pinv, pdw, pdb, pwork, 16 * d);
      k.layerNormForward(px, m, d, 0, 0, 1e-5, pmean, pinv, py0);
      k.layerNormBackward(px, pg, m, d, pmean, pinv, 0, pdx0);
    },
  ).slice(4, 12) as Float32Array[];
  outputs.push(ly, lmean, linv, ldx, ldw, ldb, ly0, ldx0);
  if (check) {
    const dwRef = new Float64Array(d), dbRef = new Float64Array(d), dwBound = new Float64Array(d), dbBound = new Float64Array(d);
    for (let i = 0; i < m; i++) {
      const idx = Array.from({ length: d }, (_, j) => i * d + j);
      const { mu, v } = stats(lx, idx);
      const inv = 1 / Math.sqrt(v + 1e-5);
      let st = 0, stx = 0, stAbs = 0;
      for (const j of idx) { const t = lg[j] * lw[j % d]; st += t; stx += t * (lx[j] - mu) * inv; stAbs += Math.abs(t) * (Math.abs(lx[j] - mu) + Math.abs(mu)) * inv; }
      for (const j of idx) {
        const xhat = (lx[j] - mu) * inv, t = lg[j] * lw[j % d], col = j % d;
        const xBound = 4 * U * inv * (Math.abs(lx[j] - mu) + Math.abs(mu));
        expectWithin([ly[j], ly0[j]], [xhat * lw[col] + lb[col], xhat], [8 * U * (Math.abs(lw[col]) + Math.abs(lb[col])) + 2 * Math.abs(lw[col]) * xBound, xBound], 'layer norm y');
        const ref = inv * (t - st / d - xhat * stx / d);
        const bound = 32 * U * inv * (Math.abs(t) + Math.abs(st / d) + (Math.abs(xhat) + inv * Math.abs(mu)) * stAbs / d);
        expectWithin([ldx[j]], [ref], [bound], `layer norm dx row ${i}`);
        dwRef[col] += lg[j] * xhat;
        dwBound[col] += 8 * U * Math.abs(lg[j]) * (Math.abs(xhat) + inv * Math.abs(mu));
        dbRef[col] += lg[j];
        dbBound[col] += 4 * U * Math.abs(lg[j]);
      }
    }
    expectWithin(ldw, dwRef, dwBound, 'layer norm dweight');
    expectWithin(ldb, dbRef, dbBound, 'layer norm dbias');
  }

  // Embedding: gather, then scatter-add in index order with a padding row.
  const table = values(rows * dim, seed + 11), idx = Float32Array.from(randomFloats(count, seed + 12), (u) => Math.min(rows - 1, Math.floor(((u + 1) / 2) * rows)));
  const eg = values(count * dim, seed + 13), padding = rows > 1 ? idx[0] : -1;
  const [ey, edw] = onHeap([table, idx, new Float32Array(count * dim), eg, new Float32Array(rows * dim)], (pw, pi, py, pg, pdw) => {
    k.embeddingForward(pw, pi, count, dim, py);
    k.fill(pdw, rows * dim, 0);
    k.embeddingBackward(pi, count, dim, padding, pg, pdw);
  }).filter((_, i) => i === 2 || i === 4);
  outputs.push(ey, edw);
  if (check) {
    const want = new Float32Array(rows * dim);
    for (let i = 0; i < count; i++) {
      for (let p = 0; p < dim; p++) {
        expect(ey[i * dim + p]).toBe(table[idx[i] * dim + p]);
        if (idx[i] !== padding) want[idx[i] * dim + p] = f32(want[idx[i] * dim + p] + eg[i * dim + p]);
      }
    }
    // A float32 sum in index order, written from the definition: exactly the kernel's.
    expect(Array.from(edw)).toEqual(Array.from(want));
  }
  return outputs;
}

for (const config of CONFIGS) {
  describe(`norm and embedding kernels on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('match float64 references on random sizes (1, and not multiples of 4)', () => {
      for (const z of samples) {
        try {
          runAll(z, true);
        } catch (error) {
          throw new Error(`sizes ${JSON.stringify(z)}: ${(error as Error).message}`);
        }
      }
    });
  });
}

/** FNV-1a over the bits of every output: the same in Node and in Chromium, on every backend. */
function hashBits(outputs: number[][][]): string {
  let h = 0x811c9dc5;
  for (const bits of outputs.flat(2)) {
    for (let b = 0; b < 32; b += 8) h = Math.imul(h ^ ((bits >>> b) & 0xff), 0x01000193) >>> 0;
  }
  return h.toString(16);
}
/** Recorded in Node from the simd build; Chromium and every backend must give it too. */
const EXPECTED_HASH = '20ecd6e7';

describe('norm and embedding kernels on the simd, scalar and js backends', () => {
  it('agree bit for bit (one summation order for every statistic), in Node and Chromium alike', async () => {
    const results: number[][][][] = [];
    for (const config of CONFIGS) {
      await use(config.options);
      results.push(samples.map((z) => runAll(z, false).map((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)))));
    }
    expect(results.map(hashBits)).toEqual(CONFIGS.map(() => EXPECTED_HASH));
    for (let r = 1; r < results.length; r++) {
      samples.forEach((z, s) => results[r][s].forEach((bits, i) => {
        expect(bits, `${CONFIGS[r].label} vs ${CONFIGS[0].label}, output ${i}, sizes ${JSON.stringify(z)}`).toEqual(results[0][s][i]);
      }));
    }
  });
});

// ---- the layers ---------------------------------------------------------------------------------

describe('BatchNorm1d/2d, LayerNorm and Embedding layers', () => {
  beforeAll(() => use(CONFIGS[0].options));

  /** Float64 per-channel mean and unbiased variance of x [n, c, hw]. */
  function channelStats(x: Float32Array, n: number, c: number, hw: number, ch: number): { mean: number; unbiased: number } {
    const vals: number[] = [];
    for (let s = 0; s < n; s++) for (let p = 0; p < hw; p++) vals.push(x[(s * c + ch) * hw + p]);
    const mean = vals.reduce((a, v) => a + v, 0) / vals.length;
    return { mean, unbiased: vals.reduce((a, v) => a + (v - mean) ** 2, 0) / (vals.length - 1) };
  }

  for (const momentum of [0.1, 0.25, null]) {
    it(`BatchNorm2d keeps torch's running statistics over 3 batches (momentum ${momentum})`, () => {
      const [n, c, h, w] = [2, 3, 3, 5];
      const bn = new BatchNorm2d(c, { momentum });
      const rm = [0, 0, 0], rv = [1, 1, 1];
      for (let step = 1; step <= 3; step++) {
        const xs = values(n * c * h * w, 100 + step, -2, 2, step);
        const x = tensor(xs, [n, c, h, w]);
        bn.forward(x);
        x.dispose();
        const factor = momentum ?? 1 / step; // null: a cumulative average, as torch
        for (let ch = 0; ch < c; ch++) {
          const s = channelStats(xs, n, c, h * w, ch);
          rm[ch] = (1 - factor) * rm[ch] + factor * s.mean;
          rv[ch] = (1 - factor) * rv[ch] + factor * s.unbiased;
        }
      }
      expectWithin(bn.runningMean!.toArray(), rm, rm.map((v) => 1e-6 * (1 + Math.abs(v))), 'running_mean');
      expectWithin(bn.runningVar!.toArray(), rv, rv.map((v) => 1e-6 * (1 + Math.abs(v))), 'running_var');
      expect(bn.numBatchesTracked!.toArray()[0]).toBe(3);
      bn.dispose();
    });
  }

  it('in eval mode normalises with the running statistics, leaves them unchanged, and passes the affine gradient', () => {
    const bn = new BatchNorm1d(4, { eps: 1e-3 });
    bn.loadStateDict({
      ...bn.stateDict(),
      weight: { shape: [4], data: Float32Array.of(1, 2, -1, 0.5) }, bias: { shape: [4], data: Float32Array.of(0, 1, 2, 3) },
      running_mean: { shape: [4], data: Float32Array.of(1, -1, 0.5, 2) }, running_var: { shape: [4], data: Float32Array.of(4, 0.25, 1, 9) },
    });
    bn.eval();
    const xs = values(12, 7);
    const x = tensor(xs, [3, 4]).requiresGrad_();
    const before = bn.stateDict();
    const y = bn.forward(x).toArray();
    const rm = [1, -1, 0.5, 2], rv = [4, 0.25, 1, 9], wt = [1, 2, -1, 0.5], bs = [0, 1, 2, 3];
    const want = Array.from(xs, (v, i) => ((v - rm[i % 4]) / Math.sqrt(rv[i % 4] + 1e-3)) * wt[i % 4] + bs[i % 4]);
    expectWithin(y, want, want.map((v) => 1e-6 * (1 + Math.abs(v))), 'eval y');
    bn.forward(x).backward(tensor(new Float32Array(12).fill(1), [3, 4]));
    const dx = x.grad!.toArray();
    const wantDx = Array.from(dx, (_, i) => wt[i % 4] / Math.sqrt(rv[i % 4] + 1e-3));
    expectWithin(dx, wantDx, wantDx.map((v) => 1e-6 * Math.abs(v)), 'eval dx');
    expect(bn.stateDict()).toEqual(before);
    x.dispose();
    bn.dispose();
  });

  it('without trackRunningStats keeps no buffers and uses the batch statistics in eval mode too', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias']);
    const x = tensor(values(2 * 2 * 3, 3), [2, 2, 3, 1]);
    const train = bn.forward(x).toArray();
    bn.eval();
    expect(Array.from(bn.forward(x).toArray())).toEqual(Array.from(train));
    x.dispose();
    bn.dispose();
  });

  it("saves its buffers under torch's names (num_batches_tracked as I64, shape []) and restores them from a checkpoint", () => {
    const make = () => new Sequential([new Linear(4, 3), new BatchNorm1d(3), new ReLU(), new Linear(3, 2)]);
    const model = make();
    const x = tensor(values(20, 5), [5, 4]);
    for (let i = 0; i < 2; i++) model.forward(x);
    const keys = ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '3.weight', '3.bias'];
    expect(Object.keys(model.stateDict()).sort()).toEqual(keys.sort());
    const bytes = serialize({ model });
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(header['1.num_batches_tracked']).toMatchObject({ dtype: 'I64', shape: [] });
    expect(header['1.running_var']).toMatchObject({ dtype: 'F32', shape: [3] });
    const decoded = decodeSafetensors(bytes).tensors['1.num_batches_tracked'];
    expect([decoded.dtype, Array.from(decoded.data)]).toEqual(['int64', [2]]);
    const fresh = make();
    restore(deserialize(bytes), { model: fresh });
    expect(fresh.stateDict()).toEqual(model.stateDict());
    // What torch's load_state_dict(strict=True) checks: every key, nothing else.
    const state = model.stateDict();
    delete (state as Record<string, unknown>)['1.running_mean'];
    expectRejected(() => fresh.loadStateDict(state), OptionError, /missing keys 1\.running_mean/);
    expectRejected(() => fresh.loadStateDict({ ...model.stateDict(), '1.num_batches_tracked': { shape: [], data: Float32Array.of(1.5), dtype: 'int64' } }),
      OptionError, /1\.num_batches_tracked\[0\] is 1\.5, expected an integer/);
    x.dispose();
    model.dispose();
    fresh.dispose();
  });

  it('Embedding looks rows up, sums the gradients of repeated indices in order and gives the padding row none', () => {
    const emb = new Embedding(5, 3, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(4);
    expect(Array.from(emb.weight.toArray().subarray(12))).toEqual([0, 0, 0]);
    const table = values(15, 9);
    emb.weight.data.set(table);
    const idx = [4, 1, 1, 0, 4, 1];
    const indices = tensor(idx, [2, 3]);
    const y = emb.forward(indices);
    expect(y.shape).toEqual([2, 3, 3]);
    expect(Array.from(y.toArray())).toEqual(idx.flatMap((i) => Array.from(table.subarray(3 * i, 3 * i + 3))));
    const g = values(18, 10);
    for (let pass = 1; pass <= 2; pass++) {
      emb.forward(indices).backward(tensor(g, [2, 3, 3]));
      const want = new Float32Array(15);
      for (let r = 0; r < pass; r++) idx.forEach((row, i) => { if (row !== 4) for (let p = 0; p < 3; p++) want[3 * row + p] = f32(want[3 * row + p] + g[3 * i + p]); });
      expect(Array.from(emb.weight.grad.toArray()), `after ${pass} backward passes`).toEqual(Array.from(want));
    }
    indices.dispose();
    emb.dispose();
  });

  it('rejects bad options and inputs with typed errors naming the layer, the argument and what was expected', () => {
    expectRejected(() => new BatchNorm2d(0), OptionError, /BatchNorm2d.*numFeatures/);
    expectRejected(() => new BatchNorm2d(3, { momentun: 0.1 } as never), OptionError, /momentum/);
    expectRejected(() => new BatchNorm1d(3, { eps: 0 }), OptionError, /eps/);
    expectRejected(() => new BatchNorm1d(3, { momentum: 1.5 }), OptionError, /momentum/);
    expectRejected(() => new LayerNorm([]), OptionError, /normalizedShape/);
    expectRejected(() => new LayerNorm(4, { elementwise_affine: false } as never), OptionError, /elementwiseAffine/);
    expectRejected(() => new Embedding(5, 3, { paddingIdx: 5 }), OptionError, /paddingIdx/);
    expectRejected(() => new Embedding(5, 3, { maxNorm: 1 } as never), OptionError, /maxNorm/);
    const bn2 = new BatchNorm2d(3), bn1 = new BatchNorm1d(3), ln = new LayerNorm([2, 4]), emb = new Embedding(5, 3);
    const bad = [tensor(values(24, 1), [2, 3, 4]), tensor(values(32, 1), [2, 4, 2, 2]), tensor(values(3, 1), [1, 3]), tensor(values(10, 1), [2, 5]),
      tensor([0, 5], [2]), tensor([0.5], [1])];
    expectRejected(() => bn2.forward(bad[0]), ShapeError, /BatchNorm2d\(3\): input must be \[N, C, H, W\], got a tensor of shape \[2, 3, 4\]/);
    expectRejected(() => bn2.forward(bad[1]), ShapeError, /has 4 channels, expected \[N, C, H, W\] with C = 3/);
    expectRejected(() => bn1.forward(bad[2]), ShapeError, /expected more than 1 value per channel/);
    expectRejected(() => ln.forward(bad[3]), ShapeError, /LayerNorm\(\[2, 4\]\): input of shape \[2, 5\] does not end with the normalized shape \[2, 4\]/);
    expectRejected(() => emb.forward(bad[4]), OptionError, /Embedding\(5, 3\): indices\[1\] = 5 is not an index in \[0, 5\)/);
    expectRejected(() => emb.forward(bad[5]), OptionError, /indices\[0\] = 0\.5/);
    bn1.eval();
    expect(bn1.forward(bad[2]).shape).toEqual([1, 3]); // eval uses the running statistics: one sample is fine
    bad.forEach((t) => t.dispose());
    [bn2, bn1, ln, emb].forEach((m) => m.dispose());
  });

  it('keeps the heap flat across training steps (BatchNorm, LayerNorm, Embedding models with Adam)', () => {
    const models: [Sequential, Tensor][] = [
      [new Sequential([new Linear(6, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, 4)]), tensor(values(60, 1), [10, 6])],
      [new Sequential([new Embedding(10, 6), new LayerNorm(6), new Flatten(), new Linear(18, 4)]), tensor(Array.from({ length: 30 }, (_, i) => (i * 7) % 10), [10, 3])],
    ];
    const target = tensor(Array.from({ length: 10 }, (_, i) => i % 4), [10]);
    const loss = new CrossEntropyLoss();
    for (const [model, x] of models) {
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      const step = () => { model.zeroGrad(); loss.forward(model.forward(x), target).backward(); opt.step(); };
      step(); step();
      const after2 = memory().bytesInUse;
      for (let i = 0; i < 20; i++) step();
      expect(memory().bytesInUse, model.describe()).toBe(after2);
      model.dispose();
      x.dispose();
    }
    target.dispose();
    loss.dispose();
  });
});

describe('Embedding in a seeded Sequential', () => {
  beforeAll(() => use(CONFIGS[0].options));

  it('re-draws its weights from the seed, as manualSeed(seed) before building the layers would', () => {
    const build = () => [new Linear(3, 4), new Embedding(6, 3, { paddingIdx: 2 }), new Linear(3, 2)];
    const seeded = new Sequential(build(), { seed: 11 });
    manualSeed(11);
    const manual = new Sequential(build());
    expect(seeded.stateDict()).toEqual(manual.stateDict());
    expect(Array.from(seeded.stateDict()['1.weight'].data.subarray(6, 9))).toEqual([0, 0, 0]);
    seeded.dispose();
    manual.dispose();
  });
});
