import { OptionError } from '../core/errors.js';
import type { Parameter } from '../nn/parameter.js';
import {
  SGD, EMAMomentum, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Yogi, Lion, type Optimizer,
} from '../optim/index.js';

// The optimizers as the command line, the comparisons and the demo offer them: one record each,
// with everything those front ends say about it. Browser-safe (no Node imports).

/** What a front end may set; everything else is the optimizer's default. */
export interface OptimizerFlags {
  lr?: number;
  momentum?: number;
  weightDecay?: number;
}

/** A learning rate per 2-D test function (functions2d.ts), in the order of FUNCTION_ORDER. */
export type TunedRates = readonly [rosenbrock: number, quadratic: number, beale: number, saddle: number];
export const FUNCTION_ORDER = ['rosenbrock', 'quadratic', 'beale', 'saddle'] as const;

export interface OptimizerRecord {
  /** The name in charts, tables and legends. */
  display: string;
  /** Its colour, the same in every chart. */
  colour: string;
  /** The learning rate when none is given (torch's default where it has one). */
  lr: number;
  /** For the optimizers that read a momentum (EMA as its β): its value when none is given. */
  momentum?: number;
  /** For the optimizers that take a weight decay: its default. */
  weightDecay?: number;
  /** One of the eight methods the course compares. */
  course: boolean;
  /** The learning rate on each 2-D test function (see the note on the tuned rates below). */
  tuned: TunedRates;
  /** The learning rate of `descent compare mnist` (see MNIST_LEARNING_RATES). */
  mnistLr: number;
  /** The optimizer's class. */
  optimizer: OptimizerClass;
  /** Options this entry fixes (Nesterov: `nesterov: true`). */
  options?: Readonly<Record<string, unknown>>;
  /** The option the momentum flag sets, when it is not `momentum` (EMA momentum: its β). */
  momentumOption?: string;
}

/** An optimizer class: built from parameters and options, its defaults readable without one. */
export interface OptimizerClass {
  new (params: Parameter[], options: Record<string, unknown>): Optimizer;
  readonly defaults: Readonly<Record<string, unknown>>;
}

/*
 * The tuned rates: one lr per method per 2-D function, as the course uses; every other option is
 * the optimizer's default (momentum 0.9, RMSProp α 0.99, Adadelta ρ 0.9, Adam/Yogi β (0.9, 0.999),
 * …). Picked by hand from runs over a grid of {1, 2, 5}·10ᵏ: for each method a value near the best
 * within the step budget, so that a method that fails there fails at (close to) its best, not from
 * a poor lr — but not the fastest value where that one sits next to divergence or makes an erratic
 * path (AdaGrad at 2 on Rosenbrock jumps out of the picture and back), nor one whose first steps
 * leave the plotting window. The saddle's values are the ones at which the stable-direction
 * contraction is comfortable (SGD 0.1 = a fifth of 2/L at the minima). Deliberate exceptions:
 * - SGD on the quadratic: 0.035 = 1.75/L (L = 50, stable below 2/L = 0.04), so the steep
 *   direction flips sign each step (×(1 − 1.75) = ×−0.75): the textbook zig-zag.
 * - SGD on Rosenbrock: 1e-3, half the largest that survives (2e-3; the curvature across the
 *   valley at the start is ~1900). It still crawls: the valley is ~1000× flatter along than across.
 * - Momentum and Nesterov share an lr on each function, as do Adam and Yogi (Yogi is Adam with
 *   an additive second moment), so each pair differs in one thing only.
 * The methods outside the course's eight (EMA momentum = 10× momentum's lr, since it scales the
 * step by 1 − β; AdamW, Adamax, NAdam, RAdam, Lion) were set the same way, more coarsely.
 */
