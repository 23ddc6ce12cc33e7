import { NonFiniteError, OptionError } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { DataLoader } from '../data/loader.js';
import { TensorDataset, takeRows } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import type { Callback, EpochLogs, TrainingContext } from './callbacks.js';
import { ProgressBar } from './progress.js';
import { correctCount, type MetricName } from './metrics.js';
import { checkEvaluate, checkFit, checkPredict } from './fit-options.js';

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
  /** Seed of the batch order's own generator (default: none; each epoch draws from the global generator, as torch's DataLoader). */
  seed?: number;
  /** Hold out this fraction of the samples (the last ones, before shuffling, as Keras) for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  metrics?: MetricName[];
  callbacks?: Callback[];
  /** 1: a progress bar and a line per epoch (Node); 0: silent. Default 0. */
  verbose?: 0 | 1;
  /** Resume: the number of epochs already done, and the batch order's generator state saved then (null without a seed). */
  initialEpoch?: number;
  loaderState?: number[] | null;
}

export interface History {
  epochs: EpochLogs[];
  /** Per-key series, e.g. history.loss[e], history.valLoss[e]. */
  history: Record<string, number[]>;
}

export interface EvaluateOptions {
  /** Without a loss module the result's `loss` is NaN: there is nothing to measure. */
  loss?: LossModule;
  batchSize?: number;
  metrics?: MetricName[];
}

export interface PredictOptions {
  /** Rows per forward pass (default 256). */
  batchSize?: number;
}

/**
 * Trains `model` on (x, y); returns the per-epoch history. The model is left in eval mode.
 *
 * A NaN or Inf training loss or gradient stops training with a NonFiniteError naming the epoch,
 * the batch and the step, before that update: the model keeps the weights of the last good step.
 * A non-finite validation loss stops it the same way (after the epoch's finite updates): it would
 * otherwise reach EarlyStopping, ReduceLROnPlateau and ModelCheckpoint as a value that is never
 * better and never worse, and each would go on silently doing nothing.
 */
