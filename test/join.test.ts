import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import {
  Adam, Conv2d, CrossEntropyLoss, MaxPool2d, Module, OptionError, ReLU, ShapeError, Upsample, cat, chunk, narrow, split, stack, tensor,
  permute, squeeze, unsqueeze, view, type Tensor,
} from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// cat, stack, narrow, split and chunk (and permute, squeeze, unsqueeze, view): element by element
// against index arithmetic written here on
// random shapes (size-1 dimensions and sizes not a multiple of 4 included), torch's part sizes for
// split and chunk, a U-Net block (a skip connection by cat) that trains with a flat heap, and the
// errors. Their gradients: gradcheck.test.ts.

const shape = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 });

/** The element of a row-major shape at a multi-index. */
const at = (values: Float32Array, dims: readonly number[], index: number[]) => values[index.reduce((o, i, d) => o * dims[d] + i, 0)];
/** Every multi-index of a shape, in row-major order. */
function* indices(dims: readonly number[]): Generator<number[]> {
  const index = dims.map(() => 0);
  const total = dims.reduce((p, d) => p * d, 1);
  for (let n = 0; n < total; n++) {
    yield [...index];
    for (let d = dims.length - 1; d >= 0 && ++index[d] === dims[d]; d--) index[d] = 0;
  }
}

