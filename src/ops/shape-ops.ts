import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { checkShape } from '../core/shape.js';
import { track } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';

/**
 * The same elements with a new shape (one entry may be −1, inferred). Shares memory with x (no
 * copy); the gradient is reshaped back.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (!(x instanceof Tensor)) throw new OptionError(`reshape: x must be a Tensor, got ${String(x)}`);
  const target = [...shape];
  const inferred = target.indexOf(-1);
  if (inferred >= 0 && target.lastIndexOf(-1) === inferred) {
    const rest = target.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
    if (rest > 0 && x.size % rest === 0) target[inferred] = x.size / rest;
  }
  const size = checkShape(target, 'reshape: shape');
  if (size !== x.size) {
    throw new ShapeError(`reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}`);
  }
  const out = track(Tensor.view(x, target));
  return record(out, 'reshape', [x], [], (g, sink) => {
    sink.write(x, (dst) => requireBackend().copy(g.offset, dst, x.size));
  });
}

/** Flattens every dimension after the first: [B, …] → [B, ∏…]. */
export function flatten(x: Tensor): Tensor {
  if (x.rank <= 2) return reshape(x, x.rank === 0 ? [1] : [...x.shape]);
  return reshape(x, [x.shape[0], x.size / Math.max(x.shape[0], 1)]);
}

/** The transpose of a 2-D tensor, as a new tensor. */
export function transpose(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new OptionError(`transpose: x must be a Tensor, got ${String(x)}`);
  if (x.rank !== 2) throw new ShapeError(`transpose: x must be 2-D, got shape ${formatShape(x.shape)}`);
  const [m, n] = x.shape;
  const out = new Tensor([n, m]);
  requireBackend().transpose(x.offset, m, n, out.offset);
  return record(out, 'transpose', [x], [], (g, sink) => {
    sink.write(x, (dst) => requireBackend().transpose(g.offset, n, m, dst));
  });
}
