/**
 * Descent's public API, `import { … } from 'descent'`. ONNX export is the entry `descent/onnx`
 * (src/onnx.ts): it imports two packages, and this entry imports none, so a page or a worker
 * loads it without a bundler.
 * @module descent
 */
import { init as initRuntime } from './backend/init.js';
import * as initializers from './nn/init.js';

/**
 * `await init(options)` loads the kernels; `init.kaimingUniform(w)` and the other initialisers
 * hang off the same name, as torch.nn.init does.
 */
export const init = Object.assign(initRuntime, initializers);
export { getBackend } from './backend/init.js';
export type { InitOptions, BackendInfo } from './backend/init.js';
export type { BackendName, BuildName } from './backend/backend.js';
export { Tensor } from './core/tensor.js';
export type { BackwardOptions } from './autograd/tensor-backward.js';
export { tidy, keep, type Disposable } from './core/scope.js';
export { memory, type MemoryInfo, type MemoryOptions } from './core/memory.js';
export { Random, manualSeed, globalRandom } from './core/rng.js';
export { noGrad, isGradEnabled } from './autograd/grad-mode.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './autograd/anomaly.js';
export { tensor, zeros, ones, full } from './ops/creation.js';
export { rand, randn, randint, randperm, type RandomOptions } from './ops/random-creation.js';
export type { TensorValues, NestedNumbers } from './ops/creation.js';
export { matmul, gemm } from './ops/matmul.js';
export type { MatmulOptions, GemmOptions } from './ops/matmul.js';
export { add, sub, mul, div, exp, log, neg, sqrt, abs, pow } from './ops/elementwise.js';
export type { Operand } from './ops/scalar-operand.js';
export { sum, mean, type ReduceOptions } from './ops/reduce.js';
export { reshape, flatten, transpose, view, unsqueeze, squeeze, permute, unflatten } from './ops/shape-ops.js';
export { pad, type PadOptions, type PadMode } from './ops/pad.js';
export { interpolate, type InterpolateOptions, type InterpolateMode } from './ops/interpolate.js';
export { cat, stack, narrow, split, chunk } from './ops/join.js';
export {
  relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, silu, mish, elu, selu, hardswish, hardsigmoid, relu6, type GeluOptions,
} from './ops/activation.js';
export { differentiableOps, functionOnlyOps } from './ops/index.js';
export * from './nn/index.js';
export {
  DescentError, ShapeError, OptionError, DisposedError, HeapError, BackendError, NonFiniteError,
} from './core/errors.js';
export * from './optim/index.js';
export * from './schedulers/index.js';
export * from './data/index.js';
export * from './train/index.js';
export {
  CheckpointError, serialize, deserialize, restore, save, load, readCheckpoint,
  encodeSafetensors, decodeSafetensors, type CheckpointParts, type CheckpointContent,
  type NamedTensor, type SafetensorsContent, type Stateful,
} from './io/index.js';
