import { describe, it, expect, beforeAll } from 'vitest';
import {
  Adam, AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, Conv1d, Conv2d, CrossEntropyLoss, Embedding, Flatten, Linear, MaxPool1d, Module, OptionError, ReLU,
  Sequential, ShapeError, tensor, transpose, type Tensor,
} from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// The 1-D layers (Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d) against
// Conv2d on planes one row high (the kernels they share), torch's sizes and names, in a text CNN,
// and their errors; their values against PyTorch: test/torch-layers.test.ts.

const bitsOf = (t: Tensor) => Array.from(new Uint32Array(t.toArray().buffer));

for (const config of CONFIGS) {
  describe(`the 1-D layers on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it.skipIf(config.options.backend === 'js')('Conv1d is Conv2d on planes one row high: the same bits, forward and backward', () => {
      const geometries = [
        { cin: 4, cout: 6, k: 3, options: { padding: 1 } },
        { cin: 1, cout: 5, k: 5, options: { padding: 'same' as const } }, // the direct kernels
        { cin: 6, cout: 6, k: 3, options: { groups: 6, stride: 2 } }, // depthwise
        { cin: 4, cout: 4, k: 2, options: { dilation: 3, groups: 2, padding: 2, paddingMode: 'reflect' as const } },
      ];
      for (const [i, { cin, cout, k, options }] of geometries.entries()) {
        const oned = new Conv1d(cin, cout, k, options);
        const { padding, stride = 1, dilation = 1, ...rest } = options as Record<string, unknown> & { padding?: number | 'same'; stride?: number; dilation?: number };
        const twod = new Conv2d(cin, cout, [1, k], {
          ...rest, stride: [1, stride], dilation: [1, dilation], ...(padding === undefined ? {} : { padding: padding === 'same' ? 'same' : [0, padding] }),
        });
        twod.weight.data.set(oned.weight.data);
        twod.bias!.data.set(oned.bias!.data);
        const l = 37, values = randomFloats(3 * cin * l, 10 + i), grads: number[][] = [];
        const x1 = tensor(values, [3, cin, l]).requiresGrad_(), x2 = tensor(values, [3, cin, 1, l]).requiresGrad_();
        const y1 = oned.forward(x1), y2 = twod.forward(x2);
        expect([...y2.shape]).toEqual([y1.shape[0], y1.shape[1], 1, y1.shape[2]]);
        expect(bitsOf(y1)).toEqual(bitsOf(y2));
        const g = randomFloats(y1.size, 20 + i);
        y1.backward(tensor(g, [...y1.shape]));
        y2.backward(tensor(g, [...y2.shape]));
        for (const [a, b] of [[x1.grad!, x2.grad!], [oned.weight.grad!, twod.weight.grad!], [oned.bias!.grad!, twod.bias!.grad!]]) {
          grads.push(bitsOf(a), bitsOf(b));
        }
        for (let j = 0; j < grads.length; j += 2) expect(grads[j], `${oned.describe()} gradient ${j / 2}`).toEqual(grads[j + 1]);
        [x1, x2].forEach((t) => t.dispose());
        oned.dispose();
        twod.dispose();
      }
    });

    it("torch's sizes, names and initial bounds: weight [out, in/groups, k], kernelSize [k], state_dict weight and bias", () => {
      const conv = new Conv1d(6, 4, 5, { groups: 2, padding: 'same', dilation: 2 });
      expect([...conv.weight.shape]).toEqual([4, 3, 5]);
      expect([conv.kernelSize, conv.stride, conv.padding, conv.dilation, conv.paddingAfter()]).toEqual([[5], [1], [4], [2], [4]]);
      expect(conv.outputSize(9)).toBe(9);
      expect(Object.keys(conv.stateDict())).toEqual(['weight', 'bias']);
      const bound = 1 / Math.sqrt(3 * 5);
      expect(Math.max(...Array.from(conv.weight.toArray(), Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...Array.from(conv.weight.toArray(), Math.abs))).toBeGreaterThan(bound * 0.8);
      expect(conv.describe()).toBe("Conv1d(6→4, 5, padding 'same', dilation 2, groups 2)");
      expect(new Conv1d(2, 3, [4], { stride: [2], padding: [1], bias: false, paddingMode: 'circular' }).describe())
        .toBe("Conv1d(2→3, 4, stride 2, padding 1, no bias, paddingMode 'circular')");
      expect(new MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true }).describe()).toBe('MaxPool1d(3, stride 2, padding 1, ceilMode)');
      expect(new AvgPool1d([4], { countIncludePad: false }).describe()).toBe('AvgPool1d(4, countIncludePad false)');
      expect(new AdaptiveAvgPool1d([1]).describe()).toBe('AdaptiveAvgPool1d(1)');
      expect(new AdaptiveMaxPool1d(4).outputSize).toEqual([4]);
      expect(new Conv1d(2, 2, 3, { padding: 'same' }).paddingAfter()).toEqual([1]);
      expect(new Conv1d(2, 2, 4, { padding: 'same' }).paddingAfter()).toEqual([2]); // torch puts the odd one after
      conv.dispose();
    });

    it('a text CNN (Embedding → transpose → Conv1d → ReLU → MaxPool1d → Conv1d → max over time → Linear) learns, heap flat', () => {
      const model = new Sequential([
        new Embedding(20, 8), new TransposeToChannels(), new Conv1d(8, 12, 3, { padding: 1 }), new ReLU(), new MaxPool1d(2),
        new Conv1d(12, 12, 3, { padding: 'same', paddingMode: 'replicate' }), new ReLU(), new AdaptiveMaxPool1d(1), new Flatten(), new Linear(12, 2),
      ], { seed: 3 });
      const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
      const lossFn = new CrossEntropyLoss();
      // Sequences of 10 tokens; class 1 when token 7 occurs anywhere.
      const tokens = Array.from(randomFloats(16 * 10, 5), (u) => Math.abs(Math.floor(u * 1000)) % 20);
      const labels = Array.from({ length: 16 }, (_, i) => (tokens.slice(i * 10, i * 10 + 10).includes(7) ? 1 : 0));
      const x = tensor(tokens, [16, 10]), target = tensor(labels);
      expectLearnsWithFlatHeap(model, optimizer, lossFn, x, target, 40, 0.3);
      [x, target].forEach((t) => t.dispose());
      model.dispose();
    });

    it('bad options and inputs: typed errors naming the argument and what was expected; the heap unchanged', () => {
      expect(() => new Conv1d(4, 6, [3, 3] as never)).toThrow(/Conv1d: kernelSize must be a positive integer or \[l\], got \[3, 3\]/);
      expect(() => new Conv1d(4, 6, 3, { stride: 2, padding: 'same' })).toThrow(/Conv1d: padding 'same' needs stride 1, got stride 2/);
      expect(() => new Conv1d(4, 6, 3, { padding: -1 })).toThrow(OptionError);
      expect(() => new Conv1d(4, 6, 3, { padding_mode: 'reflect' } as never)).toThrow(/unknown option padding_mode/);
      expect(() => new Conv1d(4, 6, 3, { groups: 4 })).toThrow(/Conv1d: groups 4 must divide inChannels 4 and outChannels 6/);
      expect(() => new MaxPool1d(2, { padding: 2 })).toThrow(/MaxPool1d: padding 2 must be at most half the window 2 \(1\)/);
      expect(() => new MaxPool1d(2, { returnIndices: true } as never)).toThrow(/unknown option returnIndices/);
      expect(() => new AvgPool1d(2, { divisorOverride: 2 } as never)).toThrow(/AvgPool1d: unknown option divisorOverride/);
      expect(() => new AdaptiveAvgPool1d(0)).toThrow(/AdaptiveAvgPool1d: outputSize must be a positive integer or \[l\], got 0/);
      expect(() => new AdaptiveMaxPool1d([2, 2] as never)).toThrow(/AdaptiveMaxPool1d: outputSize must be a positive integer or \[l\], got \[2, 2\]/);
      const conv = new Conv1d(4, 6, 5, { padding: 1 }), pool = new MaxPool1d(3);
      const image = tensor(new Float32Array(2 * 4 * 3 * 3), [2, 4, 3, 3]);
      const wrongChannels = tensor(new Float32Array(2 * 3 * 8), [2, 3, 8]);
      const short = tensor(new Float32Array(2 * 4 * 2), [2, 4, 2]);
      const reflectTooShort = tensor(new Float32Array(4 * 2), [4, 2]);
      expectRejected(() => conv.forward(image), ShapeError, /Conv1d\(4→6, 5, padding 1\): input must be \[N, C, L\] or \[C, L\], got shape \[2, 4, 3, 3\]/);
      expectRejected(() => conv.forward(wrongChannels), ShapeError, /input of shape \[2, 3, 8\] has 3 channels, expected 4/);
      expectRejected(() => conv.forward(short), ShapeError, /is too small for the window \(output would be of length 0\)/);
      expectRejected(() => pool.forward(short), ShapeError, /MaxPool1d\(3\): input of shape \[2, 4, 2\] is too small for the window \(output would be of length 0\)/);
      const reflecting = new Conv1d(4, 4, 5, { padding: 2, paddingMode: 'reflect' });
      expectRejected(() => reflecting.forward(reflectTooShort), ShapeError, /mode 'reflect' needs each padding of the length below its size 2, got padding 2 and 2 on a length of 2/);
      [image, wrongChannels, short, reflectTooShort].forEach((t) => t.dispose());
      [conv, pool, reflecting].forEach((m) => m.dispose());
    });
  });
}

/** [N, L, D] token embeddings → [N, D, L] channels first, as a text CNN's `x.transpose(1, 2)`. */
class TransposeToChannels extends Module {
  forward(x: Tensor): Tensor {
    return transpose(x, 1, 2);
  }
}
