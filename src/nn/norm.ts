import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { keep } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { requireBackend, threadScratch } from '../core/runtime.js';
import {
  BOOLEAN, POSITIVE, POSITIVE_INT, UNIT, anyOf, checkOptions, checkValue, nullable, required,
} from '../core/validate.js';
import { record } from '../autograd/node.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { checkInput } from './validate.js';

export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics and use them in eval mode (default true). */
  trackRunningStats?: boolean;
}

const BATCH_NORM_RULES = { eps: POSITIVE, momentum: nullable(UNIT), affine: BOOLEAN, trackRunningStats: BOOLEAN };
const FEATURES = required(POSITIVE_INT);

/**
 * Batch normalisation, as torch.nn.BatchNorm1d/2d: per channel c,
 * y = (x − μ_c)/√(σ²_c + eps)·γ_c + β_c. In training μ and σ² are the batch's mean and biased
 * variance over every value of the channel (N·H·W of them), and the gradient flows through them;
 * the running statistics then move by `momentum` toward the batch's mean and **unbiased**
 * variance, and `numBatchesTracked` counts the batches (momentum null: a cumulative average,
 * factor 1/numBatchesTracked). In eval mode the running statistics are used, as constants.
 * Without trackRunningStats the batch statistics are used in both modes. Buffers are saved under
 * torch's names (running_mean, running_var, num_batches_tracked — the last as int64).
 *
 * Ioffe & Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
 * Covariate Shift" (2015).
 */
abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Parameter | null = null;
  readonly bias: Parameter | null = null;
  readonly runningMean: Tensor | null = null;
  readonly runningVar: Tensor | null = null;
  /** Batches seen in training (a float32 count: exact up to 2^24 batches). */
  readonly numBatchesTracked: Tensor | null = null;

  constructor(numFeatures: number, given?: BatchNormOptions) {
    super();
    const owner = new.target.name;
    checkValue(owner, 'numFeatures', numFeatures, FEATURES);
    const options = checkOptions<BatchNormOptions>(owner, given, BATCH_NORM_RULES);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const taken: Tensor[] = [];
    try {
      if (this.affine) {
        this.weight = filled(track(taken, new Parameter(null, [numFeatures])), 1);
        this.bias = filled(track(taken, new Parameter(null, [numFeatures])), 0);
      }
      if (this.trackRunningStats) {
        this.runningMean = filled(track(taken, keep(new Tensor([numFeatures]))), 0);
        this.runningVar = filled(track(taken, keep(new Tensor([numFeatures]))), 1);
        this.numBatchesTracked = filled(track(taken, keep(new Tensor([]))), 0);
        this.registerBuffer('running_mean', this.runningMean);
        this.registerBuffer('running_var', this.runningVar);
        this.registerBuffer('num_batches_tracked', this.numBatchesTracked, 'int64');
      }
    } catch (error) {
      for (const t of taken) t.dispose(); // out of heap part-way: free what was taken
      throw error;
    }
  }

  /** The input as [n, c, hw] (statistics per c over n·hw values); throws on a wrong shape. */
  protected abstract layout(x: Tensor): [number, number, number];

  override describe(): string {
    return `${this.constructor.name}(${this.numFeatures})`;
  }

  protected checkChannels(x: Tensor, ranks: string): void {
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.describe()}: input of shape ${formatShape(x.shape)} has ${x.shape[1]} channels, expected ${ranks} with C = ${this.numFeatures}`);
    }
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const [n, c, hw] = this.layout(x);
    const batchStats = this.training || !this.trackRunningStats;
    if (batchStats && n * hw < 2) {
      throw new ShapeError(`${this.describe()}: expected more than 1 value per channel when using batch statistics, got input of shape ${formatShape(x.shape)}`);
    }
    const y = this.buffer('y', x.shape);
    const mean = this.buffer('mean', [c]);
    const invstd = this.buffer('invstd', [c]);
    // The backward's per-channel sums: taken now, so a step's allocations all happen in forward.
    const sums = this.buffer('sums', [2 * c]);
    const k = requireBackend();
    const { weight, bias, runningMean, runningVar, numBatchesTracked } = this;
    let factor = 0;
    if (this.training && numBatchesTracked) {
      const count = numBatchesTracked.data[0] + 1;
      numBatchesTracked.data[0] = count;
      factor = this.momentum ?? 1 / count;
    }
    // Running statistics: updated in training, read in eval; absent without trackRunningStats.
    k.batchNormStatistics(
      x.offset, n, c, hw, runningMean ? runningMean.offset : 0, runningVar ? runningVar.offset : 0, factor, this.eps,
      batchStats ? 1 : 0, mean.offset, invstd.offset, c * hw, n * hw,
    );
    k.batchNormApply(x.offset, n, c, hw, mean.offset, invstd.offset, weight ? weight.offset : 0, bias ? bias.offset : 0, y.offset, c * hw);
    const inputs = weight && bias ? [x, weight, bias] : [x];
    // Σdy per channel (the bias gradient) in the first half of sums, Σdy·x̂ (the weight's) in the second.
    const biasSums = sums.offset, weightSums = sums.offset + 4 * c;
    return record(y, this.describe(), inputs, [x, mean, invstd], (g, sink) => {
      // Σdy and Σdy·x̂ per channel are the bias and weight gradients, and dx needs them too.
      if ((batchStats && sink.wants(x)) || (weight && sink.wants(weight)) || (bias && sink.wants(bias))) {
        k.batchNormBackwardSums(x.offset, g.offset, n, c, hw, mean.offset, invstd.offset, biasSums, weightSums, c * hw, n * hw);
      }
      if (weight) sink.writeOrAdd(weight, fromScratch(weightSums, c));
      if (bias) sink.writeOrAdd(bias, fromScratch(biasSums, c));
      sink.write(x, (dst) => k.batchNormBackwardInput(
        x.offset, g.offset, n, c, hw, mean.offset, invstd.offset, weight ? weight.offset : 0, sums.offset, batchStats ? 1 : 0, dst,
        n, c * hw,
      ));
    });
  }
}

function track<T extends Tensor>(taken: Tensor[], t: T): T {
  taken.push(t);
  return t;
}

/**
 * A gradient computed once into scratch (weight and bias come from one pass over x and dy),
 * copied into the sink's block, or added to it when it accumulates.
 */
export function fromScratch(at: number, count: number): (dst: number, add: boolean) => void {
  const k = requireBackend();
  return (dst, add) => (add ? k.add(dst, at, dst, count) : k.copy(at, dst, count));
}

export function filled<T extends Tensor>(t: T, value: number): T {
  requireBackend().fill(t.offset, t.size, value);
  return t;
}

/** Batch normalisation over [N, C] or [N, C, L] (statistics per channel over N, or N·L). */
export class BatchNorm1d extends BatchNorm {
  protected layout(x: Tensor): [number, number, number] {
    if (x.rank !== 2 && x.rank !== 3) {
      throw new ShapeError(`${this.describe()}: input must be [N, C] or [N, C, L], got a tensor of shape ${formatShape(x.shape)}`);
    }
    this.checkChannels(x, '[N, C] or [N, C, L]');
    return [x.shape[0], x.shape[1], x.rank === 3 ? x.shape[2] : 1];
  }
}

/** Batch normalisation over [N, C, H, W] (statistics per channel over N·H·W). */
export class BatchNorm2d extends BatchNorm {
  protected layout(x: Tensor): [number, number, number] {
    if (x.rank !== 4) {
      throw new ShapeError(`${this.describe()}: input must be [N, C, H, W], got a tensor of shape ${formatShape(x.shape)}`);
    }
    this.checkChannels(x, '[N, C, H, W]');
    return [x.shape[0], x.shape[1], x.shape[2] * x.shape[3]];
  }
}

export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a scale and shift of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too (default true; false: a scale only, as torch ≥ 2.1's bias=False). */
  bias?: boolean;
}

const NORMALIZED_SHAPE = required(anyOf(POSITIVE_INT, { type: 'array', of: POSITIVE_INT, minLength: 1 }));
const LAYER_NORM_RULES = { eps: POSITIVE, elementwiseAffine: BOOLEAN, bias: BOOLEAN };

/**
 * Layer normalisation, as torch.nn.LayerNorm: each sample is normalised over its last
 * dimensions `normalizedShape` with its own mean and biased variance, then scaled and shifted
 * elementwise: y = (x − μ)/√(σ² + eps)·γ + β. Ba, Kiros & Hinton, "Layer Normalization" (2016).
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Parameter | null = null;
  readonly bias: Parameter | null = null;

  constructor(normalizedShape: number | readonly number[], given?: LayerNormOptions) {
    super();
    checkValue('LayerNorm', 'normalizedShape', normalizedShape, NORMALIZED_SHAPE);
    const options = checkOptions<LayerNormOptions>('LayerNorm', given, LAYER_NORM_RULES);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      const weight = filled(new Parameter(null, this.normalizedShape), 1);
      this.weight = weight;
      try {
        if (options.bias ?? true) this.bias = filled(new Parameter(null, this.normalizedShape), 0);
      } catch (error) {
        weight.dispose(); // out of heap for the bias: the weight must not stay allocated
        throw error;
      }
    } else if (options.bias === true) {
      throw new OptionError('LayerNorm: bias true needs elementwiseAffine (without it the layer has no parameters)');
    }
  }

  override describe(): string {
    return `LayerNorm(${formatShape(this.normalizedShape)}${this.weight && !this.bias ? ', no bias' : ''})`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const shape = this.normalizedShape;
    const tail = x.shape.slice(x.rank - shape.length);
    if (x.rank < shape.length || tail.some((s, i) => s !== shape[i])) {
      throw new ShapeError(`${this.describe()}: input of shape ${formatShape(x.shape)} does not end with the normalized shape ${formatShape(shape)}`);
    }
    const d = shape.reduce((p, s) => p * s, 1);
    const rows = x.size / d;
    const y = this.buffer('y', x.shape);
    const mean = this.buffer('mean', [rows]);
    const invstd = this.buffer('invstd', [rows]);
    const { weight, bias } = this;
    // The parameter gradients' scratch, taken now so a step's allocations all happen in forward.
    const sums = weight ? this.buffer('sums', [2 * d]) : null;
    const k = requireBackend();
    k.layerNormForward(x.offset, rows, d, weight ? weight.offset : 0, bias ? bias.offset : 0, this.eps, mean.offset, invstd.offset, y.offset);
    const inputs = weight ? (bias ? [x, weight, bias] : [x, weight]) : [x];
    return record(y, this.describe(), inputs, [x, mean, invstd], (g, sink) => {
      if (sums && weight && (sink.wants(weight) || (bias && sink.wants(bias)))) {
        // Each thread's float64 column sums: 16 bytes a column of the whole row at most.
        const [bytes, work] = threadScratch(k.threads, 16 * d);
        k.layerNormParamGrads(x.offset, g.offset, d, rows, d, mean.offset, invstd.offset, sums.offset, sums.offset + 4 * d, work, bytes);
        sink.writeOrAdd(weight, fromScratch(sums.offset, d));
        if (bias) sink.writeOrAdd(bias, fromScratch(sums.offset + 4 * d, d));
      }
      sink.write(x, (dst) => k.layerNormBackward(x.offset, g.offset, rows, d, mean.offset, invstd.offset, weight ? weight.offset : 0, dst));
    });
  }
}
