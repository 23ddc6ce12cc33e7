import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE_INT, anyOf, arrayOf, checkOptions, checkValue, nullable, required, type Rule } from '../core/validate.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';
import type { ReLU } from './activations.js';
import {
  PLANE, POSITIVE_SINGLE, SEQUENCE, checkOutputSize, checkPoolPadding, formatSizes, outputLength,
  type Pair, type PairLike, type Single, type SingleLike, type Spatial,
} from './window.js';

// Max and average pooling over NCHW planes, as torch.nn's; the 1-D layers' [N, C, L] are planes
// of one row, their window 1 × k (window.ts's Spatial). Each plane (sample, channel) is pooled on
// its own, so the kernels see [planes, H, W].

/** A window pool's options; `Size` is how a size is written: a number or [h, w], or [l] for the 1-D pools. */
export interface MaxPoolOptions<Size> {
  /** Default: kernelSize (non-overlapping windows). */
  stride?: Size;
  /** Implicit −∞ padding per side, at most half the window. */
  padding?: Size;
  dilation?: Size;
  /** Round the output size up, keeping a last partial window that starts inside the input or left padding. */
  ceilMode?: boolean;
}

export interface AvgPoolOptions<Size> {
  stride?: Size;
  /** Implicit zero padding per side, at most half the window. */
  padding?: Size;
  ceilMode?: boolean;
  /** Divide by the whole window, padding included (default true), or by its in-bounds elements. */
  countIncludePad?: boolean;
}

export type MaxPool2dOptions = MaxPoolOptions<PairLike>;
export type MaxPool1dOptions = MaxPoolOptions<SingleLike>;
export interface AvgPool2dOptions extends AvgPoolOptions<PairLike> {
  /** Divide every window by this instead (torch's divisor_override; countIncludePad then has no effect). */
  divisorOverride?: number;
}
export type AvgPool1dOptions = AvgPoolOptions<SingleLike>;

/** The geometry every window pool shares: kernel, stride (default the kernel), padding, dilation, ceilMode. */
abstract class WindowPool<S extends Pair | Single, Like> extends Module {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly dilation: S;
  readonly ceilMode: boolean;
  protected readonly spatial: Spatial<S, Like>;
  /** The window on the planes the kernels see (a 1-D pool's: 1 × k). */
  protected readonly plane: { kernel: Pair; stride: Pair; padding: Pair; dilation: Pair };

  protected constructor(owner: string, spatial: Spatial<S, Like>, kernelSize: Like, options: MaxPoolOptions<Like>) {
    super();
    checkValue(owner, 'kernelSize', kernelSize, required(spatial.positive));
    this.spatial = spatial;
    this.kernelSize = spatial.sizes(kernelSize);
    this.stride = spatial.sizes(options.stride ?? kernelSize);
    this.padding = spatial.sizes(options.padding ?? (0 as Like));
    this.dilation = spatial.sizes(options.dilation ?? (1 as Like));
    this.ceilMode = options.ceilMode ?? false;
    checkPoolPadding(owner, this.padding, this.kernelSize, this.dilation);
    this.plane = {
      kernel: spatial.toPlane(this.kernelSize, 1), stride: spatial.toPlane(this.stride, 1),
      padding: spatial.toPlane(this.padding, 0), dilation: spatial.toPlane(this.dilation, 1),
    };
  }

  override describe(): string {
    const extras = [
      this.stride.some((s, d) => s !== this.kernelSize[d]) ? `stride ${formatSizes(this.stride)}` : '',
      this.padding.some((p) => p !== 0) ? `padding ${formatSizes(this.padding)}` : '',
      this.dilation.some((d) => d !== 1) ? `dilation ${formatSizes(this.dilation)}` : '',
      this.ceilMode ? 'ceilMode' : '',
    ].filter((s) => s !== '');
    return `${this.constructor.name}(${formatSizes(this.kernelSize)}${extras.map((s) => `, ${s}`).join('')})`;
  }

