import { requireBackend } from '../core/runtime.js';
import { AdamFamily, MOMENT_RULES, type MomentOptions } from './adam-family.js';
import type { ParamGroup, ParamsArgument, Run, StateKind } from './optimizer.js';
import { LR_REQUIRED, NON_NEGATIVE } from './options.js';

export interface YogiOptions extends MomentOptions {
  /** Learning rate (required). */
  lr: number;
  /** Added to the denominator (default 1e-3). */
  eps: number;
  /** The value both running averages start at (default 1e-6). */
  initialAccumulatorValue: number;
}

const RULES = { lr: LR_REQUIRED, ...MOMENT_RULES, initialAccumulatorValue: NON_NEGATIVE };
const DEFAULTS: Partial<YogiOptions> = { betas: [0.9, 0.999], eps: 1e-3, initialAccumulatorValue: 1e-6 };
/** Both moments start at initialAccumulatorValue, as optax's do. */
const MOMENTS: readonly [StateKind<YogiOptions>, StateKind<YogiOptions>] = [
  { name: 'expAvg', init: (group) => group.initialAccumulatorValue },
  { name: 'expAvgSq', init: (group) => group.initialAccumulatorValue },
];

/**
 * Yogi, as optax's `yogi`: m ← β1·m + (1 − β1)·g, v ← v − (1 − β2)·sign(v − g²)·g² (v moves
 * towards g² by an additive step, so it grows slowly where Adam's would jump), p ← p −
 * lr·m̂/(√v̂ + eps) with both averages bias-corrected. Zaheer et al., "Adaptive Methods for
 * Nonconvex Optimization" (NeurIPS 2018).
 */
export class Yogi extends AdamFamily<YogiOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<YogiOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<YogiOptions>, options: Partial<YogiOptions> = {}) {
    super('Yogi', RULES, DEFAULTS, params, options, MOMENTS);
  }

  protected updateRun(group: ParamGroup<YogiOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const bc1 = this.correction1(group, run.step);
    const bc2Sqrt = Math.sqrt(this.correction2(group, run.step));
    requireBackend().yogiUpdate(
      run.p, run.g, this.firstMoment(group, run), this.secondMoment(group, run), run.n,
      (group.lr / bc1) * bc2Sqrt, group.eps * bc2Sqrt, beta1, 1 - beta1, 1 - beta2,
    );
  }
}
