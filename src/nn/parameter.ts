import { Tensor } from '../core/tensor.js';
import { keep } from '../core/scope.js';
import { requireBackend } from '../core/runtime.js';
import { tensor, type TensorValues } from '../ops/creation.js';
import type { Random } from '../core/rng.js';
import { kaimingUniform, uniform } from './init.js';

/**
 * A tensor that is a model's learnable weight: it always requires grad and owns its `grad`
 * (zeros until a backward accumulates into it). Inside a Sequential both live in the model's
 * contiguous parameter and gradient blocks.
 */
export class Parameter extends Tensor {
  /** Never null while the parameter lives (zeroGrad zeroes it in place). */
  override get grad(): Tensor {
    return super.grad as Tensor;
  }

  override set grad(value: Tensor) {
    super.grad = value;
  }

  constructor(values: TensorValues | null, shape: readonly number[]) {
    super(shape);
    keep(this); // a parameter belongs to its module, never to a tidy scope
    try {
      if (values !== null) {
        const src = keep(tensor(values, shape));
        requireBackend().copy(src.offset, this.offset, this.size);
        src.dispose();
      }
      this.grad = keep(new Tensor(shape));
    } catch (error) {
      this.dispose(); // bad values or no room for the gradient: free the block taken above
      throw error;
    }
    this.requiresGrad = true;
    requireBackend().fill(this.grad.offset, this.size, 0);
  }
}

/**
 * A layer's weight of `weightShape` and, when `bias`, a bias of `biasSize`. If the heap runs out
 * for the bias, the weight is freed before the error goes on: a failed constructor keeps nothing.
 */
export function weightAndBias(weightShape: number[], biasSize: number, bias: boolean): { weight: Parameter; bias: Parameter | null } {
  const weight = new Parameter(null, weightShape);
  try {
    return { weight, bias: bias ? new Parameter(null, [biasSize]) : null };
  } catch (error) {
    weight.dispose();
    throw error;
  }
}

/**
 * torch's reset_parameters of Linear and the convolutions: the weight from kaiming_uniform with
 * a = √5, then the bias (if any) from U(−1/√fanIn, 1/√fanIn), fanIn being the inputs each output
 * sums over.
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null, fanIn: number, generator: Random): void {
  kaimingUniform(weight, { a: Math.sqrt(5), generator });
  if (bias) {
    const bound = 1 / Math.sqrt(fanIn);
    uniform(bias, -bound, bound, generator);
  }
}
