import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { globalRandom, type Random } from '../core/rng.js';
import { dropoutMask } from './dropout-mask.js';
import { gemmWorkspace, requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import type { GradSink } from '../core/grad-fn.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE_INT, UNIT, checkOptions, checkValue, int, required, type Rule } from '../core/validate.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { GENERATOR, uniform } from './init.js';
import { checkInput } from './validate.js';
import type { RecurrentOptions } from './recurrent-options.js';

const SIZE = required(POSITIVE_INT);
const F = 4; // bytes a float

/** What names layer l's direction d, as torch's parameter names do (`0`, `0_reverse`, `1` …): weight_ih_l0_reverse, hidden0_reverse. */
function unitName(l: number, d: number): string {
  return `${l}${d ? '_reverse' : ''}`;
}

/** The time direction d reads at its s-th step: the forward one from the start, the reverse one from the end. */
export function timeAt(d: number, s: number, steps: number): number {
  return d === 0 ? s : steps - 1 - s;
}

/** Where `unit`'s state before its s-th step is: the step before in its direction's walk in `states` ([T, N, width]), or `initial`. */
export function stateBefore(unit: Unit, states: number, initial: number, s: number, width: number): number {
  return s === 0 ? initial : states + timeAt(unit.d, s - 1, unit.steps) * unit.n * width * F;
}

/** One unit's place in a forward: its layer and direction, its input and where its states are. */
export interface Unit {
  /** l·directions + d. */
  u: number;
  l: number;
  d: number;
  /** The layer's input [T·N, width], time-major. */
  input: number;
  width: number;
  /** The unit's hidden states [T, N, H], time-major. */
  hidden: number;
  /** Its initial state [N, H]. */
  h0: number;
  steps: number;
  n: number;
}

/** A sequence's layout, from the input's shape. */
export interface SequenceLayout {
  batched: boolean;
  timeMajor: boolean;
  steps: number;
  n: number;
  stateShape: number[];
}

/**
 * What LSTM, GRU and RNN share: torch's options, the parameters (weight_ih_l{k} [gates·H, in],
 * weight_hh_l{k} [gates·H, H], bias_ih_l{k}, bias_hh_l{k}, then the same with `_reverse` when
 * bidirectional) and their U(±1/√H) initialisation, the input's layout and the state's checks, and
 * the forward and backward over layers, directions and steps (`run`): each kind of cell supplies
 * its buffers, its input product, one step forward and one step back.
 *
 * A (layer, direction) pair is a "unit", numbered l·directions + d as torch numbers h_n's rows.
 * The reverse direction walks the steps from the last to the first; every buffer a run needs is
 * taken before it computes, so the backward allocates nothing.
 */
export abstract class RecurrentBase<Cell> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** Dropout between layers in training (0: none). */
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** 2 when bidirectional, else 1. */
  readonly directions: number;
  /** LSTM's projection of h (0: none). */
  readonly projSize: number;
  /** The width of h, what each step hands the next and the layer above: projSize when set, else hiddenSize. */
  readonly stateSize: number;

  protected constructor(owner: string, gates: number, inputSize: number, hiddenSize: number, given: RecurrentOptions | undefined, rules: Record<string, Rule> = {}) {
    super();
    checkValue(owner, 'inputSize', inputSize, SIZE);
    checkValue(owner, 'hiddenSize', hiddenSize, SIZE);
    const options = checkOptions<RecurrentOptions>(owner, given, {
      numLayers: POSITIVE_INT, bias: BOOLEAN, batchFirst: BOOLEAN, dropout: UNIT, bidirectional: BOOLEAN, projSize: int(0, 0), ...rules,
    });
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    this.directions = this.bidirectional ? 2 : 1;
    this.projSize = options.projSize ?? 0;
    this.stateSize = this.projSize || hiddenSize;
    if (this.dropout > 0 && this.numLayers === 1) {
      throw new OptionError(`${owner}: dropout ${this.dropout} applies between layers, and numLayers 1 has none (torch warns and ignores it); drop it, or use numLayers > 1`);
    }
    const g = gates * hiddenSize, own = this as unknown as Record<string, Parameter>;
    const made: Parameter[] = [];
    try {
      for (let l = 0; l < this.numLayers; l++) {
        for (let d = 0; d < this.directions; d++) {
          const suffix = `l${unitName(l, d)}`;
          made.push(own[`weight_ih_${suffix}`] = new Parameter(null, [g, this.inputWidth(l)]));
          made.push(own[`weight_hh_${suffix}`] = new Parameter(null, [g, this.stateSize]));
          if (this.bias) {
            made.push(own[`bias_ih_${suffix}`] = new Parameter(null, [g]));
            made.push(own[`bias_hh_${suffix}`] = new Parameter(null, [g]));
          }
          if (this.projSize) made.push(own[`weight_hr_${suffix}`] = new Parameter(null, [this.projSize, hiddenSize]));
        }
      }
    } catch (error) {
      for (const p of made) p.dispose(); // out of heap part-way: free what was taken
      throw error;
    }
    this.resetParameters();
  }

  /** Draws every parameter U(±1/√hiddenSize), in torch's order (weight_ih, weight_hh, bias_ih, bias_hh, weight_hr per layer and direction). */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform(p, -bound, bound, generator);
  }

  override describe(): string {
    const extras = [
      ...this.cellOptions(), this.numLayers !== 1 ? `numLayers ${this.numLayers}` : '', this.bias ? '' : 'no bias', this.batchFirst ? 'batchFirst' : '',
      this.dropout ? `dropout ${this.dropout}` : '', this.bidirectional ? 'bidirectional' : '', this.projSize ? `projSize ${this.projSize}` : '',
    ]
      .filter((s) => s !== '');
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}${extras.map((s) => `, ${s}`).join('')})`;
  }

  /** The cell's own options for describe() (RNN's nonlinearity when not the default). */
  protected cellOptions(): string[] {
    return [];
  }

  /** Layer l's parameters in direction d (read at call time: a Sequential moves them into its block). */
  protected layer(l: number, d: number): { wih: Parameter; whh: Parameter; bih: Parameter | null; bhh: Parameter | null; whr: Parameter | null } {
    const own = this as unknown as Record<string, Parameter | undefined>, suffix = `l${unitName(l, d)}`;
    return {
      wih: own[`weight_ih_${suffix}`]!, whh: own[`weight_hh_${suffix}`]!, bih: own[`bias_ih_${suffix}`] ?? null, bhh: own[`bias_hh_${suffix}`] ?? null,
      whr: own[`weight_hr_${suffix}`] ?? null,
    };
  }

  /** The width of layer l's input: the input's features, or the layer below's hidden states of every direction. */
  protected inputWidth(l: number): number {
    return l === 0 ? this.inputSize : this.directions * this.stateSize;
  }

  /** A buffer per unit, `name0`, `name0_reverse`, `name1` … */
  protected unitBuffers(name: string, shape: readonly number[]): Tensor[] {
    const D = this.directions;
    return Array.from({ length: this.numLayers * D }, (_, u) => this.buffer(`${name}${unitName(Math.floor(u / D), u % D)}`, shape));
  }

  /** A buffer per direction, `name` and `nameReverse` (what one unit's backward fills and the input gradient then reads). */
  protected directionBuffers(name: string, shape: readonly number[]): Tensor[] {
    return Array.from({ length: this.directions }, (_, d) => this.buffer(`${name}${d ? 'Reverse' : ''}`, shape));
  }

  /** The cell's buffers for this layout (and its state beyond h, from `initial` or zeros), taken before anything runs. */
  protected abstract prepare(layout: SequenceLayout, initial: Record<string, Tensor> | undefined): Cell;
  /** Unit's input product over all steps into its gates, with the biases that go there. */
  protected abstract inputProduct(cell: Cell, unit: Unit): void;
  /** Unit's step s (at time t): from the state before it to its hidden state at t (and the cell's own). */
  protected abstract forwardStep(cell: Cell, unit: Unit, s: number, t: number): void;
  /** Before unit's backward through time (LSTM zeroes the cell state's gradient). */
  protected beginBackward(_cell: Cell, _unit: Unit): void {}
  /** Its step back: from `dh` (what reaches h_t) to the gates' gradients at t and `dhNext`, what reaches the state before. */
  protected abstract backwardStep(cell: Cell, unit: Unit, s: number, t: number, dh: number, dhNext: number): void;
  /** The gates' gradients of direction d over all steps, after its backward: the input product's and the hidden one's. */
  protected abstract gateGradients(cell: Cell, d: number): { dih: number; dhh: number };
  /** The gradients of the cell's own parameters after unit's backward (LSTM's projection). */
  protected cellGradients(_sink: GradSink, _cell: Cell, _unit: Unit): void {}

  /**
   * The forward of every layer and direction over x: returns torch's `output` (recorded for
   * backward) and h_n [numLayers·D, N, stateSize] (a constant); `initial` is checked for each of
   * `keys`, a state's name and its width (h: stateSize; LSTM's c: hiddenSize).
   */
  protected run(x: Tensor, initial: Record<string, Tensor> | undefined, keys: Record<string, number>): { y: Tensor; hn: Tensor; cell: Cell } {
    const layout = this.sequence(x), { timeMajor, steps, n, stateShape } = layout;
    const S = this.stateSize, L = this.numLayers, D = this.directions, rows = steps * n, nS = n * S * F;
    if (initial !== undefined) this.checkState(initial, keys, stateShape);
    const k = requireBackend();
    const xTime = timeMajor ? x : this.buffer('xTime', [steps, n, this.inputSize]);
    const h0 = this.buffer('h0', [L * D, n, S]);
    const { hidden, out } = this.hiddenBuffers(layout);
    const y = timeMajor ? out[L - 1] : this.buffer('y', [n, steps, D * S]);
    const dOut = [this.buffer('dOutA', [steps, n, D * S]), this.buffer('dOutB', [steps, n, D * S])];
    const dDirection = D === 1 ? null : this.buffer('dDirection', [steps, n, S]);
    const dh = this.buffer('dh', [n, S]), dhNext = this.buffer('dhNext', [n, S]);
    const dxTime = timeMajor ? null : this.buffer('dxTime', [steps, n, this.inputSize]);
    const hn = this.buffer('hn', stateShape);
    const cell = this.prepare(layout, initial);
    if (!timeMajor) k.transposeAxes(x.offset, 1, n, 1, steps, this.inputSize, xTime.offset, x.size);
    if (initial) k.copy(initial.h.offset, h0.offset, h0.size);
    else k.fill(h0.offset, h0.size, 0);
    const drops: ({ input: Tensor; mask: Tensor } | null)[] = [];
    const units: Unit[] = [];
    for (let l = 0; l < L; l++) {
      const input = (l === 0 ? xTime : drops[l - 1]?.input ?? out[l - 1]).offset;
      for (let d = 0; d < D; d++) {
        const u = l * D + d, unit: Unit = { u, l, d, input, width: this.inputWidth(l), hidden: hidden[u].offset, h0: h0.offset + u * nS, steps, n };
        units.push(unit);
        this.inputProduct(cell, unit);
        for (let s = 0; s < steps; s++) this.forwardStep(cell, unit, s, timeAt(d, s, steps));
        k.copy(unit.hidden + timeAt(d, steps - 1, steps) * nS, hn.offset + u * nS, n * S);
      }
      this.joinDirections(hidden, out[l], l, rows);
      drops.push(this.dropBetween(l, out[l], steps, n));
    }
    if (!timeMajor) k.transposeAxes(out[L - 1].offset, 1, steps, 1, n, D * S, y.offset, y.size);
    const params = this.parameters();
    const recorded = record(y, this.describe(), [x, ...params], [x, ...params], (g, sink) => {
      // The top layer's output gradient, time-major.
      if (timeMajor) k.copy(g.offset, dOut[0].offset, rows * D * S);
      else k.transposeAxes(g.offset, 1, n, 1, steps, D * S, dOut[0].offset, rows * D * S);
      for (let l = L - 1; l >= 0; l--) {
        const layerGradient = dOut[(L - 1 - l) % 2].offset;
        for (let d = 0; d < D; d++) {
          const unit = units[l * D + d], dHidden = this.directionGradient(d, layerGradient, dDirection!, rows);
          this.beginBackward(cell, unit);
          k.fill(dhNext.offset, n * S, 0);
          for (let s = steps - 1; s >= 0; s--) {
            const t = timeAt(d, s, steps);
            k.add(dHidden + t * nS, dhNext.offset, dh.offset, n * S);
            this.backwardStep(cell, unit, s, t, dh.offset, dhNext.offset);
          }
          this.parameterGradients(sink, unit, this.gateGradients(cell, d));
          this.cellGradients(sink, cell, unit);
        }
        const dih = Array.from({ length: D }, (_, d) => this.gateGradients(cell, d).dih);
        this.inputGradient(sink, x, l, { dih, steps, n, below: dOut[(L - l) % 2].offset, mask: drops[l - 1]?.mask ?? null, timeMajor, dxTime });
      }
    });
    return { y: recorded, hn, cell };
  }

  /**
   * Each unit's hidden states [T, N, H] and each layer's output, time-major: the unit's own buffer
   * with one direction, both side by side ([T, N, 2H], filled by joinDirections) with two. The
   * top layer's output is the module's when time-major, so it gets the output's shape.
   */
  protected hiddenBuffers(at: SequenceLayout): { hidden: Tensor[]; out: Tensor[] } {
    const { steps, n } = at, S = this.stateSize, D = this.directions, L = this.numLayers;
    const shapeOf = (l: number, width: number) => (l === L - 1 && at.timeMajor && !at.batched ? [steps, width] : [steps, n, width]);
    const hidden: Tensor[] = [], out: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) hidden.push(this.buffer(`hidden${unitName(l, d)}`, D === 1 ? shapeOf(l, S) : [steps, n, S]));
      out.push(D === 1 ? hidden[l] : this.buffer(`out${l}`, shapeOf(l, D * S)));
    }
    return { hidden, out };
  }

  /** Layer l's output from its units' hidden states: each direction's S columns of every row. */
  protected joinDirections(hidden: Tensor[], out: Tensor, l: number, rows: number): void {
    const D = this.directions, S = this.stateSize;
    if (D === 1) return;
    for (let d = 0; d < D; d++) requireBackend().copyRows(hidden[l * D + d].offset, rows, S, out.offset + d * S * F, S, D * S);
  }

  /** Direction d's part of a layer's output gradient `d` ([T·N, D·S]) into `into` [T·N, S]; with one direction, `d` itself. */
  protected directionGradient(d: number, gradient: number, into: Tensor, rows: number): number {
    const D = this.directions, S = this.stateSize;
    if (D === 1) return gradient;
    requireBackend().copyRows(gradient + d * S * F, rows, S, into.offset, D * S, S);
    return into.offset;
  }

  /**
   * Dropout between layers (training, dropout > 0, not after the last layer): layer l's output
   * `out` times a fresh mask (Dropout's rule: 0 with probability p, else 1/(1 − p), drawn from
   * the seeded generator in order) into a buffer that layer l + 1 reads; null when none applies.
   */
  protected dropBetween(l: number, out: Tensor, steps: number, n: number): { input: Tensor; mask: Tensor } | null {
    if (!this.training || this.dropout === 0 || l === this.numLayers - 1) return null;
    const shape = [steps, n, this.directions * this.stateSize];
    const mask = this.buffer(`mask${l}`, shape), input = this.buffer(`dropped${l}`, shape);
    mask.data.set(dropoutMask(mask.size, this.dropout));
    requireBackend().mul(out.offset, mask.offset, input.offset, mask.size);
    return { input, mask };
  }

  /**
   * A unit's parameter gradients from its gates' pre-activation gradients of every step: `dih`
   * [T·N, G] those of the input product, `dhh` of the hidden one (one buffer for LSTM and RNN).
   * dW_hh = Σ_t dhh_tᵀ·h_prev(t) — the steps after the direction's first in one product (forward:
   * times 1… against hidden 0…; reversed: times 0… against hidden 1…), then its first step's with
   * h0 — dW_ih = dihᵀ·input, the biases their column sums.
   */
  protected parameterGradients(sink: GradSink, unit: Unit, { dih, dhh }: { dih: number; dhh: number }): void {
    const k = requireBackend(), { wih, whh, bih, bhh } = this.layer(unit.l, unit.d), { d, steps, n, width } = unit;
    const S = this.stateSize, G = whh.shape[0], rows = steps * n;
    const first = dhh + timeAt(d, 0, steps) * n * G * F;
    sink.writeOrAdd(whh, (dst, add) => {
      let beta = add ? 1 : 0;
      if (steps > 1) {
        const rest = (steps - 1) * n;
        if (d === 0) product(1, 0, G, S, rest, dhh + n * G * F, G, unit.hidden, S, beta, dst, S);
        else product(1, 0, G, S, rest, dhh, G, unit.hidden + n * S * F, S, beta, dst, S);
        beta = 1;
      }
      product(1, 0, G, S, n, first, G, unit.h0, S, beta, dst, S);
    });
    sink.writeOrAdd(wih, (dst, add) => product(1, 0, G, width, rows, dih, G, unit.input, width, add ? 1 : 0, dst, width));
    if (bih && bhh) {
      sink.writeOrAdd(bih, (dst, add) => k.sumRows(dih, rows, G, dst, add ? 1 : 0));
      sink.writeOrAdd(bhh, (dst, add) => k.sumRows(dhh, rows, G, dst, add ? 1 : 0));
    }
  }

  /**
   * Layer l's input gradient, Σ over directions of dih_d·W_ih_d: to the layer below (`below`,
   * through its dropout mask) or, for layer 0, to x (time-major, or through `dxTime` and a
   * transpose).
   */
  protected inputGradient(sink: GradSink, x: Tensor, l: number, at: {
    dih: number[]; steps: number; n: number; below: number; mask: Tensor | null; timeMajor: boolean; dxTime: Tensor | null;
  }): void {
    const k = requireBackend(), width = this.inputWidth(l), rows = at.steps * at.n;
    const into = (dst: number) => at.dih.forEach((dih, d) => {
      const { wih } = this.layer(l, d);
      product(0, 0, rows, width, wih.shape[0], dih, wih.shape[0], wih.offset, width, d === 0 ? 0 : 1, dst, width);
    });
    if (l > 0) {
      into(at.below);
      if (at.mask) k.mul(at.below, at.mask.offset, at.below, rows * width); // through the dropout between the layers
      return;
    }
    sink.write(x, (dst) => {
      if (at.timeMajor) into(dst);
      else {
        into(at.dxTime!.offset);
        k.transposeAxes(at.dxTime!.offset, 1, at.steps, 1, at.n, width, dst, x.size);
      }
    });
  }

  /** x's layout: batched or one sequence, time-major or not, its steps and sequences (checked). */
  protected sequence(x: Tensor): SequenceLayout {
    checkInput(this, 'x', x);
    const batched = x.rank === 3;
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[x.rank - 1] !== this.inputSize) {
      const layout = this.batchFirst ? '[N, T, inputSize]' : '[T, N, inputSize]';
      throw new ShapeError(`${this.describe()}: input must be ${layout} or [T, inputSize] with inputSize ${this.inputSize}, got shape ${formatShape(x.shape)}`);
    }
    const timeMajor = !(batched && this.batchFirst);
    const steps = batched && this.batchFirst ? x.shape[1] : x.shape[0], n = batched ? x.shape[this.batchFirst ? 0 : 1] : 1;
    if (steps < 1 || n < 1) throw new ShapeError(`${this.describe()}: input of shape ${formatShape(x.shape)} has no steps or no sequences`);
    const units = this.numLayers * this.directions;
    return { batched, timeMajor, steps, n, stateShape: batched ? [units, n, this.stateSize] : [units, this.stateSize] };
  }

  /** An initial state's tensors `keys` (name → width): live tensors of `shape` with that last size, taking no gradient. */
  protected checkState(initial: unknown, keys: Record<string, number>, shape: readonly number[]): void {
    if (initial === null || typeof initial !== 'object') {
      throw new OptionError(`${this.describe()}.forward: state must be { ${Object.keys(keys).join(', ')} }, got ${String(initial)}`);
    }
    const units = this.bidirectional ? '2·numLayers' : 'numLayers';
    for (const [key, width] of Object.entries(keys)) {
      const t = (initial as Record<string, unknown>)[key], want = [...shape.slice(0, -1), width];
      checkInput(this, `state.${key}`, t);
      if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
        const layout = `[${units}, N, ${width === this.hiddenSize ? 'hiddenSize' : 'projSize'}]`;
        throw new ShapeError(`${this.describe()}: state.${key} must be ${formatShape(want)} (${layout}), got ${formatShape(t.shape)}`);
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
