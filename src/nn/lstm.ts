import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { RecurrentBase, product, stateBefore, type SequenceLayout, type Unit } from './recurrent.js';
import type { LSTMOptions, LSTMState } from './recurrent-options.js';

const F = 4; // bytes a float

/** An LSTM forward's own buffers: per unit its gates [T, N, 4H] and cell states [T, N, H]; c0, c_n; per direction the gates' gradients; dc. */
interface LSTMCell {
  gates: Tensor[];
  cells: Tensor[];
  c0: Tensor;
  cn: Tensor;
  dgates: Tensor[];
  dc: Tensor;
}

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
export class LSTM extends RecurrentBase<LSTMCell> {
  /** (h_n, c_n) after the last forward, [numLayers·directions, N, H] (constants), or null before it. */
  state: LSTMState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: LSTMOptions) {
    super('LSTM', 4, inputSize, hiddenSize, given);
  }

  override forward(x: Tensor, initial?: LSTMState): Tensor {
    const { y, hn, cell } = this.run(x, initial as Record<string, Tensor> | undefined, ['h', 'c']);
    this.state = { h: hn, c: cell.cn };
    return y;
  }

  protected prepare({ steps, n, stateShape }: SequenceLayout, initial: Record<string, Tensor> | undefined): LSTMCell {
    const H = this.hiddenSize, units = this.numLayers * this.directions, k = requireBackend();
    const cell = {
      gates: this.unitBuffers('gates', [steps, n, 4 * H]), cells: this.unitBuffers('cells', [steps, n, H]),
      c0: this.buffer('c0', [units, n, H]), cn: this.buffer('cn', stateShape),
      dgates: Array.from({ length: this.directions }, (_, d) => this.buffer(d ? 'dgatesReverse' : 'dgates', [steps, n, 4 * H])),
      dc: this.buffer('dc', [n, H]),
    };
    if (initial) k.copy(initial.c.offset, cell.c0.offset, cell.c0.size);
    else k.fill(cell.c0.offset, cell.c0.size, 0);
    return cell;
  }

  protected inputProduct(cell: LSTMCell, { u, l, d, input, width, steps, n }: Unit): void {
    const { wih, bih, bhh } = this.layer(l, d), k = requireBackend(), G = 4 * this.hiddenSize, gates = cell.gates[u].offset;
    product(0, 1, steps * n, G, width, input, width, wih.offset, width, 0, gates, G);
    if (bih && bhh) {
      k.biasActivation(gates, steps * n, G, bih.offset, Act.identity, 0, gates);
      k.biasActivation(gates, steps * n, G, bhh.offset, Act.identity, 0, gates);
    }
  }

  protected forwardStep(cell: LSTMCell, unit: Unit, s: number, t: number): void {
    const H = this.hiddenSize, G = 4 * H, { u, n } = unit, gates = cell.gates[u].offset + t * n * G * F;
    product(0, 1, n, G, H, stateBefore(unit, unit.hidden, unit.h0, s, H), H, this.layer(unit.l, unit.d).whh.offset, H, 1, gates, G);
    requireBackend().lstmCellForward(gates, this.cellBefore(cell, unit, s), cell.cells[u].offset + t * n * H * F, unit.hidden + t * n * H * F, n, H, G);
    if (s === unit.steps - 1) requireBackend().copy(cell.cells[u].offset + t * n * H * F, cell.cn.offset + u * n * H * F, n * H);
  }

  protected beginBackward(cell: LSTMCell): void {
    requireBackend().fill(cell.dc.offset, cell.dc.size, 0);
  }

  protected backwardStep(cell: LSTMCell, unit: Unit, s: number, t: number, dh: number, dhNext: number): void {
    const H = this.hiddenSize, G = 4 * H, { u, n } = unit, dgates = cell.dgates[unit.d].offset + t * n * G * F;
    requireBackend().lstmCellBackward(cell.gates[u].offset + t * n * G * F, this.cellBefore(cell, unit, s), cell.cells[u].offset + t * n * H * F, dh, cell.dc.offset, dgates, n, H, G);
    product(0, 0, n, H, G, dgates, G, this.layer(unit.l, unit.d).whh.offset, H, 0, dhNext, H);
  }

  protected gateGradients(cell: LSTMCell, d: number): { dih: number; dhh: number } {
    return { dih: cell.dgates[d].offset, dhh: cell.dgates[d].offset };
  }

  /** The unit's cell state before its s-th step. */
  private cellBefore(cell: LSTMCell, unit: Unit, s: number): number {
    return stateBefore(unit, cell.cells[unit.u].offset, cell.c0.offset + unit.u * unit.n * this.hiddenSize * F, s, this.hiddenSize);
  }
}
