import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BETAS, LR_REQUIRED, NON_NEGATIVE } from './options.js';

export interface LionOptions {
  /** Learning rate (required; typically 3–10× smaller than Adam's). */
  lr: number;
  /** The pair [β1, β2]: β1 mixes g into the sign's argument, β2 decays the momentum, each in [0, 1) (default [0.9, 0.99]). */
  betas: [number, number];
  /** Decoupled weight decay: the step adds weightDecay·p (default 0). */
  weightDecay: number;
}

const RULES = { lr: LR_REQUIRED, betas: BETAS, weightDecay: NON_NEGATIVE };
const DEFAULTS: Partial<LionOptions> = { betas: [0.9, 0.99], weightDecay: 0 };
const EXP_AVG: StateKind<LionOptions> = { name: 'expAvg', init: () => 0 };
const KINDS = [EXP_AVG];

/**
 * Lion, as optax's `lion`: c = (1 − β1)·g + β1·m, p ← p − lr·(sign(c) + weightDecay·p),
 * m ← (1 − β2)·g + β2·m. Every coordinate moves by ±lr (plus decay). Chen et al., "Symbolic
 * Discovery of Optimization Algorithms" (NeurIPS 2023).
 */
export class Lion extends Optimizer<LionOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<LionOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<LionOptions>, options: Partial<LionOptions> = {}) {
    super('Lion', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<LionOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<LionOptions>, run: Run): void {
    const [beta1, beta2] = group.betas;
    requireBackend().lionUpdate(
      run.p, run.g, this.stateOffset(group, EXP_AVG, run), run.n,
      group.lr, beta1, 1 - beta1, beta2, 1 - beta2, group.weightDecay,
    );
  }
}
