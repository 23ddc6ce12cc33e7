import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { sameShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { UNIT, int, type Rules } from '../core/validate.js';
import { checkInput } from './validate.js';
import { Loss, VECTOR, keptVector, type ReductionOptions, type VectorLike } from './loss.js';

// The classification losses on scores [B, C] or torch's K-dimensional form [N, C, d1, …] (a
// segmentation's per-pixel scores): CrossEntropyLoss (softmax fused in) and NLLLoss, with torch's
// class weights and ignored index. Cross-entropy is one kernel forward and one backward; it never
// runs softmax, then log, then a gather.

/** torch's default `ignore_index`: no class index is negative, so no row is ignored. */
const IGNORE_INDEX = -100;

/** Class indices travel as float32: integers up to 2^24 are exact. */
const CLASS_INDEX = int(-(2 ** 24), 2 ** 24);

export interface ClassLossOptions extends ReductionOptions {
  /** One weight per class (torch's `weight`): each item's loss is scaled by its class's weight, and 'mean' divides by their sum. */
  weight?: VectorLike;
  /** Items whose target is this class index add nothing to the loss or its mean, and get no gradient (torch's `ignore_index`, default −100). */
  ignoreIndex?: number;
}

export interface CrossEntropyLossOptions extends ClassLossOptions {
  /** ε: the target becomes (1 − ε)·q + ε/C. */
  labelSmoothing?: number;
}

abstract class ClassLoss extends Loss {
  /** The class weights (a 1-D tensor the loss owns), or null: every class weighs 1. */
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  /** Whether a target of the input's shape (probabilities) is accepted too: named in the shape error. */
  protected readonly takesProbabilities: boolean = false;

  constructor(options: ClassLossOptions | undefined, rules: Rules = {}) {
    super(options, { weight: VECTOR, ignoreIndex: CLASS_INDEX, ...rules });
    this.ignoreIndex = options?.ignoreIndex ?? IGNORE_INDEX;
    this.weight = options?.weight === undefined ? null : keptVector(new.target.name, 'weight', options.weight);
  }

  override dispose(): void {
    super.dispose();
    this.weight?.dispose();
  }

  /** The weights' offset for the kernels (0: none), checked against the input's classes first. */
  protected weightFor(input: Tensor): number {
    if (this.weight === null) return 0;
    const classes = input.shape[1];
    if (this.weight.size !== classes) {
      throw new ShapeError(`${this.describe()}: weight has ${this.weight.size} entries, the input has ${classes} classes; give one weight per class`);
    }
    return this.weight.offset;
  }

  protected checkLogits(input: Tensor): void {
    if (input.rank < 2 || input.shape[1] < 1) {
      throw new ShapeError(`${this.describe()}: input must be [batch, classes] or [batch, classes, d1, …], got ${formatShape(input.shape)}`);
    }
  }

  /**
   * Validates class-index targets — integers in [0, classes) or the ignored index, one per row of
   * a [B, C] input, or of shape [N, d1, …] for an input [N, C, d1, …] — and returns what 'mean'
   * divides by: the sum of the counted items' class weights (their number without weights), as
   * torch's total_weight. 0 when every item is ignored: the mean is then NaN (0/0), as in torch,
   * and the gradient 0.
   */
  protected classTargets(input: Tensor, target: Tensor): number {
    // [B, C] (every training step of a classifier) is checked without building the expected shape.
    const fits = input.rank === 2 ? target.rank === 1 && target.shape[0] === input.shape[0]
      : target.rank === input.rank - 1 && target.shape[0] === input.shape[0] && target.shape.every((s, i) => i === 0 || s === input.shape[i + 1]);
    if (!fits) {
      const expected = [input.shape[0], ...input.shape.slice(2)];
      const what = input.rank === 2 ? `${input.shape[0]} class indices (one per row)` : `class indices of shape ${formatShape(expected)}`;
      const probabilities = this.takesProbabilities ? ', or probabilities of the input\'s shape' : '';
      throw new ShapeError(
        `${this.describe()}: target ${formatShape(target.shape)} does not match input ${formatShape(input.shape)}: expected ${what}${probabilities}`,
      );
    }
    const classes = input.shape[1], ignored = this.ignoreIndex;
    const t = target.data, w = this.weight?.data;
    let total = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (c === ignored) continue;
      if (!Number.isInteger(c) || c < 0 || c >= classes) {
        const ignoring = this.ignoreIndex === IGNORE_INDEX ? '' : ` or the ignoreIndex ${ignored}`;
        throw new OptionError(`${this.describe()}: target[${i}] = ${c} is not a class index in [0, ${classes})${ignoring}`);
      }
      total += w ? w[c] : 1;
    }
    return total;
  }
}

