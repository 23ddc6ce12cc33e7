// Every differentiable tensor operation, by name. The gradient-check test enumerates this list,
// so an op added here without a correct backward (on any backend) fails the suite.
import { matmul } from './matmul.js';
import { add, sub, mul, div, exp, log, neg, sqrt, abs, pow } from './elementwise.js';
import { sum, mean } from './reduce.js';
import { reshape, flatten, transpose, view, unsqueeze, squeeze, permute, unflatten } from './shape-ops.js';
import { pad, type PadOptions } from './pad.js';
import { interpolate, type InterpolateOptions } from './interpolate.js';
import { cat, stack, narrow, split, chunk } from './join.js';
import {
  relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, silu, mish, elu, selu, hardswish, hardsigmoid, relu6, type GeluOptions,
} from './activation.js';

/** Every differentiable op by name, for the gradient-check test. @internal */
export const differentiableOps = {
  add, sub, mul, div, exp, log, neg, sqrt, abs, pow, matmul, sum, mean, reshape, flatten, transpose, pad, interpolate,
  cat, stack, narrow, split, chunk, view, unsqueeze, squeeze, permute, unflatten,
  relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, silu, mish, elu, selu, hardswish, hardsigmoid, relu6,
} as const;

// The same ops as methods, for PyTorch-style chaining: `x.matmul(w, { transB: true }).add(b).exp()`.
import { Tensor } from '../core/tensor.js';
import type { Operand } from './scalar-operand.js';
import type { MatmulOptions } from './matmul.js';
import type { ReduceOptions } from './reduce.js';

declare module '../core/tensor.js' {
  interface Tensor {
    add(other: Operand): Tensor;
    sub(other: Operand): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    matmul(other: Tensor, options?: MatmulOptions): Tensor;
    exp(): Tensor;
    log(): Tensor;
    neg(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    pow(exponent: number): Tensor;
    sum(options?: ReduceOptions): Tensor;
    mean(options?: ReduceOptions): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    view(shape: readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    permute(dims: readonly number[]): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    pad(padding: readonly number[], options?: PadOptions): Tensor;
    interpolate(options?: InterpolateOptions): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    split(splitSize: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    gelu(options?: GeluOptions): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    silu(): Tensor;
    mish(): Tensor;
    elu(alpha?: number): Tensor;
    selu(): Tensor;
    hardswish(): Tensor;
    hardsigmoid(): Tensor;
    relu6(): Tensor;
  }
}

// Each method is the op with the tensor as its first argument; an op added above gets its method
// here (and must be declared in the interface above for TypeScript). cat and stack take a list of
// tensors, as torch's (which are not methods either).
/** The ops that are functions only, not Tensor methods. @internal */
export const functionOnlyOps: readonly string[] = ['cat', 'stack'];
for (const [name, op] of Object.entries(differentiableOps).filter(([name]) => !functionOnlyOps.includes(name))) {
  Object.defineProperty(Tensor.prototype, name, {
    value(this: Tensor, ...args: unknown[]) {
      return (op as (x: Tensor, ...rest: unknown[]) => Tensor)(this, ...args);
    },
    writable: true,
    configurable: true,
  });
}
