import { Tensor } from '../core/tensor.js';
import { keep } from '../core/scope.js';
import { requireBackend } from '../core/runtime.js';
import { tensor, type TensorValues } from '../ops/creation.js';

/**
 * A tensor that is a model's learnable weight: it always requires grad and owns its `grad`
 * (zeros until a backward accumulates into it). Inside a Sequential both live in the model's
 * contiguous parameter and gradient blocks.
 */
export class Parameter extends Tensor {
  declare grad: Tensor;

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
