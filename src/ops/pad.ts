import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { Pad } from '../backend/codes.js';
import { ANY_NUMBER, TENSOR, arrayOf, checkOptions, checkValue, int, oneOf, required, type Rule } from '../core/validate.js';

/** torch.nn.functional.pad's modes (its 'constant' fills with `value`). */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  /** How the border is filled (default 'constant'). */
  mode?: PadMode;
  /** The constant mode's fill value (default 0; −Infinity and NaN are allowed, as in torch; the other modes take none). */
  value?: number;
}

/** Each mode's kernel code. */
export const PAD_CODES: Record<PadMode, number> = {
  constant: Pad.constant, reflect: Pad.reflect, replicate: Pad.replicate, circular: Pad.circular,
};
/** The modes, in the order messages list them. */
export const PAD_MODES = Object.keys(PAD_CODES) as PadMode[];

/** The planes padPlanes walks and the padding around each, from a shape and torch's padding list. */
export interface PadGeometry {
  planes: number;
  h: number;
  w: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

const X = required(TENSOR);
const PADDING: Rule = required({
  ...arrayOf(int(0)),
  description: 'an array [left, right] or [left, right, top, bottom] of non-negative integers (torch\'s order: the last dimension first)',
});
const RULES = { mode: oneOf(...PAD_MODES), value: ANY_NUMBER };

/**
 * x padded on its last dimension (`padding` = [left, right]) or its last two ([left, right, top,
 * bottom]), as torch.nn.functional.pad: `mode` 'constant' fills with `value` (default 0),
 * 'reflect' mirrors the tensor about its edge (the edge itself not repeated: each padding must be
 * smaller than its dimension), 'replicate' repeats the edge, 'circular' wraps around (each padding
 * at most its dimension). A new tensor; the gradient of a padded element goes to the element it
 * copies (summed where several copy one).
 */
export function pad(x: Tensor, padding: readonly number[], given?: PadOptions): Tensor {
  checkValue('pad', 'x', x, X);
  checkValue('pad', 'padding', padding, PADDING);
  if (typeof given === 'string') {
    throw new OptionError(`pad: the mode goes in the options, as pad(x, padding, { mode: '${given as string}' }) (torch's F.pad(x, pad, mode='${given as string}'))`);
  }
  const { mode = 'constant', value = 0 } = checkOptions<PadOptions>('pad', given, RULES);
  if (mode !== 'constant' && value !== 0) {
    throw new OptionError(`pad: value ${value} fills the constant mode's border only; mode '${mode}' takes no value (as torch)`);
  }
  if (padding.length !== 2 && padding.length !== 4) {
    throw new OptionError(`pad: padding must have 2 entries [left, right] or 4 [left, right, top, bottom], got ${padding.length} ([${padding.join(', ')}])`);
  }
  const { geometry, outShape } = padGeometry('pad', x, padding, mode);
  return padInto(x, new Tensor(outShape), geometry, mode, value, 'pad');
}

/**
 * The planes and borders of padding x's last dimension ([left, right]) or last two ([left, right,
 * top, bottom]), checked against `mode`, and the padded shape. @internal
 */
export function padGeometry(owner: string, x: Tensor, padding: readonly number[], mode: PadMode): { geometry: PadGeometry; outShape: number[] } {
  const dims = padding.length / 2;
  if (x.rank < dims) {
    throw new ShapeError(`${owner}: padding of ${padding.length} entries pads the last ${dims} dimensions, but x has shape ${formatShape(x.shape)}`);
  }
  const h = dims === 2 ? x.shape[x.rank - 2] : 1, w = x.shape[x.rank - 1];
  const geometry: PadGeometry = {
    planes: x.shape.slice(0, x.rank - dims).reduce((p, d) => p * d, 1), h, w,
    left: padding[0], right: padding[1], top: dims === 2 ? padding[2] : 0, bottom: dims === 2 ? padding[3] : 0,
  };
  checkPadFits(owner, mode, geometry, dims === 2 ? ['height', 'width'] : [null, 'last dimension']);
  const outShape = [...x.shape];
  outShape[x.rank - 1] = w + geometry.left + geometry.right;
  if (dims === 2) outShape[x.rank - 2] = h + geometry.top + geometry.bottom;
  return { geometry, outShape };
}

/**
 * Throws unless `mode` can fill this padding: reflect needs each side's padding below its
 * dimension, circular at most its dimension, replicate a dimension to repeat. `names` words the
 * two axes in the message (null: the axis is not padded).
 */
export function checkPadFits(owner: string, mode: PadMode, g: PadGeometry, names: readonly [string | null, string]): void {
  if (mode === 'constant') return;
  const axes = [[names[0], g.h, g.top, g.bottom], [names[1], g.w, g.left, g.right]] as const;
  for (const [name, size, before, after] of axes) {
    if (name === null) continue;
    const most = Math.max(before, after);
    const fits = most === 0 || (mode === 'reflect' ? most < size : mode === 'circular' ? most <= size : size > 0);
    if (!fits) {
      const need = mode === 'reflect' ? `each padding of the ${name} below its size ${size}` :
        mode === 'circular' ? `each padding of the ${name} at most its size ${size}` : `a ${name} of at least 1 to repeat`;
      throw new ShapeError(`${owner}: mode '${mode}' needs ${need}, got padding ${before} and ${after} on a ${name} of ${size}`);
    }
  }
}

/**
 * Writes x padded into `out` (a new tensor, or a layer's buffer of the right shape) and records the
 * gradient's way back, under `name`. @internal
 */
export function padInto(x: Tensor, out: Tensor, g: PadGeometry, mode: PadMode, value: number, name: string): Tensor {
  const k = requireBackend(), code = PAD_CODES[mode];
  const inPlane = g.h * g.w, outPlane = (g.top + g.h + g.bottom) * (g.left + g.w + g.right);
  k.padPlanes(x.offset, g.planes, g.h, g.w, g.top, g.bottom, g.left, g.right, code, value, out.offset, inPlane, outPlane);
  return record(out, name, [x], [], (grad, sink) => {
    sink.write(x, (dst) => k.padPlanesBackward(grad.offset, g.planes, g.h, g.w, g.top, g.bottom, g.left, g.right, code, dst, inPlane, outPlane));
  });
}
