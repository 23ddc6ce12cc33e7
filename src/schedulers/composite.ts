// Schedules made of schedules: one after another (SequentialLR) or all at once (ChainedScheduler).
import { OptionError } from '../core/errors.js';
import { POSITIVE_INT, arrayOf, render, required } from '../core/validate.js';
import { LRScheduler, SchedulerBase, checkState, type SchedulableOptimizer, type SchedulerState } from './scheduler.js';
import { ReduceLROnPlateau } from './plateau.js';
import { checkSchedulerOptions } from './validate.js';

/** A scheduler stepped without a metric: what the composites can hold. */
export type ChainableScheduler = LRScheduler | SequentialLR | ChainedScheduler;

function checkSchedulers(owner: string, schedulers: unknown, optimizer?: SchedulableOptimizer): SchedulerBase[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0) {
    throw new OptionError(`${owner}: schedulers must be a non-empty list of schedulers, got ${render(schedulers)}`);
  }
  const first = optimizer ?? (schedulers[0] as SchedulerBase | undefined)?.optimizer;
  schedulers.forEach((s: unknown, i) => {
    if (s instanceof ReduceLROnPlateau) {
      throw new OptionError(`${owner}: schedulers[${i}] is a ReduceLROnPlateau, whose step() needs a metric; it cannot be combined`);
    }
    if (!(s instanceof SchedulerBase)) throw new OptionError(`${owner}: schedulers[${i}] is not a scheduler, got ${render(s)}`);
    if (s.optimizer !== first) throw new OptionError(`${owner}: schedulers[${i}] drives another optimizer; all must share one`);
  });
  return schedulers as SchedulerBase[];
}

/** What the two composites share: their schedulers, saved and loaded with their own state. */
abstract class CompositeScheduler<S extends SchedulerBase> extends SchedulerBase {
  schedulers: S[];

  constructor(optimizer: SchedulableOptimizer, lastEpoch: number, schedulers: S[]) {
    super(optimizer, lastEpoch);
    this.schedulers = schedulers;
  }

  abstract step(): void;

  override stateDict(): SchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(state: SchedulerState): void {
    checkState(`${this.constructor.name}.loadStateDict`, state);
    const { schedulers: states, ...rest } = state;
    if (!Array.isArray(states) || states.length !== this.schedulers.length) {
      throw new OptionError(`${this.constructor.name}.loadStateDict: schedulers must hold ${this.schedulers.length} states`);
    }
    // All or nothing: a child that rejects its state must not leave the others (or this) loaded.
    const before = this.stateDict();
    try {
      super.loadStateDict(rest);
      this.schedulers.forEach((s, i) => s.loadStateDict(states[i] as SchedulerState));
    } catch (error) {
      const { schedulers: saved, ...own } = before;
      super.loadStateDict(own);
      this.schedulers.forEach((s, i) => s.loadStateDict((saved as SchedulerState[])[i]));
      throw error;
    }
  }
}

export interface SequentialLROptions {
  /** Built on the same optimizer, in order; each starts from its epoch 0 at its milestone. */
  schedulers: readonly LRScheduler[];
  /** The epochs at which the next scheduler takes over: one fewer than the schedulers. */
  milestones: readonly number[];
  lastEpoch?: number;
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` from its epoch 0 (its closed
 * form from the base lr), and so on: a warm-up followed by a decay, say.
 */
export class SequentialLR extends CompositeScheduler<LRScheduler> {
  milestones: number[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    // schedulers are checked by checkSchedulers (instances, one optimizer), which says more than a rule.
    const o = checkSchedulerOptions<SequentialLROptions>('SequentialLR', options, {
      schedulers: required(arrayOf()), milestones: required(arrayOf(POSITIVE_INT)),
    });
    const schedulers = checkSchedulers('SequentialLR', o.schedulers, optimizer);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new OptionError(`SequentialLR: schedulers[${i}] must be a single schedule, not a ${s.constructor.name}`);
    });
    const milestones = o.milestones as number[];
    if (milestones.length !== schedulers.length - 1) {
      throw new OptionError(`SequentialLR: milestones must list ${schedulers.length - 1} epoch(s), one fewer than the schedulers, got ${render(milestones)}`);
    }
    milestones.forEach((m, i) => {
      if (i > 0 && m <= milestones[i - 1]) throw new OptionError(`SequentialLR: milestones must increase, got ${render(milestones)}`);
    });
    super(optimizer, (o.lastEpoch ?? -1) + 1, schedulers as LRScheduler[]);
    this.milestones = milestones.slice();
    // As torch: back to the base lrs, undo the step each scheduler's constructor made, and
    // start the first one again.
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const index = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.restart();
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }
}

/**
 * Steps every scheduler at each `step()`, in order: their chainable forms multiply, e.g. a
 * ConstantLR warm-up factor on top of an ExponentialLR decay.
 */
export class ChainedScheduler extends CompositeScheduler<ChainableScheduler> {
  constructor(schedulers: readonly ChainableScheduler[]) {
    const checked = checkSchedulers('ChainedScheduler', schedulers);
    super(checked[0].optimizer, 0, checked as ChainableScheduler[]);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastEpoch += 1;
    this.lastLr = this.groupLrs();
  }
}
