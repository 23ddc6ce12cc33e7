// Reduce the rate when a validation metric stops improving: the one scheduler driven by a
// measurement instead of the epoch count.
import { OptionError } from '../core/errors.js';
import { SchedulerBase, type SchedulableOptimizer } from './scheduler.js';
import { checkOptimizer, integerAtLeast, numberIn, oneOf, perGroup } from './validate.js';

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

/**
 * `step(metric)` once per epoch with the validation metric. When the metric has not improved on
 * the best seen (by `threshold`) for more than `patience` epochs, every group's lr becomes
 * `max(lr · factor, minLr)`, then `cooldown` epochs pass before bad epochs count again.
 */
export class ReduceLROnPlateau extends SchedulerBase {
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

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const groups = checkOptimizer(NAME, optimizer).paramGroups.length;
    super(optimizer, 0);
    this.mode = oneOf(NAME, 'mode', options.mode ?? 'min', ['min', 'max']);
    this.factor = numberIn(NAME, 'factor', options.factor ?? 0.1, { min: 0, max: 1, maxOpen: true });
    this.patience = integerAtLeast(NAME, 'patience', options.patience ?? 10, 0);
    this.threshold = numberIn(NAME, 'threshold', options.threshold ?? 1e-4, { min: 0 });
    this.thresholdMode = oneOf(NAME, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs']);
    this.cooldown = integerAtLeast(NAME, 'cooldown', options.cooldown ?? 0, 0);
    this.minLrs = perGroup(NAME, 'minLr', options.minLr ?? 0, groups, (k, v) => numberIn(NAME, k, v, { min: 0 }));
    this.eps = numberIn(NAME, 'eps', options.eps ?? 1e-8, { min: 0 });
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, threshold } = this;
    if (this.thresholdMode === 'rel') return mode === 'min' ? a < best * (1 - threshold) : a > best * (1 + threshold);
    return mode === 'min' ? a < best - threshold : a > best + threshold;
  }

  /** Records one epoch's metric and reduces the lrs if it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new OptionError(`${NAME}: step(metric) needs the epoch's metric as a number, got ${String(metric)}`);
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
