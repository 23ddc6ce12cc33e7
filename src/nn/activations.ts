import type { Tensor } from '../core/tensor.js';
import { Act, type ActCode } from '../backend/backend.js';
import { activationInto } from '../ops/activation.js';
import { Module } from './module.js';
import { checkInput } from './validate.js';
import { FINITE, checkOptions, oneOf } from '../core/validate.js';

/**
 * An elementwise activation. When it follows a Linear inside a Sequential, the two run as one
 * gemm with a fused bias + activation epilogue (see Linear.forwardActivated).
 */
export abstract class Activation extends Module {
  abstract readonly code: ActCode;

  /** ReLU, Sigmoid and Tanh take no options: any key (torch's `inplace`, a typo) is an error. */
  constructor(options?: Record<string, never>) {
    super();
    checkOptions(new.target.name, options, {});
  }

  /** LeakyReLU's slope; 0 for the others. */
  get param(): number {
    return 0;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    return activationInto(this.describe(), this.code, this.param, x, this.buffer('y', x.shape));
  }
}

export class ReLU extends Activation {
  readonly code = Act.relu;
}

export class Sigmoid extends Activation {
  readonly code = Act.sigmoid;
}

export class Tanh extends Activation {
  readonly code = Act.tanh;
}

export class LeakyReLU extends Activation {
  readonly code = Act.leakyRelu;
  readonly negativeSlope: number;

  /** `new LeakyReLU(0.2)` as torch's positional negative_slope, or `{ negativeSlope }` (default 0.01). */
  constructor(options?: number | { negativeSlope?: number }) {
    super();
    const given = typeof options === 'number' ? { negativeSlope: options } : options;
    this.negativeSlope = checkOptions<{ negativeSlope: number }>('LeakyReLU', given, { negativeSlope: FINITE }).negativeSlope ?? 0.01;
  }

  override get param(): number {
    return this.negativeSlope;
  }

  override describe(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }
}

export class GELU extends Activation {
  readonly code: ActCode;
  readonly approximate: 'none' | 'tanh';

  constructor(options?: { approximate?: 'none' | 'tanh' }) {
    super();
    const approximate = checkOptions<{ approximate: 'none' | 'tanh' }>('GELU', options, { approximate: oneOf('none', 'tanh') }).approximate ?? 'none';
    this.approximate = approximate;
    this.code = approximate === 'none' ? Act.geluErf : Act.geluTanh;
  }

  override describe(): string {
    return `GELU(${this.approximate})`;
  }
}
