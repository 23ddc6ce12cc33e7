import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { POSITIVE_INT, NON_NEGATIVE_INT, anyOf, arrayOf, checkValue, type Rule } from '../core/validate.js';
import type { Module } from './module.js';

// The sliding-window geometry the convolution and pooling layers share: torch's `int or (h, w)`
// arguments (`int or (l,)` for the 1-D layers), the output size formula and the input checks.

export type Pair = [number, number];
export type PairLike = number | readonly [number, number];

/** A positive integer or a pair [h, w] of them (kernelSize, stride, dilation). */
export const POSITIVE_PAIR: Rule = { ...anyOf(POSITIVE_INT, arrayOf(POSITIVE_INT, 2)), description: 'a positive integer or a pair [h, w] of them' };
/** A non-negative integer or a pair [h, w] of them (padding). */
export const PADDING_PAIR: Rule = { ...anyOf(NON_NEGATIVE_INT, arrayOf(NON_NEGATIVE_INT, 2)), description: 'a non-negative integer or a pair [h, w] of them' };

/** A 1-D layer's size, as torch's one-element tuple (`kernel_size == (3,)`). */
export type Single = [number];
export type SingleLike = number | readonly [number];

/** A positive integer or [l] (kernelSize, stride, dilation of a 1-D layer). */
export const POSITIVE_SINGLE: Rule = { ...anyOf(POSITIVE_INT, arrayOf(POSITIVE_INT, 1)), description: 'a positive integer or [l]' };
/** A non-negative integer or [l] (padding of a 1-D layer). */
export const PADDING_SINGLE: Rule = { ...anyOf(NON_NEGATIVE_INT, arrayOf(NON_NEGATIVE_INT, 1)), description: 'a non-negative integer or [l]' };

/**
 * How a window layer writes its sizes and reads its input, for its number of spatial dimensions.
 * The kernels run on planes: a 1-D layer's [N, C, L] is N·C planes of one row of L, and its
 * window a 1 × k window on them, so both kinds run the same kernels, with the same bits.
 */
export interface Spatial<S extends Pair | Single, Like> {
  /** 'plane' ([N, C, H, W]) or 'sequence' ([N, C, L]). */
  readonly kind: 'plane' | 'sequence';
  /** A positive size option (kernelSize, stride, dilation) and a padding option. */
  readonly positive: Rule;
  readonly padding: Rule;
  /** torch's `int or tuple` as a tuple: 3 → [3, 3] or [3]. */
  sizes(value: Like): S;
  /** The sizes on the plane the kernels see; `row` fills a 1-D layer's height (1 for a kernel, 0 for padding). */
  toPlane(sizes: S, row: number): Pair;
  fromPlane(sizes: Pair): S;
  /** The input as planes: n samples of c channels of h × w (3-D / 2-D for one sample, as torch allows); checks c. */
  input(layer: Module, x: Tensor, channels: number | null): { n: number; c: number; h: number; w: number; batched: boolean };
  /** The names of the plane's axes in messages (null: a 1-D layer's row, never padded). */
  readonly axisNames: readonly [string | null, string];
  /** The shape of n samples of c channels of h × w planes. */
  shape(n: number, c: number, h: number, w: number, batched: boolean): number[];
}

export const PLANE: Spatial<Pair, PairLike> = {
  kind: 'plane', positive: POSITIVE_PAIR, padding: PADDING_PAIR,
  sizes: (value) => pair(value),
  toPlane: (sizes) => sizes,
  fromPlane: (sizes) => sizes,
  input: (layer, x, channels) => checkImage(layer, x, channels),
  axisNames: ['height', 'width'],
  shape: (n, c, h, w, batched) => (batched ? [n, c, h, w] : [c, h, w]),
};

export const SEQUENCE: Spatial<Single, SingleLike> = {
  kind: 'sequence', positive: POSITIVE_SINGLE, padding: PADDING_SINGLE,
  sizes: (value) => [typeof value === 'number' ? value : value[0]],
  toPlane: ([l], row) => [row, l],
  fromPlane: ([, l]) => [l],
  input: (layer, x, channels) => {
    if (x.rank !== 3 && x.rank !== 2) {
      throw new ShapeError(`${layer.describe()}: input must be [N, C, L] or [C, L], got shape ${formatShape(x.shape)}`);
    }
    const batched = x.rank === 3;
    const [n, c, l] = batched ? x.shape : [1, ...x.shape];
    checkChannels(layer, x, c, channels);
    return { n, c, h: 1, w: l, batched };
  },
  axisNames: [null, 'length'],
  shape: (n, c, _h, w, batched) => (batched ? [n, c, w] : [c, w]),
};

/** A size tuple as written in describe(): one number when all agree, else the list. */
export function formatSizes(sizes: readonly number[]): string {
  return sizes.every((s) => s === sizes[0]) ? String(sizes[0]) : `[${sizes.join(', ')}]`;
}

export function pair(value: PairLike): Pair {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

export function formatPair([h, w]: Pair): string {
  return h === w ? String(h) : `[${h}, ${w}]`;
}

/**
 * torch's output length of a window sweep: ⌊(size + 2·pad − dilation·(kernel − 1) − 1)/stride⌋ + 1,
 * or ⌈…⌉ with ceilMode, where a last window that would start in the right padding is dropped.
 */
export function outputLength(size: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode = false): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** torch's rule for pooling: padding at most half the (dilated) window, else a window could be all padding. */
export function checkPoolPadding(owner: string, padding: readonly number[], kernel: readonly number[], dilation: readonly number[]): void {
  padding.forEach((p, d) => {
    const effective = dilation[d] * (kernel[d] - 1) + 1;
    if (p * 2 > effective) {
      const along = padding.length === 1 ? '' : ` along ${d === 0 ? 'h' : 'w'}`;
      throw new OptionError(`${owner}: padding ${formatSizes(padding)} must be at most half the window ${formatSizes(kernel)} (${effective >> 1}${along})`);
    }
  });
}

/** The input as [N, C, H, W] (a 3-D [C, H, W] is one sample, as torch allows); checks C. */
export function checkImage(layer: Module, x: Tensor, channels: number | null): { n: number; c: number; h: number; w: number; batched: boolean } {
  if (x.rank !== 4 && x.rank !== 3) {
    throw new ShapeError(`${layer.describe()}: input must be [N, C, H, W] or [C, H, W], got shape ${formatShape(x.shape)}`);
  }
  const batched = x.rank === 4;
  const [n, c, h, w] = batched ? x.shape : [1, ...x.shape];
  checkChannels(layer, x, c, channels);
  return { n, c, h, w, batched };
}

function checkChannels(layer: Module, x: Tensor, c: number, channels: number | null): void {
  if (channels !== null && c !== channels) {
    throw new ShapeError(`${layer.describe()}: input of shape ${formatShape(x.shape)} has ${c} channels, expected ${channels}`);
  }
}

/** Checks that a window fits: the output has at least one row and column. */
export function checkOutputSize(layer: Module, x: Tensor, oh: number, ow: number, kind: 'plane' | 'sequence' = 'plane'): void {
  if (oh < 1 || ow < 1) {
    const size = kind === 'plane' ? `${oh}×${ow}` : `of length ${ow}`;
    throw new ShapeError(`${layer.describe()}: input of shape ${formatShape(x.shape)} is too small for the window (output would be ${size})`);
  }
}

/** Reads a pair option, checking it with `rule`. */
export function pairOption(owner: string, name: string, value: unknown, rule: Rule, fallback: PairLike): Pair {
  checkValue(owner, name, value, rule);
  return pair((value ?? fallback) as PairLike);
}
