import { OptionError } from '../core/errors.js';
import { BOOLEAN, FUNCTION, STRING, checkOptions, instanceOf, nullable, oneOf, required } from '../core/validate.js';
import { save, type Stateful } from '../io/index.js';
import type { Callback, EpochLogs, TrainingContext } from './callbacks.js';

export interface ModelCheckpointOptions {
  /** File to write; `{epoch}` is replaced by the epoch number (1-based). */
  path: string;
  /** Save only when `monitor` improves (default false: every epoch). */
  saveBestOnly?: boolean;
  monitor?: string;
  mode?: 'min' | 'max';
  optimizer?: Stateful | null;
  scheduler?: Stateful | null;
  /** More JSON-safe state to store (called at each save; its keys win over the defaults). */
  extra?: (ctx: TrainingContext) => Record<string, unknown>;
}

const RULES = {
  path: required(STRING), saveBestOnly: BOOLEAN, monitor: STRING, mode: oneOf('min', 'max'),
  optimizer: nullable(instanceOf(Object, 'optimizer')), scheduler: nullable(instanceOf(Object, 'scheduler')), extra: FUNCTION,
};

/** Writes a checkpoint (atomically) after epochs, every one or only the best. Node only. */
export class ModelCheckpoint implements Callback {
  private best: number | null = null;
  readonly saved: string[] = [];

  constructor(readonly options: ModelCheckpointOptions) {
    checkOptions<ModelCheckpointOptions>('ModelCheckpoint', options, RULES);
  }

  async onEpochEnd(logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    const { saveBestOnly = false, monitor = 'valLoss' } = this.options;
    if (saveBestOnly) {
      const value = logs[monitor];
      if (typeof value !== 'number') throw new OptionError(`ModelCheckpoint: monitor '${monitor}' is not logged`);
      const mode = this.options.mode ?? (/acc/i.test(monitor) ? 'max' : 'min');
      // A NaN is never better; null (nothing seen yet) is worse than any number.
      const better = !Number.isNaN(value) && (this.best === null || (mode === 'min' ? value < this.best : value > this.best));
      if (!better) return;
      this.best = value;
    }
    const path = this.options.path.replace('{epoch}', String(logs.epoch + 1));
    // With the batch-order generator and the log so far, a run resumed from here continues
    // exactly as if it had never stopped.
    const extra = { loader: ctx.loader?.getState(), history: { epochs: ctx.logged ?? [] }, ...(this.options.extra?.(ctx) ?? {}) };
    await save(path, { model: ctx.model, optimizer: this.options.optimizer, scheduler: this.options.scheduler, epoch: logs.epoch + 1, extra });
    this.saved.push(path);
  }
}
