import { requireBackend } from '../core/runtime.js';
import { AdamFamily, MOMENT_RULES, type MomentOptions } from './adam-family.js';
import type { ParamGroup, ParamsArgument, Run, StateKind } from './optimizer.js';
import { BOOLEAN, LR, NON_NEGATIVE } from './options.js';

export interface AdamOptions extends MomentOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty g ← g + weightDecay·p (default 0). AdamW: decoupled decay p ← p·(1 − lr·weightDecay) (default 0.01). */
  weightDecay: number;
  /** Use the running maximum of v (AMSGrad) (default false). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

const RULES = { lr: LR, ...MOMENT_RULES, weightDecay: NON_NEGATIVE, amsgrad: BOOLEAN, maximize: BOOLEAN };
const MAX_EXP_AVG_SQ: StateKind<AdamOptions> = { name: 'maxExpAvgSq', init: () => 0 };

/** What Adam and AdamW share: everything but where the weight decay goes. */
abstract class AdamBase extends AdamFamily<AdamOptions> {
  private readonly amsgradKinds = [...this.moments, MAX_EXP_AVG_SQ];

  protected constructor(
    name: string, private readonly decoupled: boolean, defaults: Partial<AdamOptions>,
    params: ParamsArgument<AdamOptions>, options: Partial<AdamOptions>,
  ) {
    super(name, RULES, defaults, params, options);
  }

  protected override stateKinds(group: AdamOptions): readonly StateKind<AdamOptions>[] {
    return group.amsgrad ? this.amsgradKinds : this.moments;
  }

  protected override allKinds(): readonly StateKind<AdamOptions>[] {
    return this.amsgradKinds;
  }

  protected updateRun(group: ParamGroup<AdamOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    const bc1 = this.correction1(group, run.step);
    const bc2Sqrt = Math.sqrt(this.correction2(group, run.step));
    const vMax = group.amsgrad ? this.stateOffset(group, MAX_EXP_AVG_SQ, run) : 0;
    requireBackend().adamUpdate(
      run.p, run.g, this.firstMoment(group, run), this.secondMoment(group, run), vMax, run.n,
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
export class Adam extends AdamBase {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<AdamOptions>> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

  constructor(params: ParamsArgument<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', false, Adam.defaults, params, options);
  }
}

/**
 * AdamW, as torch.optim.AdamW: Adam with decoupled weight decay, p ← p·(1 − lr·weightDecay)
 * before the Adam step (default weightDecay 0.01). Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization" (ICLR 2019).
 */
export class AdamW extends AdamBase {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<AdamOptions>> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false };

  constructor(params: ParamsArgument<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', true, AdamW.defaults, params, options);
  }
}
