import { ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { Act, type ActCode, type Backend } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { FINITE, TENSOR, checkOptions, checkValue, int, oneOf, required } from '../core/validate.js';

// torch.nn.functional's activations as ops (torch.relu, F.leaky_relu, F.gelu, F.softmax, …): for a
// custom module's forward and for chaining (`x.relu()`). Each returns a new tensor; the layers
// (ReLU, Softmax, …) run the same kernels into an output buffer they reuse, through the same
// helpers below.

const X = required(TENSOR);

/** y = f(x) by the activation kernel (code, param), recorded with its backward. */
export function activationInto(name: string, code: ActCode, param: number, x: Tensor, y: Tensor): Tensor {
  const k = requireBackend();
  k.activationForward(code, param, x.offset, y.offset, x.size);
  return record(y, name, [x], [x, y], (g, sink) => {
    sink.write(x, (dst) => k.activationBackward(code, param, x.offset, y.offset, g.offset, dst, x.size));
  });
}

/** An activation without options: x checked, then a new output. */
function activation(name: string, code: ActCode, x: Tensor): Tensor {
  checkValue(name, 'x', x, X);
  return activationInto(name, code, 0, x, new Tensor(x.shape));
}

/** max(x, 0) */
export const relu = (x: Tensor): Tensor => activation('relu', Act.relu, x);
/** 1 / (1 + e⁻ˣ) */
export const sigmoid = (x: Tensor): Tensor => activation('sigmoid', Act.sigmoid, x);
/** tanh x */
export const tanh = (x: Tensor): Tensor => activation('tanh', Act.tanh, x);

/** x for x ≥ 0, negativeSlope·x below (torch's F.leaky_relu, default slope 0.01). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkValue('leakyRelu', 'x', x, X);
  checkValue('leakyRelu', 'negativeSlope', negativeSlope, FINITE);
  return activationInto('leakyRelu', Act.leakyRelu, negativeSlope, x, new Tensor(x.shape));
}

/** x·σ(x), torch's F.silu (swish). */
export const silu = (x: Tensor): Tensor => activation('silu', Act.silu, x);
/** x·tanh(softplus x), torch's F.mish. */
export const mish = (x: Tensor): Tensor => activation('mish', Act.mish, x);
/** scale·(x > 0 ? x : α(eˣ − 1)) with torch's fixed α and scale, F.selu. */
export const selu = (x: Tensor): Tensor => activation('selu', Act.selu, x);
/** x·min(max(x + 3, 0), 6)/6, torch's F.hardswish. */
export const hardswish = (x: Tensor): Tensor => activation('hardswish', Act.hardswish, x);
/** min(max(x + 3, 0), 6)/6, torch's F.hardsigmoid. */
export const hardsigmoid = (x: Tensor): Tensor => activation('hardsigmoid', Act.hardsigmoid, x);
/** min(max(x, 0), 6), torch's F.relu6. */
export const relu6 = (x: Tensor): Tensor => activation('relu6', Act.relu6, x);

/** x for x > 0, alpha·(eˣ − 1) below (torch's F.elu, default alpha 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkValue('elu', 'x', x, X);
  checkValue('elu', 'alpha', alpha, FINITE);
  return activationInto('elu', Act.elu, alpha, x, new Tensor(x.shape));
}

export interface GeluOptions {
  /** 'none' (default): x·Φ(x) with the exact erf; 'tanh': torch's tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** The GELU activation, as torch's F.gelu. */
export function gelu(x: Tensor, options?: GeluOptions): Tensor {
  checkValue('gelu', 'x', x, X);
  const approximate = checkOptions<GeluOptions>('gelu', options, { approximate: oneOf('none', 'tanh') }).approximate ?? 'none';
  return activationInto('gelu', approximate === 'none' ? Act.geluErf : Act.geluTanh, 0, x, new Tensor(x.shape));
}

/** The row kernels of softmax and log-softmax: y from x, dx from the output y and dy. */
export interface RowKernels {
  forward(x: number, y: number, m: number, n: number): void;
  backward(y: number, dy: number, dx: number, m: number, n: number): void;
}

export const softmaxKernels = (k: Backend): RowKernels => ({ forward: k.softmaxRows, backward: k.softmaxRowsBackward });
export const logSoftmaxKernels = (k: Backend): RowKernels => ({ forward: k.logSoftmaxRows, backward: k.logSoftmaxRowsBackward });

/**
 * x as rows of its last dimension, [rows, features], for a softmax over `dim`: only the last
 * dimension is supported (-1 or rank − 1).
 */
export function lastDimRows(owner: string, x: Tensor, dim: number): [number, number] {
  if (x.rank === 0 || (dim !== -1 && dim !== x.rank - 1)) {
    throw new ShapeError(`${owner}: dim ${dim} of an input of shape ${formatShape(x.shape)} is not supported; only the last dimension (dim -1) is`);
  }
  const n = x.shape[x.rank - 1];
  return [n === 0 ? 0 : x.size / n, n];
}

/** The row kernels over x's rows into y, recorded with their backward. */
export function rowsInto(name: string, kernels: RowKernels, x: Tensor, y: Tensor, [m, n]: [number, number]): Tensor {
  kernels.forward(x.offset, y.offset, m, n);
  return record(y, name, [x], [y], (g, sink) => {
    sink.write(x, (dst) => kernels.backward(y.offset, g.offset, dst, m, n));
  });
}

function rowOp(name: string, kernels: (k: Backend) => RowKernels, x: Tensor, dim: number): Tensor {
  checkValue(name, 'x', x, X);
  checkValue(name, 'dim', dim, int());
  const rows = lastDimRows(name, x, dim);
  return rowsInto(name, kernels(requireBackend()), x, new Tensor(x.shape), rows);
}

/** softmax over the last dimension (torch's F.softmax(x, dim); max-subtracted, so large logits do not overflow). */
export const softmax = (x: Tensor, dim = -1): Tensor => rowOp('softmax', softmaxKernels, x, dim);
/** log-softmax over the last dimension (torch's F.log_softmax(x, dim)). */
export const logSoftmax = (x: Tensor, dim = -1): Tensor => rowOp('logSoftmax', logSoftmaxKernels, x, dim);
