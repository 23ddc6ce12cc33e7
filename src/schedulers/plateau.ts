// Reduce the rate when a validation metric stops improving: the one scheduler driven by a
// measurement instead of the epoch count.
import { NonFiniteError, OptionError } from '../core/errors.js';
import { NON_NEGATIVE, NON_NEGATIVE_INT, UNIT_OPEN, checkOptions, oneOf, render } from '../core/validate.js';
import { SchedulerBase, type SchedulableOptimizer } from './scheduler.js';
import { checkOptimizer, perGroup, perGroupOf } from './validate.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** `lr ← lr · factor` on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** How much better counts as better. Default 1e-4. */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** A floor for the lr, per group or for all. Default 0. */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is skipped. Default 1e-8. */
  eps?: number;
}

const NAME = 'ReduceLROnPlateau';
const RULES = {
  mode: oneOf('min', 'max'), factor: UNIT_OPEN, patience: NON_NEGATIVE_INT, threshold: NON_NEGATIVE,
  thresholdMode: oneOf('rel', 'abs'), cooldown: NON_NEGATIVE_INT, minLr: perGroupOf(NON_NEGATIVE), eps: NON_NEGATIVE,
};

/**
 * `step(metric)` once per epoch with the validation metric. When the metric has not improved on
 * the best seen (by `threshold`) for more than `patience` epochs, every group's lr becomes
 * `max(lr · factor, minLr)`, then `cooldown` epochs pass before bad epochs count again.
 */
export class ReduceLROnPlateau extends SchedulerBase {
  /** `best` is null until a metric is seen: loadStateDict takes null or a number for it. */
  static readonly nullableState = ['best'];
  /** step() takes the watched metric: fit() passes the validation loss (or the loss). */
  readonly needsMetric = true;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** The best metric so far; null (the worst possible) until one is seen, so the state is JSON. */
  best: number | null = null;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(optimizer: SchedulableOptimizer, options?: ReduceLROnPlateauOptions) {
    const o = checkOptions<ReduceLROnPlateauOptions>(NAME, options, RULES);
    const groups = checkOptimizer(NAME, optimizer).paramGroups.length;
    super(optimizer, 0);
    this.mode = o.mode ?? 'min';
    this.factor = o.factor ?? 0.1;
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.cooldown = o.cooldown ?? 0;
    this.minLrs = perGroup(NAME, 'minLr', o.minLr ?? 0, groups);
    this.eps = o.eps ?? 1e-8;
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, threshold } = this;
    if (this.thresholdMode === 'rel') return mode === 'min' ? a < best * (1 - threshold) : a > best * (1 + threshold);
    return mode === 'min' ? a < best - threshold : a > best + threshold;
  }

  /**
   * Records one epoch's metric and reduces the lrs if it has plateaued. A NaN or Inf metric is a
   * NonFiniteError. torch counts it as a bad epoch and, after `patience` of them, cuts the rate:
   * that hides a model or validation set that broke, and leaves a smaller rate behind it.
   */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new OptionError(`${NAME}: step(metric) needs the epoch's metric as a number, got ${render(metric)}`);
    }
    if (!Number.isFinite(metric)) {
      throw new NonFiniteError(
        `${NAME}: step(metric) got ${metric} at epoch ${this.lastEpoch + 1}; a non-finite metric is refused rather than counted ` +
          'as a bad epoch (torch would go on to cut the lr), since it means the model or the validation data broke',
      );
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best ?? this.worst)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.groupLrs();
  }

  private reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      throw new OptionError(`${NAME}: the optimizer now has ${groups.length} param groups, but minLr was given for ${this.minLrs.length}`);
    }
    groups.forEach((g, i) => {
      const lr = Math.max(g.lr * this.factor, this.minLrs[i]);
      if (g.lr - lr > this.eps) g.lr = lr;
    });
  }
}
