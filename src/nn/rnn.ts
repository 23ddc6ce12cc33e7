import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act, type ActCode } from '../backend/backend.js';
import { oneOf } from '../core/validate.js';
import { RecurrentBase, product, stateBefore, type SequenceLayout, type Unit } from './recurrent.js';
import type { RNNOptions, RNNState } from './recurrent-options.js';

const F = 4; // bytes a float

/** An RNN forward's own buffers: per unit the pre-activations [T, N, H]; per direction their gradients. */
interface RNNCell {
  pre: Tensor[];
  dpre: Tensor[];
}

/**
 * An Elman recurrent network, as torch.nn.RNN: for each step and layer h' = act(x·W_ihᵀ + b_ih +
 * h·W_hhᵀ + b_hh), act tanh (default) or relu (`nonlinearity`). Parameters under torch's names
 * (weight_ih_l0 [H, inputSize], weight_hh_l0 [H, H], bias_ih_l0, bias_hh_l0 [H], `_reverse` ones
 * when bidirectional, then _l1 …), initialised U(±1/√H) in that order. forward(x) returns torch's
 * `output` (differentiable), `state` holds h_n as a constant afterwards, and forward(x, state)
 * starts from one, as LSTM's and GRU's. The products run as gemm, the activation and its backward
 * on the activation kernels every layer uses.
 */
export class RNN extends RecurrentBase<RNNCell> {
  /** h_n after the last forward, [numLayers·directions, N, H] (a constant), or null before it. */
  state: RNNState | null = null;
  readonly nonlinearity: 'tanh' | 'relu';
  private readonly act: ActCode;

  constructor(inputSize: number, hiddenSize: number, given?: RNNOptions) {
    super('RNN', 1, inputSize, hiddenSize, given, { nonlinearity: oneOf('tanh', 'relu') });
    this.nonlinearity = given?.nonlinearity ?? 'tanh';
    this.act = this.nonlinearity === 'relu' ? Act.relu : Act.tanh;
  }

  override forward(x: Tensor, initial?: RNNState): Tensor {
    const { y, hn } = this.run(x, initial as Record<string, Tensor> | undefined, { h: this.stateSize });
    this.state = { h: hn };
    return y;
  }

  protected override cellOptions(): string[] {
    return this.nonlinearity === 'relu' ? ['nonlinearity relu'] : [];
  }

  protected prepare({ steps, n }: SequenceLayout): RNNCell {
    const H = this.hiddenSize;
    return { pre: this.unitBuffers('pre', [steps, n, H]), dpre: this.directionBuffers('dpre', [steps, n, H]) };
  }

  protected inputProduct(cell: RNNCell, { u, l, d, input, width, steps, n }: Unit): void {
    const { wih, bih, bhh } = this.layer(l, d), k = requireBackend(), H = this.hiddenSize, pre = cell.pre[u].offset;
    product(0, 1, steps * n, H, width, input, width, wih.offset, width, 0, pre, H);
    if (bih && bhh) {
      k.biasActivation(pre, steps * n, H, bih.offset, Act.identity, 0, pre);
      k.biasActivation(pre, steps * n, H, bhh.offset, Act.identity, 0, pre);
    }
  }

  protected forwardStep(cell: RNNCell, unit: Unit, s: number, t: number): void {
    const H = this.hiddenSize, { u, n } = unit, at = t * n * H * F, pre = cell.pre[u].offset + at;
    product(0, 1, n, H, H, stateBefore(unit, unit.hidden, unit.h0, s, H), H, this.layer(unit.l, unit.d).whh.offset, H, 1, pre, H);
    requireBackend().activationForward(this.act, 0, pre, unit.hidden + at, n * H);
  }

  protected backwardStep(cell: RNNCell, unit: Unit, _s: number, t: number, dh: number, dhNext: number): void {
    const H = this.hiddenSize, { u, n } = unit, at = t * n * H * F, dpre = cell.dpre[unit.d].offset + at;
    requireBackend().activationBackward(this.act, 0, cell.pre[u].offset + at, unit.hidden + at, dh, dpre, n * H);
    product(0, 0, n, H, H, dpre, H, this.layer(unit.l, unit.d).whh.offset, H, 0, dhNext, H);
  }

  protected gateGradients(cell: RNNCell, d: number): { dih: number; dhh: number } {
    return { dih: cell.dpre[d].offset, dhh: cell.dpre[d].offset };
  }
}
