import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import fixture from './fixtures/pad-torch.json';
import {
  Adam, Conv2d, CrossEntropyLoss, Flatten, Linear, OptionError, ReLU, Sequential, ShapeError, Tanh, memory, pad, tensor,
  type PadMode, type Tensor,
} from '../src/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { PAD_CODES } from '../src/ops/pad.js';
import { CONFIGS, randomFloats, use } from './helpers.js';
import { expectAllClose, fromGolden, type GoldenTensor } from './golden.js';
import { expectRejected } from './rejects.js';

// torch.nn.functional.pad's modes (src/ops/pad.ts, kernels padPlanes / padPlanesBackward) and
// Conv2d's paddingMode: PyTorch's values (test/fixtures/pad-torch.json, written by
// scripts/make-pad-fixture.py), the kernels against a reference written here, and the errors.

interface PadCase {
  name: string; op: 'pad' | 'Conv2d'; padding?: number[]; options: Record<string, unknown>;
  params?: Record<string, GoldenTensor>; input: GoldenTensor; gradOutput: GoldenTensor;
  expected: { output: GoldenTensor; gradInput: GoldenTensor; gradParams?: Record<string, GoldenTensor> };
}
const cases = fixture.cases as PadCase[];
const ATOL = 1e-5, RTOL = 1e-4;

/**
 * Where padded index o reads along an axis of n (before = the padding ahead of the axis), from
 * the modes' definitions: reflect folds the axis with period 2(n − 1), replicate clamps, circular
 * takes o − before modulo n; −1 for the constant.
 */
function source(o: number, before: number, n: number, mode: PadMode): number {
  const i = o - before;
  if (mode === 'constant') return i >= 0 && i < n ? i : -1;
  if (mode === 'replicate') return Math.min(n - 1, Math.max(0, i));
  if (mode === 'circular') return ((i % n) + n) % n;
  if (n === 1) return 0;
  const period = 2 * (n - 1), j = ((i % period) + period) % period;
  return j < n ? j : period - j;
}

interface Geometry { planes: number; h: number; w: number; top: number; bottom: number; left: number; right: number; mode: PadMode }

/**
 * The padded planes and the gradient's way back: the constant mode copies each element's one
 * gradient (−0 stays −0), the others add them from +0 in float32, in the padded plane's row-major order.
 */
function reference(x: Float32Array, dout: Float32Array, g: Geometry): { out: Float32Array; dx: Float32Array } {
  const oh = g.top + g.h + g.bottom, ow = g.left + g.w + g.right, value = 0.25;
  const out = new Float32Array(g.planes * oh * ow), dx = new Float32Array(g.planes * g.h * g.w);
  for (let p = 0; p < g.planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const sy = source(oy, g.top, g.h, g.mode), sx = source(ox, g.left, g.w, g.mode);
        const o = (p * oh + oy) * ow + ox;
        if (sy < 0 || sx < 0) { out[o] = value; continue; }
        const at = (p * g.h + sy) * g.w + sx;
        out[o] = x[at];
        dx[at] = g.mode === 'constant' ? dout[o] : Math.fround(dx[at] + dout[o]);
      }
    }
  }
  return { out, dx };
}

const bits = (t: Tensor | Float32Array) => Array.from(new Uint32Array((t instanceof Float32Array ? t : t.toArray()).buffer));

