import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Conv2d, MaxPool2d, ReLU, Sequential, tensor, type Module, type Tensor } from '../src/index.js';
import { CONFIGS, use } from './helpers.js';

// Sequential runs ReLU → MaxPool2d as MaxPool2d → ReLU (src/nn/sequential.ts, reluThenMaxPool),
// claiming the same bits forward and backward. Held here against the layers run one by one in the
// written order, on inputs made of small integers (so windows tie, at 0 and elsewhere, and
// convolution sums are exact) with −0 and NaN among them, pools that overlap, pad, dilate and
// round up, and upstream gradients that are not integers (so the order of the scatter's adds shows).

const VALUES = [-2, -1, -0, 0, 0, 1, 2, 0.5];

interface Case {
  n: number; cin: number; cout: number; h: number; w: number; k: number; pad: number;
  pool: number; stride: number; poolPad: number; dilation: number; ceil: boolean; nan: boolean; seed: number;
}

const cases: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), cin: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }), k: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 1 }),
  pool: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), poolPad: fc.integer({ min: 0, max: 1 }),
  dilation: fc.integer({ min: 1, max: 2 }), ceil: fc.boolean(), nan: fc.boolean(), seed: fc.nat(),
}).filter((c) => 2 * c.poolPad <= c.pool && c.h + 2 * c.pad - c.k + 1 >= c.dilation * (c.pool - 1) + 1 && c.w + 2 * c.pad - c.k + 1 >= c.dilation * (c.pool - 1) + 1);

/** A deterministic stream of test values (independent of the library's RNG). */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function layers(c: Case): [Conv2d, ReLU, MaxPool2d] {
  const conv = new Conv2d(c.cin, c.cout, c.k, { padding: c.pad });
  const next = stream(c.seed + 1);
  conv.weight.data.set(Float32Array.from({ length: conv.weight.size }, () => VALUES[Math.floor(next() * VALUES.length)]));
  conv.bias!.data.set(Float32Array.from({ length: c.cout }, () => VALUES[Math.floor(next() * VALUES.length)]));
  return [conv, new ReLU(), new MaxPool2d(c.pool, { stride: c.stride, padding: c.poolPad, dilation: c.dilation, ceilMode: c.ceil })];
}

/** Output, input gradient and the convolution's weight and bias gradients. */
function run(forward: (x: Tensor) => Tensor, conv: Conv2d, c: Case): number[][] {
  const next = stream(c.seed);
  const values = Float32Array.from({ length: c.n * c.cin * c.h * c.w }, () => VALUES[Math.floor(next() * VALUES.length)]);
  if (c.nan) values[Math.floor(next() * values.length)] = NaN;
  const x = tensor(values, [c.n, c.cin, c.h, c.w]).requiresGrad_();
  const y = forward(x);
  const g = tensor(Float32Array.from({ length: y.size }, () => next() * 2 - 1), y.shape);
  y.backward(g);
  const out = [y, x.grad!, conv.weight.grad, conv.bias!.grad].map((t) => Array.from(t.toArray()));
  x.dispose(); g.dispose();
  return out;
}

describe('ReLU → MaxPool2d inside Sequential', () => {
  for (const config of CONFIGS) {
    it(`gives the bits of the layers run one by one in the written order (${config.label})`, async () => {
      await use(config.options);
      fc.assert(fc.property(cases, (c) => {
        const apart = layers(c);
        const model = new Sequential(layers(c));
        const expected = run((x) => apart[2].forward(apart[1].forward(apart[0].forward(x))), apart[0], c);
        const got = run((x) => model.forward(x), model.layers[0] as Conv2d, c);
        // toEqual compares with Object.is: −0 ≠ +0, and NaN = NaN whatever its payload.
        ['output', 'input gradient', 'weight gradient', 'bias gradient'].forEach((what, i) => expect(got[i], `${what} ${JSON.stringify(c)}`).toEqual(expected[i]));
        (apart as Module[]).forEach((l) => l.dispose());
        model.dispose();
      }), { numRuns: 60, seed: 31 });
    });
  }
});
