import { describe, it, expect, beforeAll } from 'vitest';
import { Dropout, Dropout2d, OptionError, ShapeError, globalRandom, manualSeed, memory, tensor } from '../src/index.js';
import { CONFIGS, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// Dropout2d (torch.nn.Dropout2d): whole planes kept (scaled by 1/(1−p)) or zeroed, in training
// only; its gradient is the same mask. Dropout's masks are unchanged by the shared code.

for (const config of CONFIGS) {
  describe(`Dropout2d on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('zeroes whole planes with probability p and scales the rest by 1/(1−p); the gradient is the mask', () => {
      manualSeed(5);
      const [n, c, h, w] = [16, 32, 3, 5], plane = h * w;
      const v = Float32Array.from(randomFloats(n * c * plane, 1), (u) => u + 2); // no zeros in the input
      const x = tensor(v, [n, c, h, w]).requiresGrad_();
      const layer = new Dropout2d(0.25);
      const y = layer.forward(x), out = y.toArray();
      let dropped = 0;
      for (let p = 0; p < n * c; p++) {
        const kept = out[p * plane] !== 0;
        if (!kept) dropped++;
        for (let i = 0; i < plane; i++) {
          expect(out[p * plane + i]).toBe(kept ? Math.fround(v[p * plane + i] * Math.fround(1 / 0.75)) : 0);
        }
      }
      // 512 planes at p = 0.25: 128 expected, sd 9.8; well within 5 sd.
      expect(Math.abs(dropped - 128)).toBeLessThan(49);
      const g = tensor(new Float32Array(out.length).fill(1), [n, c, h, w]);
      y.backward(g);
      x.grad!.toArray().forEach((d, i) => expect(d).toBe(out[i] === 0 ? 0 : Math.fround(1 / 0.75)));
      [x, g].forEach((t) => t.dispose());
      layer.dispose();
    });

    it('the identity in eval and for p = 0; [C, H, W] input; the same seed, the same mask', () => {
      const x = tensor(Float32Array.from(randomFloats(3 * 4 * 4, 2)), [3, 4, 4]);
      const layer = new Dropout2d();
      expect(layer.p).toBe(0.5);
      expect(layer.describe()).toBe('Dropout2d(0.5)');
      layer.eval();
      expect(layer.forward(x)).toBe(x);
      layer.train();
      manualSeed(9);
      const a = Array.from(layer.forward(x).toArray());
      manualSeed(9);
      expect(Array.from(layer.forward(x).toArray())).toEqual(a);
      expect(new Dropout2d(0).forward(x)).toBe(x);
      x.dispose();
      layer.dispose();
    });

    it('Dropout draws torch\'s mask (one 53-bit draw per element, in order, kept below 1 − p), heap flat over steps', () => {
      manualSeed(3);
      const x = tensor(new Float32Array(40).fill(1), [4, 10]);
      const layer = new Dropout(0.5);
      const out = Array.from(layer.forward(x).toArray());
      manualSeed(3);
      const want = Array.from({ length: 40 }, () => (globalRandom.nextDouble() < 0.5 ? 2 : 0));
      expect(out).toEqual(want);
      const before = memory().bytesInUse;
      for (let i = 0; i < 5; i++) layer.forward(x);
      expect(memory().bytesInUse).toBe(before);
      x.dispose();
      layer.dispose();
    });

    it('bad p or input: typed errors naming them', () => {
      expect(() => new Dropout2d(1.5)).toThrow(OptionError);
      expect(() => new Dropout2d({ p: -0.1 })).toThrow(/Dropout2d: p must be/);
      expect(() => new Dropout2d({ inplace: true } as never)).toThrow(/Dropout2d: unknown option inplace/);
      const layer = new Dropout2d(0.3);
      const flat = tensor([1, 2, 3, 4], [2, 2]);
      expectRejected(() => layer.forward(flat), ShapeError, /Dropout2d\(0.3\): input must be \[N, C, H, W\] or \[C, H, W\], got shape \[2, 2\]/);
      layer.eval();
      expectRejected(() => layer.forward(flat), ShapeError, /input must be \[N, C, H, W\]/);
      flat.dispose();
      layer.dispose();
    });
  });
}
