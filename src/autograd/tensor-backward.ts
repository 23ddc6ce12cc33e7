import { Tensor } from '../core/tensor.js';
import { BOOLEAN, TENSOR, checkOptions, checkValue, isPlainObject, type Rule } from '../core/validate.js';
import { runBackward } from './backward.js';

// `tensor.backward()`, attached to Tensor from here (as the ops attach their methods), so the
// tensor class in core/ does not import the autograd engine above it.

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false). */
  retainGraph?: boolean;
}
const BACKWARD_RULES = { retainGraph: BOOLEAN };
const GRAD: Rule = { ...TENSOR, description: 'a Tensor of the same shape (the upstream gradient) or an options object { retainGraph }' };

declare module '../core/tensor.js' {
  interface Tensor {
    /**
     * Back-propagates from this tensor: accumulates d(this)/d(leaf) into every leaf's `grad`. A
     * scalar needs no `grad`; otherwise pass the upstream gradient (same shape). The graph is freed
     * afterwards unless `retainGraph`. The options may come first, as a torch user writes
     * `loss.backward(retain_graph=True)`: `loss.backward({ retainGraph: true })`.
     */
    backward(grad?: Tensor | BackwardOptions, options?: BackwardOptions): void;
  }
}

Tensor.prototype.backward = function backward(this: Tensor, grad?: Tensor | BackwardOptions, options?: BackwardOptions): void {
  checkValue('backward', 'the tensor', this, TENSOR);
  if (options === undefined && isPlainObject(grad)) {
    [grad, options] = [undefined, grad as BackwardOptions];
  }
  checkValue('backward', 'grad', grad, GRAD);
  const { retainGraph = false } = checkOptions<BackwardOptions>('backward', options, BACKWARD_RULES);
  runBackward(this, grad as Tensor | undefined, retainGraph);
};
