import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { keep } from '../core/scope.js';
import { sameShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { Loss as LossCode } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { tensor } from '../ops/creation.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';
import { FINITE, NON_NEGATIVE, POSITIVE, UNIT, anyOf, arrayOf, checkOptions, instanceOf, oneOf, tensorOf, type Rules } from '../core/validate.js';

// Losses as torch.nn defines them, each a Module whose forward(input, target) returns a scalar
// ('mean', 'sum') or the unreduced losses ('none'). Each is one kernel forward and one backward;
// cross-entropy fuses softmax and the loss (never softmax, then log, then gather).

export type Reduction = 'mean' | 'sum' | 'none';

const REDUCTION: Rules = { reduction: oneOf('mean', 'sum', 'none') };

abstract class Loss extends Module {
  readonly reduction: Reduction;

  /** Checks the options against `reduction` plus the loss's own `rules` (torch's `weight`, a typo: errors). */
  constructor(given: unknown, rules: Rules = {}) {
    super();
    const options = checkOptions<ReductionOptions>(new.target.name, given, { ...REDUCTION, ...rules });
    this.reduction = options.reduction ?? 'mean';
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;

  protected checkTarget(target: unknown): asserts target is Tensor {
    checkInput(this, 'target', target);
    if ((target as Tensor).requiresGrad) {
      throw new OptionError(`${this.describe()}: gradients with respect to the target are not supported; pass a target without requiresGrad`);
    }
  }

  /**
   * The class scores as rows, [rows, classes]: the input itself when it is [B, C]; for torch's
   * K-dimensional form [N, C, d1, …, dk] (a segmentation's per-pixel scores) its classes moved last
   * into a buffer of the loss, `key` ([N·d1⋯dk, C], one transposeAxes call, recorded so the gradient
   * moves back), with the item shape [N, d1, …, dk] the unreduced losses take.
   */
  protected classRows(input: Tensor, key: string, recorded: boolean): { rows: Tensor; itemShape: number[] } {
    if (input.rank === 2) return { rows: input, itemShape: [input.shape[0]] };
    const [n, c] = input.shape, rest = input.shape.slice(2), d = rest.reduce((p, v) => p * v, 1);
    const rows = this.buffer(key, [n * d, c]);
    const k = requireBackend();
    k.transposeAxes(input.offset, n, c, 1, d, 1, rows.offset, c * d);
    const moved = recorded ? record(rows, `${this.describe()} classes last`, [input], [], (g, sink) => {
      sink.write(input, (dst) => k.transposeAxes(g.offset, n, d, 1, c, 1, dst, c * d));
    }) : rows;
    return { rows: moved, itemShape: [n, ...rest] };
  }

  /**
   * Reduces per-item losses to the output and records the backward. `backward(scale, rowScale,
   * dst)` writes d(loss)/d(input) with each item's upstream factor: `scale` for all items, or
   * the offset `rowScale` of per-item factors (0 when unused).
   */
  protected reduce(
    input: Tensor, perItem: Tensor, meanDivisor: number, saved: Tensor[],
    backward: (scale: number, rowScale: number, dst: number) => void,
  ): Tensor {
    const k = requireBackend();
    if (this.reduction === 'none') {
      return record(perItem, this.describe(), [input], saved, (g, sink) => {
        sink.write(input, (dst) => backward(0, g.offset, dst));
      });
    }
    const out = this.buffer('loss', []);
    k.sumCols(perItem.offset, 1, perItem.size, out.offset, 0);
    const factor = this.reduction === 'mean' ? 1 / meanDivisor : 1;
    if (factor !== 1) k.scale(out.offset, out.offset, 1, factor);
    return record(out, this.describe(), [input], saved, (g, sink) => {
      const scale = Math.fround(g.data[0] * factor);
      sink.write(input, (dst) => backward(scale, 0, dst));
    });
  }
}

/** Losses computed elementwise from input and a same-shaped target. */
abstract class ElementwiseLoss extends Loss {
  protected abstract readonly kind: number;
  protected param = 0;
  protected weight: Tensor | null = null;

  forward(input: Tensor, target: Tensor): Tensor {
    checkInput(this, 'input', input);
    this.checkTarget(target);
    if (!sameShape(input.shape, target.shape)) {
      throw new ShapeError(`${this.describe()}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
    }
    this.validate(input, target);
    const n = input.size;
    const cols = input.rank === 0 ? 1 : input.shape[input.rank - 1];
    const w = this.weight ? this.weight.offset : 0;
    if (this.weight && this.weight.size !== cols) {
      throw new ShapeError(`${this.describe()}: posWeight has ${this.weight.size} entries, the input's last dimension is ${cols}`);
    }
    const per = this.buffer('perItem', input.shape);
    const k = requireBackend();
    const { kind, param } = this;
    k.lossForward(kind, param, input.offset, target.offset, w, n, cols, per.offset);
    return this.reduce(input, per, n, [input, target], (scale, rowScale, dst) =>
      k.lossBackward(kind, param, input.offset, target.offset, w, n, cols, scale, rowScale, dst));
  }

  protected validate(_input: Tensor, _target: Tensor): void {}
}

export interface ReductionOptions {
  reduction?: Reduction;
}

/** (x − y)² */
export class MSELoss extends ElementwiseLoss {
  protected readonly kind = LossCode.mse;
  constructor(options?: ReductionOptions) { super(options); }
}

/** |x − y| (gradient 0 where x = y) */
export class L1Loss extends ElementwiseLoss {
  protected readonly kind = LossCode.l1;
  constructor(options?: ReductionOptions) { super(options); }
}

/** 0.5r² if |r| < δ, else δ(|r| − 0.5δ) */
export class HuberLoss extends ElementwiseLoss {
  protected readonly kind = LossCode.huber;
  readonly delta: number;
  constructor(options?: ReductionOptions & { delta?: number }) {
    super(options, { delta: POSITIVE });
    this.delta = this.param = options?.delta ?? 1;
  }
}

/** 0.5r²/β if |r| < β, else |r| − 0.5β (β = 0 is L1) */
export class SmoothL1Loss extends ElementwiseLoss {
  protected readonly kind = LossCode.smoothL1;
  readonly beta: number;
  constructor(options?: ReductionOptions & { beta?: number }) {
    super(options, { beta: NON_NEGATIVE });
    this.beta = this.param = options?.beta ?? 1;
  }
}

/** −[y·log x + (1 − y)·log(1 − x)] on probabilities x ∈ [0, 1] (each log clamped at −100, as torch). */
export class BCELoss extends ElementwiseLoss {
  protected readonly kind = LossCode.bce;
  constructor(options?: ReductionOptions) { super(options); }

  protected override validate(input: Tensor): void {
    const x = input.data;
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] >= 0 && x[i] <= 1)) {
        throw new OptionError(`BCELoss: input[${i}] = ${x[i]} is not a probability in [0, 1] (use BCEWithLogitsLoss for logits)`);
      }
    }
  }
}

