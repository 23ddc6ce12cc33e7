import { describe, it, expect, beforeAll } from 'vitest';
import {
  Adam, CrossEntropyLoss, Embedding, GRU, LSTM, RNN, Linear, manualSeed, globalRandom, mul, Module, OptionError, ShapeError, narrow, squeeze, tensor, type Tensor,
} from '../src/index.js';
import { CONFIGS, expectLearnsWithFlatHeap, randomFloats, use } from './helpers.js';
import { expectRejected } from './rejects.js';

// LSTM, GRU and RNN beyond their values against PyTorch (test/torch-layers.test.ts) and their finite
// differences (gradcheck.test.ts): the carried state, torch's initialisation, a sequence classifier
// that learns with a flat heap, the same bits on every wasm build, and the errors.

const bitsOf = (t: Tensor) => Array.from(new Uint32Array(t.toArray().buffer));

/** Embedding → LSTM → the last step's hidden state → Linear: a sequence classifier. */
class Classifier extends Module {
  readonly embed = new Embedding(12, 6);
  readonly lstm = new LSTM(6, 8, { batchFirst: true, numLayers: 2 });
  readonly head = new Linear(8, 2);

  forward(tokens: Tensor): Tensor {
    const out = this.lstm.forward(this.embed.forward(tokens)); // [N, T, 8]
    return this.head.forward(squeeze(narrow(out, 1, out.shape[1] - 1, 1), 1));
  }
}

/** Embedding → bidirectional GRU → the first step's output → Linear: only the reverse direction has read the whole sequence there. */
class FirstStepClassifier extends Module {
  readonly embed = new Embedding(12, 6);
  readonly gru = new GRU(6, 5, { batchFirst: true, bidirectional: true });
  readonly head = new Linear(10, 2);

  forward(tokens: Tensor): Tensor {
    return this.head.forward(squeeze(narrow(this.gru.forward(this.embed.forward(tokens)), 1, 0, 1), 1)); // [N, T, 10] → [N, 10]
  }
}

/** Columns [from, from + width) of rows of `stride` floats, with the row blocks of `block` rows (the time steps) in reverse order when `flip`. */
function slice(values: Float32Array, steps: number, block: number, stride: number, from: number, width: number, flip: boolean): Float32Array {
  const out = new Float32Array(steps * block * width);
  for (let t = 0; t < steps; t++) {
    for (let r = 0; r < block; r++) {
      const source = ((flip ? steps - 1 - t : t) * block + r) * stride + from;
      out.set(values.subarray(source, source + width), (t * block + r) * width);
    }
  }
  return out;
}

/**
 * 16 sequences of 7 tokens in 0…11 (drawn with `seed`), labelled by whether the token at step `at`
 * is below 6: `model` learns the rule with Adam, its heap flat; then it is disposed.
 */
function expectLearnsTokenRule(model: Module, seed: number, at: number): void {
  const optimizer = new Adam(model.parameters(), { lr: 2e-2 });
  const tokens = Array.from(randomFloats(16 * 7, seed), (u) => Math.abs(Math.floor(u * 1000)) % 12);
  const x = tensor(tokens, [16, 7]), y = tensor(Array.from({ length: 16 }, (_, i) => (tokens[i * 7 + at] < 6 ? 0 : 1)));
  expectLearnsWithFlatHeap(model, optimizer, new CrossEntropyLoss(), x, y, 60, 0.3);
  [x, y].forEach((t) => t.dispose());
  model.dispose();
}

