import { requireBackend } from '../core/runtime.js';
import { AdamFamily, MOMENT_RULES, type MomentOptions } from './adam-family.js';
import type { ParamGroup, ParamsArgument, Run } from './optimizer.js';
import { LR, NON_NEGATIVE } from './options.js';

export interface NAdamOptions extends MomentOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
  /** ψ of the momentum schedule μt = β1·(1 − 0.5·0.96^(t·ψ)) (default 4e-3). */
  momentumDecay: number;
}

const RULES = { lr: LR, ...MOMENT_RULES, weightDecay: NON_NEGATIVE, momentumDecay: NON_NEGATIVE };
const DEFAULTS: Partial<NAdamOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 };
const SCALARS = Object.freeze({ muProduct: 1 });

/**
 * NAdam (Adam with Nesterov momentum), as torch.optim.NAdam: with μt = β1(1 − 0.5·0.96^(tψ)) and
 * Πt = μ1⋯μt, p ← p − lr(1 − μt)/(1 − Πt)·g/d − lr·μt+1/(1 − Πt·μt+1)·m/d, d = √(v/(1 − β2ᵗ)) + eps.
 * Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).
 */
export class NAdam extends AdamFamily<NAdamOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<NAdamOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', RULES, DEFAULTS, params, options);
  }

  protected override scalarState(): Readonly<Record<string, number>> {
    return SCALARS;
  }

  protected updateRun(group: ParamGroup<NAdamOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const t = run.step;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * group.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * group.momentumDecay));
    // torch keeps Πt in a float32 tensor: each product is rounded to float32.
    const muProduct = Math.fround(this.scalar(group, 'muProduct', run) * Math.fround(mu));
    this.setScalar(group, 'muProduct', run, muProduct);
    const bc2Sqrt = Math.sqrt(this.correction2(group, t));
    requireBackend().nadamUpdate(
      run.p, run.g, this.firstMoment(group, run), this.secondMoment(group, run), run.n,
      ((group.lr * (1 - mu)) / (1 - muProduct)) * bc2Sqrt, ((group.lr * muNext) / (1 - muProduct * muNext)) * bc2Sqrt,
      group.eps * bc2Sqrt, beta1, 1 - beta1, beta2, 1 - beta2, group.weightDecay,
    );
  }
}