const POS_WEIGHT = anyOf(tensorOf(1), arrayOf(FINITE), instanceOf(Float32Array));

/** BCE on logits, computed stably; `posWeight` (one per column) weights the positive term. */
export class BCEWithLogitsLoss extends ElementwiseLoss {
  protected readonly kind = LossCode.bceWithLogits;
  constructor(options?: ReductionOptions & { posWeight?: Tensor | number[] | Float32Array }) {
    super(options, { posWeight: POS_WEIGHT });
    const pw = options?.posWeight;
    if (pw !== undefined) {
      const t = pw instanceof Tensor ? pw.clone() : tensor(pw as number[]);
      this.weight = keep(t);
    }
  }

  override dispose(): void {
    super.dispose();
    this.weight?.dispose();
  }
}

/**
 * Validates class-index targets: integers in [0, classes), one per row of a [B, C] input, or of
 * shape [N, d1, …] for an input [N, C, d1, …].
 */
function checkClassTargets(owner: string, input: Tensor, target: Tensor): void {
  // [B, C] (every training step of a classifier) is checked without building the expected shape.
  const fits = input.rank === 2 ? target.rank === 1 && target.shape[0] === input.shape[0]
    : target.rank === input.rank - 1 && target.shape[0] === input.shape[0] && target.shape.every((s, i) => i === 0 || s === input.shape[i + 1]);
  if (!fits) {
    const expected = [input.shape[0], ...input.shape.slice(2)];
    const what = input.rank === 2 ? `${input.shape[0]} class indices (one per row)` : `class indices of shape ${formatShape(expected)}`;
    throw new ShapeError(
      `${owner}: target ${formatShape(target.shape)} does not match input ${formatShape(input.shape)}: ` +
        `expected ${what}, or probabilities of the input's shape`,
    );
  }
  const classes = input.shape[1];
  const t = target.data;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isInteger(t[i]) || t[i] < 0 || t[i] >= classes) {
      throw new OptionError(`${owner}: target[${i}] = ${t[i]} is not a class index in [0, ${classes})`);
    }
  }
}

