import { describe, it, beforeAll } from 'vitest';
import { Sequential, Linear, ReLU, Tanh, CrossEntropyLoss, tensor, type Module } from '../src/index.js';
import { CONFIGS, use } from './helpers.js';
import { trainingCases, expectAllClose } from './golden.js';

// The MLP of ../shared/golden/training.json: the first step's loss and gradients (before any
// update) must match torch. The later steps need the optimizers (issue #5) and are checked there.
const ATOL = 1e-5, RTOL = 1e-4;

export function buildGoldenModel(c: (typeof trainingCases)[number]): Sequential {
  const layers: Module[] = c.model.layers.map((l) => {
    if (l.type === 'Linear') {
      const lin = l as { inFeatures: number; outFeatures: number };
      return new Linear(lin.inFeatures, lin.outFeatures);
    }
    if (l.type === 'ReLU') return new ReLU();
    if (l.type === 'Tanh') return new Tanh();
    throw new Error(`unknown layer ${l.type}`);
  });
  const model = new Sequential(layers);
  model.loadStateDict(Object.fromEntries(
    c.initialParams.map((t) => [t.name, { shape: t.shape, data: Float32Array.from(t.data) }]),
  ));
  // The gradients and parameters of the golden file are listed in initialParams' order.
  if (model.namedParameters().some(([name], i) => name !== c.initialParams[i].name)) {
    throw new Error('parameter order differs from the golden file');
  }
  return model;
}

for (const config of CONFIGS) {
  describe(`golden MLP training, first step, on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const c of trainingCases) {
      it(`${c.name}: step 0 loss and gradients match torch`, () => {
        const model = buildGoldenModel(c);
        const lossFn = new CrossEntropyLoss();
        const [, features] = c.data.x.shape;
        const x = tensor(Float32Array.from(c.data.x.data.slice(0, c.batchSize * features)), [c.batchSize, features]);
        const y = tensor(c.data.y.data.slice(0, c.batchSize));
        model.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        expectAllClose([loss.item()], [c.expected.losses[0]], ATOL, RTOL, `${c.name} loss[0]`);
        loss.backward();
        model.parameters().forEach((p, i) =>
          expectAllClose(p.grad.toArray(), c.expected.grads[0][i], ATOL, RTOL, `${c.name} grad[0] of ${model.namedParameters()[i][0]}`));
        model.dispose(); lossFn.dispose(); x.dispose(); y.dispose();
      });
    }
  });
}
