import { describe, it, expect, beforeAll } from 'vitest';
import {
  Adam, Conv2d, CrossEntropyLoss, NLLLoss, OptionError, ReLU, Sequential, ShapeError, logSoftmax, memory, tensor, type Tensor,
} from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// CrossEntropyLoss's and NLLLoss's class weights and ignored index, against what they mean: an
// ignored item changes nothing (the loss equals, bit for bit, the loss over the other items), a
// weighted mean is Σ w_t·ℓ / Σ w_t of the unweighted losses (float64 here); a mean over no item is
// NaN with a zero gradient, as torch; a segmentation net with both trains with a flat heap; and the
// errors. PyTorch's own values: test/torch-layers.test.ts (9 cases); finite differences:
// test/gradcheck.test.ts and test/model-kernels.test.ts.

const bitsOf = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
const rowsOf = (x: Float32Array, n: number, keep: number[]) => keep.flatMap((i) => Array.from(x.subarray(i * n, i * n + n)));

/** The loss's value and the input's gradient. */
function run(loss: CrossEntropyLoss | NLLLoss, values: ArrayLike<number>, shape: number[], target: ArrayLike<number>, targetShape: number[]): { value: number; grad: Float32Array } {
  const x = tensor(Float32Array.from(values), shape).requiresGrad_(), t = tensor(Float32Array.from(target), targetShape);
  const y = loss.forward(x, t);
  y.backward();
  const out = { value: y.item(), grad: x.grad!.toArray() };
  [x, t, y].forEach((v) => v.dispose());
  return out;
}

