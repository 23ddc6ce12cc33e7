import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { LR_REQUIRED, UNIT_OPEN } from './options.js';

export interface EMAMomentumOptions {
  /** Learning rate (required). */
  lr: number;
  /** Decay β of the moving average of gradients, in [0, 1) (default 0.9). */
  beta: number;
}

const RULES = { lr: LR_REQUIRED, beta: UNIT_OPEN };
const DEFAULTS: Partial<EMAMomentumOptions> = { beta: 0.9 };
const VELOCITY: StateKind<EMAMomentumOptions> = { name: 'momentumBuffer', init: () => 0 };
const KINDS = [VELOCITY];

/**
 * Momentum as an exponential moving average of the gradients (the course's second form):
 * v ← β·v + (1 − β)·g, p ← p − lr·v, with v starting at 0. The same direction as SGD's
 * momentum scaled by (1 − β), so lr does not need retuning when β changes.
 */
export class EMAMomentum extends Optimizer<EMAMomentumOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<EMAMomentumOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<EMAMomentumOptions>, options: Partial<EMAMomentumOptions> = {}) {
    super('EMAMomentum', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<EMAMomentumOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<EMAMomentumOptions>, run: Run): void {
    requireBackend().emaMomentumUpdate(
      run.p, run.g, this.stateOffset(group, VELOCITY, run), run.n, group.lr, group.beta, 1 - group.beta,
    );
  }
}
