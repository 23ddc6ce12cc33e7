import { describe, it, expect, beforeAll } from 'vitest';
import {
  tensor, zeros, add, mul, sum, mean, exp, matmul, pow, differentiableOps, functionOnlyOps, noGrad, isGradEnabled, Linear, ReLU, Sequential,
  CrossEntropyLoss, BCELoss, MSELoss, NLLLoss, Parameter, Module, type Tensor, ShapeError, OptionError, DisposedError, manualSeed, tidy,
} from '../src/index.js';
import { requireHeap } from '../src/core/runtime.js';
import { CONFIGS, use } from './helpers.js';

for (const config of CONFIGS) {
  describe(`autograd on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('a custom loss from tensor ops: d/dx of mean((x·w − y)²) by hand', () => {
      const x = tensor([[1, 2], [3, 4], [5, 6]]);
      const w = tensor([[0.5], [-1]]).requiresGrad_();
      const y = tensor([[1], [0], [2]]);
      const r = add(matmul(x, w), mul(y, -1));
      const loss = mean(mul(r, r));
      // r = x·w − y = [-1.5 − 1, -2.5 − 0, -3.5 − 2] = [-2.5, -2.5, -5.5]; dL/dw = (2/3)·xᵀr
      expect(loss.item()).toBeCloseTo((2.5 ** 2 + 2.5 ** 2 + 5.5 ** 2) / 3, 5);
      loss.backward();
      const expected = [(2 / 3) * (1 * -2.5 + 3 * -2.5 + 5 * -5.5), (2 / 3) * (2 * -2.5 + 4 * -2.5 + 6 * -5.5)];
      expect(w.grad!.toArray()[0]).toBeCloseTo(expected[0], 4);
      expect(w.grad!.toArray()[1]).toBeCloseTo(expected[1], 4);
      for (const t of [x, w, y, r, loss]) t.dispose();
    });

    it('every op is also a Tensor method, with the same values and gradients', () => {
      const x = tensor([[1, 2], [3, 4]]).requiresGrad_();
      const w = tensor([[0.5], [-0.25]]).requiresGrad_();
      const chained = x.matmul(w).add(1).pow(2).mean();
      chained.backward();
      const [gx, gw] = [x.grad!.toArray(), w.grad!.toArray()];
      x.grad = null; w.grad = null;
      const functional = mean(pow(add(matmul(x, w), 1), 2));
      functional.backward();
      expect(chained.item()).toBe(functional.item());
      expect(Array.from(x.grad!.toArray())).toEqual(Array.from(gx));
      expect(Array.from(w.grad!.toArray())).toEqual(Array.from(gw));
      for (const name of Object.keys(differentiableOps)) {
        expect(typeof (x as unknown as Record<string, unknown>)[name], name).toBe(functionOnlyOps.includes(name) ? 'undefined' : 'function');
      }
      for (const t of [x, w, chained, functional]) t.dispose();
    });

    it("x.grad = null frees the gradient it held, as torch's x.grad = None: the heap stays flat over steps", () => {
      const heap = requireHeap();
      const x = tensor([[1, 2, 3], [4, 5, 6]]).requiresGrad_();
      const step = () => tidy(() => mean(pow(x, 2)).backward()); // the graph's tensors freed; x.grad kept (x owns it)
      step();
      const held = x.grad!;
      x.grad = null;
      expect(() => held.toArray(), 'the replaced gradient is disposed').toThrow(DisposedError);
      step();
      const after = heap.bytesInUse;
      for (let i = 0; i < 10; i++) { x.grad = null; step(); }
      expect(heap.bytesInUse).toBe(after);
      // Assigning a tensor of one's own: the tensor owns it from then on (disposed with x).
      const mine = tensor([[1, 1, 1], [1, 1, 1]]);
      x.grad = mine;
      x.grad = x.grad; // the same tensor again: kept
      expect(Array.from(mine.toArray())).toEqual([1, 1, 1, 1, 1, 1]);
      x.dispose();
      expect(() => mine.toArray()).toThrow(DisposedError);
    });

    it('accumulates gradients over two backward calls, and a shared input gets both paths', () => {
      const x = tensor([1, 2, 3]).requiresGrad_();
      const s1 = sum(mul(x, x));
      s1.backward();
      const s2 = sum(add(x, exp(x)));
      s2.backward();
      const got = x.grad!.toArray();
      [1, 2, 3].forEach((v, i) => expect(got[i]).toBeCloseTo(2 * v + 1 + Math.exp(v), 4));
      x.dispose(); s1.dispose(); s2.dispose();
    });

    it('backward on a non-scalar needs a gradient; a second backward needs retainGraph', () => {
      const x = tensor([1, 2]).requiresGrad_();
      const y = mul(x, 3);
      expect(() => y.backward()).toThrow(ShapeError);
      expect(() => y.backward()).toThrow(/gradient argument is needed for a non-scalar tensor of shape \[2\]/);
      const s = sum(y);
      s.backward(undefined, { retainGraph: true });
      s.backward();
      expect(Array.from(x.grad!.toArray())).toEqual([6, 6]);
      expect(() => s.backward()).toThrow(/already freed by an earlier backward/);
      x.dispose(); y.dispose(); s.dispose();
    });

    it('noGrad records nothing; backward of a tensor that needs no grad is an error', () => {
      const x = tensor([1, 2]).requiresGrad_();
      const y = noGrad(() => {
        expect(isGradEnabled()).toBe(false);
        return sum(mul(x, x));
      });
      expect(isGradEnabled()).toBe(true);
      expect(y.requiresGrad).toBe(false);
      expect(() => y.backward()).toThrow(/does not require grad/);
      x.dispose(); y.dispose();
    });

    it('using a disposed input in backward is a typed error', () => {
      const x = tensor([1, 2]).requiresGrad_();
      const w = tensor([3, 4]);
      const s = sum(mul(x, w));
      w.dispose();
      expect(() => s.backward()).toThrow(DisposedError);
      x.dispose(); s.dispose();
    });

    it('rejects a stale graph when a module ran again before backward', () => {
      const lin = new Linear(3, 2);
      const x = tensor([[1, 2, 3]]);
      const first = sum(lin.forward(x));
      lin.forward(x); // overwrites the output buffer the first graph saved
      expect(() => first.backward()).toThrow(/overwritten after it was recorded/);
      lin.dispose(); x.dispose(); first.dispose();
    });
  });
}

describe('layer and loss errors name the layer, the shapes and what was expected', () => {
  beforeAll(() => use({ backend: 'wasm' }));

  it('wrong input width for a Linear', () => {
    const lin = new Linear(784, 16);
    const x = zeros([32, 100]);
    expect(() => lin.forward(x)).toThrow(ShapeError);
    expect(() => lin.forward(x)).toThrow(/Linear\(784→16\): input of shape \[32, 100\] has 100 feature columns; expected \[batch, 784\]/);
    const seq = zeros([2, 3, 784]);
    expect(lin.forward(seq).shape).toEqual([2, 3, 16]); // leading dimensions are rows, as in torch
    seq.dispose();
    lin.dispose(); x.dispose();
  });

  it('targets out of range, mismatched batch sizes, probabilities outside [0, 1]', () => {
    const ce = new CrossEntropyLoss();
    const logits = zeros([4, 3]);
    expect(() => ce.forward(logits, tensor([0, 1, 3, 2]))).toThrow(/target\[2\] = 3 is not a class index in \[0, 3\)/);
    expect(() => ce.forward(logits, tensor([0, 1.5, 1, 2]))).toThrow(OptionError);
    expect(() => ce.forward(logits, tensor([0, 1, 2]))).toThrow(/target \[3\] does not match input \[4, 3\]: expected 4 class indices/);
    expect(() => new NLLLoss().forward(logits, tensor([0, -1, 0, 0]))).toThrow(/NLLLoss: target\[1\] = -1/);
    const bce = new BCELoss();
    expect(() => bce.forward(tensor([0.5, 1.2]), tensor([1, 0]))).toThrow(/BCELoss: input\[1\] = 1.2\d* is not a probability in \[0, 1\]/);
    expect(() => new MSELoss().forward(zeros([4, 3]), zeros([4, 2]))).toThrow(/MSELoss: input \[4, 3\] and target \[4, 2\] must have the same shape/);
    expect(() => new CrossEntropyLoss({ labelSmoothing: 2 })).toThrow(/labelSmoothing must be in \[0, 1\], got 2/);
    expect(() => new MSELoss({ reduction: 'avg' as never })).toThrow(/reduction must be 'mean', 'sum' or 'none', got "avg"/);
    logits.dispose();
  });

  it('use after dispose names the shape', () => {
    const lin = new Linear(2, 2);
    const x = tensor([[1, 2]]);
    x.dispose();
    expect(() => lin.forward(x)).toThrow(/tensor of shape \[1, 2\] was used after dispose/);
    lin.dispose();
  });
});

describe('models', () => {
  beforeAll(() => use({ backend: 'wasm' }));

  it('names parameters as torch does, and gathers them into one contiguous block', () => {
    const model = new Sequential([new Linear(4, 3), new ReLU(), new Linear(3, 2, { bias: false })]);
    expect(model.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight', [3, 4]], ['0.bias', [3]], ['2.weight', [2, 3]],
    ]);
    expect(model.numParameters()).toBe(12 + 3 + 6);
    const params = model.parameters();
    params.forEach((p, i) => {
      if (i > 0) expect(p.offset).toBe(params[i - 1].offset + params[i - 1].size * 4);
      if (i > 0) expect(p.grad.offset).toBe(params[i - 1].grad.offset + params[i - 1].size * 4);
    });
    expect(params[0].offset).toBe(model.parameterBlock.offset);
    expect(model.summary()).toMatch(/0\s+Linear\(4→3\)\s+15/);
    expect(model.summary()).toMatch(/total: 21 parameters/);
    model.dispose();
  });

  it('{ seed } and manualSeed give the same weights; different seeds differ', () => {
    const make = (seed: number) => new Sequential([new Linear(5, 4), new ReLU(), new Linear(4, 2)], { seed });
    const a = make(3), b = make(3), c = make(4);
    manualSeed(3);
    const d = new Sequential([new Linear(5, 4), new ReLU(), new Linear(4, 2)]);
    expect(Array.from(a.parameterBlock.toArray())).toEqual(Array.from(b.parameterBlock.toArray()));
    expect(Array.from(a.parameterBlock.toArray())).toEqual(Array.from(d.parameterBlock.toArray()));
    expect(Array.from(a.parameterBlock.toArray())).not.toEqual(Array.from(c.parameterBlock.toArray()));
    // kaiming_uniform(a=√5) is U(±1/√fan_in) for weights and biases.
    const w = a.parameters()[0].toArray();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(5));
    [a, b, c, d].forEach((m) => m.dispose());
  });

  it('stateDict / loadStateDict round-trips and rejects bad dicts without changing anything', () => {
    const a = new Sequential([new Linear(3, 2), new ReLU(), new Linear(2, 1)], { seed: 1 });
    const b = new Sequential([new Linear(3, 2), new ReLU(), new Linear(2, 1)], { seed: 2 });
    const before = b.parameterBlock.toArray();
    const dict = a.stateDict();
    const bad = { ...dict, '2.weight': { shape: [1, 3], data: new Float32Array(3) } };
    expect(() => b.loadStateDict(bad)).toThrow(/2\.weight has shape \[1, 3\], the model expects \[1, 2\]/);
    expect(() => b.loadStateDict({ ...dict, extra: dict['0.bias'] })).toThrow(/unexpected keys extra/);
    const nan = { ...dict, '0.bias': { shape: [2], data: new Float32Array([1, NaN]) } };
    expect(() => b.loadStateDict(nan)).toThrow(/0\.bias\[1\] is NaN/);
    expect(Array.from(b.parameterBlock.toArray())).toEqual(Array.from(before));
    b.loadStateDict(dict);
    expect(Array.from(b.parameterBlock.toArray())).toEqual(Array.from(a.parameterBlock.toArray()));
    a.dispose(); b.dispose();
  });

  it('a user-defined Module subclass works like the built-ins', () => {
    class Affine extends Module {
      scale = new Parameter([2], [1]);
      inner = new Linear(2, 1);
      forward(x: Tensor) {
        return mul(this.inner.forward(x), this.scale);
      }
    }
    const m = new Affine();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'inner.weight', 'inner.bias']);
    const x = tensor([[1, 1]]);
    const y = m.forward(x);
    const s = sum(y);
    s.backward();
    expect(m.scale.grad.toArray()[0]).toBeCloseTo(y.toArray()[0] / 2, 5);
    x.dispose(); y.dispose(); s.dispose(); m.dispose();
  });

  it('heap bytes after step 1 equal heap bytes after step 100 (buffers are reused)', () => {
    manualSeed(0);
    const model = new Sequential([new Linear(20, 16), new ReLU(), new Linear(16, 16), new ReLU(), new Linear(16, 4)]);
    const lossFn = new CrossEntropyLoss();
    const x = tensor(Float32Array.from({ length: 8 * 20 }, (_, i) => Math.sin(i)), [8, 20]);
    const y = tensor([0, 1, 2, 3, 0, 1, 2, 3]);
    const heap = requireHeap();
    const step = () => {
      model.zeroGrad();
      const loss = lossFn.forward(model.forward(x), y);
      loss.backward();
    };
    step();
    const after1 = { inUse: heap.bytesInUse, reserved: heap.bytesReserved, blocks: heap.blockCount };
    for (let i = 0; i < 99; i++) step();
    expect({ inUse: heap.bytesInUse, reserved: heap.bytesReserved, blocks: heap.blockCount }).toEqual(after1);
    model.dispose(); lossFn.dispose(); x.dispose(); y.dispose();
  });
});