for (const config of CONFIGS) {
  describe(`class weights and ignored items on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('an ignored item adds nothing: loss and gradients equal the batch without it, bit for bit; its gradient is 0', () => {
      const m = 7, n = 5, x = randomFloats(m * n, 3).map((v) => v * 3), t = [0, 4, 2, 2, 1, 3, 0];
      for (const [ignore, options] of [[-100, { labelSmoothing: 0.1 }], [2, {}], [0, { weight: [0.5, 2, 1, 0.25, 3] }]] as const) {
        const target = t.map((c, i) => (ignore === -100 && i % 3 === 1 ? -100 : c));
        const kept = target.flatMap((c, i) => (c === ignore ? [] : [i]));
        for (const reduction of ['mean', 'sum'] as const) {
          const ce = new CrossEntropyLoss({ ...options, reduction, ignoreIndex: ignore }), plain = new CrossEntropyLoss({ ...options, reduction });
          const all = run(ce, x, [m, n], target, [m]);
          const some = run(plain, rowsOf(x, n, kept), [kept.length, n], kept.map((i) => target[i]), [kept.length]);
          expect(bitsOf([all.value]), `${reduction}, ignoring ${ignore}`).toEqual(bitsOf([some.value]));
          expect(bitsOf(rowsOf(all.grad, n, kept))).toEqual(bitsOf(some.grad));
          for (let i = 0; i < m; i++) if (!kept.includes(i)) expect(Array.from(all.grad.subarray(i * n, i * n + n))).toEqual(new Array(n).fill(0));
          ce.dispose(); plain.dispose();
        }
      }
    });

    it('a weighted mean is Σ w_t·ℓ / Σ w_t of the unweighted losses; "none" gives w_t·ℓ; NLLLoss alike', () => {
      const m = 9, n = 4, w = [0.5, 2, 1, 0.25], x = randomFloats(m * n, 8).map((v) => v * 2), t = [0, 1, 2, 3, 1, 1, 0, 3, 2];
      const x2 = tensor(x, [m, n]), t2 = tensor(t, [m]), logp = logSoftmax(x2, 1);
      for (const [Loss, input] of [[CrossEntropyLoss, x2], [NLLLoss, logp]] as const) {
        const plain = new Loss({ reduction: 'none' }).forward(input, t2).toArray();
        const weighted = new Loss({ reduction: 'none', weight: w }).forward(input, t2).toArray();
        const mean = new Loss({ weight: w }).forward(input, t2).item();
        let num = 0, den = 0;
        t.forEach((c, i) => { num += w[c] * plain[i]; den += w[c]; });
        expect(Math.abs(mean - num / den), `${Loss.name} mean`).toBeLessThan(1e-6 * (1 + Math.abs(num / den)));
        weighted.forEach((v, i) => expect(Math.abs(v - w[t[i]] * plain[i])).toBeLessThan(1e-6 * (1 + Math.abs(v))));
      }
      [x2, t2, logp].forEach((v) => v.dispose());
    });

    it('a mean over no counted item is NaN with a zero gradient (as torch); the sum is 0', () => {
      const x = randomFloats(6, 2);
      const mean = run(new CrossEntropyLoss({ ignoreIndex: 1 }), x, [2, 3], [1, 1], [2]);
      expect(mean.value).toBeNaN();
      expect(Array.from(mean.grad)).toEqual([0, 0, 0, 0, 0, 0]);
      const sum = run(new NLLLoss({ reduction: 'sum' }), x, [2, 3], [-100, -100], [2]);
      expect(sum.value).toBe(0);
      expect(Array.from(sum.grad)).toEqual([0, 0, 0, 0, 0, 0]);
    });

    it('a segmentation net with class weights and an ignored label (255: "void") learns, with a flat heap', () => {
      const model = new Sequential([new Conv2d(2, 8, 3, { padding: 1 }), new ReLU(), new Conv2d(8, 3, 3, { padding: 1 })], { seed: 4 });
      const optimizer = new Adam(model.parameters(), { lr: 0.02 });
      const x = tensor(randomFloats(2 * 2 * 6 * 6, 5), [2, 2, 6, 6]);
      // The class of a pixel: which input channel is larger, and by how much; the border is void.
      const v = x.toArray(), labels = new Float32Array(2 * 36);
      for (let b = 0; b < 2; b++) {
        for (let p = 0; p < 36; p++) {
          const d = v[b * 72 + p] - v[b * 72 + 36 + p], border = p < 6 || p >= 30 || p % 6 === 0 || p % 6 === 5;
          labels[b * 36 + p] = border ? 255 : d > 0.5 ? 2 : d > -0.5 ? 1 : 0;
        }
      }
      const target = tensor(labels, [2, 6, 6]);
      const loss = new CrossEntropyLoss({ weight: [1, 0.5, 1], ignoreIndex: 255 });
      expectLearnsWithFlatHeap(model, optimizer, loss, x, target, 60, 0.3);
      [x, target].forEach((t) => t.dispose());
      model.dispose(); loss.dispose();
    });

    it('the loss keeps its own copy of the weights and frees it', () => {
      const before = memory().bytesInUse;
      const w = tensor([1, 2, 3]);
      const loss = new CrossEntropyLoss({ weight: w });
      w.dispose(); // the loss's copy stays
      expect(loss.weight!.toArray()).toEqual(Float32Array.from([1, 2, 3]));
      const out = run(loss, [1, 2, 3, 3, 2, 1], [2, 3], [2, 0], [2]);
      expect(Number.isFinite(out.value)).toBe(true);
      loss.dispose();
      expect(memory().bytesInUse).toBe(before);
    });

    it('bad weights, indices and targets: typed errors naming the loss, the argument and what was expected; the heap unchanged', () => {
      const x = tensor(new Float32Array(6), [2, 3]), probabilities = tensor([0.2, 0.3, 0.5, 1, 0, 0], [2, 3]);
      const nanWeights = tensor([1, NaN, 2]);
      expectRejected(() => new CrossEntropyLoss({ weight: nanWeights }), OptionError, /^CrossEntropyLoss: weight\[1\] = NaN must be finite/);
      expectRejected(() => new CrossEntropyLoss({ weight: [1, NaN, 2] }), OptionError, /^CrossEntropyLoss: weight must be a 1-D Tensor or an array of entries each a finite number .*, got \[1, NaN, 2\]/);
      expectRejected(() => new NLLLoss({ weight: [[1, 2]] as never }), OptionError, /^NLLLoss: weight must be a 1-D Tensor/);
      expectRejected(() => new CrossEntropyLoss({ ignoreIndex: 1.5 }), OptionError, /ignoreIndex must be an integer/);
      expectRejected(() => new CrossEntropyLoss({ ignore_index: 1 } as never), OptionError, /unknown option ignore_index .*; did you mean ignoreIndex\?/);
      const ce = new CrossEntropyLoss({ weight: [1, 2] }), nll = new NLLLoss({ ignoreIndex: 5 }), soft = new CrossEntropyLoss({ ignoreIndex: 0 });
      const t = tensor([0, 3]), valid = tensor([0, 1]);
      expectRejected(() => ce.forward(x, valid), ShapeError, /^CrossEntropyLoss: weight has 2 entries, the input has 3 classes; give one weight per class/);
      expectRejected(() => nll.forward(x, t), OptionError, /^NLLLoss: target\[1\] = 3 is not a class index in \[0, 3\) or the ignoreIndex 5/);
      expectRejected(() => soft.forward(x, probabilities), OptionError, /^CrossEntropyLoss: ignoreIndex \(0\) applies to class-index targets/);
      [ce, nll, soft].forEach((l) => l.dispose());
      [x, probabilities, t, valid, nanWeights].forEach((v: Tensor) => v.dispose());
    });
  });
}
