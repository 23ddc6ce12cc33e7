import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, LR_REQUIRED, NON_NEGATIVE, POSITIVE } from './options.js';

export interface YogiOptions {
  /** Learning rate (required). */
  lr: number;
  /** Decays [β1, β2] of the running averages of g and g², each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-3). */
  eps: number;
  /** The value both running averages start at (default 1e-6). */
  initialAccumulatorValue: number;
}

const RULES = { lr: LR_REQUIRED, betas: BETAS, eps: POSITIVE, initialAccumulatorValue: NON_NEGATIVE };
const DEFAULTS: Partial<YogiOptions> = { betas: [0.9, 0.999], eps: 1e-3, initialAccumulatorValue: 1e-6 };
const EXP_AVG: StateKind<YogiOptions> = { name: 'expAvg', init: (group) => group.initialAccumulatorValue };
const EXP_AVG_SQ: StateKind<YogiOptions> = { name: 'expAvgSq', init: (group) => group.initialAccumulatorValue };
const KINDS = [EXP_AVG, EXP_AVG_SQ];

/**
 * Yogi, as optax's `yogi`: m ← β1·m + (1 − β1)·g, v ← v − (1 − β2)·sign(v − g²)·g² (v moves
 * towards g² by an additive step, so it grows slowly where Adam's would jump), p ← p −
 * lr·m̂/(√v̂ + eps) with both averages bias-corrected. Zaheer et al., "Adaptive Methods for
 * Nonconvex Optimization" (NeurIPS 2018).
 */
export class Yogi extends Optimizer<YogiOptions> {
  constructor(params: ParamsArgument<YogiOptions>, options: Partial<YogiOptions> = {}) {
    super('Yogi', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<YogiOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<YogiOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const bc1 = 1 - beta1 ** run.step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** run.step);
    requireBackend().yogiUpdate(
      run.p, run.g, this.stateOffset(group, EXP_AVG, run), this.stateOffset(group, EXP_AVG_SQ, run), run.n,
      (group.lr / bc1) * bc2Sqrt, group.eps * bc2Sqrt, beta1, 1 - beta1, 1 - beta2,
    );
  }
}
