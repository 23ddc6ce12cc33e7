import type { Tensor } from '../core/tensor.js';
import { interpolateSpec, resampleInto, resampling, type InterpolateMode, type InterpolateOptions, type InterpolateSpec } from '../ops/interpolate.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';

export type UpsampleOptions = InterpolateOptions;

/**
 * torch.nn.Upsample: interpolate as a layer, `new Upsample({ scaleFactor: 2 })` (nearest) or
 * `new Upsample({ size: [28, 28], mode: 'bilinear', alignCorners: false })`, on [N, C, L] or
 * [N, C, H, W] — the decoder half of U-Nets and autoencoders (torch's Upsample + Conv2d, where
 * ConvTranspose2d would leave checkerboard patterns). Its output is a buffer it reuses.
 */
export class Upsample extends Module {
  readonly size: readonly number[] | null;
  readonly scaleFactor: readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean;
  readonly recomputeScaleFactor: boolean;

  constructor(options?: UpsampleOptions) {
    super();
    const spec: InterpolateSpec = interpolateSpec('Upsample', options);
    ({ size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor } = spec);
  }

  override describe(): string {
    const by = this.size ? `size ${this.size.join('×')}` : `scaleFactor ${this.scaleFactor!.join('×')}`;
    return `Upsample(${by}, ${this.mode}${this.alignCorners ? ', alignCorners' : ''})`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const r = resampling(this.describe(), this, x);
    return resampleInto(this.describe(), x, r, this.buffer('y', r.shape));
  }
}
