import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { RecurrentBase, product, timeAt, type LSTMOptions, type LSTMState } from './recurrent.js';

const F = 4; // bytes a float

/**
 * A long short-term memory network, as torch.nn.LSTM: for each step t and layer,
 * [i | f | g | o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh, activated σ, σ, tanh, σ;
 * c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t). Parameters under torch's names (weight_ih_l0
 * [4H, inputSize], weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0 [4H], then _l0_reverse when
 * bidirectional, then _l1 …), each initialised U(±1/√H) in that order, as torch.
 *
 * forward(x) returns the top layer's hidden state at every step — torch's `output`, [T, N, D·H]
 * ([N, T, D·H] with batchFirst; [T, D·H] for one unbatched sequence; D = 2 when bidirectional, the
 * reverse direction's states in the last H columns) — and is differentiable. After it, `state`
 * holds (h_n, c_n) of every layer and direction, [numLayers·D, N, H], as constants (torch's hidden
 * state, detached, as it is carried between batches); `forward(x, state)` starts from a given one
 * (zeros otherwise). A reverse direction's h_n is its state after reading the first step.
 *
 * The products run as gemm: all steps' x·W_ihᵀ of a layer in one call, then per step h·W_hhᵀ
 * accumulated into the gates, and the elementwise cell in lstmCellForward; backward through time
 * by lstmCellBackward, the weight gradients as gemm over all steps at once (the same bits on
 * every thread count: gemm's split never changes a sum's order).
 */
