// Schedules given as a function of the epoch. The functions are not part of `stateDict()` (as in
// torch): construct the scheduler with them again, then load the state.
import { OptionError } from '../core/errors.js';
import { LRScheduler, type SchedulableOptimizer } from './scheduler.js';
import type { ResumeOptions } from './step.js';
import { checkOptimizer, perGroup } from './validate.js';

/** A factor as a function of the epoch (0 after construction, then 1, 2, …). */
export type LrLambda = (epoch: number) => number;

export interface LambdaOptions extends ResumeOptions {
  /** One function for every group, or one per group. */
  lrLambda: LrLambda | readonly LrLambda[];
}

function lambdas(owner: string, optimizer: SchedulableOptimizer, value: LrLambda | readonly LrLambda[]): LrLambda[] {
  const groups = checkOptimizer(owner, optimizer).paramGroups.length;
  return perGroup(owner, 'lrLambda', value, groups, (name, f) => {
    if (typeof f !== 'function') throw new OptionError(`${owner}: ${name} must be a function of the epoch, got ${String(f)}`);
    return f as LrLambda;
  });
}

function factor(owner: string, f: LrLambda, epoch: number, group: number): number {
  const value = f(epoch);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OptionError(`${owner}: lrLambda for param group ${group} returned ${String(value)} at epoch ${epoch}; it must return a finite number`);
  }
  return value;
}

/** `lr = lr₀ · f(t)`. */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaOptions) {
    const fns = lambdas('LambdaLR', optimizer, options.lrLambda);
    super(optimizer, options.lastEpoch);
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
    const fns = lambdas('MultiplicativeLR', optimizer, options.lrLambda);
    super(optimizer, options.lastEpoch);
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
