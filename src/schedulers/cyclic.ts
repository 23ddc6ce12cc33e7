// Cyclical learning rates (Smith 2017, https://arxiv.org/abs/1506.01186), as torch adapts them
// from bckenstler/CLR: a triangle between baseLr and maxLr, stepped once per batch.
import { FUNCTION, NON_NEGATIVE, POSITIVE, POSITIVE_INT, oneOf, required } from '../core/validate.js';
import { MOMENTUM_RULES, momentumCycle, setMomentum, type MomentumCycle, type MomentumOptions } from './momentum.js';
import { LRScheduler, type SchedulableOptimizer } from './scheduler.js';
import type { ResumeOptions } from './step.js';
import { checkOptimizer, checkSchedulerOptions, perGroup, perGroupOf } from './validate.js';

export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

export interface CyclicLROptions extends ResumeOptions, MomentumOptions {
  /** The lower bound, per group or for all; the lr is set to it at construction. */
  baseLr: number | readonly number[];
  /** The upper bound, per group or for all. */
  maxLr: number | readonly number[];
  /** Batches from baseLr up to maxLr. Default 2000. */
  stepSizeUp?: number;
  /** Batches back down. Default `stepSizeUp`. */
  stepSizeDown?: number;
  /** 'triangular' (constant height), 'triangular2' (halved every cycle), 'exp_range' (× γ^batch). */
  mode?: CyclicMode;
  /** exp_range's factor per batch. Default 1. */
  gamma?: number;
  /** A custom height factor in [0, 1]; replaces `mode`. Not saved in `stateDict()`. */
  scaleFn?: (x: number) => number;
  /** Whether `scaleFn` gets the cycle number or the batch number. Default 'cycle'. */
  scaleMode?: 'cycle' | 'iterations';
  // cycleMomentum (default true), baseMomentum (0.8), maxMomentum (0.9): see MomentumOptions.
}

const NAME = 'CyclicLR';
const RULES = {
  baseLr: required(perGroupOf(NON_NEGATIVE)), maxLr: required(perGroupOf(NON_NEGATIVE)), stepSizeUp: POSITIVE_INT, stepSizeDown: POSITIVE_INT,
  mode: oneOf('triangular', 'triangular2', 'exp_range'), gamma: POSITIVE, scaleFn: FUNCTION, scaleMode: oneOf('cycle', 'iterations'),
  ...MOMENTUM_RULES,
};

/**
 * With `cycle = ⌊1 + t/(up + down)⌋` and `x` the position in the cycle in [0, 1):
 * `lr = baseLr + (maxLr − baseLr) · h(x) · scale`, `h` rising 0 → 1 over the first
 * `up/(up + down)` of the cycle and falling back after. Momentum moves the opposite way:
 * `m = maxMomentum − (maxMomentum − baseMomentum) · h(x) · scale`.
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  /** The momentum bounds and fields when momentum is cycled, else null. */
  momentum: MomentumCycle | null;
  scaleFn?: (x: number) => number;

  constructor(optimizer: SchedulableOptimizer, options: CyclicLROptions) {
    const o = checkSchedulerOptions<CyclicLROptions>(NAME, options, RULES);
    const groups = checkOptimizer(NAME, optimizer).paramGroups;
    const baseLrs = perGroup(NAME, 'baseLr', o.baseLr as number | number[], groups.length);
    const maxLrs = perGroup(NAME, 'maxLr', o.maxLr as number | number[], groups.length);
    const up = o.stepSizeUp ?? 2000;
    const down = o.stepSizeDown ?? up;
    const mode = o.mode ?? 'triangular';
    const gamma = o.gamma ?? 1;
    const { scaleFn } = o;
    const scaleMode = scaleFn ? o.scaleMode ?? 'cycle' : mode === 'exp_range' ? 'iterations' : 'cycle';
    // Every option is valid: now the optimizer may change.
    const momentum = momentumCycle(NAME, optimizer, o, { base: 0.8, max: 0.9 });
    // As torch: the lr starts at baseLr (recorded as initialLr unless a scheduler ran before).
    if ((o.lastEpoch ?? -1) === -1) groups.forEach((g, i) => { g.lr = baseLrs[i]; });
    super(optimizer, o.lastEpoch);
    this.baseLrs = baseLrs;
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this.scaleFn = scaleFn;
    this.scaleMode = scaleMode;
    this.momentum = momentum;
    this.initialStep();
  }

  get cycleMomentum(): boolean {
    return this.momentum !== null;
  }

  private scale(x: number): number {
    if (this.scaleFn) return this.scaleFn(x);
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1;
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const height = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scale(this.scaleMode === 'cycle' ? cycle : t);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * height * scale);
    if (this.momentum) setMomentum(this.optimizer, this.momentum, (base, max) => max - (max - base) * height * scale);
    return lrs;
  }
}
