import { UsageError } from './errors.js';
import type { Parameter } from '../nn/parameter.js';
import {
  SGD, EMAMomentum, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Yogi, Lion, type Optimizer,
} from '../optim/index.js';
import { StepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau } from '../schedulers/index.js';
import { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, type Activation } from '../nn/activations.js';

// Names on the command line → the library's objects, shared by `train` and `compare`.

export interface OptimizerFlags {
  lr?: number;
  momentum?: number;
  weightDecay?: number;
}

/** Each optimizer's learning rate when --lr is not given (torch's default where it has one). */
export const DEFAULT_LR: Record<string, number> = {
  sgd: 0.1, momentum: 0.05, nesterov: 0.05, ema: 0.1, adagrad: 0.01, rmsprop: 0.001, adadelta: 1.0,
  adam: 0.001, adamw: 0.001, adamax: 0.002, nadam: 0.002, radam: 0.001, yogi: 0.01, lion: 0.0001,
};
export const OPTIMIZER_NAMES = Object.keys(DEFAULT_LR);

/** An optimizer whose groups carry an lr (every one does), as schedulers and fit() need. */
export type TrainableOptimizer = Optimizer;

/** Each optimizer that reads --momentum (EMA as its β), and the value it takes without the flag. */
export const DEFAULT_MOMENTUM: Record<string, number> = { sgd: 0, momentum: 0.9, nesterov: 0.9, ema: 0.9, rmsprop: 0 };

export function makeOptimizer(name: string, params: Parameter[], flags: OptimizerFlags): Optimizer {
  const lr = flags.lr ?? DEFAULT_LR[name];
  const wd = flags.weightDecay !== undefined ? { weightDecay: flags.weightDecay } : {};
  const mom = flags.momentum ?? DEFAULT_MOMENTUM[name];
  switch (name) {
    case 'sgd': return new SGD(params, { lr, momentum: mom, ...wd });
    case 'momentum': return new SGD(params, { lr, momentum: mom, ...wd });
    case 'nesterov': return new SGD(params, { lr, momentum: mom, nesterov: true, ...wd });
    case 'ema': return new EMAMomentum(params, { lr, beta: mom });
    case 'adagrad': return new Adagrad(params, { lr, ...wd });
    case 'rmsprop': return new RMSprop(params, { lr, momentum: mom, ...wd });
    case 'adadelta': return new Adadelta(params, { lr, ...wd });
    case 'adam': return new Adam(params, { lr, ...wd });
    case 'adamw': return new AdamW(params, { lr, ...wd });
    case 'adamax': return new Adamax(params, { lr, ...wd });
    case 'nadam': return new NAdam(params, { lr, ...wd });
    case 'radam': return new RAdam(params, { lr, ...wd });
    case 'yogi': return new Yogi(params, { lr });
    case 'lion': return new Lion(params, { lr, ...wd });
    default: throw new UsageError(`unknown optimizer '${name}'; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
}

export interface SchedulerFlags {
  stepSize?: number;
  gamma?: number;
  tMax?: number;
  factor?: number;
  patience?: number;
}

/** What the flag-driven schedulers take when their flags are not given (shown by `descent train --help`). */
export const SCHEDULER_DEFAULTS = { step: { stepSize: 3, gamma: 0.5 }, exponential: { gamma: 0.9 }, plateau: { factor: 0.1, patience: 2 } };

export const SCHEDULER_NAMES = ['none', 'step', 'exponential', 'cosine', 'onecycle', 'plateau'];

/** Builds a scheduler; returns it with when it steps (OneCycleLR steps per batch). */
export function makeScheduler(name: string, optimizer: TrainableOptimizer, flags: SchedulerFlags, epochs: number, batchesPerEpoch: number) {
  const lr = optimizer.paramGroups[0].lr;
  switch (name) {
    case 'none': return { scheduler: null, per: 'epoch' as const };
    case 'step': return { scheduler: new StepLR(optimizer, { stepSize: flags.stepSize ?? SCHEDULER_DEFAULTS.step.stepSize, gamma: flags.gamma ?? SCHEDULER_DEFAULTS.step.gamma }), per: 'epoch' as const };
    case 'exponential': return { scheduler: new ExponentialLR(optimizer, { gamma: flags.gamma ?? SCHEDULER_DEFAULTS.exponential.gamma }), per: 'epoch' as const };
    case 'cosine': return { scheduler: new CosineAnnealingLR(optimizer, { tMax: flags.tMax ?? epochs }), per: 'epoch' as const };
    case 'onecycle': return { scheduler: new OneCycleLR(optimizer, { maxLr: lr, totalSteps: epochs * batchesPerEpoch }), per: 'batch' as const };
    case 'plateau': return { scheduler: new ReduceLROnPlateau(optimizer, { factor: flags.factor ?? SCHEDULER_DEFAULTS.plateau.factor, patience: flags.patience ?? SCHEDULER_DEFAULTS.plateau.patience }), per: 'epoch' as const };
    default: throw new UsageError(`unknown scheduler '${name}'; choose one of ${SCHEDULER_NAMES.join(', ')}`);
  }
}

export const ACTIVATION_NAMES = ['relu', 'leaky-relu', 'sigmoid', 'tanh', 'gelu'];

export function makeActivation(name: string): Activation {
  switch (name) {
    case 'relu': return new ReLU();
    case 'leaky-relu': return new LeakyReLU();
    case 'sigmoid': return new Sigmoid();
    case 'tanh': return new Tanh();
    case 'gelu': return new GELU();
    default: throw new UsageError(`unknown activation '${name}'; choose one of ${ACTIVATION_NAMES.join(', ')}`);
  }
}
