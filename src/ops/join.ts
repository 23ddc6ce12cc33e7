import { ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { POSITIVE_INT, TENSOR, anyOf, checkValue, int, required, type Rule } from '../core/validate.js';
import { dimIndex } from './shape-ops.js';

// Joining tensors along a dimension and taking parts of one: torch.cat, torch.stack, narrow,
// split and chunk. A tensor seen around dimension d is [outer, size_d, inner]: each part is a run
// of size·inner floats in each of the outer rows, so every copy, forward and backward, is one
// copyRows call (split across threads by rows). The results are new tensors (torch's narrow,
// split and chunk return views; the values and gradients are the same).

const X = required(TENSOR);
const TENSORS: Rule = required({ type: 'array', of: TENSOR, minLength: 1, description: 'a non-empty array of Tensors' });

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** outer (the dimensions before d) and inner (those after) of a shape. */
function around(shape: readonly number[], d: number): { outer: number; inner: number } {
  return { outer: product(shape.slice(0, d)), inner: product(shape.slice(d + 1)) };
}

/**
 * torch.cat: the tensors joined along `dim` (negative counts from the end); every other dimension
 * must agree. `cat([up, skip], 1)` is a U-Net's skip connection.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkValue('cat', 'tensors', tensors, TENSORS);
  const first = tensors[0].shape;
  const d = dimIndex('cat', 'dim', dim, first);
  for (const [i, t] of tensors.entries()) {
    if (t.rank !== first.length || t.shape.some((s, j) => j !== d && s !== first[j])) {
      throw new ShapeError(`cat: tensors[${i}] has shape ${formatShape(t.shape)}, which does not match tensors[0]'s ${formatShape(first)} outside dimension ${d}`);
    }
  }
  if (first.length === 0) throw new ShapeError('cat: tensors are 0-d (scalars), which have no dimension to join along; stack them instead');
  const sizes = tensors.map((t) => t.shape[d]);
  const shape = [...first];
  shape[d] = sizes.reduce((a, b) => a + b, 0);
  return joined('cat', tensors, shape, d, sizes);
}

/** torch.stack: the tensors, all of one shape, joined along a new dimension `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkValue('stack', 'tensors', tensors, TENSORS);
  const first = tensors[0].shape;
  // The new dimension may come after the last: dim ranges over rank + 1 places.
  const d = dimIndex('stack', 'dim', dim, [...first, 1]);
  for (const [i, t] of tensors.entries()) {
    if (t.rank !== first.length || t.shape.some((s, j) => s !== first[j])) {
      throw new ShapeError(`stack: tensors[${i}] has shape ${formatShape(t.shape)}, expected tensors[0]'s ${formatShape(first)}`);
    }
  }
  const shape = [...first.slice(0, d), tensors.length, ...first.slice(d)];
  return joined('stack', tensors, shape, d, tensors.map(() => 1));
}

/** The join of `tensors` into a new tensor of `shape`, tensor i taking sizes[i] along dimension d. */
function joined(name: string, tensors: readonly Tensor[], shape: number[], d: number, sizes: number[]): Tensor {
  const { outer, inner } = around(shape, d);
  const row = shape[d] * inner;
  const out = new Tensor(shape);
  const k = requireBackend();
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0) * inner);
  tensors.forEach((t, i) => k.copyRows(t.offset, outer, sizes[i] * inner, out.offset + 4 * starts[i], sizes[i] * inner, row));
  return record(out, name, [...tensors], [], (g, sink) => {
    tensors.forEach((t, i) => sink.write(t, (dst) => k.copyRows(g.offset + 4 * starts[i], outer, sizes[i] * inner, dst, row, sizes[i] * inner)));
  });
}

/**
 * torch.narrow: the `length` entries of dimension `dim` from `start` (negative counts from the
 * end), as a new tensor; its gradient goes back into that part (zeros elsewhere).
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkValue('narrow', 'x', x, X);
  const d = dimIndex('narrow', 'dim', dim, x.shape);
  if (x.rank === 0) throw new ShapeError('narrow: x is 0-d (a scalar), which has no dimension to narrow');
  const size = x.shape[d];
  checkValue('narrow', 'start', start, required(int(-size, size)));
  checkValue('narrow', 'length', length, required(int(0)));
  const from = start < 0 ? start + size : start;
  if (from + length > size) {
    throw new ShapeError(`narrow: start ${start} and length ${length} run past dimension ${d} of size ${size} (shape ${formatShape(x.shape)})`);
  }
  return part(x, d, from, length, 'narrow');
}

/** x's entries [from, from + length) of dimension d (checked), as a new tensor recorded under `name`. */
function part(x: Tensor, d: number, from: number, length: number, name: string): Tensor {
  const { outer, inner } = around(x.shape, d);
  const shape = [...x.shape];
  shape[d] = length;
  const out = new Tensor(shape);
  const k = requireBackend(), row = x.shape[d] * inner, width = length * inner;
  k.copyRows(x.offset + 4 * from * inner, outer, width, out.offset, row, width);
  return record(out, name, [x], [], (g, sink) => {
    sink.write(x, (dst) => {
      k.fill(dst, x.size, 0);
      k.copyRows(g.offset, outer, width, dst + 4 * from * inner, width, row);
    });
  });
}

/**
 * torch.split: x cut along `dim` into parts of `splitSize` entries (the last may be shorter), or
 * into parts of the sizes listed (which must add up to the dimension's size).
 */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  checkValue('split', 'x', x, X);
  checkValue('split', 'splitSize', splitSize, required({
    ...anyOf(POSITIVE_INT, { type: 'array', of: int(0), minLength: 1 }), description: 'a positive integer or a non-empty array of sizes',
  }));
  const d = dimIndex('split', 'dim', dim, x.shape);
  if (x.rank === 0) throw new ShapeError('split: x is 0-d (a scalar), which has no dimension to split');
  const size = x.shape[d];
  let sizes: number[];
  if (typeof splitSize === 'number') {
    sizes = Array.from({ length: Math.max(1, Math.ceil(size / splitSize)) }, (_, i) => Math.min(splitSize, size - i * splitSize));
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) {
      throw new ShapeError(`split: the sizes [${sizes.join(', ')}] add up to ${total}, but dimension ${d} of shape ${formatShape(x.shape)} has ${size}`);
    }
  }
  return parts(x, d, sizes, 'split');
}

/**
 * torch.chunk: x cut along `dim` into `chunks` parts of ⌈size/chunks⌉ entries (the last shorter),
 * fewer when the size does not need them all, as torch.
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkValue('chunk', 'x', x, X);
  checkValue('chunk', 'chunks', chunks, required(POSITIVE_INT));
  const d = dimIndex('chunk', 'dim', dim, x.shape);
  if (x.rank === 0) throw new ShapeError('chunk: x is 0-d (a scalar), which has no dimension to chunk');
  const size = x.shape[d], step = Math.ceil(size / chunks);
  const sizes = step === 0 ? [0] : Array.from({ length: Math.ceil(size / step) }, (_, i) => Math.min(step, size - i * step));
  return parts(x, d, sizes, 'chunk');
}

/** x's consecutive parts of `sizes` along dimension d; none is allocated when one cannot be. */
function parts(x: Tensor, d: number, sizes: number[], name: string): Tensor[] {
  const out: Tensor[] = [];
  try {
    let from = 0;
    for (const length of sizes) {
      out.push(part(x, d, from, length, name));
      from += length;
    }
  } catch (error) {
    for (const t of out) t.dispose(); // out of heap part-way: free the parts made so far
    throw error;
  }
  return out;
}
