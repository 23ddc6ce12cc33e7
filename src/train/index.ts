// Attaches fit/evaluate/predict to Sequential.
import './sequential-methods.js';
export { fit, evaluate, predict, type FitOptions, type History, type EvaluateOptions, type PredictOptions, type LossModule, type OptimizerLike, type SchedulerLike } from './fit.js';
export { EarlyStopping, type Callback, type EpochLogs, type BatchLogs, type TrainingContext, type EarlyStoppingOptions } from './callbacks.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './checkpoint-callback.js';
export { ProgressBar, type Stream as ProgressStream } from './progress.js';
export { correctCount } from './metrics.js';
