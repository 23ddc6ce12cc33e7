import { describe, expect, it } from 'vitest';
import { init, Sequential, Conv2d, ConvTranspose2d, Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, LayerNorm, GroupNorm, BatchNorm1d, BatchNorm2d, Embedding, LSTM, GRU, RNN, PReLU, Flatten, Linear, CrossEntropyLoss, manualSeed, pad, interpolate, cat, chunk, narrow, tensor, type Tensor } from '../src/index.js';
import { SGD } from '../src/optim/index.js';
import { randomFloats } from './helpers.js';
import { convParityRun } from './conv-parity-run.js';
import { SCRATCH_KERNELS, guardingConvScratch } from './scratch-guard.js';
import expected from './fixtures/conv-parity.json';

// A CNN on the threads build (this file's first init asks for threads, so the heap is shared):
// its layer kernels (convForward and convInputGrad split by samples, convWeightGrad by channels)
// are over the size where a call may be split, and the chooser splits the first call of each
// shape, so the first step runs them split (while the cores are contended, only the calls over
// 256 K elements: the first layer's forward and weight gradient, the second's forward and input
// gradient). The weights after a few steps must be the same bits on 1, 2 and 3 threads, and the
// seeded CNN run of test/conv-parity-run.ts gives the hash every other backend gives.

async function train(threads: number): Promise<Uint32Array> {
  expect((await init({ threads })).threads).toBe(threads);
  const model = new Sequential([
    new Conv2d(3, 32, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), // 64 samples of 32×24×24 outputs
    new Conv2d(32, 32, 3, { padding: 1, groups: 2 }), new ReLU(), new MaxPool2d(2, { ceilMode: true }),
    new Flatten(), new Linear(32 * 6 * 6, 10)], { seed: 5 });
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const lossFn = new CrossEntropyLoss();
  const x = tensor(randomFloats(64 * 3 * 24 * 24, 4), [64, 3, 24, 24]);
  const y = tensor(Array.from({ length: 64 }, (_, i) => i % 10));
  for (let step = 0; step < 3; step++) {
    optimizer.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    optimizer.step();
  }
  const bits = new Uint32Array(model.parameterBlock.toArray().buffer);
  [model, lossFn, x, y].forEach((t) => t.dispose());
  return bits;
}

/** The bits of `tensors`, read now (before the caller frees them). */
const bitsOf = (tensors: Tensor[]): Uint32Array[] => tensors.map((t) => new Uint32Array(t.toArray().buffer));

/**
 * Runs `run` on 1, 2 and 3 threads (each a fresh init) and expects the same bits from each. What
 * `run` passes to `keep` (its modules) is disposed only after the last run, so that each run's
 * buffers are fresh memory: a freed buffer reused by the next run would still hold the last run's
 * right values, and hide a range a split leaves unwritten.
 */
async function expectSameBitsOnThreads(run: (keep: <T extends { dispose(): void }>(kept: T) => T) => Uint32Array[]): Promise<void> {
  const kept: { dispose(): void }[] = [];
  const keep = <T extends { dispose(): void }>(t: T): T => (kept.push(t), t);
  const results: Uint32Array[][] = [];
  try {
    for (const threads of [1, 2, 3]) {
      expect((await init({ threads })).threads).toBe(threads);
      results.push(run(keep));
    }
  } finally {
    kept.forEach((t) => t.dispose());
  }
  expect(results[1], '2 threads').toEqual(results[0]);
  expect(results[2], '3 threads').toEqual(results[0]);
}