// prettier-ignore
export const OPTIMIZERS: Record<string, OptimizerRecord> = {
  //                                                                       tuned: rosenbrock quadratic beale saddle
  sgd: { display: 'SGD', colour: '#1f77b4', lr: 0.1, momentum: 0, weightDecay: 0, course: true, tuned: [1e-3, 0.035, 0.02, 0.1], mnistLr: 0.2,
    optimizer: SGD },
  momentum: { display: 'Momentum', colour: '#ff7f0e', lr: 0.05, momentum: 0.9, weightDecay: 0, course: true, tuned: [1e-3, 0.01, 5e-3, 0.02], mnistLr: 0.02,
    optimizer: SGD },
  nesterov: { display: 'Nesterov', colour: '#2ca02c', lr: 0.05, momentum: 0.9, weightDecay: 0, course: true, tuned: [1e-3, 0.01, 5e-3, 0.02], mnistLr: 0.02,
    optimizer: SGD, options: { nesterov: true } },
  ema: { display: 'EMA momentum', colour: '#bcbd22', lr: 0.1, momentum: 0.9, course: false, tuned: [0.01, 0.1, 0.05, 0.2], mnistLr: 0.2,
    optimizer: EMAMomentum, momentumOption: 'beta' },
  adagrad: { display: 'AdaGrad', colour: '#d62728', lr: 0.01, weightDecay: 0, course: true, tuned: [1, 2, 2, 0.5], mnistLr: 0.05,
    optimizer: Adagrad },
  rmsprop: { display: 'RMSProp', colour: '#9467bd', lr: 0.001, momentum: 0, weightDecay: 0, course: true, tuned: [5e-3, 0.1, 0.02, 0.02], mnistLr: 2e-3,
    optimizer: RMSprop },
  adadelta: { display: 'Adadelta', colour: '#8c564b', lr: 1.0, weightDecay: 0, course: true, tuned: [0.2, 5, 2, 2], mnistLr: 2,
    optimizer: Adadelta },
  adam: { display: 'Adam', colour: '#e377c2', lr: 0.001, weightDecay: 0, course: true, tuned: [0.1, 0.5, 0.2, 0.1], mnistLr: 5e-3,
    optimizer: Adam },
  adamw: { display: 'AdamW', colour: '#393b79', lr: 0.001, weightDecay: 0.01, course: false, tuned: [0.1, 0.5, 0.2, 0.1], mnistLr: 5e-3,
    optimizer: AdamW },
  adamax: { display: 'Adamax', colour: '#e7ba52', lr: 0.002, weightDecay: 0, course: false, tuned: [0.2, 2, 1, 0.1], mnistLr: 0.02,
    optimizer: Adamax },
  nadam: { display: 'NAdam', colour: '#637939', lr: 0.002, weightDecay: 0, course: false, tuned: [0.02, 0.5, 0.2, 0.1], mnistLr: 5e-3,
    optimizer: NAdam },
  radam: { display: 'RAdam', colour: '#7b4173', lr: 0.001, weightDecay: 0, course: false, tuned: [0.01, 0.05, 5e-3, 0.2], mnistLr: 0.01,
    optimizer: RAdam },
  yogi: { display: 'Yogi', colour: '#17becf', lr: 0.01, course: true, tuned: [0.1, 0.5, 0.2, 0.1], mnistLr: 0.01,
    optimizer: Yogi },
  lion: { display: 'Lion', colour: '#843c39', lr: 0.0001, weightDecay: 0, course: false, tuned: [2e-3, 0.02, 0.05, 0.1], mnistLr: 5e-4,
    optimizer: Lion },
};

export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS);
/** The optimizers the course compares, in the order of the tables and legends. */
export const COURSE_OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'yogi'];

const pick = <T>(field: (r: OptimizerRecord) => T | undefined): Record<string, T> =>
  Object.fromEntries(OPTIMIZER_NAMES.flatMap((name) => {
    const value = field(OPTIMIZERS[name]);
    return value === undefined ? [] : [[name, value]];
  }));

export const DISPLAY = pick((r) => r.display);
export const COLOURS = pick((r) => r.colour);
export const DEFAULT_LR = pick((r) => r.lr);
/** The optimizers that read a momentum, with its value when none is given. */
export const DEFAULT_MOMENTUM = pick((r) => r.momentum);
/** The optimizers that take a weight decay, with its default. */
export const DEFAULT_WEIGHT_DECAY = pick((r) => r.weightDecay);

/**
 * The learning rates on the MNIST network of `descent compare mnist` (784-16-16-10 ReLU, batch 32,
 * pixels in [0, 1], 5 epochs): for each optimizer a value of {1, 2, 5}·10ᵏ at or near the lowest
 * validation loss after 5 epochs at seed 0, so the comparison is between tuned methods rather than
 * default settings. One seed and 2,004 validation digits make the choice noisy: neighbours on the
 * grid differ by a few hundredths of the loss, and a change of kernel rounding moves results by as
 * much. Momentum, Nesterov and EMA momentum land on the same effective step as SGD
 * (lr/(1 − 0.9) = 0.2).
 */
export const MNIST_LEARNING_RATES = pick((r) => r.mnistLr);

/** LEARNING_RATES[function][optimizer]: the tuned rates. */
export const LEARNING_RATES: Record<string, Record<string, number>> = Object.fromEntries(
  FUNCTION_ORDER.map((fn, column) => [fn, pick((r) => r.tuned[column])]),
);

/** An optimizer by its catalogue name, with the flags a front end sets. */
export function makeOptimizer(name: string, params: Parameter[], flags: OptimizerFlags): Optimizer {
  const record = OPTIMIZERS[name];
  if (!record) throw new OptionError(`unknown optimizer '${name}'; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
  const options: Record<string, unknown> = { lr: flags.lr ?? record.lr };
  if (record.momentum !== undefined) options[record.momentumOption ?? 'momentum'] = flags.momentum ?? record.momentum;
  if (record.weightDecay !== undefined && flags.weightDecay !== undefined) options.weightDecay = flags.weightDecay;
  return new record.optimizer(params, { ...options, ...record.options });
}

/**
 * The options of a catalogue entry that no front-end flag sets (lr, its momentum, its weight
 * decay), at the values the optimizer then takes: its class's defaults with the entry's own.
 */
export function unflaggedOptions(name: string): Record<string, unknown> {
  const record = OPTIMIZERS[name];
  if (!record) throw new OptionError(`unknown optimizer '${name}'; choose one of ${OPTIMIZER_NAMES.join(', ')}`);
  const flagged = new Set(['lr', ...(record.momentum !== undefined ? [record.momentumOption ?? 'momentum'] : []), ...(record.weightDecay !== undefined ? ['weightDecay'] : [])]);
  return Object.fromEntries(Object.entries({ ...record.optimizer.defaults, ...record.options }).filter(([key]) => !flagged.has(key)));
}

/** An optimizer whose groups carry an lr (every one does), as schedulers and fit() need. */
export type TrainableOptimizer = Optimizer;
