// The layers, losses and initialisers, as one namespace-friendly module.
export { Module, type StateDict, type StateEntry } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, type LinearOptions } from './linear.js';
export { Activation, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6 } from './activations.js';
export { Dropout, Dropout2d, Flatten, Unflatten, Identity, Softmax, LogSoftmax, type FlattenOptions } from './layers.js';
export { Sequential, type SequentialOptions, type NamedLayers } from './sequential.js';
export { ModuleList, ModuleDict } from './module-list.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './norm.js';
export { GroupNorm, InstanceNorm1d, InstanceNorm2d, type GroupNormOptions, type InstanceNormOptions } from './group-norm.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { LSTM } from './lstm.js';
export type { LSTMOptions, LSTMState, GRUOptions, GRUState, RNNOptions, RNNState, RecurrentOptions } from './recurrent-options.js';
export { GRU } from './gru.js';
export { RNN } from './rnn.js';
export { Conv2d, Conv1d, ConvNd, type ConvOptions, type Conv2dOptions, type Conv1dOptions, type Conv2dPaddingMode } from './conv.js';
export { ConvTranspose2d, type ConvTranspose2dOptions } from './conv-transpose.js';
export {
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d,
  type MaxPoolOptions, type AvgPoolOptions, type MaxPool2dOptions, type AvgPool2dOptions, type MaxPool1dOptions, type AvgPool1dOptions,
} from './pooling.js';
export { Upsample, type UpsampleOptions } from './upsample.js';
export { PReLU, type PReLUOptions } from './prelu.js';
export {
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} from './padding.js';
export type { Pair, PairLike, Single, SingleLike } from './window.js';
export { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, type KLDivLossOptions } from './losses.js';
export { CrossEntropyLoss, NLLLoss, type ClassLossOptions, type CrossEntropyLossOptions } from './class-losses.js';
export type { Reduction, ReductionOptions, VectorLike } from './loss.js';
export * as initializers from './init.js';

import { Linear } from './linear.js';
import { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6 } from './activations.js';
import { Dropout, Dropout2d, Flatten, Unflatten, Identity, Softmax, LogSoftmax } from './layers.js';
import { Sequential } from './sequential.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from './norm.js';
import { GroupNorm, InstanceNorm1d, InstanceNorm2d } from './group-norm.js';
import { Upsample } from './upsample.js';
import { PReLU } from './prelu.js';
import {
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d,
} from './padding.js';
import { Embedding } from './embedding.js';
import { LSTM } from './lstm.js';
import { GRU } from './gru.js';
import { RNN } from './rnn.js';
import { Conv2d, Conv1d } from './conv.js';
import { ConvTranspose2d } from './conv-transpose.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d } from './pooling.js';
import { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss } from './losses.js';
import { CrossEntropyLoss, NLLLoss } from './class-losses.js';

/** Every layer class, by name (the gradient-check test enumerates it). @internal */
export const layerClasses = { Linear, PReLU, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Mish, ELU, SELU, Hardswish, Hardsigmoid, ReLU6, Dropout, Dropout2d, Flatten, Unflatten, Identity, Softmax, LogSoftmax, Sequential,
  BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, Embedding, RNN, LSTM, GRU, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
  AdaptiveMaxPool2d, Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d, Upsample,
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d } as const;
/** Every loss class, by name (the gradient-check test enumerates it). @internal */
export const lossClasses = { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, CrossEntropyLoss, NLLLoss } as const;
