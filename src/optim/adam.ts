import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, BOOLEAN, LR, NON_NEGATIVE, POSITIVE } from './options.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decays [β1, β2] of the running averages of g and g², each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty g ← g + weightDecay·p (default 0). AdamW: decoupled decay p ← p·(1 − lr·weightDecay) (default 0.01). */
  weightDecay: number;
  /** Use the running maximum of v (AMSGrad) (default false). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

const RULES = { lr: LR, betas: BETAS, eps: POSITIVE, weightDecay: NON_NEGATIVE, amsgrad: BOOLEAN, maximize: BOOLEAN };
const EXP_AVG: StateKind<AdamOptions> = { name: 'expAvg', init: () => 0 };
const EXP_AVG_SQ: StateKind<AdamOptions> = { name: 'expAvgSq', init: () => 0 };
const MAX_EXP_AVG_SQ: StateKind<AdamOptions> = { name: 'maxExpAvgSq', init: () => 0 };
const KINDS = [EXP_AVG, EXP_AVG_SQ];
const AMSGRAD_KINDS = [EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ];

/** What Adam and AdamW share: everything but where the weight decay goes. */
abstract class AdamFamily extends Optimizer<AdamOptions> {
  protected constructor(
    name: string, private readonly decoupled: boolean, defaults: Partial<AdamOptions>,
    params: ParamsArgument<AdamOptions>, options: Partial<AdamOptions>,
  ) {
    super(name, RULES, defaults, params, options);
  }

  protected override stateKinds(group: AdamOptions): readonly StateKind<AdamOptions>[] {
    return group.amsgrad ? AMSGRAD_KINDS : KINDS;
  }

  protected allKinds(): readonly StateKind<AdamOptions>[] {
    return AMSGRAD_KINDS;
  }

  protected updateRun(group: ParamGroup<AdamOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const bc1 = 1 - beta1 ** run.step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** run.step);
    const vMax = group.amsgrad ? this.stateOffset(group, MAX_EXP_AVG_SQ, run) : 0;
    requireBackend().adamUpdate(
      run.p, run.g, this.stateOffset(group, EXP_AVG, run), this.stateOffset(group, EXP_AVG_SQ, run), vMax, run.n,
      (group.lr / bc1) * bc2Sqrt, group.eps * bc2Sqrt, beta1, 1 - beta1, beta2, 1 - beta2,
      this.decoupled ? 0 : group.weightDecay, this.decoupled ? 1 - group.lr * group.weightDecay : 1,
      +group.maximize, +group.amsgrad,
    );
  }
}

/**
 * Adam, as torch.optim.Adam: m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
 * p ← p − lr·m̂/(√v̂ + eps) with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ); amsgrad uses max(v) so far.
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); AMSGrad: Reddi, Kale &
 * Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018).
 */
export class Adam extends AdamFamily {
  constructor(params: ParamsArgument<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', false, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, params, options);
  }
}

/**
 * AdamW, as torch.optim.AdamW: Adam with decoupled weight decay, p ← p·(1 − lr·weightDecay)
 * before the Adam step (default weightDecay 0.01). Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization" (ICLR 2019).
 */
export class AdamW extends AdamFamily {
  constructor(params: ParamsArgument<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', true, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false }, params, options);
  }
}
