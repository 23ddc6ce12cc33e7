import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, LR, NON_NEGATIVE, POSITIVE } from './options.js';

export interface NAdamOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Decays [β1, β2] of the running averages of g and g², each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
  /** ψ of the momentum schedule μt = β1·(1 − 0.5·0.96^(t·ψ)) (default 4e-3). */
  momentumDecay: number;
}

const RULES = { lr: LR, betas: BETAS, eps: POSITIVE, weightDecay: NON_NEGATIVE, momentumDecay: NON_NEGATIVE };
const DEFAULTS: Partial<NAdamOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 };
const EXP_AVG: StateKind<NAdamOptions> = { name: 'expAvg', init: () => 0 };
const EXP_AVG_SQ: StateKind<NAdamOptions> = { name: 'expAvgSq', init: () => 0 };
const KINDS = [EXP_AVG, EXP_AVG_SQ];
const SCALARS = Object.freeze({ muProduct: 1 });

/**
 * NAdam (Adam with Nesterov momentum), as torch.optim.NAdam: with μt = β1(1 − 0.5·0.96^(tψ)) and
 * Πt = μ1⋯μt, p ← p − lr(1 − μt)/(1 − Πt)·g/d − lr·μt+1/(1 − Πt·μt+1)·m/d, d = √(v/(1 − β2ᵗ)) + eps.
 * Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsArgument<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<NAdamOptions>[] {
    return KINDS;
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
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    requireBackend().nadamUpdate(
      run.p, run.g, this.stateOffset(group, EXP_AVG, run), this.stateOffset(group, EXP_AVG_SQ, run), run.n,
      ((group.lr * (1 - mu)) / (1 - muProduct)) * bc2Sqrt, ((group.lr * muNext) / (1 - muProduct * muNext)) * bc2Sqrt,
      group.eps * bc2Sqrt, beta1, 1 - beta1, beta2, 1 - beta2, group.weightDecay,
    );
  }
}
