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

  /** The activations without parameters take no options: any key (torch's `inplace`, a typo) is an error. */
  constructor(options?: Record<string, never>) {
    super();
    checkOptions(new.target.name, options, {});
  }

  /** LeakyReLU's slope, ELU's alpha; 0 for the others. */
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

/** x·σ(x) (torch's SiLU, also called swish). */
export class SiLU extends Activation {
  readonly code = Act.silu;
}

/** x·tanh(softplus x) (torch's Mish). */
export class Mish extends Activation {
  readonly code = Act.mish;
}

/** scale·ELU(x) with torch's fixed α ≈ 1.6733 and scale ≈ 1.0507 (self-normalising). */
export class SELU extends Activation {
  readonly code = Act.selu;
}

/** x·min(max(x + 3, 0), 6)/6 (MobileNetV3's). */
export class Hardswish extends Activation {
  readonly code = Act.hardswish;
}

/** min(max(x + 3, 0), 6)/6. */
export class Hardsigmoid extends Activation {
  readonly code = Act.hardsigmoid;
}

/** min(max(x, 0), 6) (MobileNetV2's). */
export class ReLU6 extends Activation {
  readonly code = Act.relu6;
}

/** x for x > 0, alpha·(eˣ − 1) below. */
export class ELU extends Activation {
  readonly code = Act.elu;
  readonly alpha: number;

  /** `new ELU(0.5)` as torch's positional alpha, or `{ alpha }` (default 1). */
  constructor(options?: number | { alpha?: number }) {
    super();
    const given = typeof options === 'number' ? { alpha: options } : options;
    this.alpha = checkOptions<{ alpha: number }>('ELU', given, { alpha: FINITE }).alpha ?? 1;
  }

  override get param(): number {
    return this.alpha;
  }

  override describe(): string {
    return `ELU(${this.alpha})`;
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
