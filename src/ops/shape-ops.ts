import { ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { checkShape } from '../core/shape.js';
import { track } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { TENSOR, arrayOf, checkValue, int, required } from '../core/validate.js';

const X = required(TENSOR);
const TARGET_SHAPE = required({ ...arrayOf(int(-1)), description: 'an array of non-negative integers (one entry may be -1, inferred)' });

/**
 * The same elements with a new shape (one entry may be −1, inferred). Shares memory with x (no
 * copy); the gradient is reshaped back.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkValue('reshape', 'x', x, X);
  checkValue('reshape', 'shape', shape, TARGET_SHAPE);
  const target = [...shape];
  const inferred = target.indexOf(-1);
  if (inferred >= 0) {
    if (target.lastIndexOf(-1) !== inferred) throw new ShapeError(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
    const rest = target.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
    if (rest === 0 || x.size % rest !== 0) {
      throw new ShapeError(`reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}: no size for the -1 fits`);
    }
    target[inferred] = x.size / rest;
  }
  const size = checkShape('reshape', target);
  if (size !== x.size) {
    throw new ShapeError(`reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}`);
  }
  const out = track(Tensor.view(x, target));
  return record(out, 'reshape', [x], [], (g, sink) => {
    sink.write(x, (dst) => requireBackend().copy(g.offset, dst, x.size));
  });
}

/**
 * torch.flatten: dimensions startDim … endDim (negative counts from the end) merged into one,
 * sharing memory. The defaults flatten everything, as torch's: [2, 3, 4] → [24]; `flatten(x, 1)`
 * keeps the batch: [B, …] → [B, ∏…] (nn.Flatten's default). A 0-d tensor becomes [1].
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkValue('flatten', 'x', x, X);
  const [start, end] = flattenRange('flatten', x.shape, startDim, endDim);
  if (x.rank === 0) return reshape(x, [1]);
  const merged = x.shape.slice(start, end + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/**
 * A dimension argument checked against a shape and made non-negative, as torch resolves it (a 0-d
 * shape counts as one dimension): an integer in [−rank, rank − 1].
 */
export function dimIndex(owner: string, name: string, d: number, shape: readonly number[]): number {
  const rank = Math.max(shape.length, 1);
  checkValue(owner, name, d, int());
  if (d < -rank || d >= rank) {
    throw new ShapeError(`${owner}: ${name} ${d} is out of range for an input of shape ${formatShape(shape)}: expected an integer from ${-rank} to ${rank - 1}`);
  }
  return d < 0 ? d + rank : d;
}

/** startDim and endDim checked against a shape and made non-negative (dimIndex), start not after end. */
export function flattenRange(owner: string, shape: readonly number[], startDim: number, endDim: number): [number, number] {
  const start = dimIndex(owner, 'startDim', startDim, shape), end = dimIndex(owner, 'endDim', endDim, shape);
  if (start > end) {
    throw new ShapeError(`${owner}: startDim ${startDim} comes after endDim ${endDim} for an input of shape ${formatShape(shape)}`);
  }
  return [start, end];
}

/**
 * torch.transpose: x with dimensions dim0 and dim1 swapped (negative counts from the end), as a
 * new tensor. The defaults swap the first two: a matrix's transpose. The same dimension twice, or
 * a tensor of fewer than two dimensions, gives x's elements in its own shape.
 */
export function transpose(x: Tensor, dim0 = 0, dim1 = 1): Tensor {
  checkValue('transpose', 'x', x, X);
  let a = dimIndex('transpose', 'dim0', dim0, x.shape), b = dimIndex('transpose', 'dim1', dim1, x.shape);
  if (a === b || x.rank < 2) return reshape(x, [...x.shape]);
  if (a > b) [a, b] = [b, a];
  const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
  const outer = product(x.shape.slice(0, a)), m = x.shape[a], mid = product(x.shape.slice(a + 1, b)), n = x.shape[b];
  const inner = product(x.shape.slice(b + 1)), block = m * mid * n * inner;
  const shape = [...x.shape];
  [shape[a], shape[b]] = [n, m];
  const out = new Tensor(shape);
  requireBackend().transposeAxes(x.offset, outer, m, mid, n, inner, out.offset, block);
  return record(out, 'transpose', [x], [], (g, sink) => {
    sink.write(x, (dst) => requireBackend().transposeAxes(g.offset, outer, n, mid, m, inner, dst, block));
  });
}
