import { describe, it, expect, beforeAll } from 'vitest';
import {
  Adam, ConvTranspose2d, Conv2d, CrossEntropyLoss, Flatten, Linear, OptionError, ReLU, Sequential, ShapeError, tensor, type Tensor,
} from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// ConvTranspose2d against its definition as the adjoint of Conv2d, its init, training, bits and
// errors; its values against PyTorch 1.13 (every option): test/torch-layers.test.ts.

const bitsOf = (t: Tensor) => Array.from(new Uint32Array(t.toArray().buffer));

for (const config of CONFIGS) {
  describe(`ConvTranspose2d on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('is the adjoint of Conv2d with the same weight: <convT(x), z> = <x, conv(z)>, in float64', () => {
      const geometries = [
        { cin: 3, cout: 4, k: 3, options: { stride: 2, padding: 1, outputPadding: 1 }, h: 4, w: 3 },
        { cin: 4, cout: 6, k: [3, 2] as [number, number], options: { dilation: [2, 1] as [number, number], groups: 2 }, h: 3, w: 5 },
      ];
      for (const [i, { cin, cout, k, options, h, w }] of geometries.entries()) {
        const transposed = new ConvTranspose2d(cin, cout, k, { ...options, bias: false });
        const { outputPadding: _, ...convOptions } = options as Record<string, unknown>;
        const conv = new Conv2d(cout, cin, k, { ...convOptions, bias: false });
        conv.weight.data.set(transposed.weight.data);
        const x = tensor(randomFloats(2 * cin * h * w, 30 + i), [2, cin, h, w]);
        const y = transposed.forward(x);
        const z = tensor(randomFloats(y.size, 40 + i), [...y.shape]);
        const cz = conv.forward(z);
        expect([...cz.shape]).toEqual([...x.shape]);
        let left = 0, right = 0;
        const [ya, za, xa, cza] = [y.toArray(), z.toArray(), x.toArray(), cz.toArray()];
        for (let j = 0; j < ya.length; j++) left += ya[j] * za[j];
        for (let j = 0; j < xa.length; j++) right += xa[j] * cza[j];
        expect(Math.abs(left - right)).toBeLessThan(1e-4 * (Math.abs(left) + 1));
        [x, z].forEach((t) => t.dispose());
        transposed.dispose();
        conv.dispose();
      }
    });

    it("draws torch's initial bounds (fanIn = out/groups·kH·kW) and trains in a model, heap flat", () => {
      const layer = new ConvTranspose2d(6, 4, 3, { groups: 2 });
      const bound = 1 / Math.sqrt((4 / 2) * 9);
      expect(Math.max(...Array.from(layer.weight.toArray(), Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...Array.from(layer.bias!.toArray(), Math.abs))).toBeLessThanOrEqual(bound);
      layer.dispose();
      // An upsampling net: 4×4 codes to 8×8 maps, classified.
      const model = new Sequential([new ConvTranspose2d(2, 3, 4, { stride: 2, padding: 1 }), new ReLU(), new Flatten(), new Linear(3 * 8 * 8, 3)], { seed: 4 });
      const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      const lossFn = new CrossEntropyLoss();
      const x = tensor(randomFloats(6 * 2 * 4 * 4, 50), [6, 2, 4, 4]), target = tensor([0, 1, 2, 0, 1, 2]);
      expectLearnsWithFlatHeap(model, optimizer, lossFn, x, target, 30, 0.5);
      [x, target].forEach((t) => t.dispose());
      model.dispose();
    });

    it.skipIf(config.options.backend === 'js')('the same bits on every wasm build: one forward and backward hashed', () => {
      const layer = new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
      layer.weight.data.set(randomFloats(layer.weight.size, 60));
      layer.bias!.data.set(randomFloats(6, 61));
      const x = tensor(randomFloats(3 * 4 * 5 * 4, 62), [3, 4, 5, 4]).requiresGrad_();
      const y = layer.forward(x);
      y.backward(tensor(randomFloats(y.size, 63), [...y.shape]));
      const bits = [bitsOf(y), bitsOf(x.grad!), bitsOf(layer.weight.grad!), bitsOf(layer.bias!.grad!)];
      const hash = bits.flat().reduce((h, v) => (Math.imul(h, 31) + v) >>> 0, 7);
      // The wasm builds agree bit for bit (the js backend's gemm sums in float64: close, not equal).
      expect(hash).toBe(sameBitsHash ??= hash);
      x.dispose();
      layer.dispose();
    });

    it('bad options and inputs: typed errors naming the argument; the heap unchanged', () => {
      expect(() => new ConvTranspose2d(4, 6, 3, { groups: 4 })).toThrow(/ConvTranspose2d: groups 4 must divide inChannels 4 and outChannels 6/);
      expect(() => new ConvTranspose2d(4, 6, 3, { stride: 2, outputPadding: 2 })).toThrow(OptionError);
      expect(() => new ConvTranspose2d(4, 6, 3, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding 2 must be smaller than the stride 2 or the dilation 1 along h/);
      expect(() => new ConvTranspose2d(4, 6, 3, { output_padding: 1 } as never)).toThrow(/unknown option output_padding/);
      expect(() => new ConvTranspose2d(4, 6, 3, { padding: 'same' } as never)).toThrow(OptionError);
      expect(() => new ConvTranspose2d(0, 6, 3)).toThrow(/inChannels/);
      const layer = new ConvTranspose2d(4, 6, 3, { padding: 2 });
      const wrongChannels = tensor(new Float32Array(3 * 5 * 5), [1, 3, 5, 5]);
      const tooSmall = tensor(new Float32Array(4), [1, 4, 1, 1]);
      const flat = tensor(new Float32Array(8), [2, 4]);
      expectRejected(() => layer.forward(wrongChannels), ShapeError, /ConvTranspose2d\(4→6, 3, padding 2\): input of shape \[1, 3, 5, 5\] has 3 channels, expected 4/);
      expectRejected(() => layer.forward(tooSmall), ShapeError, /is too small for the window \(output would be -1×-1\)/);
      expectRejected(() => layer.forward(flat), ShapeError, /input must be \[N, C, H, W\] or \[C, H, W\]/);
      [wrongChannels, tooSmall, flat].forEach((t) => t.dispose());
      layer.dispose();
    });
  });
}

let sameBitsHash: number | undefined;
