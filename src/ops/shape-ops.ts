import { ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { checkShape } from '../core/shape.js';
import { track } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { TENSOR, arrayOf, checkValue, int, required, tensorOf } from '../core/validate.js';

const X = required(TENSOR);
const MATRIX = required(tensorOf(2));
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
 * startDim and endDim checked against a shape and made non-negative, as torch resolves them (a
 * 0-d shape counts as one dimension): integers in [−rank, rank − 1], start not after end.
 */
export function flattenRange(owner: string, shape: readonly number[], startDim: number, endDim: number): [number, number] {
  const rank = Math.max(shape.length, 1);
  for (const [name, d] of [['startDim', startDim], ['endDim', endDim]] as const) {
    checkValue(owner, name, d, int());
    if (d < -rank || d >= rank) {
      throw new ShapeError(`${owner}: ${name} ${d} is out of range for an input of shape ${formatShape(shape)}: expected an integer from ${-rank} to ${rank - 1}`);
    }
  }
  const start = startDim < 0 ? startDim + rank : startDim, end = endDim < 0 ? endDim + rank : endDim;
  if (start > end) {
    throw new ShapeError(`${owner}: startDim ${startDim} comes after endDim ${endDim} for an input of shape ${formatShape(shape)}`);
  }
  return [start, end];
}

/**
 * The transpose of a 2-D tensor, as a new tensor. `dim0`, `dim1` are accepted as torch's
 * `transpose(x, 0, 1)` spells them (negative counts from the end); they must name the two dimensions.
 */
export function transpose(x: Tensor, dim0 = 0, dim1 = 1): Tensor {
  checkValue('transpose', 'x', x, MATRIX);
  for (const [name, d] of [['dim0', dim0], ['dim1', dim1]] as const) checkValue('transpose', name, d, int(-2, 1));
  if ((dim0 + 2) % 2 === (dim1 + 2) % 2) {
    throw new ShapeError(`transpose: dim0 and dim1 must be the two dimensions of x (0 and 1), got ${dim0} and ${dim1}`);
  }
  const [m, n] = x.shape;
  const out = new Tensor([n, m]);
  requireBackend().transpose(x.offset, m, n, out.offset);
  return record(out, 'transpose', [x], [], (g, sink) => {
    sink.write(x, (dst) => requireBackend().transpose(g.offset, n, m, dst));
  });
}
