import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { keep } from '../core/scope.js';
import { Binary } from '../backend/backend.js';

// Sums and means, over everything or along one axis of a 2-D tensor, with their gradients
// (the upstream gradient broadcast back over the summed axis).

export interface ReduceOptions {
  /** 0: over rows (one value per column), 1: over columns (one per row); absent: everything. */
  axis?: 0 | 1 | -1;
  /** Keep the summed axis with size 1. */
  keepDim?: boolean;
}

function reduce(name: string, x: Tensor, options: ReduceOptions, mean: boolean): Tensor {
  if (!(x instanceof Tensor)) throw new OptionError(`${name}: x must be a Tensor, got ${String(x)}`);
  const k = requireBackend();
  const { axis, keepDim = false } = options;
  if (axis === undefined) {
    const out = new Tensor(keepDim ? x.shape.map(() => 1) : []);
    const scale = mean ? 1 / x.size : 1;
    k.sumCols(x.offset, 1, x.size, out.offset, 0);
    if (mean) k.scale(out.offset, out.offset, 1, scale);
    return record(out, name, [x], [], (g, sink) => {
      const value = g.data[0] * Math.fround(scale);
      sink.write(x, (dst) => k.fill(dst, x.size, value));
    });
  }
  if (x.rank !== 2 || (axis !== 0 && axis !== 1 && axis !== -1)) {
    throw new ShapeError(`${name}: axis ${String(axis)} needs a 2-D tensor and axis 0, 1 or -1, got shape ${formatShape(x.shape)}`);
  }
  const [m, n] = x.shape;
  const overRows = axis === 0;
  const count = overRows ? m : n;
  const outShape = overRows ? (keepDim ? [1, n] : [n]) : keepDim ? [m, 1] : [m];
  const out = new Tensor(outShape);
  if (overRows) k.sumRows(x.offset, m, n, out.offset, 0);
  else k.sumCols(x.offset, m, n, out.offset, 0);
  const scale = mean ? 1 / count : 1;
  if (mean) k.scale(out.offset, out.offset, out.size, scale);
  return record(out, name, [x], [], (g, sink) => {
    sink.write(x, (dst) => {
      // dx[i][j] = scale·g[j] (axis 0) or scale·g[i] (axis 1): a broadcast multiply by a constant.
      const s = keep(new Tensor([]));
      try {
        k.fill(s.offset, 1, scale);
        if (overRows) k.binary(Binary.mul, g.offset, 0, 1, s.offset, 0, 0, dst, m, n);
        else k.binary(Binary.mul, g.offset, 1, 0, s.offset, 0, 0, dst, m, n);
      } finally {
        s.dispose();
      }
    });
  });
}

/** Σ x, over everything or along `axis`. */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduce('sum', x, options, false);
}

/** Mean of x, over everything or along `axis`. */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  return reduce('mean', x, options, true);
}
