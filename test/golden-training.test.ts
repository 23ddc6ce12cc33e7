import { describe, it, beforeAll, expect } from 'vitest';
import { Sequential, Linear, ReLU, Tanh, CrossEntropyLoss, tensor, type Module } from '../src/index.js';
import { Adam, SGD } from '../src/optim/index.js';
import { CONFIGS, use } from './helpers.js';
import { trainingCases, expectAllClose } from './golden.js';

// The MLP of ../shared/golden/training.json trained end to end as torch trained it: consecutive
// mini-batches in file order, zeroGrad / forward / loss / backward / step, and the scheduler
// stepped after each epoch. The loss, the gradients and the parameters must match at every step.
const ATOL = 1e-5, RTOL = 1e-4;
const OPTIMIZERS = { Adam, SGD } as Record<string, new (params: unknown, options: object) => Adam | SGD>;

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

/**
 * The learning rate StepLR gives after `epochs` epochs. The schedulers are not in this test's
 * scope: the lr is written to paramGroups by hand, as a scheduler would write it.
 */
function stepLr(lr0: number, scheduler: NonNullable<(typeof trainingCases)[number]['scheduler']>, epochs: number): number {
  if (scheduler.name !== 'StepLR') throw new Error(`unknown scheduler ${scheduler.name}`);
  const { stepSize, gamma } = scheduler.options as { stepSize: number; gamma: number };
  return lr0 * gamma ** Math.floor(epochs / stepSize);
}

for (const config of CONFIGS) {
  describe(`golden MLP training, every step, on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    for (const c of trainingCases) {
      it(`${c.name}: ${c.steps} steps of losses, gradients and parameters match torch`, () => {
        const model = buildGoldenModel(c);
        const names = model.namedParameters().map(([name]) => name);
        const lossFn = new CrossEntropyLoss();
        const optimizer = new OPTIMIZERS[c.optimizer.name](model.parameters(), c.optimizer.options);
        const lr0 = optimizer.paramGroups[0].lr;
        const [rows, features] = c.data.x.shape;
        expect(c.steps).toBe(c.epochs * c.stepsPerEpoch);
        for (let k = 0; k < c.steps; k++) {
          const start = ((k % c.stepsPerEpoch) * c.batchSize) % rows;
          const x = tensor(Float32Array.from(c.data.x.data.slice(start * features, (start + c.batchSize) * features)), [c.batchSize, features]);
          const y = tensor(c.data.y.data.slice(start, start + c.batchSize));
          expect(optimizer.paramGroups[0].lr, `lr of step ${k}`).toBeCloseTo(c.expected.lrs[k], 12);
          optimizer.zeroGrad();
          const loss = lossFn.forward(model.forward(x), y);
          expectAllClose([loss.item()], [c.expected.losses[k]], ATOL, RTOL, `${c.name} loss[${k}]`);
          loss.backward();
          model.parameters().forEach((p, i) =>
            expectAllClose(p.grad.toArray(), c.expected.grads[k][i], ATOL, RTOL, `${c.name} grad[${k}] of ${names[i]}`));
          optimizer.step();
          model.parameters().forEach((p, i) =>
            expectAllClose(p.toArray(), c.expected.params[k][i], ATOL, RTOL, `${c.name} params[${k}] of ${names[i]}`));
          if (c.scheduler && (k + 1) % c.stepsPerEpoch === 0) {
            optimizer.paramGroups[0].lr = stepLr(lr0, c.scheduler, (k + 1) / c.stepsPerEpoch);
          }
          x.dispose(); y.dispose();
        }
        optimizer.dispose(); model.dispose(); lossFn.dispose();
      });
    }
  });
}
