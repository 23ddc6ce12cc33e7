import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { globalRandom, type Random } from '../core/rng.js';
import { gemmWorkspace, requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import type { GradSink } from '../core/grad-fn.js';
import { BOOLEAN, POSITIVE_INT, UNIT, checkOptions, checkValue, int, oneOf, required } from '../core/validate.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { GENERATOR, uniform } from './init.js';
import { checkInput } from './validate.js';

/** The options of LSTM and GRU (torch's names in camelCase). */
export interface RecurrentOptions {
  /** Stacked layers, each reading the one below's hidden states (default 1). */
  numLayers?: number;
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output [N, T, features] instead of [T, N, features] (default false, as torch). */
  batchFirst?: boolean;
  /** Dropout on each layer's output but the last, in training (default 0; needs numLayers > 1, where torch warns). */
  dropout?: number;
  /** torch's bidirectional: only false here. */
  bidirectional?: boolean;
  /** torch's proj_size: only 0 here. */
  projSize?: number;
}

export type LSTMOptions = RecurrentOptions;
export type GRUOptions = RecurrentOptions;

/** The initial state for LSTM.forward: h0 and c0, [numLayers, N, hiddenSize] (or [numLayers, hiddenSize] unbatched). */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/** The initial state for GRU.forward: h0, [numLayers, N, hiddenSize] (or [numLayers, hiddenSize] unbatched). */
export interface GRUState {
  h: Tensor;
}

const SIZE = required(POSITIVE_INT);

/**
 * What LSTM and GRU share: torch's options, the parameters (weight_ih_l{k} [gates·H, in],
 * weight_hh_l{k} [gates·H, H], bias_ih_l{k}, bias_hh_l{k}) and their U(±1/√H) initialisation, the
 * input's layout and the initial state's checks.
 */
export abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** Dropout between layers in training (0: none). */
  readonly dropout: number;

  protected constructor(owner: string, gates: number, inputSize: number, hiddenSize: number, given: RecurrentOptions | undefined) {
    super();
    checkValue(owner, 'inputSize', inputSize, SIZE);
    checkValue(owner, 'hiddenSize', hiddenSize, SIZE);
    const options = checkOptions<RecurrentOptions>(owner, given, {
      numLayers: POSITIVE_INT, bias: BOOLEAN, batchFirst: BOOLEAN, dropout: UNIT, bidirectional: oneOf(false), projSize: int(0, 0),
    });
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (this.dropout > 0 && this.numLayers === 1) {
      throw new OptionError(`${owner}: dropout ${this.dropout} applies between layers, and numLayers 1 has none (torch warns and ignores it); drop it, or use numLayers > 1`);
    }
    const g = gates * hiddenSize, own = this as unknown as Record<string, Parameter>;
    const made: Parameter[] = [];
    try {
      for (let l = 0; l < this.numLayers; l++) {
        made.push(own[`weight_ih_l${l}`] = new Parameter(null, [g, l === 0 ? inputSize : hiddenSize]));
        made.push(own[`weight_hh_l${l}`] = new Parameter(null, [g, hiddenSize]));
        if (this.bias) {
          made.push(own[`bias_ih_l${l}`] = new Parameter(null, [g]));
          made.push(own[`bias_hh_l${l}`] = new Parameter(null, [g]));
        }
      }
    } catch (error) {
      for (const p of made) p.dispose(); // out of heap part-way: free what was taken
      throw error;
    }
    this.resetParameters();
  }

  /** Draws every parameter U(±1/√hiddenSize), in torch's order (weight_ih, weight_hh, bias_ih, bias_hh per layer). */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform(p, -bound, bound, generator);
  }

  override describe(): string {
    const extras = [
      this.numLayers !== 1 ? `numLayers ${this.numLayers}` : '', this.bias ? '' : 'no bias', this.batchFirst ? 'batchFirst' : '',
      this.dropout ? `dropout ${this.dropout}` : '',
    ]
      .filter((s) => s !== '');
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}${extras.map((s) => `, ${s}`).join('')})`;
  }

  /** Layer l's parameters (read at call time: a Sequential moves them into its block). */
  protected layer(l: number): { wih: Parameter; whh: Parameter; bih: Parameter | null; bhh: Parameter | null } {
    const own = this as unknown as Record<string, Parameter | undefined>;
    return { wih: own[`weight_ih_l${l}`]!, whh: own[`weight_hh_l${l}`]!, bih: own[`bias_ih_l${l}`] ?? null, bhh: own[`bias_hh_l${l}`] ?? null };
  }

  /**
   * Dropout between layers (training, dropout > 0, not after the last layer): layer l's output
   * `hidden` times a fresh mask (Dropout's rule: 0 with probability p, else 1/(1 − p), drawn from
   * the seeded generator in order) into a buffer that layer l + 1 reads; null when none applies.
   */
  protected dropBetween(l: number, hidden: Tensor, steps: number, n: number): { input: Tensor; mask: Tensor } | null {
    if (!this.training || this.dropout === 0 || l === this.numLayers - 1) return null;
    const shape = [steps, n, this.hiddenSize];
    const mask = this.buffer(`mask${l}`, shape), input = this.buffer(`dropped${l}`, shape);
    const keepScale = this.dropout === 1 ? 0 : 1 / (1 - this.dropout);
    mask.data.set(Float32Array.from({ length: mask.size }, () => (globalRandom.uniform() < this.dropout ? 0 : keepScale)));
    requireBackend().mul(hidden.offset, mask.offset, input.offset, mask.size);
    return { input, mask };
  }

  /**
   * Layer l's parameter gradients and its input's, from the gates' pre-activation gradients of
   * every step: `dih` [T·N, G] those of the input product, `dhh` of the hidden one (one buffer for
   * LSTM). dW_hh = Σ_t dhh_tᵀ·h_{t−1} (the steps after the first in one product, then the first's
   * with h0), dW_ih = dihᵀ·input, the biases their column sums; the input's gradient goes to the
   * layer below (`below`, through its dropout mask) or, for layer 0, to x (time-major, or through
   * `dxTime` and a transpose).
   */
  protected layerGradients(sink: GradSink, x: Tensor, l: number, at: {
    dih: number; dhh: number; input: number; width: number; hidden: number; h0: number; steps: number; n: number;
    below: number; mask: Tensor | null; timeMajor: boolean; dxTime: Tensor | null;
  }): void {
    const k = requireBackend(), { wih, whh, bih, bhh } = this.layer(l);
    const H = this.hiddenSize, G = whh.shape[0], rows = at.steps * at.n, { dih, dhh, input, width } = at;
    sink.writeOrAdd(whh, (dst, add) => {
      let beta = add ? 1 : 0;
      if (at.steps > 1) {
        product(1, 0, G, H, (at.steps - 1) * at.n, dhh + at.n * G * 4, G, at.hidden, H, beta, dst, H);
        beta = 1;
      }
      product(1, 0, G, H, at.n, dhh, G, at.h0, H, beta, dst, H);
    });
    sink.writeOrAdd(wih, (dst, add) => product(1, 0, G, width, rows, dih, G, input, width, add ? 1 : 0, dst, width));
    if (bih && bhh) {
      sink.writeOrAdd(bih, (dst, add) => k.sumRows(dih, rows, G, dst, add ? 1 : 0));
      sink.writeOrAdd(bhh, (dst, add) => k.sumRows(dhh, rows, G, dst, add ? 1 : 0));
    }
    if (l > 0) {
      product(0, 0, rows, H, G, dih, G, wih.offset, H, 0, at.below, H);
      if (at.mask) k.mul(at.below, at.mask.offset, at.below, rows * H); // through the dropout between the layers
      return;
    }
    sink.write(x, (dst) => {
      if (at.timeMajor) product(0, 0, rows, width, G, dih, G, wih.offset, width, 0, dst, width);
      else {
        product(0, 0, rows, width, G, dih, G, wih.offset, width, 0, at.dxTime!.offset, width);
        k.transposeAxes(at.dxTime!.offset, 1, at.steps, 1, at.n, width, dst, x.size);
      }
    });
  }

  /** x's layout: batched or one sequence, time-major or not, its steps and sequences (checked). */
  protected sequence(x: Tensor): { batched: boolean; timeMajor: boolean; steps: number; n: number; stateShape: number[] } {
    checkInput(this, 'x', x);
    const batched = x.rank === 3;
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[x.rank - 1] !== this.inputSize) {
      const layout = this.batchFirst ? '[N, T, inputSize]' : '[T, N, inputSize]';
      throw new ShapeError(`${this.describe()}: input must be ${layout} or [T, inputSize] with inputSize ${this.inputSize}, got shape ${formatShape(x.shape)}`);
    }
    const timeMajor = !(batched && this.batchFirst);
    const steps = batched && this.batchFirst ? x.shape[1] : x.shape[0], n = batched ? x.shape[this.batchFirst ? 0 : 1] : 1;
    if (steps < 1 || n < 1) throw new ShapeError(`${this.describe()}: input of shape ${formatShape(x.shape)} has no steps or no sequences`);
    return { batched, timeMajor, steps, n, stateShape: batched ? [this.numLayers, n, this.hiddenSize] : [this.numLayers, this.hiddenSize] };
  }

  /** An initial state's tensors `keys`: live tensors of `shape` that take no gradient. */
  protected checkState(initial: unknown, keys: readonly string[], shape: number[]): void {
    if (initial === null || typeof initial !== 'object') {
      throw new OptionError(`${this.describe()}.forward: state must be { ${keys.join(', ')} }, got ${String(initial)}`);
    }
    for (const key of keys) {
      const t = (initial as Record<string, unknown>)[key];
      checkInput(this, `state.${key}`, t);
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        throw new ShapeError(`${this.describe()}: state.${key} must be ${formatShape(shape)} ([numLayers, N, hiddenSize]), got ${formatShape(t.shape)}`);
      }
      if (t.requiresGrad) {
        throw new OptionError(`${this.describe()}: gradients to the initial state are not supported; pass state.${key} without requiresGrad (detached, as a carried state is)`);
      }
    }
  }
}

/** gemm(transA, transB, m × n × k) on the backend, α = 1, with the shared workspace. */
export function product(transA: number, transB: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void {
  const backend = requireBackend();
  backend.gemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc, gemmWorkspace(backend.gemmWorkspaceBytes(m, n, k)));
}

/**
 * A long short-term memory network, as torch.nn.LSTM: for each step t and layer,
 * [i | f | g | o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh, activated σ, σ, tanh, σ;
 * c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t). Parameters under torch's names (weight_ih_l0
 * [4H, inputSize], weight_hh_l0 [4H, H], bias_ih_l0, bias_hh_l0 [4H], then _l1 …), each
 * initialised U(±1/√H) in that order, as torch.
 *
 * forward(x) returns the top layer's hidden state at every step — torch's `output`, [T, N, H]
 * ([N, T, H] with batchFirst; [T, H] for one unbatched sequence) — and is differentiable: the
 * last step's slice is h_n of the top layer (`narrow(out, timeDim, T − 1, 1)`). After it, `state`
 * holds (h_n, c_n) of every layer, [numLayers, N, H], as constants (torch's hidden state, detached,
 * as it is carried between batches); `forward(x, state)` starts from a given one (zeros otherwise).
 *
 * The products run as gemm: all steps' x·W_ihᵀ of a layer in one call, then per step h·W_hhᵀ
 * accumulated into the gates, and the elementwise cell in lstmCellForward; backward through time
 * by lstmCellBackward, the weight gradients as gemm over all steps at once (the same bits on
 * every thread count: gemm's split never changes a sum's order).
 */
export class LSTM extends RecurrentBase {
  /** (h_n, c_n) after the last forward, [numLayers, N, H] (constants), or null before it. */
  state: LSTMState | null = null;

  constructor(inputSize: number, hiddenSize: number, given?: LSTMOptions) {
    super('LSTM', 4, inputSize, hiddenSize, given);
  }

  override forward(x: Tensor, initial?: LSTMState): Tensor {
    const { batched, timeMajor, steps, n, stateShape } = this.sequence(x);
    const H = this.hiddenSize, L = this.numLayers, G = 4 * H, rows = steps * n;
    if (initial !== undefined) this.checkState(initial, ['h', 'c'], stateShape);
    const k = requireBackend();
    // Every buffer the step needs is taken here, so the backward allocates nothing.
    const xTime = timeMajor ? x : this.buffer('xTime', [steps, n, this.inputSize]);
    const h0 = this.buffer('h0', [L, n, H]), c0 = this.buffer('c0', [L, n, H]);
    const gates = Array.from({ length: L }, (_, l) => this.buffer(`gates${l}`, [steps, n, G]));
    const cells = Array.from({ length: L }, (_, l) => this.buffer(`cells${l}`, [steps, n, H]));
    const hidden = Array.from({ length: L }, (_, l) => this.buffer(`hidden${l}`, l === L - 1 && timeMajor ? (batched ? [steps, n, H] : [steps, H]) : [steps, n, H]));
    const y = timeMajor ? hidden[L - 1] : this.buffer('y', [n, steps, H]);
    const dgates = this.buffer('dgates', [steps, n, G]);
    const dOut = [this.buffer('dOutA', [steps, n, H]), this.buffer('dOutB', [steps, n, H])];
    const dh = this.buffer('dh', [n, H]), dhNext = this.buffer('dhNext', [n, H]), dc = this.buffer('dc', [n, H]);
    const dxTime = timeMajor ? null : this.buffer('dxTime', [steps, n, this.inputSize]);
    const hn = this.buffer('hn', stateShape), cn = this.buffer('cn', stateShape);
    const f = 4; // bytes a float
    if (!timeMajor) k.transposeAxes(x.offset, 1, n, 1, steps, this.inputSize, xTime.offset, x.size);
    if (initial) {
      k.copy(initial.h.offset, h0.offset, h0.size);
      k.copy(initial.c.offset, c0.offset, c0.size);
    } else {
      k.fill(h0.offset, h0.size, 0);
      k.fill(c0.offset, c0.size, 0);
    }
    const drops: ({ input: Tensor; mask: Tensor } | null)[] = [];
    const inputOf = (l: number) => (l === 0 ? xTime : drops[l - 1]?.input ?? hidden[l - 1]).offset;
    for (let l = 0; l < L; l++) {
      const { wih, whh, bih, bhh } = this.layer(l);
      const input = inputOf(l), width = l === 0 ? this.inputSize : H;
      const gl = gates[l].offset, cl = cells[l].offset, hl = hidden[l].offset;
      product(0, 1, rows, G, width, input, width, wih.offset, width, 0, gl, G);
      if (bih && bhh) {
        k.biasActivation(gl, rows, G, bih.offset, Act.identity, 0, gl);
        k.biasActivation(gl, rows, G, bhh.offset, Act.identity, 0, gl);
      }
      for (let t = 0; t < steps; t++) {
        const hPrev = t === 0 ? h0.offset + l * n * H * f : hl + (t - 1) * n * H * f;
        const cPrev = t === 0 ? c0.offset + l * n * H * f : cl + (t - 1) * n * H * f;
        product(0, 1, n, G, H, hPrev, H, whh.offset, H, 1, gl + t * n * G * f, G);
        k.lstmCellForward(gl + t * n * G * f, cPrev, cl + t * n * H * f, hl + t * n * H * f, n, H, G);
      }
      k.copy(hl + (steps - 1) * n * H * f, hn.offset + l * n * H * f, n * H);
      k.copy(cl + (steps - 1) * n * H * f, cn.offset + l * n * H * f, n * H);
      drops.push(this.dropBetween(l, hidden[l], steps, n));
    }
    if (!timeMajor) k.transposeAxes(hidden[L - 1].offset, 1, steps, 1, n, H, y.offset, y.size);
    this.state = { h: hn, c: cn };
    const params = this.parameters();
    return record(y, this.describe(), [x, ...params], [x, ...params], (g, sink) => {
      // The top layer's output gradient, time-major.
      if (timeMajor) k.copy(g.offset, dOut[0].offset, rows * H);
      else k.transposeAxes(g.offset, 1, n, 1, steps, H, dOut[0].offset, rows * H);
      for (let l = L - 1; l >= 0; l--) {
        const { whh } = this.layer(l);
        const input = inputOf(l), width = l === 0 ? this.inputSize : H;
        const gl = gates[l].offset, cl = cells[l].offset, hl = hidden[l].offset, d = dOut[(L - 1 - l) % 2].offset;
        k.fill(dc.offset, n * H, 0);
        k.fill(dhNext.offset, n * H, 0);
        for (let t = steps - 1; t >= 0; t--) {
          const cPrev = t === 0 ? c0.offset + l * n * H * f : cl + (t - 1) * n * H * f;
          k.add(d + t * n * H * f, dhNext.offset, dh.offset, n * H);
          k.lstmCellBackward(gl + t * n * G * f, cPrev, cl + t * n * H * f, dh.offset, dc.offset, dgates.offset + t * n * G * f, n, H, G);
          product(0, 0, n, H, G, dgates.offset + t * n * G * f, G, whh.offset, H, 0, dhNext.offset, H);
        }
        this.layerGradients(sink, x, l, {
          dih: dgates.offset, dhh: dgates.offset, input, width, hidden: hl, h0: h0.offset + l * n * H * f, steps, n,
          below: dOut[(L - l) % 2].offset, mask: drops[l - 1]?.mask ?? null, timeMajor, dxTime,
        });
      }
    });
  }
}
