import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { RecurrentBase, product, timeAt, type GRUOptions, type GRUState } from './recurrent.js';

const F = 4; // bytes a float

/**
 * A gated recurrent unit network, as torch.nn.GRU: for each step and layer, with [r | z | n] the
 * gates, r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z likewise, n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ +
 * b_hn)), h' = (1 − z)·n + z·h. Parameters under torch's names (weight_ih_l0 [3H, inputSize],
 * weight_hh_l0 [3H, H], bias_ih_l0, bias_hh_l0 [3H], `_reverse` ones when bidirectional, …),
 * initialised U(±1/√H) in that order. forward(x) returns torch's `output` (differentiable), `state`
 * holds h_n as a constant afterwards, and forward(x, state) starts from one, as LSTM's. The
 * products run as gemm (all steps' x·W_ihᵀ at once, h·W_hhᵀ per step, kept apart because r scales
 * the second's n block), the cell in gruCellForward / gruCellBackward.
 */
export class GRU extends RecurrentBase {
  /** h_n after the last forward, [numLayers·directions, N, H] (a constant), or null before it. */
  state: GRUState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: GRUOptions) {
    super('GRU', 3, inputSize, hiddenSize, given);
  }

  override forward(x: Tensor, initial?: GRUState): Tensor {
    const layout = this.sequence(x), { timeMajor, steps, n, stateShape } = layout;
    const H = this.hiddenSize, L = this.numLayers, D = this.directions, G = 3 * H, rows = steps * n, nH = n * H * F;
    if (initial !== undefined) this.checkState(initial, ['h'], stateShape);
    const k = requireBackend();
    // Every buffer the step needs is taken here, so the backward allocates nothing.
    const xTime = timeMajor ? x : this.buffer('xTime', [steps, n, this.inputSize]);
    const h0 = this.buffer('h0', [L * D, n, H]);
    const named = (base: string, u: number) => `${base}${Math.floor(u / D)}${u % D ? '_reverse' : ''}`;
    const gx = Array.from({ length: L * D }, (_, u) => this.buffer(named('gx', u), [steps, n, G]));
    const gh = Array.from({ length: L * D }, (_, u) => this.buffer(named('gh', u), [steps, n, G]));
    const { hidden, out } = this.hiddenBuffers(layout);
    const y = timeMajor ? out[L - 1] : this.buffer('y', [n, steps, D * H]);
    const dgx = Array.from({ length: D }, (_, d) => this.buffer(d ? 'dgxReverse' : 'dgx', [steps, n, G]));
    const dgh = this.buffer('dgh', [steps, n, G]);
    const dOut = [this.buffer('dOutA', [steps, n, D * H]), this.buffer('dOutB', [steps, n, D * H])];
    const dDirection = D === 1 ? null : this.buffer('dDirection', [steps, n, H]);
    const dh = this.buffer('dh', [n, H]), dhNext = this.buffer('dhNext', [n, H]);
    const dxTime = timeMajor ? null : this.buffer('dxTime', [steps, n, this.inputSize]);
    const hn = this.buffer('hn', stateShape);
    if (!timeMajor) k.transposeAxes(x.offset, 1, n, 1, steps, this.inputSize, xTime.offset, x.size);
    if (initial) k.copy(initial.h.offset, h0.offset, h0.size);
    else k.fill(h0.offset, h0.size, 0);
    const hPrev = (u: number, s: number) => this.previous(hidden[u], h0, u, s, steps, n);
    const drops: ({ input: Tensor; mask: Tensor } | null)[] = [];
    const inputOf = (l: number) => (l === 0 ? xTime : drops[l - 1]?.input ?? out[l - 1]).offset;
    for (let l = 0; l < L; l++) {
      const input = inputOf(l), width = this.inputWidth(l);
      for (let d = 0; d < D; d++) {
        const u = l * D + d, { wih, whh, bih, bhh } = this.layer(l, d);
        const xl = gx[u].offset, hl = gh[u].offset;
        product(0, 1, rows, G, width, input, width, wih.offset, width, 0, xl, G);
        if (bih) k.biasActivation(xl, rows, G, bih.offset, Act.identity, 0, xl);
        for (let s = 0; s < steps; s++) {
          const t = timeAt(d, s, steps), step = hl + t * n * G * F;
          product(0, 1, n, G, H, hPrev(u, s), H, whh.offset, H, 0, step, G);
          if (bhh) k.biasActivation(step, n, G, bhh.offset, Act.identity, 0, step);
          k.gruCellForward(xl + t * n * G * F, step, hPrev(u, s), hidden[u].offset + t * nH, n, H, G);
        }
        k.copy(hidden[u].offset + timeAt(d, steps - 1, steps) * nH, hn.offset + u * nH, n * H);
      }
      this.joinDirections(hidden, out[l], l, rows);
      drops.push(this.dropBetween(l, out[l], steps, n));
    }
    if (!timeMajor) k.transposeAxes(out[L - 1].offset, 1, steps, 1, n, D * H, y.offset, y.size);
    this.state = { h: hn };
    const params = this.parameters();
    return record(y, this.describe(), [x, ...params], [x, ...params], (g, sink) => {
      if (timeMajor) k.copy(g.offset, dOut[0].offset, rows * D * H);
      else k.transposeAxes(g.offset, 1, n, 1, steps, D * H, dOut[0].offset, rows * D * H);
      for (let l = L - 1; l >= 0; l--) {
        const input = inputOf(l), layerGradient = dOut[(L - 1 - l) % 2].offset;
        for (let d = 0; d < D; d++) {
          const u = l * D + d, { whh } = this.layer(l, d), dx = dgx[d].offset;
          const dHidden = this.directionGradient(d, layerGradient, dDirection!, rows);
          k.fill(dhNext.offset, n * H, 0);
          for (let s = steps - 1; s >= 0; s--) {
            const t = timeAt(d, s, steps), at = t * n * G * F;
            k.add(dHidden + t * nH, dhNext.offset, dh.offset, n * H);
            k.gruCellBackward(gx[u].offset + at, gh[u].offset + at, hPrev(u, s), dh.offset, dx + at, dgh.offset + at, dhNext.offset, n, H, G);
            product(0, 0, n, H, G, dgh.offset + at, G, whh.offset, H, 1, dhNext.offset, H);
          }
          this.parameterGradients(sink, l, d, { dih: dx, dhh: dgh.offset, input, hidden: hidden[u].offset, h0: h0.offset + u * nH, steps, n });
        }
        this.inputGradient(sink, x, l, {
          dih: dgx.map((t) => t.offset), steps, n, below: dOut[(L - l) % 2].offset, mask: drops[l - 1]?.mask ?? null, timeMajor, dxTime,
        });
      }
    });
  }
}
