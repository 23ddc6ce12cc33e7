import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, LR, NON_NEGATIVE, POSITIVE } from './options.js';

export interface AdamaxOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Decays [β1, β2] of the average of g and of the infinity norm, each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to |g| inside the maximum (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
}

const RULES = { lr: LR, betas: BETAS, eps: POSITIVE, weightDecay: NON_NEGATIVE };
const DEFAULTS: Partial<AdamaxOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };
const EXP_AVG: StateKind<AdamaxOptions> = { name: 'expAvg', init: () => 0 };
const EXP_INF: StateKind<AdamaxOptions> = { name: 'expInf', init: () => 0 };
const KINDS = [EXP_AVG, EXP_INF];

/**
 * Adamax, as torch.optim.Adamax (Adam with the infinity norm): m ← β1·m + (1 − β1)·g,
 * u ← max(β2·u, |g| + eps), p ← p − lr/(1 − β1ᵗ)·m/u. Kingma & Ba, "Adam: A Method for
 * Stochastic Optimization" (ICLR 2015), section 7.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsArgument<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<AdamaxOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<AdamaxOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    requireBackend().adamaxUpdate(
      run.p, run.g, this.stateOffset(group, EXP_AVG, run), this.stateOffset(group, EXP_INF, run), run.n,
      group.lr / (1 - beta1 ** run.step), group.eps, beta1, 1 - beta1, beta2, group.weightDecay,
    );
  }
}
