// The optimizers, the base class for new ones, and gradient clipping.
export {
  Optimizer, type OptimizerStateDict, type SavedParamState, type SavedParamGroup, type SavedTensor,
  type ParamGroup, type ParamGroupInit, type ParamsArgument, type Run, type StateKind,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { EMAMomentum, type EMAMomentumOptions } from './ema-momentum.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { Yogi, type YogiOptions } from './yogi.js';
export { Lion, type LionOptions } from './lion.js';
export { clipGradNorm, clipGradValue } from './clip.js';
