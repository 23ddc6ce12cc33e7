// The 1cycle policy (Smith & Topin 2017, "Super-Convergence", https://arxiv.org/abs/1708.07120),
// in fastai's two-phase form by default, as torch's OneCycleLR. Stepped once per batch.
import { OptionError } from '../core/errors.js';
import { BOOLEAN, NON_NEGATIVE, POSITIVE, POSITIVE_INT, UNIT, oneOf, required } from '../core/validate.js';
import { MOMENTUM_RULES, momentumCycle, setMomentum, type MomentumCycle, type MomentumOptions } from './momentum.js';
import { LRScheduler, type SchedulableOptimizer } from './scheduler.js';
import type { ResumeOptions } from './step.js';
import { checkOptimizer, checkSchedulerOptions, perGroup, perGroupOf } from './validate.js';

export interface OneCycleLROptions extends ResumeOptions, MomentumOptions {
  /** The peak lr, per group or for all. */
  maxLr: number | readonly number[];
  /** Optimizer steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent rising. Default 0.3. */
  pctStart?: number;
  /** Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  // cycleMomentum (default true), baseMomentum (0.85), maxMomentum (0.95): see MomentumOptions.
  /** The start lr is maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** The final lr is the start lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** The paper's three phases (up, down to the start lr, down to the final lr). Default false. */
  threePhase?: boolean;
}

type LrPoint = 'initial' | 'max' | 'min';
type MomentumPoint = 'max' | 'base';
interface Phase { endStep: number; startLr: LrPoint; endLr: LrPoint; startMomentum: MomentumPoint; endMomentum: MomentumPoint }

const NAME = 'OneCycleLR';
const RULES = {
  maxLr: required(perGroupOf(NON_NEGATIVE)), totalSteps: POSITIVE_INT, epochs: POSITIVE_INT, stepsPerEpoch: POSITIVE_INT,
  pctStart: UNIT, annealStrategy: oneOf('cos', 'linear'), divFactor: POSITIVE, finalDivFactor: POSITIVE, threePhase: BOOLEAN,
  ...MOMENTUM_RULES,
};

/**
 * The lr rises from `maxLr/divFactor` to `maxLr` over the first `pctStart` of `totalSteps`, then
 * anneals (cosine or linear) to `maxLr/divFactor/finalDivFactor` at the last step; momentum
 * does the opposite between `maxMomentum` and `baseMomentum`. Within a phase from step s₀ to s₁,
 * `pct = (t − s₀)/(s₁ − s₀)` and the value is `end + (start − end)(1 + cos(π·pct))/2` ('cos')
 * or `start + (end − start)·pct` ('linear').
 *
 * The schedule has `totalSteps` values (after construction and after each of `totalSteps − 1`
 * steps); as torch, one more `step()` extrapolates the last phase and the next one throws.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  pctStart: number;
  phases: Phase[];
  annealStrategy: 'cos' | 'linear';
  maxLrs: number[];
  minLrs: number[];
  /** The momentum bounds and fields when momentum is cycled, else null. */
  momentum: MomentumCycle | null;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    const o = checkSchedulerOptions<OneCycleLROptions>(NAME, options, RULES);
    const groups = checkOptimizer(NAME, optimizer).paramGroups;
    let totalSteps: number;
    if (o.totalSteps !== undefined) totalSteps = o.totalSteps;
    else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) totalSteps = o.epochs * o.stepsPerEpoch;
    else throw new OptionError(`${NAME}: give totalSteps, or epochs and stepsPerEpoch`);
    const pctStart = o.pctStart ?? 0.3;
    const threePhase = o.threePhase ?? false;
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    const maxLrs = perGroup(NAME, 'maxLr', o.maxLr as number | number[], groups.length);
    const annealStrategy = o.annealStrategy ?? 'cos';
    // Every option is valid: now the optimizer may change.
    const momentum = momentumCycle(NAME, optimizer, o, { base: 0.85, max: 0.95 });
    // As torch, the schedule's own start lr replaces any earlier initialLr.
    if ((o.lastEpoch ?? -1) === -1) groups.forEach((g, i) => { g.initialLr = maxLrs[i] / divFactor; });
    super(optimizer, o.lastEpoch);
    this.totalSteps = totalSteps;
    this.pctStart = pctStart;
    const rise = pctStart * totalSteps - 1;
    this.phases = threePhase
      ? [
          { endStep: rise, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: totalSteps - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: rise, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: totalSteps - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    this.annealStrategy = annealStrategy;
    this.maxLrs = maxLrs;
    this.minLrs = this.baseLrs.map((lr) => lr / finalDivFactor);
    this.momentum = momentum;
    this.initialStep();
  }

  get cycleMomentum(): boolean {
    return this.momentum !== null;
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new OptionError(
        `${NAME}: step() called ${t} times, past the end of the schedule (totalSteps ${this.totalSteps}); ` +
          'make totalSteps (or epochs × stepsPerEpoch) the number of optimizer steps',
      );
    }
    let start = 0;
    let phase = this.phases[this.phases.length - 1];
    for (const p of this.phases) {
      if (t <= p.endStep || p === phase) { phase = p; break; }
      start = p.endStep;
    }
    if (phase.endStep === start) {
      throw new OptionError(
        `${NAME}: pctStart ${this.pctStart} with totalSteps ${this.totalSteps} leaves a phase of the schedule ` +
          `with no steps at step ${t}; change pctStart`,
      );
    }
    const pct = (t - start) / (phase.endStep - start);
    const lrAt = (point: LrPoint, i: number): number =>
      point === 'initial' ? this.baseLrs[i] : point === 'max' ? this.maxLrs[i] : this.minLrs[i];
    if (this.momentum) {
      const at = (point: MomentumPoint, base: number, max: number): number => (point === 'max' ? max : base);
      setMomentum(this.optimizer, this.momentum, (base, max) =>
        this.anneal(at(phase.startMomentum, base, max), at(phase.endMomentum, base, max), pct));
    }
    return this.baseLrs.map((_, i) => this.anneal(lrAt(phase.startLr, i), lrAt(phase.endLr, i), pct));
  }
}