for (const config of CONFIGS) {
  describe(`LSTM on ${config.label}`, () => {
    beforeAll(() => use(config.options));

    it('state holds (h_n, c_n); running a sequence in two halves with the state carried gives the whole run\'s outputs', () => {
      const lstm = new LSTM(3, 4, { numLayers: 2 });
      const x = tensor(randomFloats(6 * 2 * 3, 1), [6, 2, 3]);
      const whole = lstm.forward(x).toArray();
      const { h, c } = lstm.state!;
      expect([...h.shape]).toEqual([2, 2, 4]);
      // The top layer's h_n is the output's last step.
      expect(Array.from(h.toArray().subarray(8, 16))).toEqual(Array.from(whole.subarray(5 * 8, 6 * 8)));
      const finalC = c.toArray();
      const first = tensor(x.toArray().subarray(0, 3 * 6), [3, 2, 3]), second = tensor(x.toArray().subarray(3 * 6), [3, 2, 3]);
      const a = lstm.forward(first).toArray();
      const carried = { h: tensor(lstm.state!.h.toArray(), [2, 2, 4]), c: tensor(lstm.state!.c.toArray(), [2, 2, 4]) };
      const b = lstm.forward(second, carried).toArray();
      const halves = [...a, ...b];
      halves.forEach((v, i) => expect(Math.abs(v - whole[i])).toBeLessThan(1e-6));
      Array.from(lstm.state!.c.toArray()).forEach((v, i) => expect(Math.abs(v - finalC[i])).toBeLessThan(1e-6));
      [x, first, second, carried.h, carried.c].forEach((t) => t.dispose());
      lstm.dispose();
    });

    it('GRU: state holds h_n (the output\'s last step); two halves with the state carried give the whole run; torch\'s names', () => {
      const gru = new GRU(3, 4, { numLayers: 2, batchFirst: true });
      const x = tensor(randomFloats(2 * 6 * 3, 2), [2, 6, 3]);
      const whole = gru.forward(x).toArray();
      const top = gru.state!.h.toArray().subarray(8, 16);
      for (let s = 0; s < 2; s++) expect(Array.from(top.subarray(s * 4, s * 4 + 4))).toEqual(Array.from(whole.subarray((s * 6 + 5) * 4, (s * 6 + 6) * 4)));
      const xs = x.toArray();
      const part = (from: number) => tensor(Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => xs[Math.floor(i / 9) * 18 + from * 3 + (i % 9)]), [2, 3, 3]);
      const first = part(0), second = part(3);
      const a = gru.forward(first).toArray();
      const carried = { h: tensor(gru.state!.h.toArray(), [2, 2, 4]) };
      const b = gru.forward(second, carried).toArray();
      for (let s = 0; s < 2; s++) {
        for (let i = 0; i < 12; i++) {
          expect(Math.abs(a[s * 12 + i] - whole[s * 24 + i])).toBeLessThan(1e-6);
          expect(Math.abs(b[s * 12 + i] - whole[s * 24 + 12 + i])).toBeLessThan(1e-6);
        }
      }
      expect(gru.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`).slice(0, 4)).toEqual(['weight_ih_l0 12×3', 'weight_hh_l0 12×4', 'bias_ih_l0 12', 'bias_hh_l0 12']);
      expect(gru.describe()).toBe('GRU(3, 4, numLayers 2, batchFirst)');
      [x, first, second, carried.h].forEach((t) => t.dispose());
      gru.dispose();
    });

    it.each([['LSTM', LSTM, false], ['GRU', GRU, false], ['RNN', RNN, false], ['LSTM', LSTM, true], ['GRU', GRU, true], ['RNN', RNN, true]] as const)('%s (bidirectional %s) dropout between layers: training = the layers run one by one with a mask (Dropout\'s rule, drawn in order) between them; eval = none', (_, Layer, bidirectional) => {
      const D = bidirectional ? 2 : 1;
      const stacked = new Layer(3, 4, { numLayers: 2, dropout: 0.3, bidirectional }), bottom = new Layer(3, 4, { bidirectional }), top = new Layer(4 * D, 4, { bidirectional });
      // The two single layers take the stacked layers' weights (torch's order: layer 0's directions, then layer 1's).
      const params = stacked.parameters(), half = params.length / 2;
      [...bottom.parameters(), ...top.parameters()].forEach((p, i) => p.data.set(params[i].data));
      const x = tensor(randomFloats(5 * 2 * 3, 7), [5, 2, 3]);
      manualSeed(11);
      const trained = stacked.forward(x).toArray();
      manualSeed(11);
      // torch's rule: kept where a 53-bit double draw is below 1 − p, then scaled by 1/(1 − p) in float32.
      const mask = tensor(Float32Array.from({ length: 5 * 2 * 4 * D }, () => (globalRandom.nextDouble() < 0.7 ? Math.fround(1 / Math.fround(0.7)) : 0)), [5, 2, 4 * D]);
      const masked = mul(bottom.forward(x), mask);
      expect(Array.from(top.forward(masked).toArray())).toEqual(Array.from(trained));
      stacked.eval();
      const evaluated = stacked.forward(x).toArray();
      expect(Array.from(evaluated)).toEqual(Array.from(top.forward(bottom.forward(x)).toArray()));
      expect(half).toBe(4 * D);
      expect(stacked.describe()).toBe(`${stacked.constructor.name}(3, 4, numLayers 2, dropout 0.3${bidirectional ? ', bidirectional' : ''})`);
      [x, mask, masked].forEach((t) => t.dispose());
      [stacked, bottom, top].forEach((m) => m.dispose());
    });

    it.each([['LSTM', LSTM], ['GRU', GRU], ['RNN', RNN]] as const)('%s bidirectional: the reverse half is a one-way layer with the _reverse weights over the flipped sequence (output and h_n bit for bit; the parameter gradients, summed over the steps in the other order, to float32 rounding); x\'s gradient is the two directions\' sum', (_, Layer) => {
      const T = 5, N = 2, C = 3, H = 4;
      const both = new Layer(C, H, { bidirectional: true }), forward = new Layer(C, H), reverse = new Layer(C, H);
      const named = Object.fromEntries(both.namedParameters());
      for (const [one, suffix] of [[forward, ''], [reverse, '_reverse']] as const) {
        for (const [name, p] of one.namedParameters()) p.data.set(named[`${name}${suffix}`].data);
      }
      const xs = randomFloats(T * N * C, 21), gs = randomFloats(T * N * 2 * H, 22);
      const x = tensor(xs, [T, N, C]).requiresGrad_(), xf = tensor(xs, [T, N, C]).requiresGrad_();
      const xr = tensor(slice(xs, T, N, C, 0, C, true), [T, N, C]).requiresGrad_();
      const y = both.forward(x), yf = forward.forward(xf), yr = reverse.forward(xr);
      expect([...y.shape]).toEqual([T, N, 2 * H]);
      const out = y.toArray();
      expect(Array.from(slice(out, T, N, 2 * H, 0, H, false))).toEqual(Array.from(yf.toArray()));
      expect(Array.from(slice(out, T, N, 2 * H, H, H, true))).toEqual(Array.from(yr.toArray()));
      // h_n: [2, N, H], the forward direction's last state, then the reverse one's (after reading step 0).
      expect(Array.from(both.state!.h.toArray())).toEqual([...forward.state!.h.toArray(), ...reverse.state!.h.toArray()]);
      y.backward(tensor(gs, [T, N, 2 * H]));
      yf.backward(tensor(slice(gs, T, N, 2 * H, 0, H, false), [T, N, H]));
      yr.backward(tensor(slice(gs, T, N, 2 * H, H, H, true), [T, N, H]));
      const close = (got: Float32Array, want: Float32Array, what: string) =>
        Array.from(got).forEach((v, i) => expect(Math.abs(v - want[i]), `${what}[${i}]`).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(want[i]))));
      for (const [name, p] of forward.namedParameters()) expect(bitsOf(named[name].grad), name).toEqual(bitsOf(p.grad));
      for (const [name, p] of reverse.namedParameters()) close(named[`${name}_reverse`].grad.toArray(), p.grad.toArray(), `${name}_reverse`);
      close(x.grad!.toArray(), slice(xr.grad!.toArray(), T, N, C, 0, C, true).map((v, i) => v + xf.grad!.toArray()[i]), 'x.grad');
      [x, xf, xr].forEach((t) => t.dispose());
      [both, forward, reverse].forEach((m) => m.dispose());
    });

    it("torch's names, shapes and initial bounds U(±1/√H)", () => {
      const lstm = new LSTM(5, 4, { numLayers: 2 });
      expect(lstm.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`)).toEqual([
        'weight_ih_l0 16×5', 'weight_hh_l0 16×4', 'bias_ih_l0 16', 'bias_hh_l0 16', 'weight_ih_l1 16×4', 'weight_hh_l1 16×4', 'bias_ih_l1 16', 'bias_hh_l1 16',
      ]);
      for (const p of lstm.parameters()) {
        const largest = Math.max(...Array.from(p.toArray(), Math.abs));
        expect(largest).toBeLessThanOrEqual(0.5);
        expect(largest).toBeGreaterThan(0.3);
      }
      expect(new LSTM(2, 3, { bias: false, batchFirst: true }).describe()).toBe('LSTM(2, 3, no bias, batchFirst)');
      lstm.dispose();
      // Bidirectional: each layer's reverse direction after its forward one; the layers above read both (2H wide).
      const gru = new GRU(5, 4, { numLayers: 2, bidirectional: true });
      expect(gru.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`)).toEqual([
        'weight_ih_l0 12×5', 'weight_hh_l0 12×4', 'bias_ih_l0 12', 'bias_hh_l0 12',
        'weight_ih_l0_reverse 12×5', 'weight_hh_l0_reverse 12×4', 'bias_ih_l0_reverse 12', 'bias_hh_l0_reverse 12',
        'weight_ih_l1 12×8', 'weight_hh_l1 12×4', 'bias_ih_l1 12', 'bias_hh_l1 12',
        'weight_ih_l1_reverse 12×8', 'weight_hh_l1_reverse 12×4', 'bias_ih_l1_reverse 12', 'bias_hh_l1_reverse 12',
      ]);
      expect(gru.describe()).toBe('GRU(5, 4, numLayers 2, bidirectional)');
      gru.dispose();
      // projSize: weight_hr after each direction's biases; h (and so weight_hh's columns and the layer above's input) P wide.
      const projected = new LSTM(5, 4, { numLayers: 2, projSize: 3 });
      expect(projected.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`)).toEqual([
        'weight_ih_l0 16×5', 'weight_hh_l0 16×3', 'bias_ih_l0 16', 'bias_hh_l0 16', 'weight_hr_l0 3×4',
        'weight_ih_l1 16×3', 'weight_hh_l1 16×3', 'bias_ih_l1 16', 'bias_hh_l1 16', 'weight_hr_l1 3×4',
      ]);
      expect(projected.describe()).toBe('LSTM(5, 4, numLayers 2, projSize 3)');
      const x = tensor(randomFloats(6 * 2 * 5, 9), [6, 2, 5]);
      expect([...projected.forward(x).shape]).toEqual([6, 2, 3]);
      expect([[...projected.state!.h.shape], [...projected.state!.c.shape]]).toEqual([[2, 2, 3], [2, 2, 4]]);
      x.dispose();
      projected.dispose();
    });

    it('a sequence classifier (Embedding → 2-layer LSTM → last step → Linear) learns which token comes first, heap flat', () => {
      expectLearnsTokenRule(new Classifier(), 3, 0);
    });

    it.each(['tanh', 'relu'] as const)('RNN (%s): h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) in float64 here; two halves with the state carried give the whole run; names', (nonlinearity) => {
      const T = 4, N = 3, C = 2, H = 5;
      const rnn = new RNN(C, H, { nonlinearity, batchFirst: true });
      const [wih, whh, bih, bhh] = rnn.parameters().map((p) => Array.from(p.toArray()));
      const xs = randomFloats(N * T * C, 31), h0s = randomFloats(N * H, 32);
      const act = nonlinearity === 'tanh' ? Math.tanh : (v: number) => Math.max(v, 0);
      const want = new Float64Array(N * T * H);
      for (let b = 0; b < N; b++) {
        let h = Array.from(h0s.subarray(b * H, b * H + H));
        for (let t = 0; t < T; t++) {
          const x = xs.subarray((b * T + t) * C, (b * T + t + 1) * C);
          h = h.map((_, j) => act(bih[j] + bhh[j] + x.reduce((a, v, i) => a + v * wih[j * C + i], 0) + h.reduce((a, v, i) => a + v * whh[j * H + i], 0)));
          want.set(h, (b * T + t) * H);
        }
      }
      const x = tensor(xs, [N, T, C]), h0 = tensor(h0s, [1, N, H]);
      const got = rnn.forward(x, { h: h0 }).toArray();
      got.forEach((v, i) => expect(Math.abs(v - want[i]), `output[${i}]`).toBeLessThan(1e-5));
      // The state after two steps carried into the last two gives the same outputs.
      const part = (from: number) => tensor(Float32Array.from({ length: N * 2 * C }, (_, i) => xs[Math.floor(i / (2 * C)) * T * C + from * C + (i % (2 * C))]), [N, 2, C]);
      const first = part(0), second = part(2);
      const a = rnn.forward(first, { h: h0 }).toArray();
      const carried = { h: tensor(rnn.state!.h.toArray(), [1, N, H]) };
      const b = rnn.forward(second, carried).toArray();
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < 2 * H; i++) {
          expect(Math.abs(a[n * 2 * H + i] - got[n * T * H + i])).toBeLessThan(1e-6);
          expect(Math.abs(b[n * 2 * H + i] - got[n * T * H + 2 * H + i])).toBeLessThan(1e-6);
        }
      }
      expect(rnn.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`)).toEqual(['weight_ih_l0 5×2', 'weight_hh_l0 5×5', 'bias_ih_l0 5', 'bias_hh_l0 5']);
      expect(rnn.describe()).toBe(nonlinearity === 'relu' ? 'RNN(2, 5, nonlinearity relu, batchFirst)' : 'RNN(2, 5, batchFirst)');
      [x, h0, first, second, carried.h].forEach((t) => t.dispose());
      rnn.dispose();
    });

    it('a bidirectional GRU read at its first step learns which token comes last (only the reverse direction has seen it), heap flat', () => {
      expectLearnsTokenRule(new FirstStepClassifier(), 4, 6);
    });

    it('bad options, inputs and states: typed errors naming the argument; the heap unchanged', () => {
      expect(() => new LSTM(3, 4, { dropout: 0.5 })).toThrow(/^LSTM: dropout 0.5 applies between layers, and numLayers 1 has none/);
      expect(() => new LSTM(3, 4, { numLayers: 2, dropout: 1.5 })).toThrow(/^LSTM: dropout must be in \[0, 1\], got 1.5/);
      expect(() => new LSTM(3, 4, { bidirectional: 1 } as never)).toThrow(/^LSTM: bidirectional must be a boolean, got 1/);
      expect(() => new LSTM(3, 4, { projSize: 4 })).toThrow(/^LSTM: projSize must be an integer in \[0, 3\], got 4/);
      expect(() => new GRU(3, 4, { projSize: 2 })).toThrow(OptionError);
      expect(() => new LSTM(3, 4, { batch_first: true } as never)).toThrow(/unknown option batch_first .*did you mean batchFirst\?/);
      expect(() => new LSTM(0, 4)).toThrow(/^LSTM: inputSize must be/);
      expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' } as never)).toThrow(/^RNN: nonlinearity must be 'tanh' or 'relu', got "sigmoid"/);
      expect(() => new RNN(3, 4, { non_linearity: 'relu' } as never)).toThrow(/unknown option non_linearity .*did you mean nonlinearity\?/);
      expect(() => new LSTM(3, 4, { nonlinearity: 'relu' } as never)).toThrow(/^LSTM: unknown option nonlinearity/);
      const lstm = new LSTM(3, 4);
      const wrong = tensor(new Float32Array(2 * 5 * 2), [5, 2, 2]), flat = tensor(new Float32Array(3), [3]), x = tensor(new Float32Array(5 * 2 * 3), [5, 2, 3]);
      const badH = tensor(new Float32Array(8), [2, 4]), goodC = tensor(new Float32Array(8), [1, 2, 4]), gradH = tensor(new Float32Array(8), [1, 2, 4]).requiresGrad_();
      expectRejected(() => lstm.forward(wrong), ShapeError, /^LSTM\(3, 4\): input must be \[T, N, inputSize\] or \[T, inputSize\] with inputSize 3, got shape \[5, 2, 2\]/);
      expectRejected(() => lstm.forward(flat), ShapeError, /input must be/);
      expectRejected(() => lstm.forward(x, { h: badH, c: goodC }), ShapeError, /^LSTM\(3, 4\): state.h must be \[1, 2, 4\] \(\[numLayers, N, hiddenSize\]\), got \[2, 4\]/);
      expectRejected(() => lstm.forward(x, { h: gradH, c: goodC }), OptionError, /gradients to the initial state are not supported/);
      const projected = new LSTM(3, 4, { projSize: 2 }), h2 = tensor(new Float32Array(4), [1, 2, 2]);
      expectRejected(() => projected.forward(x, { h: goodC, c: goodC }), ShapeError, /^LSTM\(3, 4, projSize 2\): state.h must be \[1, 2, 2\] \(\[numLayers, N, projSize\]\), got \[1, 2, 4\]/);
      expectRejected(() => projected.forward(x, { h: h2, c: h2 }), ShapeError, /state.c must be \[1, 2, 4\] \(\[numLayers, N, hiddenSize\]\), got \[1, 2, 2\]/);
      [projected, h2].forEach((t) => t.dispose());
      const both = new LSTM(3, 4, { bidirectional: true });
      expectRejected(() => both.forward(x, { h: goodC, c: goodC }), ShapeError, /^LSTM\(3, 4, bidirectional\): state.h must be \[2, 2, 4\] \(\[2·numLayers, N, hiddenSize\]\), got \[1, 2, 4\]/);
      [wrong, flat, x, badH, goodC, gradH].forEach((t) => t.dispose());
      [lstm, both].forEach((m) => m.dispose());
    });
  });
}

describe('LSTM and GRU give the same bits on every wasm build', () => {
  it.each([['LSTM', LSTM, false], ['GRU', GRU, false], ['RNN', RNN, false], ['LSTM', LSTM, true], ['GRU', GRU, true], ['RNN', RNN, true]] as const)('simd = scalar: output and every gradient of a 2-layer, batchFirst %s (bidirectional %s)', async (_, Layer, bidirectional) => {
    const hashes: number[] = [];
    for (const config of CONFIGS.filter((c) => c.options.backend !== 'js')) {
      await use(config.options);
      const lstm = new Layer(5, 6, { numLayers: 2, batchFirst: true, bidirectional, ...(Layer === LSTM && bidirectional ? { projSize: 4 } : {}) });
      lstm.parameters().forEach((p, i) => p.data.set(randomFloats(p.size, 40 + i)));
      const x = tensor(randomFloats(3 * 7 * 5, 50), [3, 7, 5]).requiresGrad_();
      const y = lstm.forward(x);
      y.backward(tensor(randomFloats(y.size, 51), [...y.shape]));
      const bits = [bitsOf(y), bitsOf(x.grad!), ...lstm.parameters().map((p) => bitsOf(p.grad))].flat();
      hashes.push(bits.reduce((h, v) => (Math.imul(h, 31) + v) >>> 0, 7));
      x.dispose();
      lstm.dispose();
    }
    expect(new Set(hashes).size).toBe(1);
  });
});
