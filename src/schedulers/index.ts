// Learning-rate schedulers with PyTorch's semantics (torch.optim.lr_scheduler), in camelCase.
export {
  LRScheduler, SchedulerBase,
  type SchedulableOptimizer, type SchedulableParamGroup, type SchedulerState, type StateValue,
} from './scheduler.js';
export {
  StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
  type ResumeOptions, type StepLROptions, type MultiStepLROptions, type ConstantLROptions,
  type LinearLROptions, type ExponentialLROptions, type PolynomialLROptions,
} from './step.js';
export {
  CosineAnnealingLR, CosineAnnealingWarmRestarts,
  type CosineAnnealingLROptions, type CosineAnnealingWarmRestartsOptions,
} from './cosine.js';
export { CyclicLR, type CyclicLROptions, type CyclicMode } from './cyclic.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle.js';
export { LambdaLR, MultiplicativeLR, type LambdaOptions, type LrLambda } from './lambda.js';
export { SequentialLR, ChainedScheduler, type SequentialLROptions, type ChainableScheduler } from './composite.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
