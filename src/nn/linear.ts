import { globalRandom, type Random } from '../core/rng.js';
import { requireBackend } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { Act } from '../backend/backend.js';
import { record } from '../autograd/node.js';
import { gemmRaw } from '../ops/matmul.js';
import { Module } from './module.js';
import { Parameter, resetWeightAndBias, weightAndBias } from './parameter.js';
import { GENERATOR } from './init.js';
import type { Activation } from './activations.js';
import { checkFeatures, checkInput } from './validate.js';
import { BOOLEAN, POSITIVE_INT, checkOptions, checkValue, required } from '../core/validate.js';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

const RULES = { bias: BOOLEAN };
const FEATURES = required(POSITIVE_INT);

/**
 * y = x·Wᵀ + b with W [out, in] (torch's layout). Initialised as torch's reset_parameters:
 * W ~ kaiming_uniform(a = √5) = U(±1/√in), b ~ U(±1/√in).
 *
 * The forward is one NT gemm and an epilogue; the backward is an NN gemm for dx = dz·W, a TN gemm
 * accumulating dW += dzᵀ·x, and a column sum for db — no transpose is ever copied.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, given?: LinearOptions) {
    super();
    checkValue('Linear', 'inFeatures', inFeatures, FEATURES);
    checkValue('Linear', 'outFeatures', outFeatures, FEATURES);
    const options = checkOptions<LinearOptions>('Linear', given, RULES);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    ({ weight: this.weight, bias: this.bias } = weightAndBias([outFeatures, inFeatures], outFeatures, options.bias ?? true));
    this.resetParameters();
  }

  /** Draws fresh weights as torch's reset_parameters does (weight first, then bias). */
  resetParameters(generator: Random = globalRandom): void {
    checkValue(`${this.describe()}.resetParameters`, 'generator', generator, GENERATOR);
    resetWeightAndBias(this.weight, this.bias, this.inFeatures, generator);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias ? '' : ', no bias'})`;
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, null);
  }

  /**
   * The layer followed by `activation`, as one gemm whose epilogue adds the bias and applies the
   * activation; the backward of both is one node. Sequential calls this for Linear → activation.
   */
  forwardActivated(x: Tensor, activation: Activation | null): Tensor {
    checkInput(this, 'x', x);
    // Leading dimensions are rows: [..., in] → [..., out], as torch.
    const batch = checkFeatures(this, x, this.inFeatures);
    const outShape = x.rank === 2 ? [batch, this.outFeatures] : [...x.shape.slice(0, -1), this.outFeatures];
    const out = this.outFeatures, inF = this.inFeatures;
    const z = this.buffer('z', outShape);
    const y = activation ? activation.buffer_('y', outShape) : z;
    // The backward's scratch for dz is taken now, so a step's allocations all happen in forward.
    const dzScratch = activation ? this.buffer('dz', [batch, out]) : null;
    const k = requireBackend();
    const code = activation ? activation.code : Act.identity;
    const param = activation ? activation.param : 0;
    const { weight, bias } = this;
    gemmRaw(false, true, batch, out, inF, x.offset, inF, weight.offset, inF, z.offset, out, false);
    k.biasActivation(z.offset, batch, out, bias ? bias.offset : 0, code, param, y.offset);
    const inputs = bias ? [x, weight, bias] : [x, weight];
    return record(y, this.fusedName(activation), inputs, activation ? [x, weight, z, y] : [x, weight, z], (g, sink) => {
      let dz = g;
      if (dzScratch) {
        k.activationBackward(code, param, z.offset, y.offset, g.offset, dzScratch.offset, batch * out);
        dz = dzScratch;
      }
      sink.writeOrAdd(weight, (dst, add) => gemmRaw(true, false, out, inF, batch, dz.offset, out, x.offset, inF, dst, inF, add));
      if (bias) sink.writeOrAdd(bias, (dst, add) => k.sumRows(dz.offset, batch, out, dst, add ? 1 : 0));
      sink.writeOrAdd(x, (dst, add) => gemmRaw(false, false, batch, inF, out, dz.offset, out, weight.offset, inF, dst, inF, add));
    });
  }
}
