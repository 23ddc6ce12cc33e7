import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import type { GradSink } from '../core/grad-fn.js';
import { Act } from '../backend/backend.js';
import { int } from '../core/validate.js';
import { RecurrentBase, product, stateBefore, type SequenceLayout, type Unit } from './recurrent.js';
import type { LSTMOptions, LSTMState } from './recurrent-options.js';

const F = 4; // bytes a float

/**
 * An LSTM forward's own buffers: per unit its gates [T, N, 4H] and cell states [T, N, H]; c0, c_n;
 * per direction the gates' gradients; dc. With projSize also per unit the cell's output before the
 * projection [T, N, H], per direction the gradients reaching h [T, N, P], and their step's product
 * through the projection [N, H].
 */
interface LSTMCell {
  gates: Tensor[];
  cells: Tensor[];
  c0: Tensor;
  cn: Tensor;
  dgates: Tensor[];
  dc: Tensor;
  unprojected: Tensor[] | null;
  dProjected: Tensor[] | null;
  dUnprojected: Tensor | null;
}

/**
 * A long short-term memory network, as torch.nn.LSTM: for each step t and layer,
 * [i | f | g | o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh, activated σ, σ, tanh, σ;
 * c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t) (times W_hrᵀ with projSize). Parameters under torch's
 * names (weight_ih_l0 [4H, inputSize], weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0 [4H],
 * weight_hr_l0 [P, H] with projSize, then _l0_reverse when bidirectional, then _l1 …), each
 * initialised U(±1/√H) in that order, as torch.
 *
 * forward(x) returns the top layer's hidden state at every step — torch's `output`, [T, N, D·S]
 * ([N, T, D·S] with batchFirst; [T, D·S] for one unbatched sequence; D = 2 when bidirectional, the
 * reverse direction's states in the last S columns; S = projSize when set, else H) — and is
 * differentiable. After it, `state` holds (h_n, c_n) of every layer and direction, [numLayers·D,
 * N, S] and [numLayers·D, N, H], as constants (torch's hidden state, detached, as it is carried
 * between batches); `forward(x, state)` starts from a given one (zeros otherwise). A reverse
 * direction's h_n is its state after reading the first step.
 *
 * The products run as gemm: all steps' x·W_ihᵀ of a layer in one call, then per step h·W_hhᵀ
 * accumulated into the gates, and the elementwise cell in lstmCellForward; backward through time
 * by lstmCellBackward, the weight gradients as gemm over all steps at once (the same bits on
 * every thread count: gemm's split never changes a sum's order).
 */
export class LSTM extends RecurrentBase<LSTMCell> {
  /** (h_n, c_n) after the last forward, [numLayers·directions, N, stateSize] and [numLayers·directions, N, H] (constants), or null before it. */
  state: LSTMState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: LSTMOptions) {
    // torch: 0 ≤ proj_size < hidden_size (hiddenSize itself is checked first).
    super('LSTM', 4, inputSize, hiddenSize, given, { projSize: int(0, Math.max(0, Number.isInteger(hiddenSize) ? hiddenSize - 1 : 0)) });
  }

  override forward(x: Tensor, initial?: LSTMState): Tensor {
    const { y, hn, cell } = this.run(x, initial as Record<string, Tensor> | undefined, { h: this.stateSize, c: this.hiddenSize });
    this.state = { h: hn, c: cell.cn };
    return y;
  }

  protected prepare({ steps, n, stateShape }: SequenceLayout, initial: Record<string, Tensor> | undefined): LSTMCell {
    const H = this.hiddenSize, P = this.projSize, units = this.numLayers * this.directions, k = requireBackend();
    const cell = {
      gates: this.unitBuffers('gates', [steps, n, 4 * H]), cells: this.unitBuffers('cells', [steps, n, H]),
      c0: this.buffer('c0', [units, n, H]), cn: this.buffer('cn', [...stateShape.slice(0, -1), H]),
      dgates: this.directionBuffers('dgates', [steps, n, 4 * H]), dc: this.buffer('dc', [n, H]),
      unprojected: P ? this.unitBuffers('unprojected', [steps, n, H]) : null,
      dProjected: P ? this.directionBuffers('dProjected', [steps, n, P]) : null,
      dUnprojected: P ? this.buffer('dUnprojected', [n, H]) : null,
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
    const H = this.hiddenSize, S = this.stateSize, G = 4 * H, { u, n } = unit, k = requireBackend();
    const { whh, whr } = this.layer(unit.l, unit.d), gates = cell.gates[u].offset + t * n * G * F, c = cell.cells[u].offset + t * n * H * F;
    const h = unit.hidden + t * n * S * F, cellOutput = cell.unprojected ? cell.unprojected[u].offset + t * n * H * F : h;
    product(0, 1, n, G, S, stateBefore(unit, unit.hidden, unit.h0, s, S), S, whh.offset, S, 1, gates, G);
    k.lstmCellForward(gates, this.cellBefore(cell, unit, s), c, cellOutput, n, H, G);
    if (whr) product(0, 1, n, S, H, cellOutput, H, whr.offset, H, 0, h, S); // h_t = (o·tanh c_t)·W_hrᵀ
    if (s === unit.steps - 1) k.copy(c, cell.cn.offset + u * n * H * F, n * H);
  }

  protected override beginBackward(cell: LSTMCell): void {
    requireBackend().fill(cell.dc.offset, cell.dc.size, 0);
  }

  protected backwardStep(cell: LSTMCell, unit: Unit, s: number, t: number, dh: number, dhNext: number): void {
    const H = this.hiddenSize, S = this.stateSize, G = 4 * H, { u, n } = unit, k = requireBackend();
    const { whh, whr } = this.layer(unit.l, unit.d), dgates = cell.dgates[unit.d].offset + t * n * G * F;
    let dCellOutput = dh;
    if (whr) {
      // Through the projection: what reaches o·tanh c_t is dh·W_hr; dh is kept for W_hr's gradient.
      k.copy(dh, cell.dProjected![unit.d].offset + t * n * S * F, n * S);
      dCellOutput = cell.dUnprojected!.offset;
      product(0, 0, n, H, S, dh, S, whr.offset, H, 0, dCellOutput, H);
    }
    k.lstmCellBackward(cell.gates[u].offset + t * n * G * F, this.cellBefore(cell, unit, s), cell.cells[u].offset + t * n * H * F, dCellOutput, cell.dc.offset, dgates, n, H, G);
    product(0, 0, n, S, G, dgates, G, whh.offset, S, 0, dhNext, S);
  }

  protected gateGradients(cell: LSTMCell, d: number): { dih: number; dhh: number } {
    return { dih: cell.dgates[d].offset, dhh: cell.dgates[d].offset };
  }

  /** dW_hr = Σ_t dh_tᵀ·(o·tanh c_t), over all steps in one product. */
  protected override cellGradients(sink: GradSink, cell: LSTMCell, unit: Unit): void {
    const { whr } = this.layer(unit.l, unit.d);
    if (!whr) return;
    const H = this.hiddenSize, S = this.stateSize, rows = unit.steps * unit.n;
    sink.writeOrAdd(whr, (dst, add) => product(1, 0, S, H, rows, cell.dProjected![unit.d].offset, S, cell.unprojected![unit.u].offset, H, add ? 1 : 0, dst, H));
  }

  /** The unit's cell state before its s-th step. */
  private cellBefore(cell: LSTMCell, unit: Unit, s: number): number {
    return stateBefore(unit, cell.cells[unit.u].offset, cell.c0.offset + unit.u * unit.n * this.hiddenSize * F, s, this.hiddenSize);
  }
}
