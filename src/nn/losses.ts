import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { sameShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { Loss as LossCode } from '../backend/backend.js';
import { checkInput } from './validate.js';
import { BOOLEAN, NON_NEGATIVE, POSITIVE, oneOf } from '../core/validate.js';
import { Loss, VECTOR, keptVector, type Reduction, type ReductionOptions, type VectorLike } from './loss.js';

// The regression, binary and distribution losses: elementwise on an input and a target of its
// shape, one kernel pair (lossForward / lossBackward) selected by a code.

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
    return this.reduce(input, per, this.meanDivisor(input), [input, target], (scale, rowScale, dst) =>
      k.lossBackward(kind, param, input.offset, target.offset, w, n, cols, scale, rowScale, dst));
  }

  protected validate(_input: Tensor, _target: Tensor): void {}

  /** What 'mean' divides the sum by: every element. */
  protected meanDivisor(input: Tensor): number {
    return input.size;
  }
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

/** BCE on logits, computed stably; `posWeight` (one per column) weights the positive term. */
export class BCEWithLogitsLoss extends ElementwiseLoss {
  protected readonly kind = LossCode.bceWithLogits;
  constructor(options?: ReductionOptions & { posWeight?: VectorLike }) {
    super(options, { posWeight: VECTOR });
    if (options?.posWeight !== undefined) this.weight = keptVector('BCEWithLogitsLoss', 'posWeight', options.posWeight);
  }

  override dispose(): void {
    super.dispose();
    this.weight?.dispose();
  }
}

/** KLDivLoss's options: torch's reductions with 'batchmean', and log_target. */
export interface KLDivLossOptions {
  /** 'mean' (default, as torch: over every element), 'batchmean' (the sum over the batch size: the KL divergence per sample), 'sum' or 'none'. */
  reduction?: Reduction | 'batchmean';
  /** The target holds log-probabilities too (default false: probabilities). */
  logTarget?: boolean;
}

/**
 * The Kullback–Leibler divergence, as torch.nn.KLDivLoss: the input holds log-probabilities (a
 * logSoftmax), the target probabilities, and each element is t·(log t − x) (0 where t = 0), or
 * eᵗ·(t − x) with `logTarget`. The gradient is −t (−eᵗ). torch's default reduction 'mean'
 * averages over every element; 'batchmean' gives the divergence per sample.
 */
export class KLDivLoss extends ElementwiseLoss {
  protected readonly kind = LossCode.klDiv;
  readonly logTarget: boolean;
  constructor(options?: KLDivLossOptions) {
    super(options, { reduction: oneOf('mean', 'batchmean', 'sum', 'none'), logTarget: BOOLEAN });
    this.logTarget = options?.logTarget ?? false;
    this.param = this.logTarget ? 1 : 0;
  }

  protected override meanDivisor(input: Tensor): number {
    return this.reduction === 'batchmean' ? (input.rank === 0 ? 1 : input.shape[0]) : super.meanDivisor(input);
  }
}
