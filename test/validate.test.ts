import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DisposedError, Linear, OptionError, ReLU, Sequential, ShapeError, CrossEntropyLoss, Dropout, full, gemm, init, matmul, mean,
  memory, pow, reshape, sum, tensor, transpose, zeros,
} from '../src/index.js';
import {
  BETAS, FINITE, POSITIVE_INT, TENSOR, anyOf, arrayOf, checkOptions, checkValue, closest, describe as describeRule, int, oneOf,
  real, render, satisfies, tensorOf,
} from '../src/core/validate.js';
import { CONFIGS, use } from './helpers.js';

/** The message of what `f` throws (and that it throws an instance of `type`). */
function thrown(f: () => unknown, type: new (...args: never[]) => Error = OptionError): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('the validation vocabulary (src/core/validate.ts)', () => {
  beforeAll(() => init());

  it('renders the value given as the user wrote it', () => {
    expect(render(new Float32Array(4))).toBe('Float32Array(4) [0, 0, 0, 0]');
    expect(render([2])).toBe('[2]');
    expect(render({ a: 1 })).toBe('{"a":1}');
    expect(render('')).toBe('""');
    expect(render(NaN)).toBe('NaN');
    expect(render(-0)).toBe('-0');
    expect(render(undefined)).toBe('undefined');
    expect(render(null)).toBe('null');
    expect(render(10n)).toBe('10n');
    expect(render(Array.from({ length: 10 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, … 2 more]');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(render(cyclic)).toBe('{ a, self }');
    expect(render(new Map())).toBe('an instance of Map');
    const t = zeros([2, 3]);
    expect(render(t)).toBe('a Tensor of shape [2, 3]');
    t.dispose();
    expect(render(t)).toBe('a disposed Tensor of shape [2, 3]');
  });

  it('suggests the closest valid name: a typo, a foreign habit, snake_case', () => {
    expect(closest('bais', ['bias'])).toBe('bias');
    expect(closest('axis', ['dim', 'keepdim'])).toBe('dim');
    expect(closest('keepDim', ['dim', 'keepdim'])).toBe('keepdim');
    expect(closest('weight_decay', ['lr', 'weightDecay'])).toBe('weightDecay');
    expect(closest('learningRate', ['lr', 'momentum'])).toBe('lr');
    expect(closest('zzzz', ['lr', 'momentum'])).toBeUndefined();
    expect(closest('constructor', ['lr'])).toBeUndefined();
  });

  it('checkOptions rejects unknown keys with the valid list and a suggestion, non-objects, and bad values', () => {
    const rules = { bias: { type: 'boolean' } as const };
    expect(thrown(() => checkOptions('Linear', { bais: false }, rules))).toBe('Linear: unknown option bais (valid: bias); did you mean bias?');
    expect(thrown(() => checkOptions('Linear', null, rules))).toBe('Linear: options must be an object like { bias }, got null');
    expect(thrown(() => checkOptions('Linear', [1], rules))).toBe('Linear: options must be an object like { bias }, got [1]');
    expect(thrown(() => checkOptions('Linear', { bias: 'no' }, rules))).toBe('Linear: bias must be a boolean, got "no"');
    expect(checkOptions('Linear', undefined, rules)).toEqual({});
    expect(checkOptions('Linear', { bias: undefined }, rules)).toEqual({ bias: undefined });
    expect(thrown(() => checkOptions('X', {}, { lr: { ...real(0), required: true } }))).toBe('X: lr is required (a number in [0, ∞))');
  });

  it('describes number ranges as intervals; Infinity only through a closed ∞ bound; NaN never', () => {
    expect(describeRule(real(0, 1, 'max'))).toBe('in [0, 1)');
    expect(describeRule(real(0, undefined, 'min'))).toBe('in (0, ∞)');
    expect(describeRule(POSITIVE_INT)).toBe('an integer in [1, ∞)');
    expect(describeRule(FINITE)).toBe('a finite number');
    expect(satisfies(Infinity, real(0, Infinity, 'min'))).toBe(true);
    expect(satisfies(Infinity, real(0))).toBe(false);
    expect(satisfies(NaN, real())).toBe(false);
    expect(satisfies(-0, real(0))).toBe(true);
    expect(satisfies(2.5, int(0, 3))).toBe(false);
  });

  it('property: a number passes a range rule exactly when it lies in the interval', () => {
    fc.assert(fc.property(fc.double(), fc.double({ noNaN: true }), fc.double({ noNaN: true }), fc.constantFrom(undefined, 'min', 'max', 'both'),
      (x, p, q, open) => {
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        const inside = !Number.isNaN(x) && Number.isFinite(x) &&
          (open === 'min' || open === 'both' ? x > lo : x >= lo) && (open === 'max' || open === 'both' ? x < hi : x <= hi);
        const finiteBounds = Number.isFinite(lo) && Number.isFinite(hi);
        fc.pre(finiteBounds);
        expect(satisfies(x, real(lo, hi, open as never))).toBe(inside);
      }));
  });

  it('enums, arrays, one-of and tensors', () => {
    expect(thrown(() => checkValue('L', 'reduction', 'avg', oneOf('mean', 'sum', 'none')))).toBe("L: reduction must be 'mean', 'sum' or 'none', got \"avg\"");
    expect(thrown(() => checkValue('Adam', 'betas', [0.9, 1], BETAS))).toBe('Adam: betas[1] must be in [0, 1), got 1');
    expect(thrown(() => checkValue('f', 'xs', [1, 'a'], arrayOf(FINITE)))).toBe('f: xs[1] must be a finite number, got "a"');
    expect(thrown(() => checkValue('f', 'x', 'a', anyOf(oneOf('auto'), int(1, 4))))).toBe("f: x must be 'auto' or an integer in [1, 4], got \"a\"");
    expect(thrown(() => checkValue('matmul', 'b', new Float32Array(4), tensorOf(2)))).toBe('matmul: b must be a 2-D Tensor, got Float32Array(4) [0, 0, 0, 0]');
    const v = zeros([3]);
    expect(thrown(() => checkValue('matmul', 'b', v, tensorOf(2)), ShapeError)).toBe('matmul: b must be a 2-D Tensor, got a tensor of shape [3]');
    v.dispose();
    expect(thrown(() => checkValue('f', 'x', v, TENSOR), DisposedError)).toBe('f: x: tensor of shape [3] was used after dispose()');
  });
});

for (const config of CONFIGS) {
  describe(`entry points on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('the messages the issue listed as misleading', () => {
      const a = zeros([2, 2]);
      expect(thrown(() => matmul(a, new Float32Array(4) as never))).toBe('matmul: b must be a 2-D Tensor, got Float32Array(4) [0, 0, 0, 0]');
      expect(thrown(() => pow(a, [2] as never))).toBe('pow: exponent must be a finite number, got [2]');
      expect(thrown(() => gemm(a, a, zeros([2, 2]), { alpha: '' as never }))).toBe('gemm: alpha must be a finite number, got ""');
      expect(thrown(() => full([2], { a: 1 } as never))).toBe('full: value must be a number, got {"a":1}');
      a.dispose();
    });

    it('torch habits are errors that point to our names, never silently different results', () => {
      const x = zeros([2, 3]);
      expect(thrown(() => sum(x, { axis: 0 } as never))).toMatch(/^sum: unknown option axis \(valid: dim, keepdim\); did you mean dim\?$/);
      expect(thrown(() => mean(x, { keepDim: true } as never))).toMatch(/did you mean keepdim\?/);
      expect(thrown(() => matmul(x, zeros([3, 2]), { alpha: 2 } as never))).toMatch(/^matmul: unknown option alpha \(valid: transA, transB\)/);
      expect(thrown(() => new Linear(3, 3, { bais: false } as never))).toBe('Linear: unknown option bais (valid: bias); did you mean bias?');
      expect(thrown(() => gemm(zeros([2, 3]), zeros([3, 2]), zeros([2, 2]), { beta: null as never }))).toBe('gemm: beta must be a finite number, got null');
      expect(thrown(() => new ReLU({ inplace: true } as never))).toMatch(/^ReLU: unknown option inplace/);
      expect(thrown(() => reshape(x, 'abc' as never), OptionError)).toMatch(/^reshape: shape must be an array/);
      expect(thrown(() => transpose(undefined as never))).toBe('transpose: x is required (a Tensor)');
      expect(thrown(() => matmul(x, x, null as never))).toMatch(/^matmul: options must be an object/);
      x.dispose();
    });

    it('init(options) rejects a non-object and unknown keys as a rejected promise', async () => {
      await expect(init('abc' as never)).rejects.toThrow(/^init: options must be an object like \{ backend, build, wasm, threads \}, got "abc"$/);
      await expect(init({ thread: 2 } as never)).rejects.toThrow(/unknown option thread .*did you mean threads\?/);
    });

    it('backward takes options first as torch users write them, and rejects anything else', () => {
      const x = tensor([1, 2, 3]).requiresGrad_();
      const z = x.mul(x);
      const y = sum(z);
      y.backward({ retainGraph: true });
      y.backward();
      expect(Array.from(x.grad!.toArray())).toEqual([4, 8, 12]); // two passes of d(Σ x²)/dx = 2x
      expect(thrown(() => y.backward('abc' as never))).toMatch(/^backward: grad must be a Tensor of the same shape/);
      expect(thrown(() => y.backward({ retain_graph: true } as never))).toMatch(/did you mean retainGraph\?/);
      for (const t of [x, z, y]) t.dispose();
    });

    it('sum and mean take torch dim/keepdim on any rank, matching a float64 reference (property)', () => {
      fc.assert(fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.boolean(), fc.boolean(), fc.integer(),
        (shape, dimSeed, keepdim, isMean, seed) => {
          const rank = shape.length;
          const dim = (dimSeed % (2 * rank)) - rank; // every valid dim, negative ones too
          const size = shape.reduce((p, d) => p * d, 1);
          const values = Array.from({ length: size }, (_, i) => Math.fround(Math.sin(seed + i * 0.7) * 3));
          const d = dim < 0 ? dim + rank : dim;
          const outer = shape.slice(0, d).reduce((p, s) => p * s, 1), len = shape[d], inner = shape.slice(d + 1).reduce((p, s) => p * s, 1);
          const expected: number[] = [];
          for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
            let s = 0;
            for (let l = 0; l < len; l++) s += values[(o * len + l) * inner + i];
            expected.push(isMean ? s / len : s);
          }
          const x = tensor(values, shape);
          const out = (isMean ? mean : sum)(x, { dim, keepdim });
          const outShape = keepdim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d);
          expect(out.shape).toEqual(outShape);
          const got = out.toArray();
          expected.forEach((e, k) => expect(Math.abs(got[k] - e)).toBeLessThanOrEqual(1e-5 * (1 + len * 3)));
          out.dispose();
          x.dispose();
        }), { numRuns: 60 });
    });

    it('a disposed model: forward throws DisposedError and keeps nothing, call after call', () => {
      const model = new Sequential([new Linear(4, 3), new ReLU(), new Linear(3, 2)]);
      const x = zeros([2, 4]);
      model.dispose();
      const before = memory();
      for (let i = 0; i < 3; i++) expect(() => model.forward(x)).toThrow(DisposedError);
      const after = memory();
      expect(after.bytesInUse).toBe(before.bytesInUse);
      expect(after.liveTensors).toBe(before.liveTensors);
      const loss = new CrossEntropyLoss();
      loss.dispose();
      expect(() => loss.forward(zeros([2, 3]), tensor([0, 1]))).toThrow(DisposedError);
      x.dispose();
    });

    it('torch positional arguments for Dropout(p); Sequential refuses a layer twice', () => {
      expect(new Dropout(0.2).p).toBe(0.2);
      expect(thrown(() => new Dropout(1.5))).toBe('Dropout: p must be in [0, 1], got 1.5');
      const l = new Linear(2, 2);
      expect(thrown(() => new Sequential([l, l]))).toMatch(/layers\[1\] is the same Linear\(2→2\) as layers\[0\]/);
      l.dispose();
    });
  });
}