export async function fit(model: Module, x: Tensor, y: Tensor, options: FitOptions): Promise<History> {
  const o = checkFit(model, x, y, options);
  const [trainX, trainY, valX, valY, owned] = splitValidation(x, y, o.validationSplit, o.validationData);
  const loader = new DataLoader(new TensorDataset(trainX, trainY), { batchSize: o.batchSize, shuffle: o.shuffle, seed: o.seed });
  if (o.loaderState) loader.setState(o.loaderState);
  const callbacks = [...(o.verbose ? [new ProgressBar()] : []), ...o.callbacks];
  const history: History = { epochs: [], history: {} };
  const ctx: TrainingContext = { model, epochs: o.epochs, stopTraining: false, loader, logged: history.epochs };
  const wantAccuracy = o.metrics.includes('accuracy');
  const batches = loader.length;
  const buffers = model.namedBuffers().map(([, t]) => t);
  const savedBuffers = buffers.map((t) => new Float32Array(t.size));
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = o.initialEpoch; epoch < o.epochs && !ctx.stopTraining; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      model.train();
      const start = performance.now();
      const lr = (o.optimizer.paramGroups[0] as { lr?: number } | undefined)?.lr ?? NaN;
      let lossSum = 0, correct = 0, seen = 0, batch = 0;
      for (const [bx, by] of loader) {
        o.optimizer.zeroGrad();
        // The forward moves buffers (BatchNorm's running statistics) before the loss is known: keep
        // their values so a refused step leaves them as the last good step did, with the weights.
        for (let i = 0; i < buffers.length; i++) savedBuffers[i].set(buffers[i].data);
        let value: number;
        try {
          const output = model.forward(bx);
          const loss = o.loss.forward(output, by);
          value = loss.item();
          if (!Number.isFinite(value)) {
            throw new NonFiniteError(
              `fit: the loss became ${value} ${position(epoch, batch, batches)}; training stopped before that update, ` +
                'so the model holds the weights of the last good step (try a lower learning rate, or scaling the inputs)',
            );
          }
          if (wantAccuracy) correct += correctCount(output, by);
          loss.backward();
          checkGradients(model, epoch, batch, batches);
        } catch (error) {
          if (error instanceof NonFiniteError) buffers.forEach((t, i) => t.data.set(savedBuffers[i]));
          throw error;
        }
        o.optimizer.step();
        if (o.schedulerStep === 'batch') o.scheduler?.step();
        lossSum += value * by.shape[0];
        seen += by.shape[0];
        for (const cb of callbacks) await cb.onBatchEnd?.({ batch, batches, loss: value, samples: by.shape[0] }, ctx);
        batch++;
      }
      const logs: EpochLogs = { epoch, loss: lossSum / seen, lr, time: 0, samplesPerSecond: 0 };
      if (wantAccuracy) logs.accuracy = correct / seen;
      const trainSeconds = (performance.now() - start) / 1000;
      if (valX && valY) {
        const val = meanLoss(model, valX, valY, o.loss, o.batchSize, wantAccuracy, (value, b, rows) => new NonFiniteError(
          `fit: the validation loss became ${value} at epoch ${epoch + 1}, on validation batch ${b + 1} (rows ${rows}); ` +
            "training stopped after that epoch's updates, all of which were finite (is there a NaN or Inf in the validation data?)",
        ));
        logs.valLoss = val.loss;
        if (wantAccuracy) logs.valAccuracy = val.correct / val.seen;
      }
      logs.time = (performance.now() - start) / 1000;
      logs.samplesPerSecond = seen / trainSeconds;
      if (o.schedulerStep === 'epoch' && o.scheduler) stepScheduler(o.scheduler, logs);
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

/**
 * Mean loss (and accuracy) over (x, y) in eval mode, without gradients. A NaN or Inf loss on any
 * batch is a NonFiniteError naming the batch and its rows (a mean would hide which rows it was).
 */
export function evaluate(model: Module, x: Tensor, y: Tensor, options?: EvaluateOptions): { loss: number; accuracy?: number } {
  const o = checkEvaluate(model, x, y, options);
  const wantAccuracy = o.metrics.includes('accuracy');
  const { loss, correct, seen } = meanLoss(model, x, y, o.loss, o.batchSize, wantAccuracy, (value, b, rows) => new NonFiniteError(
    `evaluate: the loss is ${value} on batch ${b + 1} (rows ${rows}); the model's outputs or the targets there are not finite`,
  ));
  const result: { loss: number; accuracy?: number } = { loss };
  if (wantAccuracy) result.accuracy = correct / seen;
  return result;
}

/** The loop evaluate() and fit's validation share; `nonFinite` words the error for its caller. */
function meanLoss(
  model: Module, x: Tensor, y: Tensor, lossFn: LossModule | undefined, batchSize: number, wantAccuracy: boolean,
  nonFinite: (value: number, batch: number, rows: string) => NonFiniteError,
): { loss: number; correct: number; seen: number } {
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize, shuffle: false, seed: 0 });
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, correct = 0, seen = 0, batch = 0;
  try {
    noGrad(() => {
      for (const [bx, by] of loader) {
        const output = model.forward(bx);
        if (lossFn) {
          const value = lossFn.forward(output, by).item();
          if (!Number.isFinite(value)) throw nonFinite(value, batch, `${seen}–${seen + by.shape[0] - 1}`);
          lossSum += value * by.shape[0];
        }
        if (wantAccuracy) correct += correctCount(output, by);
        seen += by.shape[0];
        batch++;
      }
    });
  } finally {
    loader.dispose();
    model.train(wasTraining);
  }
  return { loss: lossFn ? lossSum / seen : NaN, correct, seen };
}

/** The model's outputs for x, in batches, as a new tensor the caller owns. */
export function predict(model: Module, x: Tensor, options?: PredictOptions): Tensor {
  const { batchSize } = checkPredict(model, x, options);
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
  } catch (error) {
    (out as Tensor | null)?.dispose(); // a later batch failed: the caller never gets the tensor
    throw error;
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

/** Where a step is, counted as a resumed run counts it (each earlier epoch had `batches` steps). */
function position(epoch: number, batch: number, batches: number): string {
  return `at epoch ${epoch + 1}, batch ${batch + 1} of ${batches} (step ${epoch * batches + batch + 1})`;
}

/** A NaN or Inf gradient would poison the weights: stop before the optimizer applies it. */
function checkGradients(model: Module, epoch: number, batch: number, batches: number): void {
  const k = requireBackend();
  // A Sequential keeps every gradient in one block: one reduction checks them all.
  const block = (model as { gradientBlock?: Tensor }).gradientBlock;
  const blocks = block ? [block] : model.parameters().map((p) => p.grad);
  for (const g of blocks) {
    if (g && !Number.isFinite(k.sum(g.offset, g.size))) {
      throw new NonFiniteError(
        `fit: a gradient became NaN or Inf ${position(epoch, batch, batches)}; training stopped before that update, ` +
          'so the model holds the weights of the last good step',
      );
    }
  }
}

function splitValidation(x: Tensor, y: Tensor, fraction: number, data?: readonly [Tensor, Tensor]): [Tensor, Tensor, Tensor | null, Tensor | null, Tensor[]] {
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
