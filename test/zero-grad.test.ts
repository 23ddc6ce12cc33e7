import { describe, it, expect, beforeAll } from 'vitest';
import {
  Sequential, Linear, ReLU, Conv2d, MaxPool2d, Flatten, CrossEntropyLoss, Parameter, tensor, reshape, matmul, mul, sum,
  manualSeed, type Module, type Tensor,
} from '../src/index.js';
import { Adam, SGD } from '../src/optim/index.js';
import { requireBackend } from '../src/core/runtime.js';
import { CONFIGS, use, randomFloats } from './helpers.js';

// zeroGrad writes no zeros (Tensor.zeroLazily): a gradient reads as zeros by every path from then
// on, and backward's first contribution overwrites it instead of adding to zeros. These tests hold
// that to what zeroGrad meant before — every gradient filled with zeros at once — bit for bit.

const bits = (t: Tensor): number[] => Array.from(new Uint32Array(t.toArray().buffer));

/** Writes zeroGrad's zeros at once, as zeroGrad did before it became lazy: the reference. */
function materialise(params: Tensor[]): void {
  for (const p of params) void p.grad!.toArray();
}

function mlp(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential([new Linear(6, 5), new ReLU(), new Linear(5, 3)]);
}

function cnn(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential([new Conv2d(1, 3, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3 * 3 * 3, 4)]);
}

/** Inputs with many exact zeros (as MNIST's background), where products of ±0 meet the gradient. */
function sparseInput(count: number, seed: number, shape: number[]): Tensor {
  return tensor(randomFloats(count, seed).map((v, i) => (i % 3 === 0 ? 0 : v)), shape);
}

for (const config of CONFIGS) {
  describe(`zeroGrad's lazy zeros on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('a gradient reads as zeros after zeroGrad by every path: itself, a view of it, its model\'s block, a kernel', () => {
      const model = mlp(1);
      const loose = new Parameter(randomFloats(4, 2), [4]);
      const optimizer = new SGD([...model.parameters(), loose], { lr: 0.1 });
      const params = [...model.parameters(), loose];
      // Views made before zeroGrad, read after it.
      const gradViews = params.map((p) => reshape(p.grad, [-1]));
      const blockView = reshape(model.gradientBlock, [-1]);
      const reads: [string, () => number[]][] = [
        ['each gradient', () => params.flatMap((p) => Array.from(p.grad.toArray()))],
        ['a reshaped view of each', () => gradViews.flatMap((v) => Array.from(v.toArray()))],
        ["the model's gradient block, then the loose one", () => [...Array.from(model.gradientBlock.toArray()), ...Array.from(loose.grad.toArray())]],
        ['a view of the block', () => Array.from(blockView.toArray())],
        ['a kernel on the block', () => [requireBackend().sum(model.gradientBlock.offset, model.gradientBlock.size)]],
      ];
      for (const [path, read] of reads) {
        for (const p of params) p.grad.data.fill(7); // stale values a backward would have left
        optimizer.zeroGrad();
        expect(read().every((v) => v === 0), path).toBe(true);
        model.zeroGrad();
        expect(read().every((v) => v === 0), `${path}, Module.zeroGrad`).toBe(true);
      }
      [...gradViews, blockView].forEach((v) => v.dispose());
      model.dispose();
      loose.dispose();
    });

    for (const [name, build, shape] of [['an MLP', mlp, [7, 6]], ['a CNN', cnn, [5, 1, 6, 6]]] as const) {
      it(`training ${name} gives the bits of zeros written at once: gradients and weights, with accumulation`, () => {
        const lazy = build(3), eager = build(3);
        const lossFn = new CrossEntropyLoss();
        const target = tensor([0, 2, 1, 3, 0, 1, 2].slice(0, shape[0]).map((c) => c % (name === 'a CNN' ? 4 : 3)));
        const optimizers = [lazy, eager].map((m) => new Adam(m.parameters(), { lr: 0.05 }));
        const count = (shape as readonly number[]).reduce((a, b) => a * b, 1);
        for (let step = 0; step < 4; step++) {
          const inputs = [sparseInput(count, 10 + step, [...shape]), sparseInput(count, 20 + step, [...shape])];
          [lazy, eager].forEach((model, m) => {
            optimizers[m].zeroGrad();
            if (m === 1) materialise(model.parameters());
            // Two backward passes before the step (gradient accumulation): the second adds.
            for (const x of step % 2 === 0 ? inputs : inputs.slice(0, 1)) lossFn.forward(model.forward(x), target).backward();
          });
          lazy.parameters().forEach((p, i) => expect(bits(p.grad), `step ${step}, gradient ${i}`).toEqual(bits(eager.parameters()[i].grad)));
          optimizers.forEach((o) => o.step());
          inputs.forEach((x) => x.dispose());
        }
        lazy.parameters().forEach((p, i) => expect(bits(p), `weight ${i}`).toEqual(bits(eager.parameters()[i])));
        [lazy, eager].forEach((m) => m.dispose());
        target.dispose();
      });
    }

    it('a leaf used twice gets the sum of both contributions; one backward does not reach is stepped as zeros', () => {
      const run = (eager: boolean) => {
        const w = new Parameter(randomFloats(6, 5), [3, 2]);
        const unused = new Parameter(randomFloats(4, 6), [4]);
        const start = bits(unused);
        const optimizer = new SGD([w, unused], { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
        const x = tensor(randomFloats(6, 7), [2, 3]);
        for (let step = 0; step < 3; step++) {
          for (const p of [w, unused]) p.grad.data.fill(-5);
          optimizer.zeroGrad();
          if (eager) materialise([w, unused]);
          const h = matmul(x, w);
          const loss = sum(mul(matmul(mul(h, h), reshape(w, [2, 3])), 0.5)); // w reaches the loss twice
          loss.backward();
          optimizer.step();
          [h, loss].forEach((t) => t.dispose());
        }
        const out = [bits(w), bits(w.grad), bits(unused), bits(unused.grad), start];
        [w, unused, x].forEach((t) => t.dispose());
        return out;
      };
      const [lazy, eager] = [run(false), run(true)];
      expect(lazy).toEqual(eager);
      expect(lazy[3].every((b) => b === 0)).toBe(true); // the unused gradient reads as zeros
      expect(lazy[2]).not.toEqual(lazy[4]); // weight decay moved it
    });

    it('disposing a model whose zeros are pending writes nothing and throws nothing', () => {
      const models: Module[] = [mlp(4), cnn(4)];
      for (const model of models) {
        model.zeroGrad();
        expect(() => model.dispose()).not.toThrow();
      }
    });
  });
}
