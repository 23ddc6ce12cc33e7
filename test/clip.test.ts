import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { clipGradNorm, clipGradValue, Parameter, NonFiniteError, OptionError, Sequential, Linear } from '../src/index.js';
import { CONFIGS, use, randomFloats } from './helpers.js';
import { countFault, writeCountsAfterAll } from './train-counts.js';
import { expectRejected } from './rejects.js';

writeCountsAfterAll('clip');

/** float64 reference of the joint p-norm of several gradients. */
function referenceNorm(grads: readonly Float32Array[], normType: number): number {
  const values = grads.flatMap((g) => Array.from(g, Math.abs));
  if (values.some((v) => Number.isNaN(v))) return NaN;
  return normType === Infinity ? Math.max(...values) : values.reduce((s, v) => s + v ** normType, 0) ** (1 / normType);
}

function params(sizes: readonly number[], seed: number): { ps: Parameter[]; grads: Float32Array[] } {
  const ps = sizes.map((n) => new Parameter(null, [n]));
  const grads = sizes.map((n, i) => randomFloats(n, seed + i).map((v) => v * 4));
  ps.forEach((p, i) => p.grad.data.set(grads[i]));
  return { ps, grads };
}

for (const { label, options } of CONFIGS) {
  describe(`clipGradNorm (${label})`, () => {
    beforeAll(() => use(options));

    it('takes normType positionally (torch) or as { normType }, with the same result as a float64 reference', () => {
      fc.assert(fc.property(
        fc.array(fc.integer({ min: 1, max: 37 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(1, 2, 3, Infinity),
        fc.integer({ min: 1, max: 1000 }),
        (sizes, normType, seed) => {
          const a = params(sizes, seed), b = params(sizes, seed);
          const total = referenceNorm(a.grads, normType);
          const positional = clipGradNorm(a.ps, total / 3, normType);
          const named = clipGradNorm(b.ps, total / 3, { normType, errorIfNonfinite: true });
          expect(Math.abs(positional - total)).toBeLessThanOrEqual(2e-6 * total);
          expect(named).toBe(positional);
          a.ps.forEach((p, i) => expect(p.grad.toArray()).toEqual(b.ps[i].grad.toArray()));
          [...a.ps, ...b.ps].forEach((p) => p.dispose());
        },
      ), { numRuns: 25 });
    });

    for (const [bad, normType] of [[NaN, 2], [Infinity, 2], [-Infinity, Infinity], [NaN, 1]] as const) {
      it(`with errorIfNonfinite, a ${bad} gradient (normType ${normType}) throws NonFiniteError and leaves every gradient as it was`, () => {
        const { ps } = params([5, 3, 7], 11);
        ps[1].grad.data[2] = bad;
        const before = ps.map((p) => p.grad.toArray());
        expect(() => clipGradNorm(ps, 1, { normType, errorIfNonfinite: true })).toThrow(NonFiniteError);
        expect(() => clipGradNorm(ps, 1, { normType, errorIfNonfinite: true })).toThrow(
          new RegExp(`^clipGradNorm: the total norm of order ${normType} of the gradients is (NaN|Infinity), so they cannot be clipped; ` +
            'the first gradient holding NaN or Inf has shape \\[3\\]'),
        );
        countFault('clipGradNorm non-finite gradient', 2);
        ps.forEach((p, i) => expect(p.grad.toArray()).toEqual(before[i]));
        ps.forEach((p) => p.dispose());
      });
    }

    it('without errorIfNonfinite does what torch does: returns the non-finite norm and scales the gradients by it', () => {
      const model = new Sequential([new Linear(3, 2)]);
      const [w, b] = model.parameters();
      w.grad!.data.set([1, 2, 3, 4, 5, NaN]);
      b.grad!.data.set([1, 1]);
      expect(clipGradNorm(model.parameters(), 1)).toBeNaN();
      countFault('clipGradNorm non-finite gradient');
      expect(Array.from(b.grad!.toArray()).every(Number.isNaN)).toBe(true);
      model.dispose();
    });
  });
}

describe('clipGradNorm / clipGradValue arguments', () => {
  beforeAll(() => use(CONFIGS[0].options));

  it('reject bad arguments with typed errors naming the argument and the value', () => {
    const p = new Parameter([1], [1]);
    const cases: [() => unknown, string | RegExp][] = [
      [() => clipGradNorm([p], 1, { norm_type: 1 } as never), /^clipGradNorm: unknown option norm_type \(valid: normType, errorIfNonfinite\); did you mean normType\?$/],
      [() => clipGradNorm([p], 1, { errorIfNonfinite: 'yes' } as never), /^clipGradNorm: errorIfNonfinite must be a boolean.*, got "yes"$/],
      [() => clipGradNorm([p], 1, { normType: -2 }), 'clipGradNorm: normType must be in (0, ∞], got -2'],
      [() => clipGradNorm([p], 1, NaN), 'clipGradNorm: normType must be in (0, ∞], got NaN'],
      [() => clipGradNorm([p], 1, null as never), /^clipGradNorm: options must be an object like \{ normType, errorIfNonfinite \}, got null$/],
      [() => clipGradNorm([p], undefined as never), /^clipGradNorm: maxNorm is required/],
      [() => clipGradNorm([p], Infinity), 'clipGradNorm: maxNorm must be in [0, ∞), got Infinity'],
      [() => clipGradNorm(null as never, 1), 'clipGradNorm: params must be a Tensor or an iterable of Tensors, got null'],
      [() => clipGradNorm([p, 3] as never, 1), 'clipGradNorm: params must be a Tensor or an iterable of Tensors, got [a Tensor of shape [1], 3]'],
      [() => clipGradValue([p], -1), 'clipGradValue: clipValue must be in [0, ∞), got -1'],
      [() => clipGradValue('abc' as never, 1), 'clipGradValue: params must be a Tensor or an iterable of Tensors, got "abc"'],
    ];
    for (const [call, message] of cases) expectRejected(call, OptionError, message, 'clip');
    expect(clipGradNorm([], 1)).toBe(0); // no gradients: norm 0, as torch
    p.dispose();
  });
});
