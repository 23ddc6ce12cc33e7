import { NonFiniteError, OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { DataLoader } from '../data/loader.js';
import { TensorDataset, takeRows } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import type { Callback, EpochLogs, TrainingContext } from './callbacks.js';
import { ProgressBar } from './progress.js';
import { correctCount, METRICS, type MetricName } from './metrics.js';

// The Keras-style loop, written the way a PyTorch user writes it by hand: for each batch
// zeroGrad, forward, loss, backward, step; the scheduler once per epoch (or per batch).

export interface LossModule {
  forward(input: Tensor, target: Tensor): Tensor;
}
export interface OptimizerLike {
  step(): void;
  zeroGrad(): void;
  /** Read for logging: the first group's `lr`. */
  readonly paramGroups: readonly object[];
}
export interface SchedulerLike {
  step(metric?: number): void;
}

export interface FitOptions {
  loss: LossModule;
  optimizer: OptimizerLike;
  scheduler?: SchedulerLike | null;
  /** When the scheduler steps: after each epoch (default) or after each batch (OneCycleLR, CyclicLR). */
  schedulerStep?: 'epoch' | 'batch';
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Seed of the batch order (default: drawn from the global generator). */
  seed?: number;
  /** Hold out this fraction of the samples (the last ones, before shuffling, as Keras) for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  metrics?: MetricName[];
  callbacks?: Callback[];
  /** 1: a progress bar and a line per epoch (Node); 0: silent. Default 0. */
  verbose?: 0 | 1;
  /** Resume: the number of epochs already done, and the batch-order generator state saved then. */
  initialEpoch?: number;
  loaderState?: number[];
}

export interface History {
  epochs: EpochLogs[];
  /** Per-key series, e.g. history.loss[e], history.valLoss[e]. */
  history: Record<string, number[]>;
}

export interface EvaluateOptions {
  loss?: LossModule;
  batchSize?: number;
  metrics?: MetricName[];
}

/** Trains `model` on (x, y); returns the per-epoch history. The model is left in eval mode. */
export async function fit(model: Module, x: Tensor, y: Tensor, options: FitOptions): Promise<History> {
  const o = checkFitOptions(x, y, options);
  const [trainX, trainY, valX, valY, owned] = splitValidation(x, y, o.validationSplit, options.validationData);
  const loader = new DataLoader(new TensorDataset(trainX, trainY), { batchSize: o.batchSize, shuffle: o.shuffle, seed: options.seed });
  if (options.loaderState) loader.setState(options.loaderState);
  const callbacks = [...(o.verbose ? [new ProgressBar()] : []), ...(options.callbacks ?? [])];
  const history: History = { epochs: [], history: {} };
  const ctx: TrainingContext = { model, epochs: o.epochs, stopTraining: false, loader, logged: history.epochs };
  const wantAccuracy = o.metrics.includes('accuracy');
  const batches = loader.length;
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = o.initialEpoch; epoch < o.epochs && !ctx.stopTraining; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      model.train();
      const start = performance.now();
      const lr = (options.optimizer.paramGroups[0] as { lr?: number } | undefined)?.lr ?? NaN;
      let lossSum = 0, correct = 0, seen = 0, batch = 0;
      for (const [bx, by] of loader) {
        options.optimizer.zeroGrad();
        const output = model.forward(bx);
        const loss = options.loss.forward(output, by);
        const value = loss.item();
        if (!Number.isFinite(value)) {
          throw new NonFiniteError(
            `fit: the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before that update, ` +
              'so the model holds the weights of the last good step (try a lower learning rate, or scaling the inputs)',
          );
        }
        if (wantAccuracy) correct += correctCount(output, by);
        loss.backward();
        checkGradients(model, epoch, batch);
        options.optimizer.step();
        if (o.schedulerStep === 'batch') options.scheduler?.step();
        lossSum += value * by.shape[0];
        seen += by.shape[0];
        for (const cb of callbacks) await cb.onBatchEnd?.({ batch, batches, loss: value, samples: by.shape[0] }, ctx);
        batch++;
      }
      const logs: EpochLogs = { epoch, loss: lossSum / seen, lr, time: 0, samplesPerSecond: 0 };
      if (wantAccuracy) logs.accuracy = correct / seen;
      const trainSeconds = (performance.now() - start) / 1000;
      if (valX && valY) {
        const val = evaluate(model, valX, valY, { loss: options.loss, batchSize: o.batchSize, metrics: o.metrics });
        logs.valLoss = val.loss;
        if (wantAccuracy) logs.valAccuracy = val.accuracy;
      }
      logs.time = (performance.now() - start) / 1000;
      logs.samplesPerSecond = seen / trainSeconds;
      if (o.schedulerStep === 'epoch' && options.scheduler) stepScheduler(options.scheduler, logs);
      history.epochs.push(logs);
      for (const [key, value] of Object.entries(logs)) if (typeof value === 'number' && key !== 'epoch') (history.history[key] ??= []).push(value);
      for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  } finally {
    model.eval();
    loader.dispose();
    owned.forEach((t) => t.dispose());
  }
  return history;
}

