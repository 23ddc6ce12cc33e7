// Schedules given as a function of the epoch. The functions are not part of `stateDict()` (as in
// torch): construct the scheduler with them again, then load the state.
import { NonFiniteError, OptionError } from '../core/errors.js';
import { FUNCTION, checkOptions, render, required } from '../core/validate.js';
import { LRScheduler, type SchedulableOptimizer } from './scheduler.js';
import type { ResumeOptions } from './step.js';
import { LAST_EPOCH, checkOptimizer, perGroup, perGroupOf } from './validate.js';

/** A factor as a function of the epoch (0 after construction, then 1, 2, …). */
export type LrLambda = (epoch: number) => number;

export interface LambdaOptions extends ResumeOptions {
  /** One function for every group, or one per group. */
  lrLambda: LrLambda | readonly LrLambda[];
}

const RULES = { lrLambda: required(perGroupOf(FUNCTION)), lastEpoch: LAST_EPOCH };

function lambdas(owner: string, optimizer: SchedulableOptimizer, options: unknown): [LrLambda[], number | undefined] {
  const o = checkOptions<LambdaOptions>(owner, options, RULES);
  const groups = checkOptimizer(owner, optimizer).paramGroups.length;
  return [perGroup(owner, 'lrLambda', o.lrLambda as LrLambda | LrLambda[], groups), o.lastEpoch];
}

/** f(epoch), which must be a finite number; the lr it gives is checked (≥ 0) where it is set. */
function factor(owner: string, f: LrLambda, epoch: number, group: number): number {
  const value = f(epoch);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const message = `${owner}: lrLambda for param group ${group} returned ${render(value)} at epoch ${epoch}; it must return a finite number`;
    throw typeof value === 'number' ? new NonFiniteError(message) : new OptionError(message);
  }
  return value;
}

/** `lr = lr₀ · f(t)`. */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaOptions) {
    const [fns, lastEpoch] = lambdas('LambdaLR', optimizer, options);
    super(optimizer, lastEpoch);
    this.lrLambdas = fns;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * factor('LambdaLR', this.lrLambdas[i], this.lastEpoch, i));
  }
}

/** `lr ← lr · f(t)` at every step (t ≥ 1); the lr after construction is left as it is. */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaOptions) {
    const [fns, lastEpoch] = lambdas('MultiplicativeLR', optimizer, options);
    super(optimizer, lastEpoch);
    this.lrLambdas = fns;
    this.initialStep();
  }

  // Epoch 0 keeps the lr whether reached by construction, by a resume, or by a SequentialLR
  // milestone (torch 1.13 tests `lastEpoch > 0`, later versions the constructor's step).
  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.isInitial || this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g, i) => g.lr * factor('MultiplicativeLR', this.lrLambdas[i], this.lastEpoch, i));
  }
}
