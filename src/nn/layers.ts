import { dropoutMask } from './dropout-mask.js';
import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Binary, type Backend } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { flatten, flattenRange, unflatten } from '../ops/shape-ops.js';
import { lastDimRows, logSoftmaxKernels, rowsInto, softmaxKernels, type RowKernels } from '../ops/activation.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';
import { UNIT, checkOptions, checkValue, int, render, required } from '../core/validate.js';
import { OptionError, ShapeError, formatShape } from '../core/errors.js';

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1−p), so evaluation (identity) needs no rescaling. The mask comes from the seeded
 * generator, so a seed reproduces a run exactly.
 */
export class Dropout extends Module {
  readonly p: number;

  /** `new Dropout(0.2)` as torch's positional p, or `{ p }` (default 0.5). */
  constructor(options?: number | { p?: number }) {
    super();
    const given = typeof options === 'number' ? { p: options } : options;
    this.p = checkOptions<{ p: number }>(new.target.name, given, { p: UNIT }).p ?? 0.5;
  }

  override describe(): string {
    return `${this.constructor.name}(${this.p})`;
  }

  /** How many consecutive elements of x share one draw of the mask (Dropout: each its own). */
  protected elementsPerDraw(_x: Tensor): number {
    return 1;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const run = this.elementsPerDraw(x); // checks x's shape (Dropout2d), in eval too
    if (!this.training || this.p === 0) return x;
    const mask = this.buffer('mask', x.shape);
    const y = this.buffer('y', x.shape);
    mask.data.set(dropoutMask(x.size, this.p, run));
    const k = requireBackend();
    k.binary(Binary.mul, x.offset, 0, 1, mask.offset, 0, 1, y.offset, 1, x.size);
    return record(y, this.describe(), [x], [mask], (g, sink) => {
      sink.write(x, (dst) => k.binary(Binary.mul, g.offset, 0, 1, mask.offset, 0, 1, dst, 1, x.size));
    });
  }
}

/**
 * torch.nn.Dropout2d: whole channels zeroed, each plane of an [N, C, H, W] (or [C, H, W]) input
 * with probability p, the others scaled by 1/(1−p) — for convolutional maps, whose neighbouring
 * pixels are too alike for elementwise dropout to regularise.
 */
export class Dropout2d extends Dropout {
  protected override elementsPerDraw(x: Tensor): number {
    if (x.rank !== 3 && x.rank !== 4) {
      throw new ShapeError(`${this.describe()}: input must be [N, C, H, W] or [C, H, W], got shape ${formatShape(x.shape)}`);
    }
    return x.shape[x.rank - 1] * x.shape[x.rank - 2];
  }
}

/** Options of Flatten: the dimensions merged, as torch's start_dim and end_dim. */
export interface FlattenOptions {
  /** Default 1: the batch dimension stays. Negative counts from the end. */
  startDim?: number;
  /** Default -1, the last. */
  endDim?: number;
}

/**
 * torch.nn.Flatten: dimensions startDim … endDim merged into one, sharing memory; by default
 * [B, …] → [B, ∏…]. `new Flatten(2)` or `new Flatten(1, 2)` as torch's positional arguments, or
 * `{ startDim, endDim }`.
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(options?: number | FlattenOptions, endDim?: number) {
    super();
    const given = typeof options === 'number' ? { startDim: options, ...(endDim === undefined ? {} : { endDim }) } : options;
    if (typeof options !== 'number' && endDim !== undefined) {
      throw new OptionError(`Flatten: endDim given as a second argument needs startDim as the first (a number), got ${render(options)}`);
    }
    const checked = checkOptions<FlattenOptions>('Flatten', given, { startDim: int(), endDim: int() });
    this.startDim = checked.startDim ?? 1;
    this.endDim = checked.endDim ?? -1;
  }

  override describe(): string {
    return this.startDim === 1 && this.endDim === -1 ? 'Flatten' : `Flatten(${this.startDim}, ${this.endDim})`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    flattenRange(this.describe(), x.shape, this.startDim, this.endDim);
    return flatten(x, this.startDim, this.endDim);
  }
}

/**
 * torch.nn.Unflatten(dim, unflattenedSize): dimension `dim` split into `unflattenedSize` (one entry
 * may be −1) — a Linear's features back into channels and a plane before a decoder's
 * ConvTranspose2d, as `new Unflatten(1, [16, 7, 7])`. Shares memory with its input.
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    checkValue('Unflatten', 'dim', dim, required(int()));
    checkValue('Unflatten', 'unflattenedSize', unflattenedSize, required({ type: 'array', of: int(-1), minLength: 1, description: 'a non-empty array of sizes (one may be -1)' }));
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }

  override describe(): string {
    return `Unflatten(${this.dim}, [${this.unflattenedSize.join(', ')}])`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    return unflatten(x, this.dim, this.unflattenedSize);
  }
}

/**
 * torch.nn.Identity: its input, unchanged (a placeholder, e.g. for a replaced classifier head).
 * torch's ignores any arguments; this one takes none, so a misplaced option is an error.
 */
export class Identity extends Module {
  constructor(...args: never[]) {
    super();
    if (args.length > 0) throw new OptionError(`Identity: takes no arguments (torch's ignores them; here they would be silently unused), got ${args.length}`);
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    return x;
  }
}

abstract class RowSoftmax extends Module {
  readonly dim: number;

  /** `new Softmax(1)` as torch's positional dim, or `{ dim }` (default -1, the last). */
  constructor(options?: number | { dim?: number }) {
    super();
    const given = typeof options === 'number' ? { dim: options } : options;
    this.dim = checkOptions<{ dim: number }>(new.target.name, given, { dim: int() }).dim ?? -1;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const rows = lastDimRows(this.describe(), x, this.dim);
    return rowsInto(this.constructor.name, this.kernels(requireBackend()), x, this.buffer('y', x.shape), rows);
  }

  /** The row kernels: y from x, dx from the output y and dy. */
  protected abstract kernels(k: Backend): RowKernels;
}

/** softmax over the last dimension (max-subtracted, so large logits do not overflow). */
export class Softmax extends RowSoftmax {
  protected kernels(k: Backend): RowKernels {
    return softmaxKernels(k);
  }
}

/** log-softmax over the last dimension. */
export class LogSoftmax extends RowSoftmax {
  protected kernels(k: Backend): RowKernels {
    return logSoftmaxKernels(k);
  }
}