describe('threads: convolutions split without changing a bit', () => {
  it('a CNN trains to the same weights on 1, 2 and 3 threads', async () => {
    const two = await train(2);
    expect(await train(3)).toEqual(two);
    expect(await train(1)).toEqual(two);
  });

  it('the pools split by planes give the same bits on 1, 2 and 3 threads (overlapping, padded, adaptive windows)', async () => {
    // 256 planes of 20×20: over the size where a call may be split, and each shape's first call
    // is split.
    await expectSameBitsOnThreads((keep) => {
      const pools = [new MaxPool2d(3, { stride: 2, padding: 1 }), new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), new AdaptiveAvgPool2d([5, 7]), new AdaptiveMaxPool2d([6, 3])];
      const bits: Uint32Array[] = [];
      for (const [i, pool] of pools.entries()) {
        const x = tensor(randomFloats(64 * 4 * 20 * 20, 20 + i), [64, 4, 20, 20]).requiresGrad_();
        const y = pool.forward(x);
        y.backward(tensor(randomFloats(y.size, 30 + i), y.shape));
        bits.push(...bitsOf([y, x.grad!]));
        x.dispose();
        keep(pool);
      }
      return bits;
    });
  });

  it('padding split by planes gives the same bits on 1, 2 and 3 threads (each mode, and a Conv2d that reflects)', async () => {
    await expectSameBitsOnThreads((keep) => {
      const bits: Uint32Array[] = [];
      for (const [i, mode] of (['constant', 'reflect', 'replicate', 'circular'] as const).entries()) {
        const x = tensor(randomFloats(24 * 4 * 20 * 20, 40 + i), [24, 4, 20, 20]).requiresGrad_(); // 38,400 elements: may be split
        const y = keep(pad(x, [3, 2, 1, 4], { mode }));
        y.backward(tensor(randomFloats(y.size, 50 + i), y.shape));
        bits.push(...bitsOf([y, x.grad!]));
        x.dispose();
      }
      manualSeed(9); // the same weights each time
      const conv = keep(new Conv2d(4, 6, 3, { padding: 2, paddingMode: 'reflect' }));
      const x = tensor(randomFloats(32 * 4 * 15 * 17, 60), [32, 4, 15, 17]).requiresGrad_();
      const y = conv.forward(x);
      y.backward(tensor(randomFloats(y.size, 61), y.shape));
      bits.push(...bitsOf([y, x.grad!, conv.weight.grad]));
      x.dispose();
      return bits;
    });
  });

  it('depthwise convolutions split by samples and channels give the same bits on 1, 2 and 3 threads (forward, input and parameter gradients)', async () => {
    // Over the size where a call may be split: 22 channels (not a multiple of the weight
    // gradient's four lanes), and a strided 5×5 layer with two output channels an input channel.
    await expectSameBitsOnThreads((keep) => {
      manualSeed(7); // the same weights each time
      const bits: Uint32Array[] = [];
      const cases = [[new Conv2d(22, 22, 3, { padding: 1, groups: 22 }), [16, 22, 15, 17]], [new Conv2d(7, 14, 5, { stride: 2, padding: 2, groups: 7 }), [16, 7, 31, 29]]] as const;
      for (const [i, [layer, shape]] of cases.entries()) {
        const x = tensor(randomFloats(shape.reduce((a, b) => a * b, 1), 70 + i), [...shape]).requiresGrad_();
        const y = layer.forward(x);
        y.backward(tensor(randomFloats(y.size, 80 + i), y.shape));
        bits.push(...bitsOf([y, x.grad!, layer.weight.grad, layer.bias!.grad]));
        x.dispose();
        keep(layer);
      }
      return bits;
    });
  });

  it('LayerNorm split by rows (its parameter gradients by columns) gives the same bits on 1, 2 and 3 threads (forward, input and parameter gradients)', async () => {
    // 1,500 rows of 77 (not a multiple of 4): over the size where a call may be split.
    await expectSameBitsOnThreads((keep) => {
      const norm = keep(new LayerNorm(77));
      norm.weight!.data.set(randomFloats(77, 40));
      norm.bias!.data.set(randomFloats(77, 41));
      const x = tensor(randomFloats(1500 * 77, 42), [1500, 77]).requiresGrad_();
      const y = norm.forward(x);
      y.backward(tensor(randomFloats(y.size, 43), y.shape));
      const bits = bitsOf([y, x.grad!, norm.weight!.grad, norm.bias!.grad]);
      x.dispose();
      return bits;
    });
  });

  it('GroupNorm (layer norm\'s kernels by groups, batch norm\'s for the channels) gives the same bits on 1, 2 and 3 threads', async () => {
    // 48 samples of 12 channels of 9×11 in 4 groups: over the size where the calls may be split.
    await expectSameBitsOnThreads((keep) => {
      const norm = keep(new GroupNorm(4, 12));
      norm.weight!.data.set(randomFloats(12, 44));
      norm.bias!.data.set(randomFloats(12, 45));
      const x = tensor(randomFloats(48 * 12 * 99, 46), [48, 12, 9, 11]).requiresGrad_();
      const y = norm.forward(x);
      y.backward(tensor(randomFloats(y.size, 47), y.shape));
      const bits = bitsOf([y, x.grad!, norm.weight!.grad, norm.bias!.grad]);
      x.dispose();
      return bits;
    });
  });

  it('BatchNorm2d and BatchNorm1d split by samples and channels give the same bits on 1, 2 and 3 threads (training and eval)', async () => {
    // 64 samples of 12 channels of 9×11, and 3,000 samples of 29 features: over the size where a
    // call may be split.
    await expectSameBitsOnThreads((keep) => {
      const bits: Uint32Array[] = [];
      for (const [norm, shape] of [[new BatchNorm2d(12), [64, 12, 9, 11]], [new BatchNorm1d(29), [3000, 29]]] as const) {
        norm.weight!.data.set(randomFloats(norm.weight!.size, 50));
        norm.bias!.data.set(randomFloats(norm.bias!.size, 51));
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tensor(randomFloats(size, 52), [...shape]).requiresGrad_();
        const y = norm.forward(x);
        y.backward(tensor(randomFloats(size, 53), [...shape]));
        norm.eval();
        const yEval = norm.forward(x);
        bits.push(...bitsOf([y, x.grad!, norm.weight!.grad, norm.bias!.grad, yEval, norm.runningMean!, norm.runningVar!]));
        x.dispose();
        keep(norm);
      }
      return bits;
    });
  });

  it('ConvTranspose2d (convolution kernels the other way round) gives the same bits on 1, 2 and 3 threads', async () => {
    await expectSameBitsOnThreads((keep) => {
      const bits: Uint32Array[] = [];
      const layers = [new ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1 }), new ConvTranspose2d(6, 6, 3, { stride: 2, outputPadding: 1, groups: 3, bias: false })];
      for (const [i, layer] of layers.entries()) {
        keep(layer);
        layer.weight.data.set(randomFloats(layer.weight.size, 70 + i));
        layer.bias?.data.set(randomFloats(layer.bias.size, 76 + i));
        const x = tensor(randomFloats(24 * layer.inChannels * 12 * 12, 72 + i), [24, layer.inChannels, 12, 12]).requiresGrad_();
        const y = layer.forward(x);
        y.backward(tensor(randomFloats(y.size, 74 + i), y.shape));
        bits.push(...bitsOf([y, x.grad!, layer.weight.grad!, ...(layer.bias ? [layer.bias.grad!] : [])]));
        x.dispose();
      }
      return bits;
    });
  });

  it('Conv1d and the 1-D pools (the plane kernels on one row) give the same bits on 1, 2 and 3 threads', async () => {
    await expectSameBitsOnThreads((keep) => {
      const bits: Uint32Array[] = [];
      // im2col + gemm, the direct kernels (one input channel, k = 5), depthwise; then the pools.
      const convs = [new Conv1d(16, 24, 3, { padding: 1 }), new Conv1d(1, 8, 5, { padding: 'same' }), new Conv1d(8, 8, 3, { groups: 8, stride: 2, bias: false })];
      const pools = [new MaxPool1d(3, { stride: 2, padding: 1 }), new AvgPool1d(4, { ceilMode: true }), new AdaptiveAvgPool1d(5), new AdaptiveMaxPool1d(7)];
      for (const [i, layer] of [...convs, ...pools].entries()) {
        keep(layer);
        const channels = layer instanceof Conv1d ? layer.inChannels : 6;
        if (layer instanceof Conv1d) {
          layer.weight.data.set(randomFloats(layer.weight.size, 80 + i));
          layer.bias?.data.set(randomFloats(layer.bias.size, 86 + i));
        }
        const x = tensor(randomFloats(32 * channels * 250, 82 + i), [32, channels, 250]).requiresGrad_();
        const y = layer.forward(x);
        y.backward(tensor(randomFloats(y.size, 84 + i), y.shape));
        bits.push(...bitsOf([y, x.grad!, ...(layer instanceof Conv1d ? [layer.weight.grad!, ...(layer.bias ? [layer.bias.grad!] : [])] : [])]));
        x.dispose();
      }
      return bits;
    });
  });

  it('interpolate split by planes gives the same bits on 1, 2 and 3 threads (nearest, nearest-exact, bilinear both ways)', async () => {
    await expectSameBitsOnThreads(() => {
      const bits: Uint32Array[] = [];
      const all = [{ scaleFactor: 2 }, { size: [37, 29], mode: 'nearest-exact' }, { scaleFactor: 1.7, mode: 'bilinear' }, { size: [11, 40], mode: 'bilinear', alignCorners: true }];
      for (const [i, options] of all.entries()) {
        const x = tensor(randomFloats(16 * 12 * 20 * 20, 90 + i), [16, 12, 20, 20]).requiresGrad_();
        const y = interpolate(x, options as never);
        y.backward(tensor(randomFloats(y.size, 94 + i), y.shape));
        bits.push(...bitsOf([y, x.grad!]));
        [x, y].forEach((t) => t.dispose());
      }
      return bits;
    });
  });

  it('cat, narrow and chunk (copyRows split by rows) give the same bits on 1, 2 and 3 threads, forward and backward', async () => {
    await expectSameBitsOnThreads(() => {
      const a = tensor(randomFloats(64 * 30 * 129, 98), [64, 30, 129]).requiresGrad_(), b = tensor(randomFloats(64 * 11 * 129, 99), [64, 11, 129]).requiresGrad_();
      const joined = cat([a, b, a], 1);
      const parts = chunk(narrow(joined, 2, 3, 120), 3, -1);
      const y = cat(parts.map((p, i) => p.mul(i + 1)), 0);
      y.backward(tensor(randomFloats(y.size, 100), y.shape));
      const bits = bitsOf([joined, y, a.grad!, b.grad!]);
      [a, b, joined, y, ...parts].forEach((t) => t.dispose());
      return bits;
    });
  });

  it.each([['LSTM', LSTM], ['GRU', GRU], ['RNN', RNN]] as const)('%s (gemm per step, the cell kernels split by rows), one-way and bidirectional (the LSTM projected), gives the same bits on 1, 2 and 3 threads, forward and backward', async (_, Layer) => {
    await expectSameBitsOnThreads((keep) => [false, true].flatMap((bidirectional) => {
      // The bidirectional LSTM projects h to 16 (projSize).
      const lstm = keep(new Layer(24, 40, { numLayers: 2, batchFirst: true, bidirectional, ...(Layer === LSTM && bidirectional ? { projSize: 16 } : {}) }));
      lstm.parameters().forEach((p, i) => p.data.set(randomFloats(p.size, 110 + i)));
      const x = tensor(randomFloats(64 * 9 * 24, 120), [64, 9, 24]).requiresGrad_();
      const y = lstm.forward(x);
      y.backward(tensor(randomFloats(y.size, 121), y.shape));
      const bits = bitsOf([y, x.grad!, ...lstm.parameters().map((p) => p.grad)]);
      x.dispose();
      return bits;
    }));
  });

  it('PReLU (split by samples, its weight gradient by channels) gives the same bits on 1, 2 and 3 threads', async () => {
    await expectSameBitsOnThreads((keep) => {
      const layer = keep(new PReLU(16));
      layer.weight.data.set(randomFloats(16, 130));
      const x = tensor(randomFloats(64 * 16 * 130, 131), [64, 16, 130]).requiresGrad_();
      const y = layer.forward(x);
      y.backward(tensor(randomFloats(y.size, 132), y.shape));
      const bits = bitsOf([y, x.grad!, layer.weight.grad]);
      x.dispose();
      return bits;
    });
  });

  it('Embedding split by indices gives the same bits on 1, 2 and 3 threads (repeated and padding indices)', async () => {
    await expectSameBitsOnThreads((keep) => {
      const embedding = keep(new Embedding(50, 96, { paddingIdx: 3 }));
      embedding.weight.data.set(randomFloats(50 * 96, 60));
      const indices = tensor(Array.from({ length: 32 * 40 }, (_, i) => (i * 7919) % 50), [32, 40]);
      const y = embedding.forward(indices);
      y.backward(tensor(randomFloats(y.size, 61), y.shape));
      const bits = bitsOf([y, embedding.weight.grad]);
      indices.dispose();
      return bits;
    });
  });

  it("each thread's convolution kernels keep to its scratch region (1×1, thin, 3×3, grouped and depthwise layers, 2 and 3 threads)", async () => {
    for (const threads of [2, 3]) {
      await init({ threads });
      const layers = [
        new Conv2d(24, 16, 1), new Conv2d(1, 8, 3, { padding: 1 }), new Conv2d(8, 16, 3, { padding: 1 }),
        new Conv2d(8, 12, 3, { stride: 2, groups: 4 }), new Conv2d(12, 24, 3, { padding: 1, groups: 12 }),
        new Conv2d(6, 6, 5, { stride: 2, padding: 2, groups: 6 })];
      const seen = guardingConvScratch(() => {
        for (const [i, layer] of layers.entries()) {
          const x = tensor(randomFloats(24 * layer.inChannels * 20 * 20, i), [24, layer.inChannels, 20, 20]).requiresGrad_();
          const y = layer.forward(x);
          y.backward(tensor(randomFloats(y.size, i + 9), y.shape));
          x.dispose();
        }
      });
      expect(seen, `${threads} threads`).toEqual(SCRATCH_KERNELS.map((k) => k.name).sort());
      layers.forEach((layer) => layer.dispose());
    }
  });

  it('the seeded CNN run of test/conv-parity-run.ts gives the committed hash on 1 and 2 threads', async () => {
    for (const threads of [2, 1]) {
      const result = await convParityRun({ threads });
      expect({ threads, hash: result.hash, loss: result.loss }).toEqual({ threads, hash: expected.hash, loss: expected.loss });
    }
  });
});
