import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { requireBackend } from '../core/runtime.js';
import { BOOLEAN, POSITIVE, POSITIVE_INT, UNIT, checkOptions, checkValue, required } from '../core/validate.js';
import { record } from '../autograd/node.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { checkInput } from './validate.js';
import { filled, fromScratch } from './norm.js';

export interface GroupNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
}

const COUNT = required(POSITIVE_INT);

/**
 * Group normalisation, as torch.nn.GroupNorm: the channels of each sample of [N, C, *] fall into
 * numGroups groups of C/numGroups, each group normalised over its channels and positions with its
 * own mean and biased variance, then each channel scaled and shifted:
 * y = (x − μ_g)/√(σ²_g + eps)·γ_c + β_c. The same in training and eval (no running statistics),
 * so it does not depend on the batch: numGroups = 1 normalises each sample whole, numGroups = C
 * is instance normalisation (torch's InstanceNorm with affine). Wu & He, "Group Normalization" (2018).
 *
 * It runs on the normalisation kernels there are: a group's values are contiguous, so the groups
 * are the rows of layer norm's kernels (layerNormForward, layerNormBackward, no affine), and the
 * per-channel scale and shift are batch norm's apply, sums and input-gradient kernels with a mean
 * of 0 and an invstd of 1 (y = x̂·γ + β; Σdy·x̂ and Σdy per channel; dx̂ = γ·dy) — all split across
 * threads as they already are.
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Parameter | null = null;
  readonly bias: Parameter | null = null;

  constructor(numGroups: number, numChannels: number, given?: GroupNormOptions) {
    super();
    checkValue('GroupNorm', 'numGroups', numGroups, COUNT);
    checkValue('GroupNorm', 'numChannels', numChannels, COUNT);
    const options = checkOptions<GroupNormOptions>('GroupNorm', given, { eps: POSITIVE, affine: BOOLEAN });
    if (numChannels % numGroups !== 0) {
      throw new OptionError(`GroupNorm: numGroups ${numGroups} must divide numChannels ${numChannels}`);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    if (this.affine) {
      const weight = filled(new Parameter(null, [numChannels]), 1);
      this.weight = weight;
      try {
        this.bias = filled(new Parameter(null, [numChannels]), 0);
      } catch (error) {
        weight.dispose(); // out of heap for the bias: the weight must not stay allocated
        throw error;
      }
    }
  }

  override describe(): string {
    return `GroupNorm(${this.numGroups}, ${this.numChannels}${this.affine ? '' : ', affine false'})`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    if (x.rank < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`${this.describe()}: input must be [N, ${this.numChannels}, *], got shape ${formatShape(x.shape)}`);
    }
    return this.normalise(x, x.shape[0]);
  }

  /** x as n samples of numChannels channels (each channel's positions contiguous), normalised. */
  protected normalise(x: Tensor, n: number): Tensor {
    const c = this.numChannels, hw = x.size / Math.max(n * c, 1);
    const rows = n * this.numGroups, d = (c / this.numGroups) * hw;
    const { weight, bias } = this;
    const y = this.buffer('y', x.shape);
    const mean = this.buffer('mean', [rows]);
    const invstd = this.buffer('invstd', [rows]);
    const k = requireBackend();
    if (!weight || !bias) {
      k.layerNormForward(x.offset, rows, d, 0, 0, this.eps, mean.offset, invstd.offset, y.offset);
      return record(y, this.describe(), [x], [x, mean, invstd], (g, sink) => {
        sink.write(x, (dst) => k.layerNormBackward(x.offset, g.offset, rows, d, mean.offset, invstd.offset, 0, dst));
      });
    }
    // Every buffer the backward needs is taken here, so a step's allocations all happen in forward.
    const xhat = this.buffer('xhat', x.shape);
    const dxhat = this.buffer('dxhat', x.shape);
    // Per channel: a mean of 0 and an invstd of 1 for batch norm's kernels, then Σdy and Σdy·x̂.
    const constants = this.buffer('constants', [2 * c]);
    const sums = this.buffer('sums', [2 * c]);
    const zero = constants.offset, one = constants.offset + 4 * c, biasSums = sums.offset, weightSums = sums.offset + 4 * c;
    k.fill(zero, c, 0);
    k.fill(one, c, 1);
    k.layerNormForward(x.offset, rows, d, 0, 0, this.eps, mean.offset, invstd.offset, xhat.offset);
    k.batchNormApply(xhat.offset, n, c, hw, zero, one, weight.offset, bias.offset, y.offset, c * hw);
    return record(y, this.describe(), [x, weight, bias], [x, xhat, mean, invstd], (g, sink) => {
      if (sink.wants(weight) || sink.wants(bias)) {
        k.batchNormBackwardSums(xhat.offset, g.offset, n, c, hw, zero, one, biasSums, weightSums, c * hw, n * hw);
        sink.writeOrAdd(weight, fromScratch(weightSums, c));
        sink.writeOrAdd(bias, fromScratch(biasSums, c));
      }
      sink.write(x, (dst) => {
        // dx̂ = γ·dy (batch norm's input gradient with constant statistics), then layer norm's backward.
        k.batchNormBackwardInput(xhat.offset, g.offset, n, c, hw, zero, one, weight.offset, sums.offset, 0, dxhat.offset, n, c * hw);
        k.layerNormBackward(x.offset, dxhat.offset, rows, d, mean.offset, invstd.offset, 0, dst);
      });
    });
  }
}

