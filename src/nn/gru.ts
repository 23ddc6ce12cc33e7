import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { RecurrentBase, product, stateBefore, type SequenceLayout, type Unit } from './recurrent.js';
import type { GRUOptions, GRUState } from './recurrent-options.js';

const F = 4; // bytes a float

/** A GRU forward's own buffers: per unit the input product's gates and the hidden one's [T, N, 3H]; their gradients. */
interface GRUCell {
  gx: Tensor[];
  gh: Tensor[];
  dgx: Tensor[];
  dgh: Tensor;
}

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
export class GRU extends RecurrentBase<GRUCell> {
  /** h_n after the last forward, [numLayers·directions, N, H] (a constant), or null before it. */
  state: GRUState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: GRUOptions) {
    super('GRU', 3, inputSize, hiddenSize, given);
  }

  override forward(x: Tensor, initial?: GRUState): Tensor {
    const { y, hn } = this.run(x, initial as Record<string, Tensor> | undefined, { h: this.stateSize });
    this.state = { h: hn };
    return y;
  }

  protected prepare({ steps, n }: SequenceLayout): GRUCell {
    const G = 3 * this.hiddenSize;
    return {
      gx: this.unitBuffers('gx', [steps, n, G]), gh: this.unitBuffers('gh', [steps, n, G]),
      dgx: this.directionBuffers('dgx', [steps, n, G]),
      dgh: this.buffer('dgh', [steps, n, G]),
    };
  }

  protected inputProduct(cell: GRUCell, { u, l, d, input, width, steps, n }: Unit): void {
    const { wih, bih } = this.layer(l, d), G = 3 * this.hiddenSize, gx = cell.gx[u].offset;
    product(0, 1, steps * n, G, width, input, width, wih.offset, width, 0, gx, G);
    if (bih) requireBackend().biasActivation(gx, steps * n, G, bih.offset, Act.identity, 0, gx);
  }

  protected forwardStep(cell: GRUCell, unit: Unit, s: number, t: number): void {
    const k = requireBackend(), H = this.hiddenSize, G = 3 * H, { u, n } = unit, at = t * n * G * F;
    const { whh, bhh } = this.layer(unit.l, unit.d), step = cell.gh[u].offset + at, before = stateBefore(unit, unit.hidden, unit.h0, s, H);
    product(0, 1, n, G, H, before, H, whh.offset, H, 0, step, G);
    if (bhh) k.biasActivation(step, n, G, bhh.offset, Act.identity, 0, step);
    k.gruCellForward(cell.gx[u].offset + at, step, before, unit.hidden + t * n * H * F, n, H, G);
  }

  protected backwardStep(cell: GRUCell, unit: Unit, s: number, t: number, dh: number, dhNext: number): void {
    const H = this.hiddenSize, G = 3 * H, { u, n } = unit, at = t * n * G * F, dgh = cell.dgh.offset + at;
    requireBackend().gruCellBackward(cell.gx[u].offset + at, cell.gh[u].offset + at, stateBefore(unit, unit.hidden, unit.h0, s, H), dh, cell.dgx[unit.d].offset + at, dgh, dhNext, n, H, G);
    product(0, 0, n, H, G, dgh, G, this.layer(unit.l, unit.d).whh.offset, H, 1, dhNext, H);
  }

  protected gateGradients(cell: GRUCell, d: number): { dih: number; dhh: number } {
    return { dih: cell.dgx[d].offset, dhh: cell.dgh.offset };
  }
}
