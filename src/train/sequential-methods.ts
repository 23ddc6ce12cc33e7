import { Sequential } from '../nn/sequential.js';
import type { Tensor } from '../core/tensor.js';
import { fit, evaluate, predict, type EvaluateOptions, type FitOptions, type History } from './fit.js';

// Keras-style `model.fit(…)`, `model.evaluate(…)`, `model.predict(…)` on Sequential: thin calls of
// the free functions, attached from here so that nn/ does not import the training loop above it.
// (Any other Module trains with `fit(model, x, y, options)`.)

declare module '../nn/sequential.js' {
  interface Sequential {
    /** Keras-style training loop over (x, y): see `FitOptions`. Returns the per-epoch history. */
    fit(x: Tensor, y: Tensor, options: FitOptions): Promise<History>;
    /** Mean loss and accuracy over (x, y), in eval mode, without gradients. */
    evaluate(x: Tensor, y: Tensor, options?: EvaluateOptions): { loss: number; accuracy?: number };
    /** The outputs for x as a new tensor (yours to dispose), computed in batches in eval mode. */
    predict(x: Tensor, options?: { batchSize?: number }): Tensor;
  }
}

Sequential.prototype.fit = function (this: Sequential, x: Tensor, y: Tensor, options: FitOptions): Promise<History> {
  return fit(this, x, y, options);
};
Sequential.prototype.evaluate = function (this: Sequential, x: Tensor, y: Tensor, options: EvaluateOptions = {}) {
  return evaluate(this, x, y, options);
};
Sequential.prototype.predict = function (this: Sequential, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  return predict(this, x, options);
};
