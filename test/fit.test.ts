import { describe, it, expect, beforeAll } from 'vitest';
import { init, Sequential, Linear, ReLU, CrossEntropyLoss, MSELoss, tensor, manualSeed, NonFiniteError, OptionError, type Module } from '../src/index.js';
import { EarlyStopping, type EpochLogs, type TrainingContext } from '../src/train/index.js';

/** Plain SGD over a Sequential's contiguous blocks — enough to drive fit() in these tests. */
function handSgd(model: Sequential, lr: number) {
  return {
    paramGroups: [{ lr }],
    zeroGrad: () => model.zeroGrad(),
    step() {
      const p = model.parameterBlock.data, g = model.gradientBlock.data;
      for (let i = 0; i < p.length; i++) p[i] -= this.paramGroups[0].lr * g[i];
    },
  };
}

/** Two Gaussian blobs per class in 4-D: learnable to ~100%. */
function blobs(n: number) {
  const xs = new Float32Array(n * 4), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    ys[i] = c;
    for (let j = 0; j < 4; j++) xs[i * 4 + j] = (j === c ? 2 : 0) + Math.sin(i * 12.9898 + j * 78.233) * 0.5;
  }
  return { x: tensor(xs, [n, 4]), y: tensor(ys) };
}

describe('fit()', () => {
  beforeAll(() => init());

  it('trains a classifier, logs loss/accuracy/lr per epoch, and validates on a held-out split', async () => {
    manualSeed(0);
    const model = new Sequential([new Linear(4, 8), new ReLU(), new Linear(8, 3)]);
    const { x, y } = blobs(120);
    const history = await model.fit(x, y, {
      loss: new CrossEntropyLoss(), optimizer: handSgd(model, 0.1), epochs: 15, batchSize: 8,
      validationSplit: 0.25, metrics: ['accuracy'], seed: 1,
    });
    expect(history.epochs).toHaveLength(15);
    expect(history.history.loss[14]).toBeLessThan(history.history.loss[0]);
    expect(history.history.valAccuracy[14]).toBeGreaterThan(0.9);
    expect(history.history.lr.every((v) => v === 0.1)).toBe(true);
    const { accuracy } = model.evaluate(x, y);
    expect(accuracy).toBeGreaterThan(0.9);
    const out = model.predict(x, { batchSize: 7 });
    expect(out.shape).toEqual([120, 3]);
    out.dispose(); x.dispose(); y.dispose(); model.dispose();
  });

  it('stops with a typed error on a NaN loss and keeps the last good weights', async () => {
    manualSeed(0);
    const model = new Sequential([new Linear(2, 1)]);
    const x = tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const y = tensor([[1], [2], [3], [4]]);
    const opt = handSgd(model, 0.01);
    let steps = 0;
    const snapshots: Float32Array[] = [];
    const poisoning = {
      ...opt,
      step() {
        opt.step.call(this);
        steps++;
        snapshots.push(model.parameterBlock.toArray());
        if (steps === 3) model.parameters()[0].data[0] = Infinity; // the next forward gives a NaN/Inf loss
      },
    };
    const before = () => model.parameterBlock.toArray();
    await expect(model.fit(x, y, { loss: new MSELoss(), optimizer: poisoning, epochs: 5, batchSize: 1, shuffle: false }))
      .rejects.toThrow(NonFiniteError);
    await expect(model.fit(x, y, { loss: new MSELoss(), optimizer: handSgd(model, 0.01), epochs: 1, batchSize: 1 }))
      .rejects.toThrow(/loss became (NaN|Infinity) at epoch 1, batch 1 of 4 \(step 1\); training stopped before that update/);
    // No update ran after the bad loss: the weights are exactly those the poisoned step left.
    const now = before();
    expect(Number.isFinite(now[1]) && Number.isFinite(now[2])).toBe(true);
    expect(Array.from(now.subarray(1))).toEqual(Array.from(snapshots[2].subarray(1)));
    x.dispose(); y.dispose(); model.dispose();
  });

  it('rejects bad options with typed errors', async () => {
    const model = new Sequential([new Linear(2, 1)]);
    const x = tensor([[1, 2]]), y = tensor([[1]]);
    const base = { loss: new MSELoss(), optimizer: handSgd(model, 0.1) };
    await expect(model.fit(x, y, { ...base, epochs: 0 })).rejects.toThrow('fit: epochs must be an integer in [1, ∞), got 0');
    await expect(model.fit(x, y, { ...base, validationSplit: 1.5 })).rejects.toThrow(OptionError);
    await expect(model.fit(x, tensor([[1], [2]]), base)).rejects.toThrow(/different numbers of samples/);
    await expect(model.fit(x, y, { ...base, metrics: ['f1' as never] })).rejects.toThrow(`fit: metrics[0] must be 'accuracy', got "f1"`);
    x.dispose(); y.dispose(); model.dispose();
  });
});

describe('EarlyStopping', () => {
  beforeAll(() => init());

  const run = (es: EarlyStopping, losses: number[], model: Module) => {
    const ctx: TrainingContext = { model, epochs: losses.length, stopTraining: false };
    es.onTrainBegin();
    let last = -1;
    for (let e = 0; e < losses.length && !ctx.stopTraining; e++) {
      // Mark the weights with the epoch so the restored ones can be identified.
      model.parameters()[0].data[0] = e;
      es.onEpochEnd({ epoch: e, loss: 0, valLoss: losses[e], lr: 0.1, time: 0, samplesPerSecond: 0 } as EpochLogs, ctx);
      last = e;
    }
    es.onTrainEnd(ctx);
    return last;
  };

  it('stops after `patience` epochs without improvement and restores the best weights', () => {
    const model = new Sequential([new Linear(2, 1)]);
    //            epoch:  0    1    2    3     4     5    6
    const losses = [1.0, 0.8, 0.6, 0.65, 0.61, 0.7, 0.5];
    const es = new EarlyStopping({ patience: 3, restoreBestWeights: true });
    expect(run(es, losses, model)).toBe(5); // best at epoch 2; epochs 3, 4, 5 do not improve → stop after 5
    expect(es.stoppedEpoch).toBe(5);
    expect(es.bestEpoch).toBe(2);
    expect(model.parameters()[0].data[0]).toBe(2); // the weights of epoch 2 are back
    const strict = new EarlyStopping({ patience: 1, minDelta: 0.1 });
    expect(run(strict, [1.0, 0.95, 0.5], model)).toBe(1); // 0.95 is not better by 0.1
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(OptionError);
    model.dispose();
  });

  it('stops real training at the right epoch', async () => {
    manualSeed(0);
    const model = new Sequential([new Linear(4, 8), new ReLU(), new Linear(8, 3)]);
    const { x, y } = blobs(60);
    const es = new EarlyStopping({ monitor: 'loss', patience: 0, minDelta: 10 }); // never improves by 10
    const history = await model.fit(x, y, { loss: new CrossEntropyLoss(), optimizer: handSgd(model, 0.1), epochs: 10, callbacks: [es] });
    expect(history.epochs).toHaveLength(2); // epoch 0 sets the best, epoch 1 fails to improve → stop
    x.dispose(); y.dispose(); model.dispose();
  });
});
