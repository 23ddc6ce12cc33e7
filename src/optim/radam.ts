import { requireBackend } from '../core/runtime.js';
import { AdamFamily, MOMENT_RULES, type MomentOptions } from './adam-family.js';
import type { ParamGroup, ParamsArgument, Run } from './optimizer.js';
import { LR, NON_NEGATIVE } from './options.js';

export interface RAdamOptions extends MomentOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
}

const RULES = { lr: LR, ...MOMENT_RULES, weightDecay: NON_NEGATIVE };
const DEFAULTS: Partial<RAdamOptions> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

/**
 * RAdam (rectified Adam), as torch.optim.RAdam: ρ∞ = 2/(1 − β2) − 1, ρt = ρ∞ − 2tβ2ᵗ/(1 − β2ᵗ);
 * if ρt > 5, p ← p − lr·m̂·r·√(1 − β2ᵗ)/(√v + eps) with
 * r = √((ρt − 4)(ρt − 2)ρ∞/((ρ∞ − 4)(ρ∞ − 2)ρt)), else p ← p − lr·m̂ (SGD with momentum while the
 * variance estimate is unreliable). Liu et al., "On the Variance of the Adaptive Learning Rate and
 * Beyond" (ICLR 2020).
 */
export class RAdam extends AdamFamily<RAdamOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<RAdamOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', RULES, DEFAULTS, params, options);
  }

  protected updateRun(group: ParamGroup<RAdamOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const t = run.step;
    const bc1 = this.correction1(group, t);
    const bc2 = this.correction2(group, t);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
    const rectified = rhoT > 5;
    const stepSize = rectified
      ? ((group.lr / bc1) * Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))) * Math.sqrt(bc2)
      : group.lr / bc1;
    requireBackend().radamUpdate(
      run.p, run.g, this.firstMoment(group, run), this.secondMoment(group, run), run.n,
      stepSize, group.eps, beta1, 1 - beta1, beta2, 1 - beta2, group.weightDecay, +rectified,
    );
  }
}
