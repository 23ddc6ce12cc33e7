import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE_INT, anyOf, arrayOf, checkOptions, checkValue, nullable, required, type Rule } from '../core/validate.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';
import type { ReLU } from './activations.js';
import {
  PADDING_PAIR, POSITIVE_PAIR, checkImage, checkOutputSize, checkPoolPadding, formatPair, outputLength, pair,
  type Pair, type PairLike,
} from './window.js';

// Max and average pooling over NCHW planes, as torch.nn's. Each plane (sample, channel) is pooled
// on its own, so the kernels see [planes, H, W].

export interface MaxPool2dOptions {
  /** Default: kernelSize (non-overlapping windows). */
  stride?: PairLike;
  /** Implicit −∞ padding per side, at most half the window. */
  padding?: PairLike;
  dilation?: PairLike;
  /** Round the output size up, keeping a last partial window that starts inside the input or left padding. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: PairLike;
  /** Implicit zero padding per side, at most half the window. */
  padding?: PairLike;
  ceilMode?: boolean;
  /** Divide by the whole window, padding included (default true), or by its in-bounds elements. */
  countIncludePad?: boolean;
  /** Divide every window by this instead (torch's divisor_override; countIncludePad then has no effect). */
  divisorOverride?: number;
}

/** The geometry both window pools share: kernel, stride (default the kernel), padding, ceilMode. */
abstract class WindowPool extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  protected constructor(owner: string, kernelSize: PairLike, options: MaxPool2dOptions) {
    super();
    checkValue(owner, 'kernelSize', kernelSize, required(POSITIVE_PAIR));
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? kernelSize);
    this.padding = pair(options.padding ?? 0);
    this.dilation = pair(options.dilation ?? 1);
    this.ceilMode = options.ceilMode ?? false;
    checkPoolPadding(owner, this.padding, this.kernelSize, this.dilation);
  }

  override describe(): string {
    const extras = [
      this.stride[0] !== this.kernelSize[0] || this.stride[1] !== this.kernelSize[1] ? `stride ${formatPair(this.stride)}` : '',
      this.padding[0] || this.padding[1] ? `padding ${formatPair(this.padding)}` : '',
      this.dilation[0] !== 1 || this.dilation[1] !== 1 ? `dilation ${formatPair(this.dilation)}` : '',
      this.ceilMode ? 'ceilMode' : '',
    ].filter((s) => s !== '');
    return `${this.constructor.name}(${formatPair(this.kernelSize)}${extras.map((s) => `, ${s}`).join('')})`;
  }

  /** The input's planes and sizes, and the output shape (checked to be non-empty). */
  protected geometry(x: Tensor): { planes: number; h: number; w: number; oh: number; ow: number; shape: number[] } {
    checkInput(this, 'x', x);
    const { n, c, h, w, batched } = checkImage(this, x, null);
    const oh = outputLength(h, this.kernelSize[0], this.stride[0], this.padding[0], this.dilation[0], this.ceilMode);
    const ow = outputLength(w, this.kernelSize[1], this.stride[1], this.padding[1], this.dilation[1], this.ceilMode);
    checkOutputSize(this, x, oh, ow);
    return { planes: n * c, h, w, oh, ow, shape: batched ? [n, c, oh, ow] : [c, oh, ow] };
  }
}

/** Max over each window; the gradient goes to the window's maximum (each window's first, on ties). */
export class MaxPool2d extends WindowPool {
  constructor(kernelSize: PairLike, given?: MaxPool2dOptions) {
    super('MaxPool2d', kernelSize, checkOptions<MaxPool2dOptions>('MaxPool2d', given, {
      stride: POSITIVE_PAIR, padding: PADDING_PAIR, dilation: POSITIVE_PAIR, ceilMode: BOOLEAN,
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
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding, [dh, dw] = this.dilation;
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

/** Mean over each window (zero padding; see countIncludePad for the divisor). */
export class AvgPool2d extends WindowPool {
  readonly countIncludePad: boolean;
  /** Every window's divisor, or null: the window's size as countIncludePad says. */
  readonly divisorOverride: number | null;

  constructor(kernelSize: PairLike, given?: AvgPool2dOptions) {
    const options = checkOptions<AvgPool2dOptions>('AvgPool2d', given, {
      stride: POSITIVE_PAIR, padding: PADDING_PAIR, ceilMode: BOOLEAN, countIncludePad: BOOLEAN, divisorOverride: POSITIVE_INT,
    });
    super('AvgPool2d', kernelSize, { stride: options.stride, padding: options.padding, ceilMode: options.ceilMode });
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  override describe(): string {
    const extras = [this.countIncludePad ? '' : ', countIncludePad false', this.divisorOverride === null ? '' : `, divisorOverride ${this.divisorOverride}`].join('');
    return extras ? `${super.describe().slice(0, -1)}${extras})` : super.describe();
  }

  forward(x: Tensor): Tensor {
    const { planes, h, w, oh, ow, shape } = this.geometry(x);
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding;
    const include = this.countIncludePad ? 1 : 0, divisor = this.divisorOverride ?? 0;
    const y = this.buffer('y', shape);
    const k = requireBackend();
    k.avgPoolForward(x.offset, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, include, divisor, y.offset, h * w, oh * ow);
    return record(y, this.describe(), [x], [], (g, sink) => {
      sink.write(x, (dst) => k.avgPoolBackward(g.offset, planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow, include, divisor, dst, h * w, oh * ow));
    });
  }
}

/** A positive integer, or a pair of them where either may be null (keep the input's size). */
const ADAPTIVE_OUTPUT_SIZE: Rule = required({
  ...anyOf(POSITIVE_INT, arrayOf(nullable(POSITIVE_INT), 2)),
  description: 'a positive integer or a pair [h, w] of them (null: the input\'s size)',
});

/**
 * Average pooling to a fixed output size, as torch: output row i averages input rows
 * ⌊i·H/outH⌋ … ⌈(i+1)·H/outH⌉ − 1 (windows may overlap), and the same for columns.
 * `outputSize` 1 is the global average; null for one side keeps the input's size there, as torch's None.
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number | null, number | null];

  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    checkValue('AdaptiveAvgPool2d', 'outputSize', outputSize, ADAPTIVE_OUTPUT_SIZE);
    this.outputSize = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
  }

  override describe(): string {
    const [oh, ow] = this.outputSize;
    return `AdaptiveAvgPool2d(${oh === ow && oh !== null ? oh : `[${oh}, ${ow}]`})`;
  }

  /** The output height and width for an input plane h×w (null sides keep the input's). */
  outputFor(h: number, w: number): Pair {
    return [this.outputSize[0] ?? h, this.outputSize[1] ?? w];
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const { n, c, h, w, batched } = checkImage(this, x, null);
    const [oh, ow] = this.outputFor(h, w);
    const y = this.buffer('y', batched ? [n, c, oh, ow] : [c, oh, ow]);
    const k = requireBackend();
    k.adaptiveAvgPoolForward(x.offset, n * c, h, w, oh, ow, y.offset, h * w, oh * ow);
    return record(y, this.describe(), [x], [], (g, sink) => {
      sink.write(x, (dst) => k.adaptiveAvgPoolBackward(g.offset, n * c, h, w, oh, ow, dst, h * w, oh * ow));
    });
  }
}
