import { globalRandom, type Random } from '../core/rng.js';
import { requireBackend, threadScratch } from '../core/runtime.js';
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../core/tensor.js';
import { OptionError } from '../core/errors.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE_INT, anyOf, checkOptions, checkValue, oneOf, required, type Rule } from '../core/validate.js';
import { Module } from './module.js';
import { Parameter, resetWeightAndBias, weightAndBias } from './parameter.js';
import { GENERATOR } from './init.js';
import type { Activation } from './activations.js';
import { checkInput } from './validate.js';
import { PAD_MODES, checkPadFits, padInto, type PadMode } from '../ops/pad.js';
import { depthwiseScratch, type DepthwiseGeometry } from './conv-depthwise.js';
import {
  PADDING_PAIR, POSITIVE_PAIR, checkImage, checkOutputSize, formatPair, outputLength, pair, pairOption,
  type Pair, type PairLike,
} from './window.js';

/**
 * Samples per block of the weight gradient: blocks are what the threads share out, and their
 * partial sums are added in order, so this (not the thread count) fixes the summation order.
 */
export const WEIGHT_GRAD_BLOCK = 8;

/**
 * The most taps (inChannels·kh·kw) of a stride-1, one-group layer convolved directly
 * (convDirectForward, convDirectWeightGrad: no im2col, no gemm) instead of by im2col + gemm; both
 * give the same bits, so this is a speed choice only.
 */
const DIRECT_MAX_TAPS = 9;

export interface Conv2dOptions {
  stride?: PairLike;
  /** Zero padding per side, or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: PairLike | 'same' | 'valid';
  dilation?: PairLike;
  /** Split the channels into this many independent convolutions (inChannels = groups: depthwise). */
  groups?: number;
  /** Learn a per-channel bias (default true). */
  bias?: boolean;
  /**
   * How the padding is filled, as torch's padding_mode: 'zeros' (the default), or the input
   * 'reflect'ed about its edge, its edge 'replicate'd, or wrapped around ('circular').
   */
  paddingMode?: Conv2dPaddingMode;
}

/** torch's padding_mode: zeros, or one of pad's modes but its constant. */
export type Conv2dPaddingMode = 'zeros' | Exclude<PadMode, 'constant'>;

const RULES = {
  stride: POSITIVE_PAIR,
  padding: { ...anyOf(PADDING_PAIR, oneOf('same', 'valid')), description: "a non-negative integer, a pair [h, w] of them, 'same' or 'valid'" } as Rule,
  dilation: POSITIVE_PAIR,
  groups: POSITIVE_INT,
  bias: BOOLEAN,
  paddingMode: oneOf('zeros', ...PAD_MODES.filter((m) => m !== 'constant')),
};