export class LSTM extends RecurrentBase {
  /** (h_n, c_n) after the last forward, [numLayers·directions, N, H] (constants), or null before it. */
  state: LSTMState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: LSTMOptions) {
    super('LSTM', 4, inputSize, hiddenSize, given);
  }

  override forward(x: Tensor, initial?: LSTMState): Tensor {
    const layout = this.sequence(x), { timeMajor, steps, n, stateShape } = layout;
    const H = this.hiddenSize, L = this.numLayers, D = this.directions, G = 4 * H, rows = steps * n, nH = n * H * F;
    if (initial !== undefined) this.checkState(initial, ['h', 'c'], stateShape);
    const k = requireBackend();
    // Every buffer the step needs is taken here, so the backward allocates nothing.
    const xTime = timeMajor ? x : this.buffer('xTime', [steps, n, this.inputSize]);
    const h0 = this.buffer('h0', [L * D, n, H]), c0 = this.buffer('c0', [L * D, n, H]);
    const named = (base: string, u: number) => `${base}${Math.floor(u / D)}${u % D ? '_reverse' : ''}`;
    const gates = Array.from({ length: L * D }, (_, u) => this.buffer(named('gates', u), [steps, n, G]));
    const cells = Array.from({ length: L * D }, (_, u) => this.buffer(named('cells', u), [steps, n, H]));
    const { hidden, out } = this.hiddenBuffers(layout);
    const y = timeMajor ? out[L - 1] : this.buffer('y', [n, steps, D * H]);
    const dgates = Array.from({ length: D }, (_, d) => this.buffer(d ? 'dgatesReverse' : 'dgates', [steps, n, G]));
    const dOut = [this.buffer('dOutA', [steps, n, D * H]), this.buffer('dOutB', [steps, n, D * H])];
    const dDirection = D === 1 ? null : this.buffer('dDirection', [steps, n, H]);
    const dh = this.buffer('dh', [n, H]), dhNext = this.buffer('dhNext', [n, H]), dc = this.buffer('dc', [n, H]);
    const dxTime = timeMajor ? null : this.buffer('dxTime', [steps, n, this.inputSize]);
    const hn = this.buffer('hn', stateShape), cn = this.buffer('cn', stateShape);
    if (!timeMajor) k.transposeAxes(x.offset, 1, n, 1, steps, this.inputSize, xTime.offset, x.size);
    if (initial) {
      k.copy(initial.h.offset, h0.offset, h0.size);
      k.copy(initial.c.offset, c0.offset, c0.size);
    } else {
      k.fill(h0.offset, h0.size, 0);
      k.fill(c0.offset, c0.size, 0);
    }
    const previous = (states: Tensor, first: Tensor, u: number, s: number) => this.previous(states, first, u, s, steps, n);
    const drops: ({ input: Tensor; mask: Tensor } | null)[] = [];
    const inputOf = (l: number) => (l === 0 ? xTime : drops[l - 1]?.input ?? out[l - 1]).offset;
    for (let l = 0; l < L; l++) {
      const input = inputOf(l), width = this.inputWidth(l);
      for (let d = 0; d < D; d++) {
        const u = l * D + d, { wih, whh, bih, bhh } = this.layer(l, d);
        const gl = gates[u].offset, cl = cells[u].offset, hl = hidden[u].offset;
        product(0, 1, rows, G, width, input, width, wih.offset, width, 0, gl, G);
        if (bih && bhh) {
          k.biasActivation(gl, rows, G, bih.offset, Act.identity, 0, gl);
          k.biasActivation(gl, rows, G, bhh.offset, Act.identity, 0, gl);
        }
        for (let s = 0; s < steps; s++) {
          const t = timeAt(d, s, steps);
          product(0, 1, n, G, H, previous(hidden[u], h0, u, s), H, whh.offset, H, 1, gl + t * n * G * F, G);
          k.lstmCellForward(gl + t * n * G * F, previous(cells[u], c0, u, s), cl + t * nH, hl + t * nH, n, H, G);
        }
        const last = timeAt(d, steps - 1, steps);
        k.copy(hl + last * nH, hn.offset + u * nH, n * H);
        k.copy(cl + last * nH, cn.offset + u * nH, n * H);
      }
      this.joinDirections(hidden, out[l], l, rows);
      drops.push(this.dropBetween(l, out[l], steps, n));
    }
    if (!timeMajor) k.transposeAxes(out[L - 1].offset, 1, steps, 1, n, D * H, y.offset, y.size);
    this.state = { h: hn, c: cn };
    const params = this.parameters();
    return record(y, this.describe(), [x, ...params], [x, ...params], (g, sink) => {
      // The top layer's output gradient, time-major.
      if (timeMajor) k.copy(g.offset, dOut[0].offset, rows * D * H);
      else k.transposeAxes(g.offset, 1, n, 1, steps, D * H, dOut[0].offset, rows * D * H);
      for (let l = L - 1; l >= 0; l--) {
        const input = inputOf(l), layerGradient = dOut[(L - 1 - l) % 2].offset;
        for (let d = 0; d < D; d++) {
          const u = l * D + d, { whh } = this.layer(l, d);
          const gl = gates[u].offset, cl = cells[u].offset, dg = dgates[d].offset;
          const dHidden = this.directionGradient(d, layerGradient, dDirection!, rows);
          k.fill(dc.offset, n * H, 0);
          k.fill(dhNext.offset, n * H, 0);
          for (let s = steps - 1; s >= 0; s--) {
            const t = timeAt(d, s, steps);
            k.add(dHidden + t * nH, dhNext.offset, dh.offset, n * H);
            k.lstmCellBackward(gl + t * n * G * F, previous(cells[u], c0, u, s), cl + t * nH, dh.offset, dc.offset, dg + t * n * G * F, n, H, G);
            product(0, 0, n, H, G, dg + t * n * G * F, G, whh.offset, H, 0, dhNext.offset, H);
          }
          this.parameterGradients(sink, l, d, { dih: dg, dhh: dg, input, hidden: hidden[u].offset, h0: h0.offset + u * nH, steps, n });
        }
        this.inputGradient(sink, x, l, {
          dih: dgates.map((t) => t.offset), steps, n, below: dOut[(L - l) % 2].offset, mask: drops[l - 1]?.mask ?? null, timeMajor, dxTime,
        });
      }
    });
  }
}
