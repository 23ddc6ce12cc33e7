// What fit(), evaluate() and predict() accept, stated once as rules of the shared vocabulary, and
// the structural checks the rules cannot express (a loss module is any object with forward(), a
// callback any object with at least one hook). Everything here runs once per call, before the
// first allocation: nothing in a training step re-checks it.
import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import {
  BOOLEAN, FUNCTION, NON_NEGATIVE_INT, POSITIVE_INT, TENSOR, arrayOf, checkOptions, checkValue,
  instanceOf, nullable, oneOf, real, render, required, type Rule,
} from '../core/validate.js';
import { checkSamples } from '../data/dataset.js';
import { SEED, STATE } from '../data/loader.js';
import type { Module } from '../nn/module.js';
import type { Callback } from './callbacks.js';
import { METRICS } from './metrics.js';
import type { EvaluateOptions, FitOptions, PredictOptions } from './fit.js';

// Any object: the loss, the optimizer and the scheduler are checked by what they can do.
const object = (name: string): Rule => instanceOf(Object, name);
const METRIC_LIST = arrayOf(oneOf(...METRICS));

const FIT_RULES = {
  loss: required(object('loss module')),
  optimizer: required(object('optimizer')),
  scheduler: nullable(object('scheduler')),
  schedulerStep: oneOf('epoch', 'batch'),
  epochs: POSITIVE_INT,
  batchSize: POSITIVE_INT,
  shuffle: BOOLEAN,
  seed: SEED,
  validationSplit: real(0, 1, 'max'),
  validationData: { ...arrayOf(TENSOR, 2), description: 'a pair [x, y] of Tensors' },
  metrics: METRIC_LIST,
  callbacks: arrayOf(object('callback')),
  verbose: oneOf(0, 1),
  initialEpoch: NON_NEGATIVE_INT,
  loaderState: nullable(STATE),
};
const EVALUATE_RULES = { loss: object('loss module'), batchSize: POSITIVE_INT, metrics: METRIC_LIST };
const PREDICT_RULES = { batchSize: POSITIVE_INT };
const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
const HOOK_RULES = Object.fromEntries(HOOKS.map((h) => [h, FUNCTION]));

/** fit's options with their defaults, after every check. */
export function checkFit(model: unknown, x: unknown, y: unknown, options: unknown) {
  checkModel('fit', model);
  checkPair('fit', x, y);
  const o = checkOptions<FitOptions>('fit', options, FIT_RULES);
  if ((x as Tensor).shape[0] === 0) throw new ShapeError(`fit: x has no samples (shape ${formatShape((x as Tensor).shape)})`);
  checkMethod('fit', 'loss', o.loss, 'forward', 'a loss module with forward(output, target), e.g. new CrossEntropyLoss()');
  checkOptimizer(o.optimizer);
  if (o.scheduler) checkMethod('fit', 'scheduler', o.scheduler, 'step', 'a scheduler with step(), e.g. new StepLR(optimizer, { stepSize: 10 })');
  const epochs = o.epochs ?? 1;
  const initialEpoch = o.initialEpoch ?? 0;
  if (initialEpoch > epochs) throw new OptionError(`fit: initialEpoch must be an integer in [0, epochs = ${epochs}], got ${initialEpoch}`);
  const validationSplit = o.validationSplit ?? 0;
  if (validationSplit > 0 && o.validationData) throw new OptionError('fit: give validationSplit or validationData, not both');
  if (o.validationData) checkValidationData(x as Tensor, y as Tensor, o.validationData);
  if (o.loaderState && o.seed === undefined) {
    throw new OptionError('fit: loaderState is the state of a seeded batch order; without seed the order draws from the global generator, which a checkpoint restores (give seed, or loaderState null)');
  }
  (o.callbacks ?? []).forEach((cb, i) => checkCallback(`fit: callbacks[${i}]`, cb));
  return {
    ...(o as FitOptions), epochs, initialEpoch, validationSplit, batchSize: o.batchSize ?? 32, shuffle: o.shuffle ?? true,
    verbose: o.verbose ?? 0, metrics: o.metrics ?? [], schedulerStep: o.schedulerStep ?? 'epoch', callbacks: o.callbacks ?? [],
  };
}

