import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { LR, NON_NEGATIVE, POSITIVE } from './options.js';

export interface AdagradOptions {
  /** Learning rate (default 0.01). */
  lr: number;
  /** Learning-rate decay: step t uses lr/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
  /** The value the sum of squares starts at (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator (default 1e-10). */
  eps: number;
}

const RULES = { lr: LR, lrDecay: NON_NEGATIVE, weightDecay: NON_NEGATIVE, initialAccumulatorValue: NON_NEGATIVE, eps: POSITIVE };
const DEFAULTS: Partial<AdagradOptions> = { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };
const SUM: StateKind<AdagradOptions> = { name: 'sum', init: (group) => group.initialAccumulatorValue };
const KINDS = [SUM];

/**
 * Adagrad, as torch.optim.Adagrad: s ← s + g², p ← p − clr·g/(√s + eps) with
 * clr = lr/(1 + (t − 1)·lrDecay). Duchi, Hazan & Singer, "Adaptive Subgradient Methods for
 * Online Learning and Stochastic Optimization" (JMLR 2011).
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<AdagradOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<AdagradOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<AdagradOptions>, run: Run): void {
    const clr = group.lr / (1 + (run.step - 1) * group.lrDecay);
    requireBackend().adagradUpdate(run.p, run.g, this.stateOffset(group, SUM, run), run.n, clr, group.weightDecay, group.eps);
  }
}