/**
 * 2-D convolution over NCHW input, as torch.nn.Conv2d (a cross-correlation): weight
 * [out, in/groups, kH, kW], bias [out]. Initialised as torch's reset_parameters: weight ~
 * kaiming_uniform(a = √5) = U(±1/√fanIn), bias ~ U(±1/√fanIn), fanIn = in/groups·kH·kW.
 *
 * Each sample and group is one gemm on the im2col matrix of its input, col [K, L] (K = in/groups·kH·kW
 * rows of L = outH·outW output positions): z = W·col, so the output comes out NCHW with no
 * transpose. The weight gradient (dW += dz·colᵀ, an NT gemm) unrolls each sample's columns again
 * rather than keeping the forward's: a batch's columns are K/C times its input (a 64→64 3×3
 * layer on 32×32 at batch 128 would keep 302 MB), while the second unrolling costs about what
 * writing them out and reading them back saves (docs/layers.md has the figures). The input
 * gradient is dcol = Wᵀ·dz (a TN gemm) folded back by col2im. A 1×1 convolution with stride 1
 * and no padding needs no columns: its input is the col matrix already. The loops
 * over samples run inside three kernels (convForward, convWeightGrad, convInputGrad in
 * kernels-conv.ts): the threads backend splits them by samples or blocks of samples, as one
 * sample's gemm is too small to split. A thin stride-1 layer (inChannels·kH·kW ≤ DIRECT_MAX_TAPS,
 * one group: LeNet's first) skips the columns: convDirectForward and convDirectWeightGrad read the
 * zero-padded input in place, with the same bits. So does a depthwise layer (groups = inChannels),
 * whose groups would be gemms of one row: depthwiseForward, depthwiseInputGrad and
 * depthwiseWeightGrad (the last split by channels).
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  /** Padding before each dimension ('same' with an even kernel puts the extra row and column after). */
  readonly padding: Pair;
  /** How `padding` was given: 'same', 'valid', or sizes ('explicit'). */
  readonly paddingRule: 'same' | 'valid' | 'explicit';
  /** How the padding is filled (torch's padding_mode). */
  readonly paddingMode: Conv2dPaddingMode;
  readonly dilation: Pair;
  readonly groups: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: PairLike, given?: Conv2dOptions) {
    super();
    let options: Partial<Conv2dOptions>;
    ({ options, kernelSize: this.kernelSize, stride: this.stride, dilation: this.dilation, groups: this.groups } =
      convArguments('Conv2d', inChannels, outChannels, kernelSize, given, RULES));
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    const padding = options.padding ?? 0;
    if (padding === 'same') {
      if (this.stride[0] !== 1 || this.stride[1] !== 1) {
        throw new OptionError(`Conv2d: padding 'same' needs stride 1, got stride ${formatPair(this.stride)}`);
      }
      // torch pads d·(k − 1) in total, ⌊total/2⌋ before; the rest after falls out of the output size.
      this.padding = [0, 1].map((d) => (this.dilation[d] * (this.kernelSize[d] - 1)) >> 1) as Pair;
      this.paddingRule = 'same';
    } else {
      this.padding = pairOption('Conv2d', 'padding', padding === 'valid' ? 0 : padding, PADDING_PAIR, 0);
      this.paddingRule = padding === 'valid' ? 'valid' : 'explicit';
    }
    this.paddingMode = options.paddingMode ?? 'zeros';
    const [kh, kw] = this.kernelSize;
    ({ weight: this.weight, bias: this.bias } = weightAndBias([outChannels, inChannels / this.groups, kh, kw], outChannels, options.bias ?? true));
    this.resetParameters();
  }

  /** Draws fresh weights as torch's reset_parameters does (weight first, then bias). */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    resetWeightAndBias(this.weight, this.bias, this.weight.size / this.outChannels, generator);
  }

  override describe(): string {
    const padding = this.paddingRule === 'same' ? "padding 'same'" : this.padding[0] || this.padding[1] ? `padding ${formatPair(this.padding)}` : '';
    return describeConv(this, [padding], [this.paddingMode !== 'zeros' ? `paddingMode '${this.paddingMode}'` : '']);
  }

  /** The output height and width for an input plane h×w. */
  outputSize(h: number, w: number): Pair {
    if (this.paddingRule === 'same') return [h, w];
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding, [dh, dw] = this.dilation;
    return [outputLength(h, kh, sh, ph, dh), outputLength(w, kw, sw, pw, dw)];
  }

  /** Padding after each dimension: `padding`'s, or what 'same' adds at the bottom and right. */
  paddingAfter(): Pair {
    if (this.paddingRule !== 'same') return this.padding;
    return [0, 1].map((d) => this.dilation[d] * (this.kernelSize[d] - 1) - this.padding[d]) as Pair;
  }

  /**
   * The input the convolution reads and the padding it adds itself: x and `padding` for zero
   * padding; else x padded by the mode into a buffer of the layer (its own autograd node), and none.
   */
  private paddedInput(x: Tensor, h: number, w: number, n: number, batched: boolean): { input: Tensor; h: number; w: number; padding: Pair } {
    const [top, left] = this.padding, [bottom, right] = this.paddingAfter();
    if (this.paddingMode === 'zeros' || top + left + bottom + right === 0) return { input: x, h, w, padding: this.padding };
    const geometry = { planes: n * this.inChannels, h, w, top, bottom, left, right };
    checkPadFits(this.describe(), this.paddingMode, geometry, ['height', 'width']);
    const ph = h + top + bottom, pw = w + left + right;
    const buffer = this.buffer('padded', batched ? [n, this.inChannels, ph, pw] : [this.inChannels, ph, pw]);
    return { input: padInto(x, buffer, geometry, this.paddingMode, 0, `${this.describe()} padding`), h: ph, w: pw, padding: [0, 0] };
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, null);
  }

  /** The convolution followed by `activation`, fused into its epilogue; one node for both. */
  forwardActivated(x: Tensor, activation: Activation | null): Tensor {
    checkInput(this, 'x', x);
    const image = checkImage(this, x, this.inChannels);
    const { n, batched } = image;
    const [oh, ow] = this.outputSize(image.h, image.w);
    checkOutputSize(this, x, oh, ow);
    // A padding mode other than zeros pads the input first (a node of its own), as torch does;
    // the convolution then reads the padded planes with no padding of its own.
    const { input, h, w, padding: [ph, pw] } = this.paddedInput(x, image.h, image.w, n, batched);
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [dh, dw] = this.dilation;
    const { groups, weight, bias } = this;
    const cin = this.inChannels / groups, cout = this.outChannels / groups;
    const kk = cin * kh * kw, l = oh * ow, plane = h * w;
    const outShape = batched ? [n, this.outChannels, oh, ow] : [this.outChannels, oh, ow];
    const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
    const direct = !pointwise && groups === 1 && sh === 1 && sw === 1 && kk <= DIRECT_MAX_TAPS && ow >= 4;
    // One input channel a group: its own kernels (no im2col, no gemm of one row), the same bits.
    const depthwise = groups > 1 && groups === this.inChannels ? {
      geometry: { h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, multiplier: cout } satisfies DepthwiseGeometry,
      args: [groups, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cout] as const,
    } : null;
    // Every buffer the step needs is taken here, so the backward allocates nothing.
    const z = this.buffer('z', outShape);
    const y = activation ? activation.buffer_('y', outShape) : z;
    const dzScratch = activation ? this.buffer('dz', outShape) : null;
    const channelSums = bias ? this.buffer('channelSums', [n, this.outChannels]) : null;
    const blocks = Math.ceil(n / WEIGHT_GRAD_BLOCK);
    // A block's partial weight gradient: one group's (the groups run one after another), or every
    // channel's for a depthwise layer (its channels are split across threads).
    const partial = this.buffer('partial', [blocks, depthwise ? this.outChannels * kk : cout * kk]);
    const k = requireBackend();
    // Floats per sample in the input and the output.
    const xs = this.inChannels * plane, zs = this.outChannels * l;
    const geometry = [this.inChannels, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, groups, this.outChannels] as const;
    // The whole batch in one call, which the threads backend splits by samples (a sample's gemm is
    // too small to split); each thread's scratch is its own region of the shared workspace.
    const code = activation ? activation.code : Act.identity;
    const param = activation ? activation.param : 0;
    // The zero-padded sample a direct kernel reads: hp×wp planes.
    const padded = this.inChannels * (oh + (kh - 1) * dh) * (ow + (kw - 1) * dw);
    const directGeometry = [this.inChannels, h, w, kh, kw, ph, pw, dh, dw, oh, ow, this.outChannels] as const;
    if (direct) {
      // The padded sample (on a 64-byte boundary), then the weights splatted (4 floats each).
      const [bytes, work] = workspace(k, 0, 0, 0, Math.ceil(padded / 16) * 16 + this.outChannels * kk * 4);
      k.convDirectForward(input.offset, z.offset, y.offset, xs, zs, n, ...directGeometry, weight.offset, bias ? bias.offset : 0, code, param, work, bytes);
    } else if (depthwise) {
      const [bytes, work] = workspace(k, 0, 0, 0, depthwiseScratch.forward(depthwise.geometry));
      k.depthwiseForward(input.offset, z.offset, xs, zs, n, ...depthwise.args, weight.offset, work, bytes);
      k.channelBiasActivation(z.offset, n, this.outChannels, l, bias ? bias.offset : 0, code, param, y.offset, zs);
    } else {
      // Each thread's columns of one sample (none for 1×1), then gemm's workspace.
      const [fwdBytes, fwdWork] = workspace(k, cout, l, kk, pointwise ? 0 : kk * l);
      k.convForward(input.offset, z.offset, xs, zs, n, ...geometry, weight.offset, pointwise ? 1 : 0, fwdWork, fwdBytes);
      k.channelBiasActivation(z.offset, n, this.outChannels, l, bias ? bias.offset : 0, code, param, y.offset, zs);
    }
    const name = this.fusedName(activation);
    const inputs = bias ? [input, weight, bias] : [input, weight];
    const saved = [input, weight, z, ...(activation ? [y] : [])];
    return record(y, name, inputs, saved, (gOut, sink) => {
      let dz = gOut;
      if (dzScratch) {
        k.activationBackward(code, param, z.offset, y.offset, gOut.offset, dzScratch.offset, z.size);
        dz = dzScratch;
      }
      // dW_g = Σ_s dz_sg·col_sgᵀ, in blocks of samples (split across threads; each block's samples
      // accumulate in order through gemm's β), the blocks' partial sums then added in order.
      sink.writeOrAdd(weight, (dst, add) => {
        const B = WEIGHT_GRAD_BLOCK;
        if (direct) {
          // The padded sample (on a 64-byte boundary), then dz transposed.
          const [bytes, work] = workspace(k, 0, 0, 0, Math.ceil(padded / 16) * 16 + zs);
          sampleBlocks(n, (first, count, block) => k.convDirectWeightGrad(
            input.offset + first * xs * 4, dz.offset + first * zs * 4, partial.offset + (first / B) * cout * kk * 4, block * xs, block * zs,
            cout * kk, count, cout * block * l, ...directGeometry, xs, zs, block, work, bytes));
          k.sumRows(partial.offset, blocks, cout * kk, dst, add ? 1 : 0);
          return;
        }
        if (depthwise) {
          const [bytes, work] = workspace(k, 0, 0, 0, depthwiseScratch.weightGrad(depthwise.geometry));
          k.depthwiseWeightGrad(input.offset, dz.offset, partial.offset, plane, cout * l, cout * kk, groups, n * cout * l, n, xs, zs, B,
            this.outChannels * kk, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cout, work, bytes);
          k.sumRows(partial.offset, blocks, this.outChannels * kk, dst, add ? 1 : 0);
          return;
        }
        // Room for either way round of the product (the kernel picks): a [kk, cout] scratch (on a
        // 64-byte boundary), a sample's columns (none for 1×1), then gemm's workspace.
        const wide = Math.max(cout, kk);
        const [bytes, work] = workspace(k, wide, wide, l, Math.ceil((cout * kk) / 16) * 16 + (pointwise ? 0 : kk * l));
        for (let g = 0; g < groups; g++) {
          const xg = input.offset + g * cin * plane * 4, dzg = dz.offset + g * cout * l * 4;
          sampleBlocks(n, (first, count, block) => k.convWeightGrad(
            xg + first * xs * 4, dzg + first * zs * 4, partial.offset + (first / B) * cout * kk * 4, block * xs, block * zs,
            cout * kk, count, cout * block * l, cin, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cout, pointwise ? 1 : 0, xs, zs,
            block, work, bytes));
          k.sumRows(partial.offset, blocks, cout * kk, dst + g * cout * kk * 4, add ? 1 : 0);
        }
      });
      if (bias && channelSums) {
        // db[c] = Σ_s (Σ_i dz[s][c][i]): row sums per plane, then the column sums over samples.
        sink.writeOrAdd(bias, (dst, add) => {
          k.sumCols(dz.offset, n * this.outChannels, l, channelSums.offset, 0);
          k.sumRows(channelSums.offset, n, this.outChannels, dst, add ? 1 : 0);
        });
      }
      sink.write(input, (dst) => {
        // dcol = W_gᵀ·dz_sg (in each thread's scratch), folded back onto the input plane by col2im
        // (or the input gradient itself for 1×1).
        if (depthwise) {
          const [bytes, work] = workspace(k, 0, 0, 0, depthwiseScratch.inputGrad(depthwise.geometry));
          k.depthwiseInputGrad(dz.offset, dst, zs, xs, n, ...depthwise.args, weight.offset, work, bytes);
          return;
        }
        const [bytes, work] = workspace(k, kk, l, cout, pointwise ? 0 : kk * l);
        k.convInputGrad(dz.offset, dst, zs, xs, n, ...geometry, weight.offset, pointwise ? 1 : 0, work, bytes);
      });
    });
  }
}

