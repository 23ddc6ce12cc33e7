import { requireBackend } from '../core/runtime.js';
import { Optimizer, type ParamGroup, type ParamsArgument, type Run, type StateKind } from './optimizer.js';
import { LR, NON_NEGATIVE, POSITIVE, UNIT } from './options.js';

export interface AdadeltaOptions {
  /** Scale of the step (default 1.0: Adadelta needs no learning rate). */
  lr: number;
  /** Decay ρ of both running averages (default 0.9). */
  rho: number;
  /** Added inside both square roots (default 1e-6). */
  eps: number;
  /** L2 penalty: g ← g + weightDecay·p (default 0). */
  weightDecay: number;
}

const RULES = { lr: LR, rho: UNIT, eps: POSITIVE, weightDecay: NON_NEGATIVE };
const DEFAULTS: Partial<AdadeltaOptions> = { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0 };
const SQUARE_AVG: StateKind<AdadeltaOptions> = { name: 'squareAvg', init: () => 0 };
const ACC_DELTA: StateKind<AdadeltaOptions> = { name: 'accDelta', init: () => 0 };
const KINDS = [SQUARE_AVG, ACC_DELTA];

/**
 * Adadelta, as torch.optim.Adadelta: v ← ρv + (1 − ρ)g², Δ = √(u + eps)/√(v + eps)·g,
 * u ← ρu + (1 − ρ)Δ², p ← p − lr·Δ. Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012).
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  /** The options' values when none is given (torch's), readable without building one. */
  static readonly defaults: Readonly<Partial<AdadeltaOptions>> = DEFAULTS;

  constructor(params: ParamsArgument<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', RULES, DEFAULTS, params, options);
  }

  protected allKinds(): readonly StateKind<AdadeltaOptions>[] {
    return KINDS;
  }

  protected updateRun(group: ParamGroup<AdadeltaOptions>, run: Run): void {
    requireBackend().adadeltaUpdate(
      run.p, run.g, this.stateOffset(group, SQUARE_AVG, run), this.stateOffset(group, ACC_DELTA, run), run.n,
      group.lr, group.rho, 1 - group.rho, group.eps, group.weightDecay,
    );
  }
}
