import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import { Tensor } from '../core/tensor.js';
import { Interp } from '../backend/codes.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE, POSITIVE_INT, TENSOR, anyOf, checkOptions, checkValue, oneOf, required, type Rule } from '../core/validate.js';

// torch.nn.functional.interpolate and nn.Upsample: resampling [N, C, L] or [N, C, H, W] to a size
// or by a scale factor, by nearest neighbours or (bi)linearly, with torch's source indices and
// weights (the kernels' formulas: upsampleForward in kernels-conv.ts).

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear';

export interface InterpolateOptions {
  /** The output's spatial size: a number for every dimension, or one per dimension. */
  size?: number | readonly number[];
  /** Or the factor each spatial size is multiplied by (the output size is ⌊size·factor⌋). */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default; torch's legacy rule), 'nearest-exact', 'linear' ([N, C, L]) or 'bilinear' ([N, C, H, W]). */
  mode?: InterpolateMode;
  /** linear and bilinear: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean;
  /** With scaleFactor: compute the source positions from the sizes, as from `size` (default false). */
  recomputeScaleFactor?: boolean;
  /** torch's antialias: only false (no antialiasing filter here). */
  antialias?: boolean;
}

const SIZES = (rule: Rule, description: string): Rule => ({ ...anyOf(rule, { type: 'array', of: rule, minLength: 1 }), description });
const RULES = {
  size: SIZES(POSITIVE_INT, 'a positive integer or a list of them, one per spatial dimension'),
  scaleFactor: SIZES(POSITIVE, 'a positive number or a list of them, one per spatial dimension'),
  mode: oneOf('nearest', 'nearest-exact', 'linear', 'bilinear'),
  alignCorners: BOOLEAN,
  recomputeScaleFactor: BOOLEAN,
  antialias: oneOf(false),
};
const MODES: Record<InterpolateMode, number> = { nearest: Interp.nearest, 'nearest-exact': Interp.nearestExact, linear: Interp.linear, bilinear: Interp.linear };

/** What the kernels need, worked out once from the options and the input's shape. */
export interface Resampling {
  planes: number; h: number; w: number; oh: number; ow: number;
  mode: number; scaleH: number; scaleW: number; alignCorners: number;
  shape: number[];
}

/** Checked options, as interpolate and Upsample keep them. */
export interface InterpolateSpec {
  size: readonly number[] | null;
  scaleFactor: readonly number[] | null;
  mode: InterpolateMode;
  alignCorners: boolean;
  recomputeScaleFactor: boolean;
}

/** Checks interpolate's options (torch's rules: exactly one of size and scaleFactor; alignCorners only for the linear modes). */
export function interpolateSpec(owner: string, given: InterpolateOptions | undefined): InterpolateSpec {
  const options = checkOptions<InterpolateOptions>(owner, given, RULES);
  const mode = options.mode ?? 'nearest';
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new OptionError(`${owner}: give exactly one of size and scaleFactor, got ${options.size === undefined ? 'neither' : 'both'}`);
  }
  if (options.alignCorners !== undefined && mode !== 'linear' && mode !== 'bilinear') {
    throw new OptionError(`${owner}: alignCorners applies to the modes 'linear' and 'bilinear' only, got mode '${mode}'`);
  }
  if (options.recomputeScaleFactor !== undefined && options.scaleFactor === undefined) {
    throw new OptionError(`${owner}: recomputeScaleFactor applies with scaleFactor only`);
  }
  const list = (v: number | readonly number[] | undefined) => (v === undefined ? null : typeof v === 'number' ? [v] : [...v]);
  return { size: list(options.size), scaleFactor: list(options.scaleFactor), mode, alignCorners: options.alignCorners ?? false, recomputeScaleFactor: options.recomputeScaleFactor ?? false };
}

