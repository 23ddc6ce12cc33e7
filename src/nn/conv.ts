import { globalRandom, type Random } from '../core/rng.js';
import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { OptionError } from '../core/errors.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE_INT, anyOf, checkValue, oneOf, type Rule } from '../core/validate.js';
import { Module } from './module.js';
import { Parameter, resetWeightAndBias, weightAndBias } from './parameter.js';
import { GENERATOR } from './init.js';
import type { Activation } from './activations.js';
import { checkInput } from './validate.js';
import { PAD_MODES, checkPadFits, padInto, type PadMode } from '../ops/pad.js';
import { depthwiseScratch, type DepthwiseGeometry } from './conv-depthwise.js';
import { WEIGHT_GRAD_BLOCK, convArguments, describeConv, sampleBlocks, workspace } from './conv-common.js';
import {
  PLANE, SEQUENCE, checkOutputSize, formatSizes, outputLength, type Pair, type PairLike, type Single, type SingleLike, type Spatial,
} from './window.js';

/**
 * The most taps (inChannels·kh·kw) of a stride-1, one-group layer convolved directly
 * (convDirectForward, convDirectWeightGrad: no im2col, no gemm) instead of by im2col + gemm; both
 * give the same bits, so this is a speed choice only.
 */
const DIRECT_MAX_TAPS = 9;

/** A convolution's options; `Size` is how a size is written: a number or [h, w] (Conv2d), or [l] (Conv1d). */
export interface ConvOptions<Size> {
  stride?: Size;
  /** Zero padding per side, or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: Size | 'same' | 'valid';
  dilation?: Size;
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

export type Conv2dOptions = ConvOptions<PairLike>;
export type Conv1dOptions = ConvOptions<SingleLike>;

/** torch's padding_mode: zeros, or one of pad's modes but its constant. */
export type Conv2dPaddingMode = 'zeros' | Exclude<PadMode, 'constant'>;

/** Conv2d's and Conv1d's option rules, for their way of writing a size. */
function convRules(spatial: Spatial<Pair | Single, never>): Record<string, Rule> {
  return {
    stride: spatial.positive,
    padding: { ...anyOf(spatial.padding, oneOf('same', 'valid')), description: `${spatial.padding.description}, or 'same' or 'valid'` } as Rule,
    dilation: spatial.positive,
    groups: POSITIVE_INT,
    bias: BOOLEAN,
    paddingMode: oneOf('zeros', ...PAD_MODES.filter((m) => m !== 'constant')),
  };
}

/** The window a convolution slides, on the planes its kernels see (a Conv1d's is one row high). */
interface PlaneWindow {
  kernel: Pair;
  stride: Pair;
  /** Padding before and after each dimension ('same' with an even kernel puts the extra after). */
  padding: Pair;
  paddingAfter: Pair;
  dilation: Pair;
}

/**
 * A convolution over channels-first input, as torch.nn.Conv2d and Conv1d (a cross-correlation):
 * weight [out, in/groups, …kernelSize], bias [out]. Initialised as torch's reset_parameters:
 * weight ~ kaiming_uniform(a = √5) = U(±1/√fanIn), bias ~ U(±1/√fanIn), fanIn = in/groups·∏kernelSize.
 * A Conv1d runs as a Conv2d of one row: [N, C, L] is N·C planes of 1 × L and its kernel 1 × k,
 * the same kernels and bits (its weight [out, in/groups, k] is the [out, in/groups, 1, k] one in memory).
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
export abstract class ConvNd<S extends Pair | Single, Like> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: S;
  readonly stride: S;
  /** Padding before each dimension ('same' with an even kernel puts the extra row and column after). */
  readonly padding: S;
  /** How `padding` was given: 'same', 'valid', or sizes ('explicit'). */
  readonly paddingRule: 'same' | 'valid' | 'explicit';
  /** How the padding is filled (torch's padding_mode). */
  readonly paddingMode: Conv2dPaddingMode;
  readonly dilation: S;
  readonly groups: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  protected readonly spatial: Spatial<S, Like>;
  protected readonly plane: PlaneWindow;

  protected constructor(owner: string, spatial: Spatial<S, Like>, inChannels: number, outChannels: number, kernelSize: Like, given: ConvOptions<Like> | undefined) {
    super();
    this.spatial = spatial;
    let options: Partial<ConvOptions<Like>>;
    ({ options, kernelSize: this.kernelSize, stride: this.stride, dilation: this.dilation, groups: this.groups } =
      convArguments(owner, spatial, inChannels, outChannels, kernelSize, given, convRules(spatial as Spatial<Pair | Single, never>)));
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    const kernel = spatial.toPlane(this.kernelSize, 1), stride = spatial.toPlane(this.stride, 1), dilation = spatial.toPlane(this.dilation, 1);
    const padding = options.padding ?? 0;
    let before: Pair;
    if (padding === 'same') {
      if (stride[0] !== 1 || stride[1] !== 1) {
        throw new OptionError(`${owner}: padding 'same' needs stride 1, got stride ${formatSizes(this.stride)}`);
      }
      // torch pads d·(k − 1) in total, ⌊total/2⌋ before; the rest after falls out of the output size.
      before = [0, 1].map((d) => (dilation[d] * (kernel[d] - 1)) >> 1) as Pair;
      this.paddingRule = 'same';
    } else {
      before = spatial.toPlane(spatial.sizes(padding === 'valid' ? (0 as Like) : (padding as Like)), 0);
      this.paddingRule = padding === 'valid' ? 'valid' : 'explicit';
    }
    const after = this.paddingRule === 'same' ? [0, 1].map((d) => dilation[d] * (kernel[d] - 1) - before[d]) as Pair : before;
    this.plane = { kernel, stride, padding: before, paddingAfter: after, dilation };
    this.padding = spatial.fromPlane(before);
    this.paddingMode = options.paddingMode ?? 'zeros';
    ({ weight: this.weight, bias: this.bias } = weightAndBias([outChannels, inChannels / this.groups, ...this.kernelSize], outChannels, options.bias ?? true));
    this.resetParameters();
  }