/** The options Conv2d and ConvTranspose2d share. */
interface SharedConvOptions {
  stride?: PairLike;
  dilation?: PairLike;
  groups?: number;
}

/**
 * What both convolutions take alike, checked in order (the channels, the kernel, then `given`
 * against `rules`): the options, the kernel, stride and dilation as pairs, and groups, which must
 * divide both channel counts.
 */
export function convArguments<O extends SharedConvOptions>(
  owner: string, inChannels: number, outChannels: number, kernelSize: PairLike, given: O | undefined, rules: Record<string, Rule>,
): { options: Partial<O>; kernelSize: Pair; stride: Pair; dilation: Pair; groups: number } {
  checkValue(owner, 'inChannels', inChannels, required(POSITIVE_INT));
  checkValue(owner, 'outChannels', outChannels, required(POSITIVE_INT));
  checkValue(owner, 'kernelSize', kernelSize, required(POSITIVE_PAIR));
  const options = checkOptions<O>(owner, given, rules);
  const groups = options.groups ?? 1;
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new OptionError(`${owner}: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
  }
  return { options, kernelSize: pair(kernelSize), stride: pair(options.stride ?? 1), dilation: pair(options.dilation ?? 1), groups };
}

/** A convolution's describe(): `Name(in→out, k, …)` with what differs from the defaults, `padding` after the stride. */
export function describeConv(
  layer: { inChannels: number; outChannels: number; kernelSize: Pair; stride: Pair; dilation: Pair; groups: number; bias: Parameter | null },
  padding: string[], more: string[] = [],
): string {
  const extras = [
    layer.stride[0] !== 1 || layer.stride[1] !== 1 ? `stride ${formatPair(layer.stride)}` : '',
    ...padding,
    layer.dilation[0] !== 1 || layer.dilation[1] !== 1 ? `dilation ${formatPair(layer.dilation)}` : '',
    layer.groups !== 1 ? `groups ${layer.groups}` : '',
    layer.bias ? '' : 'no bias',
    ...more,
  ].filter((s) => s !== '');
  return `${layer.constructor.name}(${layer.inChannels}→${layer.outChannels}, ${formatPair(layer.kernelSize)}${extras.map((s) => `, ${s}`).join('')})`;
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