function checkLogits(owner: Module, input: Tensor): void {
  if (input.rank < 2 || input.shape[1] < 1) {
    throw new ShapeError(`${owner.describe()}: input must be [batch, classes] or [batch, classes, d1, …], got ${formatShape(input.shape)}`);
  }
}


/**
 * Softmax + negative log-likelihood on logits [B, C] (or [N, C, d1, …] with targets [N, d1, …]:
 * per position, as torch), fused. Targets are class indices (float32 integers) or probabilities
 * of the input's shape; `labelSmoothing` ε mixes the target with the uniform distribution:
 * q ← (1 − ε)q + ε/C. 'mean' divides by the number of items (B, or N·d1⋯dk).
 */
export class CrossEntropyLoss extends Loss {
  readonly labelSmoothing: number;

  constructor(options?: ReductionOptions & { labelSmoothing?: number }) {
    super(options, { labelSmoothing: UNIT });
    this.labelSmoothing = options?.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    checkInput(this, 'input', input);
    this.checkTarget(target);
    checkLogits(this, input);
    const probTargets = target.rank === input.rank ? 1 : 0;
    if (probTargets) {
      if (!sameShape(target.shape, input.shape)) {
        throw new ShapeError(`CrossEntropyLoss: probability target ${formatShape(target.shape)} must match input ${formatShape(input.shape)}`);
      }
    } else {
      checkClassTargets('CrossEntropyLoss', input, target);
    }
    const { rows: logits, itemShape } = this.classRows(input, 'rowsInput', true);
    const targets = probTargets ? this.classRows(target, 'rowsTarget', false).rows : target;
    const [m, n] = logits.shape;
    const probs = this.buffer('probs', [m, n]);
    const perItem = this.buffer('perItem', itemShape);
    const k = requireBackend();
    const ls = this.labelSmoothing;
    k.crossEntropyForward(logits.offset, targets.offset, probTargets, ls, m, n, probs.offset, perItem.offset);
    return this.reduce(logits, perItem, m, [targets, probs], (scale, rowScale, dst) =>
      k.crossEntropyBackward(probs.offset, targets.offset, probTargets, ls, m, n, scale, rowScale, dst));
  }
}

/** −logp[i, t_i] on log-probabilities [B, C] and class indices [B] (or [N, C, d1, …] and [N, d1, …]). 'mean' divides by the items. */
export class NLLLoss extends Loss {
  constructor(options?: ReductionOptions) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    checkInput(this, 'input', input);
    this.checkTarget(target);
    checkLogits(this, input);
    checkClassTargets('NLLLoss', input, target);
    const { rows: logp, itemShape } = this.classRows(input, 'rowsInput', true);
    const [m, n] = logp.shape;
    const perItem = this.buffer('perItem', itemShape);
    const k = requireBackend();
    k.nllForward(logp.offset, target.offset, m, n, perItem.offset);
    return this.reduce(logp, perItem, m, [target], (scale, rowScale, dst) =>
      k.nllBackward(target.offset, m, n, scale, rowScale, dst));
  }
}
