import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, POSITIVE } from './options.js';
import type { Rules } from '../core/validate.js';

// What the Adam family shares (Adam, AdamW, Adamax, NAdam, RAdam, Yogi): the decays β1, β2 and
// eps, a first moment m and a second moment v kept per parameter, and the bias corrections
// 1 − β1ᵗ and 1 − β2ᵗ that undo their start at zero. A shell states its options, where its
// weight decay goes, and the kernel call with its step size.

/** The options every member has besides lr (its default differs, so each shell states it). */
export interface MomentOptions {
  lr: number;
  /** Decays [β1, β2] of the running averages of g and g², each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator. */
  eps: number;
}

/** Their rules, spread into a shell's after lr (the order options are checked in). */
export const MOMENT_RULES = { betas: BETAS, eps: POSITIVE } as const;

/** m and v as torch names them, both starting at zero. */
const ZERO_MOMENTS: readonly [StateKind<MomentOptions>, StateKind<MomentOptions>] = [
  { name: 'expAvg', init: () => 0 },
  { name: 'expAvgSq', init: () => 0 },
];

export abstract class AdamFamily<O extends MomentOptions> extends Optimizer<O> {
  /** The state kinds of the first and second moments. */
  protected readonly moments: readonly [StateKind<O>, StateKind<O>];

  /** @param moments m's and v's state kinds, if not torch's zero-started expAvg and expAvgSq. */
  protected constructor(
    name: string, rules: Rules, defaults: Partial<O>, params: ParamsArgument<O>, options: Partial<O>,
    moments: readonly [StateKind<O>, StateKind<O>] = ZERO_MOMENTS,
  ) {
    super(name, rules, defaults, params, options);
    this.moments = moments;
  }

  protected allKinds(): readonly StateKind<O>[] {
    return this.moments;
  }

  /** Byte offset of the run's first moment m. */
  protected firstMoment(group: ParamGroup<O>, run: Run): number {
    return this.stateOffset(group, this.moments[0], run);
  }

  /** Byte offset of the run's second moment v. */
  protected secondMoment(group: ParamGroup<O>, run: Run): number {
    return this.stateOffset(group, this.moments[1], run);
  }

  /** 1 − β1ᵗ: m/(1 − β1ᵗ) is the unbiased estimate of the mean of g at step t. */
  protected correction1(group: MomentOptions, t: number): number {
    return 1 - group.betas[0] ** t;
  }

  /** 1 − β2ᵗ: v/(1 − β2ᵗ) is the unbiased estimate of the mean of g² at step t. */
  protected correction2(group: MomentOptions, t: number): number {
    return 1 - group.betas[1] ** t;
  }
}
