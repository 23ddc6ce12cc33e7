// The optimizers, the base class for new ones, and gradient clipping. Each optimizer's file is
// exported whole (its class and its options type); the catalogue (src/catalog/optimizers.ts)
// imports the class from here, so a new optimizer missing its line is a compile error there.
export {
  Optimizer, type OptimizerStateDict, type SavedParamState, type SavedParamGroup, type SavedTensor,
  type ParamGroup, type ParamGroupInit, type ParamsArgument, type Run, type StateKind,
} from './optimizer.js';
export * from './sgd.js';
export * from './ema-momentum.js';
export * from './adagrad.js';
export * from './rmsprop.js';
export * from './adadelta.js';
export * from './adam.js';
export * from './adamax.js';
export * from './nadam.js';
export * from './radam.js';
export * from './yogi.js';
export * from './lion.js';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip.js';