  /** The input's planes and sizes, and the output shape (checked to be non-empty). */
  protected geometry(x: Tensor): { planes: number; h: number; w: number; oh: number; ow: number; shape: number[] } {
    checkInput(this, 'x', x);
    const { n, c, h, w, batched } = this.spatial.input(this, x, null);
    const { kernel, stride, padding, dilation } = this.plane;
    const [oh, ow] = [0, 1].map((d) => outputLength([h, w][d], kernel[d], stride[d], padding[d], dilation[d], this.ceilMode));
    checkOutputSize(this, x, oh, ow, this.spatial.kind);
    return { planes: n * c, h, w, oh, ow, shape: this.spatial.shape(n, c, oh, ow, batched) };
  }
}

/** Max over each window; the gradient goes to the window's maximum (each window's first, on ties). */
abstract class MaxPool<S extends Pair | Single, Like> extends WindowPool<S, Like> {
  protected constructor(owner: string, spatial: Spatial<S, Like>, kernelSize: Like, given: MaxPoolOptions<Like> | undefined) {
    super(owner, spatial, kernelSize, checkOptions<MaxPoolOptions<Like>>(owner, given, {
      stride: spatial.positive, padding: spatial.padding, dilation: spatial.positive, ceilMode: BOOLEAN,
    }));
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, null);
  }

  /**
   * The pool followed by `relu`: in the same kernels and one node when the 2×2 kernel runs (the
   * ReLU applied as each maximum is stored, its gradient taken as each window's is scattered),
   * else the two layers one after the other. Sequential runs a ReLU written before a MaxPool2d
   * this way (the two commute: see reluThenMaxPool there).
   */
  forwardActivated(x: Tensor, relu: ReLU | null): Tensor {
    const { planes, h, w, oh, ow, shape } = this.geometry(x);
    const [kh, kw] = this.plane.kernel, [sh, sw] = this.plane.stride, [ph, pw] = this.plane.padding, [dh, dw] = this.plane.dilation;
    // 2×2 windows at stride 2 that tile the plane (dilation or padding would leave h ≠ 2·oh): a
    // kernel that takes four windows at a time.
    const tiles = kh === 2 && kw === 2 && sh === 2 && sw === 2 && h === 2 * oh && w === 2 * ow;
    if (relu && !tiles) return relu.forward(this.forwardActivated(x, null));
    const y = this.buffer('y', shape);
    // The argmax of each window, so the backward is one scatter with no comparisons.
    const idx = this.buffer('idx', shape);
    const k = requireBackend();
    const fused = relu ? 1 : 0;
    if (tiles) k.maxPool2x2Forward(x.offset, planes, oh, ow, y.offset, idx.offset, fused, h * w, oh * ow);
    else k.maxPoolForward(x.offset, planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, y.offset, idx.offset, h * w, oh * ow);
    return record(y, this.fusedName(relu), [x], relu ? [idx, y] : [idx], (g, sink) => {
      if (tiles) sink.write(x, (dst) => k.maxPool2x2Backward(g.offset, idx.offset, y.offset, planes, oh, ow, dst, fused, h * w, oh * ow));
      else sink.write(x, (dst) => k.maxPoolBackward(g.offset, idx.offset, planes, h, w, oh, ow, dst, h * w, oh * ow));
    });
  }
}

/** torch.nn.MaxPool2d over [N, C, H, W] (or one [C, H, W] sample). */
export class MaxPool2d extends MaxPool<Pair, PairLike> {
  constructor(kernelSize: PairLike, given?: MaxPool2dOptions) {
    super('MaxPool2d', PLANE, kernelSize, given);
  }
}

/** torch.nn.MaxPool1d over [N, C, L] (or one [C, L] sample): the max of each window of positions. */
export class MaxPool1d extends MaxPool<Single, SingleLike> {
  constructor(kernelSize: SingleLike, given?: MaxPool1dOptions) {
    super('MaxPool1d', SEQUENCE, kernelSize, given);
  }
}

