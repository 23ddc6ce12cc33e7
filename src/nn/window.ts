import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { POSITIVE_INT, NON_NEGATIVE_INT, anyOf, arrayOf, checkValue, type Rule } from '../core/validate.js';
import type { Module } from './module.js';

// The sliding-window geometry Conv2d and the pooling layers share: torch's `int or (h, w)`
// arguments, the output size formula and the NCHW input check.

export type Pair = [number, number];
export type PairLike = number | readonly [number, number];

/** A positive integer or a pair [h, w] of them (kernelSize, stride, dilation). */
export const POSITIVE_PAIR: Rule = { ...anyOf(POSITIVE_INT, arrayOf(POSITIVE_INT, 2)), description: 'a positive integer or a pair [h, w] of them' };
/** A non-negative integer or a pair [h, w] of them (padding). */
export const PADDING_PAIR: Rule = { ...anyOf(NON_NEGATIVE_INT, arrayOf(NON_NEGATIVE_INT, 2)), description: 'a non-negative integer or a pair [h, w] of them' };

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
export function checkPoolPadding(owner: string, padding: Pair, kernel: Pair, dilation: Pair = [1, 1]): void {
  for (const d of [0, 1]) {
    const effective = dilation[d] * (kernel[d] - 1) + 1;
    if (padding[d] * 2 > effective) {
      throw new OptionError(`${owner}: padding ${formatPair(padding)} must be at most half the window ${formatPair(kernel)} (${effective >> 1} along ${d === 0 ? 'h' : 'w'})`);
    }
  }
}

/** The input as [N, C, H, W] (a 3-D [C, H, W] is one sample, as torch allows); checks C. */
export function checkImage(layer: Module, x: Tensor, channels: number | null): { n: number; c: number; h: number; w: number; batched: boolean } {
  if (x.rank !== 4 && x.rank !== 3) {
    throw new ShapeError(`${layer.describe()}: input must be [N, C, H, W] or [C, H, W], got shape ${formatShape(x.shape)}`);
  }
  const batched = x.rank === 4;
  const [n, c, h, w] = batched ? x.shape : [1, ...x.shape];
  if (channels !== null && c !== channels) {
    throw new ShapeError(`${layer.describe()}: input of shape ${formatShape(x.shape)} has ${c} channels, expected ${channels}`);
  }
  return { n, c, h, w, batched };
}

/** Checks that a window fits: the output has at least one row and column. */
export function checkOutputSize(layer: Module, x: Tensor, oh: number, ow: number): void {
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`${layer.describe()}: input of shape ${formatShape(x.shape)} is too small for the window (output would be ${oh}×${ow})`);
  }
}

/** Reads a pair option, checking it with `rule`. */
export function pairOption(owner: string, name: string, value: unknown, rule: Rule, fallback: PairLike): Pair {
  checkValue(owner, name, value, rule);
  return pair((value ?? fallback) as PairLike);
}