export interface InstanceNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of a batch in running statistics: accepted as torch does, unused without them. */
  momentum?: number;
  /** Learn a per-channel scale and shift (default false, as torch's). */
  affine?: boolean;
  /** Running statistics: not supported here (only false, torch's default). */
  trackRunningStats?: boolean;
}

/**
 * Instance normalisation, as torch.nn.InstanceNorm1d/2d: each channel of each sample normalised
 * over its own positions — GroupNorm with a group per channel (affine off by default). Takes a
 * batch or one unbatched sample, as torch. Running statistics (trackRunningStats: true) are not
 * supported: asking for them is an OptionError, never a silent difference in eval.
 */
abstract class InstanceNorm extends GroupNorm {
  readonly numFeatures: number;
  readonly momentum: number;

  constructor(numFeatures: number, given?: InstanceNormOptions) {
    const owner = new.target.name;
    checkValue(owner, 'numFeatures', numFeatures, COUNT);
    const options = checkOptions<InstanceNormOptions>(owner, given, { eps: POSITIVE, momentum: UNIT, affine: BOOLEAN, trackRunningStats: BOOLEAN });
    if (options.trackRunningStats) {
      throw new OptionError(`${owner}: trackRunningStats true is not supported (instance statistics are used in training and eval alike, torch's default); use BatchNorm for running statistics`);
    }
    super(numFeatures, numFeatures, { eps: options.eps, affine: options.affine ?? false });
    this.numFeatures = numFeatures;
    this.momentum = options.momentum ?? 0.1;
  }

  /** The spatial rank: 1 ([N, C, L]) or 2 ([N, C, H, W]). */
  protected abstract readonly dims: 1 | 2;

  override describe(): string {
    return `${this.constructor.name}(${this.numFeatures}${this.affine ? ', affine' : ''})`;
  }

  override forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const batched = x.rank === this.dims + 2;
    const layout = this.dims === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
    if ((!batched && x.rank !== this.dims + 1) || x.shape[batched ? 1 : 0] !== this.numFeatures) {
      throw new ShapeError(`${this.describe()}: input must be ${layout} with C = ${this.numFeatures}, got shape ${formatShape(x.shape)}`);
    }
    return this.normalise(x, batched ? x.shape[0] : 1);
  }
}

/** torch.nn.InstanceNorm1d over [N, C, L] or one [C, L] sample. */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly dims = 1;
}

/** torch.nn.InstanceNorm2d over [N, C, H, W] or one [C, H, W] sample. */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly dims = 2;
}