/**
 * Softmax + negative log-likelihood on logits [B, C] (or [N, C, d1, …] with targets [N, d1, …]:
 * per position, as torch), fused. Targets are class indices (float32 integers) or probabilities
 * of the input's shape (any non-negative values: the gradient is torch's p·Σq − q). With class
 * weights w an item's loss is −Σ_c w_c·q_c·log p_c; `labelSmoothing` ε mixes the target with the
 * uniform distribution, q ← (1 − ε)q + ε/C. 'mean' divides class-index losses by the counted
 * items' weights (their number without weights), probability-target losses by the items.
 * `ignoreIndex` applies to class indices only.
 */
export class CrossEntropyLoss extends ClassLoss {
  readonly labelSmoothing: number;
  protected override readonly takesProbabilities = true;

  constructor(options?: CrossEntropyLossOptions) {
    super(options, { labelSmoothing: UNIT });
    this.labelSmoothing = options?.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    checkInput(this, 'input', input);
    this.checkTarget(target);
    this.checkLogits(input);
    const probTargets = target.rank === input.rank ? 1 : 0;
    let divisor: number;
    if (probTargets) {
      if (!sameShape(target.shape, input.shape)) {
        throw new ShapeError(`${this.describe()}: probability target ${formatShape(target.shape)} must match input ${formatShape(input.shape)}`);
      }
      if (this.ignoreIndex !== IGNORE_INDEX) {
        throw new OptionError(`${this.describe()}: ignoreIndex (${this.ignoreIndex}) applies to class-index targets; this target holds probabilities (as torch: not supported for them)`);
      }
      divisor = input.size / input.shape[1];
    } else {
      divisor = this.classTargets(input, target);
    }
    const weight = this.weightFor(input);
    const { rows: logits, itemShape } = this.classRows(input, 'rowsInput', true);
    const targets = probTargets ? this.classRows(target, 'rowsTarget', false).rows : target;
    const [m, n] = logits.shape;
    const probs = this.buffer('probs', [m, n]);
    const perItem = this.buffer('perItem', itemShape);
    const k = requireBackend();
    const { labelSmoothing: ls, ignoreIndex } = this;
    k.crossEntropyForward(logits.offset, targets.offset, probTargets, ls, weight, ignoreIndex, m, n, probs.offset, perItem.offset);
    return this.reduce(logits, perItem, divisor, [targets, probs], (scale, rowScale, dst) =>
      k.crossEntropyBackward(probs.offset, targets.offset, probTargets, ls, weight, ignoreIndex, m, n, scale, rowScale, dst));
  }
}

/**
 * −w_t·logp[i, t_i] on log-probabilities [B, C] and class indices [B] (or [N, C, d1, …] and
 * [N, d1, …]); w the class weights (1 without). 'mean' divides by the counted items' weights.
 */
export class NLLLoss extends ClassLoss {
  constructor(options?: ClassLossOptions) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    checkInput(this, 'input', input);
    this.checkTarget(target);
    this.checkLogits(input);
    const divisor = this.classTargets(input, target);
    const weight = this.weightFor(input);
    const { rows: logp, itemShape } = this.classRows(input, 'rowsInput', true);
    const [m, n] = logp.shape;
    const perItem = this.buffer('perItem', itemShape);
    const k = requireBackend();
    const { ignoreIndex } = this;
    k.nllForward(logp.offset, target.offset, weight, ignoreIndex, m, n, perItem.offset);
    return this.reduce(logp, perItem, divisor, [target], (scale, rowScale, dst) =>
      k.nllBackward(target.offset, weight, ignoreIndex, m, n, scale, rowScale, dst));
  }
}