/** Mean loss (and accuracy) over (x, y) in eval mode, without gradients. */
export function evaluate(model: Module, x: Tensor, y: Tensor, options: EvaluateOptions = {}): { loss: number; accuracy?: number } {
  const batchSize = options.batchSize ?? 256;
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize, shuffle: false, seed: 0 });
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, correct = 0, seen = 0;
  try {
    noGrad(() => {
      for (const [bx, by] of loader) {
        const output = model.forward(bx);
        if (options.loss) lossSum += options.loss.forward(output, by).item() * by.shape[0];
        correct += correctCount(output, by);
        seen += by.shape[0];
      }
    });
  } finally {
    loader.dispose();
    model.train(wasTraining);
  }
  const result: { loss: number; accuracy?: number } = { loss: options.loss ? lossSum / seen : NaN };
  if ((options.metrics ?? ['accuracy']).includes('accuracy')) result.accuracy = correct / seen;
  return result;
}

/** The model's outputs for x, in batches, as a new tensor the caller owns. */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const batchSize = options.batchSize ?? 256;
  const n = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  let out: Tensor | null = null;
  try {
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const rows = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
        const bx = takeRows(x, rows);
        try {
          const y = model.forward(bx);
          out ??= new Tensor([n, ...y.shape.slice(1)]);
          const row = y.size / rows.length;
          requireBackend().copy(y.offset, out.offset + start * row * 4, y.size);
        } finally {
          bx.dispose();
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return out ?? new Tensor([0]);
}

function stepScheduler(scheduler: SchedulerLike, logs: EpochLogs): void {
  // ReduceLROnPlateau needs the metric it watches: the validation loss when there is one.
  if ((scheduler as { needsMetric?: boolean }).needsMetric) scheduler.step(logs.valLoss ?? logs.loss);
  else scheduler.step();
}

/** A NaN or Inf gradient would poison the weights: stop before the optimizer applies it. */
function checkGradients(model: Module, epoch: number, batch: number): void {
  const k = requireBackend();
  // A Sequential keeps every gradient in one block: one reduction checks them all.
  const block = (model as { gradientBlock?: Tensor }).gradientBlock;
  const blocks = block ? [block] : model.parameters().map((p) => p.grad);
  for (const g of blocks) {
    if (!Number.isFinite(k.sum(g.offset, g.size))) {
      throw new NonFiniteError(
        `fit: a gradient became NaN or Inf at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before that update, ` +
          'so the model holds the weights of the last good step',
      );
    }
  }
}

function checkFitOptions(x: Tensor, y: Tensor, options: FitOptions) {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new OptionError('fit: x and y must be Tensors');
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`fit: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} have different numbers of samples`);
  }
  if (!options || typeof options.loss?.forward !== 'function') throw new OptionError('fit: options.loss must be a loss module, e.g. new CrossEntropyLoss()');
  if (typeof options.optimizer?.step !== 'function') throw new OptionError('fit: options.optimizer must be an optimizer, e.g. new Adam(model.parameters())');
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1) throw new OptionError(`fit: epochs must be a positive integer, got ${String(epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`fit: batchSize must be a positive integer, got ${String(batchSize)}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch > epochs) throw new OptionError(`fit: initialEpoch must be an integer in [0, epochs], got ${String(initialEpoch)}`);
  const validationSplit = options.validationSplit ?? 0;
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new OptionError(`fit: validationSplit must be in [0, 1), got ${String(validationSplit)}`);
  if (validationSplit > 0 && options.validationData) throw new OptionError('fit: give validationSplit or validationData, not both');
  const metrics = options.metrics ?? [];
  for (const m of metrics) if (!METRICS.includes(m)) throw new OptionError(`fit: unknown metric ${JSON.stringify(m)}; known: ${METRICS.join(', ')}`);
  const schedulerStep = options.schedulerStep ?? 'epoch';
  if (schedulerStep !== 'epoch' && schedulerStep !== 'batch') throw new OptionError(`fit: schedulerStep must be 'epoch' or 'batch', got ${JSON.stringify(schedulerStep)}`);
  return { epochs, batchSize, initialEpoch, validationSplit, metrics, schedulerStep, shuffle: options.shuffle ?? true, verbose: options.verbose ?? 0 };
}

function splitValidation(x: Tensor, y: Tensor, fraction: number, data?: [Tensor, Tensor]): [Tensor, Tensor, Tensor | null, Tensor | null, Tensor[]] {
  if (data) return [x, y, data[0], data[1], []];
  if (fraction === 0) return [x, y, null, null, []];
  const n = x.shape[0];
  const nVal = Math.floor(n * fraction);
  if (nVal < 1 || nVal >= n) throw new OptionError(`fit: validationSplit ${fraction} of ${n} samples leaves no validation or no training data`);
  const trainIdx = Array.from({ length: n - nVal }, (_, i) => i);
  const valIdx = Array.from({ length: nVal }, (_, i) => n - nVal + i);
  const parts = [takeRows(x, trainIdx), takeRows(y, trainIdx), takeRows(x, valIdx), takeRows(y, valIdx)];
  return [parts[0], parts[1], parts[2], parts[3], parts];
}
