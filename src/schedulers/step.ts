// The schedules that multiply the rate by a factor of the epoch: step decays, warm-up factors,
// exponential and polynomial decay. Each gives torch's chainable form (a ratio applied to the
// current lr, so ChainedScheduler can stack them) and its closed form.
import { NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT, arrayOf, real, required } from '../core/validate.js';
import { LRScheduler, type SchedulableOptimizer } from './scheduler.js';
import { checkSchedulerOptions } from './validate.js';

/** `lastEpoch` as every scheduler takes it: -1 starts the schedule, more resumes it. */
export interface ResumeOptions { lastEpoch?: number }

const current = (s: LRScheduler): number[] => s.optimizer.paramGroups.map((g) => g.lr);

export interface StepLROptions extends ResumeOptions { stepSize: number; gamma?: number }

/** `lr = lr₀ · γ^⌊t / stepSize⌋`: decays by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    const o = checkSchedulerOptions<StepLROptions>('StepLR', options, { stepSize: required(POSITIVE_INT), gamma: POSITIVE });
    super(optimizer, o.lastEpoch);
    this.stepSize = o.stepSize as number;
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t === 0 || t % this.stepSize !== 0) return current(this);
    return current(this).map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions extends ResumeOptions { milestones: readonly number[]; gamma?: number }

/**
 * `lr = lr₀ · γ^(milestones passed)`: decays by `gamma` at each milestone epoch. A milestone
 * listed twice decays twice, as torch counts them.
 */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    const o = checkSchedulerOptions<MultiStepLROptions>('MultiStepLR', options, { milestones: required(arrayOf(NON_NEGATIVE_INT)), gamma: POSITIVE });
    super(optimizer, o.lastEpoch);
    this.milestones = (o.milestones as number[]).slice().sort((a, b) => a - b);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return hits === 0 ? current(this) : current(this).map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

export interface ConstantLROptions extends ResumeOptions { factor?: number; totalIters?: number }

/** `lr = lr₀ · factor` for the first `totalIters` epochs, then `lr₀`. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options?: ConstantLROptions) {
    // factor excludes 0: torch accepts it, then divides by it when the factor ends.
    const o = checkSchedulerOptions<ConstantLROptions>('ConstantLR', options, { factor: real(0, 1, 'min'), totalIters: NON_NEGATIVE_INT });
    super(optimizer, o.lastEpoch);
    this.factor = o.factor ?? 1 / 3;
    this.totalIters = o.totalIters ?? 5;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return current(this).map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return current(this);
    return current(this).map((lr) => lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const f = this.lastEpoch >= this.totalIters ? 1 : this.factor;
    return this.baseLrs.map((lr) => lr * f);
  }
}

export interface LinearLROptions extends ResumeOptions { startFactor?: number; endFactor?: number; totalIters?: number }

/**
 * `lr = lr₀ · (s + (e − s) · min(t, T) / T)`: the factor moves linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (a linear warm-up with the defaults), then stays.
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options?: LinearLROptions) {
    const o = checkSchedulerOptions<LinearLROptions>('LinearLR', options, { startFactor: real(0, 1, 'min'), endFactor: real(0, 1), totalIters: POSITIVE_INT });
    super(optimizer, o.lastEpoch);
    this.startFactor = o.startFactor ?? 1 / 3;
    this.endFactor = o.endFactor ?? 1;
    this.totalIters = o.totalIters ?? 5;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: t } = this;
    if (t === 0) return current(this).map((lr) => lr * s);
    if (this.isInitial || t > T) return current(this);
    return current(this).map((lr) => lr * (1 + (e - s) / (T * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    return this.baseLrs.map((lr) => lr * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }
}

export interface ExponentialLROptions extends ResumeOptions { gamma: number }

/** `lr = lr₀ · γ^t`: decays by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    const o = checkSchedulerOptions<ExponentialLROptions>('ExponentialLR', options, { gamma: required(POSITIVE) });
    super(optimizer, o.lastEpoch);
    this.gamma = o.gamma as number;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.isInitial) return current(this);
    return current(this).map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

export interface PolynomialLROptions extends ResumeOptions { totalIters?: number; power?: number }

/** `lr = lr₀ · (1 − min(t, T) / T)^power`: reaches 0 at `totalIters` and stays there. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: SchedulableOptimizer, options?: PolynomialLROptions) {
    const o = checkSchedulerOptions<PolynomialLROptions>('PolynomialLR', options, { totalIters: POSITIVE_INT, power: NON_NEGATIVE });
    super(optimizer, o.lastEpoch);
    this.totalIters = o.totalIters ?? 5;
    this.power = o.power ?? 1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { totalIters: T, lastEpoch: t } = this;
    if (this.isInitial || t > T) return current(this);
    const decay = ((1 - t / T) / (1 - (t - 1) / T)) ** this.power;
    return current(this).map((lr) => lr * decay);
  }

  protected override closedFormLr(): number[] {
    const T = this.totalIters;
    return this.baseLrs.map((lr) => lr * (1 - Math.min(T, this.lastEpoch) / T) ** this.power);
  }
}
