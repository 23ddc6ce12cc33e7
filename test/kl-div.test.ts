import { describe, it, expect, beforeAll } from 'vitest';
import { Adam, KLDivLoss, Linear, LogSoftmax, MSELoss, OptionError, Sequential, ShapeError, manualSeed, tensor, type Tensor } from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';

// KLDivLoss (torch's nn.KLDivLoss) beyond its values against PyTorch (torch-layers.test.ts) and its
// finite differences (gradcheck.test.ts): each reduction against float64 here, log targets, a
// distillation that learns with a flat heap, and the errors.

/** Rows of probabilities (a softmax of random logits), every `zeroEvery`-th entry set to exactly 0. */
function distributions(rows: number, cols: number, seed: number, zeroEvery = 0): Float32Array {
  const logits = randomFloats(rows * cols, seed);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * cols, r * cols + cols), max = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(3 * (v - max))), sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => { out[r * cols + j] = zeroEvery && (r * cols + j) % zeroEvery === 1 ? 0 : v / sum; });
  }
  return out;
}

for (const config of CONFIGS) {
  describe(`KLDivLoss on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it("each reduction is Σ t·(log t − x) (0 where t = 0) in float64: 'mean' over every element, 'batchmean' over the rows; the gradient −t/divisor", () => {
      const rows = 5, cols = 7;
      const q = distributions(rows, cols, 1), t = distributions(rows, cols, 2, 4);
      const logq = q.map(Math.log);
      let sum = 0;
      t.forEach((ti, i) => { sum += ti === 0 ? 0 : ti * (Math.log(ti) - logq[i]); });
      for (const [reduction, divisor] of [['sum', 1], ['mean', rows * cols], ['batchmean', rows]] as const) {
        const x = tensor(logq, [rows, cols]).requiresGrad_(), target = tensor(t, [rows, cols]);
        const loss = new KLDivLoss({ reduction });
        const value = loss.forward(x, target);
        expect(Math.abs(value.item() - sum / divisor), reduction).toBeLessThan(1e-6 * (1 + sum / divisor));
        value.backward();
        Array.from(x.grad!.toArray()).forEach((g, i) => expect(Math.abs(g + t[i] / divisor)).toBeLessThanOrEqual(1e-7 * (1 + t[i] / divisor)));
        [x, target].forEach((u) => u.dispose());
        loss.dispose();
      }
      // 'none': one loss per element, 0 where the target is 0
      const x = tensor(logq, [rows, cols]), target = tensor(t, [rows, cols]), none = new KLDivLoss({ reduction: 'none' });
      const each = none.forward(x, target).toArray();
      each.forEach((v, i) => expect(Math.abs(v - (t[i] === 0 ? 0 : t[i] * (Math.log(t[i]) - logq[i])))).toBeLessThan(2e-6));
      expect(each.filter((_, i) => t[i] === 0).every((v) => v === 0)).toBe(true);
      [x, target].forEach((u) => u.dispose());
      none.dispose();
    });

    it('logTarget: a target of log-probabilities gives the same divergence as the probabilities, gradient −eᵗ', () => {
      const q = distributions(4, 6, 3), p = distributions(4, 6, 4);
      const x = tensor(q.map(Math.log), [4, 6]).requiresGrad_(), probs = tensor(p, [4, 6]), logs = tensor(p.map(Math.log), [4, 6]);
      const plain = new KLDivLoss({ reduction: 'batchmean' }), logged = new KLDivLoss({ reduction: 'batchmean', logTarget: true });
      const a = plain.forward(x, probs).item(), b = logged.forward(x, logs);
      expect(Math.abs(a - b.item())).toBeLessThan(1e-6);
      b.backward();
      Array.from(x.grad!.toArray()).forEach((g, i) => expect(Math.abs(g + p[i] / 4)).toBeLessThan(1e-7));
      [x, probs, logs].forEach((u) => u.dispose());
      [plain, logged].forEach((m) => m.dispose());
    });

    it("distillation: a student's logSoftmax trained by KLDivLoss('batchmean') toward a teacher's distributions, heap flat", () => {
      manualSeed(7);
      const student = new Sequential([new Linear(6, 4), new LogSoftmax()]);
      // The teacher: softmax of a fixed linear map of x, which the student can match.
      const xs = randomFloats(32 * 6, 5), w = randomFloats(6 * 4, 6), taught = new Float32Array(32 * 4);
      for (let r = 0; r < 32; r++) {
        const z = Array.from({ length: 4 }, (_, j) => 2 * xs.subarray(r * 6, r * 6 + 6).reduce((a, v, i) => a + v * w[i * 4 + j], 0));
        const e = z.map((v) => Math.exp(v - Math.max(...z))), sum = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => { taught[r * 4 + j] = v / sum; });
      }
      const x = tensor(xs, [32, 6]), teacher = tensor(taught, [32, 4]);
      const losses = expectLearnsWithFlatHeap(student, new Adam(student.parameters(), { lr: 5e-2 }), new KLDivLoss({ reduction: 'batchmean' }), x, teacher, 80, 0.2);
      expect(losses[losses.length - 1]).toBeGreaterThanOrEqual(0); // a divergence
      [x, teacher].forEach((u) => u.dispose());
      student.dispose();
    });

    it('errors: batchmean on other losses, torch spellings, a bad flag and shapes', () => {
      expect(() => new MSELoss({ reduction: 'batchmean' } as never)).toThrow(/^MSELoss: reduction must be 'mean', 'sum' or 'none', got "batchmean"/);
      expect(() => new KLDivLoss({ log_target: true } as never)).toThrow(/unknown option log_target .*did you mean logTarget\?/);
      expect(() => new KLDivLoss({ logTarget: 1 } as never)).toThrow(OptionError);
      expect(() => new KLDivLoss({ reduction: 'batch' } as never)).toThrow(/^KLDivLoss: reduction must be/);
      const loss = new KLDivLoss(), a = tensor(new Float32Array(6), [2, 3]), b = tensor(new Float32Array(6), [3, 2]);
      expect(() => loss.forward(a, b as Tensor)).toThrow(ShapeError);
      [a, b].forEach((u) => u.dispose());
      loss.dispose();
    });
  });
}
