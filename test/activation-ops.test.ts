import { describe, it, expect, beforeAll } from 'vitest';
import {
  GELU, LeakyReLU, LogSoftmax, OptionError, ReLU, ShapeError, Sigmoid, Softmax, Tanh, gelu, leakyRelu, logSoftmax, relu, sigmoid,
  softmax, tanh, tensor, type Tensor, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6, silu, mish, elu, selu, hardswish, hardsigmoid,
  relu6, Linear, Sequential, Conv2d, PReLU, type Activation,
} from '../src/index.js';
import { CONFIGS, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// The activations as ops (torch.relu, F.leaky_relu, F.gelu, F.softmax, F.log_softmax): values
// against float64 written here, the same bits as the layers (the same kernels), the methods, and
// the errors. Their gradients are in the finite-difference check (gradcheck.test.ts).

const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 is too coarse for 1e-6; a series / continued fraction in float64 is not needed:
  // integrate e^(−t²) by Simpson's rule on 2000 panels (error ~1e-12 here).
  const n = 2000, h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
};
const REFERENCES: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
  ['relu', relu, (v) => Math.max(v, 0)],
  ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v))],
  ['tanh', tanh, Math.tanh],
  ['leakyRelu (0.01)', (x) => leakyRelu(x), (v) => (v >= 0 ? v : 0.01 * v)],
  ['leakyRelu (0.2)', (x) => leakyRelu(x, 0.2), (v) => (v >= 0 ? v : 0.2 * v)],
  ['gelu', (x) => gelu(x), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
  ['gelu tanh', (x) => gelu(x, { approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
];
const bitsOf = (t: Tensor) => Array.from(new Uint32Array(t.toArray().buffer));

for (const config of CONFIGS) {
  describe(`activation ops on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const [name, op, f] of REFERENCES) {
      it(`${name}: float64's values within float32 rounding, any shape`, () => {
        for (const shape of [[1], [7], [3, 5], [2, 3, 4]]) {
          const size = shape.reduce((a, b) => a * b, 1);
          const v = Float32Array.from(randomFloats(size, size), (u) => 4 * u);
          const x = tensor(v, shape);
          const y = op(x);
          expect([...y.shape]).toEqual(shape);
          y.toArray().forEach((got, i) => expect(Math.abs(got - f(v[i]))).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(f(v[i])))));
          [x, y].forEach((t) => t.dispose());
        }
      });
    }

    it('softmax and logSoftmax over the last dimension: float64 values, rows summing to 1', () => {
      const v = Float32Array.from(randomFloats(24, 3), (u) => 6 * u);
      const x = tensor(v, [2, 3, 4]);
      const [p, lp] = [softmax(x, -1), logSoftmax(x, 2)];
      for (let r = 0; r < 6; r++) {
        const row = Array.from(v.slice(4 * r, 4 * r + 4)), max = Math.max(...row);
        const z = row.reduce((a, u) => a + Math.exp(u - max), 0);
        row.forEach((u, j) => {
          expect(Math.abs(p.toArray()[4 * r + j] - Math.exp(u - max) / z)).toBeLessThan(2e-7);
          expect(Math.abs(lp.toArray()[4 * r + j] - (u - max - Math.log(z)))).toBeLessThan(1e-6);
        });
      }
      [x, p, lp].forEach((t) => t.dispose());
    });

    it('the same bits as the layers, and as the Tensor methods', () => {
      const x = tensor(Float32Array.from(randomFloats(30, 9), (u) => 4 * u), [5, 6]);
      const pairs: [Tensor, Tensor][] = [
        [relu(x), new ReLU().forward(x)], [sigmoid(x), new Sigmoid().forward(x)], [tanh(x), new Tanh().forward(x)],
        [leakyRelu(x, 0.1), new LeakyReLU(0.1).forward(x)], [gelu(x, { approximate: 'tanh' }), new GELU({ approximate: 'tanh' }).forward(x)],
        [softmax(x), new Softmax().forward(x)], [logSoftmax(x, 1), new LogSoftmax(1).forward(x)],
        [x.relu(), relu(x)], [x.sigmoid(), sigmoid(x)], [x.tanh(), tanh(x)], [x.leakyRelu(0.1), leakyRelu(x, 0.1)], [x.gelu(), gelu(x)],
        [x.softmax(-1), softmax(x)], [x.logSoftmax(), logSoftmax(x)],
        [silu(x), new SiLU().forward(x)], [mish(x), new Mish().forward(x)], [elu(x, 0.7), new ELU(0.7).forward(x)], [elu(x), new ELU().forward(x)],
        [selu(x), new SELU().forward(x)], [hardswish(x), new Hardswish().forward(x)], [hardsigmoid(x), new Hardsigmoid().forward(x)],
        [relu6(x), new ReLU6().forward(x)], [x.silu(), silu(x)], [x.mish(), mish(x)], [x.elu(0.7), elu(x, 0.7)], [x.selu(), selu(x)],
        [x.hardswish(), hardswish(x)], [x.hardsigmoid(), hardsigmoid(x)], [x.relu6(), relu6(x)],
      ];
      for (const [a, b] of pairs) expect(bitsOf(a)).toEqual(bitsOf(b));
      x.dispose();
    });

    it('each activation fused into a Linear and a Conv2d (one layer in a Sequential) gives the unfused bits, forward and backward', () => {
      const makers: (() => Activation)[] = [
        () => new SiLU(), () => new Mish(), () => new ELU(0.6), () => new SELU(), () => new Hardswish(), () => new Hardsigmoid(), () => new ReLU6(),
      ];
      for (const make of makers) {
        for (const conv of [false, true]) {
          const grads: number[][] = [];
          const outputs: number[][] = [];
          for (const fused of [true, false]) {
            const layer = conv ? new Conv2d(2, 3, 3, { padding: 1 }) : new Linear(5, 4);
            layer.weight.data.set(Float32Array.from(randomFloats(layer.weight.size, 20), (u) => 2 * u));
            layer.bias!.data.set(randomFloats(layer.bias!.size, 23));
            const act = make();
            const model = new Sequential(fused ? [layer, act] : [layer, new Sequential([act])]);
            const x = (conv ? tensor(randomFloats(2 * 2 * 4 * 4, 21), [2, 2, 4, 4]) : tensor(Float32Array.from(randomFloats(15, 21), (u) => 4 * u), [3, 5])).requiresGrad_();
            const y = model.forward(x);
            y.backward(tensor(randomFloats(y.size, 22), [...y.shape]));
            outputs.push(bitsOf(y));
            grads.push(bitsOf(x.grad!), bitsOf(layer.weight.grad!), bitsOf(layer.bias!.grad!));
            x.dispose();
            model.dispose();
          }
          expect(outputs[1], `${make().describe()} after ${conv ? 'Conv2d' : 'Linear'}`).toEqual(outputs[0]);
          expect(grads.slice(3), `${make().describe()} after ${conv ? 'Conv2d' : 'Linear'}: gradients`).toEqual(grads.slice(0, 3));
        }
      }
    });

    it("PReLU: torch's positional numParameters and init, its weight per channel, its gradients against float64; typed errors", () => {
      const layer = new PReLU(3, { init: 0.1 });
      expect([layer.describe(), Object.keys(layer.stateDict()), Array.from(layer.weight.toArray(), (v) => Math.fround(v))]).toEqual(['PReLU(3)', ['weight'], [0.1, 0.1, 0.1].map(Math.fround)]);
      layer.weight.data.set([0.1, -0.5, 2]);
      const xs = Float32Array.from(randomFloats(2 * 3 * 4, 31), (u) => 3 * u), gs = randomFloats(2 * 3 * 4, 32);
      const x = tensor(xs, [2, 3, 4]).requiresGrad_();
      const y = layer.forward(x);
      y.backward(tensor(gs, [2, 3, 4]));
      const slopes = [0.1, -0.5, 2].map(Math.fround), dw = [0, 0, 0];
      xs.forEach((v, i) => {
        const ch = Math.floor(i / 4) % 3;
        expect(y.toArray()[i]).toBe(v > 0 ? v : Math.fround(slopes[ch] * v));
        expect(x.grad!.toArray()[i]).toBe(v > 0 ? gs[i] : Math.fround(slopes[ch] * gs[i]));
        if (!(v > 0)) dw[ch] += v * gs[i];
      });
      dw.forEach((v, ch) => expect(Math.abs(layer.weight.grad.toArray()[ch] - v)).toBeLessThan(1e-6 * (1 + Math.abs(v))));
      const wrong = tensor(new Float32Array(8), [2, 4]);
      expectRejected(() => layer.forward(wrong), ShapeError, /^PReLU\(3\): input must have 3 channels in dimension 1 \(one slope each\), got shape \[2, 4\]/);
      expect(() => new PReLU({ init: 0.1 }, { init: 0.2 } as never)).toThrow(/^PReLU: options as a second argument need numParameters as the first/);
      expect(() => new PReLU({ num_parameters: 3 } as never)).toThrow(/unknown option num_parameters .*did you mean numParameters\?/);
      [x, wrong].forEach((t) => t.dispose());
      layer.dispose();
    });

    it('a gradient through a chain of them: relu then logSoftmax (float64 reference)', () => {
      const v = Float32Array.from(randomFloats(8, 12), (u) => 3 * u);
      const x = tensor(v, [2, 4]).requiresGrad_();
      const y = logSoftmax(relu(x));
      const g = Float32Array.from(randomFloats(8, 13));
      y.backward(tensor(g, [2, 4]));
      for (let r = 0; r < 2; r++) {
        const a = Array.from(v.slice(4 * r, 4 * r + 4), (u) => Math.max(u, 0));
        const max = Math.max(...a), z = a.reduce((s, u) => s + Math.exp(u - max), 0);
        const gs = g.slice(4 * r, 4 * r + 4).reduce((s, u) => s + u, 0);
        a.forEach((u, j) => {
          const dz = g[4 * r + j] - (Math.exp(u - max) / z) * gs;
          expect(Math.abs(x.grad!.toArray()[4 * r + j] - (v[4 * r + j] > 0 ? dz : 0))).toBeLessThan(1e-6);
        });
      }
      x.dispose();
    });

    it('bad inputs: typed errors naming the op and the argument; the heap unchanged', () => {
      const x = tensor([1, 2, 3, 4], [2, 2]);
      expectRejected(() => relu([1, 2] as never), OptionError, /relu: x must be a Tensor/);
      expectRejected(() => leakyRelu(x, Number.NaN), OptionError, /leakyRelu: negativeSlope must be a finite number, got NaN/);
      expectRejected(() => gelu(x, { approximate: 'fast' } as never), OptionError, /gelu: approximate must be 'none' or 'tanh', got "fast"/);
      expectRejected(() => gelu(x, { approx: 'tanh' } as never), OptionError, /gelu: unknown option approx/);
      expectRejected(() => softmax(x, 0), ShapeError, /softmax: dim 0 of an input of shape \[2, 2\] is not supported; only the last dimension \(dim -1\) is/);
      expectRejected(() => logSoftmax(x, 1.5), OptionError, /logSoftmax: dim must be an integer/);
      x.dispose();
    });
  });
}
