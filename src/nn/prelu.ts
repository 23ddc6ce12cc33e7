import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { record } from '../autograd/node.js';
import { FINITE, POSITIVE_INT, checkOptions } from '../core/validate.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { checkInput } from './validate.js';

export interface PReLUOptions {
  /** Learned slopes: 1 (shared by every channel, the default) or the input's channels (dimension 1). */
  numParameters?: number;
  /** The slopes' initial value (default 0.25). */
  init?: number;
}

/**
 * torch.nn.PReLU: x for x > 0, a·x below, with the slope a learned — one for all, or one per
 * channel (dimension 1 of the input). Its weight is torch's `weight` [numParameters], every slope
 * `init` to begin with.
 */
export class PReLU extends Module {
  /** The slopes, [numParameters] (read their count as weight.size: Module's numParameters() counts every parameter). */
  readonly weight: Parameter;

  /** `new PReLU()`, `new PReLU(16)`, `new PReLU(16, { init: 0.1 })` (torch's positional num_parameters) or `new PReLU({ numParameters, init })`. */
  constructor(options?: number | PReLUOptions, more?: { init?: number }) {
    super();
    if (more !== undefined && typeof options !== 'number') {
      throw new OptionError(`PReLU: options as a second argument need numParameters as the first (a number), got ${typeof options === 'object' && options !== null ? 'an options object' : String(options)}`);
    }
    const given = typeof options === 'number' ? { numParameters: options, ...checkOptions<{ init: number }>('PReLU', more, { init: FINITE }) } : options;
    const checked = checkOptions<PReLUOptions>('PReLU', given, { numParameters: POSITIVE_INT, init: FINITE });
    const count = checked.numParameters ?? 1;
    this.weight = new Parameter(new Float32Array(count).fill(checked.init ?? 0.25), [count]);
  }

  override describe(): string {
    return `PReLU(${this.weight.size})`;
  }

  forward(x: Tensor): Tensor {
    checkInput(this, 'x', x);
    const c = this.weight.size;
    if (c > 1 && (x.rank < 2 || x.shape[1] !== c)) {
      throw new ShapeError(`${this.describe()}: input must have ${c} channels in dimension 1 (one slope each), got shape ${formatShape(x.shape)}`);
    }
    if (x.size === 0) throw new OptionError(`${this.describe()}: input of shape ${formatShape(x.shape)} is empty`);
    // n samples of c channels of hw positions; one slope for all: a single channel.
    const n = c > 1 ? x.shape[0] : 1, hw = x.size / (n * c), sample = c * hw;
    const y = this.buffer('y', x.shape);
    // Where the weight gradient is summed before it is added to an accumulating one (taken now:
    // a step's allocations all happen in forward).
    const sums = this.buffer('weightSums', [c]);
    const k = requireBackend(), { weight } = this;
    k.preluForward(x.offset, n, c, hw, weight.offset, y.offset, sample);
    return record(y, this.describe(), [x, weight], [x, weight], (g, sink) => {
      sink.writeOrAdd(weight, (dst, add) => {
        if (!add) {
          k.preluWeightGrad(x.offset, g.offset, n, c, hw, dst, sample, n * hw);
          return;
        }
        k.preluWeightGrad(x.offset, g.offset, n, c, hw, sums.offset, sample, n * hw);
        k.add(dst, sums.offset, dst, c);
      });
      sink.write(x, (dst) => k.preluBackward(x.offset, g.offset, n, c, hw, weight.offset, dst, sample));
    });
  }

}
