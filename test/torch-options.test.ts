import { describe, it, expect, beforeAll } from 'vitest';
import {
  AdaptiveAvgPool2d, AvgPool2d, Embedding, InstanceNorm1d, InstanceNorm2d, LayerNorm, OptionError, SGD, ShapeError, globalRandom, manualSeed, tensor, type Tensor,
} from '../src/index.js';
import { CONFIGS, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// Options of torch's layers that a torch user writes: AvgPool2d's divisor_override (PyTorch 1.13's
// values: test/torch-layers.test.ts; its describe() here), LayerNorm's bias
// (torch 2.1's bias=False), AdaptiveAvgPool2d's None for a side that keeps the input's size, and
// Embedding.from_pretrained.

const bitsOf = (t: Tensor | Float32Array) => Array.from(new Uint32Array((t instanceof Float32Array ? t : t.toArray()).buffer));

for (const config of CONFIGS) {
  describe(`torch's further layer options on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('LayerNorm with bias false: a scale only, (x − μ)/√(σ² + eps)·γ against float64, the scale\'s gradient Σ g·x̂', () => {
      const rows = 5, d = 7, eps = 1e-3;
      const layer = new LayerNorm([d], { bias: false, eps });
      expect(layer.bias).toBeNull();
      expect(Object.keys(layer.stateDict())).toEqual(['weight']);
      expect(layer.describe()).toBe('LayerNorm([7], no bias)');
      const gamma = randomFloats(d, 3).map((v) => v + 1.5);
      layer.loadStateDict({ weight: { shape: [d], data: gamma } });
      const xs = randomFloats(rows * d, 4), gs = randomFloats(rows * d, 5);
      const x = tensor(xs, [rows, d]).requiresGrad_(), g = tensor(gs, [rows, d]);
      const y = layer.forward(x);
      y.backward(g);
      const want = new Float64Array(rows * d), dGamma = new Float64Array(d);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(xs.subarray(r * d, (r + 1) * d));
        const mean = row.reduce((a, b) => a + b, 0) / d;
        const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
        row.forEach((v, i) => {
          const xhat = (v - mean) / Math.sqrt(variance + eps);
          want[r * d + i] = xhat * gamma[i];
          dGamma[i] += gs[r * d + i] * xhat;
        });
      }
      const out = y.toArray(), grad = layer.weight!.grad.toArray();
      want.forEach((v, i) => expect(Math.abs(out[i] - v), `y[${i}]`).toBeLessThan(1e-5 + 1e-5 * Math.abs(v)));
      dGamma.forEach((v, i) => expect(Math.abs(grad[i] - v), `dγ[${i}]`).toBeLessThan(1e-5 + 1e-5 * Math.abs(v)));
      // The same bits as the affine layer with a zero shift, gradient of x included.
      const affine = new LayerNorm([d], { eps });
      affine.loadStateDict({ weight: { shape: [d], data: gamma }, bias: { shape: [d], data: new Float32Array(d) } });
      const x2 = tensor(xs, [rows, d]).requiresGrad_();
      const y2 = affine.forward(x2);
      y2.backward(g);
      expect(bitsOf(y)).toEqual(bitsOf(y2));
      expect(bitsOf(x.grad!)).toEqual(bitsOf(x2.grad!));
      [layer, affine, x, x2, g].forEach((t) => t.dispose());
    });

    it('AdaptiveAvgPool2d with a null side keeps the input size there: the bits of the pool to that size', () => {
      const x = tensor(randomFloats(2 * 3 * 5 * 7, 6), [2, 3, 5, 7]).requiresGrad_();
      const g = tensor(randomFloats(2 * 3 * 5 * 3, 7), [2, 3, 5, 3]);
      const bits: number[][] = [];
      for (const pool of [new AdaptiveAvgPool2d([null, 3]), new AdaptiveAvgPool2d([5, 3])]) {
        const y = pool.forward(x);
        expect(y.shape).toEqual([2, 3, 5, 3]);
        y.backward(g);
        bits.push(bitsOf(y), bitsOf(x.grad!));
        x.grad = null;
        pool.dispose();
      }
      expect(bits[0]).toEqual(bits[2]);
      expect(bits[1]).toEqual(bits[3]);
      expect(new AdaptiveAvgPool2d([null, 3]).describe()).toBe('AdaptiveAvgPool2d([null, 3])');
      const both = new AdaptiveAvgPool2d([null, null]);
      expect(bitsOf(both.forward(x))).toEqual(bitsOf(x));
      [x, g, both].forEach((t) => t.dispose());
    });

    it('Embedding.fromPretrained copies the table, draws nothing, and is frozen unless freeze is false', () => {
      const table = tensor(randomFloats(6 * 3, 8), [6, 3]);
      manualSeed(11);
      const frozen = Embedding.fromPretrained(table, { paddingIdx: -1 });
      const next = globalRandom.uniform();
      manualSeed(11);
      expect(globalRandom.uniform(), 'the global generator did not move').toBe(next);
      expect(bitsOf(frozen.weight)).toEqual(bitsOf(table));
      expect(frozen.paddingIdx).toBe(5);
      expect(frozen.weight.requiresGrad).toBe(false);
      const trainable = Embedding.fromPretrained(table, { freeze: false });
      expect(trainable.weight.requiresGrad).toBe(true);
      const indices = tensor([0, 2, 2, 5]);
      // A frozen table's output takes no gradient (backward on it is refused, as torch's); rows 0,
      // 2 (twice) and 5 of the trainable one move by −0.5 per use.
      expect(frozen.forward(indices).requiresGrad).toBe(false);
      const optimizer = new SGD(trainable.parameters(), { lr: 0.5 });
      trainable.forward(indices).sum().backward();
      optimizer.step();
      expect(bitsOf(frozen.weight)).toEqual(bitsOf(table));
      const t = table.toArray(), moved = trainable.weight.toArray();
      for (let r = 0; r < 6; r++) {
        const uses = [0, 2, 2, 5].filter((i) => i === r).length;
        for (let c = 0; c < 3; c++) expect(moved[r * 3 + c]).toBe(Math.fround(t[r * 3 + c] - Math.fround(0.5 * uses)));
      }
      [table, frozen, trainable, indices].forEach((m) => m.dispose());
    });

    it('bad options are typed errors naming the argument', () => {
      const table = tensor(randomFloats(4, 9), [4]);
      const square = tensor(randomFloats(4, 9), [2, 2]);
      expectRejected(() => Embedding.fromPretrained(table), ShapeError, /^Embedding\.fromPretrained: embeddings must be a 2-D Tensor, got a tensor of shape \[4\]/);
      expectRejected(() => Embedding.fromPretrained(square, { freeze: 'yes' as never }), OptionError, /^Embedding\.fromPretrained: freeze must be a boolean/);
      expectRejected(() => Embedding.fromPretrained(square, { paddingIdx: 2 }), OptionError, /^Embedding\.fromPretrained: paddingIdx must be an integer in \[-2, 1\], got 2/);
      expectRejected(() => new LayerNorm(4, { elementwiseAffine: false, bias: true }), OptionError, /^LayerNorm: bias true needs elementwiseAffine/);
      expectRejected(() => new AvgPool2d(2, { divisorOverride: 0 }), OptionError, /^AvgPool2d: divisorOverride must be an integer in \[1, ∞\), got 0/);
      expect(new AvgPool2d([2, 3], { stride: [2, 1], padding: 1, divisorOverride: 2 }).describe()).toBe('AvgPool2d([2, 3], stride [2, 1], padding 1, divisorOverride 2)');
      // InstanceNorm: torch's momentum accepted (unused without running statistics); running statistics refused, not ignored.
      expectRejected(() => new InstanceNorm2d(3, { trackRunningStats: true }), OptionError, /^InstanceNorm2d: trackRunningStats true is not supported/);
      expectRejected(() => new InstanceNorm1d(3, { track_running_stats: false } as never), OptionError, /^InstanceNorm1d: unknown option track_running_stats \(valid: eps, momentum, affine, trackRunningStats\); did you mean trackRunningStats\?/);
      const instance = new InstanceNorm1d(3, { momentum: 0.3, affine: true });
      expect([instance.describe(), instance.momentum, Object.keys(instance.stateDict())]).toEqual(['InstanceNorm1d(3, affine)', 0.3, ['weight', 'bias']]);
      const sample = tensor(randomFloats(6, 5), [3, 2]), wrong = tensor([1, 2, 3, 4], [2, 2]);
      expectRejected(() => instance.forward(wrong), ShapeError, /^InstanceNorm1d\(3, affine\): input must be \[N, C, L\] or \[C, L\] with C = 3, got shape \[2, 2\]/);
      expect([...instance.forward(sample).shape]).toEqual([3, 2]);
      [sample, wrong].forEach((t) => t.dispose());
      instance.dispose();
      expectRejected(() => new AdaptiveAvgPool2d([0, null] as never), OptionError, /^AdaptiveAvgPool2d: outputSize must be a positive integer or a pair \[h, w\] of them \(null: the input's size\)/);
      [table, square].forEach((t) => t.dispose());
    });
  });
}
