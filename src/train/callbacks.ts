import { OptionError } from '../core/errors.js';
import { BOOLEAN, FINITE, NON_NEGATIVE_INT, STRING, checkOptions, oneOf } from '../core/validate.js';
import type { Module, StateDict } from '../nn/module.js';

/** What the loop reports after each epoch (keys as Keras: loss, valLoss, accuracy, valAccuracy). */
export interface EpochLogs {
  epoch: number;
  loss: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  /** The learning rate of the first param group during this epoch. */
  lr: number;
  /** Seconds spent in this epoch (training and validation). */
  time: number;
  samplesPerSecond: number;
  [metric: string]: number | undefined;
}

export interface BatchLogs {
  batch: number;
  batches: number;
  loss: number;
  samples: number;
}

export interface TrainingContext {
  model: Module;
  epochs: number;
  /** Set to true by a callback to end training after the current epoch. */
  stopTraining: boolean;
  /** The batch-order generator (a checkpoint saves its state so a resumed run reshuffles alike). */
  loader?: { getState(): number[] | null };
  /** The epochs logged so far in this fit() call. */
  logged?: readonly EpochLogs[];
}

/** Hooks into fit(); implement any subset. */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, ctx: TrainingContext): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainingContext): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** The logged quantity to watch (default 'valLoss'). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min', 'max', or 'auto' (max for accuracies, min otherwise). */
  mode?: 'min' | 'max' | 'auto';
  /** At the end, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

const EARLY_STOPPING_RULES = {
  monitor: STRING, patience: NON_NEGATIVE_INT, minDelta: FINITE, mode: oneOf('min', 'max', 'auto'), restoreBestWeights: BOOLEAN,
};

/**
 * Stops training when the monitored quantity has not improved by more than minDelta for
 * `patience` epochs (Keras semantics) — the course's validation-loss stopping.
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  /** The epoch (0-based) training stopped after, or null. */
  stoppedEpoch: number | null = null;
  bestEpoch = -1;
  /** The best value so far: ±Infinity (the worst) before the first epoch. */
  best = Infinity;
  private wait = 0;
  private bestWeights: StateDict | null = null;

  constructor(options?: EarlyStoppingOptions) {
    const o = checkOptions<EarlyStoppingOptions>('EarlyStopping', options, EARLY_STOPPING_RULES);
    this.monitor = o.monitor ?? 'valLoss';
    this.patience = o.patience ?? 0;
    this.minDelta = Math.abs(o.minDelta ?? 0);
    const mode = o.mode ?? 'auto';
    this.mode = mode === 'auto' ? (/acc/i.test(this.monitor) ? 'max' : 'min') : mode;
    this.restoreBestWeights = o.restoreBestWeights ?? false;
    this.best = this.worst;
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.worst;
    this.bestEpoch = -1;
    this.stoppedEpoch = null;
    this.bestWeights = null;
  }

  /** A NaN value is never an improvement (as torch's ReduceLROnPlateau), so it counts toward patience. */
  onEpochEnd(logs: EpochLogs, ctx: TrainingContext): void {
    const value = logs[this.monitor];
    if (typeof value !== 'number') {
      throw new OptionError(`EarlyStopping: monitor '${this.monitor}' is not logged; logged: ${Object.keys(logs).join(', ')}`);
    }
    const improved = this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (improved) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = ctx.model.stateDict();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = logs.epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(ctx: TrainingContext): void {
    if (this.restoreBestWeights && this.bestWeights) ctx.model.loadStateDict(this.bestWeights);
  }
}
