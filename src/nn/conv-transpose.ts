import { globalRandom, type Random } from '../core/rng.js';
import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { OptionError } from '../core/errors.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { BOOLEAN, POSITIVE_INT, checkValue } from '../core/validate.js';
import { Module } from './module.js';
import { Parameter, resetWeightAndBias, weightAndBias } from './parameter.js';
import { GENERATOR } from './init.js';
import { checkInput } from './validate.js';
import { WEIGHT_GRAD_BLOCK, convArguments, describeConv, sampleBlocks, workspace } from './conv-common.js';
import { PADDING_PAIR, PLANE, POSITIVE_PAIR, checkImage, checkOutputSize, formatPair, pairOption, type Pair, type PairLike } from './window.js';

export interface ConvTranspose2dOptions {
  stride?: PairLike;
  /** Rows and columns taken off each side of the full output, d·(k − 1) − padding of zeros added to the input in effect (torch's). */
  padding?: PairLike;
  /** Extra rows and columns on the bottom and right of the output, below the stride or the dilation (torch's output_padding). */
  outputPadding?: PairLike;
  dilation?: PairLike;
  groups?: number;
  bias?: boolean;
}

const RULES = { stride: POSITIVE_PAIR, padding: PADDING_PAIR, outputPadding: PADDING_PAIR, dilation: POSITIVE_PAIR, groups: POSITIVE_INT, bias: BOOLEAN };

