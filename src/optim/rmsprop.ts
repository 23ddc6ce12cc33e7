import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BOOLEAN, LR, NON_NEGATIVE, POSITIVE, UNIT } from './options.js';

export interface RMSpropOptions {
  /** Learning rate (default 0.01). */
  lr: number;
  /** Decay α of the average of squared gradients (default 0.99). */
  alpha: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
  /** Momentum factor applied to the normalised step (default 0). */
  momentum: number;
  /** Normalise by an estimate of the variance, v − (average g)², instead of v (default false). */
  centered: boolean;
}

const RULES = { lr: LR, alpha: UNIT, eps: POSITIVE, weightDecay: NON_NEGATIVE, momentum: NON_NEGATIVE, centered: BOOLEAN };
const DEFAULTS: Partial<RMSpropOptions> = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };
const SQUARE_AVG: StateKind<RMSpropOptions> = { name: 'squareAvg', init: () => 0 };
const MOMENTUM_BUFFER: StateKind<RMSpropOptions> = { name: 'momentumBuffer', init: () => 0 };
const GRAD_AVG: StateKind<RMSpropOptions> = { name: 'gradAvg', init: () => 0 };
const ALL = [SQUARE_AVG, MOMENTUM_BUFFER, GRAD_AVG];
const KINDS = [[SQUARE_AVG], [SQUARE_AVG, MOMENTUM_BUFFER], [SQUARE_AVG, GRAD_AVG], ALL];

/**
 * RMSprop, as torch.optim.RMSprop: v ← α·v + (1 − α)·g², step = g/(√v + eps) (centered:
 * a ← α·a + (1 − α)·g and g/(√(v − a²) + eps)); with momentum b ← μ·b + step, p ← p − lr·b, else
 * p ← p − lr·step. Hinton, Srivastava & Swersky, Neural Networks for Machine Learning, lecture 6e
 * (2012); centered: Graves, "Generating Sequences With Recurrent Neural Networks" (2013).
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<RMSpropOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', RULES, DEFAULTS, params, options);
  }

  protected override stateKinds(group: RMSpropOptions): readonly StateKind<RMSpropOptions>[] {
    return KINDS[(group.momentum > 0 ? 1 : 0) + (group.centered ? 2 : 0)];
  }

  protected allKinds(): readonly StateKind<RMSpropOptions>[] {
    return ALL;
  }

  protected updateRun(group: ParamGroup<RMSpropOptions>, run: Run): void {
    const gradAvg = group.centered ? this.stateOffset(group, GRAD_AVG, run) : 0;
    const buf = group.momentum > 0 ? this.stateOffset(group, MOMENTUM_BUFFER, run) : 0;
    requireBackend().rmspropUpdate(
      run.p, run.g, this.stateOffset(group, SQUARE_AVG, run), gradAvg, buf, run.n,
      group.lr, group.alpha, 1 - group.alpha, group.eps, group.weightDecay, group.momentum, +group.centered,
    );
  }
}
