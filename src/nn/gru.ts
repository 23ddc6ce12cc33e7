import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { RecurrentBase, product, type GRUOptions, type GRUState } from './recurrent.js';

/**
 * A gated recurrent unit network, as torch.nn.GRU: for each step and layer, with [r | z | n] the
 * gates, r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z likewise, n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ +
 * b_hn)), h' = (1 − z)·n + z·h. Parameters under torch's names (weight_ih_l0 [3H, inputSize],
 * weight_hh_l0 [3H, H], bias_ih_l0, bias_hh_l0 [3H], …), initialised U(±1/√H) in that order.
 * forward(x) returns torch's `output` (differentiable), `state` holds h_n as a constant afterwards,
 * and forward(x, state) starts from one, as LSTM's. The products run as gemm (all steps' x·W_ihᵀ
 * at once, h·W_hhᵀ per step, kept apart because r scales the second's n block), the cell in
 * gruCellForward / gruCellBackward.
 */
export class GRU extends RecurrentBase {
  /** h_n after the last forward, [numLayers, N, H] (a constant), or null before it. */
  state: GRUState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: GRUOptions) {
    super('GRU', 3, inputSize, hiddenSize, given);
  }

  override forward(x: Tensor, initial?: GRUState): Tensor {
    const { batched, timeMajor, steps, n, stateShape } = this.sequence(x);
    const H = this.hiddenSize, L = this.numLayers, G = 3 * H, rows = steps * n, f = 4;
    if (initial !== undefined) this.checkState(initial, ['h'], stateShape);
    const k = requireBackend();
    // Every buffer the step needs is taken here, so the backward allocates nothing.
    const xTime = timeMajor ? x : this.buffer('xTime', [steps, n, this.inputSize]);
    const h0 = this.buffer('h0', [L, n, H]);
    const gx = Array.from({ length: L }, (_, l) => this.buffer(`gx${l}`, [steps, n, G]));
    const gh = Array.from({ length: L }, (_, l) => this.buffer(`gh${l}`, [steps, n, G]));
    const hidden = Array.from({ length: L }, (_, l) => this.buffer(`hidden${l}`, l === L - 1 && timeMajor ? (batched ? [steps, n, H] : [steps, H]) : [steps, n, H]));
    const y = timeMajor ? hidden[L - 1] : this.buffer('y', [n, steps, H]);
    const dgx = this.buffer('dgx', [steps, n, G]), dgh = this.buffer('dgh', [steps, n, G]);
    const dOut = [this.buffer('dOutA', [steps, n, H]), this.buffer('dOutB', [steps, n, H])];
    const dh = this.buffer('dh', [n, H]), dhNext = this.buffer('dhNext', [n, H]);
    const dxTime = timeMajor ? null : this.buffer('dxTime', [steps, n, this.inputSize]);
    const hn = this.buffer('hn', stateShape);
    if (!timeMajor) k.transposeAxes(x.offset, 1, n, 1, steps, this.inputSize, xTime.offset, x.size);
    if (initial) k.copy(initial.h.offset, h0.offset, h0.size);
    else k.fill(h0.offset, h0.size, 0);
    const hPrev = (l: number, t: number) => (t === 0 ? h0.offset + l * n * H * f : hidden[l].offset + (t - 1) * n * H * f);
    const drops: ({ input: Tensor; mask: Tensor } | null)[] = [];
    const inputOf = (l: number) => (l === 0 ? xTime : drops[l - 1]?.input ?? hidden[l - 1]).offset;
    for (let l = 0; l < L; l++) {
      const { wih, whh, bih, bhh } = this.layer(l);
      const input = inputOf(l), width = l === 0 ? this.inputSize : H;
      const xl = gx[l].offset, hl = gh[l].offset;
      product(0, 1, rows, G, width, input, width, wih.offset, width, 0, xl, G);
      if (bih) k.biasActivation(xl, rows, G, bih.offset, Act.identity, 0, xl);
      for (let t = 0; t < steps; t++) {
        const step = hl + t * n * G * f;
        product(0, 1, n, G, H, hPrev(l, t), H, whh.offset, H, 0, step, G);
        if (bhh) k.biasActivation(step, n, G, bhh.offset, Act.identity, 0, step);
        k.gruCellForward(xl + t * n * G * f, step, hPrev(l, t), hidden[l].offset + t * n * H * f, n, H, G);
      }
      k.copy(hidden[l].offset + (steps - 1) * n * H * f, hn.offset + l * n * H * f, n * H);
      drops.push(this.dropBetween(l, hidden[l], steps, n));
    }
    if (!timeMajor) k.transposeAxes(hidden[L - 1].offset, 1, steps, 1, n, H, y.offset, y.size);
    this.state = { h: hn };
    const params = this.parameters();
    return record(y, this.describe(), [x, ...params], [x, ...params], (g, sink) => {
      if (timeMajor) k.copy(g.offset, dOut[0].offset, rows * H);
      else k.transposeAxes(g.offset, 1, n, 1, steps, H, dOut[0].offset, rows * H);
      for (let l = L - 1; l >= 0; l--) {
        const { whh } = this.layer(l);
        const input = inputOf(l), width = l === 0 ? this.inputSize : H;
        const d = dOut[(L - 1 - l) % 2].offset;
        k.fill(dhNext.offset, n * H, 0);
        for (let t = steps - 1; t >= 0; t--) {
          const at = t * n * G * f;
          k.add(d + t * n * H * f, dhNext.offset, dh.offset, n * H);
          k.gruCellBackward(gx[l].offset + at, gh[l].offset + at, hPrev(l, t), dh.offset, dgx.offset + at, dgh.offset + at, dhNext.offset, n, H, G);
          product(0, 0, n, H, G, dgh.offset + at, G, whh.offset, H, 1, dhNext.offset, H);
        }
        this.layerGradients(sink, x, l, {
          dih: dgx.offset, dhh: dgh.offset, input, width, hidden: hidden[l].offset, h0: hPrev(l, 0), steps, n,
          below: dOut[(L - l) % 2].offset, mask: drops[l - 1]?.mask ?? null, timeMajor, dxTime,
        });
      }
    });
  }
}