for (const config of CONFIGS) {
  describe(`cat, stack, narrow, split, chunk on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('cat and stack put each element where the index arithmetic says, on random shapes and dims', () => {
      fc.assert(fc.property(shape, fc.nat(), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), (dims, seed, sizes) => {
        const d = seed % dims.length;
        const parts = sizes.map((s, i) => tensor(randomFloats(dims.reduce((p, v) => p * v, 1) / dims[d] * s, seed + i), dims.map((v, j) => (j === d ? s : v))));
        const joined = cat(parts, d - (seed % 2 ? dims.length : 0));
        const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
        const got = joined.toArray();
        for (const [i, p] of parts.entries()) {
          const values = p.toArray();
          for (const index of indices(p.shape)) {
            const outIndex = index.map((v, j) => (j === d ? v + offsets[i] : v));
            expect(at(got, joined.shape, outIndex)).toBe(at(values, p.shape, index));
          }
        }
        const same = sizes.map((_, i) => tensor(randomFloats(dims.reduce((p, v) => p * v, 1), seed + 10 + i), dims));
        const sd = seed % (dims.length + 1);
        const stacked = stack(same, sd);
        expect([...stacked.shape]).toEqual([...dims.slice(0, sd), same.length, ...dims.slice(sd)]);
        const sv = stacked.toArray();
        for (const [i, p] of same.entries()) {
          const values = p.toArray();
          for (const index of indices(dims)) expect(at(sv, stacked.shape, [...index.slice(0, sd), i, ...index.slice(sd)])).toBe(at(values, dims, index));
        }
        [...parts, joined, ...same, stacked].forEach((t) => t.dispose());
      }), { numRuns: 40, seed: 3 });
    });

    it("narrow, split and chunk take torch's parts; cat of the parts gives x back bit for bit", () => {
      fc.assert(fc.property(shape, fc.nat(), fc.integer({ min: 1, max: 6 }), (dims, seed, n) => {
        const d = seed % dims.length, size = dims[d];
        const x = tensor(randomFloats(dims.reduce((p, v) => p * v, 1), seed), dims);
        const bySize = split(x, n, d), byChunks = chunk(x, n, d);
        // torch: split into parts of n (the last shorter); chunk into ⌈size/n⌉-sized parts, maybe fewer than n.
        expect(bySize.map((t) => t.shape[d])).toEqual(Array.from({ length: Math.ceil(size / n) }, (_, i) => Math.min(n, size - i * n)));
        const step = Math.ceil(size / n);
        expect(byChunks.map((t) => t.shape[d])).toEqual(Array.from({ length: Math.ceil(size / step) }, (_, i) => Math.min(step, size - i * step)));
        for (const pieces of [bySize, byChunks]) {
          const back = cat(pieces, d);
          expect(Array.from(back.toArray())).toEqual(Array.from(x.toArray()));
          back.dispose();
        }
        const start = seed % size, length = size - start;
        const part = narrow(x, d, start - (seed % 3 === 0 ? size : 0), length);
        const pv = part.toArray(), xv = x.toArray();
        for (const index of indices(part.shape)) expect(at(pv, part.shape, index)).toBe(at(xv, dims, index.map((v, j) => (j === d ? v + start : v))));
        [x, part, ...bySize, ...byChunks].forEach((t) => t.dispose());
      }), { numRuns: 40, seed: 4 });
    });

    it('permute puts every element where its order says (random shapes and orders, up to 5-D); squeeze, unsqueeze and view keep the elements', () => {
      fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), fc.nat(), (dims, seed) => {
        const order = dims.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const x = tensor(randomFloats(dims.reduce((p, v) => p * v, 1), seed), dims);
        const y = permute(x, order.map((d, i) => (i % 2 ? d - dims.length : d)));
        expect([...y.shape]).toEqual(order.map((d) => dims[d]));
        const xv = x.toArray(), yv = y.toArray();
        for (const index of indices(y.shape)) {
          const source = dims.map(() => 0);
          order.forEach((d, i) => { source[d] = index[i]; });
          expect(at(yv, y.shape, index)).toBe(at(xv, dims, source));
        }
        const u = unsqueeze(x, seed % (dims.length + 1)), q = squeeze(u), v = view(x, [-1]);
        expect([...u.shape]).toEqual([...dims.slice(0, seed % (dims.length + 1)), 1, ...dims.slice(seed % (dims.length + 1))]);
        expect([...q.shape]).toEqual(dims.filter((d) => d !== 1));
        for (const t of [u, q, v]) expect(Array.from(t.toArray())).toEqual(Array.from(xv));
        [x, y, u, q, v].forEach((t) => t.dispose());
      }), { numRuns: 40, seed: 6 });
      const x = tensor(randomFloats(6, 2), [1, 2, 1, 3]);
      expect([[...squeeze(x, 0).shape], [...squeeze(x, [0, 2]).shape], [...squeeze(x, 1).shape], [...x.unsqueeze(-1).shape]]).toEqual([[2, 1, 3], [2, 3], [1, 2, 1, 3], [1, 2, 1, 3, 1]]);
      x.dispose();
    });

    it('a U-Net block (down, up, the skip joined by cat) learns a per-pixel segmentation (CrossEntropyLoss over [N, C, H, W]), heap flat inside tidy', () => {
      class Block extends Module {
        readonly encode = new Conv2d(1, 4, 3, { padding: 1 });
        readonly pool = new MaxPool2d(2);
        readonly up = new Upsample({ scaleFactor: 2 });
        readonly decode = new Conv2d(8, 3, 3, { padding: 1 });
        readonly relu = new ReLU();

        forward(x: Tensor): Tensor {
          const skip = this.relu.forward(this.encode.forward(x));
          return this.decode.forward(cat([this.up.forward(this.pool.forward(skip)), skip], 1));
        }
      }
      const model = new Block();
      const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      const lossFn = new CrossEntropyLoss();
      // Each pixel's class: its value's third of [−1, 1).
      const x = tensor(randomFloats(4 * 64, 5), [4, 1, 8, 8]);
      const classes = tensor(Array.from(x.toArray(), (v) => Math.min(2, Math.floor(((v + 1) / 2) * 3))), [4, 8, 8]);
      expectLearnsWithFlatHeap(model, optimizer, lossFn, x, classes, 40, 0.5);
      [x, classes].forEach((t) => t.dispose());
      model.dispose();
    });

    it('bad arguments: typed errors naming the function, the argument and what was expected; the heap unchanged', () => {
      const a = tensor(randomFloats(6, 1), [2, 3]), b = tensor(randomFloats(8, 2), [2, 4]), scalar = tensor(1);
      expectRejected(() => cat([], 0), OptionError, /^cat: tensors must be a non-empty array of Tensors, got \[\]/);
      expectRejected(() => cat([a, b], 0), ShapeError, /^cat: tensors\[1\] has shape \[2, 4\], which does not match tensors\[0\]'s \[2, 3\] outside dimension 0/);
      expectRejected(() => cat([a, b], 2), ShapeError, /^cat: dim 2 is out of range for an input of shape \[2, 3\]: expected an integer from -2 to 1/);
      expectRejected(() => cat([scalar, scalar]), ShapeError, /^cat: tensors are 0-d/);
      expectRejected(() => stack([a, b]), ShapeError, /^stack: tensors\[1\] has shape \[2, 4\], expected tensors\[0\]'s \[2, 3\]/);
      expectRejected(() => stack([a], 3), ShapeError, /^stack: dim 3 is out of range/);
      expectRejected(() => narrow(a, 1, 2, 2), ShapeError, /^narrow: start 2 and length 2 run past dimension 1 of size 3/);
      expectRejected(() => narrow(a, 1, 4, 0), OptionError, /^narrow: start must be an integer in \[-3, 3\], got 4/);
      expectRejected(() => split(a, [1, 1], 1), ShapeError, /^split: the sizes \[1, 1\] add up to 2, but dimension 1 of shape \[2, 3\] has 3/);
      expectRejected(() => split(a, 0), OptionError, /^split: splitSize must be a positive integer or a non-empty array of sizes, got 0/);
      expectRejected(() => chunk(a, 0), OptionError, /^chunk: chunks must be an integer in \[1, ∞\), got 0/);
      expectRejected(() => permute(a, [0, 0]), ShapeError, /^permute: dims \[0, 0\] must list each dimension of x \(shape \[2, 3\]\) once/);
      expectRejected(() => permute(a, [0]), ShapeError, /must list each dimension/);
      expectRejected(() => permute(a, [0, 2]), ShapeError, /^permute: dims 2 is out of range for an input of shape \[2, 3\]/);
      expectRejected(() => unsqueeze(a, 3), ShapeError, /^unsqueeze: dim 3 is out of range/);
      expectRejected(() => squeeze(a, 2), ShapeError, /^squeeze: dim 2 is out of range/);
      expectRejected(() => view(a, [4, -1]), ShapeError, /^view: cannot view \[2, 3\] \(6 elements\) as \[4, -1\]/);
      expectRejected(() => cat([a, [1, 2] as never]), OptionError, /^cat: tensors\[1\] must be a Tensor, got \[1, 2\]/);
      [a, b, scalar].forEach((t) => t.dispose());
    });
  });
}