/** Mean over each window (zero padding; see countIncludePad for the divisor). */
abstract class AvgPool<S extends Pair | Single, Like> extends WindowPool<S, Like> {
  readonly countIncludePad: boolean;
  /** Every window's divisor, or null: the window's size as countIncludePad says (always null for AvgPool1d, as torch's). */
  readonly divisorOverride: number | null;

  protected constructor(owner: string, spatial: Spatial<S, Like>, kernelSize: Like, given: AvgPool2dOptions | AvgPool1dOptions | undefined) {
    const options = checkOptions<AvgPool2dOptions & AvgPoolOptions<Like>>(owner, given, {
      stride: spatial.positive, padding: spatial.padding, ceilMode: BOOLEAN, countIncludePad: BOOLEAN,
      // torch's AvgPool1d has no divisor_override.
      ...(spatial.kind === 'plane' ? { divisorOverride: POSITIVE_INT } : {}),
    });
    super(owner, spatial, kernelSize, { stride: options.stride, padding: options.padding, ceilMode: options.ceilMode });
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  override describe(): string {
    const extras = [this.countIncludePad ? '' : ', countIncludePad false', this.divisorOverride === null ? '' : `, divisorOverride ${this.divisorOverride}`].join('');
    return extras ? `${super.describe().slice(0, -1)}${extras})` : super.describe();
  }

  forward(x: Tensor): Tensor {
    const { planes, h, w, oh, ow, shape } = this.geometry(x);
    const [kh, kw] = this.plane.kernel, [sh, sw] = this.plane.stride, [ph, pw] = this.plane.padding;
    const include = this.countIncludePad ? 1 : 0, divisor = this.divisorOverride ?? 0;
    const y = this.buffer('y', shape);
    const k = requireBackend();
    k.avgPoolForward(x.offset, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, include, divisor, y.offset, h * w, oh * ow);
    return record(y, this.describe(), [x], [], (g, sink) => {
      sink.write(x, (dst) => k.avgPoolBackward(g.offset, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, include, divisor, dst, h * w, oh * ow));
    });
  }
}

/** torch.nn.AvgPool2d over [N, C, H, W] (or one [C, H, W] sample). */
export class AvgPool2d extends AvgPool<Pair, PairLike> {
  constructor(kernelSize: PairLike, given?: AvgPool2dOptions) {
    super('AvgPool2d', PLANE, kernelSize, given);
  }
}

/** torch.nn.AvgPool1d over [N, C, L] (or one [C, L] sample): the mean of each window of positions. */
export class AvgPool1d extends AvgPool<Single, SingleLike> {
  constructor(kernelSize: SingleLike, given?: AvgPool1dOptions) {
    super('AvgPool1d', SEQUENCE, kernelSize, given);
  }
}

/** A positive integer, or a pair of them where either may be null (keep the input's size). */
const ADAPTIVE_OUTPUT_SIZE: Rule = required({
  ...anyOf(POSITIVE_INT, arrayOf(nullable(POSITIVE_INT), 2)),
  description: 'a positive integer or a pair [h, w] of them (null: the input\'s size)',
});

/**
 * Pooling to a fixed output size, as torch's adaptive pools: output row i pools input rows
 * ⌊i·H/outH⌋ … ⌈(i+1)·H/outH⌉ − 1 (windows may overlap), and the same for columns; by their mean
 * (AdaptiveAvgPool) or their max (AdaptiveMaxPool: the gradient to each window's maximum, the
 * first on ties, a NaN winning, as MaxPool).
 */
abstract class AdaptivePool<S extends Pair | Single, Like> extends Module {
  protected abstract readonly spatial: Spatial<S, Like>;
  protected abstract readonly reduction: 'mean' | 'max';

