import { ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { checkShape } from '../core/shape.js';
import { keep, track } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { TENSOR, anyOf, arrayOf, checkValue, int, required } from '../core/validate.js';

const X = required(TENSOR);
const TARGET_SHAPE = required({ ...arrayOf(int(-1)), description: 'an array of non-negative integers (one entry may be -1, inferred)' });

/**
 * The same elements with a new shape (one entry may be −1, inferred). Shares memory with x (no
 * copy); the gradient is reshaped back.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return reshapeAs('reshape', x, shape);
}

/** reshape under `owner`'s name (reshape, view). */
function reshapeAs(owner: string, x: Tensor, shape: readonly number[]): Tensor {
  checkValue(owner, 'x', x, X);
  checkValue(owner, 'shape', shape, TARGET_SHAPE);
  const target = [...shape];
  const inferred = target.indexOf(-1);
  if (inferred >= 0) {
    if (target.lastIndexOf(-1) !== inferred) throw new ShapeError(`${owner}: only one dimension can be -1, got ${formatShape(shape)}`);
    const rest = target.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
    if (rest === 0 || x.size % rest !== 0) {
      throw new ShapeError(`${owner}: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}: no size for the -1 fits`);
    }
    target[inferred] = x.size / rest;
  }
  const size = checkShape(owner, target);
  if (size !== x.size) {
    throw new ShapeError(`${owner}: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}`);
  }
  return viewAs(x, target, owner);
}

/** x's elements seen as `shape` (same size), sharing its memory; the gradient is copied back. */
function viewAs(x: Tensor, shape: readonly number[], name: string): Tensor {
  const out = track(Tensor.view(x, shape));
  return record(out, name, [x], [], (g, sink) => {
    sink.write(x, (dst) => requireBackend().copy(g.offset, dst, x.size));
  });
}

/**
 * torch.unflatten: dimension `dim` of x (negative counts from the end) split into `sizes`, whose
 * product must be its size (one entry may be −1, inferred); shares memory. flatten's inverse.
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkValue('unflatten', 'x', x, X);
  const d = dimIndex('unflatten', 'dim', dim, x.shape);
  checkValue('unflatten', 'sizes', sizes, required({ type: 'array', of: int(-1), minLength: 1, description: 'a non-empty array of sizes (one may be -1)' }));
  if (x.rank === 0) throw new ShapeError('unflatten: x is 0-d (a scalar), which has no dimension to unflatten');
  const size = x.shape[d], inferred = sizes.indexOf(-1), known = sizes.reduce((p, v) => (v === -1 ? p : p * v), 1);
  const fits = inferred === -1 ? known === size : sizes.lastIndexOf(-1) === inferred && known > 0 && size % known === 0;
  if (!fits) {
    throw new ShapeError(`unflatten: sizes [${sizes.join(', ')}] do not split dimension ${d} of size ${size} (x of shape ${formatShape(x.shape)})`);
  }
  const split = sizes.map((v) => (v === -1 ? size / known : v));
  return viewAs(x, [...x.shape.slice(0, d), ...split, ...x.shape.slice(d + 1)], 'unflatten');
}

/** torch's view: reshape's name in torch code (here the same: no copy, any contiguous tensor). */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return reshapeAs('view', x, shape);
}

/** torch.unsqueeze: x with a dimension of size 1 inserted at `dim` (−rank − 1 … rank), sharing memory. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkValue('unsqueeze', 'x', x, X);
  const d = dimIndex('unsqueeze', 'dim', dim, [...x.shape, 1]);
  return viewAs(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)], 'unsqueeze');
}

/**
 * torch.squeeze: x without its dimensions of size 1 — all of them, or only `dim` (a number or a
 * list) where that dimension has size 1 (another size is left, as torch does). Shares memory.
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkValue('squeeze', 'x', x, X);
  checkValue('squeeze', 'dim', dim, { ...anyOf(int(), arrayOf(int())), description: 'an integer or an array of them' });
  const dims = dim === undefined ? null : (typeof dim === 'number' ? [dim] : [...dim]).map((d) => dimIndex('squeeze', 'dim', d, x.shape));
  const shape = x.shape.filter((s, i) => s !== 1 || (dims !== null && !dims.includes(i)));
  return viewAs(x, shape, 'squeeze');
}

/**
 * torch.permute: x's dimensions reordered, `dims[i]` the input dimension that becomes dimension i
 * (negative counts from the end), as a new tensor: each swap toward the order one transposeAxes
 * pass (at most rank − 1), the gradient the inverse order.
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkValue('permute', 'x', x, X);
  checkValue('permute', 'dims', dims, required({ ...arrayOf(int()), description: 'an array of dimensions' }));
  const order = dims.map((d) => dimIndex('permute', 'dims', d, x.shape));
  if (order.length !== Math.max(x.rank, x.rank === 0 ? 0 : 1) || new Set(order).size !== order.length) {
    throw new ShapeError(`permute: dims [${dims.join(', ')}] must list each dimension of x (shape ${formatShape(x.shape)}) once`);
  }
  const inverse = order.map((_, i) => order.indexOf(i));
  const out = new Tensor(order.map((d) => x.shape[d]));
  permuteInto(x.offset, x.shape, order, out.offset);
  return record(out, 'permute', [x], [], (g, sink) => {
    sink.write(x, (dst) => permuteInto(g.offset, out.shape, inverse, dst));
  });
}

/**
 * Writes the elements at `from` (of `shape`) reordered by `order` to `to`: swaps of two dimensions,
 * each a transposeAxes pass, through temporary blocks when there are several.
 */
function permuteInto(from: number, shape: readonly number[], order: readonly number[], to: number): void {
  const k = requireBackend();
  const current = [...shape], positions = shape.map((_, i) => i); // positions[j]: the input dimension now at j
  const swaps: [number, number][] = [];
  for (let i = 0; i < order.length; i++) {
    const j = positions.indexOf(order[i]);
    if (j !== i) {
      swaps.push([i, j]);
      [positions[i], positions[j]] = [positions[j], positions[i]];
    }
  }
  const size = shape.reduce((p, d) => p * d, 1);
  if (swaps.length === 0) {
    k.copy(from, to, size);
    return;
  }
  const temps = [new Tensor([size]), ...(swaps.length > 2 ? [new Tensor([size])] : [])].map((t) => keep(t));
  try {
    let src = from;
    swaps.forEach(([a, b], s) => {
      const last = s === swaps.length - 1;
      const dst = last ? to : temps[s % temps.length].offset === src ? temps[(s + 1) % temps.length].offset : temps[s % temps.length].offset;
      const product = (ds: number[]) => ds.reduce((p, d) => p * d, 1);
      const outer = product(current.slice(0, a)), m = current[a], mid = product(current.slice(a + 1, b)), n = current[b], inner = product(current.slice(b + 1));
      k.transposeAxes(src, outer, m, mid, n, inner, dst, m * mid * n * inner);
      [current[a], current[b]] = [current[b], current[a]];
      src = dst;
    });
  } finally {
    for (const t of temps) t.dispose();
  }
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
