import { describe, it, expect, beforeAll } from 'vitest';
import {
  init, manualSeed, tensor, Sequential, Linear, ReLU, Dropout, CrossEntropyLoss, Adam, StepLR,
  serialize, deserialize, restore, type Callback, type TrainingContext, type EpochLogs,
} from '../src/index.js';

// Resuming from a checkpoint must give the weights of a run that never stopped, bit for bit:
// the model, the optimizer's moments, the scheduler, the global RNG (dropout) and the loader's
// shuffling generator all travel in the checkpoint.

function data(n: number) {
  const xs = new Float32Array(n * 6), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    ys[i] = i % 3;
    for (let j = 0; j < 6; j++) xs[i * 6 + j] = Math.sin(i * 1.7 + j * 0.3) + (j % 3 === i % 3 ? 1 : 0);
  }
  return { x: tensor(xs, [n, 6]), y: tensor(ys) };
}

function setup(seed: number) {
  manualSeed(seed);
  const model = new Sequential([new Linear(6, 12), new ReLU(), new Dropout({ p: 0.2 }), new Linear(12, 3)]);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  return { model, optimizer, scheduler };
}

describe('resume from a checkpoint', () => {
  beforeAll(() => init());

  it('gives weights bit-identical to an uninterrupted run (Adam, StepLR, dropout, shuffling)', async () => {
    const { x, y } = data(50);
    const options = { loss: new CrossEntropyLoss(), epochs: 4, batchSize: 8, seed: 11 };

    const straight = setup(1);
    await straight.model.fit(x, y, { ...options, optimizer: straight.optimizer, scheduler: straight.scheduler });
    const expected = straight.model.parameterBlock.toArray();

    // The same run, checkpointed in memory after epoch 2 and abandoned there.
    let bytes: Uint8Array | null = null;
    const snapshot: Callback = {
      onEpochEnd(logs: EpochLogs, ctx: TrainingContext) {
        if (logs.epoch === 1) {
          bytes = serialize({ model: ctx.model, optimizer: first.optimizer, scheduler: first.scheduler, epoch: 2, extra: { loader: ctx.loader!.getState() } });
          ctx.stopTraining = true;
        }
      },
    };
    const first = setup(1);
    await first.model.fit(x, y, { ...options, optimizer: first.optimizer, scheduler: first.scheduler, callbacks: [snapshot] });

    // A fresh process: different initial weights and RNG state, then the checkpoint.
    const resumed = setup(99);
    const content = deserialize(bytes!);
    restore(content, resumed);
    await resumed.model.fit(x, y, {
      ...options, optimizer: resumed.optimizer, scheduler: resumed.scheduler,
      initialEpoch: content.epoch!, loaderState: content.extra.loader as number[],
    });
    expect(Array.from(resumed.model.parameterBlock.toArray())).toEqual(Array.from(expected));
    expect(resumed.optimizer.paramGroups[0].lr).toBe(straight.optimizer.paramGroups[0].lr);
    for (const m of [straight.model, first.model, resumed.model]) m.dispose();
    x.dispose(); y.dispose();
  });
});
