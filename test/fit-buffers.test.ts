import { describe, it, expect, beforeAll } from 'vitest';
import { init, Sequential, Linear, BatchNorm1d, ReLU, CrossEntropyLoss, SGD, NonFiniteError, tensor, manualSeed } from '../src/index.js';

// A refused step keeps the model as the last good step left it: its buffers too, not only its
// weights (BatchNorm's running statistics move in the forward, before the loss is known).
describe('fit: a non-finite step', () => {
  beforeAll(async () => {
    await init({ backend: 'wasm' });
  });

  it("leaves BatchNorm's running statistics as the last good step left them", async () => {
    manualSeed(3);
    const model = new Sequential([new Linear(4, 6), new BatchNorm1d(6), new ReLU(), new Linear(6, 3)]);
    const rows = 8;
    const values = Array.from({ length: rows * 4 }, (_, i) => Math.sin(i) * 2);
    const good = tensor(values, [rows, 4]);
    const bad = tensor(values.map((v, i) => (i === 5 ? NaN : v)), [rows, 4]);
    const y = tensor(Array.from({ length: rows }, (_, i) => i % 3));
    const lossFn = new CrossEntropyLoss();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    try {
      await model.fit(good, y, { loss: lossFn, optimizer, epochs: 1, batchSize: rows, shuffle: false });
      const before = model.stateDict();
      await expect(model.fit(bad, y, { loss: lossFn, optimizer, epochs: 1, batchSize: rows, shuffle: false })).rejects.toThrow(NonFiniteError);
      const after = model.stateDict();
      for (const key of ['1.running_mean', '1.running_var', '1.num_batches_tracked', '0.weight']) {
        expect(Array.from(after[key].data), key).toEqual(Array.from(before[key].data));
      }
      expect(Array.from(after['1.running_mean'].data).every(Number.isFinite)).toBe(true);
    } finally {
      for (const t of [good, bad, y]) t.dispose();
      lossFn.dispose(); optimizer.dispose(); model.dispose();
    }
  });
});