/**
 * The transposed 2-D convolution, as torch.nn.ConvTranspose2d: the adjoint (gradient) of the
 * Conv2d(out → in) with the same weight, so it maps each input pixel to a kernel-sized patch of the
 * output, `stride` apart — the upsampling half of autoencoders and U-Nets. Weight
 * [in, out/groups, kH, kW], bias [out]; initialised as torch's (fanIn = out/groups·kH·kW). Output
 * size (H − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 *
 * It runs the convolution kernels the other way round, with their bits: the forward is Conv2d's
 * input-gradient kernel (convInputGrad: Wᵀ·x by gemm, folded by col2im), the input gradient
 * Conv2d's forward kernel on the output gradient, and the weight gradient Conv2d's weight-gradient
 * kernel with the two roles swapped — all split across threads by samples, as in Conv2d.
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: PairLike, given?: ConvTranspose2dOptions) {
    super();
    let options: Partial<ConvTranspose2dOptions>;
    ({ options, kernelSize: this.kernelSize, stride: this.stride, dilation: this.dilation, groups: this.groups } =
      convArguments('ConvTranspose2d', PLANE, inChannels, outChannels, kernelSize, given, RULES));
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.padding = pairOption('ConvTranspose2d', 'padding', options.padding, PADDING_PAIR, 0);
    this.outputPadding = pairOption('ConvTranspose2d', 'outputPadding', options.outputPadding, PADDING_PAIR, 0);
    for (const d of [0, 1]) {
      // torch's rule: the extra rows must fall short of a stride or a dilation step, or no input reaches them.
      if (this.outputPadding[d] >= Math.max(this.stride[d], this.dilation[d])) {
        throw new OptionError(
          `ConvTranspose2d: outputPadding ${formatPair(this.outputPadding)} must be smaller than the stride ${formatPair(this.stride)} or the dilation ${formatPair(this.dilation)} along ${d === 0 ? 'h' : 'w'}`,
        );
      }
    }
    const [kh, kw] = this.kernelSize;
    ({ weight: this.weight, bias: this.bias } = weightAndBias([inChannels, outChannels / this.groups, kh, kw], outChannels, options.bias ?? true));
    this.resetParameters();
  }

  /** Draws fresh weights as torch's reset_parameters does (weight first, then bias). */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    // torch's fan-in of a [in, out/groups, kH, kW] weight: its second dimension times the kernel.
    resetWeightAndBias(this.weight, this.bias, this.weight.size / this.inChannels, generator);
  }

  override describe(): string {
    return describeConv(this, [
      this.padding[0] || this.padding[1] ? `padding ${formatPair(this.padding)}` : '',
      this.outputPadding[0] || this.outputPadding[1] ? `outputPadding ${formatPair(this.outputPadding)}` : '',
    ]);
  }

  /** The output height and width for an input plane h×w. */
  outputSize(h: number, w: number): Pair {
    return [0, 1].map((d) => ((d === 0 ? h : w) - 1) * this.stride[d] - 2 * this.padding[d] + this.dilation[d] * (this.kernelSize[d] - 1) + this.outputPadding[d] + 1) as Pair;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const { n, h, w, batched } = checkImage(this, x, this.inChannels);
    const [oh, ow] = this.outputSize(h, w);
    checkOutputSize(this, x, oh, ow);
    const [kh, kw] = this.kernelSize, [sh, sw] = this.stride, [ph, pw] = this.padding, [dh, dw] = this.dilation;
    const { groups, weight, bias } = this;
    // The Conv2d this is the adjoint of: `oc` channels of oh×ow in, the `ic` of h×w out.
    const oc = this.outChannels, ic = this.inChannels, ocg = oc / groups, icg = ic / groups;
    const kk = ocg * kh * kw, l = h * w, plane = oh * ow;
    const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && oh === h && ow === w;
    const geometry = [oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, h, w, groups, ic] as const;
    const xs = ic * l, ys = oc * plane;
    const y = this.buffer('y', batched ? [n, oc, oh, ow] : [oc, oh, ow]);
    const channelSums = bias ? this.buffer('channelSums', [n, oc]) : null;
    const blocks = Math.ceil(n / WEIGHT_GRAD_BLOCK);
    const partial = this.buffer('partial', [blocks, icg * kk]);
    const k = requireBackend();
    {
      const [bytes, work] = workspace(k, kk, l, icg, pointwise ? 0 : kk * l);
      k.convInputGrad(x.offset, y.offset, xs, ys, n, ...geometry, weight.offset, pointwise ? 1 : 0, work, bytes);
    }
    if (bias) k.channelBiasActivation(y.offset, n, oc, plane, bias.offset, Act.identity, 0, y.offset, ys);
    const inputs = bias ? [x, weight, bias] : [x, weight];
    return record(y, this.describe(), inputs, [x, weight], (g, sink) => {
      // dW: Conv2d's weight gradient with the output gradient as its input and x as its output's.
      sink.writeOrAdd(weight, (dst, add) => {
        const wide = Math.max(icg, kk);
        const [bytes, work] = workspace(k, wide, wide, l, Math.ceil((icg * kk) / 16) * 16 + (pointwise ? 0 : kk * l));
        for (let gi = 0; gi < groups; gi++) {
          const gg = g.offset + gi * ocg * plane * 4, xg = x.offset + gi * icg * l * 4;
          sampleBlocks(n, (first, count, block) => k.convWeightGrad(
            gg + first * ys * 4, xg + first * xs * 4, partial.offset + (first / WEIGHT_GRAD_BLOCK) * icg * kk * 4, block * ys, block * xs,
            icg * kk, count, icg * block * l, ocg, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, h, w, icg, pointwise ? 1 : 0, ys, xs,
            block, work, bytes));
          k.sumRows(partial.offset, blocks, icg * kk, dst + gi * icg * kk * 4, add ? 1 : 0);
        }
      });
      if (bias && channelSums) {
        sink.writeOrAdd(bias, (dst, add) => {
          k.sumCols(g.offset, n * oc, plane, channelSums.offset, 0);
          k.sumRows(channelSums.offset, n, oc, dst, add ? 1 : 0);
        });
      }
      // dx: Conv2d's forward on the output gradient.
      sink.write(x, (dst) => {
        const [bytes, work] = workspace(k, icg, l, kk, pointwise ? 0 : kk * l);
        k.convForward(g.offset, dst, ys, xs, n, ...geometry, weight.offset, pointwise ? 1 : 0, work, bytes);
      });
    });
  }
}
