import { ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { ANY_NUMBER, NON_NEGATIVE_INT, anyOf, arrayOf, checkValue, required } from '../core/validate.js';
import { padGeometry, padInto, type PadMode } from '../ops/pad.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';

// torch.nn's padding layers (ZeroPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d,
// CircularPad2d and their 1-D forms): the pad op as a layer, its output a buffer it reuses.

/**
 * A padding layer: `padding` a number for every side or torch's tuple, [left, right] for the 1-D
 * layers, [left, right, top, bottom] for the 2-D ones; input [N, C, L] or [C, L] (1-D), [N, C, H, W]
 * or [C, H, W] (2-D), as torch.
 */
abstract class PadLayer extends Module {
  /** The padding as torch lists it: the last dimension first. */
  readonly padding: readonly number[];
  readonly mode: PadMode;
  /** The constant fill (0 for the other modes). */
  readonly value: number;
  private readonly dims: 1 | 2;

  protected constructor(dims: 1 | 2, mode: PadMode, padding: number | readonly number[], value = 0) {
    super();
    const owner = new.target.name, count = 2 * dims;
    checkValue(owner, 'padding', padding, required({
      ...anyOf(NON_NEGATIVE_INT, arrayOf(NON_NEGATIVE_INT, count)),
      description: `a non-negative integer or ${dims === 1 ? '[left, right]' : '[left, right, top, bottom]'} of them`,
    }));
    this.padding = typeof padding === 'number' ? Array<number>(count).fill(padding) : [...padding];
    this.dims = dims;
    this.mode = mode;
    this.value = value;
  }

  override describe(): string {
    const sides = this.padding.every((p) => p === this.padding[0]) ? String(this.padding[0]) : `[${this.padding.join(', ')}]`;
    return `${this.constructor.name}(${sides}${this.mode === 'constant' && this.value !== 0 ? `, ${this.value}` : ''})`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    if (x.rank !== this.dims + 1 && x.rank !== this.dims + 2) {
      const layout = this.dims === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
      throw new ShapeError(`${this.describe()}: input must be ${layout}, got shape ${formatShape(x.shape)}`);
    }
    const { geometry, outShape } = padGeometry(this.describe(), x, this.padding, this.mode);
    return padInto(x, this.buffer('y', outShape), geometry, this.mode, this.value, this.describe());
  }
}

const VALUE = required(ANY_NUMBER);

/** torch.nn.ZeroPad1d: zeros on either side of the last dimension. */
export class ZeroPad1d extends PadLayer {
  constructor(padding: number | readonly [number, number]) {
    super(1, 'constant', padding);
  }
}

/** torch.nn.ZeroPad2d: zeros around each plane. */
export class ZeroPad2d extends PadLayer {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, 'constant', padding);
  }
}

/** torch.nn.ConstantPad1d(padding, value). */
export class ConstantPad1d extends PadLayer {
  constructor(padding: number | readonly [number, number], value: number) {
    checkValue('ConstantPad1d', 'value', value, VALUE);
    super(1, 'constant', padding, value);
  }
}

/** torch.nn.ConstantPad2d(padding, value). */
export class ConstantPad2d extends PadLayer {
  constructor(padding: number | readonly [number, number, number, number], value: number) {
    checkValue('ConstantPad2d', 'value', value, VALUE);
    super(2, 'constant', padding, value);
  }
}

/** torch.nn.ReflectionPad1d: the sequence mirrored about its ends (each padding below its length). */
export class ReflectionPad1d extends PadLayer {
  constructor(padding: number | readonly [number, number]) {
    super(1, 'reflect', padding);
  }
}

/** torch.nn.ReflectionPad2d: each plane mirrored about its edges (each padding below its side). */
export class ReflectionPad2d extends PadLayer {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, 'reflect', padding);
  }
}

/** torch.nn.ReplicationPad1d: the end values repeated. */
export class ReplicationPad1d extends PadLayer {
  constructor(padding: number | readonly [number, number]) {
    super(1, 'replicate', padding);
  }
}

/** torch.nn.ReplicationPad2d: the edge rows and columns repeated. */
export class ReplicationPad2d extends PadLayer {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, 'replicate', padding);
  }
}

/** torch.nn.CircularPad1d: the sequence wrapped around (each padding at most its length). */
export class CircularPad1d extends PadLayer {
  constructor(padding: number | readonly [number, number]) {
    super(1, 'circular', padding);
  }
}

/** torch.nn.CircularPad2d: each plane wrapped around (each padding at most its side). */
export class CircularPad2d extends PadLayer {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(2, 'circular', padding);
  }
}