  /** The output plane for an input plane h×w. */
  protected abstract planeOutput(h: number, w: number): Pair;

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const { n, c, h, w, batched } = this.spatial.input(this, x, null);
    const [oh, ow] = this.planeOutput(h, w);
    const shape = this.spatial.shape(n, c, oh, ow, batched);
    const y = this.buffer('y', shape);
    const k = requireBackend(), planes = n * c;
    if (this.reduction === 'max') {
      // The argmax of each window, so the backward is MaxPool's scatter.
      const idx = this.buffer('idx', shape);
      k.adaptiveMaxPoolForward(x.offset, planes, h, w, oh, ow, y.offset, idx.offset, h * w, oh * ow);
      return record(y, this.describe(), [x], [idx], (g, sink) => {
        sink.write(x, (dst) => k.maxPoolBackward(g.offset, idx.offset, planes, h, w, oh, ow, dst, h * w, oh * ow));
      });
    }
    k.adaptiveAvgPoolForward(x.offset, planes, h, w, oh, ow, y.offset, h * w, oh * ow);
    return record(y, this.describe(), [x], [], (g, sink) => {
      sink.write(x, (dst) => k.adaptiveAvgPoolBackward(g.offset, planes, h, w, oh, ow, dst, h * w, oh * ow));
    });
  }
}

/**
 * An adaptive pool over [N, C, H, W] (or one [C, H, W] sample). `outputSize` 1 is the global
 * pool; null for one side keeps the input's size there, as torch's None.
 */
abstract class AdaptivePool2d extends AdaptivePool<Pair, PairLike> {
  readonly outputSize: [number | null, number | null];
  protected readonly spatial = PLANE;

  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    checkValue(new.target.name, 'outputSize', outputSize, ADAPTIVE_OUTPUT_SIZE);
    this.outputSize = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
  }

  override describe(): string {
    const [oh, ow] = this.outputSize;
    return `${this.constructor.name}(${oh === ow && oh !== null ? oh : `[${oh}, ${ow}]`})`;
  }

  /** The output height and width for an input plane h×w (null sides keep the input's). */
  outputFor(h: number, w: number): Pair {
    return [this.outputSize[0] ?? h, this.outputSize[1] ?? w];
  }

  protected planeOutput(h: number, w: number): Pair {
    return this.outputFor(h, w);
  }
}

/** An adaptive pool over [N, C, L] (or one [C, L] sample): L positions pooled to `outputSize`. */
abstract class AdaptivePool1d extends AdaptivePool<Single, SingleLike> {
  readonly outputSize: Single;
  protected readonly spatial = SEQUENCE;

  constructor(outputSize: SingleLike) {
    super();
    checkValue(new.target.name, 'outputSize', outputSize, required(POSITIVE_SINGLE));
    this.outputSize = SEQUENCE.sizes(outputSize);
  }

  override describe(): string {
    return `${this.constructor.name}(${this.outputSize[0]})`;
  }

  protected planeOutput(): Pair {
    return [1, this.outputSize[0]];
  }
}

/** torch.nn.AdaptiveAvgPool2d: each adaptive window's mean (see AdaptivePool). */
export class AdaptiveAvgPool2d extends AdaptivePool2d {
  protected readonly reduction = 'mean';
}

/** torch.nn.AdaptiveMaxPool2d: each adaptive window's max (see AdaptivePool). */
export class AdaptiveMaxPool2d extends AdaptivePool2d {
  protected readonly reduction = 'max';
}

/** torch.nn.AdaptiveAvgPool1d: each adaptive window's mean, over positions. */
export class AdaptiveAvgPool1d extends AdaptivePool1d {
  protected readonly reduction = 'mean';
}

/** torch.nn.AdaptiveMaxPool1d: each adaptive window's max over positions; AdaptiveMaxPool1d(1) is a text CNN's max over time. */
export class AdaptiveMaxPool1d extends AdaptivePool1d {
  protected readonly reduction = 'max';
}