  /** Draws fresh weights as torch's reset_parameters does (weight first, then bias). */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    resetWeightAndBias(this.weight, this.bias, this.weight.size / this.outChannels, generator);
  }

  override describe(): string {
    const padding = this.paddingRule === 'same' ? "padding 'same'" : this.padding.some((p) => p !== 0) ? `padding ${formatSizes(this.padding)}` : '';
    return describeConv(this, [padding], [this.paddingMode !== 'zeros' ? `paddingMode '${this.paddingMode}'` : '']);
  }

  /** Padding after each dimension: `padding`'s, or what 'same' adds at the end. */
  paddingAfter(): S {
    return this.spatial.fromPlane(this.plane.paddingAfter);
  }

  /** The output plane for an input plane h×w (a Conv1d's: 1 × length). */
  protected planeOutput(h: number, w: number): Pair {
    if (this.paddingRule === 'same') return [h, w];
    const { kernel, stride, padding, dilation } = this.plane;
    return [0, 1].map((d) => outputLength([h, w][d], kernel[d], stride[d], padding[d], dilation[d])) as Pair;
  }

  /**
   * The input the convolution reads and the padding it adds itself: x and `padding` for zero
   * padding; else x padded by the mode into a buffer of the layer (its own autograd node), and none.
   */
  private paddedInput(x: Tensor, h: number, w: number, n: number, batched: boolean): { input: Tensor; h: number; w: number; padding: Pair } {
    const [top, left] = this.plane.padding, [bottom, right] = this.plane.paddingAfter;
    if (this.paddingMode === 'zeros' || top + left + bottom + right === 0) return { input: x, h, w, padding: this.plane.padding };
    const geometry = { planes: n * this.inChannels, h, w, top, bottom, left, right };
    checkPadFits(this.describe(), this.paddingMode, geometry, this.spatial.axisNames);
    const ph = h + top + bottom, pw = w + left + right;
    const buffer = this.buffer('padded', this.spatial.shape(n, this.inChannels, ph, pw, batched));
    return { input: padInto(x, buffer, geometry, this.paddingMode, 0, `${this.describe()} padding`), h: ph, w: pw, padding: [0, 0] };
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, null);
  }

  /** The convolution followed by `activation`, fused into its epilogue; one node for both. */
  forwardActivated(x: Tensor, activation: Activation | null): Tensor {
    checkInput(this, 'x', x);
    const image = this.spatial.input(this, x, this.inChannels);
    const { n, batched } = image;
    const [oh, ow] = this.planeOutput(image.h, image.w);
    checkOutputSize(this, x, oh, ow, this.spatial.kind);
    // A padding mode other than zeros pads the input first (a node of its own), as torch does;
    // the convolution then reads the padded planes with no padding of its own.
    const { input, h, w, padding: [ph, pw] } = this.paddedInput(x, image.h, image.w, n, batched);
    const [kh, kw] = this.plane.kernel, [sh, sw] = this.plane.stride, [dh, dw] = this.plane.dilation;
    const { groups, weight, bias } = this;
    const cin = this.inChannels / groups, cout = this.outChannels / groups;
    const kk = cin * kh * kw, l = oh * ow, plane = h * w;
    const outShape = this.spatial.shape(n, this.outChannels, oh, ow, batched);
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

/** 2-D convolution over NCHW input (or one [C, H, W] sample), as torch.nn.Conv2d; see ConvNd. */
export class Conv2d extends ConvNd<Pair, PairLike> {
  constructor(inChannels: number, outChannels: number, kernelSize: PairLike, given?: Conv2dOptions) {
    super('Conv2d', PLANE, inChannels, outChannels, kernelSize, given);
  }

  /** The output height and width for an input plane h×w. */
  outputSize(h: number, w: number): Pair {
    return this.planeOutput(h, w);
  }
}

/**
 * 1-D convolution over [N, C, L] input (or one [C, L] sample), as torch.nn.Conv1d — over the
 * positions of a sequence, such as an Embedding's output transposed to channels first. Weight
 * [out, in/groups, k]; sizes written as torch's (`kernelSize` [3]); see ConvNd.
 */
export class Conv1d extends ConvNd<Single, SingleLike> {
  constructor(inChannels: number, outChannels: number, kernelSize: SingleLike, given?: Conv1dOptions) {
    super('Conv1d', SEQUENCE, inChannels, outChannels, kernelSize, given);
  }

  /** The output length for an input of length l. */
  outputSize(l: number): number {
    return this.planeOutput(1, l)[1];
  }
}

