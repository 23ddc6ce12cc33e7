import { requireBackend } from '../core/runtime.js';
import { AdamFamily, MOMENT_RULES, type MomentOptions } from './adam-family.js';
import type { ParamGroup, ParamsArgument, Run, StateKind } from './optimizer.js';
import { LR, NON_NEGATIVE } from './options.js';

export interface AdamaxOptions extends MomentOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Decays [β1, β2] of the average of g and of the infinity norm, each in [0, 1) (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to |g| inside the maximum (default 1e-8). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
}

const RULES = { lr: LR, ...MOMENT_RULES, weightDecay: NON_NEGATIVE };
const DEFAULTS: Partial<AdamaxOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };
/** The second moment is an infinity norm, under torch's name for it. */
const MOMENTS: readonly [StateKind<AdamaxOptions>, StateKind<AdamaxOptions>] = [
  { name: 'expAvg', init: () => 0 },
  { name: 'expInf', init: () => 0 },
];

/**
 * Adamax, as torch.optim.Adamax (Adam with the infinity norm): m ← β1·m + (1 − β1)·g,
 * u ← max(β2·u, |g| + eps), p ← p − lr/(1 − β1ᵗ)·m/u. Kingma & Ba, "Adam: A Method for
 * Stochastic Optimization" (ICLR 2015), section 7.
 */
export class Adamax extends AdamFamily<AdamaxOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<AdamaxOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', RULES, DEFAULTS, params, options, MOMENTS);
  }

  protected updateRun(group: ParamGroup<AdamaxOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    requireBackend().adamaxUpdate(
      run.p, run.g, this.firstMoment(group, run), this.secondMoment(group, run), run.n,
      group.lr / this.correction1(group, run.step), group.eps, beta1, 1 - beta1, beta2, group.weightDecay,
    );
  }
}