for (const config of CONFIGS) {
  describe(`padding on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('padPlanes and padPlanesBackward give the reference bits for every mode, one-element planes and no padding included', () => {
      const k = requireBackend();
      const g = fc.record({
        planes: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 11 }),
        mode: fc.constantFrom<PadMode>('constant', 'reflect', 'replicate', 'circular'),
        pads: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 4, maxLength: 4 }), seed: fc.nat(),
      }).map(({ pads, ...rest }) => {
        // As far as the mode allows along each axis.
        const fit = (p: number, n: number) => (rest.mode === 'reflect' ? Math.min(p, n - 1) : rest.mode === 'circular' ? Math.min(p, n) : p);
        return { ...rest, top: fit(pads[0], rest.h), bottom: fit(pads[1], rest.h), left: fit(pads[2], rest.w), right: fit(pads[3], rest.w) };
      });
      fc.assert(fc.property(g, (geometry) => {
        const { planes, h, w, top, bottom, left, right, mode, seed } = geometry;
        const oh = top + h + bottom, ow = left + w + right;
        // −0 among the gradients: a copied element keeps its sign, a sum starts from +0.
        const xs = randomFloats(planes * h * w, seed + 1), douts = randomFloats(planes * oh * ow, seed + 2).map((v, i) => (i % 7 === 3 ? -0 : v));
        const x = tensor(xs, [planes * h * w]), dout = tensor(douts, [planes * oh * ow]);
        const out = tensor(randomFloats(planes * oh * ow, seed + 3), [planes * oh * ow]), dx = tensor(randomFloats(planes * h * w, seed + 4), [planes * h * w]);
        try {
          k.padPlanes(x.offset, planes, h, w, top, bottom, left, right, PAD_CODES[mode], 0.25, out.offset, h * w, oh * ow);
          k.padPlanesBackward(dout.offset, planes, h, w, top, bottom, left, right, PAD_CODES[mode], dx.offset, h * w, oh * ow);
          const want = reference(xs, douts, geometry);
          expect(bits(out)).toEqual(bits(want.out));
          expect(bits(dx)).toEqual(bits(want.dx));
        } finally {
          [x, dout, out, dx].forEach((t) => t.dispose());
        }
      }), { numRuns: 150 });
    });

    for (const c of cases) {
      it(`${c.name}: output and gradients match torch`, () => {
        const x = fromGolden(c.input).requiresGrad_();
        const conv = c.op === 'Conv2d' ? convFrom(c) : null;
        try {
          const y = conv ? conv.forward(x) : pad(x, c.padding!, c.options);
          expect([...y.shape]).toEqual(c.expected.output.shape);
          expectAllClose(y.toArray(), c.expected.output.data, ATOL, RTOL, `${c.name} output`);
          y.backward(fromGolden(c.gradOutput));
          expectAllClose(x.grad!.toArray(), c.expected.gradInput.data, ATOL, RTOL, `${c.name} gradInput`);
          for (const [name, p] of conv?.namedParameters() ?? []) {
            expectAllClose(p.grad.toArray(), c.expected.gradParams![name].data, ATOL, RTOL, `${c.name} grad of ${name}`);
          }
          if (!conv) y.dispose();
        } finally {
          x.dispose();
          conv?.dispose();
        }
      });
    }

    it("Conv2d's paddingMode 'zeros' is the default, and a mode shows in describe() but not in the state dict", () => {
      const a = new Conv2d(2, 3, 3, { padding: 1 }), b = new Conv2d(2, 3, 3, { padding: 1, paddingMode: 'zeros' });
      const r = new Conv2d(2, 3, 3, { padding: 1, paddingMode: 'reflect' });
      try {
        expect(a.paddingMode).toBe('zeros');
        expect(a.describe()).toBe(b.describe());
        expect(r.describe()).toContain("paddingMode 'reflect'");
        expect(Object.keys(r.stateDict())).toEqual(['weight', 'bias']);
        // No padding: the mode has nothing to fill, and the layer reads its input as it is.
        const plain = new Conv2d(2, 3, 3, { paddingMode: 'circular' });
        const x = tensor(randomFloats(2 * 2 * 3 * 3, 5), [2, 2, 3, 3]);
        expect(plain.forward(x).shape).toEqual([2, 3, 1, 1]);
        plain.dispose();
        x.dispose();
      } finally {
        [a, b, r].forEach((m) => m.dispose());
      }
    });

    it('a CNN whose convolutions pad by each mode trains with a flat heap (the padded input is a layer buffer)', () => {
      const model = new Sequential([
        new Conv2d(1, 4, 3, { padding: 1, paddingMode: 'reflect' }), new ReLU(), new Conv2d(4, 4, 3, { padding: 'same', paddingMode: 'circular' }),
        new Tanh(), new Conv2d(4, 2, 3, { padding: 2, paddingMode: 'replicate', stride: 2 }), new Flatten(), new Linear(2 * 5 * 6, 3),
      ], { seed: 5 });
      const x = tensor(randomFloats(6 * 7 * 9, 11), [6, 1, 7, 9]), target = tensor([0, 1, 2, 0, 1, 2]);
      const loss = new CrossEntropyLoss(), optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      const step = () => { optimizer.zeroGrad(); const l = loss.forward(model.forward(x), target); l.backward(); optimizer.step(); return l.item(); };
      const first = step();
      step();
      const after2 = memory().bytesInUse;
      let last = first;
      for (let i = 0; i < 20; i++) last = step();
      expect(memory().bytesInUse).toBe(after2);
      expect(last).toBeLessThan(first);
      [model, x, target, loss].forEach((t) => t.dispose());
    });

    it('constant padding of an empty dimension is all border; reflect of an empty batch is empty', () => {
      const x = tensor(new Float32Array(0), [2, 0, 3]);
      const y = pad(x, [1, 0, 1, 1], { value: 2 });
      expect(y.shape).toEqual([2, 2, 4]);
      expect(Array.from(y.toArray())).toEqual(new Array(16).fill(2));
      const none = tensor(new Float32Array(0), [0, 2]);
      const z = pad(none, [1, 1], { mode: 'reflect' });
      expect(z.shape).toEqual([0, 4]);
      [x, y, none, z].forEach((t) => t.dispose());
    });

    it('bad padding is a typed error naming the function, the argument and what fits', () => {
      const x = tensor(randomFloats(2 * 3 * 4, 9), [2, 3, 4]), vector = tensor([1, 2, 3]), small = tensor(randomFloats(18, 3), [1, 3, 2, 3]);
      try {
        expectRejected(() => pad(x, [4, 0], { mode: 'reflect' }), ShapeError, /pad: mode 'reflect' needs each padding of the last dimension below its size 4, got padding 4 and 0/);
        expectRejected(() => pad(x, [0, 0, 0, 4], { mode: 'circular' }), ShapeError, /pad: mode 'circular' needs each padding of the height at most its size 3/);
        expectRejected(() => pad(x, [1, 1, 1]), OptionError, /pad: padding must have 2 entries .* or 4 .*, got 3/);
        expectRejected(() => pad(x, [1, -1]), OptionError, /pad: padding\[1\] must be an integer in \[0, ∞\), got -1/);
        expectRejected(() => pad(x, [1, 1], 'reflect' as never), OptionError, /pad: the mode goes in the options, as pad\(x, padding, \{ mode: 'reflect' \}\)/);
        expectRejected(() => pad(x, [1, 1], { mode: 'reflect', value: 2 }), OptionError, /pad: value 2 fills the constant mode's border only; mode 'reflect' takes no value/);
        expectRejected(() => pad(x, [1, 1], { mode: 'edge' as PadMode }), OptionError, /pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got "edge"/);
        expectRejected(() => pad(vector, [1, 1, 1, 1]), ShapeError, /pad: padding of 4 entries pads the last 2 dimensions, but x has shape \[3\]/);
        expectRejected(() => new Conv2d(1, 1, 3, { paddingMode: 'edge' as never }), OptionError, /Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got "edge"/);
        const conv = new Conv2d(3, 2, 3, { padding: 2, paddingMode: 'reflect' });
        expectRejected(() => conv.forward(small), ShapeError, /Conv2d\(3→2, 3, padding 2, paddingMode 'reflect'\): mode 'reflect' needs each padding of the height below its size 2, got padding 2 and 2/);
        conv.dispose();
      } finally {
        x.dispose();
        vector.dispose();
        small.dispose();
      }
    });
  });
}

function convFrom(c: PadCase): Conv2d {
  const { inChannels, outChannels, kernelSize, ...rest } = c.options;
  const conv = new Conv2d(inChannels as number, outChannels as number, kernelSize as number, rest);
  conv.loadStateDict(Object.fromEntries(Object.entries(c.params!).map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }])));
  return conv;
}
