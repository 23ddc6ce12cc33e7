import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import {
  init, tensor, sum, sqrt, log, mul, Sequential, Linear, ReLU, MSELoss, NonFiniteError, OptionError,
  detectAnomaly, setDetectAnomaly, isAnomalyEnabled,
} from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';
import { CONFIGS, use } from './helpers.js';
import { countFault, writeCountsAfterAll } from './train-counts.js';

writeCountsAfterAll('anomaly');

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('detectAnomaly', () => {
  beforeAll(() => init());
  afterEach(() => setDetectAnomaly(false));

  it('is off by default: a NaN passes through ops silently, as torch', () => {
    expect(isAnomalyEnabled()).toBe(false);
    const y = log(tensor([1, -1]));
    expect(Number.isNaN(y.data[1])).toBe(true);
    y.dispose();
  });

  for (const { label, options } of CONFIGS) {
    describe(label, () => {
      beforeAll(() => use(options));

      it('names the op whose forward made a NaN from finite inputs, with its shapes', () => {
        const x = tensor([2, 1, -1, 3]);
        const error = thrown(() => detectAnomaly(() => log(x)));
        countFault('anomaly forward NaN');
        expect(error).toBeInstanceOf(NonFiniteError);
        expect(error.message).toBe('detectAnomaly: the forward of log produced NaN at element 2 of its output [4] (inputs [4]) from finite inputs');
        expect(isAnomalyEnabled()).toBe(false); // restored after the throw
        x.dispose();
      });

      it('names the op whose backward made an Inf though its forward was finite (sqrt at 0)', () => {
        const x = tensor([4, 0, 1]).requiresGrad_();
        const error = thrown(() => detectAnomaly(() => sum(sqrt(x)).backward()));
        countFault('anomaly backward Inf');
        expect(error).toBeInstanceOf(NonFiniteError);
        expect(error.message).toMatch(/^detectAnomaly: the backward of sqrt produced Infinity at element 1 of the gradient of its input 0 \[3\] \(inputs \[3\], output gradient \[3\], finite\)$/);
        x.dispose();
      });

      it('names the first layer of a model fed a NaN input, and says the input already held it', () => {
        const model = new Sequential([new Linear(3, 4), new ReLU(), new Linear(4, 2)]);
        const x = tensor([[1, 2, 3], [4, NaN, 6]]);
        const error = thrown(() => detectAnomaly(() => model.forward(x)));
        countFault('anomaly NaN model input');
        expect(error.message).toMatch(/^detectAnomaly: the forward of Linear\(3→4\) → ReLU produced NaN at element 4 of its output \[2, 4\] \(inputs \[2, 3\], \[4, 3\], \[4\]\) because its input 0 \[2, 3\] already held NaN or Inf/);
        x.dispose(); model.dispose();
      });

      it('catches a non-finite gradient given to backward() and frees what it allocated', () => {
        const x = tensor([1, 2]).requiresGrad_();
        const y = mul(x, 3);
        const g = tensor([1, Infinity]);
        const heap = requireHeap();
        const before = heap.bytesInUse;
        const error = thrown(() => detectAnomaly(() => y.backward(g)));
        countFault('anomaly non-finite seed');
        expect(error.message).toBe('detectAnomaly: the gradient given to backward() holds Infinity at element 1 of [2]');
        expect(heap.bytesInUse).toBe(before);
        x.dispose(); y.dispose(); g.dispose();
      });

      it('computes the same values as with the mode off when nothing is wrong', () => {
        const run = () => {
          const x = tensor([0.5, 2, 3]).requiresGrad_();
          const y = sum(mul(log(x), x));
          y.backward();
          const out = [y.item(), ...x.grad!.toArray()];
          x.dispose(); y.dispose();
          return out;
        };
        const plain = run();
        expect(detectAnomaly(run)).toEqual(plain);
        // d/dx (x log x) = log x + 1, in float64
        expect(plain[1]).toBeCloseTo(Math.log(0.5) + 1, 6);
      });
    });
  }

  it('stays on while an async fn (a fit call) runs, and is restored when it settles', async () => {
    const model = new Sequential([new Linear(2, 1)]);
    const x = tensor([[1, 2], [Infinity, 1]]), y = tensor([[1], [2]]);
    const opt = { paramGroups: [{ lr: 0.1 }], zeroGrad: () => model.zeroGrad(), step: () => {} };
    const run = detectAnomaly(() => model.fit(x, y, { loss: new MSELoss(), optimizer: opt, epochs: 1, batchSize: 2, shuffle: false }));
    expect(isAnomalyEnabled()).toBe(true);
    await expect(run).rejects.toThrow(/the forward of Linear\(2→1\) produced (NaN|-?Infinity) .* its input 0 \[2, 2\] already held NaN or Inf/);
    countFault('anomaly inside fit');
    expect(isAnomalyEnabled()).toBe(false);
    x.dispose(); y.dispose(); model.dispose();
  });

  it('setDetectAnomaly switches it globally and rejects a non-boolean', () => {
    setDetectAnomaly(true);
    expect(() => log(tensor([-1]))).toThrow(NonFiniteError);
    setDetectAnomaly(false);
    expect(() => setDetectAnomaly('yes' as never)).toThrow(new OptionError('setDetectAnomaly: on must be true or false, got "yes"'));
    expect(() => detectAnomaly(null as never)).toThrow(OptionError);
  });
});
