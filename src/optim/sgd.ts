import { OptionError } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { BOOLEAN, LR_REQUIRED, NON_NEGATIVE, UNIT } from './options.js';

export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor μ (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening of the gradient added to the momentum buffer (default 0). */
  dampening: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

const RULES = { lr: LR_REQUIRED, momentum: NON_NEGATIVE, dampening: UNIT, weightDecay: NON_NEGATIVE, nesterov: BOOLEAN, maximize: BOOLEAN };
const DEFAULTS: Partial<SGDOptions> = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
const MOMENTUM_BUFFER: StateKind<SGDOptions> = { name: 'momentumBuffer', init: () => 0 };
const WITH_MOMENTUM = [MOMENTUM_BUFFER];
const NONE: StateKind<SGDOptions>[] = [];

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum, as torch.optim.SGD:
 * b ← g on the first step, then b ← μ·b + (1 − dampening)·g; p ← p − lr·(nesterov ? g + μ·b : b).
 * Momentum 0 is plain gradient descent, p ← p − lr·g. Nesterov: Sutskever et al., "On the
 * importance of initialization and momentum in deep learning" (ICML 2013).
 */
export class SGD extends Optimizer<SGDOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<SGDOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', RULES, DEFAULTS, params, options);
  }

  protected override checkGroup(group: SGDOptions, where: string): void {
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new OptionError(
        `${where}: nesterov requires momentum > 0 and dampening 0, got momentum ${group.momentum} and dampening ${group.dampening}`,
      );
    }
  }

  /** The step count is the number of momentum updates: the buffer starts as g on the first. */
  protected override countsStep(group: SGDOptions): boolean {
    return group.momentum !== 0;
  }

  protected override stateKinds(group: SGDOptions): readonly StateKind<SGDOptions>[] {
    return group.momentum !== 0 ? WITH_MOMENTUM : NONE;
  }

  protected allKinds(): readonly StateKind<SGDOptions>[] {
    return WITH_MOMENTUM;
  }

  protected updateRun(group: ParamGroup<SGDOptions>, run: Run): void {
    const buf = group.momentum !== 0 ? this.stateOffset(group, MOMENTUM_BUFFER, run) : 0;
    requireBackend().sgdUpdate(
      run.p, run.g, buf, run.n, group.lr, group.weightDecay, group.momentum, 1 - group.dampening,
      +group.nesterov, +group.maximize, +(run.step === 1),
    );
  }
}
