// Descent's public API.
export { init, getBackend } from './core/runtime.js';
export type { InitOptions, BackendInfo } from './core/runtime.js';
export type { BackendName, BuildName } from './backend/backend.js';
export { Tensor } from './core/tensor.js';
export { tidy, keep } from './core/scope.js';
export { Random, manualSeed, globalRandom } from './core/rng.js';
export { tensor, zeros, ones, full } from './ops/creation.js';
export type { TensorValues, NestedNumbers } from './ops/creation.js';
export { matmul, gemm } from './ops/matmul.js';
export type { MatmulOptions, GemmOptions } from './ops/matmul.js';
export {
  DescentError, ShapeError, OptionError, DisposedError, HeapError, BackendError, NonFiniteError,
} from './core/errors.js';