export function checkEvaluate(model: unknown, x: unknown, y: unknown, options: unknown) {
  checkModel('evaluate', model);
  checkPair('evaluate', x, y);
  const o = checkOptions<EvaluateOptions>('evaluate', options, EVALUATE_RULES);
  if ((x as Tensor).shape[0] === 0) throw new ShapeError(`evaluate: x has no samples (shape ${formatShape((x as Tensor).shape)})`);
  if (o.loss !== undefined) checkMethod('evaluate', 'loss', o.loss, 'forward', 'a loss module with forward(output, target)');
  return { loss: o.loss, batchSize: o.batchSize ?? 256, metrics: o.metrics ?? ['accuracy'] };
}

export function checkPredict(model: unknown, x: unknown, options: unknown): { batchSize: number } {
  checkModel('predict', model);
  checkSamples('predict', 'x', x);
  const o = checkOptions<PredictOptions>('predict', options, PREDICT_RULES);
  return { batchSize: o.batchSize ?? 256 };
}

/** A user's callback object: a plain object may hold only hooks; any callback needs one hook. */
export function checkCallback(name: string, cb: unknown): asserts cb is Callback {
  const proto = cb !== null && typeof cb === 'object' ? Object.getPrototypeOf(cb) : undefined;
  if (proto === Object.prototype || proto === null) checkOptions(name, cb, HOOK_RULES);
  const hooks = HOOKS.filter((h) => typeof (cb as Record<string, unknown> | null)?.[h] === 'function');
  if (hooks.length === 0) {
    throw new OptionError(`${name} must be a callback with at least one of ${HOOKS.join(', ')}, got ${render(cb)}`);
  }
  for (const h of HOOKS) checkValue(name, h, (cb as Record<string, unknown>)[h], FUNCTION);
}

function checkModel(owner: string, model: unknown): asserts model is Module {
  checkMethod(owner, 'model', model, 'forward', 'a Module (e.g. a Sequential)');
}

function checkPair(owner: string, x: unknown, y: unknown): void {
  checkSamples(owner, 'x', x);
  checkSamples(owner, 'y', y);
  const [a, b] = [x as Tensor, y as Tensor];
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${owner}: x ${formatShape(a.shape)} and y ${formatShape(b.shape)} have different numbers of samples`);
  }
}

/** Validation data must look like the training data: a mismatch would surface only after an epoch. */
function checkValidationData(x: Tensor, y: Tensor, [vx, vy]: readonly [Tensor, Tensor]): void {
  checkPair('fit: validationData', vx, vy);
  for (const [name, train, val] of [['x', x, vx], ['y', y, vy]] as const) {
    if (train.rank !== val.rank || train.shape.some((d, i) => i > 0 && d !== val.shape[i])) {
      throw new ShapeError(
        `fit: validationData ${name} of shape ${formatShape(val.shape)} does not match the training ${name} ${formatShape(train.shape)} ` +
          '(every dimension but the first must agree)',
      );
    }
  }
}

function checkOptimizer(optimizer: unknown): void {
  const expected = 'an optimizer with step(), zeroGrad() and paramGroups, e.g. new Adam(model.parameters())';
  checkMethod('fit', 'optimizer', optimizer, 'step', expected);
  checkMethod('fit', 'optimizer', optimizer, 'zeroGrad', expected);
  if (!Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups)) {
    throw new OptionError(`fit: optimizer must be ${expected}, got ${render(optimizer)}`);
  }
}

function checkMethod(owner: string, name: string, value: unknown, method: string, expected: string): void {
  if (typeof (value as Record<string, unknown> | null | undefined)?.[method] !== 'function') {
    throw new OptionError(`${owner}: ${name} must be ${expected}, got ${render(value)}`);
  }
}