/** The input's planes, the output size and the kernels' scales for `spec` (throws on a shape it cannot take). */
export function resampling(owner: string, spec: InterpolateSpec, x: Tensor): Resampling {
  const dims = x.rank - 2;
  if (dims !== 1 && dims !== 2) {
    throw new ShapeError(`${owner}: input must be [N, C, L] or [N, C, H, W], got shape ${formatShape(x.shape)}`);
  }
  if ((spec.mode === 'linear' && dims !== 1) || (spec.mode === 'bilinear' && dims !== 2)) {
    throw new ShapeError(`${owner}: mode '${spec.mode}' takes ${spec.mode === 'linear' ? '[N, C, L]' : '[N, C, H, W]'} input, got shape ${formatShape(x.shape)}`);
  }
  const sizes = x.shape.slice(2);
  const perDim = (values: readonly number[], name: string) => {
    if (values.length !== 1 && values.length !== dims) {
      throw new OptionError(`${owner}: ${name} has ${values.length} entries for an input of ${dims} spatial dimension${dims > 1 ? 's' : ''} (shape ${formatShape(x.shape)})`);
    }
    return sizes.map((_, d) => values[values.length === 1 ? 0 : d]);
  };
  const factors = spec.scaleFactor ? perDim(spec.scaleFactor, 'scaleFactor') : null;
  const out = factors ? sizes.map((n, d) => Math.floor(n * factors[d])) : perDim(spec.size!, 'size');
  if (out.some((o) => o < 1)) {
    throw new ShapeError(`${owner}: input of shape ${formatShape(x.shape)} scaled by ${factors!.join(', ')} has no output (size ${out.join('×')})`);
  }
  const align = spec.alignCorners && spec.mode !== 'nearest' && spec.mode !== 'nearest-exact';
  // torch's scale per axis (float32): (n − 1)/(out − 1) with alignCorners, else 1/factor when the
  // factor is given and not recomputed, else n/out.
  const scale = (d: number) => {
    const n = sizes[d], o = out[d];
    if (align) return o > 1 ? Math.fround(Math.fround(n - 1) / (o - 1)) : 0;
    return factors && !spec.recomputeScaleFactor ? Math.fround(1 / factors[d]) : Math.fround(n / o);
  };
  const [h, w, oh, ow] = dims === 1 ? [1, sizes[0], 1, out[0]] : [sizes[0], sizes[1], out[0], out[1]];
  return {
    planes: x.shape[0] * x.shape[1], h, w, oh, ow, mode: MODES[spec.mode],
    scaleH: dims === 1 ? 1 : scale(0), scaleW: scale(dims - 1), alignCorners: align ? 1 : 0, shape: [x.shape[0], x.shape[1], ...out],
  };
}

/** y = x resampled as `r` says, recorded with its backward (y: a new tensor or a layer's buffer of r.shape). @internal */
export function resampleInto(name: string, x: Tensor, r: Resampling, y: Tensor): Tensor {
  const k = requireBackend();
  const args = [r.planes, r.h, r.w, r.oh, r.ow, r.mode, r.scaleH, r.scaleW, r.alignCorners] as const;
  k.upsampleForward(x.offset, ...args, y.offset, r.h * r.w, r.oh * r.ow);
  return record(y, name, [x], [], (g, sink) => {
    sink.write(x, (dst) => k.upsampleBackward(g.offset, ...args, dst, r.h * r.w, r.oh * r.ow));
  });
}

/**
 * torch.nn.functional.interpolate on [N, C, L] or [N, C, H, W]: `interpolate(x, { scaleFactor: 2 })`
 * (nearest), `interpolate(x, { size: [64, 64], mode: 'bilinear' })`. Differentiable.
 */
export function interpolate(x: Tensor, options?: InterpolateOptions): Tensor {
  checkValue('interpolate', 'x', x, required(TENSOR));
  const r = resampling('interpolate', interpolateSpec('interpolate', options), x);
  return resampleInto('interpolate', x, r, new Tensor(r.shape));
}
