import { describe, it, expect, beforeAll } from 'vitest';
import { Flatten, Identity, OptionError, ShapeError, Unflatten, flatten, tensor, transpose, unflatten } from '../src/index.js';
import { CONFIGS, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// torch.flatten(input, start_dim=0, end_dim=-1), nn.Flatten(start_dim=1, end_dim=-1), and
// torch.transpose(input, dim0, dim1) of any rank. The
// shapes below are PyTorch 1.13's for a [2, 3, 4, 5] input (printed by torch.flatten and
// nn.Flatten with these arguments).
const TORCH_SHAPES: [args: number[], fn: number[], layer: number[]][] = [
  [[], [120], [2, 60]],
  [[1], [2, 60], [2, 60]],
  [[0, 1], [6, 4, 5], [6, 4, 5]],
  [[-2], [2, 3, 20], [2, 3, 20]],
  [[1, 2], [2, 12, 5], [2, 12, 5]],
  [[2, 2], [2, 3, 4, 5], [2, 3, 4, 5]],
  [[-3, -2], [2, 12, 5], [2, 12, 5]],
  [[0, -1], [120], [120]],
];

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);

for (const config of CONFIGS) {
  describe(`flatten and Flatten as torch's on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const [args, fnShape, layerShape] of TORCH_SHAPES) {
      it(`flatten(x${args.map((a) => `, ${a}`).join('')}) and new Flatten(${args.join(', ')}) on [2, 3, 4, 5]`, () => {
        const x = tensor(iota(120), [2, 3, 4, 5]).requiresGrad_();
        const y = flatten(x, ...args);
        expect([...y.shape]).toEqual(fnShape);
        expect(Array.from(y.toArray())).toEqual(Array.from(iota(120)));   // the same elements, in order
        const layer = args.length === 0 ? new Flatten() : new Flatten(args[0], args[1]);
        const z = layer.forward(x);
        expect([...z.shape]).toEqual(layerShape);
        // The gradient is the upstream one, back in x's shape.
        const g = tensor(iota(120).map((v) => v * 3 + 1), fnShape);
        y.backward(g);
        expect([...x.grad!.shape]).toEqual([2, 3, 4, 5]);
        expect(Array.from(x.grad!.toArray())).toEqual(Array.from(g.toArray()));
        [x, y, g].forEach((t) => t.dispose());
      });
    }

    it('the method, the options object, and a 0-d tensor (→ [1], as torch)', () => {
      const x = tensor(iota(24), [2, 3, 4]);
      expect([...x.flatten().shape]).toEqual([24]);
      expect([...x.flatten(1).shape]).toEqual([2, 12]);
      expect([...x.flatten(0, 1).shape]).toEqual([6, 4]);
      expect([...new Flatten({ startDim: 0, endDim: 1 }).forward(x).shape]).toEqual([6, 4]);
      expect([...new Flatten({ endDim: -2 }).forward(x).shape]).toEqual([2, 3, 4]);
      expect(new Flatten(2, 3).describe()).toBe('Flatten(2, 3)');
      expect(new Flatten().describe()).toBe('Flatten');
      const s = tensor(4);
      expect([...flatten(s).shape]).toEqual([1]);
      expect(flatten(s).item()).toBe(4);
    });

    it('a dimension out of range, start after end, a non-integer: typed errors naming the argument; the heap unchanged', () => {
      const x = tensor(iota(24), [2, 3, 4]);
      expectRejected(() => flatten(x, 3), ShapeError, /flatten: startDim 3 is out of range for an input of shape \[2, 3, 4\]: expected an integer from -3 to 2/);
      expectRejected(() => flatten(x, 0, -4), ShapeError, /flatten: endDim -4 is out of range/);
      expectRejected(() => flatten(x, 2, 1), ShapeError, /flatten: startDim 2 comes after endDim 1/);
      expectRejected(() => flatten(x, 1.5), OptionError, /flatten.*startDim/);
      const layer = new Flatten(1, 3);
      expectRejected(() => layer.forward(x), ShapeError, /Flatten\(1, 3\): endDim 3 is out of range for an input of shape \[2, 3, 4\]/);
      // nn.Flatten's default start_dim 1 does not exist on a 1-D input (torch: IndexError).
      const row = tensor([1, 2, 3]);
      expectRejected(() => new Flatten().forward(row), ShapeError, /Flatten: startDim 1 is out of range for an input of shape \[3\]: expected an integer from -1 to 0/);
      expect(() => new Flatten({ start_dim: 2 } as never)).toThrow(/startDim/);
      expect(() => new Flatten({ startDim: 'a' } as never)).toThrow(OptionError);
      expect(() => new Flatten({ startDim: 1 }, 2 as never)).toThrow(/endDim given as a second argument needs startDim as the first/);
      expectRejected(() => new Flatten(-1.5), OptionError, /Flatten.*startDim/);
      [x, row].forEach((t) => t.dispose());
    });
  });
}

for (const config of CONFIGS) {
  describe(`unflatten and Unflatten (flatten's inverse, as torch's), and Identity, on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('splits a dimension into sizes (one inferred), sharing memory; flatten of the result gives x back; the gradient flows back', () => {
      const x = tensor(Float32Array.from({ length: 2 * 12 * 5 }, (_, i) => i), [2, 12, 5]).requiresGrad_();
      const layer = new Unflatten(1, [3, -1]);
      const y = layer.forward(x);
      expect([...y.shape]).toEqual([2, 3, 4, 5]);
      expect(Array.from(y.toArray())).toEqual(Array.from(x.toArray()));
      expect([...unflatten(x, -1, [5, 1]).shape]).toEqual([2, 12, 5, 1]);
      expect([...flatten(y, 1, 2).shape]).toEqual([2, 12, 5]);
      expect([...x.unflatten(0, [1, 2]).shape]).toEqual([1, 2, 12, 5]);
      y.backward(tensor(Float32Array.from({ length: y.size }, (_, i) => 2 * i), [...y.shape]));
      expect(Array.from(x.grad!.toArray())).toEqual(Array.from({ length: x.size }, (_, i) => 2 * i));
      expect(layer.describe()).toBe('Unflatten(1, [3, -1])');
      const id = new Identity();
      expect(id.forward(x)).toBe(x);
      x.dispose();
    });

    it('sizes that do not split the dimension, a dim out of range, arguments to Identity: typed errors; the heap unchanged', () => {
      const x = tensor(new Float32Array(24), [2, 12]);
      expectRejected(() => unflatten(x, 1, [5, -1]), ShapeError, /^unflatten: sizes \[5, -1\] do not split dimension 1 of size 12/);
      expectRejected(() => unflatten(x, 1, [2, 2]), ShapeError, /do not split dimension 1 of size 12/);
      expectRejected(() => unflatten(x, 1, [-1, -1]), ShapeError, /do not split/);
      expectRejected(() => unflatten(x, 2, [3, 4]), ShapeError, /^unflatten: dim 2 is out of range/);
      expectRejected(() => new Unflatten(1, [] as never), OptionError, /^Unflatten: unflattenedSize must be a non-empty array of sizes/);
      expectRejected(() => new Identity(5 as never), OptionError, /^Identity: takes no arguments/);
      x.dispose();
    });
  });

  describe(`transpose of any rank, as torch.transpose, on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('swaps two dimensions of a 4-D tensor (element by element), both ways of naming them; the gradient swaps back', () => {
      const shape = [2, 3, 4, 5], size = 120;
      const x = tensor(iota(size), shape).requiresGrad_();
      const at = (s: readonly number[], idx: number[]) => idx.reduce((p, v, d) => p * s[d] + v, 0);
      for (const [d0, d1] of [[1, 3], [-1, 1], [0, 2], [2, 3], [0, 1]] as const) {
        const y = transpose(x, d0, d1);
        const a = (d0 + 4) % 4, b = (d1 + 4) % 4;
        const want = [...shape];
        [want[a], want[b]] = [shape[b], shape[a]];
        expect([...y.shape]).toEqual(want);
        const xv = x.toArray(), yv = y.toArray();
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) for (let l = 0; l < 5; l++) {
          const idx = [i, j, k, l], swapped = [...idx];
          [swapped[a], swapped[b]] = [idx[b], idx[a]];
          expect(yv[at(want, swapped)]).toBe(xv[at(shape, idx)]);
        }
        y.dispose();
      }
      const y = x.transpose(1, 3);
      const g = tensor(iota(size).map((v) => v * 2), [...y.shape]);
      y.backward(g);
      expect(Array.from(x.grad!.toArray())).toEqual(Array.from(transpose(g, 1, 3).toArray()));
      [x, g].forEach((t) => t.dispose());
    });

    it('the same dimension twice, or a 1-D tensor: the elements unchanged; dims out of range are typed errors', () => {
      const x = tensor(iota(6), [2, 3]), v = tensor(iota(4));
      expect([...transpose(x, 1, 1).shape]).toEqual([2, 3]);
      expect(Array.from(transpose(v, 0, -1).toArray())).toEqual(Array.from(iota(4)));
      expect([...transpose(x).shape]).toEqual([3, 2]);
      expectRejected(() => transpose(x, 0, 2), ShapeError, /transpose: dim1 2 is out of range for an input of shape \[2, 3\]: expected an integer from -2 to 1/);
      expectRejected(() => transpose(x, 0.5, 1), OptionError, /transpose: dim0 must be an integer/);
      [x, v].forEach((t) => t.dispose());
    });
  });
}
