import { threadScratch } from '../core/runtime.js';
import type { Backend } from '../backend/backend.js';
import { OptionError } from '../core/errors.js';
import { POSITIVE_INT, checkOptions, checkValue, required, type Rule } from '../core/validate.js';
import type { Parameter } from './parameter.js';
import { formatSizes, type Pair, type Single, type Spatial } from './window.js';

// What the convolution layers (Conv2d, Conv1d: conv.ts; ConvTranspose2d: conv-transpose.ts)
// share besides their kernels: argument checks, describe(), the weight gradient's sample blocks
// and each thread's scratch.

/**
 * Samples per block of the weight gradient: blocks are what the threads share out, and their
 * partial sums are added in order, so this (not the thread count) fixes the summation order.
 */
export const WEIGHT_GRAD_BLOCK = 8;

/** The options every convolution shares. */
interface SharedConvOptions<Like> {
  stride?: Like;
  dilation?: Like;
  groups?: number;
}

/**
 * What both convolutions take alike, checked in order (the channels, the kernel, then `given`
 * against `rules`): the options, the kernel, stride and dilation as pairs, and groups, which must
 * divide both channel counts.
 */
export function convArguments<S extends Pair | Single, Like, O extends SharedConvOptions<Like>>(
  owner: string, spatial: Spatial<S, Like>, inChannels: number, outChannels: number, kernelSize: Like, given: O | undefined, rules: Record<string, Rule>,
): { options: Partial<O>; kernelSize: S; stride: S; dilation: S; groups: number } {
  checkValue(owner, 'inChannels', inChannels, required(POSITIVE_INT));
  checkValue(owner, 'outChannels', outChannels, required(POSITIVE_INT));
  checkValue(owner, 'kernelSize', kernelSize, required(spatial.positive));
  const options = checkOptions<O>(owner, given, rules);
  const groups = options.groups ?? 1;
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new OptionError(`${owner}: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
  }
  const one = 1 as Like;
  return { options, kernelSize: spatial.sizes(kernelSize), stride: spatial.sizes(options.stride ?? one), dilation: spatial.sizes(options.dilation ?? one), groups };
}

/** A convolution's describe(): `Name(in→out, k, …)` with what differs from the defaults, `padding` after the stride. */
export function describeConv(
  layer: { inChannels: number; outChannels: number; kernelSize: readonly number[]; stride: readonly number[]; dilation: readonly number[]; groups: number; bias: Parameter | null },
  padding: string[], more: string[] = [],
): string {
  const extras = [
    layer.stride.some((s) => s !== 1) ? `stride ${formatSizes(layer.stride)}` : '',
    ...padding,
    layer.dilation.some((d) => d !== 1) ? `dilation ${formatSizes(layer.dilation)}` : '',
    layer.groups !== 1 ? `groups ${layer.groups}` : '',
    layer.bias ? '' : 'no bias',
    ...more,
  ].filter((s) => s !== '');
  return `${layer.constructor.name}(${layer.inChannels}→${layer.outChannels}, ${formatSizes(layer.kernelSize)}${extras.map((s) => `, ${s}`).join('')})`;
}

/**
 * The weight gradient's blocks of WEIGHT_GRAD_BLOCK samples over a batch of n: `run(first, count,
 * block)` once for the full blocks (from sample 0, `count` of them) and once for the partial one
 * at the end (one block of the remaining samples), each call skipped when empty. A block's partial
 * sum sits at index first / WEIGHT_GRAD_BLOCK.
 */
export function sampleBlocks(n: number, run: (first: number, count: number, block: number) => void): void {
  const full = Math.floor(n / WEIGHT_GRAD_BLOCK), tail = n - full * WEIGHT_GRAD_BLOCK;
  if (full > 0) run(0, full, WEIGHT_GRAD_BLOCK);
  if (tail > 0) run(full * WEIGHT_GRAD_BLOCK, 1, tail);
}

/**
 * Each thread's scratch for a layer kernel: `floats` of its own (columns, dcol), then gemm's workspace for an
 * m×n×k product on a 64-byte boundary. Returns the bytes per thread and the shared workspace
 * holding one region per thread.
 */
export function workspace(k: Backend, m: number, n: number, kk: number, floats: number): [number, number] {
  // The threads backend sizes gemm's workspace for all its threads, equal regions.
  const gemmBytes = k.gemmWorkspaceBytes(m, n, kk) / k.threads;
  return threadScratch(k.threads, Math.ceil((floats * 4) / 64) * 64 + Math.ceil(gemmBytes / 64) * 64);
}
