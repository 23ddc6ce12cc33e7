import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, LR, NON_NEGATIVE, POSITIVE } from './options.js';

export interface RAdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decays [β1, β2] of the running averages of g and g², each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
}

const RULES = { lr: LR, betas: BETAS, eps: POSITIVE, weightDecay: NON_NEGATIVE };
const DEFAULTS: Partial<RAdamOptions> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };
const EXP_AVG: StateKind<RAdamOptions> = { name: 'expAvg', init: () => 0 };
const EXP_AVG_SQ: StateKind<RAdamOptions> = { name: 'expAvgSq', init: () => 0 };
const KINDS = [EXP_AVG, EXP_AVG_SQ];

/**
 * RAdam (rectified Adam), as torch.optim.RAdam: ρ∞ = 2/(1 − β2) − 1, ρt = ρ∞ − 2tβ2ᵗ/(1 − β2ᵗ);
 * if ρt > 5, p ← p − lr·m̂·r·√(1 − β2ᵗ)/(√v + eps) with
 * r = √((ρt − 4)(ρt − 2)ρ∞/((ρ∞ − 4)(ρ∞ − 2)ρt)), else p ← p − lr·m̂ (SGD with momentum while the
 * variance estimate is unreliable). Liu et al., "On the Variance of the Adaptive Learning Rate and
 * Beyond" (ICLR 2020).
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsArgument<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<RAdamOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<RAdamOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const t = run.step;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
    const rectified = rhoT > 5;
    const stepSize = rectified
      ? ((group.lr / bc1) * Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))) * Math.sqrt(bc2)
      : group.lr / bc1;
    requireBackend().radamUpdate(
      run.p, run.g, this.stateOffset(group, EXP_AVG, run), this.stateOffset(group, EXP_AVG_SQ, run), run.n,
      stepSize, group.eps, beta1, 1 - beta1, beta2, 1 - beta2, group.weightDecay, +rectified,
    );
  }
}
